// caption: 压测：一个 epoll msg_server，200 个模拟客户端（2 个压测线程各自 epoll 管 100 个连接）各发 100 条单聊，窗口 1 和 8 各跑一轮，统计每秒消息数、延迟分位数，核对每条恰好送达一次且按序
// point: IM项目性能压测
// timeout: 40
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NCLI 200
#define NMSG 100
#define MAXFD 4096
enum { LOGIN = 1, LOGIN_OK, MSG, ACK, PUSH };
struct body { uint32_t from, to, seq; uint64_t ts; } __attribute__((packed));
#define PKT (16 + (int)sizeof(struct body))

static uint64_t now_ns(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
static void make(uint8_t *p, uint16_t cid, const struct body *b) {
    uint32_t len = htonl(PKT); uint16_t h[6] = {htons(1), 0, htons(3), htons(cid), 0, 0};
    memcpy(p, &len, 4); memcpy(p + 4, h, 12); memcpy(p + 16, b, sizeof *b);
}
static uint16_t cid_of(const uint8_t *p) { uint16_t c; memcpy(&c, p + 10, 2); return ntohs(c); }

/* ---- server: one epoll loop; output buffers so a slow reader never blocks the loop ---- */
struct conn { uint32_t uid; uint8_t in[4096]; size_t inn; uint8_t *out; size_t outn, outcap; };
static struct conn *conns[MAXFD];
static int uid_fd[NCLI + 1], sep, lfd, port;
static void queue_out(int fd, const uint8_t *p, size_t n) {
    struct conn *c = conns[fd];
    if (c->outn == 0) {                                   /* fast path: try to write right away */
        ssize_t k = write(fd, p, n);
        if (k == (ssize_t)n) return;
        if (k < 0) { assert(errno == EAGAIN); k = 0; }
        p += k; n -= (size_t)k;
    }
    if (c->outn + n > c->outcap) { c->outcap = (c->outn + n) * 2; c->out = realloc(c->out, c->outcap); }
    memcpy(c->out + c->outn, p, n); c->outn += n;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
    epoll_ctl(sep, EPOLL_CTL_MOD, fd, &ev);              /* ask to be told when it can take more */
}
static void *server(void *arg) {
    (void)arg; struct epoll_event evs[128];
    for (;;) {
        int n = epoll_wait(sep, evs, 128, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;                          /* small packets: no Nagle delay */
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[c] = calloc(1, sizeof(struct conn));
                    struct epoll_event ev = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(sep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            struct conn *c = conns[fd];
            if (evs[i].events & EPOLLOUT) {
                ssize_t k = write(fd, c->out, c->outn);
                if (k > 0) { memmove(c->out, c->out + k, c->outn - (size_t)k); c->outn -= (size_t)k; }
                if (c->outn == 0) { struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd}; epoll_ctl(sep, EPOLL_CTL_MOD, fd, &ev); }
            }
            if (!(evs[i].events & (EPOLLIN | EPOLLHUP))) continue;
            ssize_t k = read(fd, c->in + c->inn, sizeof c->in - c->inn);
            if (k == 0 || (k < 0 && errno != EAGAIN)) {
                epoll_ctl(sep, EPOLL_CTL_DEL, fd, NULL); close(fd);
                free(c->out); free(c); conns[fd] = NULL; continue;
            }
            if (k < 0) continue;
            c->inn += (size_t)k;
            size_t off = 0;
            while (c->inn - off >= (size_t)PKT) {           /* fixed-size packets in this bench */
                uint8_t *p = c->in + off, out[PKT]; struct body b; memcpy(&b, p + 16, sizeof b);
                if (cid_of(p) == LOGIN) { c->uid = b.from; uid_fd[b.from] = fd; make(out, LOGIN_OK, &b); queue_out(fd, out, PKT); }
                else if (cid_of(p) == MSG) {
                    make(out, PUSH, &b); queue_out(uid_fd[b.to], out, PKT);   /* push to the receiver */
                    make(out, ACK, &b); queue_out(fd, out, PKT);              /* then ack the sender */
                }
                off += PKT;
            }
            memmove(c->in, c->in + off, c->inn - off); c->inn -= off;
        }
    }
    return NULL;
}

/* ---- bench: each thread drives half of the clients through its own epoll ---- */
struct cli { int fd; uint32_t uid, peer, sent, acked, expect, got_from[NCLI + 1]; uint8_t in[4096]; size_t inn; };
static int window;
static struct cli cl[NCLI + 1];
static uint64_t *lat; static long nlat, order_errors;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t logged_in;
static void send_msg(struct cli *c) {
    uint8_t p[PKT]; struct body b = {c->uid, c->peer, ++c->sent, now_ns()};
    make(p, MSG, &b); assert(write(c->fd, p, PKT) == PKT);
}
static void *bench(void *arg) {
    int first = (int)(long)arg * NCLI / 2 + 1, last = first + NCLI / 2 - 1, ep = epoll_create1(0);
    uint64_t *mylat = malloc(sizeof(uint64_t) * NCLI * NMSG); long mine = 0, bad = 0;
    for (int u = first; u <= last; u++) {
        struct cli *c = &cl[u];
        c->uid = (uint32_t)u; c->peer = (uint32_t)(u * 7 % NCLI + 1);     /* a fixed, spread-out peer */
        if (c->peer == c->uid) c->peer = c->uid % NCLI + 1;
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert(connect(c->fd, (struct sockaddr *)&a, sizeof a) == 0);
        uint8_t p[PKT]; struct body b = {c->uid, 0, 0, 0}; make(p, LOGIN, &b);
        assert(write(c->fd, p, PKT) == PKT && read(c->fd, p, PKT) == PKT && cid_of(p) == LOGIN_OK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)u};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    pthread_barrier_wait(&logged_in);                     /* everyone online before the first message */
    for (int u = first; u <= last; u++)                   /* how many pushes each of mine should get */
        for (int s = 1; s <= NCLI; s++) if (cl[s].peer == (uint32_t)u) cl[u].expect += NMSG;
    for (int u = first; u <= last; u++) for (int w = 0; w < window; w++) send_msg(&cl[u]);
    long done = 0;                                        /* a client is done: all acked and all its pushes in */
    struct epoll_event evs[64];
    for (int rounds = 0; done < NCLI / 2 && rounds < 1000000; rounds++) {
        int n = epoll_wait(ep, evs, 64, 5000);
        assert(n > 0);
        for (int i = 0; i < n; i++) {
            struct cli *c = &cl[evs[i].data.u32];
            ssize_t k = read(c->fd, c->in + c->inn, sizeof c->in - c->inn);
            assert(k > 0); c->inn += (size_t)k;
            size_t off = 0;
            while (c->inn - off >= (size_t)PKT) {
                uint8_t *p = c->in + off; struct body b; memcpy(&b, p + 16, sizeof b);
                if (cid_of(p) == ACK) { c->acked++; if (c->sent < NMSG) send_msg(c); }
                else if (cid_of(p) == PUSH) {
                    if (b.seq != c->got_from[b.from] + 1) bad++;   /* per-sender order, no gap, no dup */
                    c->got_from[b.from] = b.seq;
                    mylat[mine++] = now_ns() - b.ts;
                }
                off += PKT;
            }
            memmove(c->in, c->in + off, c->inn - off); c->inn -= off;
        }
        done = 0;
        for (int u = first; u <= last; u++) {
            uint32_t got = 0;
            for (int s = 1; s <= NCLI; s++) got += cl[u].got_from[s];
            if (cl[u].acked == NMSG && got == cl[u].expect) done++;
        }
    }
    pthread_mutex_lock(&mu);
    memcpy(lat + nlat, mylat, sizeof(uint64_t) * (size_t)mine); nlat += mine; order_errors += bad;
    pthread_mutex_unlock(&mu);
    for (int u = first; u <= last; u++) close(cl[u].fd);
    free(mylat); close(ep);
    return NULL;
}
static int cmp(const void *a, const void *b) { uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b; return x < y ? -1 : x > y; }

static double run(int w, double *p50) {                   /* one closed-loop round; returns messages/s */
    memset(cl, 0, sizeof cl); nlat = 0; order_errors = 0; window = w;
    pthread_t b[2];
    pthread_barrier_init(&logged_in, NULL, 3);
    for (long i = 0; i < 2; i++) pthread_create(&b[i], NULL, bench, (void *)i);
    pthread_barrier_wait(&logged_in);
    uint64_t t0 = now_ns();
    for (int i = 0; i < 2; i++) pthread_join(b[i], NULL);
    double secs = (double)(now_ns() - t0) / 1e9;
    pthread_barrier_destroy(&logged_in);
    qsort(lat, (size_t)nlat, sizeof *lat, cmp);
    *p50 = (double)lat[nlat / 2] / 1e3;
    double p99 = (double)lat[nlat * 99 / 100] / 1e3;
    printf("window %d: %ld delivered in %.2f s = %.0f messages/s; latency p50 %.0f us, p99 %.0f us; "
           "in order, exactly once: %s\n", w, nlat, secs, (double)nlat / secs, *p50, p99, order_errors ? "NO" : "yes");
    assert(nlat == NCLI * NMSG && order_errors == 0 && p99 >= *p50);
    return (double)nlat / secs;
}

int main(void) {
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET}; socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 1024) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al); port = ntohs(a.sin_port);
    sep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(sep, EPOLL_CTL_ADD, lfd, &ev);
    lat = malloc(sizeof(uint64_t) * NCLI * NMSG);
    pthread_t s;
    pthread_create(&s, NULL, server, NULL); pthread_detach(s);
    printf("%d clients x %d messages, each to a fixed peer, 2 bench threads, 1 server thread\n", NCLI, NMSG);
    double lat1, lat8;
    run(1, &lat1);
    run(8, &lat8);
    /* Little's law: 8x more messages in flight through the same server means longer queues */
    assert(lat8 > 1.5 * lat1);
    free(lat);
    return 0;
}
