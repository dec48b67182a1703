# caption: 从零实现 Redis Cluster 的 CRC16（XMODEM）与 16384 槽映射、hash tag 规则，并用规范中的测试值和标准库 crc_hqx 交叉验证
# point: redis的3种集群方式主从复制,sentinel, cluster
# timeout: 10
import binascii
import random

SLOTS = 16384


def crc16_bitwise(data):
    """CRC-16/XMODEM: poly 0x1021, init 0, no reflection, no final xor."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


TABLE = [crc16_bitwise(bytes([i])) for i in range(256)]   # table-driven, as in crc16.c


def crc16(data):
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def hash_part(key):
    """Hash tag: if the key has '{' and a later '}' with at least one byte between,
    only the bytes between the FIRST '{' and the first '}' after it are hashed."""
    s = key.find(b"{")
    if s != -1:
        e = key.find(b"}", s + 1)
        if e != -1 and e != s + 1:
            return key[s + 1:e]
    return key


def keyslot(key):
    if isinstance(key, str):
        key = key.encode()
    return crc16(hash_part(key)) & (SLOTS - 1)       # same as % 16384


# 1. the check value published in the Redis Cluster specification
assert crc16(b"123456789") == 0x31C3 == crc16_bitwise(b"123456789")
print("crc16('123456789') = 0x%04X (cluster spec says 0x31C3)" % crc16(b"123456789"))

# 2. independent implementation: CPython's binascii.crc_hqx is the same CRC-CCITT (XMODEM)
rng = random.Random(5)
for _ in range(2000):
    k = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
    assert crc16(k) == binascii.crc_hqx(k, 0)
print("2000 random keys: table CRC16 == binascii.crc_hqx")

# 3. hash tag rules (examples from the cluster spec) and slots of a few keys.
#    The expected numbers were produced by CLUSTER KEYSLOT on a cluster-enabled
#    redis-server 7.0.15; 'somekey' and 'foo{hash_tag}' also appear in the command docs.
assert hash_part(b"{user1000}.following") == b"user1000"
assert hash_part(b"foo{}{bar}") == b"foo{}{bar}"       # empty tag: hash the whole key
assert hash_part(b"foo{{bar}}zap") == b"{bar"          # first '{' ... first '}' after it
assert hash_part(b"foo{bar}{zap}") == b"bar"           # only the first tag counts
expected = {"123456789": 12739, "somekey": 11058, "foo{hash_tag}": 2515, "bar{hash_tag}": 2515,
            "user:1000": 1649, "{user1000}.following": 3443, "foo{}{bar}": 8363,
            "foo{{bar}}zap": 4015, "foo{bar}{zap}": 5061, "a": 15495, "b": 3300, "c": 7365}
for k, slot in expected.items():
    assert keyslot(k) == slot, (k, keyslot(k), slot)
    print("  %-22s -> slot %5d" % (k, slot))
assert keyslot("{user1000}.following") == keyslot("{user1000}.followers")

# 4. routing: three masters with the ranges redis-cli --cluster create assigns
ranges = [(0, 5460, "A"), (5461, 10922, "B"), (10923, 16383, "C")]


def node_for(key):
    s = keyslot(key)
    return next(n for lo, hi, n in ranges if lo <= s <= hi)


count = {"A": 0, "B": 0, "C": 0}
for i in range(30000):
    count[node_for("user:%d" % i)] += 1
print("30000 keys over 3 masters:", count)
assert all(abs(c - 10000) < 600 for c in count.values())
# multi-key commands need one slot: a hash tag keeps an order's keys together
keys = ["{order:42}:items", "{order:42}:status", "{order:42}:payer"]
assert len({keyslot(k) for k in keys}) == 1
print("hash tag {order:42}: all 3 keys in slot %d on node %s" % (keyslot(keys[0]), node_for(keys[0])))
