# caption: 仿 Redis dict.c：SipHash 散列、链地址法、两张表渐进式 rehash（每次操作迁移一个桶，查找同时查两张表）
# point: 解决键冲突与rehash
# timeout: 20
import random
import struct

MASK64 = (1 << 64) - 1


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK64


def siphash(key16, data, c_rounds, d_rounds):
    """SipHash-c-d. Redis uses SipHash-1-2 (src/siphash.c) for its dict keys."""
    k0, k1 = struct.unpack("<QQ", key16)
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & MASK64; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32)
            v2 = (v2 + v3) & MASK64; v3 = rotl(v3, 16); v3 ^= v2
            v0 = (v0 + v3) & MASK64; v3 = rotl(v3, 21); v3 ^= v0
            v2 = (v2 + v1) & MASK64; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32)

    tail = len(data) % 8
    for off in range(0, len(data) - tail, 8):
        m = struct.unpack_from("<Q", data, off)[0]
        v3 ^= m
        rounds(c_rounds)
        v0 ^= m
    last = (len(data) & 0xFF) << 56
    for i in range(tail):
        last |= data[len(data) - tail + i] << (8 * i)
    v3 ^= last
    rounds(c_rounds)
    v0 ^= last
    v2 ^= 0xFF
    rounds(d_rounds)
    return v0 ^ v1 ^ v2 ^ v3


# reference vector of the SipHash paper (SipHash-2-4, key 00..0f, empty message)
assert siphash(bytes(range(16)), b"", 2, 4) == 0x726FDB47DD0E0E31
assert siphash(bytes(range(16)), bytes(range(1)), 2, 4) == 0x74F839C593DC67FD
assert siphash(bytes(range(16)), bytes(range(8)), 2, 4) == 0x93F5F5799A932462
SEED = bytes(range(16))                       # Redis picks a random seed at startup


def h(key):
    return siphash(SEED, key.encode(), 1, 2)


class Entry:
    __slots__ = ("key", "val", "next")

    def __init__(self, key, val, nxt):
        self.key, self.val, self.next = key, val, nxt


class Table:
    def __init__(self, size):
        self.size, self.mask, self.used = size, size - 1, 0
        self.buckets = [None] * size


