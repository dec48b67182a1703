// caption: C 版迷你用户态协议栈接在真实内核对面：在自建的网络命名空间里开一个 TAP 设备（内核一侧 10.77.0.1），程序扮演 10.77.0.2，自己解析以太网帧、应答 ARP、回 ICMP echo、做 UDP echo，校验和按 RFC 1071 计算；内核的 ping（原始套接字）和 UDP 套接字都得到正确应答
// point: eth协议,ip协议,udp协议实现
// timeout: 30
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const uint8_t MY_MAC[6] = {0x02, 0x00, 0x00, 0x77, 0x00, 0x02};   /* locally administered */
static const uint8_t MY_IP[4] = {10, 77, 0, 2};
static int tap, stop, arp_replies, icmp_replies, udp_replies;

static uint16_t csum(const void *p, size_t n, uint32_t sum) {   /* RFC 1071: one's complement sum, folded */
    const uint8_t *b = p;
    for (size_t i = 0; i + 1 < n; i += 2) sum += b[i] << 8 | b[i + 1];
    if (n & 1) sum += b[n - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8, p[1] = v & 0xff; }
static uint16_t get16(const uint8_t *p) { return p[0] << 8 | p[1]; }

static void handle(uint8_t *f, ssize_t n) {
    uint8_t *eth = f, *l3 = f + 14;
    if (n < 42) return;
    uint16_t type = get16(eth + 12);
    if (type == 0x0806 && get16(l3 + 6) == 1 && !memcmp(l3 + 24, MY_IP, 4)) {   /* ARP request for us */
        put16(l3 + 6, 2);                                     /* opcode: reply */
        memcpy(l3 + 18, l3 + 8, 10);                          /* target <- sender (MAC + IP) */
        memcpy(l3 + 8, MY_MAC, 6), memcpy(l3 + 14, MY_IP, 4);
        memcpy(eth, l3 + 18, 6), memcpy(eth + 6, MY_MAC, 6);
        assert(write(tap, f, 42) == 42);
        __atomic_fetch_add(&arp_replies, 1, __ATOMIC_RELAXED);
        return;
    }
    if (type != 0x0800 || (l3[0] >> 4) != 4 || memcmp(l3 + 16, MY_IP, 4)) return;   /* IPv4 to us only */
    int ihl = (l3[0] & 15) * 4, total = get16(l3 + 2);
    assert(csum(l3, ihl, 0) == 0);                            /* a valid header sums to 0xffff */
    uint8_t *l4 = l3 + ihl;
    int l4len = total - ihl;
    if (l3[9] == 1 && l4[0] == 8) {                           /* ICMP echo request */
        assert(csum(l4, l4len, 0) == 0);
        l4[0] = 0;                                            /* type 0: echo reply, id/seq/data unchanged */
        put16(l4 + 2, 0), put16(l4 + 2, csum(l4, l4len, 0));
        __atomic_fetch_add(&icmp_replies, 1, __ATOMIC_RELAXED);
    } else if (l3[9] == 17 && get16(l4 + 2) == 7) {           /* UDP to port 7: echo */
        uint8_t port[2];
        memcpy(port, l4, 2), memcpy(l4, l4 + 2, 2), memcpy(l4 + 2, port, 2);   /* swap ports */
        __atomic_fetch_add(&udp_replies, 1, __ATOMIC_RELAXED);
    } else return;
    uint8_t ip[4];
    memcpy(ip, l3 + 12, 4), memcpy(l3 + 12, l3 + 16, 4), memcpy(l3 + 16, ip, 4);   /* swap addresses */
    l3[8] = 64;                                               /* fresh TTL */
    put16(l3 + 10, 0), put16(l3 + 10, csum(l3, ihl, 0));
    if (l3[9] == 17) {                                        /* UDP checksum covers a pseudo-header */
        uint8_t ph[12];
        memcpy(ph, l3 + 12, 8), ph[8] = 0, ph[9] = 17, put16(ph + 10, l4len);
        put16(l4 + 6, 0);
        uint16_t c = csum(l4, l4len, (uint16_t)~csum(ph, 12, 0));
        put16(l4 + 6, c ? c : 0xffff);
    }
    memcpy(eth, eth + 6, 6), memcpy(eth + 6, MY_MAC, 6);      /* back to the sender's MAC */
    assert(write(tap, f, 14 + total) == 14 + total);
}

static void *stack(void *arg) {
    (void)arg;
    uint8_t f[2048];
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        struct pollfd p = {tap, POLLIN, 0};
        if (poll(&p, 1, 50) == 1) { ssize_t n = read(tap, f, sizeof f); if (n > 0) handle(f, n); }
    }
    return NULL;
}

