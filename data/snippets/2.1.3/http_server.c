// caption: C 版 HTTP/1.1 服务器：epoll Reactor 上用 recvbuffer 切出完整请求（请求行、头部、Content-Length 请求体），sendbuffer 发响应；流水线、分段到达的请求体、404 与 400 逐一核对，再用 200 个长连接压测并打印每秒请求数
// point: reactor sendbuffer与recvbuffer封装http协议
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
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 4096
#define BUFSZ 65536
#define CLIENT_THREADS 2
#define CONNS 100
#define REQS 100

typedef struct {
    int fd, closing;
    char rbuf[BUFSZ + 1]; size_t rlen; /* bytes received, not yet a full request (+1: a NUL) */
    char wbuf[BUFSZ]; size_t wlen;     /* response bytes the kernel has not taken */
} conn_t;

static int epfd, lfd, port, stop;
static conn_t *conns[MAXFD];
static long served;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void conn_close(conn_t *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conns[c->fd] = NULL;
    free(c);
}

static int flush(conn_t *c) {          /* send_cb: returns -1 if the connection was closed */
    while (c->wlen) {
        ssize_t k = send(c->fd, c->wbuf, c->wlen, MSG_NOSIGNAL);
        if (k < 0 && errno == EAGAIN) break;
        if (k <= 0) { conn_close(c); return -1; }
        memmove(c->wbuf, c->wbuf + k, c->wlen - k);
        c->wlen -= k;
    }
    if (c->wlen == 0 && c->closing) { conn_close(c); return -1; }
    struct epoll_event ev = {.events = EPOLLIN | (c->wlen ? EPOLLOUT : 0), .data.fd = c->fd};
    epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
    return 0;
}

static void respond(conn_t *c, int status, const char *reason, const char *body, size_t blen) {
    char head[256];
    int h = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n%s\r\n", status, reason,
                     blen, c->closing ? "Connection: close\r\n" : "");
    if (c->wlen + h + blen > BUFSZ) { c->closing = 1; return; }   /* back-pressure: give up */
    memcpy(c->wbuf + c->wlen, head, h);
    memcpy(c->wbuf + c->wlen + h, body, blen);
    c->wlen += h + blen;
    __atomic_fetch_add(&served, 1, __ATOMIC_RELAXED);
}

/* Parse as many complete requests as rbuf holds; returns bytes consumed. */
static size_t parse(conn_t *c) {
    size_t used = 0;
    while (!c->closing) {
        char *start = c->rbuf + used;
        size_t avail = c->rlen - used;
        char *end = memmem(start, avail, "\r\n\r\n", 4);
        if (!end) {
            if (avail == BUFSZ) { c->closing = 1; respond(c, 431, "Request Header Fields Too Large", "", 0); }
            break;                                          /* headers incomplete: wait for more */
        }
        size_t hlen = end + 4 - start;
        char method[8], target[256], version[9];
        if (sscanf(start, "%7s %255s %8s", method, target, version) != 3 || strncmp(version, "HTTP/1.", 7)) {
            c->closing = 1;                                 /* cannot find the next message: close */
            respond(c, 400, "Bad Request", "bad request\n", 12);
            break;
        }
        size_t clen = 0;
        for (char *l = memmem(start, hlen, "\r\n", 2) + 2; l < end; l = memmem(l, end + 2 - l, "\r\n", 2) + 2) {
            if (!strncasecmp(l, "Content-Length:", 15)) clen = strtoul(l + 15, NULL, 10);
            if (!strncasecmp(l, "Connection:", 11) && strstr(l, "close") && strstr(l, "close") < end) c->closing = 1;
        }
        if (hlen + clen > BUFSZ) { c->closing = 1; respond(c, 413, "Content Too Large", "", 0); break; }
        if (avail < hlen + clen) break;                     /* body incomplete: wait for more */
        if (!strcmp(method, "GET") && !strcmp(target, "/hello"))
            respond(c, 200, "OK", "hello\n", 6);
        else if (!strcmp(method, "POST") && !strcmp(target, "/echo"))
            respond(c, 200, "OK", start + hlen, clen);
        else
            respond(c, 404, "Not Found", "not found\n", 10);
        used += hlen + clen;
    }
    return used;
}

static void on_readable(conn_t *c) {   /* recv_cb */
    for (;;) {
        ssize_t n = recv(c->fd, c->rbuf + c->rlen, BUFSZ - c->rlen, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) { conn_close(c); return; }
        if (n > 0) c->rlen += n;
        c->rbuf[c->rlen] = 0;                                /* sscanf/strstr stop here */
        size_t used = parse(c);
        memmove(c->rbuf, c->rbuf + used, c->rlen - used);   /* keep a partial request */
        c->rlen -= used;
        if (flush(c) < 0) return;
        if (n < 0 || c->closing) return;                     /* EAGAIN: drained */
    }
}

