// caption: 两个自建网络命名空间之间连一对 veth（两个 net_device 互为对端）：发 1000 个 UDP 数据报，发送端 tx 计数、接收端 rx 计数和 NET_RX 软中断同时增长，sysfs 的 iflink 和 ip -d 读出对端 ifindex 与链路类型 veth
// point: 网络结构体 net_device/net_device_ops
// timeout: 20
// needs: root
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 1000
static char nsa[48], nsb[48];
static pid_t child;
static void cleanup(void) {
    char cmd[160];
    if (child > 0) { kill(child, SIGKILL); waitpid(child, NULL, 0); child = 0; }
    snprintf(cmd, sizeof cmd, "ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", nsa, nsb);
    if (system(cmd)) {}
}
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); \
    cleanup(); exit(1); } } while (0)

static void enter(const char *ns) {
    char path[96];
    snprintf(path, sizeof path, "/run/netns/%s", ns);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0 && setns(fd, CLONE_NEWNET) == 0);
    close(fd);
}
static void dev_counters(const char *dev, unsigned long long *rx, unsigned long long *tx) {
    char line[512];                                    /* /proc/net/dev is per netns */
    FILE *f = fopen("/proc/self/net/dev", "r");
    CHECK(f);
    *rx = *tx = 0;
    while (fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':'), *p = line;
        if (!c) continue;
        while (*p == ' ') p++;
        if (strncmp(p, dev, strlen(dev)) || p + strlen(dev) != c) continue;
        unsigned long long v[10];
        CHECK(sscanf(c + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                     &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) == 10);
        *rx = v[1]; *tx = v[9];                        /* rx packets, tx packets */
    }
    fclose(f);
}
static unsigned long long net_rx_softirqs(void) {
    char line[1024];
    unsigned long long sum = 0;
    FILE *f = fopen("/proc/softirqs", "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "NET_RX:"))
            for (char *p = strchr(line, ':') + 1, *e; ; p = e) {
                unsigned long long v = strtoull(p, &e, 10);
                if (e == p) break;
                sum += v;
            }
    if (f) fclose(f);
    return sum;
}

int main(void) {
    char cmd[1024];
    snprintf(nsa, sizeof nsa, "atlas-va-%d", getpid());
    snprintf(nsb, sizeof nsb, "atlas-vb-%d", getpid());
    snprintf(cmd, sizeof cmd, "ip netns add %s && ip netns add %s && "
             "ip link add va netns %s type veth peer name vb netns %s && "
             "ip -n %s addr add 10.88.0.1/24 dev va && ip -n %s link set va up && "
             "ip -n %s addr add 10.88.0.2/24 dev vb && ip -n %s link set vb up",
             nsa, nsb, nsa, nsb, nsa, nsa, nsb, nsb);
    CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "ip netns exec %s sh -c 'echo va: ifindex $(cat /sys/class/net/va/ifindex)"
             " iflink $(cat /sys/class/net/va/iflink) kind $(ip -d -o link show va | grep -o veth | head -1)'; "
             "ip netns exec %s sh -c 'echo vb: ifindex $(cat /sys/class/net/vb/ifindex)"
             " iflink $(cat /sys/class/net/vb/iflink)'", nsa, nsb);
    fflush(stdout);
    CHECK(system(cmd) == 0);

    int ready[2];
    CHECK(pipe(ready) == 0);
    child = fork();
    if (child == 0) {                                  /* receiver inside namespace B */
        enter(nsb);
        int s = socket(AF_INET, SOCK_DGRAM, 0), big = 4 << 20;
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9999)};
        inet_pton(AF_INET, "10.88.0.2", &a.sin_addr);
        struct timeval tv = {3, 0};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (bind(s, (struct sockaddr *)&a, sizeof a) || write(ready[1], "r", 1) != 1) _exit(2);
        int got = 0;
        char buf[512];
        while (got < N && recv(s, buf, sizeof buf, 0) == 200) got++;
        unsigned long long rx, tx;
        dev_counters("vb", &rx, &tx);
        printf("B: received %d datagrams; vb counters rx_packets=%llu tx_packets=%llu\n", got, rx, tx);
        fflush(stdout);
        _exit(got == N ? 0 : 3);
    }
    char r;
    CHECK(read(ready[0], &r, 1) == 1);
    enter(nsa);
    unsigned long long rx0, tx0, rx1, tx1, soft0 = net_rx_softirqs();
    dev_counters("va", &rx0, &tx0);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9999)};
    inet_pton(AF_INET, "10.88.0.2", &to.sin_addr);
    char msg[200] = "via veth";
    CHECK(sendto(s, msg, sizeof msg, 0, (struct sockaddr *)&to, sizeof to) == sizeof msg);
    usleep(100000);                                    /* first one waits for ARP */
    for (int i = 1; i < N; i++) {
        CHECK(sendto(s, msg, sizeof msg, 0, (struct sockaddr *)&to, sizeof to) == sizeof msg);
        if (i % 50 == 0) usleep(2000);                 /* stay under netdev_max_backlog */
    }
    int st;
    CHECK(waitpid(child, &st, 0) == child);
    child = 0;
    dev_counters("va", &rx1, &tx1);
    unsigned long long soft1 = net_rx_softirqs();
    printf("A: sent %d datagrams; va tx_packets +%llu (UDP + ARP), rx_packets +%llu; NET_RX softirqs +%llu\n",
           N, tx1 - tx0, rx1 - rx0, soft1 - soft0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(tx1 - tx0 >= N && soft1 > soft0);
    cleanup();
    printf("namespaces deleted (the veth pair goes with them)\n");
    return 0;
}
