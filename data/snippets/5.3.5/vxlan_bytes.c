// caption: VXLAN（RFC 7348）逐字节封装与解析，并与 Linux 内核的 vxlan 设备双向对拍：内核封装的包由我们解析，我们封装的包由内核解封装（在进程自己的网络命名空间里）
// point: VXLAN数据协议
// timeout: 30
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const uint8_t mac0[6] = {2, 0, 0, 0, 0x35, 1}, mac1[6] = {2, 0, 0, 0, 0x35, 2}; /* veth0, veth1 */

static uint16_t ip_sum(const uint8_t *p, int n) {
    uint32_t s = 0;
    for (int i = 0; i < n; i += 2) s += p[i] << 8 | p[i + 1];
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return ~s & 0xffff;
}

/* outer Ethernet(14) + IPv4(20) + UDP(8) + VXLAN(8) + inner frame: 50 bytes of overhead */
static int vxlan_encap(uint8_t *o, const uint8_t *inner, int ilen, uint32_t vni, uint32_t sip, uint32_t dip) {
    memcpy(o, mac0, 6), memcpy(o + 6, mac1, 6), o[12] = 0x08, o[13] = 0x00; /* from veth1 to veth0 */
    uint8_t *ip = o + 14, *udp = ip + 20, *vx = udp + 8;
    int ulen = 8 + 8 + ilen;
    memset(ip, 0, 20);
    ip[0] = 0x45, ip[2] = (20 + ulen) >> 8, ip[3] = 20 + ulen, ip[6] = 0x40, ip[8] = 64, ip[9] = 17; /* DF, TTL, UDP */
    for (int i = 0; i < 4; i++) ip[12 + i] = sip >> (24 - 8 * i), ip[16 + i] = dip >> (24 - 8 * i);
    uint16_t c = ip_sum(ip, 20);
    ip[10] = c >> 8, ip[11] = c;
    uint16_t sport = 49152 + (ip_sum(inner, 12) % 16384); /* entropy from the inner MACs, for ECMP/RSS */
    udp[0] = sport >> 8, udp[1] = sport, udp[2] = 4789 >> 8, udp[3] = 4789 & 255, udp[4] = ulen >> 8, udp[5] = ulen;
    udp[6] = udp[7] = 0;                                 /* UDP checksum 0: allowed for VXLAN over IPv4 */
    memset(vx, 0, 8), vx[0] = 0x08;                      /* flags: I bit, the VNI is valid */
    vx[4] = vni >> 16, vx[5] = vni >> 8, vx[6] = vni;   /* 24-bit VNI, then a reserved byte */
    memcpy(vx + 8, inner, ilen);
    return 14 + 20 + 8 + 8 + ilen;
}

/* Returns the inner frame's offset, or -1 when this is not a VXLAN packet. */
static int vxlan_parse(const uint8_t *p, int n, uint32_t *vni) {
    if (n < 50 || p[12] != 0x08 || p[13] != 0x00) return -1;
    const uint8_t *ip = p + 14;
    int ihl = (ip[0] & 15) * 4;
    if (ip[0] >> 4 != 4 || ip[9] != 17 || ip_sum(ip, ihl) != 0) return -1;
    const uint8_t *udp = ip + ihl, *vx = udp + 8;
    if ((udp[2] << 8 | udp[3]) != 4789 || !(vx[0] & 0x08)) return -1;
    *vni = vx[4] << 16 | vx[5] << 8 | vx[6];
    return 14 + ihl + 16;
}

static int packet_socket(const char *dev) {
    int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    struct sockaddr_ll a = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = if_nametoindex(dev)};
    struct timeval tv = {0, 200000};
    assert(s >= 0 && a.sll_ifindex && bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
}

/* Wait (bounded) for an incoming frame on s that contains payload; returns its length. */
static int wait_for(int s, uint8_t *buf, int cap, const char *payload) {
    for (int i = 0; i < 50; i++) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        int n = recvfrom(s, buf, cap, 0, (struct sockaddr *)&from, &fl);
        if (n > 0 && from.sll_pkttype != PACKET_OUTGOING && memmem(buf, n, payload, strlen(payload))) return n;
    }
    return -1;
}

int main(void) {
    assert(unshare(CLONE_NEWNET) == 0); /* everything below disappears with this process */
    assert(system("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 && "
                  "ip link add veth0 address 02:00:00:00:35:01 type veth peer name veth1 address 02:00:00:00:35:02 && "
                  "ip addr add 10.53.5.1/24 dev veth0 && ip link set veth0 up && ip link set veth1 up && "
                  "ip link add vxlan0 type vxlan id 42 local 10.53.5.1 remote 10.53.5.2 dstport 4789 dev veth0 && "
                  "ip link set vxlan0 up && ip neigh add 10.53.5.2 lladdr 02:00:00:00:35:02 dev veth0") == 0);
    int tun = packet_socket("vxlan0"), wire = packet_socket("veth1");
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "vxlan0");
    assert(ioctl(tun, SIOCGIFMTU, &ifr) == 0);
    printf("kernel vxlan0: VNI 42, MTU %d = 1500 - 50 bytes of encapsulation\n", ifr.ifr_mtu);
    assert(ifr.ifr_mtu == 1450);

    /* 1. the kernel encapsulates, we parse */
    uint8_t inner[64] = {0x02, 0xaa, 0, 0, 0, 1, 0x02, 0xbb, 0, 0, 0, 2, 0x88, 0xb5}, buf[2048];
    strcpy((char *)inner + 14, "kernel, wrap me");
    assert(send(tun, inner, 60, 0) == 60);
    int n = wait_for(wire, buf, sizeof buf, "kernel, wrap me");
    uint32_t vni = 0;
    int off = n > 0 ? vxlan_parse(buf, n, &vni) : -1;
    printf("on the wire (veth1): %d bytes, UDP %d -> %d, VNI %u, inner frame %d bytes, same bytes as sent: %s\n", n,
           buf[34] << 8 | buf[35], buf[36] << 8 | buf[37], vni, n - off, off > 0 && !memcmp(buf + off, inner, 60) ? "yes" : "no");
    assert(off == 50 && vni == 42 && n - off == 60 && !memcmp(buf + off, inner, 60));

    /* 2. we encapsulate, the kernel decapsulates */
    uint8_t inner2[64] = {0x02, 0xcc, 0, 0, 0, 3, 0x02, 0xdd, 0, 0, 0, 4, 0x88, 0xb5}, out[2048];
    strcpy((char *)inner2 + 14, "hand-built VXLAN");
    int len = vxlan_encap(out, inner2, 60, 42, 0x0a350502, 0x0a350501); /* 10.53.5.2 -> 10.53.5.1 */
    assert(send(wire, out, len, 0) == len);
    n = wait_for(tun, buf, sizeof buf, "hand-built VXLAN");
    printf("our %d-byte packet -> kernel decapsulated %d bytes on vxlan0, same inner frame: %s\n", len, n,
           n == 60 && !memcmp(buf, inner2, 60) ? "yes" : "no");
    assert(n == 60 && !memcmp(buf, inner2, 60));
    uint32_t v2;
    assert(vxlan_parse(out, len, &v2) == 50 && v2 == 42); /* and our parser agrees with our builder */
    close(tun), close(wire);
    return 0;
}