class Dict:
    INITIAL = 4                               # DICT_HT_INITIAL_SIZE
    MIN_FILL = 10                             # HASHTABLE_MIN_FILL: shrink below 10 %

    def __init__(self):
        self.ht = [Table(0), None]
        self.rehashidx = -1                   # -1: not rehashing
        self.moved_buckets = 0

    def rehashing(self):
        return self.rehashidx != -1

    def rehash(self, n):
        """Move up to n buckets; visit at most n*10 empty buckets (dictRehash)."""
        empty_visits = n * 10
        old, new = self.ht
        while n and old.used:
            n -= 1
            while old.buckets[self.rehashidx] is None:
                self.rehashidx += 1
                empty_visits -= 1
                if empty_visits == 0:
                    return
            e = old.buckets[self.rehashidx]
            while e:                          # move the whole chain
                nxt = e.next
                idx = h(e.key) & new.mask
                e.next = new.buckets[idx]
                new.buckets[idx] = e
                old.used -= 1
                new.used += 1
                e = nxt
            old.buckets[self.rehashidx] = None
            self.rehashidx += 1
            self.moved_buckets += 1
        if old.used == 0:                     # done: table 1 becomes table 0
            self.ht = [new, None]
            self.rehashidx = -1

    def _step(self):
        if self.rehashing():
            self.rehash(1)                    # _dictRehashStep: one bucket per operation

    def _resize(self, want):
        size = self.INITIAL
        while size < want:
            size *= 2
        if self.ht[0].size == 0:
            self.ht[0] = Table(size)
        elif size != self.ht[0].size:
            self.ht[1] = Table(size)
            self.rehashidx = 0

    def _expand_if_needed(self):
        if self.rehashing():
            return
        t = self.ht[0]
        if t.size == 0:
            self._resize(self.INITIAL)
        elif t.used >= t.size:                # load factor 1 (forced at 5 while forking)
            self._resize(t.used + 1)          # next power of two >= used+1 (Redis 7.0)

    def find(self, key, step=True):
        if step:
            self._step()
        hv = h(key)
        for t in self.ht:                     # during rehash a key may be in either table
            if t is None or t.size == 0:
                continue
            e = t.buckets[hv & t.mask]
            while e:
                if e.key == key:
                    return e
                e = e.next
        return None

    def set(self, key, val):
        e = self.find(key)
        if e:
            e.val = val
            return
        self._expand_if_needed()
        t = self.ht[1] if self.rehashing() else self.ht[0]   # new keys go to the new table
        idx = h(key) & t.mask
        t.buckets[idx] = Entry(key, val, t.buckets[idx])    # head insertion: O(1)
        t.used += 1

    def get(self, key):
        e = self.find(key)
        return e.val if e else None

    def delete(self, key):
        self._step()
        hv = h(key)
        for t in self.ht:
            if t is None or t.size == 0:
                continue
            prev, e = None, t.buckets[hv & t.mask]
            while e:
                if e.key == key:
                    if prev:
                        prev.next = e.next
                    else:
                        t.buckets[hv & t.mask] = e.next
                    t.used -= 1
                    self._shrink_if_needed()
                    return True
                prev, e = e, e.next
        return False

    def _shrink_if_needed(self):
        t = self.ht[0]
        if (not self.rehashing() and t.size > self.INITIAL
                and t.used * 100 // t.size < self.MIN_FILL):
            self._resize(max(t.used, self.INITIAL))

    def __len__(self):
        return self.ht[0].used + (self.ht[1].used if self.ht[1] else 0)


d, ref = Dict(), {}
rng = random.Random(1)
events = []
for i in range(3000):
    k = "key:%d" % rng.randrange(2000)
    if rng.random() < 0.7:
        d.set(k, i)
        ref[k] = i
    else:
        assert d.delete(k) == (k in ref)
        ref.pop(k, None)
    if d.rehashing():
        events.append((i, d.ht[0].size, d.ht[1].size))
    assert len(d) == len(ref)
    probe = "key:%d" % rng.randrange(2000)
    assert d.get(probe) == ref.get(probe)      # lookups are right mid-rehash too
for k, v in ref.items():
    assert d.get(k) == v
print("3000 random set/delete ops: contents match dict(), %d keys" % len(ref))

starts = [e for j, e in enumerate(events) if j == 0 or events[j - 1][0] != e[0] - 1]
print("rehash episodes (op#, old size -> new size):", [(i, a, b) for i, a, b in starts[:8]])
assert any(b > a for _, a, b in starts) and d.moved_buckets > 0

# watch one expansion happen step by step
d2 = Dict()
for i in range(8):
    d2.set("k%d" % i, i)
assert d2.ht[0].size == 8 and not d2.rehashing()
d2.set("k8", 8)                               # used 8 >= size 8 -> table 1 of size 16
assert d2.rehashing() and d2.ht[1].size == 16
ops = 0
while d2.rehashing():
    assert d2.ht[0].used + d2.ht[1].used == 9
    print("  op %d: old table %d keys, new table %d keys, rehashidx %d"
          % (ops, d2.ht[0].used, d2.ht[1].used, d2.rehashidx))
    assert d2.get("k%d" % (ops % 9)) == ops % 9            # each lookup moves one bucket
    assert all(d2.find("k%d" % i, step=False).val == i for i in range(9))
    ops += 1
assert d2.ht[0].size == 16 and d2.ht[1] is None and ops <= 8
print("size 8 -> 16 finished after %d lookups; all keys readable at every step" % ops)

# collisions: keys sharing a bucket are chained
t = d.ht[0]
chains = [0] * t.size
for b in range(t.size):
    e = t.buckets[b]
    while e:
        chains[b] += 1
        e = e.next
print("final table: size %d, used %d, load %.2f, longest chain %d, empty buckets %d"
      % (t.size, t.used, t.used / t.size, max(chains), chains.count(0)))

# shrinking: when fill drops under 10 % the table is resized down, again incrementally
before = d.ht[0].size
for k in sorted(ref)[:-20]:
    d.delete(k)
    del ref[k]
for _ in range(200):                          # a few more operations finish the rehash
    d.get("key:0")
assert not d.rehashing() and d.ht[0].size < before and len(d) == 20
assert all(d.get(k) == v for k, v in ref.items())
print("after deleting down to 20 keys: table size %d -> %d" % (before, d.ht[0].size))
