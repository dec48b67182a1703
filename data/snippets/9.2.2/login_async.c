// caption: 登录的请求—应答模型：msg_server 把校验交给慢的 db_proxy 并带上 attach（连接 fd + 递增 uuid），事件循环不等；对比同步查库时心跳被卡住，以及 fd 被复用后迟到的应答如何靠 uuid 丢弃
// point: 登录请求响应模型
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { LOGIN = 1, LOGIN_RES, PING, PONG, DB_REQ, DB_RES };
struct pkt { uint16_t cid, delay_ms; uint32_t fd; uint64_t uuid; char user[16]; };   /* fixed size, one write */
#define NLOGIN 20

static uint64_t now_us(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}
static void put(int fd, struct pkt *p) { assert(write(fd, p, sizeof *p) == sizeof *p); }
static int get(int fd, struct pkt *p) {
    for (size_t got = 0; got < sizeof *p;) {
        ssize_t k = read(fd, (char *)p + got, sizeof *p - got);
        if (k <= 0) return -1;
        got += (size_t)k;
    }
    return 0;
}

/* ---- db_proxy: 4 workers, each request takes delay_ms, so answers come back out of order ---- */
static int db_sv[2];
static pthread_mutex_t db_rmu = PTHREAD_MUTEX_INITIALIZER, db_wmu = PTHREAD_MUTEX_INITIALIZER;
static void *db_worker(void *arg) {
    (void)arg; struct pkt p;
    for (;;) {
        pthread_mutex_lock(&db_rmu);           /* one reader at a time takes a whole request */
        int r = get(db_sv[1], &p);
        pthread_mutex_unlock(&db_rmu);
        if (r) return NULL;
        usleep(p.delay_ms * 1000u);            /* the "query" */
        p.cid = DB_RES;
        pthread_mutex_lock(&db_wmu);           /* replies must not interleave either */
        put(db_sv[1], &p);
        pthread_mutex_unlock(&db_wmu);
    }
}

/* ---- msg_server: one epoll loop ---- */
static int lfd, port, blocking_mode, stale_dropped, reused_fd = -1, last_closed_fd = -1;
static uint64_t conn_uuid[1024], next_uuid;
static void *msg_server(void *arg) {
    (void)arg;
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[64];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.fd = db_sv[0];
    epoll_ctl(ep, EPOLL_CTL_ADD, db_sv[0], &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd; struct pkt p;
            if (fd == lfd) {
                int c = accept(lfd, NULL, NULL), one = 1;
                if (c < 0) return NULL;                       /* listening socket shut down: stop */
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                if (c == last_closed_fd) __atomic_store_n(&reused_fd, c, __ATOMIC_SEQ_CST);
                conn_uuid[c] = ++next_uuid;                   /* fds get reused, uuids never */
                ev.data.fd = c;
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
            } else if (fd == db_sv[0]) {
                assert(get(fd, &p) == 0);
                if (conn_uuid[p.fd] != p.uuid) { __atomic_add_fetch(&stale_dropped, 1, __ATOMIC_SEQ_CST); continue; }
                p.cid = LOGIN_RES;
                put((int)p.fd, &p);
            } else if (get(fd, &p) != 0) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                conn_uuid[fd] = 0; last_closed_fd = fd;
                close(fd);
            } else if (p.cid == PING) {
                p.cid = PONG; put(fd, &p);
            } else if (p.cid == LOGIN && __atomic_load_n(&blocking_mode, __ATOMIC_SEQ_CST)) {
                usleep(p.delay_ms * 1000u);                   /* the mistake: waiting inside the loop */
                p.cid = LOGIN_RES; put(fd, &p);
            } else if (p.cid == LOGIN) {
                p.cid = DB_REQ; p.fd = (uint32_t)fd; p.uuid = conn_uuid[fd];   /* attach data */
                put(db_sv[0], &p);
            }
        }
    }
}

static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static double burst(int blocking) {    /* 20 logins at once, then a heartbeat: how long does it wait? */
    __atomic_store_n(&blocking_mode, blocking, __ATOMIC_SEQ_CST);
    int c[NLOGIN], hb = dial();
    for (int i = 0; i < NLOGIN; i++) c[i] = dial();
    usleep(50000);                                      /* let the server accept them all */
    for (int i = 0; i < NLOGIN; i++) {
        struct pkt p = {.cid = LOGIN, .delay_ms = (uint16_t)(20 + (i * 7) % 30)};
        snprintf(p.user, sizeof p.user, "user%02d", i);
        put(c[i], &p);
    }
    usleep(5000);
    struct pkt p = {.cid = PING};
    uint64_t t0 = now_us();
    put(hb, &p);
    assert(get(hb, &p) == 0 && p.cid == PONG);
    double rtt = (double)(now_us() - t0) / 1000.0;
    for (int i = 0; i < NLOGIN; i++) {                  /* everyone gets their own answer */
        char want[16];
        snprintf(want, sizeof want, "user%02d", i);
        assert(get(c[i], &p) == 0 && p.cid == LOGIN_RES && strcmp(p.user, want) == 0);
    }
    for (int i = 0; i < NLOGIN; i++) close(c[i]);
    close(hb);
    usleep(50000);
    return rtt;
}

int main(void) {
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET}; socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 128) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al); port = ntohs(a.sin_port);
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, db_sv) == 0);
    pthread_t srv, w[4];
    for (int i = 0; i < 4; i++) pthread_create(&w[i], NULL, db_worker, NULL);
    pthread_create(&srv, NULL, msg_server, NULL);

    double sync_rtt = burst(1), async_rtt = burst(0);
    printf("heartbeat sent while %d logins were pending (each check 20-50 ms):\n", NLOGIN);
    printf("  db call inside the event loop : pong after %.1f ms\n", sync_rtt);
    printf("  db call handed to db_proxy    : pong after %.2f ms\n", async_rtt);
    assert(sync_rtt > 200 && async_rtt * 4 < sync_rtt);

    /* fd reuse: a client asks to log in and leaves; the next connection gets the same fd number */
    int x = dial();
    struct pkt p = {.cid = LOGIN, .delay_ms = 200};
    strcpy(p.user, "leaver");
    put(x, &p);
    usleep(20000);
    close(x);
    usleep(20000);
    int y = dial();
    p.cid = PING;
    put(y, &p);
    assert(get(y, &p) == 0 && p.cid == PONG);
    usleep(300000);                                     /* the late answer for "leaver" arrives now */
    struct timeval tv = {0, 100000};
    setsockopt(y, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int got_foreign = get(y, &p) == 0;
    printf("late reply for a closed connection: new connection reused fd %d, stale replies dropped %d, "
           "leaked to the new user: %s\n", __atomic_load_n(&reused_fd, __ATOMIC_SEQ_CST),
           __atomic_load_n(&stale_dropped, __ATOMIC_SEQ_CST), got_foreign ? "YES" : "no");
    assert(!got_foreign && __atomic_load_n(&stale_dropped, __ATOMIC_SEQ_CST) == 1);
    close(y);
    shutdown(db_sv[0], SHUT_WR);                        /* stop the db workers */
    for (int i = 0; i < 4; i++) pthread_join(w[i], NULL);
    shutdown(lfd, SHUT_RDWR);
    pthread_join(srv, NULL);
    return 0;
}
