# caption: 用 struct 构造并解析以太网、IPv4、UDP、ICMP echo 和 ARP 报文，计算 RFC 1071 校验和（含 UDP 伪首部），并像用户态协议栈一样应答 ARP 请求和 ping
# point: eth协议,ip协议,udp协议实现
# timeout: 10
"""Ethernet / IPv4 / UDP / ICMP / ARP by hand, no raw sockets needed.

Checks against known-good values:
  * RFC 1071 section 3 worked example: bytes 00 01 f2 03 f4 f5 f6 f7 have the
    one's complement sum 0xddf2 (checksum = ~sum = 0x220d).
  * A classic IPv4 header (192.168.0.1 -> 192.168.0.199, UDP, TTL 64,
    total length 0x73, DF): its checksum is 0xb861. Hand check:
      4500+0073+0000+4000+4011+c0a8+0001+c0a8+00c7 = 0x2479c
      fold: 0x479c + 0x2 = 0x479e, complement: 0xb861
  * Any packet with a correct checksum sums (with the checksum field) to 0xffff.
  * Ethernet FCS is CRC-32; CRC over frame+FCS gives the residue 0x2144df1c.
"""
import struct
import zlib


def ones_sum(data):
    """16-bit one's complement sum (RFC 1071), big-endian words."""
    if len(data) % 2:
        data += b"\x00"                    # pad odd length with a zero byte
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:                     # end-around carry
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data):
    return ~ones_sum(data) & 0xFFFF


def ones_sum_mod(data):
    """Independent method: a one's complement sum is the sum mod 0xffff."""
    if len(data) % 2:
        data += b"\x00"
    r = int.from_bytes(data, "big") % 0xFFFF   # 2^16 = 1 (mod 2^16-1)
    return r if r or not any(data) else 0xFFFF


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def ip(s):
    return bytes(int(x) for x in s.split("."))


# ---- Ethernet II (no preamble; FCS optional) -------------------------------
ETH = struct.Struct("!6s6sH")


def eth_build(dst, src, ethertype, payload, fcs=False):
    frame = ETH.pack(dst, src, ethertype) + payload
    frame += b"\x00" * max(0, 60 - len(frame))     # 64-byte minimum incl. FCS
    if fcs:
        frame += struct.pack("<I", zlib.crc32(frame))
    return frame


def eth_parse(frame):
    dst, src, et = ETH.unpack_from(frame)
    return dst, src, et, frame[ETH.size:]


# ---- IPv4 -------------------------------------------------------------------
IPV4 = struct.Struct("!BBHHHBBH4s4s")


def ipv4_build(src, dst, proto, payload, ident=0, ttl=64, df=True):
    total = IPV4.size + len(payload)
    hdr = IPV4.pack(0x45, 0, total, ident, 0x4000 if df else 0, ttl, proto, 0, src, dst)
    csum = checksum(hdr)
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + payload


def ipv4_parse(pkt):
    vihl, tos, total, ident, frag, ttl, proto, csum, src, dst = IPV4.unpack_from(pkt)
    ihl = (vihl & 0xF) * 4
    assert vihl >> 4 == 4 and ihl >= 20
    assert ones_sum(pkt[:ihl]) == 0xFFFF, "bad IPv4 header checksum"
    return dict(src=src, dst=dst, proto=proto, ttl=ttl, ident=ident,
                payload=pkt[ihl:total])


# ---- UDP (checksum covers a pseudo-header) ----------------------------------
UDP = struct.Struct("!HHHH")


def pseudo_header(src, dst, proto, length):
    return struct.pack("!4s4sBBH", src, dst, 0, proto, length)


def udp_build(src_ip, dst_ip, sport, dport, data):
    length = UDP.size + len(data)
    seg = UDP.pack(sport, dport, length, 0) + data
    csum = checksum(pseudo_header(src_ip, dst_ip, 17, length) + seg)
    if csum == 0:
        csum = 0xFFFF           # 0 means "no checksum" in UDP over IPv4
    return seg[:6] + struct.pack("!H", csum) + seg[8:]


def udp_parse(src_ip, dst_ip, seg):
    sport, dport, length, csum = UDP.unpack_from(seg)
    if csum:
        total = ones_sum(pseudo_header(src_ip, dst_ip, 17, length) + seg[:length])
        assert total == 0xFFFF, "bad UDP checksum"
    return sport, dport, seg[UDP.size:length]


# ---- ICMP echo ----------------------------------------------------------------
ICMP = struct.Struct("!BBHHH")


def icmp_echo(kind, ident, seq, data):      # kind 8 = request, 0 = reply
    msg = ICMP.pack(kind, 0, 0, ident, seq) + data
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


# ---- ARP (RFC 826) for Ethernet + IPv4 -----------------------------------------
ARP = struct.Struct("!HHBBH6s4s6s4s")


def arp_build(op, sha, spa, tha, tpa):
    return ARP.pack(1, 0x0800, 6, 4, op, sha, spa, tha, tpa)


