// caption: C 版 Reactor：epoll + 非阻塞 socket，按 fd 分发 accept_cb/recv_cb/send_cb，连接自带发送缓冲处理部分写；同一程序里 2 个客户端线程用 200 个回环连接压测并打印每秒请求数
// point: epoll封装send_cb/recv_cb/accept_cb
// timeout: 40
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 4096
#define CLIENT_THREADS 2
#define CONNS 100          /* per client thread */
#define ROUNDS 100         /* request/response round trips per connection */
#define MSG 64
#define BIG (1024 * 1024)  /* one large echo, read back only after it is all sent: partial writes */

typedef struct conn conn_t;
typedef void (*cb_t)(conn_t *);
struct conn {
    int fd;
    cb_t recv_cb, send_cb;
    char *wbuf;            /* bytes the kernel did not take yet */
    size_t wlen, wcap;
};

static int epfd, port, stop;
static conn_t *conns[MAXFD];
static long partial_writes, send_cb_calls, accepted;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_nonblock(int fd) { assert(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0); }

static void update_events(conn_t *c) {     /* EPOLLOUT only while wbuf holds data */
    struct epoll_event ev = {.events = EPOLLIN | (c->wlen ? EPOLLOUT : 0), .data.fd = c->fd};
    assert(epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0);
}

static void conn_close(conn_t *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conns[c->fd] = NULL;
    free(c->wbuf);
    free(c);
}

static void conn_send(conn_t *c, const char *p, size_t n) {
    size_t off = 0;
    if (c->wlen == 0) {                    /* nothing queued: try the kernel directly */
        ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno != EAGAIN) { conn_close(c); return; }
        off = k > 0 ? (size_t)k : 0;
        if (off == n) return;
        __atomic_fetch_add(&partial_writes, 1, __ATOMIC_RELAXED);
    }
    if (c->wlen + n - off > c->wcap) {
        c->wcap = (c->wlen + n - off) * 2;
        c->wbuf = realloc(c->wbuf, c->wcap);
        assert(c->wbuf);
    }
    memcpy(c->wbuf + c->wlen, p + off, n - off);
    c->wlen += n - off;
    update_events(c);
}

static void send_cb(conn_t *c) {
    __atomic_fetch_add(&send_cb_calls, 1, __ATOMIC_RELAXED);
    ssize_t k = send(c->fd, c->wbuf, c->wlen, MSG_NOSIGNAL);
    if (k < 0) { if (errno != EAGAIN) conn_close(c); return; }
    memmove(c->wbuf, c->wbuf + k, c->wlen - k);
    c->wlen -= k;
    if (c->wlen == 0) update_events(c);    /* drained: stop watching EPOLLOUT */
}

static void on_message(conn_t *c, const char *p, size_t n) { conn_send(c, p, n); }  /* business: echo */

static void recv_cb(conn_t *c) {
    char buf[16384];
    int fd = c->fd;
    for (;;) {                             /* drain until EAGAIN */
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) { on_message(c, buf, n); if (!conns[fd]) return; continue; }   /* closed by a failed send */
        if (n < 0 && errno == EAGAIN) return;
        conn_close(c);                     /* 0 = FIN, or an error */
        return;
    }
}

static void accept_cb(conn_t *lc) {
    for (int batch = 0; batch < 64; batch++) {   /* bounded: do not starve existing connections */
        int fd = accept4(lc->fd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) return;
        assert(fd < MAXFD);
        int small = 4096;                  /* small send buffer: the big echo cannot fit at once */
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        conn_t *c = calloc(1, sizeof *c);
        c->fd = fd, c->recv_cb = recv_cb, c->send_cb = send_cb;
        conns[fd] = c;
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        assert(epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0);
        accepted++;
    }
}

static void *server(void *arg) {
    (void)arg;
    struct epoll_event evs[256];
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        int n = epoll_wait(epfd, evs, 256, 50);
        for (int i = 0; i < n; i++) {      /* dispatch by fd */
            conn_t *c = conns[evs[i].data.fd];
            if (c && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) c->recv_cb(c);
            c = conns[evs[i].data.fd];     /* the read callback may have closed it */
            if (c && (evs[i].events & EPOLLOUT) && c->send_cb) c->send_cb(c);
        }
    }
    for (int fd = 0; fd < MAXFD; fd++) if (conns[fd]) conn_close(conns[fd]);
    return NULL;
}

