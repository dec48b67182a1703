# caption: 手写 protobuf 线格式（varint、zigzag、tag、length-delimited、嵌套、packed）编解码一条 IM 消息，并用带 CRC32 的定长帧头封包
# point: 手撕protobuf IM通信协议
# timeout: 15
import random
import struct
import zlib

# ---------------------------------------------------------------- wire format
VARINT, I64, LEN, I32 = 0, 1, 2, 5


def enc_varint(n):
    """Base-128 varint, little-endian groups of 7 bits, MSB = continuation."""
    if n < 0:                       # int32/int64 negatives: 64-bit two's complement
        n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def dec_varint(buf, pos):
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ValueError("varint too long")


def zigzag32(n):
    return ((n << 1) ^ (n >> 31)) & 0xFFFFFFFF


def zigzag64(n):
    return ((n << 1) ^ (n >> 63)) & 0xFFFFFFFFFFFFFFFF


def unzigzag(z):
    return (z >> 1) ^ -(z & 1)


def key(field, wire_type):
    return enc_varint(field << 3 | wire_type)


def f_varint(field, n):
    return key(field, VARINT) + enc_varint(n)


def f_bytes(field, data):
    return key(field, LEN) + enc_varint(len(data)) + data


def f_packed(field, values):
    return f_bytes(field, b"".join(enc_varint(v) for v in values))


def parse_fields(buf):
    """Split a message into (field_number, wire_type, value) triples."""
    pos, out = 0, []
    while pos < len(buf):
        k, pos = dec_varint(buf, pos)
        field, wt = k >> 3, k & 7
        if field == 0:
            raise ValueError("field number 0 is invalid")
        if wt == VARINT:
            v, pos = dec_varint(buf, pos)
        elif wt == LEN:
            n, pos = dec_varint(buf, pos)
            if pos + n > len(buf):
                raise ValueError("truncated length-delimited field")
            v, pos = buf[pos:pos + n], pos + n
        elif wt == I64:
            v, pos = buf[pos:pos + 8], pos + 8
        elif wt == I32:
            v, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        out.append((field, wt, v))
    return out


# ------------------------------------------- known bytes from the encoding docs
assert enc_varint(1) == b"\x01" and enc_varint(300) == b"\xac\x02"
assert f_varint(1, 150) == bytes.fromhex("089601")              # Test1.a = 150
assert f_bytes(2, b"testing") == bytes.fromhex("120774657374696e67")
assert f_bytes(3, f_varint(1, 150)) == bytes.fromhex("1a03089601")  # nested
assert f_packed(6, [3, 270, 86942]) == bytes.fromhex("3206038e029ea705")
assert zigzag32(0) == 0 and zigzag32(-1) == 1 and zigzag32(1) == 2
assert zigzag32(-2) == 3 and zigzag32(2**31 - 1) == 0xFFFFFFFE
assert zigzag32(-2**31) == 0xFFFFFFFF and zigzag64(-2**63) == 2**64 - 1
assert len(enc_varint(-1)) == 10                 # int32 -1 costs 10 bytes ...
assert len(enc_varint(zigzag32(-1))) == 1        # ... sint32 -1 costs 1 byte
rng = random.Random(7)
for _ in range(5000):
    v = rng.randint(0, 2**64 - 1)
    assert dec_varint(enc_varint(v), 0) == (v, len(enc_varint(v)))
    s = rng.randint(-2**63, 2**63 - 1)
    assert unzigzag(zigzag64(s)) == s
print("docs vectors: 1:150 -> 08 96 01, zigzag(-1)=1 zigzag(1)=2, packed OK")

# ------------------------------------------------------------ the IM message
# message Device  { string os = 1; uint32 app_ver = 2; }
# message ChatMsg {
#   uint64 msg_id = 1;  string from = 2;  string to = 3;  uint32 seq = 4;
#   string body = 5;    int64 sent_ms = 6; sint32 tz_min = 7;
#   repeated uint64 mentions = 8;   // proto3: packed by default
#   Device device = 9;
# }


def encode_chat(m):
    out = bytearray()
    out += f_varint(1, m["msg_id"])
    out += f_bytes(2, m["from"].encode())
    out += f_bytes(3, m["to"].encode())
    out += f_varint(4, m["seq"])
    out += f_bytes(5, m["body"].encode())
    out += f_varint(6, m["sent_ms"])
    if m["tz_min"]:                       # proto3 implicit presence: skip zero
        out += f_varint(7, zigzag32(m["tz_min"]))
    if m["mentions"]:
        out += f_packed(8, m["mentions"])
    dev = f_bytes(1, m["device"]["os"].encode()) + f_varint(2, m["device"]["app_ver"])
    out += f_bytes(9, dev)
    return bytes(out)


