# caption: FNV-1a 哈希（对照官方测试向量）与雪崩测试；链地址法哈希表按负载因子 0.75 翻倍扩容，与 dict 随机对拍
# point: hash的原理与hash函数的实现
import random

FNV32_OFFSET, FNV32_PRIME = 0x811C9DC5, 0x01000193
FNV64_OFFSET, FNV64_PRIME = 0xCBF29CE484222325, 0x100000001B3


def fnv1a_32(data: bytes) -> int:
    h = FNV32_OFFSET
    for b in data:
        h ^= b                               # xor the byte in first ("1a" order) ...
        h = (h * FNV32_PRIME) & 0xFFFFFFFF   # ... then multiply, mod 2^32
    return h


def fnv1a_64(data: bytes) -> int:
    h = FNV64_OFFSET
    for b in data:
        h ^= b
        h = (h * FNV64_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


class ChainedHashMap:
    """Separate chaining; the table size is a power of two and doubles at load 0.75."""

    def __init__(self, capacity=8, max_load=0.75):
        self.buckets = [[] for _ in range(capacity)]
        self.size = 0
        self.max_load = max_load
        self.resizes = 0

    @staticmethod
    def _hash(key):
        return fnv1a_64(str(key).encode())

    def _bucket(self, key):
        # power-of-two size: index = hash & (size - 1); fold the high bits in first
        h = self._hash(key)
        return self.buckets[(h ^ (h >> 32)) & (len(self.buckets) - 1)]

    def put(self, key, value):
        b = self._bucket(key)
        for i, (k, _) in enumerate(b):
            if k == key:
                b[i] = (key, value)
                return
        b.append((key, value))
        self.size += 1
        if self.size > self.max_load * len(self.buckets):
            self._resize(2 * len(self.buckets))

    def get(self, key, default=None):
        for k, v in self._bucket(key):
            if k == key:
                return v
        return default

    def remove(self, key):
        b = self._bucket(key)
        for i, (k, _) in enumerate(b):
            if k == key:
                b.pop(i)
                self.size -= 1
                return True
        return False

    def _resize(self, capacity):
        old = self.buckets
        self.buckets = [[] for _ in range(capacity)]
        for b in old:                        # every entry is rehashed: O(n) once per doubling
            for k, v in b:
                self._bucket(k).append((k, v))
        self.resizes += 1


def main():
    # official FNV test vectors
    vectors = {b"": (0x811C9DC5, 0xCBF29CE484222325),
               b"a": (0xE40C292C, 0xAF63DC4C8601EC8C),
               b"foobar": (0xBF9CF968, 0x85944171F73967E8)}
    for data, (h32, h64) in vectors.items():
        assert fnv1a_32(data) == h32 and fnv1a_64(data) == h64
        print(f"fnv1a({data!r:9}) 32-bit={fnv1a_32(data):08x}  64-bit={fnv1a_64(data):016x}")

    # avalanche: flipping one input bit should flip about half of the output bits
    rng = random.Random(42)
    flips = []
    for _ in range(2000):
        data = bytearray(rng.randbytes(8))
        before = fnv1a_64(bytes(data))
        data[rng.randrange(8)] ^= 1 << rng.randrange(8)
        flips.append(bin(before ^ fnv1a_64(bytes(data))).count("1"))
    avg = sum(flips) / len(flips)
    print(f"avalanche: one flipped input bit changes {avg:.1f} of 64 output bits on average"
          f" (ideal 32), min {min(flips)}")
    assert 20 < avg < 40

    # low bits of similar keys: what a power-of-two table actually uses
    keys = [f"user:{i}" for i in range(4096)]
    used = len({fnv1a_64(k.encode()) & 1023 for k in keys})
    print(f"4096 keys 'user:0..4095' into 1024 buckets by low 10 bits: {used} buckets used"
          f" (random expectation ~{1024 * (1 - (1 - 1 / 1024) ** 4096):.0f})")
    assert used > 950

    m, model = ChainedHashMap(), {}
    for step in range(30000):
        k = rng.randrange(5000)
        op = rng.random()
        if op < 0.6:
            m.put(k, step)
            model[k] = step
        elif op < 0.8:
            assert m.remove(k) == (k in model)
            model.pop(k, None)
        else:
            assert m.get(k) == model.get(k)
        assert m.size == len(model)
        assert m.size <= m.max_load * len(m.buckets)
    lengths = [len(b) for b in m.buckets]
    load = m.size / len(m.buckets)
    print(f"30000 random ops match dict: n={m.size}, buckets={len(m.buckets)}, load={load:.2f},"
          f" resizes={m.resizes}, longest chain={max(lengths)}")
    hist = {c: lengths.count(c) for c in range(max(lengths) + 1)}
    print("chain length histogram {length: buckets}:", hist)
    assert max(lengths) <= 10


if __name__ == "__main__":
    main()
