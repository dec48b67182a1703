# caption: zlib 的三种封装（raw deflate / zlib / gzip）、不同数据与级别的压缩率、流式 Z_SYNC_FLUSH（nginx 向客户端边压边发的方式）
# point: zlib数据压缩
import gzip
import json
import random
import struct
import zlib

rng = random.Random(1950)
records = [{"uid": rng.randint(1, 10**6), "city": rng.choice(["北京", "上海", "深圳"]),
            "status": rng.choice(["ok", "fail"]), "ms": rng.randint(1, 500)}
           for _ in range(2000)]
data = {
    "json-log": "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode(),
    "html": b"".join(b"<li class=\"item\"><a href=\"/p/%d\">product %d</a></li>\n"
                     % (i, i) for i in range(3000)),
    "random": bytes(rng.randrange(256) for _ in range(100000)),
}
print("%-9s %8s  %-22s" % ("data", "bytes", "ratio at level 1 / 6 / 9"))
for name, raw in data.items():
    sizes = [len(zlib.compress(raw, lv)) for lv in (1, 6, 9)]
    for lv in (1, 6, 9):
        assert zlib.decompress(zlib.compress(raw, lv)) == raw
    print("%-9s %8d  %s" % (name, len(raw),
                           " / ".join("%6.2f%%" % (100 * s / len(raw)) for s in sizes)))
    if name == "random":
        assert sizes[1] > len(raw)                 # incompressible: grows a little
    else:
        assert max(sizes) < len(raw) * 0.35     # higher level is not always smaller

# three wrappers around the same deflate stream
raw = data["json-log"]
for wbits, label in ((-15, "raw deflate"), (15, "zlib"), (31, "gzip")):
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    out = c.compress(raw) + c.flush()
    d = zlib.decompressobj(wbits if wbits < 0 else 47)   # 47 = 32+15: auto-detect
    assert d.decompress(out) == raw
    print("%-11s %6d B  first bytes %s" % (label, len(out), out[:4].hex(" ")))
    if wbits == 15:
        assert out[0] == 0x78 and (out[0] << 8 | out[1]) % 31 == 0
        assert struct.unpack(">I", out[-4:])[0] == zlib.adler32(raw)
    if wbits == 31:
        assert out[:3] == b"\x1f\x8b\x08"             # gzip magic + CM=deflate
        crc, isize = struct.unpack("<II", out[-8:])
        assert crc == zlib.crc32(raw) and isize == len(raw) % 2**32
        assert gzip.decompress(out) == raw
print("trailers: zlib = Adler-32 (big-endian); gzip = CRC-32 + ISIZE (little-endian)")

# streaming: flush after each chunk so the client can decode what it has so far
c = zlib.compressobj(1, zlib.DEFLATED, 31)
d = zlib.decompressobj(31)
chunks = [raw[i:i + 20000] for i in range(0, len(raw), 20000)]
got = b""
for i, ch in enumerate(chunks):
    piece = c.compress(ch) + c.flush(zlib.Z_SYNC_FLUSH)
    assert piece.endswith(b"\x00\x00\xff\xff")      # empty stored block marker
    got += d.decompress(piece)
    assert got == b"".join(chunks[:i + 1])          # everything so far decodes
got += d.decompress(c.flush())
assert got == raw and d.eof
print("%d chunks sent with Z_SYNC_FLUSH: each ends with 00 00 ff ff and decodes"
      " immediately" % len(chunks))
