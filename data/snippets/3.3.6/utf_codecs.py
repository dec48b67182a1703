# caption: 手写 UTF-8 / UTF-16 编解码：1～4 字节序列、代理对、拒绝超长编码与孤立代理，和 str.encode / bytes.decode 对拍
# point: UTF8/UTF16/UTF32具体区别
# timeout: 30
import random


def utf8_encode(s):
    out = bytearray()
    for ch in s:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            raise ValueError("surrogate U+%04X cannot be encoded" % cp)
        if cp < 0x80:
            out.append(cp)
        elif cp < 0x800:
            out += bytes([0xC0 | cp >> 6, 0x80 | cp & 0x3F])
        elif cp < 0x10000:
            out += bytes([0xE0 | cp >> 12, 0x80 | cp >> 6 & 0x3F, 0x80 | cp & 0x3F])
        else:
            out += bytes([0xF0 | cp >> 18, 0x80 | cp >> 12 & 0x3F,
                          0x80 | cp >> 6 & 0x3F, 0x80 | cp & 0x3F])
    return bytes(out)


MIN_CP = {2: 0x80, 3: 0x800, 4: 0x10000}     # smaller values = overlong form


def utf8_decode(b):
    out, i = [], 0
    while i < len(b):
        lead = b[i]
        if lead < 0x80:
            out.append(chr(lead))
            i += 1
            continue
        if 0xC0 <= lead <= 0xDF:
            n, cp = 2, lead & 0x1F
        elif 0xE0 <= lead <= 0xEF:
            n, cp = 3, lead & 0x0F
        elif 0xF0 <= lead <= 0xF7:
            n, cp = 4, lead & 0x07
        else:
            raise ValueError("invalid lead byte 0x%02X at %d" % (lead, i))
        if i + n > len(b):
            raise ValueError("truncated sequence at %d" % i)
        for k in range(1, n):
            if b[i + k] & 0xC0 != 0x80:
                raise ValueError("bad continuation byte at %d" % (i + k))
            cp = cp << 6 | b[i + k] & 0x3F
        if cp < MIN_CP[n]:
            raise ValueError("overlong %d-byte form of U+%04X" % (n, cp))
        if 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF:
            raise ValueError("invalid scalar value U+%04X" % cp)
        out.append(chr(cp))
        i += n
    return "".join(out)


def utf16_encode(s, big_endian=False):
    out = bytearray()
    order = "big" if big_endian else "little"
    for ch in s:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            raise ValueError("lone surrogate")
        if cp < 0x10000:
            units = [cp]
        else:
            v = cp - 0x10000                      # 20 bits
            units = [0xD800 | v >> 10, 0xDC00 | v & 0x3FF]
        for u in units:
            out += u.to_bytes(2, order)
    return bytes(out)


def utf16_decode(b, big_endian=False):
    if len(b) % 2:
        raise ValueError("odd length")
    order = "big" if big_endian else "little"
    units = [int.from_bytes(b[i:i + 2], order) for i in range(0, len(b), 2)]
    out, i = [], 0
    while i < len(units):
        u = units[i]
        if 0xD800 <= u <= 0xDBFF:
            if i + 1 == len(units) or not 0xDC00 <= units[i + 1] <= 0xDFFF:
                raise ValueError("high surrogate without low surrogate")
            out.append(chr(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00)))
            i += 2
        elif 0xDC00 <= u <= 0xDFFF:
            raise ValueError("lone low surrogate")
        else:
            out.append(chr(u))
            i += 1
    return "".join(out)


# one character from each UTF-8 length class
for ch in ("A", "é", "中", "😀"):
    u8, u16 = utf8_encode(ch), utf16_encode(ch, True)
    print("U+%05X %s  UTF-8 %-12s (%d B)  UTF-16BE %-12s UTF-32 %d B"
          % (ord(ch), ch, u8.hex(" "), len(u8), u16.hex(" "), len(ch.encode("utf-32-be"))))
    assert u8 == ch.encode("utf-8") and u16 == ch.encode("utf-16-be")
assert utf16_encode("😀", True) == bytes.fromhex("d83dde00")

rng = random.Random(3629)


def rand_cp():
    r = rng.random()
    hi = 0x7F if r < 0.25 else 0x7FF if r < 0.5 else 0xFFFF if r < 0.75 else 0x10FFFF
    while True:
        cp = rng.randint(0, hi)
        if not 0xD800 <= cp <= 0xDFFF:
            return cp


for _ in range(20000):
    s = "".join(chr(rand_cp()) for _ in range(rng.randint(0, 6)))
    assert utf8_encode(s) == s.encode("utf-8")
    assert utf8_decode(s.encode("utf-8")) == s
    for be, name in ((False, "utf-16-le"), (True, "utf-16-be")):
        assert utf16_encode(s, be) == s.encode(name)
        assert utf16_decode(s.encode(name), be) == s
print("20000 random strings: encoders and decoders match Python's codecs")

# random byte strings: accept exactly what Python's strict decoder accepts
rejected = 0
for _ in range(20000):
    b = bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))
    try:
        ref = b.decode("utf-8")
    except UnicodeDecodeError:
        ref = None
    try:
        mine = utf8_decode(b)
    except ValueError:
        mine = None
    assert mine == ref, b
    rejected += ref is None
print("20000 random byte strings: same verdict as bytes.decode (%d invalid)" % rejected)

for bad in (b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80", b"\xe4\xb8", b"\x80"):
    try:
        utf8_decode(bad)
        raise AssertionError(bad)
    except ValueError as e:
        print("reject %-18s %s" % (bad.hex(" "), e))
for bad in (bytes.fromhex("3dd8"), bytes.fromhex("00dc")):
    try:
        utf16_decode(bad)
        raise AssertionError(bad)
    except ValueError as e:
        print("reject UTF-16LE %s: %s" % (bad.hex(" "), e))
