// caption: C 版 Redis 连接池（pthread）：最多 4 个连接、LIFO 空闲栈、借用在条件变量上限时等待、借出前用非阻塞 recv(MSG_PEEK) 发现被服务端关掉的连接并重连；4 个线程共用它，与每次请求新建连接的耗时对比，连接数由服务端 CLIENT LIST 核对
// point: 连接请求归还策略
// timeout: 40
// needs: redis
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int port;
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

static int readline(int fd, char *out, size_t n) {
    size_t got = 0;
    while (got < n - 1) {
        ssize_t k = recv(fd, out + got, 1, 0);
        if (k <= 0) return -1;
        if (out[got++] == '\n') break;
    }
    out[got] = 0;
    return 0;
}

/* Send one inline command, read one reply line (enough for PING, INCR, CLIENT ID/KILL). */
static int cmd(int fd, const char *c, char *out, size_t n) {
    size_t len = strlen(c);
    if (send(fd, c, len, MSG_NOSIGNAL) != (ssize_t)len) return -1;
    return readline(fd, out, n);
}

#define MAXCONN 4
static struct {
    pthread_mutex_t mu;
    pthread_cond_t freed;
    int idle[MAXCONN], nidle, total;        /* idle: a LIFO stack of fds */
    long created, reconnected, waited, timeouts;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

static int alive(int fd) {                  /* no round trip: has the server closed it? */
    char b;
    ssize_t k = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return k < 0 && errno == EAGAIN;        /* nothing to read and no EOF: still good */
}

static int borrow(double timeout) {
    pthread_mutex_lock(&P.mu);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    long ns = dl.tv_nsec + (long)(timeout * 1e9);
    dl.tv_sec += ns / 1000000000L, dl.tv_nsec = ns % 1000000000L;
    while (P.nidle == 0 && P.total == MAXCONN) {   /* exhausted: wait for a return, up to the timeout */
        P.waited++;
        if (pthread_cond_timedwait(&P.freed, &P.mu, &dl) == ETIMEDOUT) { P.timeouts++; pthread_mutex_unlock(&P.mu); return -1; }
    }
    int fd = -1;
    if (P.nidle) fd = P.idle[--P.nidle];    /* most recently returned first: a warm connection */
    else { P.total++; P.created++; }
    pthread_mutex_unlock(&P.mu);
    if (fd >= 0 && !alive(fd)) {            /* killed while idle: replace it */
        close(fd);
        fd = -1;
        pthread_mutex_lock(&P.mu);
        P.reconnected++, P.created++;
        pthread_mutex_unlock(&P.mu);
    }
    if (fd < 0) {                           /* a new connection, named so the server can count ours */
        char r[32];
        fd = dial();
        assert(cmd(fd, "CLIENT SETNAME c_pool\r\n", r, sizeof r) == 0 && r[0] == '+');
    }
    return fd;
}

static void give_back(int fd, int broken) {
    pthread_mutex_lock(&P.mu);
    if (broken) { close(fd); P.total--; }   /* never put a broken connection back */
    else P.idle[P.nidle++] = fd;
    pthread_cond_signal(&P.freed);
    pthread_mutex_unlock(&P.mu);
}

#define THREADS 4                          /* = pool size: compare the cost per request, not queueing */
#define REQS 1000
static void *pooled(void *arg) {
    (void)arg;
    char r[64];
    for (int i = 0; i < REQS; i++) {
        int fd = borrow(5);
        assert(fd >= 0);
        int bad = cmd(fd, "INCR c_pool:n\r\n", r, sizeof r) < 0 || r[0] != ':';
        assert(!bad);
        give_back(fd, bad);
    }
    return NULL;
}
static void *unpooled(void *arg) {
    (void)arg;
    char r[64];
    for (int i = 0; i < REQS; i++) {        /* connect, one command, close: a handshake per request */
        int fd = dial();
        assert(cmd(fd, "INCR c_pool:m\r\n", r, sizeof r) == 0 && r[0] == ':');
        close(fd);
    }
    return NULL;
}

static double run(void *(*fn)(void *)) {
    pthread_t t[THREADS];
    double t0 = now();
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, fn, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    return now() - t0;
}

static long pool_conns_on_server(int admin) {   /* CLIENT LIST lines with our name: other clients may exist */
    char r[64];
    assert(cmd(admin, "CLIENT LIST\r\n", r, sizeof r) == 0 && r[0] == '$');
    long len = atol(r + 1), v = 0;
    char *body = calloc(1, len + 3);
    size_t got = 0;
    while (got < (size_t)len + 2) { ssize_t k = recv(admin, body + got, len + 2 - got, 0); assert(k > 0); got += k; }
    for (char *p = body; (p = strstr(p, " name=c_pool ")); p++) v++;
    free(body);
    return v;
}

int main(void) {
    const char *env = getenv("ATLAS_REDIS_PORT");
    port = env ? atoi(env) : 6379;
    int admin = dial();
    char r[128];
    assert(cmd(admin, "DEL c_pool:n c_pool:m\r\n", r, sizeof r) == 0);

    double tp = run(pooled);
    long during = pool_conns_on_server(admin);
    double tu = run(unpooled);
    assert(cmd(admin, "GET c_pool:n\r\n", r, sizeof r) == 0 && readline(admin, r + 64, 64) == 0);   /* $len, then the value */
    printf("%d threads x %d INCR: pooled %.0f ms (%ld connections created, %ld waits for a free one), "
           "new connection per request %.0f ms (%d handshakes)\n",
           THREADS, REQS, tp * 1e3, P.created, P.waited, tu * 1e3, THREADS * REQS);
    assert(atoi(r + 64) == THREADS * REQS);  /* every INCR counted once */
    assert(P.created <= MAXCONN && during == P.created);  /* never more than 4, as the server sees it */
    assert(tp < tu);

    /* kill one idle connection on the server side: the pool notices before using it */
    int fd = borrow(1);
    assert(cmd(fd, "CLIENT ID\r\n", r, sizeof r) == 0);
    long id = atol(r + 1);
    give_back(fd, 0);
    char kill[64];
    snprintf(kill, sizeof kill, "CLIENT KILL ID %ld\r\n", id);
    assert(cmd(admin, kill, r, sizeof r) == 0 && r[1] == '1');
    usleep(50000);                           /* let the FIN arrive */
    fd = borrow(1);                          /* LIFO: the killed one is on top */
    assert(cmd(fd, "PING\r\n", r, sizeof r) == 0 && !strcmp(r, "+PONG\r\n"));
    give_back(fd, 0);
    printf("client %ld killed by the server while idle: borrow() saw EOF with MSG_PEEK and reconnected (%ld)\n",
           id, P.reconnected);
    assert(P.reconnected == 1);

    int held[MAXCONN];                       /* exhaustion: the fifth borrower times out */
    for (int i = 0; i < MAXCONN; i++) held[i] = borrow(1);
    double t0 = now();
    assert(borrow(0.2) == -1);
    double waited = now() - t0;
    printf("pool exhausted: a fifth borrow(timeout 200 ms) gave up after %.0f ms\n", waited * 1e3);
    assert(waited >= 0.19 && waited < 2 && P.timeouts == 1);
    for (int i = 0; i < MAXCONN; i++) give_back(held[i], 1);
    assert(cmd(admin, "DEL c_pool:n c_pool:m\r\n", r, sizeof r) == 0);
    close(admin);
    return 0;
}
