# caption: Basic Paxos 的随机化模型（单值决议）：3 个提议者抢着让 5 个接受者选定自己的值，消息随机丢失、重排、重复，提议者随机超时重试；正确版本 500 个种子从未选定两个不同的值，但提议者互相抢占，常要发起多个 ballot 才决议；提议者忽略 promise 里带回的已接受值、或接受者不守承诺时，很快就选出两个值
# point: Basic Paxos 的两个阶段
# timeout: 30
import random

A, P, MAJ, STEPS = 5, 3, 3, 600


def run(seed, bug=None):
    r = random.Random(seed)
    promised = [(0, 0)] * A                          # acceptor: highest ballot promised
    accepted = [None] * A                            # acceptor: (ballot, value) last accepted
    prop = [{"ballot": (0, p), "promises": {}, "phase": 0} for p in range(P)]
    net, votes, chosen = [], {}, set()               # votes: ballot -> acceptors that accepted it
    ballots = [0, None]                              # ballots started; how many had started when a value was chosen

    def start(p):                                    # phase 1a: prepare with a fresh, unique, larger ballot
        pr = prop[p]
        pr["ballot"], pr["promises"], pr["phase"] = (pr["ballot"][0] + 1 + r.randrange(2), p), {}, 1
        ballots[0] += 1
        net.extend((a, ("prepare", pr["ballot"], p)) for a in range(A))

    for _ in range(STEPS):
        x = r.random()
        if x < 0.08:
            start(r.randrange(P))                    # a proposer times out and (re)starts
        elif net:
            dest, m = net.pop(r.randrange(len(net)))
            if r.random() < 0.1:
                net.append((dest, m))                # duplicated: a copy stays in flight
            if r.random() < 0.1:
                continue                             # lost
            if m[0] == "prepare":                    # phase 1b: promise, reporting what I accepted before
                _, b, p = m
                if b > promised[dest]:
                    promised[dest] = b
                    net.append((p, ("promise", b, dest, accepted[dest])))
            elif m[0] == "promise":
                _, b, a, acc = m
                pr = prop[dest]
                if pr["phase"] == 1 and b == pr["ballot"]:
                    pr["promises"][a] = acc
                    if len(pr["promises"]) >= MAJ:   # phase 2a: the value is forced by the highest accepted ballot
                        prev = [v for v in pr["promises"].values() if v]
                        value = max(prev)[1] if prev and bug != "ignore-accepted" else f"v{dest}"
                        pr["phase"] = 2
                        net.extend((a2, ("accept", b, value)) for a2 in range(A))
            elif m[0] == "accept":                   # phase 2b: accept unless a higher ballot was promised
                _, b, v = m
                if b >= promised[dest] or bug == "break-promise":
                    promised[dest], accepted[dest] = max(b, promised[dest]), (b, v)
                    votes.setdefault((b, v), set()).add(dest)
                    if len(votes[(b, v)]) >= MAJ:
                        chosen.add(v)
                        ballots[1] = ballots[1] or ballots[0]
    return chosen, ballots[1]


for bug in (None, "ignore-accepted", "break-promise"):
    results = [run(seed, bug) for seed in range(500)]
    two = [s for s, (c, _) in enumerate(results) if len(c) > 1]
    needed = sorted(n for c, n in results if c)
    print(f"{bug or 'correct Paxos':16}: 500 seeds, decided {len(needed)}, ballots started before the decision: "
          f"median {needed[len(needed) // 2]}, worst {needed[-1]}; two different values chosen {len(two)}"
          + (f" (seed {two[0]}: {sorted(results[two[0]][0])})" if two else ""))
    assert (not two) if bug is None else two
