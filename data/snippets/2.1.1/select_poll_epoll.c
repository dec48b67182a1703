// caption: C 版 select/poll/epoll 的扩展性：监听 100、1000、10000 个 eventfd，其中只有 10 个就绪，测每次调用的耗时（零超时）；三者报告的就绪集合相同，select/poll 随监听数线性增长，epoll 只与就绪数有关；fd 编号到 1024 的 select 受 FD_SETSIZE 限制
// point: 多路复用select/poll
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }

int main(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    int sizes[] = {100, 1000, 10000};
    double t_sel[3] = {0}, t_poll[3], t_ep[3];
    printf("%8s %12s %12s %12s   (10 ready, ns per call)\n", "watched", "select", "poll", "epoll");
    for (int s = 0; s < 3; s++) {
        int n = sizes[s];
        if ((long)rl.rlim_cur < n + 16) { printf("RLIMIT_NOFILE %ld too low for %d fds\n", (long)rl.rlim_cur, n); return 0; }
        int *fd = malloc(n * sizeof(int));
        int ep = epoll_create1(0);
        struct pollfd *pf = malloc(n * sizeof *pf);
        struct epoll_event evs[64];
        for (int i = 0; i < n; i++) {
            fd[i] = eventfd(0, EFD_NONBLOCK);
            pf[i] = (struct pollfd){fd[i], POLLIN, 0};
            struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd[i]};
            epoll_ctl(ep, EPOLL_CTL_ADD, fd[i], &ev);
        }
        for (int i = 0; i < n; i += n / 10) { uint64_t one = 1; assert(write(fd[i], &one, 8) == 8); }   /* 10 ready */
        int can_select = fd[n - 1] < FD_SETSIZE;        /* select cannot even express fd numbers >= 1024 */
        int rounds = 100000 / n + 20, r_sel = 0, r_poll = 0, r_ep = 0;
        double best[3] = {1e18, 1e18, 1e18};            /* best of 5 batches: a preempted batch does not count */
        for (int batch = 0; batch < 5; batch++) {
            double t0 = now_ns();
            for (int k = 0; can_select && k < rounds; k++) {
                fd_set set;
                FD_ZERO(&set);                          /* rebuilt every call: it is overwritten */
                for (int i = 0; i < n; i++) FD_SET(fd[i], &set);
                struct timeval tv = {0, 0};
                r_sel = select(fd[n - 1] + 1, &set, NULL, NULL, &tv);
            }
            double t1 = now_ns();
            for (int k = 0; k < rounds; k++) r_poll = poll(pf, n, 0);
            double t2 = now_ns();
            for (int k = 0; k < rounds; k++) r_ep = epoll_wait(ep, evs, 64, 0);
            double t3 = now_ns();
            double v[3] = {t1 - t0, t2 - t1, t3 - t2};
            for (int j = 0; j < 3; j++) if (v[j] < best[j]) best[j] = v[j];
        }
        double t0 = 0, t1 = best[0], t2 = t1 + best[1], t3 = t2 + best[2];   /* per-method times as offsets */
        assert((!can_select || r_sel == 10) && r_poll == 10 && r_ep == 10);   /* the same ready set size */
        for (int e = 0; e < r_ep; e++) {                /* and the same fds */
            int idx = -1;
            for (int i = 0; i < n; i++) if (fd[i] == evs[e].data.fd) idx = i;
            assert(idx % (n / 10) == 0 && (pf[idx].revents & POLLIN));
        }
        t_sel[s] = can_select ? (t1 - t0) / rounds : 0;
        t_poll[s] = (t2 - t1) / rounds, t_ep[s] = (t3 - t2) / rounds;
        if (can_select) printf("%8d %12.0f %12.0f %12.0f\n", n, t_sel[s], t_poll[s], t_ep[s]);
        else printf("%8d %12s %12.0f %12.0f   (fd numbers reach %d > FD_SETSIZE %d)\n", n, "n/a", t_poll[s], t_ep[s],
                    fd[n - 1], FD_SETSIZE);
        for (int i = 0; i < n; i++) close(fd[i]);
        close(ep), free(fd), free(pf);
    }
    assert(t_poll[2] > 10 * t_poll[0] && t_sel[1] > 3 * t_sel[0]);   /* O(watched) */
    assert(t_ep[2] < 3 * t_ep[0]);                                    /* O(ready) */
    assert(t_ep[2] * 5 < t_poll[2]);
    return 0;
}
