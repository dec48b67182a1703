# caption: 用 struct 构造并解析 TCP 首部（标志位、数据偏移、MSS/SACK/时间戳/窗口缩放选项），按伪首部计算校验和并检测篡改，拒绝长度为 0 或越界的畸形选项
# point: tcp协议头实现
# timeout: 10
"""TCP header (RFC 9293 section 3.1) built and parsed by hand.

 0                   1                   2                   3
 source port (16)              | destination port (16)
 sequence number (32)
 acknowledgment number (32)
 data offset (4) | reserved (4) | CWR ECE URG ACK PSH RST SYN FIN | window (16)
 checksum (16)                 | urgent pointer (16)
 options (0..40 bytes, padded to a multiple of 4)
"""
import struct

TCP = struct.Struct("!HHIIBBHHH")
FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]


def ones_sum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def pseudo(src, dst, length):
    return struct.pack("!4s4sBBH", src, dst, 0, 6, length)


def build_options(mss=None, sack_perm=False, ts=None, wscale=None):
    opts = b""
    if mss is not None:
        opts += struct.pack("!BBH", 2, 4, mss)
    if sack_perm:
        opts += struct.pack("!BB", 4, 2)
    if ts is not None:
        opts += struct.pack("!BBII", 8, 10, *ts)
    if wscale is not None:
        opts += struct.pack("!BBBB", 1, 3, 3, wscale)     # NOP, then kind 3
    opts += b"\x00" * (-len(opts) % 4)          # EOL padding to 32-bit boundary
    return opts


def build(src_ip, dst_ip, sport, dport, seq, ack, flags, window, options=b"", payload=b""):
    doff = (TCP.size + len(options)) // 4
    assert (TCP.size + len(options)) % 4 == 0 and doff <= 15
    bits = sum(1 << FLAGS.index(f) for f in flags)
    hdr = TCP.pack(sport, dport, seq, ack, doff << 4, bits, window, 0, 0) + options
    seg = hdr + payload
    csum = ~ones_sum(pseudo(src_ip, dst_ip, len(seg)) + seg) & 0xFFFF
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def parse_options(raw):
    out, i = {}, 0
    while i < len(raw):
        kind = raw[i]
        if kind == 0:                   # end of option list
            break
        if kind == 1:                   # no-operation
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2 or i + raw[i + 1] > len(raw):
            # a zero length would loop forever, an oversized one reads past the header
            raise ValueError(f"malformed option kind {kind} at offset {i}")
        length = raw[i + 1]
        body = raw[i + 2:i + length]
        if kind == 2:
            out["mss"] = struct.unpack("!H", body)[0]
        elif kind == 3:
            out["wscale"] = body[0]
        elif kind == 4:
            out["sack_perm"] = True
        elif kind == 8:
            out["ts"] = struct.unpack("!II", body)
        i += length
    return out


def parse(src_ip, dst_ip, seg):
    sport, dport, seq, ack, off, bits, window, csum, urg = TCP.unpack_from(seg)
    doff = (off >> 4) * 4
    if ones_sum(pseudo(src_ip, dst_ip, len(seg)) + seg) != 0xFFFF:
        raise ValueError("bad TCP checksum")
    return dict(sport=sport, dport=dport, seq=seq, ack=ack, hdr_len=doff,
                flags=[f for i, f in enumerate(FLAGS) if bits >> i & 1],
                window=window, options=parse_options(seg[TCP.size:doff]),
                payload=seg[doff:])


def main():
    cli, srv = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    # a SYN like the one Linux sends: MSS, SACK permitted, timestamps, NOP, wscale
    opts = build_options(mss=1460, sack_perm=True, ts=(123456, 0), wscale=7)
    syn = build(cli, srv, 40000, 80, seq=1000, ack=0, flags=["SYN"], window=64240, options=opts)
    p = parse(cli, srv, syn)
    print(f"SYN: {len(syn)} bytes, header {p['hdr_len']}, flags {p['flags']}, "
          f"csum 0x{syn[16:18].hex()}")
    print(f"     options {p['options']}")
    assert len(opts) == 20 and p["hdr_len"] == 40 and p["flags"] == ["SYN"]
    assert p["options"] == {"mss": 1460, "sack_perm": True, "ts": (123456, 0), "wscale": 7}

    synack = build(srv, cli, 80, 40000, seq=5000, ack=1001, flags=["SYN", "ACK"],
                   window=65160, options=build_options(mss=1460))
    p = parse(srv, cli, synack)
    print(f"SYN+ACK: ack={p['ack']} (= client ISN + 1), flags {p['flags']}")
    assert p["ack"] == 1001 and p["flags"] == ["SYN", "ACK"]

    data = build(cli, srv, 40000, 80, 1001, 5001, ["PSH", "ACK"], 502, payload=b"GET / HTTP/1.1\r\n\r\n")
    p = parse(cli, srv, data)
    print(f"data: seq={p['seq']} len={len(p['payload'])} -> next seq {p['seq'] + len(p['payload'])}")
    assert p["payload"] == b"GET / HTTP/1.1\r\n\r\n" and p["hdr_len"] == 20

    # the pseudo-header makes the checksum depend on the IP addresses too
    for name, bad in [("flipped payload bit", data[:-1] + bytes([data[-1] ^ 1])),
                      ("wrong dst address", None)]:
        try:
            if bad is None:
                parse(cli, bytes([10, 0, 0, 3]), data)
            else:
                parse(cli, srv, bad)
            raise SystemExit(f"{name}: not detected")
        except ValueError:
            print(f"checksum catches: {name}")
    # malformed options must be rejected, not looped over or read past the end
    for name, raw in [("length 0", b"\x02\x00\x05\xb4"), ("length past end", b"\x08\x0a\x00\x00"),
                      ("kind without length byte", b"\x01\x01\x01\x02")]:
        try:
            parse_options(raw)
            raise SystemExit(f"{name}: accepted")
        except ValueError:
            print(f"option parser rejects: {name}")
    print("all checks passed")


if __name__ == "__main__":
    main()
