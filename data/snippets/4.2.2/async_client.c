// caption: C 版手撕异步 Redis 客户端：非阻塞 connect（EINPROGRESS + SO_ERROR）、输出缓冲只在非空时关注 EPOLLOUT、增量 RESP 解析（半个回复留在缓冲里）、回调 FIFO；连接建立前就排队命令，BLPOP 连接被另一连接的 RPUSH 唤醒，1 万条 INCR 管道化与逐条同步对比
// point: 手撕异步redis协议
// timeout: 30
// needs: redis
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct reply { char type; long long integer; char *str; int len; int n; struct reply **elem; } reply;
typedef struct conn conn;
typedef void (*cb_t)(conn *, reply *, void *);
struct conn {
    int fd, connected, want_out;
    char *out; size_t olen, ocap;         /* encoded commands not yet sent */
    char in[1 << 16]; size_t ilen;        /* bytes received, possibly half a reply */
    struct { cb_t cb; void *arg; } q[1 << 15]; int qh, qt;   /* callback FIFO */
};
static int ep;

static void free_reply(reply *r) {
    for (int i = 0; i < r->n; i++) free_reply(r->elem[i]);
    free(r->elem), free(r->str), free(r);
}

/* Parse one reply at p; NULL if the buffer ends first (the caller waits for more bytes). */
static reply *parse(const char *p, const char *end, const char **next) {
    const char *crlf = memmem(p, end - p, "\r\n", 2);
    if (!crlf) return NULL;
    reply *r = calloc(1, sizeof *r);
    r->type = p[0];
    long long v = strtoll(p + 1, NULL, 10);
    const char *q = crlf + 2;
    if (r->type == '+' || r->type == '-') { r->len = crlf - p - 1; r->str = strndup(p + 1, r->len); }
    else if (r->type == ':') r->integer = v;
    else if (r->type == '$' && v >= 0) {
        if (end - q < v + 2) { free(r); return NULL; }
        r->str = strndup(q, v), r->len = v, q += v + 2;
    } else if (r->type == '*' && v >= 0) {
        r->elem = calloc(v ? v : 1, sizeof *r->elem);
        for (r->n = 0; r->n < v; r->n++)
            if (!(r->elem[r->n] = parse(q, end, &q))) { free_reply(r); return NULL; }
    }
    *next = q;
    return r;
}

static void watch(conn *c) {              /* EPOLLOUT only while connecting or while out holds bytes */
    int w = !c->connected || c->olen > 0;
    if (w == c->want_out) return;
    c->want_out = w;
    struct epoll_event ev = {.events = EPOLLIN | (w ? EPOLLOUT : 0), .data.ptr = c};
    assert(epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == 0);
}

static void command(conn *c, cb_t cb, void *arg, int argc, const char **argv) {   /* never blocks */
    char head[32];
    size_t need = c->olen + 16;
    for (int i = 0; i < argc; i++) need += strlen(argv[i]) + 32;
    if (need > c->ocap) { c->ocap = need * 2; c->out = realloc(c->out, c->ocap); }
    c->olen += sprintf(c->out + c->olen, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        int h = sprintf(head, "$%zu\r\n", strlen(argv[i]));
        memcpy(c->out + c->olen, head, h), c->olen += h;
        c->olen += sprintf(c->out + c->olen, "%s\r\n", argv[i]);
    }
    c->q[c->qt].cb = cb, c->q[c->qt].arg = arg;
    c->qt = (c->qt + 1) % (1 << 15);
    watch(c);
}

static conn *async_connect(int port) {
    conn *c = calloc(1, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int rc = connect(c->fd, (struct sockaddr *)&a, sizeof a);
    assert(rc == 0 || errno == EINPROGRESS);                 /* usually EINPROGRESS: returns at once */
    c->want_out = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == 0);
    return c;
}

static void on_event(conn *c, unsigned ev) {
    if (!c->connected && (ev & (EPOLLOUT | EPOLLERR))) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);   /* writable != connected: check the result */
        assert(err == 0);
        c->connected = 1;
    }
    if (c->connected && c->olen) {
        ssize_t k = send(c->fd, c->out, c->olen, MSG_NOSIGNAL);
        if (k > 0) { memmove(c->out, c->out + k, c->olen - k); c->olen -= k; }
        else assert(errno == EAGAIN);
    }
    if (ev & EPOLLIN) {
        ssize_t k = recv(c->fd, c->in + c->ilen, sizeof c->in - c->ilen, 0);
        assert(k > 0 || (k < 0 && errno == EAGAIN));
        if (k > 0) c->ilen += k;
        const char *p = c->in, *next;
        reply *r;
        while (c->qh != c->qt && (r = parse(p, c->in + c->ilen, &next))) {   /* one reply = one callback */
            cb_t cb = c->q[c->qh].cb;
            void *arg = c->q[c->qh].arg;
            c->qh = (c->qh + 1) % (1 << 15);
            p = next;
            if (cb) cb(c, r, arg);
            free_reply(r);
        }
        memmove(c->in, p, c->in + c->ilen - p);             /* keep an incomplete reply */
        c->ilen = c->in + c->ilen - p;
    }
    watch(c);
}

