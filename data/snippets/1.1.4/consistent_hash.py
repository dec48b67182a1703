# caption: 一致性哈希环：1/10/100 个虚拟节点时的键分布（标准差、极差），加节点时迁移的键数对比取模哈希
# point: 分布式hash的实现原理
# timeout: 20
import hashlib
import statistics
from bisect import bisect_right


def h32(s: str) -> int:
    return int.from_bytes(hashlib.md5(s.encode()).digest()[:4], "big")


class HashRing:
    def __init__(self, nodes, vnodes):
        self.vnodes = vnodes
        self.points = []                         # sorted (hash, node) pairs on the ring
        for n in nodes:
            self.add(n)

    def add(self, node):
        for i in range(self.vnodes):
            self.points.append((h32(f"{node}#{i}"), node))
        self.points.sort()
        self.hashes = [p for p, _ in self.points]

    def remove(self, node):
        self.points = [(p, n) for p, n in self.points if n != node]
        self.hashes = [p for p, _ in self.points]

    def lookup(self, key):
        # first ring point clockwise from the key's hash (wrap around at the end)
        i = bisect_right(self.hashes, h32(key)) % len(self.points)
        return self.points[i][1]


def spread(assign, nodes):
    counts = [0] * len(nodes)
    idx = {n: i for i, n in enumerate(nodes)}
    for n in assign.values():
        counts[idx[n]] += 1
    return counts


def main():
    nodes = [f"cache-{i:02d}" for i in range(10)]
    keys = [f"user:{i}" for i in range(50000)]
    mean = len(keys) / len(nodes)
    print(f"{len(keys)} keys on {len(nodes)} nodes (ideal {mean:.0f} each)")
    print("vnodes/node   std dev   std/mean   min     max    max-min  moved when an 11th node joins")
    results = {}
    for v in (1, 10, 100):
        ring = HashRing(nodes, v)
        before = {k: ring.lookup(k) for k in keys}
        c = spread(before, nodes)
        sd = statistics.pstdev(c)
        ring.add("cache-10")
        after = {k: ring.lookup(k) for k in keys}
        moved = [k for k in keys if before[k] != after[k]]
        assert all(after[k] == "cache-10" for k in moved), "keys only move TO the new node"
        results[v] = (sd, len(moved))
        print(f"{v:11d}  {sd:8.0f}   {sd / mean:7.1%}  {min(c):5d}  {max(c):6d}  {max(c) - min(c):7d}"
              f"   {len(moved):6d} ({len(moved) / len(keys):.1%})")
        ring.remove("cache-10")
        assert {k: ring.lookup(k) for k in keys} == before, "removing it restores the old mapping"
    assert results[100][0] < results[10][0] < results[1][0], "more vnodes, smoother spread"
    assert abs(results[100][1] / len(keys) - 1 / 11) < 0.03, "about 1/(N+1) of keys move"

    # naive modulo hashing for comparison: hash(key) % N
    before = {k: h32(k) % 10 for k in keys}
    moved = sum(1 for k in keys if h32(k) % 11 != before[k])
    print(f"modulo hashing (hash % N, N 10 -> 11): {moved} keys moved ({moved / len(keys):.1%});"
          f" theory N/(N+1) = {10 / 11:.1%}")
    assert moved / len(keys) > 0.85


if __name__ == "__main__":
    main()
