// caption: C 版手写 TCP 首部与控制块，对面是真实的 Linux 内核：私有网络命名空间里的 TAP 设备上，程序扮演 10.77.0.2:7777，完成三次握手（SYN-ACK 只带 MSS=536 选项，内核因此关掉 SACK、时间戳、窗口缩放）、按 MSS 分段回显 1000 字节、四次挥手；连到没人监听的端口得到 RST（ECONNREFUSED）
// point: tcp协议头实现
// timeout: 30
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };
static const uint8_t MY_MAC[6] = {0x02, 0, 0, 0x77, 0, 2}, MY_IP[4] = {10, 77, 0, 2};
#define MY_PORT 7777
#define MY_MSS 536
static int tap, stop;

static struct {                                       /* the control block of our one connection */
    enum { LISTEN, SYN_RCVD, ESTABLISHED, LAST_ACK, CLOSED } state;
    uint32_t iss, snd_nxt, snd_una, rcv_nxt;
    uint8_t peer_mac[6], peer_ip[4];
    uint16_t peer_port;
    int segs_out, max_seg;
} tcb = {.state = LISTEN};

static uint16_t csum(const void *p, size_t n, uint32_t sum) {
    const uint8_t *b = p;
    for (size_t i = 0; i + 1 < n; i += 2) sum += b[i] << 8 | b[i + 1];
    if (n & 1) sum += b[n - 1] << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8, p[1] = v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16), put16(p + 2, v); }
static uint16_t get16(const uint8_t *p) { return p[0] << 8 | p[1]; }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* Build Ethernet + IPv4 + TCP and write it to the TAP device. */
static void send_seg(const uint8_t *dmac, const uint8_t *dip, uint16_t sport, uint16_t dport, uint32_t seq,
                     uint32_t ack, int flags, const uint8_t *data, int len) {
    uint8_t f[1600] = {0}, *ip = f + 14, *t = ip + 20;
    int optlen = (flags & SYN) ? 4 : 0, tcplen = 20 + optlen + len;
    memcpy(f, dmac, 6), memcpy(f + 6, MY_MAC, 6), put16(f + 12, 0x0800);
    ip[0] = 0x45, put16(ip + 2, 20 + tcplen), ip[6] = 0x40, ip[8] = 64, ip[9] = 6;   /* DF, TTL, TCP */
    memcpy(ip + 12, MY_IP, 4), memcpy(ip + 16, dip, 4);
    put16(ip + 10, csum(ip, 20, 0));
    put16(t, sport), put16(t + 2, dport), put32(t + 4, seq), put32(t + 8, ack);
    t[12] = (uint8_t)((20 + optlen) / 4) << 4, t[13] = flags;   /* data offset in 32-bit words */
    put16(t + 14, 4096);                                        /* receive window */
    if (optlen) t[20] = 2, t[21] = 4, put16(t + 22, MY_MSS);     /* option kind 2: MSS, the only one we offer */
    if (len) memcpy(t + 20 + optlen, data, len);
    uint8_t ph[12];                                             /* pseudo-header: addresses, protocol, length */
    memcpy(ph, ip + 12, 8), ph[8] = 0, ph[9] = 6, put16(ph + 10, tcplen);
    put16(t + 16, csum(t, tcplen, (uint16_t)~csum(ph, 12, 0)));
    assert(write(tap, f, 14 + 20 + tcplen) == 14 + 20 + tcplen);
    tcb.segs_out++;
}

static void on_tcp(const uint8_t *eth, const uint8_t *ip, const uint8_t *t, int tcplen) {
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8), ph[8] = 0, ph[9] = 6, put16(ph + 10, tcplen);
    assert(csum(t, tcplen, (uint16_t)~csum(ph, 12, 0)) == 0);     /* the kernel's checksum is right */
    uint16_t sport = get16(t), dport = get16(t + 2);
    uint32_t seq = get32(t + 4), ack = get32(t + 8);
    int flags = t[13], doff = (t[12] >> 4) * 4, len = tcplen - doff;
    const uint8_t *data = t + doff;
    if (dport != MY_PORT) {                                     /* nobody listens: RST, ACK of seq+1 */
        if (!(flags & RST)) send_seg(eth + 6, ip + 12, dport, sport, 0, seq + 1, RST | ACK, NULL, 0);
        return;
    }
    if (tcb.state == LISTEN && (flags & SYN)) {
        memcpy(tcb.peer_mac, eth + 6, 6), memcpy(tcb.peer_ip, ip + 12, 4), tcb.peer_port = sport;
        tcb.iss = 0x12345678, tcb.snd_una = tcb.iss, tcb.snd_nxt = tcb.iss + 1;   /* SYN takes one number */
        tcb.rcv_nxt = seq + 1;
        send_seg(tcb.peer_mac, tcb.peer_ip, MY_PORT, sport, tcb.iss, tcb.rcv_nxt, SYN | ACK, NULL, 0);
        tcb.state = SYN_RCVD;
        return;
    }
    if (flags & ACK) tcb.snd_una = ack;
    if (tcb.state == SYN_RCVD && (flags & ACK) && ack == tcb.snd_nxt) tcb.state = ESTABLISHED;
    if (tcb.state == LAST_ACK && (flags & ACK) && ack == tcb.snd_nxt) { tcb.state = CLOSED; return; }
    if (tcb.state != ESTABLISHED || seq != tcb.rcv_nxt) return;     /* in order only (the wire is lossless) */
    if (len > 0) {
        tcb.rcv_nxt += len;
        for (int off = 0; off < len; off += MY_MSS) {           /* echo back, never more than the MSS per segment */
            int n = len - off < MY_MSS ? len - off : MY_MSS;
            if (n > tcb.max_seg) tcb.max_seg = n;
            send_seg(tcb.peer_mac, tcb.peer_ip, MY_PORT, sport, tcb.snd_nxt, tcb.rcv_nxt, ACK | PSH, data + off, n);
            tcb.snd_nxt += n;
        }
    }
    if (flags & FIN) {                                          /* peer closed: ACK its FIN and send ours */
        tcb.rcv_nxt += 1;
        send_seg(tcb.peer_mac, tcb.peer_ip, MY_PORT, sport, tcb.snd_nxt, tcb.rcv_nxt, FIN | ACK, NULL, 0);
        tcb.snd_nxt += 1;
        tcb.state = LAST_ACK;
    }
}

