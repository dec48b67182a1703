# caption: 手写 zlib：LZ77 + 固定 Huffman 的压缩器（输出能被 zlib.decompress 解开）与支持 stored/固定/动态 Huffman 块的解压器（能解开 zlib.compress 的输出）
# point: 手撕zlib压缩与解压
# timeout: 30
import random
import zlib

LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
            67, 83, 99, 115, 131, 163, 195, 227, 258]
LEN_EXTRA = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
             513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
DIST_EXTRA = [0, 0, 0, 0] + [i // 2 for i in range(2, 28)]
CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
FIXED_LIT = [8] * 144 + [9] * 112 + [7] * 24 + [8] * 8
FIXED_DIST = [5] * 30


def adler32(data):
    a, b = 1, 0
    for x in data:
        a = (a + x) % 65521
        b = (b + a) % 65521
    return b << 16 | a


def canonical_codes(lengths):
    """RFC 1951 3.2.2: codes of equal length are consecutive integers."""
    max_len = max(lengths)
    bl_count = [0] * (max_len + 1)
    for ln in lengths:
        if ln:
            bl_count[ln] += 1
    code, next_code = 0, [0] * (max_len + 2)
    for bits in range(1, max_len + 1):
        code = (code + bl_count[bits - 1]) << 1
        next_code[bits] = code
    codes = {}
    for sym, ln in enumerate(lengths):
        if ln:
            codes[sym] = (next_code[ln], ln)
            next_code[ln] += 1
    return codes


# ------------------------------------------------------------------ inflate
class BitReader:
    def __init__(self, data):
        self.data, self.pos, self.bit = data, 0, 0

    def bits(self, n):                       # LSB-first, as in RFC 1951
        v = 0
        for k in range(n):
            if self.pos >= len(self.data):
                raise ValueError("unexpected end of stream")
            v |= (self.data[self.pos] >> self.bit & 1) << k
            self.bit += 1
            if self.bit == 8:
                self.bit, self.pos = 0, self.pos + 1
        return v

    def align(self):
        if self.bit:
            self.bit, self.pos = 0, self.pos + 1


def decoder(lengths):
    return {(ln, code): sym for sym, (code, ln) in canonical_codes(lengths).items()}


def read_sym(br, table):
    code = ln = 0
    while ln < 16:
        code = code << 1 | br.bits(1)        # Huffman codes arrive MSB-first
        ln += 1
        if (ln, code) in table:
            return table[(ln, code)]
    raise ValueError("bad Huffman code")


def inflate(data):
    br, out = BitReader(data), bytearray()
    stats = {0: 0, 1: 0, 2: 0}
    while True:
        final, btype = br.bits(1), br.bits(2)
        stats[btype] = stats.get(btype, 0) + 1
        if btype == 0:                                   # stored
            br.align()
            n = br.bits(16)
            if br.bits(16) != n ^ 0xFFFF:
                raise ValueError("stored block LEN/NLEN mismatch")
            out += data[br.pos:br.pos + n]
            br.pos += n
        elif btype in (1, 2):
            if btype == 1:
                lit, dist = decoder(FIXED_LIT), decoder(FIXED_DIST)
            else:
                hlit, hdist, hclen = br.bits(5) + 257, br.bits(5) + 1, br.bits(4) + 4
                cl = [0] * 19
                for k in range(hclen):
                    cl[CL_ORDER[k]] = br.bits(3)
                cl_table, lens = decoder(cl), []
                while len(lens) < hlit + hdist:
                    s = read_sym(br, cl_table)
                    if s < 16:
                        lens.append(s)
                    elif s == 16:
                        lens += [lens[-1]] * (3 + br.bits(2))
                    elif s == 17:
                        lens += [0] * (3 + br.bits(3))
                    else:
                        lens += [0] * (11 + br.bits(7))
                lit, dist = decoder(lens[:hlit]), decoder(lens[hlit:])
            while True:
                s = read_sym(br, lit)
                if s < 256:
                    out.append(s)
                elif s == 256:
                    break
                else:
                    k = s - 257
                    length = LEN_BASE[k] + br.bits(LEN_EXTRA[k])
                    d = read_sym(br, dist)
                    back = DIST_BASE[d] + br.bits(DIST_EXTRA[d])
                    for _ in range(length):              # may overlap itself
                        out.append(out[-back])
        else:
            raise ValueError("reserved block type 3")
        if final:
            return bytes(out), br.pos + (1 if br.bit else 0), stats


def zlib_decompress(z):
    cmf, flg = z[0], z[1]
    if cmf & 0x0F != 8 or (cmf << 8 | flg) % 31 or flg & 0x20:
        raise ValueError("not a zlib stream we support")
    out, used, stats = inflate(z[2:])
    if int.from_bytes(z[2 + used:6 + used], "big") != adler32(out):
        raise ValueError("Adler-32 mismatch")
    return out, stats


# ------------------------------------------------------------------ deflate
class BitWriter:
    def __init__(self):
        self.out, self.acc, self.n = bytearray(), 0, 0

    def bits(self, v, n):                    # LSB-first
        self.acc |= v << self.n
        self.n += n
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def huff(self, code, ln):                # write code MSB-first
        self.bits(int(format(code, "0%db" % ln)[::-1], 2), ln)

    def flush(self):
        if self.n:
            self.out.append(self.acc & 0xFF)
        return bytes(self.out)


def lz77(data, window=32768, max_chain=32):
    """Greedy LZ77 with hash chains on 3-byte prefixes."""
    head, prev, i, tokens = {}, {}, 0, []
    while i < len(data):
        best_len = best_dist = 0
        if i + 3 <= len(data):
            key = data[i:i + 3]
            cand, chain = head.get(key), 0
            while cand is not None and i - cand <= window and chain < max_chain:
                ln = 0
                while ln < 258 and i + ln < len(data) and data[cand + ln] == data[i + ln]:
                    ln += 1
                if ln > best_len:
                    best_len, best_dist = ln, i - cand
                cand, chain = prev.get(cand), chain + 1
        step = best_len if best_len >= 3 else 1
        for j in range(i, min(i + step, len(data) - 2)):   # index every position
            k = data[j:j + 3]
            if k in head:
                prev[j] = head[k]
            head[k] = j
        tokens.append((best_len, best_dist) if best_len >= 3 else data[i])
        i += step
    return tokens


def zlib_compress_fixed(data):
    lit, dist = canonical_codes(FIXED_LIT), canonical_codes(FIXED_DIST)
    bw = BitWriter()
    bw.bits(1, 1)                            # BFINAL
    bw.bits(1, 2)                            # BTYPE = 01 fixed Huffman
    for t in lz77(data):
        if isinstance(t, int):
            bw.huff(*lit[t])
            continue
        ln, d = t
        k = max(i for i in range(29) if LEN_BASE[i] <= ln)
        bw.huff(*lit[257 + k])
        bw.bits(ln - LEN_BASE[k], LEN_EXTRA[k])
        c = max(i for i in range(30) if DIST_BASE[i] <= d)
        bw.huff(*dist[c])
        bw.bits(d - DIST_BASE[c], DIST_EXTRA[c])
    bw.huff(*lit[256])                       # end of block
    return b"\x78\x01" + bw.flush() + adler32(data).to_bytes(4, "big")


# ------------------------------------------------------------------ checks
rng = random.Random(1951)
words = "the quick brown fox jumps over lazy dog nginx gzip deflate huffman".split()
text = " ".join(rng.choice(words) for _ in range(3000)).encode()
rand = bytes(rng.randrange(256) for _ in range(6000))
samples = {"text": text, "random": rand, "run": b"a" * 1000, "empty": b""}

for name, data in samples.items():
    assert adler32(data) == zlib.adler32(data)
    mine = zlib_compress_fixed(data)
    assert zlib.decompress(mine) == data              # zlib reads our output
    line = "%-6s %6d B -> mine(fixed) %6d B" % (name, len(data), len(mine))
    for level in (0, 1, 9):
        z = zlib.compress(data, level)
        out, stats = zlib_decompress(z)               # we read zlib's output
        assert out == data
        line += " | L%d %6d B %s" % (level, len(z),
                                     "/".join("%s%d" % (t, n) for t, n in
                                              zip("SFD", (stats[0], stats[1], stats[2]))))
    print(line)

z = zlib.compress(text, 9)
assert z[0] == 0x78 and (z[0] << 8 | z[1]) % 31 == 0
print("zlib header %02x %02x: CM=8 (deflate), CINFO=7 (32 KiB window), "
      "(CMF*256+FLG) %% 31 == 0" % (z[0], z[1]))
corrupt = bytearray(zlib.compress(text))
corrupt[-1] ^= 1
try:
    zlib_decompress(bytes(corrupt))
    raise AssertionError("corruption not detected")
except ValueError as e:
    print("flipped trailer bit ->", e)
