// caption: DPDK DNS 应答器：解析区域配置文件进 rte_hash，net_pcap 从自己写的 pcap 读查询（含 NXDOMAIN、AAAA、畸形包和 ARP），收包 lcore 经 rte_ring 交给工作 lcore 就地改写成应答，写出 pcap 后逐包解析核对
// point: dns协议实现
// timeout: 30
// libs: libdpdk
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#define NQ 400 /* queries written to in.pcap (plus one ARP frame) */
#define KEYLEN 64
static struct rte_hash *zone;
static struct rte_ring *q_in, *q_out;
static volatile int rx_finished, worker_done;
static uint32_t ttl = 60;
static const char *names[] = {"www.example.com", "API.Example.com", "nosuch.example.com", "mail.example.com"};

static void load_zone(const char *path) { /* lines: "ttl N" or "<name> A <a.b.c.d>"; '#' starts a comment */
    FILE *f = fopen(path, "r");
    char line[256], name[KEYLEN], type[8];
    unsigned a, b, c, d, n = 0;
    assert(f);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "#\n")] = 0;
        if (sscanf(line, "ttl %u", &ttl) == 1) continue;
        if (sscanf(line, "%63s %7s %u.%u.%u.%u", name, type, &a, &b, &c, &d) != 6 || strcmp(type, "A")) continue;
        char key[KEYLEN] = {0};
        for (int i = 0; name[i]; i++) key[i] = tolower((unsigned char)name[i]); /* DNS names ignore case */
        assert(rte_hash_add_key_data(zone, key, (void *)(uintptr_t)RTE_IPV4(a, b, c, d)) == 0), n++;
    }
    fclose(f);
    printf("zone: %u A records, ttl %u\n", n, ttl);
}

/* Turn a query into its answer in place. Returns 0 when the packet is not a DNS query for us (dropped). */
static int answer(struct rte_mbuf *m) {
    struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
    if (m->data_len < 14 + 20 + 8 + 12 || eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) return 0;
    struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
    if (ip->next_proto_id != IPPROTO_UDP || rte_ipv4_hdr_len(ip) != 20) return 0;
    struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
    if (udp->dst_port != rte_cpu_to_be_16(53)) return 0;
    uint8_t *dns = (uint8_t *)(udp + 1), *end = (uint8_t *)eh + m->data_len, *p = dns + 12;
    if (dns[2] & 0x80) return 0; /* QR=1: a response, never answer it */
    char key[KEYLEN] = {0};
    int k = 0, rcode = 0, ok = 1;
    while (p < end && *p && ok) { /* QNAME: length-prefixed labels, ended by a zero byte */
        if (*p > 63 || p + 1 + *p >= end || k + *p + 1 >= KEYLEN) ok = 0;
        else {
            if (k) key[k++] = '.';
            for (int i = 1; i <= *p; i++) key[k++] = tolower(p[i]);
            p += 1 + *p;
        }
    }
    uint16_t qdcount = dns[4] << 8 | dns[5];
    if (!ok || p + 5 > end || qdcount != 1) rcode = 1; /* FORMERR */
    uint16_t qtype = rcode ? 0 : (p[1] << 8 | p[2]);
    uint8_t *q_end = rcode ? dns + 12 : p + 5;
    void *data = NULL;
    int found = !rcode && rte_hash_lookup_data(zone, key, &data) >= 0;
    if (!rcode && !found) rcode = 3; /* NXDOMAIN */
    int an = found && qtype == 1; /* an A query for a known name; other types: NOERROR with no answer */
    rte_pktmbuf_trim(m, end - q_end); /* drop anything after the question */
    if (rcode == 1) dns[4] = dns[5] = 0;
    if (an) { /* answer RR: pointer to the name at offset 12, A, IN, TTL, 4 bytes */
        uint8_t rr[16] = {0xc0, 12, 0, 1, 0, 1, ttl >> 24, ttl >> 16, ttl >> 8, ttl, 0, 4};
        uint32_t addr = (uint32_t)(uintptr_t)data;
        rr[12] = addr >> 24, rr[13] = addr >> 16, rr[14] = addr >> 8, rr[15] = addr;
        memcpy(rte_pktmbuf_append(m, 16), rr, 16);
    }
    dns[2] = 0x84 | (dns[2] & 0x01); /* QR=1, AA=1, keep RD */
    dns[3] = rcode;                  /* RA=0, RCODE */
    dns[6] = 0, dns[7] = an, dns[8] = dns[9] = dns[10] = dns[11] = 0;
    struct rte_ether_addr t = eh->dst_addr; /* swap L2/L3/L4 addresses */
    eh->dst_addr = eh->src_addr, eh->src_addr = t;
    uint32_t a = ip->src_addr;
    ip->src_addr = ip->dst_addr, ip->dst_addr = a;
    udp->dst_port = udp->src_port, udp->src_port = rte_cpu_to_be_16(53);
    uint16_t l4 = rte_pktmbuf_data_len(m) - 14 - 20;
    udp->dgram_len = rte_cpu_to_be_16(l4), ip->total_length = rte_cpu_to_be_16(20 + l4);
    ip->time_to_live = 64, ip->hdr_checksum = 0, udp->dgram_cksum = 0;
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
    return 1;
}

