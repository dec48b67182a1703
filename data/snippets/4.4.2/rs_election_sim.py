# caption: 副本集选举模拟（类 Raft 的 pv1：任期、优先级、多数票、选举超时、优先级抢占、网络分区与回滚），断言每个任期至多一个主节点且多数派确认的写不丢
# point: Replica Set读写策略
# timeout: 20
import random

TICK = 100                   # ms per simulation step
ELECTION_TIMEOUT = 10000     # settings.electionTimeoutMillis default
rng = random.Random(27017)


class Member:
    def __init__(self, name, priority):
        self.name, self.priority = name, priority
        self.term, self.voted_for = 0, {}
        self.state = "SECONDARY"
        self.oplog = []                      # list of (term, op_id)
        self.up = True
        self.last_primary_contact = 0
        self.offset = 0

    def last_optime(self):
        return (self.oplog[-1][0], len(self.oplog)) if self.oplog else (0, 0)


members = [Member("A", 2), Member("B", 1), Member("C", 1), Member("D", 1), Member("E", 0)]
M = {m.name: m for m in members}
MAJORITY = len(members) // 2 + 1
cut = set()                                  # partition: names cut off from the rest
now = 0
primaries_by_term = {}
acked = []                                   # op ids acknowledged with w: "majority"
rolled_back = []
log_lines = []
op_counter = 0
elected_at = []


def log(msg):
    log_lines.append("t=%5.1fs %s" % (now / 1000, msg))


def reachable(a, b):
    return a.up and b.up and ((a.name in cut) == (b.name in cut))


def reset_timer(m):
    # higher priority -> shorter random offset, so it tends to call elections first
    m.last_primary_contact = now
    m.offset = rng.randint(0, 1500) // max(m.priority, 0.5)


def become_primary(m):
    m.state = "PRIMARY"
    primaries_by_term.setdefault(m.term, set()).add(m.name)
    assert len(primaries_by_term[m.term]) == 1, "two primaries in term %d" % m.term
    m.last_majority_contact = now
    elected_at.append(now)
    log("%s elected PRIMARY in term %d (priority %s)" % (m.name, m.term, m.priority))


def step_down(m, why):
    if m.state == "PRIMARY":
        m.state = "SECONDARY"
        log("%s steps down: %s" % (m.name, why))
    reset_timer(m)


def run_election(c, reason):
    c.term += 1
    c.voted_for[c.term] = c.name
    votes = 1
    for v in members:
        if v is c or not reachable(c, v):
            continue
        if c.term > v.term:                      # newer term: adopt it
            v.term = c.term
            if v.state == "PRIMARY":
                step_down(v, "saw higher term %d" % c.term)
        if v.voted_for.get(c.term) is None and c.last_optime() >= v.last_optime():
            v.voted_for[c.term] = c.name
            votes += 1
    if votes >= MAJORITY:
        become_primary(c)
        for v in members:
            if reachable(c, v):
                reset_timer(v)
    else:
        log("%s lost election for term %d (%s, %d votes)" % (c.name, c.term, reason, votes))
        reset_timer(c)


def replicate(p):
    for s in members:
        if s is p or not reachable(p, s):
            continue
        if s.term < p.term:
            s.term = p.term
        if s.state == "PRIMARY" and s.term < p.term:
            step_down(s, "newer primary")
        common = 0                               # find the common prefix
        while (common < len(s.oplog) and common < len(p.oplog)
               and s.oplog[common] == p.oplog[common]):
            common += 1
        if common < len(s.oplog):                # diverged: roll back our tail
            rolled_back.extend(op for _, op in s.oplog[common:])
            log("%s rolls back %d op(s) not on the new primary" % (s.name, len(s.oplog) - common))
            del s.oplog[common:]
        s.oplog.extend(p.oplog[common:])


def committed(p, entry):
    return sum(1 for m in members if entry in m.oplog) >= MAJORITY


def step():
    global op_counter
    for m in members:
        if not m.up:
            continue
        if m.state == "PRIMARY":
            if now % 300 == 0:                   # client writes with w: "majority"
                op_counter += 1
                entry = (m.term, op_counter)
                m.oplog.append(entry)
            replicate(m)                         # secondaries tail the oplog
            for entry in m.oplog:
                if entry[1] not in acked and committed(m, entry):
                    acked.append(entry[1])
            seen = sum(1 for x in members if reachable(m, x))
            if seen >= MAJORITY:
                m.last_majority_contact = now
            elif now - m.last_majority_contact >= ELECTION_TIMEOUT:
                step_down(m, "cannot see a majority")
            for x in members:
                if reachable(m, x) and x is not m:
                    x.last_primary_contact = now
                    # priority takeover: a caught-up higher-priority member
                    if (x.priority > m.priority and x.last_optime() == m.last_optime()
                            and x.state == "SECONDARY"):
                        run_election(x, "priority takeover")
                        return
        elif m.priority > 0 and now - m.last_primary_contact > ELECTION_TIMEOUT + m.offset:
            run_election(m, "election timeout")


def run_until(t_end):
    global now
    while now < t_end:
        now += TICK
        step()


def current_primaries():
    return [m.name for m in members if m.up and m.state == "PRIMARY"]


for m in members:
    reset_timer(m)
run_until(15000)
assert current_primaries() == ["A"]

# 1. the primary crashes
M["A"].up = False
M["A"].state = "SECONDARY"
log("A crashes")
crash_at = now
run_until(now + 15000)
p = current_primaries()
assert len(p) == 1 and p[0] in "BCD"
failover_ms = elected_at[-1] - crash_at
assert failover_ms < 12000                      # manual: median failover <= ~12 s

# 2. A comes back, catches up, and takes over by priority
M["A"].up = True
reset_timer(M["A"])
log("A restarts as SECONDARY")
run_until(now + 6000)
assert current_primaries() == ["A"]

# 3. a stale member cannot win: D loses its data and gets cut off with E
M["D"].oplog = M["D"].oplog[:3]
cut.update({"A", "E"})                          # A (primary) + E are the minority
log("partition: {A, E} | {B, C, D}")
run_until(now + 25000)
p = current_primaries()
assert "A" not in p and len(p) == 1 and p[0] in "BCD"
cut.clear()
log("partition healed")
run_until(now + 8000)
assert current_primaries() == ["A"]             # caught up again, priority wins

# safety checks over the whole run
for term, who in primaries_by_term.items():
    assert len(who) == 1, (term, who)
final = M["A"].oplog
assert all(any(op == e[1] for e in final) for op in acked)      # no acked write lost
assert not set(rolled_back) & set(acked)
for m in members:
    assert m.oplog == final                                      # converged
for line in log_lines:
    print(line)
print("terms with a primary: %s" % {t: w.pop() for t, w in sorted(primaries_by_term.items())})
print("failover after the crash took %.1f s (election timeout %d ms + offset)"
      % (failover_ms / 1000, ELECTION_TIMEOUT))
print("%d majority-acknowledged writes all present; %d unacknowledged op(s) rolled back"
      % (len(acked), len(set(rolled_back))))
