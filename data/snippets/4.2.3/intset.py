# caption: 仿 intset.c 的整数集合：有序紧凑数组 + 二分查找，编码按需 int16→int32→int64 升级且永不降级
# point: 整数集合实现
# timeout: 10
import random
import struct

ENC = {2: "<h", 4: "<i", 8: "<q"}            # INTSET_ENC_INT16 / INT32 / INT64, little endian


def value_encoding(v):
    if -(1 << 15) <= v < (1 << 15):
        return 2
    if -(1 << 31) <= v < (1 << 31):
        return 4
    return 8


class IntSet:
    def __init__(self):
        self.encoding = 2
        self.length = 0
        self.contents = bytearray()           # header is encoding + length (4 + 4 bytes)

    def _get(self, pos):
        return struct.unpack_from(ENC[self.encoding], self.contents, pos * self.encoding)[0]

    def _set(self, pos, v):
        struct.pack_into(ENC[self.encoding], self.contents, pos * self.encoding, v)

    def _search(self, v):
        """Binary search; returns (found, position where v is or should go)."""
        lo, hi = 0, self.length - 1
        if self.length == 0:
            return False, 0
        if v > self._get(hi):                 # fast paths used by intset.c
            return False, self.length
        if v < self._get(0):
            return False, 0
        while lo <= hi:
            mid = (lo + hi) // 2
            cur = self._get(mid)
            if cur == v:
                return True, mid
            if cur < v:
                lo = mid + 1
            else:
                hi = mid - 1
        return False, lo

    def _upgrade_and_add(self, v):
        """v does not fit: widen every element, back to front, then put v at an end."""
        old_enc, old = self.encoding, [self._get(i) for i in range(self.length)]
        self.encoding = value_encoding(v)
        prepend = 1 if v < 0 else 0           # out of range means smaller than all or larger than all
        self.contents = bytearray((self.length + 1) * self.encoding)
        for i in range(self.length - 1, -1, -1):
            self._set(i + prepend, old[i])
        self._set(0 if prepend else self.length, v)
        self.length += 1
        return old_enc

    def add(self, v):
        if value_encoding(v) > self.encoding:
            self._upgrade_and_add(v)
            return True
        found, pos = self._search(v)
        if found:
            return False
        self.contents[pos * self.encoding:pos * self.encoding] = bytes(self.encoding)  # memmove
        self._set(pos, v)
        self.length += 1
        return True

    def remove(self, v):
        if value_encoding(v) > self.encoding:
            return False
        found, pos = self._search(v)
        if not found:
            return False
        del self.contents[pos * self.encoding:(pos + 1) * self.encoding]
        self.length -= 1
        return True                           # note: never downgrades

    def find(self, v):
        return value_encoding(v) <= self.encoding and self._search(v)[0]

    def to_list(self):
        return [self._get(i) for i in range(self.length)]

    def blob_size(self):
        return 8 + len(self.contents)


s, ref = IntSet(), set()
for v in (5, -3, 100, 7, 5):
    s.add(v)
    ref.add(v)
assert s.to_list() == sorted(ref) and s.encoding == 2
print("int16: %s  encoding=%d bytes  blob=%d bytes" % (s.to_list(), s.encoding, s.blob_size()))

s.add(70000)                                  # needs 32 bits
ref.add(70000)
assert s.encoding == 4 and s.to_list() == sorted(ref)
print("add 70000      -> upgrade to int32, blob=%d bytes: %s" % (s.blob_size(), s.to_list()))
s.add(-(1 << 40))                             # needs 64 bits, goes to the front
ref.add(-(1 << 40))
assert s.encoding == 8 and s.to_list() == sorted(ref) and s.to_list()[0] == -(1 << 40)
print("add -2^40      -> upgrade to int64, blob=%d bytes" % s.blob_size())
assert s.remove(-(1 << 40)) and s.remove(70000)
ref -= {-(1 << 40), 70000}
assert s.encoding == 8 and s.to_list() == sorted(ref)
print("remove both    -> still int64 (no downgrade), blob=%d bytes for %d ints" % (s.blob_size(), s.length))

rng = random.Random(3)
t, ref = IntSet(), set()
for _ in range(4000):
    v = rng.choice([rng.randint(-300, 300), rng.randint(-(1 << 20), 1 << 20), rng.randint(-(1 << 50), 1 << 50)])
    if rng.random() < 0.7:
        assert t.add(v) == (v not in ref)
        ref.add(v)
    else:
        assert t.remove(v) == (v in ref)
        ref.discard(v)
    q = rng.randint(-300, 300)
    assert t.find(q) == (q in ref)
assert t.to_list() == sorted(ref) and t.length == len(ref)
print("4000 random add/remove/find: matches Python set (%d ints, encoding %d)" % (t.length, t.encoding))
