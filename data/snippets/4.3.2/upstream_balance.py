# caption: upstream 负载均衡算法：平滑加权轮询（5:1:1 得到 a a b a c a a）、least_conn、ip_hash（IPv4 前三个字节）、与 nginx 取点方式相同的 ketama 一致性哈希，对比摘掉一台后取模哈希与一致性哈希迁移的键数
# point: 如何实现负载均衡
import bisect
import collections
import ipaddress
import struct
import zlib


class Peer:
    def __init__(self, name, weight=1):
        self.name = name
        self.weight = weight
        self.effective_weight = weight   # lowered on failures, recovers by +1 per pick
        self.current_weight = 0
        self.conns = 0


def smooth_wrr(peers):
    """ngx_http_upstream_get_peer(): smooth weighted round robin."""
    best, total = None, 0
    for p in peers:
        p.current_weight += p.effective_weight
        total += p.effective_weight
        if p.effective_weight < p.weight:
            p.effective_weight += 1
        if best is None or p.current_weight > best.current_weight:
            best = p
    best.current_weight -= total
    return best


def least_conn(peers):
    """ngx_http_upstream_get_least_conn_peer(): min conns/weight, ties by smooth WRR."""
    best, tied = None, []
    for p in peers:
        if best is None or p.conns * best.weight < best.conns * p.weight:
            best, tied = p, [p]
        elif p.conns * best.weight == best.conns * p.weight:
            tied.append(p)
    return smooth_wrr(tied) if len(tied) > 1 else best


def ip_hash(ip, peers):
    """ngx_http_upstream_get_ip_hash_peer(): first 3 bytes of IPv4, all 16 of IPv6."""
    addr = ipaddress.ip_address(ip).packed
    h = 89
    for b in addr[:3] if len(addr) == 4 else addr:
        h = (h * 113 + b) % 6271
    w = h % sum(p.weight for p in peers)
    for p in peers:
        if w < p.weight:
            return p
        w -= p.weight


def ketama_ring(servers):
    """ngx_http_upstream_update_chash(): weight * 160 points per server."""
    points = {}
    for name, weight in servers:
        host, port = name.rsplit(":", 1)
        base = zlib.crc32(host.encode() + b"\0" + port.encode())
        prev = 0
        for _ in range(weight * 160):
            h = zlib.crc32(struct.pack("<I", prev), base)   # crc32(HOST \0 PORT PREV_HASH)
            points.setdefault(h, name)                       # duplicates are dropped
            prev = h
    hashes = sorted(points)
    return hashes, [points[h] for h in hashes]


def ketama_lookup(ring, key):
    hashes, owners = ring
    i = bisect.bisect_left(hashes, zlib.crc32(key))          # first point >= hash
    return owners[i % len(hashes)]


def main():
    peers = [Peer("a", 5), Peer("b", 1), Peer("c", 1)]
    seq = "".join(smooth_wrr(peers).name for _ in range(7))
    print(f"smooth WRR, weights a=5 b=1 c=1: {' '.join(seq)}")
    assert seq == "aabacaa"
    more = "".join(smooth_wrr(peers).name for _ in range(700))
    counts = collections.Counter(more)
    longest = max(len(run) for run in more.replace("b", " ").replace("c", " ").split())
    assert counts == {"a": 500, "b": 100, "c": 100}, counts
    assert longest < 5
    print(f"  700 more picks: {dict(counts)}, longest run of a: {longest} "
          f"(plain WRR would send 5 in a row)")

    peers = [Peer("a", 2), Peer("b", 1), Peer("c", 1)]
    for _ in range(12):
        least_conn(peers).conns += 1          # connections that stay open
    print(f"least_conn, weights 2:1:1, 12 long requests -> conns "
          f"{ {p.name: p.conns for p in peers} }")
    assert [p.conns for p in peers] == [6, 3, 3]
    peers[1].conns -= 3                       # b finished its requests
    assert least_conn(peers).name == "b"
    print("  after b's connections close, the next request goes to b")

    peers = [Peer("s1"), Peer("s2"), Peer("s3")]
    same = {ip_hash(f"10.1.2.{i}", peers).name for i in range(1, 255)}
    print(f"ip_hash: 10.1.2.1 .. 10.1.2.254 -> {sorted(same)} (one /24, one server)")
    assert len(same) == 1
    spread = collections.Counter(ip_hash(f"10.1.{n}.7", peers).name for n in range(256))
    print(f"  256 different /24 networks -> {dict(sorted(spread.items()))}")
    assert len(spread) == 3

    servers = [(f"10.0.0.{i}:80", 1) for i in range(1, 5)]
    keys = [f"user:{i}".encode() for i in range(20000)]
    ring4 = ketama_ring(servers)
    ring3 = ketama_ring([s for s in servers if s[0] != "10.0.0.3:80"])
    before = [ketama_lookup(ring4, k) for k in keys]
    after = [ketama_lookup(ring3, k) for k in keys]
    moved = [(b, a) for b, a in zip(before, after) if b != a]
    share = collections.Counter(before)
    print(f"\nketama ring: {len(ring4[0])} points for 4 servers; key share "
          f"{[round(share[s] / len(keys), 3) for s, _ in servers]}")
    assert all(b == "10.0.0.3:80" for b, _ in moved), "only the removed server's keys move"
    assert len(moved) == share["10.0.0.3:80"]
    names = [s for s, _ in servers]
    mod_before = [names[zlib.crc32(k) % 4] for k in keys]
    names3 = [s for s in names if s != "10.0.0.3:80"]
    mod_after = [names3[zlib.crc32(k) % 3] for k in keys]
    mod_moved = sum(b != a for b, a in zip(mod_before, mod_after))
    print(f"remove 10.0.0.3: consistent hash moves {len(moved) / len(keys):.1%} of keys "
          f"(exactly the removed server's); crc32 % N moves {mod_moved / len(keys):.1%}")
    assert 0.10 < len(moved) / len(keys) < 0.40
    assert mod_moved / len(keys) > 0.6
    print("OK")


if __name__ == "__main__":
    main()
