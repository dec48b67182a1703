// caption: 用 ioctl(TUNSETIFF) 向 TUN 驱动要一块虚拟网卡，在自建的网络命名空间里配地址；子进程用原始套接字向 10.77.0.2 发 ICMP 回显请求（本机没有 ping 命令），请求从 TUN 的 read() 里出来，C 逐字节拼出回显应答 write() 回去，子进程收齐 3 个应答
// point: ioctl流程
// timeout: 15
// needs: root
#define _GNU_SOURCE
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char ns[64];
static pid_t ping_pid;
static void cleanup(void) {
    char cmd[128];
    if (ping_pid > 0) { kill(ping_pid, SIGKILL); waitpid(ping_pid, NULL, 0); ping_pid = 0; }
    snprintf(cmd, sizeof cmd, "ip netns del %s 2>/dev/null", ns);
    if (system(cmd)) {}
}
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); \
    cleanup(); exit(1); } } while (0)

static uint16_t csum(const uint8_t *p, size_t n) {   /* RFC 1071 ones' complement sum */
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2) s += p[i] << 8 | p[i + 1];
    if (n & 1) s += p[n - 1] << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* the "ping": 3 echo requests over a raw ICMP socket, each reply checked */
static int pinger(void) {
    int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (s < 0) return 10;
    struct timeval tv = {2, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in to = {.sin_family = AF_INET};
    inet_pton(AF_INET, "10.77.0.2", &to.sin_addr);
    int ok = 0;
    for (int seq = 1; seq <= 3; seq++) {
        uint8_t req[40] = {8, 0, 0, 0, 0x12, 0x34, 0, (uint8_t)seq}; /* type 8, id 0x1234 */
        memcpy(req + 8, "atlas echo payload 32 bytes long", 32);
        uint16_t c = csum(req, sizeof req);
        req[2] = c >> 8; req[3] = c & 0xff;
        if (sendto(s, req, sizeof req, 0, (struct sockaddr *)&to, sizeof to) != sizeof req) return 11;
        for (int tries = 0; tries < 10; tries++) {         /* skip unrelated ICMP */
            uint8_t r[1500];
            ssize_t n = recv(s, r, sizeof r, 0);            /* IP header + ICMP */
            if (n < 0) return 12;
            int ihl = (r[0] & 15) * 4;
            if (n == ihl + 40 && r[ihl] == 0 && r[ihl + 4] == 0x12 && r[ihl + 5] == 0x34 &&
                r[ihl + 7] == seq && memcmp(r + ihl + 8, req + 8, 32) == 0 && csum(r + ihl, 40) == 0) {
                ok++;
                break;
            }
        }
        usleep(100000);
    }
    close(s);
    return ok == 3 ? 0 : 13;
}

int main(void) {
    char cmd[256];
    snprintf(ns, sizeof ns, "atlas-tun-%d", getpid());
    snprintf(cmd, sizeof cmd, "ip netns add %s", ns);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "/run/netns/%s", ns);
    int nsfd = open(cmd, O_RDONLY);
    CHECK(nsfd >= 0 && setns(nsfd, CLONE_NEWNET) == 0);   /* we now live in the new netns */
    close(nsfd);

    int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);    /* misc char device 10:200 */
    CHECK(tun >= 0);
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;                   /* layer 3, no 4-byte header */
    strcpy(ifr.ifr_name, "atun0");
    CHECK(ioctl(tun, TUNSETIFF, &ifr) == 0);               /* tun_chr_ioctl -> tun_set_iff */
    char info[128] = {0}, path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", tun);
    FILE *fi = fopen(path, "r");
    size_t got = fi ? fread(info, 1, sizeof info - 1, fi) : 0;
    if (fi) fclose(fi);
    printf("TUNSETIFF ok: fdinfo shows %s", got && strstr(info, "iff:") ? strstr(info, "iff:") : "?\n");
    CHECK(system("ip addr add 10.77.0.1/24 dev atun0 && ip link set atun0 up") == 0);

    fflush(stdout);
    ping_pid = fork();
    if (ping_pid == 0) {
        close(tun);
        _exit(pinger());
    }
    int replies = 0, other = 0, status = -1;
    uint8_t in[2048], out[2048];
    for (int round = 0; round < 100 && status < 0; round++) {   /* at most ~10 s */
        struct pollfd p = {tun, POLLIN, 0};
        if (poll(&p, 1, 100) == 1) {
            ssize_t n = read(tun, in, sizeof in);              /* one whole IP packet */
            CHECK(n > 0);
            int ihl = (in[0] & 15) * 4;
            if ((in[0] >> 4) != 4 || in[9] != 1 || in[ihl] != 8 || n < ihl + 8) { other++; continue; }
            if (replies == 0) {
                printf("request %zd bytes:", n);
                for (int i = 0; i < 28; i++) printf(" %02x", in[i]);
                printf(" ...\n");
            }
            size_t icmp_len = n - ihl;
            out[0] = 0x45; out[1] = 0;                         /* version 4, IHL 5, TOS */
            out[2] = (20 + icmp_len) >> 8; out[3] = (20 + icmp_len) & 0xff;
            out[4] = in[4]; out[5] = in[5];                    /* reuse the identification */
            out[6] = 0; out[7] = 0; out[8] = 64; out[9] = 1;   /* no fragments, TTL, ICMP */
            out[10] = out[11] = 0;
            memcpy(out + 12, in + 16, 4);                      /* source = their destination */
            memcpy(out + 16, in + 12, 4);                      /* destination = their source */
            uint16_t c = csum(out, 20);
            out[10] = c >> 8; out[11] = c & 0xff;
            out[20] = 0; out[21] = 0; out[22] = out[23] = 0;   /* echo reply, code 0 */
            memcpy(out + 24, in + ihl + 4, icmp_len - 4);      /* id, sequence, payload */
            c = csum(out + 20, icmp_len);
            out[22] = c >> 8; out[23] = c & 0xff;
            CHECK(write(tun, out, 20 + icmp_len) == (ssize_t)(20 + icmp_len));
            replies++;
            printf("echo seq %d answered (%zu-byte ICMP)\n", in[ihl + 6] << 8 | in[ihl + 7], icmp_len);
        }
        int st;
        if (waitpid(ping_pid, &st, WNOHANG) == ping_pid) { status = st; ping_pid = 0; }
    }
    printf("pinger exit status %d, replies written %d, other packets ignored %d\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1, replies, other);
    CHECK(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && replies == 3);
    close(tun);
    cleanup();
    snprintf(cmd, sizeof cmd, "/run/netns/%s", ns);
    CHECK(access(cmd, F_OK) != 0);
    printf("namespace %s deleted\n", ns);
    return 0;
}