static void *server(void *arg) {
    (void)arg;
    struct epoll_event evs[256];
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        int n = epoll_wait(epfd, evs, 256, 50);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {                                  /* accept_cb */
                int cfd;
                for (int b = 0; b < 64 && (cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0; b++) {
                    assert(cfd < MAXFD);
                    conns[cfd] = calloc(1, sizeof(conn_t));
                    conns[cfd]->fd = cfd;
                    struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev);
                }
            } else if (conns[fd] && (evs[i].events & EPOLLOUT)) {
                flush(conns[fd]);
            } else if (conns[fd]) {
                on_readable(conns[fd]);
            }
        }
    }
    for (int fd = 0; fd < MAXFD; fd++) if (conns[fd]) conn_close(conns[fd]);
    return NULL;
}

static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {5, 0};                                 /* no read blocks forever */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

/* Blocking helper: send the parts (with a pause between them), read until n bytes or EOF. */
static size_t exchange(int fd, const char **parts, int nparts, char *out, size_t n) {
    for (int i = 0; i < nparts; i++) {
        assert(send(fd, parts[i], strlen(parts[i]), 0) == (ssize_t)strlen(parts[i]));
        usleep(20000);
    }
    size_t got = 0;
    while (got < n) { ssize_t k = recv(fd, out + got, n - got, 0); if (k <= 0) break; got += k; }
    out[got] = 0;
    return got;
}

static const char REQ[] = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";

static void *client(void *arg) {
    long *done = arg;
    int ep = epoll_create1(0), fds[CONNS], got[CONNS] = {0}, reqs[CONNS] = {0}, active = CONNS;
    char buf[sizeof RESP];
    for (int i = 0; i < CONNS; i++) {
        fds[i] = dial();
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
        assert(send(fds[i], REQ, sizeof REQ - 1, 0) == sizeof REQ - 1);
    }
    double deadline = now() + 20;
    while (active && now() < deadline) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, 100);
        for (int e = 0; e < n; e++) {
            int i = evs[e].data.u32;
            ssize_t k = recv(fds[i], buf + got[i], sizeof RESP - 1 - got[i], MSG_DONTWAIT);
            if (k <= 0 || (got[i] += k) < (int)sizeof RESP - 1) continue;
            assert(memcmp(buf, RESP, sizeof RESP - 1) == 0);
            got[i] = 0;
            if (++reqs[i] == REQS) { active--; continue; }
            assert(send(fds[i], REQ, sizeof REQ - 1, 0) == sizeof REQ - 1);   /* keep-alive: same connection */
        }
    }
    *done = 0;
    for (int i = 0; i < CONNS; i++) { *done += reqs[i]; close(fds[i]); }
    close(ep);
    return NULL;
}

int main(void) {
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 512) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin_port);
    epfd = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
    pthread_t st, ct[CLIENT_THREADS];
    pthread_create(&st, NULL, server, NULL);

    char out[1024];
    int fd = dial();
    const char *pipelined[] = {"GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n"};
    const char *want = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n"
                       "HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n";
    exchange(fd, pipelined, 1, out, strlen(want));
    assert(!strcmp(out, want));
    printf("pipelined GET /hello + GET /nope in one segment -> 200 then 404\n");
    const char *split[] = {"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Le", "ngth: 11\r\n\r\nhello", " world"};
    want = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
    exchange(fd, split, 3, out, strlen(want));
    assert(!strcmp(out, want));
    printf("POST body split across 3 segments -> echoed 'hello world'\n");
    close(fd);
    fd = dial();
    const char *bad[] = {"HELLO\r\n\r\n"};
    size_t n = exchange(fd, bad, 1, out, sizeof out - 1);     /* reads to EOF: the server closes */
    assert(n > 0 && !strncmp(out, "HTTP/1.1 400 Bad Request\r\n", 26) && strstr(out, "Connection: close"));
    printf("malformed request line -> 400 and the server closes the connection\n");
    close(fd);

    long done[CLIENT_THREADS], total = 0;
    long before = __atomic_load_n(&served, __ATOMIC_RELAXED);
    double t0 = now();
    for (int i = 0; i < CLIENT_THREADS; i++) pthread_create(&ct[i], NULL, client, &done[i]);
    for (int i = 0; i < CLIENT_THREADS; i++) { pthread_join(ct[i], NULL); total += done[i]; }
    double el = now() - t0;
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(st, NULL);
    printf("%d keep-alive connections x %d GET: %ld responses in %.2f s = %.0f requests/s\n",
           CLIENT_THREADS * CONNS, REQS, total, el, total / el);
    assert(total == (long)CLIENT_THREADS * CONNS * REQS && served - before == total);
    close(lfd), close(epfd);
    return 0;
}