static int pending(conn **cs, int n) { int s = 0; for (int i = 0; i < n; i++) s += cs[i]->qh != cs[i]->qt; return s; }

static void loop(conn **cs, int n) {      /* run until every callback has fired */
    for (int rounds = 0; pending(cs, n) && rounds < 100000; rounds++) {
        struct epoll_event evs[8];
        int k = epoll_wait(ep, evs, 8, 1000);
        for (int i = 0; i < k; i++) on_event(evs[i].data.ptr, evs[i].events);
    }
    assert(!pending(cs, n));
}

static char trace[512];
static void log_cb(conn *c, reply *r, void *tag) {
    (void)c;
    char s[64];
    if (r->type == ':') snprintf(s, sizeof s, "%s=%lld ", (char *)tag, r->integer);
    else if (r->type == '*') snprintf(s, sizeof s, "%s=[%d: %s %s] ", (char *)tag, r->n, r->n ? r->elem[0]->str : "", r->n > 1 ? r->elem[1]->str : "");
    else snprintf(s, sizeof s, "%s=%s ", (char *)tag, r->str ? r->str : "(nil)");
    strcat(trace, s);
}
static void after_get(conn *c, reply *r, void *arg) {     /* chained: the next command from a callback */
    log_cb(c, r, arg);
    command(c, log_cb, "RPUSH", 3, (const char *[]){"RPUSH", "async:list", r->str});
}
static long incr_seen;
static void count_cb(conn *c, reply *r, void *arg) { (void)c, (void)arg; assert(r->type == ':' && r->integer == ++incr_seen); }

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(void) {
    const char *env = getenv("ATLAS_REDIS_PORT");
    int port = env ? atoi(env) : 6379;
    ep = epoll_create1(0);
    conn *a = async_connect(port), *b = async_connect(port);
    command(a, NULL, NULL, 2, (const char *[]){"DEL", "async:list"});
    command(b, log_cb, "BLPOP", 3, (const char *[]){"BLPOP", "async:list", "5"});   /* blocks b on the server */
    command(a, log_cb, "SET", 3, (const char *[]){"SET", "async:k", "hello"});        /* queued before connect */
    command(a, after_get, "GET", 2, (const char *[]){"GET", "async:k"});
    printf("queued before the connections were up: a has %zu bytes, b has %zu bytes waiting\n", a->olen, b->olen);
    assert(!a->connected && a->olen > 0);
    conn *both[] = {a, b};
    loop(both, 2);
    printf("callbacks in order: %s\n", trace);
    assert(strstr(trace, "SET=OK GET=hello") && strstr(trace, "BLPOP=[2: async:list hello]"));

    command(a, NULL, NULL, 2, (const char *[]){"DEL", "async:n"});
    loop(both, 2);
    double t0 = now();
    for (int i = 0; i < 10000; i++) command(a, count_cb, NULL, 2, (const char *[]){"INCR", "async:n"});
    loop(both, 2);                         /* replies arrive in big chunks, some cut mid-reply */
    double pipelined = now() - t0;
    assert(incr_seen == 10000);
    t0 = now();
    for (int i = 0; i < 2000; i++) {       /* synchronous style: wait for each reply before the next */
        command(a, count_cb, NULL, 2, (const char *[]){"INCR", "async:n"});
        loop(both, 2);
    }
    double sync = (now() - t0) * 5;        /* scaled to 10000 */
    printf("10000 INCR: pipelined %.0f ms (%.0f/s), one at a time %.0f ms (%.0f/s)\n",
           pipelined * 1e3, 10000 / pipelined, sync * 1e3, 10000 / sync);
    assert(incr_seen == 12000 && pipelined < sync);
    command(a, NULL, NULL, 4, (const char *[]){"DEL", "async:n", "async:k", "async:list"});
    loop(both, 2);
    close(a->fd), close(b->fd), close(ep);
    free(a->out), free(b->out), free(a), free(b);
    return 0;
}
