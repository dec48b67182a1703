# caption: 布隆过滤器实测误判率与公式 (1-e^{-kn/m})^k 对比，验证最优 k=(m/n)ln2 与每元素位数的关系
# point: 布隆过滤的数学推导与证明
# timeout: 20
import hashlib
import math
import random


class BloomFilter:
    def __init__(self, m, k):
        self.m, self.k = m, k
        self.bits = bytearray((m + 7) // 8)

    @staticmethod
    def hashes(item: bytes):
        """Two independent 64-bit hashes of the item (computed once, reused for all k)."""
        d = hashlib.blake2b(item, digest_size=16).digest()
        return int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little") | 1

    def _positions(self, h):
        # Kirsch-Mitzenmacher: k indexes from two hashes, g_i = h1 + i*h2 (mod m)
        h1, h2 = h
        return [(h1 + i * h2) % self.m for i in range(self.k)]

    def add(self, h):
        for p in self._positions(h):
            self.bits[p >> 3] |= 1 << (p & 7)

    def __contains__(self, h):
        return all(self.bits[p >> 3] >> (p & 7) & 1 for p in self._positions(h))

    def fill_ratio(self):
        return sum(bin(b).count("1") for b in self.bits) / self.m


def formula(m, n, k):
    return (1 - math.exp(-k * n / m)) ** k


def main():
    rng = random.Random(1970)
    n, trials = 4000, 20000
    members = [BloomFilter.hashes(f"member-{rng.getrandbits(64):x}".encode()) for _ in range(n)]
    probes = [BloomFilter.hashes(f"probe-{rng.getrandbits(64):x}".encode()) for _ in range(trials)]

    print(f"n={n} inserted, {trials} non-member probes")
    print(" m/n   k   measured  formula   bits set  (optimal k = (m/n) ln 2)")
    best = {}
    for bits_per_item in (4, 8, 12):
        m = bits_per_item * n
        k_opt = bits_per_item * math.log(2)
        for k in sorted({1, 2, 3, round(k_opt), 8}):
            bf = BloomFilter(m, k)
            for x in members:
                bf.add(x)
            assert all(x in bf for x in members), "no false negatives, ever"
            fp = sum(p in bf for p in probes) / trials
            p = formula(m, n, k)
            mark = " <- k_opt" if k == round(k_opt) else ""
            print(f"{bits_per_item:4d} {k:3d}   {fp:8.4f}  {p:8.4f}   {bf.fill_ratio():6.2f}{mark}")
            sigma = math.sqrt(p * (1 - p) / trials)
            assert abs(fp - p) <= 5 * sigma + 0.05 * p, "measurement agrees with the formula"
            best.setdefault(bits_per_item, []).append((fp, k))
        k_best = min(best[bits_per_item])[1]
        assert abs(k_best - k_opt) <= 1.5, "the best measured k sits next to (m/n) ln 2"

    # sizing for a target error rate: m/n = -ln(eps) / (ln 2)^2, k = log2(1/eps)
    print("target eps -> bits per item, k")
    for eps in (0.1, 0.01, 0.001):
        bpi = -math.log(eps) / math.log(2) ** 2
        print(f"  {eps:<6} -> {bpi:5.2f} bits, k = {math.log2(1 / eps):.2f}")
    assert abs(-math.log(0.01) / math.log(2) ** 2 - 9.585) < 0.01


if __name__ == "__main__":
    main()
