# caption: 按字节构造 ziplist 并用 prevlen 从尾向头遍历；数出头部插入触发的“连锁更新”次数，对比 listpack 的 0 次
# point: 压缩列表原理证明
# timeout: 10
import struct

ZIP_BIG_PREVLEN = 254


def prevlen_bytes(prev_len):
    """1 byte if the previous entry is < 254 bytes, else 0xFE + 4-byte length."""
    if prev_len < ZIP_BIG_PREVLEN:
        return bytes([prev_len])
    return b"\xfe" + struct.pack("<I", prev_len)


def str_header(n):
    """String encoding header: 00pppppp / 01pppppp qqqqqqqq / 10000000 + 4 bytes."""
    if n <= 0x3F:
        return bytes([n])
    if n <= 0x3FFF:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def build_ziplist(values):
    """zlbytes(4) zltail(4) zllen(2) entries... zlend(0xFF); returns bytes and entry sizes."""
    body, sizes, prev, tail_off = bytearray(), [], 0, 10
    for v in values:
        e = prevlen_bytes(prev) + str_header(len(v)) + v
        tail_off = 10 + len(body)
        body += e
        sizes.append(len(e))
        prev = len(e)
    zl = struct.pack("<IIH", 10 + len(body) + 1, tail_off, len(values)) + body + b"\xff"
    return zl, sizes


def walk_backward(zl):
    """Start at zltail and hop back using each entry's prevlen: how LRANGE -1 .. 0 works."""
    zlbytes, off, n = struct.unpack_from("<IIH", zl, 0)
    assert zlbytes == len(zl) and zl[-1] == 0xFF
    out = []
    while True:
        if zl[off] < ZIP_BIG_PREVLEN:
            prev, p = zl[off], off + 1
        else:
            prev, p = struct.unpack_from("<I", zl, off + 1)[0], off + 5
        h = zl[p]
        if h >> 6 == 0:
            ln, p = h & 0x3F, p + 1
        elif h >> 6 == 1:
            ln, p = ((h & 0x3F) << 8) | zl[p + 1], p + 2
        else:
            ln, p = struct.unpack_from(">I", zl, p + 1)[0], p + 5
        out.append(bytes(zl[p:p + ln]))
        if prev == 0:
            break
        off -= prev
    assert len(out) == n
    return out[::-1]


vals = [b"a", b"hello", b"x" * 100, b"y" * 300]
zl, sizes = build_ziplist(vals)
assert walk_backward(zl) == vals
print("ziplist of %d entries = %d bytes, entry sizes %s; backward walk OK" % (len(vals), len(zl), sizes))


def prevlen_widths(values):
    _, sizes = build_ziplist(values)
    return [1] + [1 if s < ZIP_BIG_PREVLEN else 5 for s in sizes[:-1]]


# worst case: N entries of 250..253 bytes, each with a 1-byte prevlen
N = 50
chain = [b"v" * 248] * N                      # 1 (prevlen) + 2 (header) + 248 = 251 bytes
_, sizes = build_ziplist(chain)
assert all(250 <= s <= 253 for s in sizes)
before = prevlen_widths(chain)
after = prevlen_widths([b"B" * 300] + chain)[1:]     # insert one >= 254-byte entry at the head
grown = sum(1 for a, b in zip(before, after) if a != b)
zl2, sizes2 = build_ziplist([b"B" * 300] + chain)
assert walk_backward(zl2)[1:] == chain
assert grown == N and all(s >= ZIP_BIG_PREVLEN for s in sizes2)
print("insert a 300-byte entry before %d entries of 251 bytes: %d prevlen fields grow 1->5 bytes"
      % (N, grown))
print("  each growth pushes the next entry over 253 bytes -> cascade through all N entries")
print("  (one realloc+memmove per entry: O(N^2) worst; Redis PR #6886: one realloc, still N rewrites)")

# normal case: entries far from the 254 boundary -> at most one neighbour changes
normal = [b"n" * 20] * N
b2, a2 = prevlen_widths(normal), prevlen_widths([b"B" * 300] + normal)[1:]
assert sum(1 for a, b in zip(b2, a2) if a != b) == 1
print("same insert before %d small entries: only 1 prevlen field changes" % N)


# listpack (Redis 7.0 default): an entry stores its OWN length at its end (backlen)
def listpack_entry(v):
    enc = (bytes([0x80 | len(v)]) if len(v) < 64 else
           bytes([0xE0 | (len(v) >> 8), len(v) & 0xFF]) if len(v) < 4096 else
           b"\xf0" + struct.pack("<I", len(v)))
    n, groups = len(enc) + len(v), []
    while True:                               # 7 bits per byte, 1..5 bytes, read from the end
        groups.append(n & 0x7F)
        n >>= 7
        if not n:
            break
    # last byte = lowest 7 bits; bit 7 set means "one more byte to the left"
    back = [g | (0x80 if i < len(groups) - 1 else 0) for i, g in enumerate(groups)]
    return enc + v + bytes(reversed(back))


lp_before = [listpack_entry(v) for v in chain]
lp_after = [listpack_entry(v) for v in [b"B" * 300] + chain][1:]
assert lp_before == lp_after                  # no neighbour is rewritten
print("listpack: same insert rewrites 0 existing entries (entry size %d bytes each)" % len(lp_before[0]))
