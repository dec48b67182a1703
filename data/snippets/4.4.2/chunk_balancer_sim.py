# caption: 分片集合的范围分片模拟：chunk 超过阈值按中位数拆分、balancer 按迁移阈值搬迁 chunk、mongos 按路由表定位；对比单调递增键与哈希键
# point: Sharding的实现与原理
import bisect
import hashlib
import random

rng = random.Random(6)
MAX_DOCS = 200                       # split threshold (stands in for the chunk size)


def migration_threshold(n_chunks):   # classic (pre-6.0.3) chunk-count thresholds
    return 2 if n_chunks < 20 else 4 if n_chunks < 80 else 8


class Cluster:
    def __init__(self, shards):
        self.shards = shards
        # config server: sorted chunk lower bounds, chunk -> shard, keys per chunk
        self.lows = [float("-inf")]
        self.owner = {float("-inf"): shards[0]}
        self.keys = {float("-inf"): []}
        self.version = 1
        self.splits = self.moves = 0

    def route(self, key):            # what mongos does with its cached routing table
        return self.lows[bisect.bisect_right(self.lows, key) - 1]

    def insert(self, key):
        low = self.route(key)
        bisect.insort(self.keys[low], key)
        if len(self.keys[low]) > MAX_DOCS:
            self.split(low)
        return self.owner[low]

    def split(self, low):
        ks = self.keys[low]
        mid = ks[len(ks) // 2]
        if mid == ks[0]:
            return                   # jumbo: every key identical, cannot split
        i = bisect.bisect_left(ks, mid)
        self.keys[low], self.keys[mid] = ks[:i], ks[i:]
        bisect.insort(self.lows, mid)
        self.owner[mid] = self.owner[low]   # a split is metadata only: no data moves
        self.version += 1
        self.splits += 1

    def counts(self):
        c = {s: 0 for s in self.shards}
        for low in self.lows:
            c[self.owner[low]] += 1
        return c

    def balance_round(self):
        c = self.counts()
        donor = max(c, key=c.get)
        recipient = min(c, key=c.get)
        if c[donor] - c[recipient] < migration_threshold(len(self.lows)):
            return False
        low = next(l for l in self.lows if self.owner[l] == donor)
        self.owner[low] = recipient  # migrate: copy docs, catch up, commit metadata
        self.version += 1
        self.moves += 1
        return True

    def check(self):
        assert self.lows == sorted(self.lows) and self.lows[0] == float("-inf")
        for i, low in enumerate(self.lows):        # every key lies in its chunk
            high = self.lows[i + 1] if i + 1 < len(self.lows) else float("inf")
            assert all(low <= k < high for k in self.keys[low])


def run(name, keyfn, n=6000):
    cl = Cluster(["shard0", "shard1", "shard2"])
    last_inserts = {s: 0 for s in cl.shards}
    for i in range(n):
        shard = cl.insert(keyfn(i))
        if i >= n - 1000:
            last_inserts[shard] += 1   # where do NEW writes land?
        if i % 200 == 0:
            while cl.balance_round():
                pass
    while cl.balance_round():
        pass
    cl.check()
    c = cl.counts()
    docs = {s: sum(len(cl.keys[l]) for l in cl.lows if cl.owner[l] == s) for s in cl.shards}
    assert sum(docs.values()) == n
    assert max(c.values()) - min(c.values()) < migration_threshold(len(cl.lows))
    print("%-18s chunks=%3d splits=%3d migrations=%2d version=%3d" %
          (name, len(cl.lows), cl.splits, cl.moves, cl.version))
    print("  chunks per shard %s  docs per shard %s" % (c, docs))
    print("  last 1000 inserts went to %s" % last_inserts)
    return cl, last_inserts


mono, hot = run("monotonic key", lambda i: i)                  # e.g. ObjectId, time
hashed, spread = run("hashed key", lambda i: int.from_bytes(
    hashlib.md5(str(i).encode()).digest()[:8], "big"))
assert max(hot.values()) == 1000           # every new write hits the last chunk
assert max(spread.values()) < 500          # hashed: writes spread across shards
k = rng.randrange(6000)
low = mono.route(k)
assert k in mono.keys[low]
print("mongos routes key %d to chunk [%s, ...) on %s" % (k, low, mono.owner[low]))
