// caption: 在网络命名空间里用 nftables 搭出四种 NAT（完全锥型、IP 限制锥型、端口限制锥型、对称型），再用仿 RFC 3489 的探测逻辑（自定义的小 UDP 协议）逐一识别
// point: 代码逻辑实现NAT类型检测
// timeout: 40
// needs: root
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* lan 192.168.1.2 -- [nat: in0 192.168.1.1 | out0 10.0.1.1] -- wan 10.0.1.254; server IPs A1, A2 on wan's lo */
#define A1 "10.0.0.100"
#define A2 "10.0.0.101"
#define P1 3478
#define P2 3479
enum { FULL, RESTRICTED, PORT_RESTRICTED, SYMMETRIC, NTYPES };
static const char *names[] = {"full cone", "restricted cone", "port-restricted cone", "symmetric"};
static char lan[32], nat[32], wan[32];
static pid_t server_pid, parent;
/* CHECK() would abort without running atexit: this exits, so the namespaces are always removed */
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed at line %d: %s\n", __LINE__, #c); exit(1); } } while (0)

static int sh(const char *fmt, ...) {
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void cleanup(void) {
    if (getpid() != parent) return;                    /* children never tear down */
    if (server_pid > 0) { kill(server_pid, SIGKILL); waitpid(server_pid, NULL, 0); }
    sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", lan, nat, wan);
}

static void enter(const char *ns) {
    char path[64];
    snprintf(path, sizeof path, "/run/netns/%s", ns);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0 && setns(fd, CLONE_NEWNET) == 0);
    close(fd);
}

static int udp_bind(const char *ip, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    return s;
}

/* request: [txid][flags: 1 change IP, 2 change port]; reply: [txid][mapped ip 4][mapped port 2] */
static void server(void) {
    enter(wan);
    int s[4] = {udp_bind(A1, P1), udp_bind(A1, P2), udp_bind(A2, P1), udp_bind(A2, P2)}; /* index = ip*2+port */
    struct pollfd pf[4];
    for (int i = 0; i < 4; i++) pf[i] = (struct pollfd){.fd = s[i], .events = POLLIN};
    for (int rounds = 0; rounds < 1000 && poll(pf, 4, 30000) > 0; rounds++)
        for (int i = 0; i < 4; i++) {
            if (!(pf[i].revents & POLLIN)) continue;
            unsigned char req[2], rsp[7];
            struct sockaddr_in from;
            socklen_t fl = sizeof from;
            if (recvfrom(s[i], req, sizeof req, 0, (struct sockaddr *)&from, &fl) != 2) continue;
            rsp[0] = req[0];
            memcpy(rsp + 1, &from.sin_addr, 4);
            memcpy(rsp + 5, &from.sin_port, 2);
            int out = i ^ ((req[1] & 1) ? 2 : 0) ^ ((req[1] & 2) ? 1 : 0);
            sendto(s[out], rsp, sizeof rsp, 0, (struct sockaddr *)&from, fl);
        }
    _exit(0);
}

/* one test: 3 tries, 300 ms each; returns 1 and the mapped endpoint if a reply came */
static int test(int s, const char *ip, int port, int flags, char *mapped) {
    static unsigned char txid;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &to.sin_addr);
    unsigned char req[2] = {++txid, (unsigned char)flags}, rsp[7];
    for (int tries = 0; tries < 3; tries++) {
        sendto(s, req, 2, 0, (struct sockaddr *)&to, sizeof to);
        struct pollfd pf = {.fd = s, .events = POLLIN};
        while (poll(&pf, 1, 300) > 0)
            if (recv(s, rsp, sizeof rsp, 0) == 7 && rsp[0] == txid) {
                char a[INET_ADDRSTRLEN];
                unsigned short p;
                memcpy(&p, rsp + 5, 2);
                inet_ntop(AF_INET, rsp + 1, a, sizeof a);
                snprintf(mapped, 32, "%s:%d", a, ntohs(p));
                return 1;
            }
    }
    strcpy(mapped, "-");
    return 0;
}