static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

static void *client(void *arg) {           /* one epoll loop driving CONNS connections */
    long *done = arg;
    int ep = epoll_create1(0), fds[CONNS], got[CONNS] = {0}, rounds[CONNS] = {0}, active = CONNS;
    char msg[MSG], buf[MSG];
    memset(msg, 'a' + (int)(*done % 26), MSG);
    for (int i = 0; i < CONNS; i++) {
        fds[i] = dial();
        set_nonblock(fds[i]);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        assert(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0);
        assert(send(fds[i], msg, MSG, 0) == MSG);
    }
    double deadline = now() + 20;
    while (active && now() < deadline) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, 100);
        for (int e = 0; e < n; e++) {
            int i = evs[e].data.u32;
            ssize_t k = recv(fds[i], buf + got[i], MSG - got[i], 0);
            if (k <= 0) continue;
            if ((got[i] += k) < MSG) continue;
            assert(memcmp(buf, msg, MSG) == 0);           /* the echo is intact */
            got[i] = 0;
            if (++rounds[i] == ROUNDS) { active--; continue; }
            assert(send(fds[i], msg, MSG, 0) == MSG);
        }
    }
    *done = 0;
    for (int i = 0; i < CONNS; i++) { *done += rounds[i]; close(fds[i]); }
    close(ep);
    return NULL;
}

int main(void) {
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 512) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin_port);                /* a free port chosen by the kernel */
    epfd = epoll_create1(0);
    conn_t *lc = calloc(1, sizeof *lc);
    lc->fd = lfd, lc->recv_cb = accept_cb;
    conns[lfd] = lc;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    assert(epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) == 0);
    pthread_t st, ct[CLIENT_THREADS];
    pthread_create(&st, NULL, server, NULL);

    /* 1. one big echo the client reads only after sending it all: partial writes + send_cb */
    int fd = dial();
    char *big = malloc(BIG), *back = malloc(BIG);
    for (int i = 0; i < BIG; i++) big[i] = (char)(i * 7);
    size_t sent = 0, recvd = 0;
    while (sent < BIG) { ssize_t k = send(fd, big + sent, BIG - sent, 0); assert(k > 0); sent += k; }
    while (recvd < BIG) { ssize_t k = recv(fd, back + recvd, BIG - recvd, 0); assert(k > 0); recvd += k; }
    assert(memcmp(big, back, BIG) == 0);
    close(fd);
    free(big), free(back);
    printf("big echo %d KB intact: partial writes %ld, send_cb calls %ld\n", BIG / 1024,
           __atomic_load_n(&partial_writes, __ATOMIC_RELAXED), __atomic_load_n(&send_cb_calls, __ATOMIC_RELAXED));
    assert(__atomic_load_n(&send_cb_calls, __ATOMIC_RELAXED) > 0 && __atomic_load_n(&partial_writes, __ATOMIC_RELAXED) > 0);

    /* 2. many connections, small request/response round trips */
    long done[CLIENT_THREADS];
    double t0 = now();
    for (int i = 0; i < CLIENT_THREADS; i++) { done[i] = i; pthread_create(&ct[i], NULL, client, &done[i]); }
    long total = 0;
    for (int i = 0; i < CLIENT_THREADS; i++) { pthread_join(ct[i], NULL); total += done[i]; }
    double el = now() - t0;
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(st, NULL);
    close(epfd);
    printf("%d connections x %d round trips of %d bytes: %ld echoed in %.2f s = %.0f requests/s\n",
           CLIENT_THREADS * CONNS, ROUNDS, MSG, total, el, total / el);
    printf("server accepted %ld connections on one thread\n", accepted);
    assert(total == (long)CLIENT_THREADS * CONNS * ROUNDS);
    assert(accepted == 1 + CLIENT_THREADS * CONNS);
    return 0;
}
