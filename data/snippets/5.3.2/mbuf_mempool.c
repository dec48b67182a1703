// caption: 真 rte_mempool/rte_mbuf：headroom 里逐层 prepend UDP/IPv4/以太网头（协议栈发包的方式），mtod 解析，clone 共享数据靠引用计数，chain 组成多段包，计数回到池里
// point: 内存数据结构rte_mbuf,rte_mempool
// timeout: 20
// libs: libdpdk
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define NMBUF 511 /* a power of two minus one suits the underlying ring */

int main(void) {
    char *eal[] = {"mbuf", "--no-huge", "--no-pci", "-m", "256", "-l", "0", "--file-prefix", "atlas532mbuf",
                   "--no-shconf", "--no-telemetry", "--log-level=*:error"};
    assert(rte_eal_init(sizeof eal / sizeof eal[0], eal) >= 0);
    struct rte_mempool *mp = rte_pktmbuf_pool_create("pkts", NMBUF, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    assert(mp);
    printf("pool: %u mbufs, element %u bytes (mbuf header %zu + priv %u + buffer %u), per-lcore cache %u\n", mp->size,
           mp->elt_size, sizeof(struct rte_mbuf), rte_pktmbuf_priv_size(mp), rte_pktmbuf_data_room_size(mp),
           mp->cache_size);
    assert(sizeof(struct rte_mbuf) == 2 * RTE_CACHE_LINE_SIZE); /* two cache lines: rx fields first */

    struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
    printf("fresh mbuf: data_off %u (headroom), data_len %u, refcnt %u\n", m->data_off, m->data_len,
           rte_mbuf_refcnt_read(m));
    assert(m->data_off == RTE_PKTMBUF_HEADROOM && rte_pktmbuf_headroom(m) == 128);
    const char payload[] = "hello";
    memcpy(rte_pktmbuf_append(m, sizeof payload), payload, sizeof payload); /* the application writes data */
    /* each layer prepends its header into the headroom: no copy of the payload */
    struct rte_udp_hdr *udp = (void *)rte_pktmbuf_prepend(m, sizeof *udp);
    *udp = (struct rte_udp_hdr){rte_cpu_to_be_16(1234), rte_cpu_to_be_16(53), rte_cpu_to_be_16(8 + sizeof payload), 0};
    struct rte_ipv4_hdr *ip = (void *)rte_pktmbuf_prepend(m, sizeof *ip);
    *ip = (struct rte_ipv4_hdr){.version_ihl = RTE_IPV4_VHL_DEF, .time_to_live = 64, .next_proto_id = IPPROTO_UDP,
                                .total_length = rte_cpu_to_be_16(20 + 8 + sizeof payload),
                                .src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1)),
                                .dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2))};
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
    struct rte_ether_hdr *eh = (void *)rte_pktmbuf_prepend(m, sizeof *eh);
    eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    printf("after prepends: data_off %u, pkt_len %u = 14 + 20 + 8 + %zu\n", m->data_off, m->pkt_len, sizeof payload);
    assert(m->data_off == 128 - 42 && m->pkt_len == 42 + sizeof payload);

    /* the receive side: parse with mtod / mtod_offset */
    struct rte_ipv4_hdr *rip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
    struct rte_udp_hdr *rudp = (struct rte_udp_hdr *)((char *)rip + rte_ipv4_hdr_len(rip));
    assert(rte_ipv4_cksum(rip) == 0 && rte_be_to_cpu_16(rudp->dst_port) == 53);
    assert(strcmp((char *)(rudp + 1), "hello") == 0);

    /* clone: a second mbuf header pointing at the same data (e.g. one copy to send, one to keep for retransmit) */
    unsigned before = rte_mempool_avail_count(mp);
    struct rte_mbuf *c = rte_pktmbuf_clone(m, mp);
    printf("clone: indirect %d, shares data %d, refcnt of the original %u\n", RTE_MBUF_CLONED(c) != 0,
           rte_pktmbuf_mtod(c, char *) == rte_pktmbuf_mtod(m, char *), rte_mbuf_refcnt_read(m));
    assert(RTE_MBUF_CLONED(c) && rte_mbuf_refcnt_read(m) == 2);
    rte_pktmbuf_free(m); /* the data stays alive: the clone still holds a reference */
    assert(strcmp(rte_pktmbuf_mtod_offset(c, char *, 42), "hello") == 0);
    rte_pktmbuf_free(c); /* now both go back */
    assert(rte_mempool_avail_count(mp) == before + 1);

    /* chain: a packet larger than one buffer is a list of segments */
    struct rte_mbuf *head = rte_pktmbuf_alloc(mp), *tail = rte_pktmbuf_alloc(mp);
    rte_pktmbuf_append(head, 2000), rte_pktmbuf_append(tail, 1000);
    assert(rte_pktmbuf_chain(head, tail) == 0);
    printf("chain: nb_segs %u, pkt_len %u, first data_len %u, contiguous %d\n", head->nb_segs, head->pkt_len,
           head->data_len, rte_pktmbuf_is_contiguous(head));
    assert(head->nb_segs == 2 && head->pkt_len == 3000 && !rte_pktmbuf_is_contiguous(head));
    rte_pktmbuf_free(head); /* frees every segment */

    printf("pool after all frees: %u available, %u in use\n", rte_mempool_avail_count(mp), rte_mempool_in_use_count(mp));
    assert(rte_mempool_avail_count(mp) == NMBUF);
    rte_mempool_free(mp);
    rte_eal_cleanup();
    rmdir("/var/run/dpdk/atlas532mbuf");
    return 0;
}
