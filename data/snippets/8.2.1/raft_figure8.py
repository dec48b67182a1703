# caption: Raft 论文图 8 的模型：旧任期的条目即使已复制到多数派，按“数副本就提交”会被新 leader 覆盖；Raft 的规则（只按计数提交本任期条目）加上投票限制则不会丢
# point: 强一致性raft算法原理
# timeout: 10


class Node:
    def __init__(self, name):
        self.name, self.log, self.term = name, [], 0     # log: list of terms, index = position + 1

    def last(self):
        return (self.log[-1] if self.log else 0, len(self.log))

    def append_entries(self, prev_index, prev_term, entries):
        """the log matching check: accept only if our entry at prev_index has prev_term"""
        if prev_index > len(self.log) or (prev_index and self.log[prev_index - 1] != prev_term):
            return False
        self.log = self.log[:prev_index] + entries       # overwrite any conflicting suffix
        return True


def replicate(leader, follower, upto):
    """leader backs off nextIndex until the logs match, then copies entries up to `upto`"""
    nxt = len(follower.log) + 1
    while True:
        prev = nxt - 1
        if follower.append_entries(prev, leader.log[prev - 1] if prev else 0, leader.log[prev:upto]):
            return
        nxt -= 1


def elect(cand, voters, term):
    """a vote needs the candidate's log to be at least as up-to-date (last term, then length)"""
    cand.term = term
    votes = 1 + sum(cand.last() >= v.last() for v in voters)
    return votes >= 3


def run(rule):
    s = {n: Node(n) for n in ("S1", "S2", "S3", "S4", "S5")}
    for n in s.values():
        n.log = [1]                                      # index 1 (term 1) everywhere, committed
    assert elect(s["S1"], [s["S2"], s["S3"]], 2)
    s["S1"].log.append(2)                                # (a) S1 leads term 2, index 2 reaches S2 only
    replicate(s["S1"], s["S2"], 2)
    assert elect(s["S5"], [s["S3"], s["S4"]], 3)         # (b) S1 crashes; S5 wins term 3 with S3, S4
    s["S5"].log.append(3)                                #     and appends index 2 with term 3, then crashes
    assert elect(s["S1"], [s["S2"], s["S3"]], 4)         # (c) S1 back, leads term 4
    replicate(s["S1"], s["S3"], 2)                       #     index 2 (term 2) now on S1, S2, S3: a majority
    on_majority = sum(len(n.log) >= 2 and n.log[1] == 2 for n in s.values()) >= 3
    if rule == "raft":
        s["S1"].log.append(4)                            # Raft: commit only by counting a term-4 entry
        for f in ("S2", "S3"):
            replicate(s["S1"], s[f], 3)
    committed = {"naive": on_majority,                   # counting replicas of an old-term entry
                 "raft": sum(len(n.log) >= 3 and n.log[2] == 4 for n in s.values()) >= 3}[rule]
    # (d) S1 crashes again; can S5 (last entry term 3) become leader with S2, S3, S4?
    won = elect(s["S5"], [s["S2"], s["S3"], s["S4"]], 5)
    if won:
        for f in ("S2", "S3", "S4"):
            replicate(s["S5"], s[f], 2)
    kept = sum(len(n.log) >= 2 and n.log[1] == 2 for n in s.values())
    print(f"{rule:<5}: index 2 (term 2) committed={committed}; S5 elected in term 5={won}; "
          f"copies of that entry left={kept}; logs=" + " ".join(f"{k}:{v.log}" for k, v in s.items()))
    return committed, kept


committed, kept = run("naive")
assert committed and kept < 3                           # a "committed" entry was overwritten: safety broken
committed, kept = run("raft")
assert committed and kept >= 3                          # committed with the term-4 entry, and it survives