static int worker(void *arg) { /* lcore 1: protocol work only */
    (void)arg;
    struct rte_mbuf *pk[32];
    for (;;) {
        unsigned n = rte_ring_sc_dequeue_burst(q_in, (void **)pk, 32, NULL), out = 0;
        for (unsigned i = 0; i < n; i++)
            if (answer(pk[i])) pk[out++] = pk[i];
            else rte_pktmbuf_free(pk[i]);
        while (out && rte_ring_sp_enqueue_bulk(q_out, (void **)pk, out, NULL) == 0) rte_pause();
        if (n == 0 && __atomic_load_n(&rx_finished, __ATOMIC_ACQUIRE) && rte_ring_empty(q_in)) break;
    }
    __atomic_store_n(&worker_done, 1, __ATOMIC_RELEASE); /* the lcore state may still read WAIT right after launch */
    return 0;
}

static void write_queries(const char *path) { /* libpcap file format, written by hand */
    FILE *f = fopen(path, "wb");
    uint32_t gh[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1}; /* magic, v2.4, tz, sigfigs, snaplen, Ethernet */
    fwrite(gh, sizeof gh, 1, f);
    for (int i = 0; i <= NQ; i++) {
        uint8_t pkt[128] = {0x02, 0, 0, 0, 0, 0x53, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00}, *p = pkt + 14;
        int len;
        if (i == NQ) { /* one ARP frame: not for the DNS path */
            pkt[12] = 0x08, pkt[13] = 0x06, len = 60;
        } else {
            const char *name = names[i % 4];
            int malformed = i % 50 == 49;
            uint8_t *d = p + 28, *q = d + 12;
            d[0] = i >> 8, d[1] = i, d[2] = 0x01, d[5] = 1; /* ID, RD, QDCOUNT=1 */
            for (const char *s = name; *s;) { /* "www.example.com" -> 3www7example3com0 */
                const char *dot = strchr(s, '.');
                int l = dot ? dot - s : (int)strlen(s);
                *q++ = malformed ? 200 : l, memcpy(q, s, l), q += l, s += l + (dot != NULL);
            }
            *q++ = 0, *q++ = 0, *q++ = i % 7 == 3 ? 28 : 1, *q++ = 0, *q++ = 1; /* QTYPE AAAA or A, QCLASS IN */
            int l4 = q - (p + 20);
            p[0] = 0x45, p[2] = (20 + l4) >> 8, p[3] = 20 + l4, p[8] = 64, p[9] = 17;
            p[12] = 10, p[13] = 0, p[14] = i >> 8, p[15] = i, p[16] = 10, p[19] = 53; /* 10.0.x.y -> 10.0.0.53 */
            p[20] = 0xc0, p[21] = i, p[22] = 0, p[23] = 53, p[24] = l4 >> 8, p[25] = l4; /* ports, length */
            struct rte_ipv4_hdr *ip = (void *)p;
            ip->hdr_checksum = rte_ipv4_cksum(ip);
            len = 14 + 20 + l4;
        }
        uint32_t rh[4] = {1700000000u + i, 0, len, len};
        fwrite(rh, sizeof rh, 1, f), fwrite(pkt, len, 1, f);
    }
    fclose(f);
}

