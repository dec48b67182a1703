// caption: KNI 的替代：net_tap 虚拟设备把 DPDK 端口接到内核协议栈（在进程自己的网络命名空间里）；DPDK 侧手写 ARP 应答和 UDP 收发，与内核 UDP 套接字往返一次
// point: 内核网络接口KNI的实现原理
// timeout: 30
// libs: libdpdk
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define KERNEL_IP RTE_IPV4(10, 53, 2, 1) /* dtap0, owned by the kernel stack */
#define DPDK_IP RTE_IPV4(10, 53, 2, 2)   /* our user-space "stack" behind the port */
static struct rte_ether_addr my_mac = {{0x02, 0, 0, 0x53, 0x02, 0x02}}, kernel_mac;
static struct rte_mempool *pool;

static void send_udp(const char *msg) { /* Ethernet + IPv4 + UDP built in one mbuf */
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    size_t len = strlen(msg);
    struct rte_ether_hdr *eh = (void *)rte_pktmbuf_append(m, sizeof *eh + 20 + 8 + len);
    struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
    struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
    eh->dst_addr = kernel_mac, eh->src_addr = my_mac, eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    *ip = (struct rte_ipv4_hdr){.version_ihl = RTE_IPV4_VHL_DEF, .total_length = rte_cpu_to_be_16(20 + 8 + len),
                                .time_to_live = 64, .next_proto_id = IPPROTO_UDP,
                                .src_addr = rte_cpu_to_be_32(DPDK_IP), .dst_addr = rte_cpu_to_be_32(KERNEL_IP)};
    *udp = (struct rte_udp_hdr){.src_port = rte_cpu_to_be_16(5555), .dst_port = rte_cpu_to_be_16(7777),
                                .dgram_len = rte_cpu_to_be_16(8 + len)};
    memcpy(udp + 1, msg, len);
    ip->hdr_checksum = rte_ipv4_cksum(ip);
    udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
    assert(rte_eth_tx_burst(0, 0, &m, 1) == 1);
}

static int handle(struct rte_mbuf *m, char *reply) { /* returns 1 when the kernel's UDP reply arrived */
    struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
    int got = 0;
    if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
        struct rte_arp_hdr *a = (struct rte_arp_hdr *)(eh + 1);
        if (a->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) && a->arp_data.arp_tip == rte_cpu_to_be_32(DPDK_IP)) {
            printf("rx ARP who-has 10.53.2.2 from the kernel -> reply %02x:..:%02x\n", my_mac.addr_bytes[0],
                   my_mac.addr_bytes[5]);
            a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY); /* turn the request around in place */
            a->arp_data.arp_tha = a->arp_data.arp_sha, a->arp_data.arp_sha = my_mac;
            a->arp_data.arp_tip = a->arp_data.arp_sip, a->arp_data.arp_sip = rte_cpu_to_be_32(DPDK_IP);
            eh->dst_addr = eh->src_addr, eh->src_addr = my_mac;
            assert(rte_eth_tx_burst(0, 0, &m, 1) == 1);
            return 0;
        }
    } else if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
        struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
        struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((char *)ip + rte_ipv4_hdr_len(ip));
        if (ip->next_proto_id == IPPROTO_UDP && udp->dst_port == rte_cpu_to_be_16(5555)) {
            assert(rte_ipv4_cksum(ip) == 0); /* a correct header sums to 0xffff: cksum() returns its complement */
            uint16_t sent = udp->dgram_cksum;
            udp->dgram_cksum = 0;
            assert(sent == rte_ipv4_udptcp_cksum(ip, udp)); /* the kernel filled in a full UDP checksum */
            size_t n = rte_be_to_cpu_16(udp->dgram_len) - 8;
            memcpy(reply, udp + 1, n), reply[n] = 0;
            got = 1;
        }
    }
    rte_pktmbuf_free(m);
    return got;
}

int main(void) {
    assert(unshare(CLONE_NEWNET) == 0); /* private netns: dtap0 and its address vanish when we exit */
    /* stderr: the tap PMD reports that this kernel has no multiq qdisc and turns rte_flow off; harmless here */
    char *eal[] = {"tap", "--no-huge", "--no-pci", "-m", "256", "-l", "0", "--file-prefix", "atlas532tap", "--no-shconf",
                   "--no-telemetry", "--log-level=*:error", "--vdev=net_tap0,iface=dtap0"};
    assert(rte_eal_init(sizeof eal / sizeof eal[0], eal) >= 0);
    pool = rte_pktmbuf_pool_create("pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    struct rte_eth_conf conf = {0};
    assert(pool && rte_eth_dev_configure(0, 1, 1, &conf) == 0);
    assert(rte_eth_rx_queue_setup(0, 0, 256, SOCKET_ID_ANY, NULL, pool) == 0);
    assert(rte_eth_tx_queue_setup(0, 0, 256, SOCKET_ID_ANY, NULL) == 0);
    assert(rte_eth_dev_start(0) == 0);
    assert(system("ip link set dtap0 up && ip addr add 10.53.2.1/24 dev dtap0") == 0);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0); /* an ordinary kernel socket, later on dtap0's address */
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "dtap0");
    assert(s >= 0 && ioctl(s, SIOCGIFHWADDR, &ifr) == 0); /* the kernel netdev's MAC */
    memcpy(kernel_mac.addr_bytes, ifr.ifr_hwaddr.sa_data, 6);
    char macs[RTE_ETHER_ADDR_FMT_SIZE];
    rte_ether_format_addr(macs, sizeof macs, &kernel_mac);
    printf("kernel side: dtap0 %s 10.53.2.1; DPDK side: port 0, 10.53.2.2\n", macs);

    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7777), .sin_addr.s_addr = htonl(KERNEL_IP)};
    assert(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    send_udp("ping from dpdk");
    char buf[64] = "", reply[64] = "";
    struct rte_mbuf *pk[32];
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    int kernel_got = 0, dpdk_got = 0;
    for (int i = 0; i < 2000 && !dpdk_got; i++) { /* at most ~2 s */
        if (!kernel_got) {
            ssize_t n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&peer, &pl);
            if (n > 0) {
                buf[n] = 0, kernel_got = 1;
                printf("kernel socket got \"%s\" from %s:%d, echoes back\n", buf, inet_ntoa(peer.sin_addr),
                       ntohs(peer.sin_port));
                assert(sendto(s, "pong from kernel", 16, 0, (struct sockaddr *)&peer, pl) == 16);
            }
        }
        uint16_t n = rte_eth_rx_burst(0, 0, pk, 32);
        for (uint16_t j = 0; j < n; j++) dpdk_got |= handle(pk[j], reply);
        usleep(1000);
    }
    printf("DPDK port got UDP \"%s\"\n", reply);
    assert(kernel_got && strcmp(buf, "ping from dpdk") == 0 && strcmp(reply, "pong from kernel") == 0);
    close(s);
    assert(rte_eth_dev_stop(0) == 0);
    rte_eth_dev_close(0);
    rte_mempool_free(pool);
    rte_eal_cleanup();
    rmdir("/var/run/dpdk/atlas532tap");
    return 0;
}
