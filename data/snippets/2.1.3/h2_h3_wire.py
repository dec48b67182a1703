# caption: HTTP/2 与 HTTP/3 的线上格式：HTTP/2 的 9 字节帧头、HPACK 前缀整数、QUIC 变长整数，按 RFC 中的示例值自检
# point: http2.0与http3.0
# timeout: 10
import struct

# ---------------------------------------------------------------- HTTP/2 (RFC 9113)
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"   # client connection preface, 24 octets
FRAME_TYPES = {0x0: "DATA", 0x1: "HEADERS", 0x4: "SETTINGS", 0x6: "PING", 0x8: "WINDOW_UPDATE"}


def h2_frame(ftype, flags, stream_id, payload):
    """9-octet header: Length(24) Type(8) Flags(8) R(1) StreamID(31), then payload."""
    assert len(payload) < 1 << 24 and stream_id < 1 << 31
    n = len(payload)
    return struct.pack("!BHBBI", n >> 16, n & 0xFFFF, ftype, flags, stream_id) + payload


def h2_parse(buf):
    frames = []
    while len(buf) >= 9:
        hi, lo, ftype, flags, sid = struct.unpack("!BHBBI", buf[:9])
        n = hi << 16 | lo
        if len(buf) < 9 + n:
            break                       # incomplete frame: wait for more bytes
        frames.append((FRAME_TYPES.get(ftype, hex(ftype)), flags, sid & 0x7FFFFFFF, buf[9:9 + n]))
        buf = buf[9 + n:]
    return frames, buf


def hpack_int(value, prefix_bits, first_byte_flags=0):
    """RFC 7541 5.1 prefix integer."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte_flags | value])
    out = [first_byte_flags | limit]
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


# ---------------------------------------------------------------- QUIC / HTTP/3 (RFC 9000, RFC 9114)
def quic_varint_decode(b):
    """RFC 9000 16: the two top bits give the length: 1, 2, 4 or 8 octets."""
    length = 1 << (b[0] >> 6)
    v = b[0] & 0x3F
    for x in b[1:length]:
        v = v << 8 | x
    return v, length


def quic_varint_encode(v):
    for length, tag in ((1, 0), (2, 1), (4, 2), (8, 3)):
        if v < 1 << (8 * length - 2):
            return (v | tag << (8 * length - 2)).to_bytes(length, "big")
    raise ValueError("too large for a QUIC varint (max 2^62-1)")


def main():
    assert len(PREFACE) == 24
    # SETTINGS: each setting is 16-bit id + 32-bit value. 0x3 MAX_CONCURRENT_STREAMS, 0x4 INITIAL_WINDOW_SIZE
    settings = struct.pack("!HIHI", 0x3, 100, 0x4, 65535)
    wire = (PREFACE
            + h2_frame(0x4, 0x0, 0, settings)                 # SETTINGS on stream 0
            + h2_frame(0x1, 0x4, 1, b"\x82\x86\x84")          # HEADERS, END_HEADERS, stream 1
            + h2_frame(0x1, 0x5, 3, b"\x82\x86\x84")          # stream 3: END_STREAM|END_HEADERS
            + h2_frame(0x0, 0x1, 1, b"body of stream 1"))     # DATA, END_STREAM
    assert wire.startswith(PREFACE)
    frames, rest = h2_parse(wire[24:-5])                      # last frame cut short on purpose
    print("HTTP/2 frames parsed (last one incomplete):")
    for name, flags, sid, payload in frames:
        print(f"  {name:8s} flags=0x{flags:x} stream={sid} len={len(payload)}")
    assert [f[0] for f in frames] == ["SETTINGS", "HEADERS", "HEADERS"] and len(rest) == 9 + 16 - 5
    frames2, rest2 = h2_parse(rest + wire[-5:])
    assert frames2[0][3] == b"body of stream 1" and rest2 == b""
    # client streams are odd-numbered; HPACK static index 2 = ":method: GET" -> 0x82
    assert all(f[2] % 2 == 1 for f in frames[1:])

    # RFC 7541 C.1 examples
    assert hpack_int(10, 5) == bytes([10])
    assert hpack_int(1337, 5) == bytes([31, 154, 10])
    assert hpack_int(42, 8) == bytes([42])
    print("HPACK integers: 10/5-bit -> 0a, 1337/5-bit -> 1f 9a 0a, 42/8-bit -> 2a  (RFC 7541 C.1)")

    # RFC 9000 A.1 examples
    samples = {"c2197c5eff14e88c": 151288809941952652, "9d7f3e7d": 494878333, "7bbd": 15293, "25": 37}
    for hx, val in samples.items():
        v, n = quic_varint_decode(bytes.fromhex(hx))
        assert (v, n) == (val, len(hx) // 2)
        assert quic_varint_encode(val) == bytes.fromhex(hx)
        print(f"QUIC varint {hx:>16s} -> {val} ({n} bytes)")
    assert quic_varint_decode(bytes.fromhex("4025"))[0] == 37   # non-minimal 2-byte form also decodes
    # HTTP/3 frame = varint type + varint length + payload; DATA=0x0, HEADERS=0x1
    h3 = quic_varint_encode(0x0) + quic_varint_encode(300) + b"x" * 300
    t, n1 = quic_varint_decode(h3)
    ln, n2 = quic_varint_decode(h3[n1:])
    assert (t, ln, len(h3)) == (0, 300, 1 + 2 + 300)
    print("HTTP/3 DATA frame with 300-byte payload: 1-byte type + 2-byte length header")
    print("OK")


if __name__ == "__main__":
    main()
