# caption: 海量去重：整数 ID 用 bitmap 精确去重，字符串流用布隆过滤器近似去重，对比内存与误删条数
# point: 海量数据去重布隆过滤器
# timeout: 20
import hashlib
import math
import random
import sys


class Bitmap:
    """One bit per possible ID: exact, memory = range / 8 bytes regardless of n."""

    def __init__(self, universe):
        self.bits = bytearray((universe + 7) // 8)

    def test_and_set(self, x):
        byte, mask = x >> 3, 1 << (x & 7)
        seen = self.bits[byte] & mask
        self.bits[byte] |= mask
        return bool(seen)


class Bloom:
    def __init__(self, n_expected, eps):
        self.m = math.ceil(-n_expected * math.log(eps) / math.log(2) ** 2)
        self.k = max(1, round(self.m / n_expected * math.log(2)))
        self.bits = bytearray((self.m + 7) // 8)

    def test_and_set(self, item: bytes):
        d = hashlib.blake2b(item, digest_size=16).digest()
        h1, h2 = int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little") | 1
        seen = True
        for i in range(self.k):
            p = (h1 + i * h2) % self.m
            byte, mask = p >> 3, 1 << (p & 7)
            if not self.bits[byte] & mask:
                seen = False
                self.bits[byte] |= mask
        return seen


def set_bytes(s):
    """Rough memory of a Python set of bytes objects: table + the objects themselves."""
    return sys.getsizeof(s) + sum(sys.getsizeof(x) for x in s)


def main():
    rng = random.Random(7)

    # 1) integer IDs below 2^24 (think: user ids), 200k events with repeats
    universe = 1 << 24
    ids = [rng.randrange(universe) for _ in range(150000)]
    ids += rng.sample(ids, 50000)                 # inject duplicates
    rng.shuffle(ids)
    bm, exact, unique = Bitmap(universe), set(), 0
    for x in ids:
        if not bm.test_and_set(x):
            unique += 1
        exact.add(x)
    assert unique == len(exact), "bitmap dedup is exact"
    print(f"bitmap: {len(ids)} ids -> {unique} unique, memory {len(bm.bits) / 2**20:.1f} MiB"
          f" for a 2^24 id space (Redis SETBIT allows offsets up to 2^32-1: 512 MiB)")

    # 2) URL stream: 60k distinct URLs, each seen 1-3 times, Bloom filter at 1% target
    urls = [f"https://example.com/item/{rng.getrandbits(48):x}".encode() for _ in range(60000)]
    stream = [u for u in urls for _ in range(rng.randint(1, 3))]
    rng.shuffle(stream)
    bf, seen_exact = Bloom(len(urls), 0.01), set()
    kept = wrongly_dropped = 0
    for u in stream:
        dup_bloom = bf.test_and_set(u)
        dup_exact = u in seen_exact
        seen_exact.add(u)
        assert not (dup_exact and not dup_bloom), "a real duplicate is never let through"
        if not dup_bloom:
            kept += 1
        elif not dup_exact:
            wrongly_dropped += 1                   # false positive: a new URL looked "seen"
    rate = wrongly_dropped / len(urls)
    print(f"bloom : {len(stream)} events, {len(urls)} distinct; kept {kept}, "
          f"wrongly dropped {wrongly_dropped} new urls ({rate:.2%}, target 1%)")
    print(f"        m={bf.m} bits ({bf.m / len(urls):.2f} bits/url), k={bf.k}, "
          f"{len(bf.bits) / 2**10:.0f} KiB vs exact set ~{set_bytes(seen_exact) / 2**20:.1f} MiB")
    assert kept + wrongly_dropped == len(urls)
    assert rate < 0.01                              # fewer than target: the filter fills up gradually


if __name__ == "__main__":
    main()
