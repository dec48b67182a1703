// caption: C 版万级并发：把 RLIMIT_NOFILE 软限制提到硬限制，单线程 epoll 服务器与 8000 个回环客户端连接逐个回显；从 /proc/net/sockstat 读出 TCP 套接字数的增量，从 /proc/slabinfo 读出每个 TCP 套接字的内核对象大小，估算内核内存/连接，与进程 RSS 的增量对照
// exclusive: yes
// point: ulimit的fd的百万级别支持
// timeout: 60
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define N 8000

static long sockstat_tcp_inuse(void) {            /* "TCP: inuse X ..." (per network namespace) */
    FILE *f = fopen("/proc/net/sockstat", "r");
    char line[256];
    long v = -1;
    while (fgets(line, sizeof line, f)) if (sscanf(line, "TCP: inuse %ld", &v) == 1) break;
    fclose(f);
    return v;
}

static long slab_objsize(const char *name) {      /* object size column of /proc/slabinfo (root only) */
    FILE *f = fopen("/proc/slabinfo", "r");
    if (!f) return -1;
    char line[512], n[64];
    long active, total, size = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %ld %ld %ld", n, &active, &total, &size) == 4 && !strcmp(n, name)) break;
        else size = -1;
    fclose(f);
    return size;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    while (fgets(line, sizeof line, f)) if (sscanf(line, "VmRSS: %ld", &v) == 1) break;
    fclose(f);
    return v;
}

int main(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    long soft = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;                      /* an unprivileged process may raise soft up to hard */
    assert(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    printf("RLIMIT_NOFILE soft %ld -> %ld (hard)\n", soft, (long)rl.rlim_cur);
    if ((long)rl.rlim_cur < 2 * N + 64) { printf("hard limit too low for %d connections: skipped\n", N); return 0; }

    long tcp0 = sockstat_tcp_inuse(), rss0 = rss_kb();
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 4096) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)-1};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    static int cli[N];
    int accepted = 0, echoed = 0, verified = 0;
    int created = 0;
    static char sent[N];
    for (int rounds = 0; verified < N && rounds < 100000; rounds++) {   /* one epoll drives both sides */
        for (int b = 0; b < 256 && created < N && created - accepted < 2048; b++, created++) {
            int i = created;                        /* clients in batches: never overflow the accept queue */
            cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assert(cli[i] >= 0);
            int rc = connect(cli[i], (struct sockaddr *)&a, sizeof a);
            assert(rc == 0 || errno == EINPROGRESS);
            struct epoll_event ce = {.events = EPOLLOUT | EPOLLONESHOT, .data.u64 = (uint64_t)i << 1 | 1};
            epoll_ctl(ep, EPOLL_CTL_ADD, cli[i], &ce);
        }
        struct epoll_event evs[512];
        int n = epoll_wait(ep, evs, 512, 1000);
        assert(n > 0);
        for (int e = 0; e < n; e++) {
            uint64_t d = evs[e].data.u64;
            if (d == (uint64_t)-1) {                /* accept everything queued */
                int s;
                while ((s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event se = {.events = EPOLLIN, .data.u64 = (uint64_t)s << 1};
                    epoll_ctl(ep, EPOLL_CTL_ADD, s, &se);
                    accepted++;
                }
            } else if (!(d & 1)) {                  /* server side: echo */
                int s = d >> 1;
                char buf[16];
                ssize_t k = recv(s, buf, sizeof buf, 0);
                if (k > 0) { assert(send(s, buf, k, 0) == k); echoed++; }
            } else {                                /* client side */
                int i = d >> 1;
                if (!sent[i]) {
                    assert(send(cli[i], &i, 4, 0) == 4);
                    sent[i] = 1;
                    struct epoll_event ce = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = d};
                    epoll_ctl(ep, EPOLL_CTL_MOD, cli[i], &ce);
                } else {
                    int back = -1;
                    assert(recv(cli[i], &back, 4, 0) == 4 && back == i);   /* its own id came back */
                    verified++;
                }
            }
        }
    }
    long tcp1 = sockstat_tcp_inuse(), rss1 = rss_kb();
    long tcp = slab_objsize("TCP"), inode = slab_objsize("sock_inode_cache"), epi = slab_objsize("eventpoll_epi");
    printf("%d connections: accepted %d, echoed %d, verified %d, all in one thread with one epoll\n", N, accepted,
           echoed, verified);
    printf("/proc/net/sockstat TCP inuse: %ld -> %ld (+%ld: a client and a server socket per connection)\n",
           tcp0, tcp1, tcp1 - tcp0);
    if (tcp > 0)
        printf("slab object sizes: TCP %ld + sock_inode_cache %ld + eventpoll_epi %ld bytes = ~%.1f KB kernel per socket "
               "(buffers extra, only while data is queued)\n", tcp, inode, epi, (tcp + inode + epi) / 1024.0);
    printf("process RSS grew by %ld KB = %.0f bytes per connection (fds and epoll items live in the kernel)\n",
           rss1 - rss0, (rss1 - rss0) * 1024.0 / N);
    assert(accepted == N && verified == N && tcp1 - tcp0 >= 2 * N);
    for (int i = 0; i < N; i++) close(cli[i]);
    return 0;                                       /* exit closes the server sockets */
}
