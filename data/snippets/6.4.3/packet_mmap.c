// caption: PACKET_MMAP：在私有网络命名空间的 lo 上建 TPACKET_V3 接收环，mmap 到用户态，发 300 个 UDP 数据报，一个块里成批取出帧，按 sll_pkttype 区分发出与收到的副本，数据不经 recv 拷贝
// point: 网卡mmap
// timeout: 15
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define N 300
#define BLOCK (1 << 16)
#define NBLOCKS 8

int main(void) {
    assert(unshare(CLONE_NEWNET) == 0);                  /* fresh netns: only a down lo */
    int ctl = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    assert(ioctl(ctl, SIOCGIFFLAGS, &ifr) == 0);
    ifr.ifr_flags |= IFF_UP;
    assert(ioctl(ctl, SIOCSIFFLAGS, &ifr) == 0);

    int ps = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    int v = TPACKET_V3;
    assert(ps >= 0 && setsockopt(ps, SOL_PACKET, PACKET_VERSION, &v, sizeof v) == 0);
    struct tpacket_req3 req = {.tp_block_size = BLOCK, .tp_block_nr = NBLOCKS, .tp_frame_size = 2048,
                               .tp_frame_nr = BLOCK / 2048 * NBLOCKS, .tp_retire_blk_tov = 20};
    assert(setsockopt(ps, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) == 0);
    uint8_t *ring = mmap(NULL, (size_t)BLOCK * NBLOCKS, PROT_READ | PROT_WRITE, MAP_SHARED, ps, 0);
    assert(ring != MAP_FAILED);
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                             .sll_ifindex = (int)if_nametoindex("lo")};
    assert(bind(ps, (struct sockaddr *)&ll, sizeof ll) == 0);

    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(rx, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(rx, (struct sockaddr *)&a, &al) == 0);
    int rcv = 1 << 20;
    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    char msg[100] = "atlas";
    for (int i = 0; i < N; i++) assert(sendto(tx, msg, sizeof msg, 0, (struct sockaddr *)&a, sizeof a) == sizeof msg);

    int host = 0, outgoing = 0, polls = 0, blocks = 0, maxper = 0, mac_off = -1, net_off = -1;
    for (unsigned b = 0; polls < 100 && host + outgoing < 2 * N; ) {
        struct tpacket_block_desc *bd = (void *)(ring + (size_t)b * BLOCK);
        if (!(bd->hdr.bh1.block_status & TP_STATUS_USER)) {       /* block still owned by kernel */
            struct pollfd p = {ps, POLLIN, 0};
            poll(&p, 1, 50);
            polls++;
            continue;
        }
        unsigned n = bd->hdr.bh1.num_pkts;
        struct tpacket3_hdr *h = (void *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
        for (unsigned i = 0; i < n; i++) {
            struct sockaddr_ll *sll = (void *)((uint8_t *)h + TPACKET_ALIGN(sizeof *h));
            const uint8_t *ip = (uint8_t *)h + h->tp_net;
            int ihl = (ip[0] & 15) * 4;
            uint16_t dport = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
            if ((ip[0] >> 4) == 4 && ip[9] == IPPROTO_UDP && dport == ntohs(a.sin_port)) {
                if (sll->sll_pkttype == PACKET_HOST) host++;
                if (sll->sll_pkttype == PACKET_OUTGOING) outgoing++;
                mac_off = h->tp_mac; net_off = h->tp_net;
            }
            h = (void *)((uint8_t *)h + h->tp_next_offset);
        }
        if ((int)n > maxper) maxper = (int)n;
        blocks++;
        bd->hdr.bh1.block_status = TP_STATUS_KERNEL;             /* hand the block back */
        __sync_synchronize();
        b = (b + 1) % NBLOCKS;
    }
    struct tpacket_stats_v3 st;
    socklen_t sl = sizeof st;
    assert(getsockopt(ps, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0);
    printf("ring: %d blocks x %d KiB mapped at %p\n", NBLOCKS, BLOCK >> 10, (void *)ring);
    printf("sent %d UDP datagrams on lo: ring saw %d outgoing + %d host copies\n", N, outgoing, host);
    printf("consumed %d blocks, up to %d frames per block, %d poll() calls; kernel stats: packets %u drops %u\n",
           blocks, maxper, polls, st.tp_packets, st.tp_drops);
    printf("frame layout: MAC header at +%d, IP header at +%d (Ethernet header of %d bytes)\n",
           mac_off, net_off, net_off - mac_off);
    assert(host == N && outgoing == N && st.tp_drops == 0);
    assert(blocks < N && net_off - mac_off == 14);             /* many frames per wake-up */
    munmap(ring, (size_t)BLOCK * NBLOCKS);
    return 0;
}
