# caption: Raft 的随机化模型（不是 etcd 代码）：5 个节点，消息随机丢失、重排、重复，节点随机崩溃与重启，每个种子一次确定的运行；每步检查选举安全、日志匹配、领导者完整性、状态机安全。正确版本几百个种子零违规；三个故意写错的变体各自被抓到
# point: 安全性论证
# timeout: 60
import random
from collections import Counter

STEPS = 400


class Node:
    def __init__(self, i):
        self.id, self.term, self.voted, self.log = i, 0, None, []   # persistent: term, votedFor, log[(term, cmd)]
        self.restart()

    def restart(self):
        self.state, self.commit, self.votes, self.alive, self.heard = "follower", 0, set(), True, 0
        self.next, self.match = {}, {}

    def last(self):
        return len(self.log), (self.log[-1][0] if self.log else 0)

    def term_at(self, i):
        return self.log[i - 1][0] if 0 < i <= len(self.log) else 0


class Sim:
    def __init__(self, seed, n, bug=None):
        self.r, self.bug, self.n, self.maj = random.Random(seed), bug, n, n // 2 + 1
        self.nodes, self.net, self.seen = [Node(i) for i in range(n)], [], {}    # seen: property -> first report
        self.leaders, self.committed, self.applied = {}, {}, {}     # term -> ids; index -> entry (global truth)
        self.cmd = self.elections = self.clock = 0

    def violation(self, prop, what):
        self.seen.setdefault(prop, what)

    def send(self, to, msg):
        self.net.append((to, msg))

    def become_follower(self, n, term):
        if term > n.term:
            n.term, n.voted = term, None
        n.state = "follower"

    def timeout(self, n):                                  # follower/candidate starts an election
        n.term, n.voted, n.state, n.votes = n.term + 1, n.id, "candidate", {n.id}
        self.ask_votes(n)

    def ask_votes(self, n):                                # a candidate retries RequestVote until answered
        li, lt = n.last()
        for p in range(self.n):
            if p != n.id:
                self.send(p, ("vote_req", n.term, n.id, li, lt))

    def become_leader(self, n):
        self.leaders.setdefault(n.term, set()).add(n.id)
        self.elections += 1
        if len(self.leaders[n.term]) > 1:
            self.violation("Election Safety", f"leaders {sorted(self.leaders[n.term])} in term {n.term}")
        for i, e in self.committed.items():               # every committed entry must be in the new leader's log
            if i > len(n.log) or n.log[i - 1] != e:
                self.violation("Leader Completeness", f"leader {n.id} of term {n.term} lacks committed #{i}")
        n.state, n.next, n.match = "leader", {p: len(n.log) + 1 for p in range(self.n)}, {p: 0 for p in range(self.n)}
        n.log.append((n.term, None))                       # a no-op, as etcd's becomeLeader does
        n.match[n.id] = len(n.log)

    def replicate(self, n):
        for p in range(self.n):
            if p != n.id:
                prev = n.next[p] - 1
                self.send(p, ("append", n.term, n.id, prev, n.term_at(prev), n.log[prev:prev + 3], n.commit))

    def advance(self, n, commit):                          # commit and apply up to `commit`
        for i in range(n.commit + 1, commit + 1):
            e = n.log[i - 1]
            if self.applied.setdefault(i, e) != e:
                self.violation("State Machine Safety", f"node {n.id} applies {e} at #{i}, another applied {self.applied[i]}")
            if n.state == "leader":
                self.committed.setdefault(i, e)
        n.commit = max(n.commit, commit)

    def deliver(self, n, m):
        kind, term = m[0], m[1]
        if term > n.term:
            self.become_follower(n, term)
        if kind == "vote_req":
            _, _, cand, li, lt = m
            up_to_date = (lt, li) >= (n.last()[1], n.last()[0]) or self.bug == "no-log-check"
            ok = term == n.term and n.voted in (None, cand) and up_to_date
            if ok:
                n.voted = cand
            self.send(cand, ("vote", n.term, n.id, ok))
        elif kind == "vote":
            if n.state == "candidate" and term == n.term and m[3]:
                n.votes.add(m[2])
                if len(n.votes) >= self.maj:
                    self.become_leader(n)
        elif kind == "append":
            _, _, lead, prev, prev_term, entries, lcommit = m
            if term < n.term:
                return self.send(lead, ("append_resp", n.term, n.id, False, 0))
            n.state, n.heard = "follower", self.clock
            if prev > len(n.log) or n.term_at(prev) != prev_term:
                return self.send(lead, ("append_resp", n.term, n.id, False, 0))
            for k, e in enumerate(entries):                # truncate only at a real conflict: a stale, shorter
                i = prev + 1 + k                           # message must never cut entries off
                if i <= len(n.log) and n.log[i - 1][0] != e[0]:
                    del n.log[i - 1:]
                if i > len(n.log):
                    n.log.append(e)
            self.advance(n, min(lcommit, prev + len(entries)))
            self.send(lead, ("append_resp", n.term, n.id, True, prev + len(entries)))
        elif kind == "append_resp" and n.state == "leader" and term == n.term:
            _, _, frm, ok, match = m
            if ok:
                n.match[frm], n.next[frm] = max(n.match[frm], match), max(n.next[frm], match + 1)
            else:
                n.next[frm] = max(1, n.next[frm] - 1)
            for i in range(len(n.log), n.commit, -1):      # highest index stored on a majority
                if sum(x >= i for x in n.match.values()) >= self.maj:
                    if n.log[i - 1][0] == n.term or self.bug == "count-old-terms":
                        self.advance(n, i)
                    break

    def check_log_matching(self):
        for a in self.nodes:
            for b in self.nodes:
                for i in range(min(len(a.log), len(b.log)), 0, -1):
                    if a.log[i - 1][0] == b.log[i - 1][0]:     # same (index, term) => identical prefixes
                        if a.log[:i] != b.log[:i]:
                            self.violation("Log Matching", f"nodes {a.id},{b.id} agree on #{i} but differ before")
                        break

    def step(self):
        r, alive = self.r, [n for n in self.nodes if n.alive]
        self.clock += 1
        x = r.random()
        if x < 0.70 and self.net:                          # deliver a random message (reordering) or lose it
            to, m = self.net.pop(r.randrange(len(self.net)))
            if r.random() < 0.1:
                self.net.append((to, m))                   # duplicate: deliver now, keep a copy for later
            if r.random() > 0.1 and self.nodes[to].alive:
                self.deliver(self.nodes[to], m)
        elif x < 0.75 and alive:
            n = r.choice(alive)                            # election timeout: no leader heard for a while
            if n.state != "leader" and self.clock - n.heard > 40:
                self.timeout(n)
                n.heard = self.clock
        elif x < 0.84:
            for n in alive:
                if n.state == "leader":
                    self.replicate(n)
                elif n.state == "candidate":
                    self.ask_votes(n)
        elif x < 0.94:
            leaders = [n for n in alive if n.state == "leader"]
            if leaders:
                n, self.cmd = r.choice(leaders), self.cmd + 1
                n.log.append((n.term, self.cmd))
                n.match[n.id] = len(n.log)
        elif x < 0.95 and len(alive) > self.maj:
            leaders = [n for n in alive if n.state == "leader"]
            r.choice(leaders if leaders and r.random() < 0.5 else alive).alive = False   # crash, leaders more often
        else:
            dead = [n for n in self.nodes if not n.alive]
            if dead:
                n = r.choice(dead)
                n.restart()
                n.heard = self.clock                       # a fresh election timer
                if self.bug == "forget-vote":              # votedFor not persisted across the crash
                    n.voted = None