static int detect(int local_port) {
    enter(lan);
    int s = udp_bind("0.0.0.0", local_port);
    char m1[32], m2[32], tmp[32];
    int t1 = test(s, A1, P1, 0, m1);                   /* test I: mapped address seen by A1:P1 */
    CHECK(t1);
    int t2 = test(s, A1, P1, 3, tmp);                  /* test II: reply from A2:P2 (never contacted) */
    test(s, A2, P1, 0, m2);                            /* test I': same socket, other server IP */
    int t3 = t2 ? 1 : test(s, A1, P1, 2, tmp);         /* test III: reply from A1:P2 (IP known, port not) */
    int type = t2 ? FULL : strcmp(m1, m2) ? SYMMETRIC : t3 ? RESTRICTED : PORT_RESTRICTED;
    printf("  local :%d  I->%s  II=%d  I'->%s  III=%d  => %s\n", local_port, m1, t2, m2, t3, names[type]);
    fflush(stdout);
    return type;
}

static const char *rules[] = {
    [FULL] = "oifname out0 masquerade; }; chain pre { type nat hook prerouting priority -100;"
             " iifname out0 udp dport 1024-65535 dnat to 192.168.1.2;",
    [RESTRICTED] = "oifname out0 update @seen { ip daddr } masquerade; }; chain pre { type nat hook prerouting"
                   " priority -100; iifname out0 ip saddr @seen udp dport 1024-65535 dnat to 192.168.1.2;",
    [PORT_RESTRICTED] = "oifname out0 masquerade;",     /* plain Linux conntrack NAT */
    [SYMMETRIC] = "oifname out0 masquerade fully-random;", /* new random port per 5-tuple */
};

int main(void) {
    snprintf(lan, sizeof lan, "nd%d-lan", getpid());
    snprintf(nat, sizeof nat, "nd%d-nat", getpid());
    snprintf(wan, sizeof wan, "nd%d-wan", getpid());
    parent = getpid();
    atexit(cleanup);
    int rc = sh("set -e; for n in %s %s %s; do ip netns add $n; ip -n $n link set lo up; done\n"
                "ip -n %s link add eth0 type veth peer name in0 netns %s\n"
                "ip -n %s link add out0 type veth peer name a0 netns %s\n"
                "ip -n %s addr add 192.168.1.2/24 dev eth0; ip -n %s link set eth0 up\n"
                "ip -n %s route add default via 192.168.1.1\n"
                "ip -n %s addr add 192.168.1.1/24 dev in0; ip -n %s addr add 10.0.1.1/24 dev out0\n"
                "ip -n %s link set in0 up; ip -n %s link set out0 up; ip -n %s route add default via 10.0.1.254\n"
                "ip -n %s addr add 10.0.1.254/24 dev a0; ip -n %s link set a0 up\n"
                "ip -n %s addr add " A1 "/32 dev lo; ip -n %s addr add " A2 "/32 dev lo\n"
                "ip netns exec %s sysctl -qw net.ipv4.ip_forward=1",
                lan, nat, wan, lan, nat, nat, wan, lan, lan, lan, nat, nat, nat, nat, nat, wan, wan, wan, wan, nat);
    CHECK(rc == 0);
    fflush(stdout);
    if ((server_pid = fork()) == 0) server();
    for (int t = 0; t < NTYPES; t++) {
        /* the NAT box accepts nothing for itself: unsolicited packets die before conntrack confirms them */
        rc = sh("ip netns exec %s nft 'flush ruleset; table ip box { set seen { type ipv4_addr; flags dynamic,timeout;"
                " timeout 1m; }; chain input { type filter hook input priority 0; policy drop; };"
                " chain post { type nat hook postrouting priority 100; %s }; }'", nat, rules[t]);
        CHECK(rc == 0);
        printf("NAT box configured as %s\n", names[t]);
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) { fflush(stdout); _exit(detect(40000 + t)); }
        int st;
        waitpid(c, &st, 0);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == t);
    }
    puts("all four NAT types detected as configured");
    return 0;
}
