# caption: Multi-Paxos（模型）：稳定的 leader 只做一次 phase 1，之后每条命令只走 phase 2，消息数约为每条都跑 Basic Paxos 的一半；leader 在流水线中途崩溃留下空洞（槽 4 无人接受、槽 5 已被多数派接受），新 leader 对任意一个多数派做 phase 1 都能保住槽 5 的值，并用 no-op 填上空洞
# point: Multi-Paxos
# timeout: 10
from itertools import combinations

N, MAJ = 5, 3


class Acceptor:
    def __init__(self):
        self.promised, self.slots = (0, 0), {}       # slot -> (ballot, value)

    def prepare(self, ballot, from_slot):           # one prepare covers every slot >= from_slot
        if ballot > self.promised:
            self.promised = ballot
            return {s: bv for s, bv in self.slots.items() if s >= from_slot}
        return None

    def accept(self, ballot, slot, value):
        if ballot >= self.promised:
            self.promised, self.slots[slot] = ballot, (ballot, value)
            return True
        return False


def basic_paxos_messages(commands):                  # prepare, promise, accept, accepted for every command
    return commands * 4 * N


acc = [Acceptor() for _ in range(N)]
b1 = (1, 1)                                          # leader 1: phase 1 once, then phase 2 per command
msgs = 2 * N + sum(2 * N for _ in range(3))
assert all(a.prepare(b1, 1) == {} for a in acc)
for slot, cmd in ((1, "set x=1"), (2, "set y=2"), (3, "del x")):
    assert sum(a.accept(b1, slot, cmd) for a in acc) == N
print(f"3 commands: Multi-Paxos {msgs} messages vs Basic Paxos per command {basic_paxos_messages(3)}; "
      f"100 commands: {2 * N + 100 * 2 * N} vs {basic_paxos_messages(100)}")
# leader 1 pipelines slots 4-6 and crashes: slot 4's accepts are all lost, slot 5 reaches acceptors 0-2 (a majority:
# chosen, but nobody learned it), slot 6 reaches acceptor 3 only
for a in (0, 1, 2):
    acc[a].accept(b1, 5, "set z=5")
acc[3].accept(b1, 6, "set w=6")

logs = set()
for quorum in combinations(range(N), MAJ):           # whichever majority the new leader happens to hear from
    state = [(a.promised, dict(a.slots)) for a in acc]
    b2 = (2, 2)
    replies = [acc[a].prepare(b2, 4) for a in quorum]
    top = max(s for rep in replies for s in rep) if any(replies) else 3
    log = {}
    for s in range(4, top + 1):                      # highest-ballot accepted value per slot, else a no-op
        seen = [rep[s] for rep in replies if s in rep]
        log[s] = max(seen)[1] if seen else "no-op"
        assert sum(acc[a].accept(b2, s, log[s]) for a in quorum) == MAJ
    assert log[5] == "set z=5" and log[4] == "no-op"   # the chosen value survives; the hole is filled
    logs.add(tuple(sorted(log.items())))
    for a, (p, sl) in zip(acc, state):               # undo, try the next majority from the same starting point
        a.promised, a.slots = p, sl
print(f"new leader after the crash, over all {len(list(combinations(range(N), MAJ)))} majorities: "
      f"{len(logs)} distinct outcomes for slots 4..:")
for lg in sorted(logs):
    print("   ", ", ".join(f"{s}:{v}" for s, v in lg))