def decode_chat(buf):
    m = {"msg_id": 0, "from": "", "to": "", "seq": 0, "body": "", "sent_ms": 0,
         "tz_min": 0, "mentions": [], "device": {"os": "", "app_ver": 0}}
    unknown = 0
    for field, wt, v in parse_fields(buf):
        if field == 1:
            m["msg_id"] = v
        elif field in (2, 3, 5):
            m[{2: "from", 3: "to", 5: "body"}[field]] = v.decode("utf-8")
        elif field == 4:
            m["seq"] = v
        elif field == 6:
            m["sent_ms"] = v - (1 << 64) if v >> 63 else v   # int64
        elif field == 7:
            m["tz_min"] = unzigzag(v)
        elif field == 8 and wt == LEN:                        # packed
            pos = 0
            while pos < len(v):
                x, pos = dec_varint(v, pos)
                m["mentions"].append(x)
        elif field == 8 and wt == VARINT:                     # unpacked also legal
            m["mentions"].append(v)
        elif field == 9:
            for f2, _, v2 in parse_fields(v):
                if f2 == 1:
                    m["device"]["os"] = v2.decode()
                elif f2 == 2:
                    m["device"]["app_ver"] = v2
        else:
            unknown += 1                                      # skip, stay compatible
    return m, unknown


msg = {"msg_id": 1234567890123, "from": "alice", "to": "group:42", "seq": 150,
       "body": "你好, protobuf!", "sent_ms": 1700000000123, "tz_min": -480,
       "mentions": [7, 300, 86942], "device": {"os": "ios", "app_ver": 1027}}
wire = encode_chat(msg)
back, unk = decode_chat(wire)
assert back == msg and unk == 0
assert wire[:1] == b"\x08" and bytes.fromhex("209601") in wire  # seq=150 -> 20 96 01
print("ChatMsg %d bytes: %s ..." % (len(wire), wire[:24].hex(" ")))
for f, wt, v in parse_fields(wire):
    shown = v.hex(" ") if isinstance(v, bytes) else v
    print("  field %d wire_type %d -> %s" % (f, wt, shown))

# a newer sender adds field 15; the old decoder skips it
newer = wire + f_bytes(15, b"reply-to:99")
back2, unk2 = decode_chat(newer)
assert back2 == msg and unk2 == 1
# an unpacked encoding of field 8 decodes to the same list
unpacked = wire.replace(f_packed(8, msg["mentions"]),
                        b"".join(f_varint(8, x) for x in msg["mentions"]))
assert decode_chat(unpacked)[0] == msg
print("unknown field 15 skipped; unpacked repeated accepted")

# -------------------------------------------------------------- the frame
# magic u16 | version u8 | cmd u8 | seq u32 | body_len u32 | crc32 u32 | body
HDR = struct.Struct("!HBBIII")
MAGIC, VERSION, CMD_CHAT, MAX_BODY = 0xC0DE, 1, 0x11, 1 << 20


def pack_frame(cmd, seq, body):
    crc = zlib.crc32(HDR.pack(MAGIC, VERSION, cmd, seq, len(body), 0)[:12] + body)
    return HDR.pack(MAGIC, VERSION, cmd, seq, len(body), crc) + body


class FrameDecoder:
    """Incremental decoder: handles half packets and sticky packets."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data):
        self.buf += data
        frames = []
        while len(self.buf) >= HDR.size:
            magic, ver, cmd, seq, n, crc = HDR.unpack_from(self.buf)
            if magic != MAGIC or ver != VERSION:
                raise ValueError("bad magic/version")
            if n > MAX_BODY:
                raise ValueError("body too large")
            if len(self.buf) < HDR.size + n:
                break                                   # half packet: wait
            body = bytes(self.buf[HDR.size:HDR.size + n])
            if zlib.crc32(bytes(self.buf[:12]) + body) != crc:
                raise ValueError("crc mismatch")
            del self.buf[:HDR.size + n]
            frames.append((cmd, seq, body))
        return frames


stream = b"".join(pack_frame(CMD_CHAT, s, encode_chat(dict(msg, seq=s)))
                  for s in range(1, 51))
dec, got, pos = FrameDecoder(), [], 0
while pos < len(stream):                                # random TCP segmentation
    step = rng.randint(1, 97)
    got += dec.feed(stream[pos:pos + step])
    pos += step
assert [s for _, s, _ in got] == list(range(1, 51))
assert all(decode_chat(b)[0]["seq"] == s for _, s, b in got)
print("50 frames (%d bytes) re-assembled from random 1..97-byte reads" % len(stream))

one = bytearray(pack_frame(CMD_CHAT, 7, wire))
one[HDR.size + 10] ^= 0x04                              # flip one bit in the body
try:
    FrameDecoder().feed(bytes(one))
    raise AssertionError("corruption not detected")
except ValueError as e:
    assert str(e) == "crc mismatch"
    print("bit flip in body ->", e)
print("all checks passed")