def run(n, bug, seeds):
    found, work, first = Counter(), Counter(), {}
    for seed in seeds:
        sim = Sim(seed, n, bug)
        for t in range(STEPS):
            sim.step()
            if t % 10 == 0:
                sim.check_log_matching()
        sim.check_log_matching()
        for prop, what in sim.seen.items():
            found[prop] += 1
            first.setdefault(prop, f"seed {seed}: {what}")
        work["leaders"] += sim.elections
        work["committed"] += len(sim.committed)
        work["max term"] = max(work["max term"], max(x.term for x in sim.nodes))
    return found, work, first


for n, seeds in ((3, 1000), (5, 300)):
    ok, work, _ = run(n, None, range(seeds))
    print(f"correct Raft, {n} nodes, {seeds} seeds x {STEPS} steps: {work['leaders']} leaders, {work['committed']} "
          f"entries committed, highest term {work['max term']}, violations: {dict(ok) or 'none'}")
    assert not ok and work["committed"] > 1000
for bug, expect in (("no-log-check", "Leader Completeness"), ("forget-vote", "Election Safety"),
                    ("count-old-terms", "State Machine Safety")):
    for seed in range(3000):                              # search seeds until the bug shows itself
        found, _, first = run(3, bug, [seed])
        if expect in found:
            break
    print(f"bug {bug}, 3 nodes: first caught by seed {seed}, which violates {sorted(found)}")
    for prop in sorted(first):
        print(f"    {first[prop]}")
    assert expect in found
