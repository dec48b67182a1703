// caption: 百万连接的账单：在回环上建 4000 条空闲 TCP 连接挂进一个 epoll，从 /proc/slabinfo 量出每个 socket 的内核内存，再只让 100 条变活跃
// point: reactor百万并发模型
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static long slab_bytes(void) {   /* kernel objects a TCP socket + fd + epoll item need; -1 if unreadable */
    const char *caches[] = {"TCP", "sock_inode_cache", "filp", "dentry", "eventpoll_epi"};
    FILE *f = fopen("/proc/slabinfo", "r");
    if (!f) return -1;
    char line[512], name[64];
    long total = 0, active, num, size;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %ld %ld %ld", name, &active, &num, &size) == 4)
            for (size_t i = 0; i < sizeof caches / sizeof *caches; i++)
                if (strcmp(name, caches[i]) == 0) total += active * size;
    fclose(f);
    return total;
}

static long read_long(const char *path) {
    FILE *f = fopen(path, "r");
    long v = -1;
    if (f) { assert(fscanf(f, "%ld", &v) == 1); fclose(f); }
    return v;
}

int main(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;                            /* the first limit on the way to 1M: open files */
    setrlimit(RLIMIT_NOFILE, &rl);
    int n = 4000;
    if ((long)rl.rlim_cur < 2 * n + 64) n = ((int)rl.rlim_cur - 64) / 2;
    printf("RLIMIT_NOFILE %ld -> %d connections (%d sockets)\n", (long)rl.rlim_cur, n, 2 * n);

    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 1024) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    int ep = epoll_create1(0);
    int *cli = calloc((size_t)n, sizeof *cli), *srv = calloc((size_t)n, sizeof *srv);
    long before = slab_bytes();
    for (int i = 0; i < n; i++) {
        cli[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert(cli[i] >= 0 && connect(cli[i], (struct sockaddr *)&a, sizeof a) == 0);
        srv[i] = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        assert(srv[i] >= 0);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
        assert(epoll_ctl(ep, EPOLL_CTL_ADD, srv[i], &ev) == 0);
    }
    long after = slab_bytes();
    if (before >= 0) {
        double per = (double)(after - before) / (2.0 * n);
        printf("kernel slab growth: %.1f MB for %d sockets = %.0f bytes per socket\n",
               (double)(after - before) / 1e6, 2 * n, per);
        printf("1M server-side connections would need about %.1f GB of kernel memory before any buffer is used\n",
               per * 1e6 / 1e9);
        assert(per > 1000 && per < 20000);
    } else {
        printf("/proc/slabinfo not readable here: memory not measured\n");
    }

    struct epoll_event evs[256];
    assert(epoll_wait(ep, evs, 256, 0) == 0);              /* thousands idle: nothing to report */
    for (int i = 0; i < 100; i++) assert(write(cli[i * (n / 100)], "x", 1) == 1);
    int ready = 0;
    for (int round = 0; round < 50 && ready < 100; round++) ready += epoll_wait(ep, evs, 256, 100);
    printf("%d registered, 100 written to -> epoll_wait returned %d ready\n", n, ready);
    assert(ready == 100);
    long lo = 0, hi = -1;
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) { assert(fscanf(f, "%ld %ld", &lo, &hi) == 2); fclose(f); }
    printf("other limits: fs.nr_open %ld, fs.file-max %ld, client ports per (src ip, dst ip:port) %ld\n",
           read_long("/proc/sys/fs/nr_open"), read_long("/proc/sys/fs/file-max"), hi - lo + 1);
    for (int i = 0; i < n; i++) { close(cli[i]); close(srv[i]); }
    free(cli); free(srv); close(ep); close(lfd);
    return 0;
}