static void *stack(void *arg) {
    (void)arg;
    uint8_t f[2048];
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        struct pollfd p = {tap, POLLIN, 0};
        if (poll(&p, 1, 50) != 1) continue;
        ssize_t n = read(tap, f, sizeof f);
        if (n < 42) continue;
        uint8_t *ip = f + 14;
        if (get16(f + 12) == 0x0806 && get16(ip + 6) == 1 && !memcmp(ip + 24, MY_IP, 4)) {   /* ARP: who has us */
            put16(ip + 6, 2), memcpy(ip + 18, ip + 8, 10), memcpy(ip + 8, MY_MAC, 6), memcpy(ip + 14, MY_IP, 4);
            memcpy(f, ip + 18, 6), memcpy(f + 6, MY_MAC, 6);
            assert(write(tap, f, 42) == 42);
        } else if (get16(f + 12) == 0x0800 && ip[9] == 6 && !memcmp(ip + 16, MY_IP, 4)) {
            int ihl = (ip[0] & 15) * 4;
            on_tcp(f, ip, ip + ihl, get16(ip + 2) - ihl);
        }
    }
    return NULL;
}

static void ifconf(const char *name) {
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

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    memcpy(&a.sin_addr, MY_IP, 4);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { int e = errno; close(fd); errno = e; return -1; }
    return fd;
}

int main(void) {
    assert(unshare(CLONE_NEWNET) == 0);                         /* private namespace: gone when we exit */
    tap = open("/dev/net/tun", O_RDWR);
    if (tap < 0) { perror("/dev/net/tun (no TUN/TAP support here): not run"); return 0; }
    struct ifreq r = {0};
    r.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(r.ifr_name, IFNAMSIZ, "atl1");
    assert(ioctl(tap, TUNSETIFF, &r) == 0);
    ifconf(r.ifr_name);
    pthread_t th;
    pthread_create(&th, NULL, stack, NULL);

    assert(dial(81) == -1 && errno == ECONNREFUSED);            /* our RST refused it */
    printf("connect to 10.77.0.2:81 -> ECONNREFUSED (the stack answered the SYN with RST|ACK)\n");

    int fd = dial(MY_PORT);
    assert(fd >= 0);
    int mss;
    socklen_t l = sizeof mss;
    struct tcp_info ti;
    socklen_t tl = sizeof ti;
    getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &l);
    getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
    printf("handshake done: kernel state %s, MSS %d, options SACK=%d timestamps=%d window-scale=%d\n",
           ti.tcpi_state == TCP_ESTABLISHED ? "ESTABLISHED" : "?", mss, !!(ti.tcpi_options & TCPI_OPT_SACK),
           !!(ti.tcpi_options & TCPI_OPT_TIMESTAMPS), !!(ti.tcpi_options & TCPI_OPT_WSCALE));
    assert(mss <= MY_MSS && !(ti.tcpi_options & (TCPI_OPT_SACK | TCPI_OPT_TIMESTAMPS | TCPI_OPT_WSCALE)));

    char msg[1000], back[1000];
    for (int i = 0; i < 1000; i++) msg[i] = 'a' + i % 26;
    assert(send(fd, msg, 1000, 0) == 1000);
    int got = 0;
    while (got < 1000) { ssize_t k = recv(fd, back + got, 1000 - got, 0); assert(k > 0); got += k; }
    assert(!memcmp(msg, back, 1000));
    printf("1000 bytes echoed intact; our largest segment carried %d bytes (MSS %d)\n", tcb.max_seg, MY_MSS);
    assert(tcb.max_seg <= MY_MSS);

    shutdown(fd, SHUT_WR);                                      /* our FIN ... */
    assert(recv(fd, back, 1, 0) == 0);                          /* ... and theirs: EOF */
    close(fd);
    for (int i = 0; i < 100 && __atomic_load_n(&tcb.state, __ATOMIC_ACQUIRE) != CLOSED; i++) usleep(10000);
    printf("close: FIN, FIN|ACK, ACK -> control block CLOSED; %d segments sent by the hand-written stack\n", tcb.segs_out);
    assert(tcb.state == CLOSED && tcb.snd_una == tcb.snd_nxt);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    close(tap);
    return 0;
}