static void ifconf(const char *name) {                        /* 10.77.0.1/24, up (kernel side of the wire) */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq r = {0};
    snprintf(r.ifr_name, IFNAMSIZ, "%s", name);
    struct sockaddr_in *a = (struct sockaddr_in *)&r.ifr_addr;
    a->sin_family = AF_INET, inet_pton(AF_INET, "10.77.0.1", &a->sin_addr);
    assert(ioctl(s, SIOCSIFADDR, &r) == 0);
    inet_pton(AF_INET, "255.255.255.0", &a->sin_addr);
    assert(ioctl(s, SIOCSIFNETMASK, &r) == 0);
    assert(ioctl(s, SIOCGIFFLAGS, &r) == 0);
    r.ifr_flags |= IFF_UP;
    assert(ioctl(s, SIOCSIFFLAGS, &r) == 0);
    close(s);
}

int main(void) {
    assert(csum((uint8_t[]){0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}, 8, 0) == 0x220d);   /* RFC 1071 */
    assert(unshare(CLONE_NEWNET) == 0);                       /* a private network namespace: gone at exit */
    tap = open("/dev/net/tun", O_RDWR);
    if (tap < 0) { perror("/dev/net/tun (no TUN/TAP support here): not run"); return 0; }
    struct ifreq r = {0};
    r.ifr_flags = IFF_TAP | IFF_NO_PI;                        /* raw Ethernet frames, no extra header */
    snprintf(r.ifr_name, IFNAMSIZ, "atl0");
    assert(ioctl(tap, TUNSETIFF, &r) == 0);
    ifconf(r.ifr_name);
    pthread_t th;
    pthread_create(&th, NULL, stack, NULL);

    int u = socket(AF_INET, SOCK_DGRAM, 0);                   /* the kernel's UDP talks to our stack */
    struct timeval tv = {2, 0};
    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(7)};
    memcpy(&peer.sin_addr, MY_IP, 4);
    char buf[128];
    assert(sendto(u, "hello, user-space stack", 23, 0, (struct sockaddr *)&peer, sizeof peer) == 23);
    ssize_t k = recv(u, buf, sizeof buf, 0);                  /* needs ARP first, then the UDP echo */
    assert(k == 23 && !memcmp(buf, "hello, user-space stack", 23));
    printf("UDP echo via 10.77.0.2:7 -> '%.*s' (kernel verified our UDP and IP checksums)\n", (int)k, buf);

    int icmp = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);       /* ping, by hand */
    setsockopt(icmp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (int seq = 1; seq <= 3; seq++) {
        uint8_t req[16] = {8, 0, 0, 0, 0x12, 0x34, 0, (uint8_t)seq, 'p', 'i', 'n', 'g', 'd', 'a', 't', 'a'};
        put16(req + 2, csum(req, sizeof req, 0));
        assert(sendto(icmp, req, sizeof req, 0, (struct sockaddr *)&peer, sizeof peer) == sizeof req);
        uint8_t rep[128];
        k = recv(icmp, rep, sizeof rep, 0);                   /* a raw socket returns the IP header too */
        int ihl = (rep[0] & 15) * 4;
        assert(k == ihl + 16 && rep[ihl] == 0 && rep[ihl + 7] == seq && !memcmp(rep + ihl + 8, "pingdata", 8));
        assert(csum(rep + ihl, 16, 0) == 0 && !memcmp(rep + 12, MY_IP, 4));
    }
    printf("ICMP echo 10.77.0.1 -> 10.77.0.2: 3 requests, 3 replies with the same id, seq and data\n");
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    printf("our stack answered %d ARP request(s), %d pings, %d UDP datagrams\n", arp_replies, icmp_replies, udp_replies);
    assert(arp_replies >= 1 && icmp_replies == 3 && udp_replies == 1);
    close(u), close(icmp), close(tap);                        /* the namespace and atl0 vanish with us */
    return 0;
}