# ---- a tiny "user-space stack": answer ARP for our IP and reply to ping ----------
def handle_frame(frame, my_mac, my_ip):
    dst, src, et, payload = eth_parse(frame)
    if et == 0x0806:
        htype, ptype, hlen, plen, op, sha, spa, tha, tpa = ARP.unpack_from(payload)
        if op == 1 and tpa == my_ip:
            return eth_build(sha, my_mac, 0x0806, arp_build(2, my_mac, my_ip, sha, spa))
    elif et == 0x0800:
        pkt = ipv4_parse(payload)
        if pkt["dst"] == my_ip and pkt["proto"] == 1:
            icmp = pkt["payload"]
            assert ones_sum(icmp) == 0xFFFF, "bad ICMP checksum"
            kind, code, _, ident, seq = ICMP.unpack_from(icmp)
            if kind == 8:
                reply = icmp_echo(0, ident, seq, icmp[ICMP.size:])
                return eth_build(src, my_mac, 0x0800,
                                 ipv4_build(my_ip, pkt["src"], 1, reply, ident=pkt["ident"]))
    return None


def main():
    # 1) RFC 1071 worked example
    ex = bytes.fromhex("0001f203f4f5f6f7")
    print(f"RFC 1071 example: sum=0x{ones_sum(ex):04x} checksum=0x{checksum(ex):04x}")
    assert ones_sum(ex) == 0xDDF2 and checksum(ex) == 0x220D

    # 2) the hand-checked IPv4 header
    hdr = ipv4_build(ip("192.168.0.1"), ip("192.168.0.199"), 17, b"\x00" * (0x73 - 20))[:20]
    print("IPv4 header:", hdr.hex(" ", 2))
    assert hdr.hex() == "4500007300004000" "4011b861" "c0a80001" "c0a800c7"
    assert ones_sum(hdr) == 0xFFFF

    # 3) UDP datagram in IPv4 in Ethernet, then parse it all back
    host_mac, peer_mac = mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")
    host_ip, peer_ip = ip("10.0.0.1"), ip("10.0.0.2")
    data = b"hello, user-space stack!"            # even length
    odd = b"odd"                                  # odd length: padding rule
    for payload in (data, odd):
        seg = udp_build(host_ip, peer_ip, 40000, 9999, payload)
        frame = eth_build(peer_mac, host_mac, 0x0800, ipv4_build(host_ip, peer_ip, 17, seg),
                          fcs=True)
        assert zlib.crc32(frame) == 0x2144DF1C    # FCS residue check
        dst, src, et, ip_pkt = eth_parse(frame[:-4])
        pkt = ipv4_parse(ip_pkt)
        sport, dport, got = udp_parse(pkt["src"], pkt["dst"], pkt["payload"])
        print(f"UDP {len(payload):2d}B: frame {len(frame)}B, udp csum 0x{seg[6:8].hex()}, "
              f"{sport}->{dport} {got!r}")
        assert (dst, src, et, sport, dport, got) == (peer_mac, host_mac, 0x0800, 40000, 9999, payload)
        whole = pseudo_header(host_ip, peer_ip, 17, len(seg)) + seg
        assert ones_sum(whole) == ones_sum_mod(whole) == 0xFFFF
        bad = bytearray(seg)
        bad[-1] ^= 0x01                             # flip one bit
        try:
            udp_parse(host_ip, peer_ip, bytes(bad))
            raise SystemExit("corruption not detected")
        except AssertionError:
            pass

    # 4) ARP: who-has 10.0.0.2? -> 10.0.0.2 is-at 02:00:00:00:00:02
    req = eth_build(b"\xff" * 6, host_mac, 0x0806,
                    arp_build(1, host_mac, host_ip, b"\x00" * 6, peer_ip))
    assert len(req) == 60                          # 14 + 28 + 18 bytes padding
    rep = handle_frame(req, peer_mac, peer_ip)
    dst, src, et, body = eth_parse(rep)
    f = ARP.unpack_from(body)
    print(f"ARP reply: op={f[4]} {'.'.join(map(str, f[6]))} is-at {f[5].hex(':')} -> {dst.hex(':')}")
    assert et == 0x0806 and f[4] == 2 and f[5] == peer_mac and f[6] == peer_ip
    assert dst == host_mac and f[7] == host_mac and f[8] == host_ip
    assert handle_frame(req, peer_mac, ip("10.0.0.3")) is None  # not our IP

    # 5) ICMP echo request -> echo reply with a correct checksum
    ping = icmp_echo(8, 0x1234, 1, bytes(range(32)))
    req = eth_build(peer_mac, host_mac, 0x0800, ipv4_build(host_ip, peer_ip, 1, ping, ident=7))
    rep = handle_frame(req, peer_mac, peer_ip)
    _, _, _, ip_pkt = eth_parse(rep)
    pkt = ipv4_parse(ip_pkt)
    kind, code, csum, ident, seq = ICMP.unpack_from(pkt["payload"])
    print(f"ICMP reply: type={kind} id=0x{ident:04x} seq={seq} csum=0x{csum:04x} "
          f"{'.'.join(map(str, pkt['src']))} -> {'.'.join(map(str, pkt['dst']))}")
    assert (kind, code, ident, seq) == (0, 0, 0x1234, 1)
    assert pkt["src"] == peer_ip and pkt["dst"] == host_ip
    assert ones_sum(pkt["payload"]) == 0xFFFF
    assert pkt["payload"][ICMP.size:] == bytes(range(32))
    # type 8 -> 0 lowers one 16-bit word by 0x0800, so (RFC 1624) the new
    # checksum is the old one plus 0x0800 in one's complement arithmetic
    old_csum = struct.unpack("!H", ping[2:4])[0]
    assert csum == ones_sum(struct.pack("!HH", old_csum, 0x0800))
    print("all checks passed")


if __name__ == "__main__":
    main()
