# caption: nginx 平滑加权轮询（smooth weighted round-robin）：权重 5,1,1 得到 a a b a c a a；失败时降低 effective_weight 再逐步恢复
# point: Nginx Upstream机制的设计与实现
# timeout: 10
from collections import Counter


class Peer:
    def __init__(self, name, weight, max_fails=1, fail_timeout=10):
        self.name, self.weight = name, weight
        self.effective_weight = weight
        self.current_weight = 0
        self.max_fails, self.fail_timeout = max_fails, fail_timeout
        self.fails, self.checked = 0, 0


def get_peer(peers, now=0):
    """ngx_http_upstream_get_peer(): add, pick the max, subtract the total."""
    best, total = None, 0
    for p in peers:
        if p.max_fails and p.fails >= p.max_fails and now - p.checked <= p.fail_timeout:
            continue                               # temporarily out of rotation
        p.current_weight += p.effective_weight
        total += p.effective_weight
        if p.effective_weight < p.weight:          # recover slowly after failures
            p.effective_weight += 1
        if best is None or p.current_weight > best.current_weight:   # ties: first wins
            best = p
    best.current_weight -= total
    if now - best.checked > best.fail_timeout:
        best.checked = now
    return best


def free_peer_failed(p, now=0):
    """ngx_http_upstream_free_round_robin_peer() with NGX_PEER_FAILED."""
    p.fails += 1
    p.checked = now
    p.effective_weight -= p.weight // p.max_fails
    if p.effective_weight < 0:
        p.effective_weight = 0


peers = [Peer("a", 5), Peer("b", 1), Peer("c", 1)]
seq, states = [], []
for _ in range(7):
    states.append(tuple(p.current_weight for p in peers))
    seq.append(get_peer(peers).name)
print("weights 5,1,1 ->", " ".join(seq))
for i, (st, pick) in enumerate(zip(states, seq)):
    added = tuple(c + p.weight for c, p in zip(st, peers))
    print("  step %d: current %-12s + weights = %-12s pick %s" % (i + 1, st, added, pick))
assert seq == list("aabacaa")
assert all(p.current_weight == 0 for p in peers)   # back to the start after sum(weights) picks

# naive WRR would send five requests in a row to a; smooth WRR never exceeds 2 here
naive = ["a"] * 5 + ["b", "c"]
run = longest = 1
for x, y in zip(seq, seq[1:]):
    run = run + 1 if x == y else 1
    longest = max(longest, run)
print("longest run of the same server: smooth %d vs naive %d" % (longest, 5))
assert longest == 2

# proportions hold over any number of full cycles
peers = [Peer("x", 3), Peer("y", 2), Peer("z", 1)]
cnt = Counter(get_peer(peers).name for _ in range(600))
assert cnt == Counter({"x": 300, "y": 200, "z": 100})
print("weights 3,2,1 over 600 requests:", dict(cnt))

# a failure (max_fails=1, fail_timeout=10s): a leaves the rotation for 10 s,
# then returns with effective_weight 0 and climbs back by 1 per selection round
peers = [Peer("a", 5), Peer("b", 1), Peer("c", 1)]
free_peer_failed(peers[0], now=0)
during = [get_peer(peers, now=t).name for t in range(1, 10)]
assert "a" not in during
peers[0].fails = 0                                 # the probe after fail_timeout succeeded: reset
after = [get_peer(peers, now=11 + i).name for i in range(14)]
print("t=1..9  (a failed at t=0):", " ".join(during))
print("t=11.. (a back, weight ramps up):", " ".join(after))
assert after[:7].count("a") < 5 and after[7:].count("a") == 5 and peers[0].effective_weight == 5