int main(void) {
    FILE *z = fopen("zone.conf", "w");
    fputs("# name  type  address\nttl 300\nwww.example.com A 192.0.2.10\napi.example.com A 192.0.2.11\n"
          "mail.example.com A 192.0.2.25   # trailing comment\nbroken line\n", z);
    fclose(z);
    write_queries("in.pcap");
    char *eal[] = {"dns", "--no-huge", "--no-pci", "-m", "256", "-l", "0-1", "--file-prefix", "atlas533dns",
                   "--no-shconf", "--no-telemetry", "--log-level=*:error", "--vdev=net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap"};
    assert(rte_eal_init(sizeof eal / sizeof eal[0], eal) >= 0);
    struct rte_hash_parameters hp = {.name = "zone", .entries = 1024, .key_len = KEYLEN, .socket_id = SOCKET_ID_ANY};
    zone = rte_hash_create(&hp);
    assert(zone);
    load_zone("zone.conf");
    struct rte_mempool *mp = rte_pktmbuf_pool_create("pkts", 2047, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    struct rte_eth_conf conf = {0};
    assert(mp && rte_eth_dev_configure(0, 1, 1, &conf) == 0);
    assert(rte_eth_rx_queue_setup(0, 0, 512, SOCKET_ID_ANY, NULL, mp) == 0);
    assert(rte_eth_tx_queue_setup(0, 0, 512, SOCKET_ID_ANY, NULL) == 0);
    assert(rte_eth_dev_start(0) == 0);
    q_in = rte_ring_create("q_in", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    q_out = rte_ring_create("q_out", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert(q_in && q_out && rte_eal_remote_launch(worker, NULL, 1) == 0);

    struct rte_mbuf *pk[32];
    unsigned rx = 0, tx = 0;
    uint64_t deadline = rte_get_timer_cycles() + 10 * rte_get_timer_hz(); /* bounded: 10 s at most */
    while (rte_get_timer_cycles() < deadline) { /* main lcore: rx into q_in, q_out out to tx */
        unsigned n = rx <= NQ ? rte_eth_rx_burst(0, 0, pk, 32) : 0;
        while (n && rte_ring_sp_enqueue_bulk(q_in, (void **)pk, n, NULL) == 0) rte_pause();
        rx += n;
        if (rx == NQ + 1) __atomic_store_n(&rx_finished, 1, __ATOMIC_RELEASE);
        unsigned m = rte_ring_sc_dequeue_burst(q_out, (void **)pk, 32, NULL), s = 0;
        while (s < m) s += rte_eth_tx_burst(0, 0, pk + s, m - s);
        tx += m;
        if (__atomic_load_n(&worker_done, __ATOMIC_ACQUIRE) && rte_ring_empty(q_out)) break;
    }
    __atomic_store_n(&rx_finished, 1, __ATOMIC_RELEASE); /* even after a timeout, let the worker return */
    assert(rte_eal_wait_lcore(1) == 0);
    printf("main lcore: %u frames from in.pcap, %u answers to out.pcap\n", rx, tx);
    assert(rte_eth_dev_stop(0) == 0);
    rte_eth_dev_close(0); /* closes the pcap dumper */

    FILE *f = fopen("out.pcap", "rb");
    uint8_t buf[256];
    unsigned got = 0, rc[4] = {0}, answers = 0;
    assert(f && fread(buf, 24, 1, f) == 1);
    uint32_t rh[4];
    while (fread(rh, sizeof rh, 1, f) == 1 && rh[2] <= sizeof buf && fread(buf, rh[2], 1, f) == 1) {
        struct rte_ipv4_hdr *ip = (void *)(buf + 14);
        struct rte_udp_hdr *udp = (void *)(ip + 1);
        uint8_t *d = (uint8_t *)(udp + 1);
        unsigned id = d[0] << 8 | d[1], r = d[3] & 15, an = d[6] << 8 | d[7];
        uint16_t sum = udp->dgram_cksum;
        udp->dgram_cksum = 0;
        assert(rte_ipv4_cksum(ip) == 0 && rte_ipv4_udptcp_cksum(ip, udp) == sum); /* both checksums valid */
        assert(udp->src_port == rte_cpu_to_be_16(53) && ip->dst_addr == rte_cpu_to_be_32(RTE_IPV4(10, 0, id >> 8, id & 255)));
        assert((d[2] & 0x80) && (d[2] & 1)); /* QR set, RD echoed */
        unsigned want = id % 50 == 49 ? 1 : id % 4 == 2 ? 3 : 0;
        assert(r == want);
        assert(an == (want == 0 && id % 7 != 3)); /* AAAA for a known name: NOERROR, no answer */
        if (an) {
            uint8_t *rr = buf + rh[2] - 16;
            uint32_t ip4 = (uint32_t)rr[12] << 24 | rr[13] << 16 | rr[14] << 8 | rr[15];
            /* 192u: RTE_IPV4 shifts its first argument as given, an int 192 << 24 overflows */
            uint32_t exp[] = {RTE_IPV4(192u, 0, 2, 10), RTE_IPV4(192u, 0, 2, 11), 0, RTE_IPV4(192u, 0, 2, 25)};
            assert(rr[0] == 0xc0 && rr[1] == 12 && ip4 == exp[id % 4] && ((uint32_t)rr[6] << 24 | rr[7] << 16 | rr[8] << 8 | rr[9]) == 300);
            answers++;
        }
        rc[r]++, got++;
    }
    fclose(f);
    printf("out.pcap: %u replies: NOERROR %u (with A record %u), FORMERR %u, NXDOMAIN %u\n", got, rc[0], answers, rc[1],
           rc[3]);
    assert(got == NQ && rc[1] == NQ / 50 && rc[0] + rc[1] + rc[3] == NQ && answers > NQ / 2);
    rte_ring_free(q_in), rte_ring_free(q_out), rte_hash_free(zone), rte_mempool_free(mp);
    rte_eal_cleanup();
    rmdir("/var/run/dpdk/atlas533dns");
    return 0;
}
