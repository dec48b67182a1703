// caption: login_server 负载均衡 + 登录请求响应：3 个 epoll reactor 的 msg_server 向 login_server 上报连接数，60 个客户端先问地址再登录
// point: login_server负载均衡
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CID_REPORT = 1, CID_ADDR_REQ, CID_ADDR_RES, CID_LOGIN_REQ, CID_LOGIN_RES };
#define NSERV 3
#define MAXFD 1024

/* ---- packet = 16-byte big-endian header (len, ver, flag, sid, cid, seq, rsv) + protobuf body ---- */
typedef struct { uint8_t b[256]; size_t n; } buf_t;
typedef struct { uint64_t u[16]; char s[16][40]; } msg_t;          /* decoded fields by number */
static void put_varint(buf_t *o, uint64_t v) {
    do { uint8_t c = v & 0x7f; v >>= 7; o->b[o->n++] = c | (v ? 0x80 : 0); } while (v);
}
static void put_uint(buf_t *o, int f, uint64_t v) { if (v) { put_varint(o, (uint64_t)f << 3); put_varint(o, v); } }
static void put_str(buf_t *o, int f, const char *s) {
    size_t l = strlen(s);
    put_varint(o, (uint64_t)f << 3 | 2); put_varint(o, l); memcpy(o->b + o->n, s, l); o->n += l;
}
static uint64_t get_varint(const uint8_t *p, size_t *i, size_t end) {
    uint64_t v = 0;
    for (int sh = 0; *i < end && sh < 64; sh += 7) {
        uint8_t c = p[(*i)++]; v |= (uint64_t)(c & 0x7f) << sh;
        if (!(c & 0x80)) return v;
    }
    abort();
}
static void decode(const uint8_t *p, size_t n, msg_t *m) {
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < n;) {
        uint64_t k = get_varint(p, &i, n); int f = (int)(k >> 3) & 15;
        if ((k & 7) == 0) m->u[f] = get_varint(p, &i, n);
        else { uint64_t l = get_varint(p, &i, n); assert(i + l <= n && l < 40); memcpy(m->s[f], p + i, l); i += l; }
    }
}
static void send_pkt(int fd, uint16_t cid, const buf_t *body) {
    uint8_t out[300]; uint32_t len = htonl((uint32_t)(16 + body->n));
    uint16_t h[6] = {htons(1), 0, htons(1), htons(cid), 0, 0};
    memcpy(out, &len, 4); memcpy(out + 4, h, 12); memcpy(out + 16, body->b, body->n);
    assert(write(fd, out, 16 + body->n) == (ssize_t)(16 + body->n));  /* tiny packets fit the socket buffer */
}
static int recv_pkt_blocking(int fd, uint16_t *cid, msg_t *m) {    /* client side */
    uint8_t p[300]; size_t got = 0, need = 16;
    while (got < need) {
        ssize_t k = read(fd, p + got, need - got);
        if (k <= 0) return -1;
        got += (size_t)k;
        if (got == 16) { uint32_t l; memcpy(&l, p, 4); need = ntohl(l); assert(need >= 16 && need <= sizeof p); }
    }
    uint16_t c; memcpy(&c, p + 10, 2); *cid = ntohs(c); decode(p + 16, need - 16, m);
    return 0;
}

/* ---- a small reactor: one epoll loop, non-blocking fds, per-connection input buffer ---- */
typedef struct reactor reactor_t;
typedef void (*on_pkt_fn)(reactor_t *, int fd, uint16_t cid, msg_t *);
typedef void (*on_close_fn)(reactor_t *, int fd);
struct reactor { int ep, lfd, port; on_pkt_fn on_pkt; on_close_fn on_close; uint8_t in[MAXFD][300]; size_t inn[MAXFD]; };

static int listen_any(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET}; socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 128) == 0);
    getsockname(fd, (struct sockaddr *)&a, &al); *port = ntohs(a.sin_port);
    return fd;
}
static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}
static void watch(reactor_t *r, int fd) {
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    assert(fd < MAXFD && epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) == 0);
}
static void *reactor_run(void *arg) {
    reactor_t *r = arg; struct epoll_event evs[64];
    for (;;) {
        int n = epoll_wait(r->ep, evs, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == r->lfd) {
                int c;
                while ((c = accept4(r->lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) { r->inn[c] = 0; watch(r, c); }
                continue;
            }
            ssize_t k = read(fd, r->in[fd] + r->inn[fd], sizeof r->in[fd] - r->inn[fd]);
            if (k == 0 || (k < 0 && errno != EAGAIN)) {
                if (r->on_close) r->on_close(r, fd);
                epoll_ctl(r->ep, EPOLL_CTL_DEL, fd, NULL); close(fd); continue;
            }
            if (k < 0) continue;
            r->inn[fd] += (size_t)k;
            while (r->inn[fd] >= 16) {                 /* cut complete packets out of the byte stream */
                uint32_t l; memcpy(&l, r->in[fd], 4); l = ntohl(l);
                if (r->inn[fd] < l) break;
                uint16_t cid; memcpy(&cid, r->in[fd] + 10, 2);
                msg_t m; decode(r->in[fd] + 16, l - 16, &m);
                r->on_pkt(r, fd, ntohs(cid), &m);
                memmove(r->in[fd], r->in[fd] + l, r->inn[fd] - l); r->inn[fd] -= l;
            }
        }
    }
    return NULL;
}
static void reactor_start(reactor_t *r, on_pkt_fn p, on_close_fn c) {
    r->ep = epoll_create1(0); r->lfd = listen_any(&r->port); r->on_pkt = p; r->on_close = c; watch(r, r->lfd);
    pthread_t t; pthread_create(&t, NULL, reactor_run, r); pthread_detach(t);
}

/* ---- login_server: table of msg_servers fed by their reports; answers "which server?" ---- */
static struct { int port, cur, max; } table[NSERV];
static void login_on_pkt(reactor_t *r, int fd, uint16_t cid, msg_t *m) {
    (void)r;
    buf_t o = {.n = 0};
    if (cid == CID_REPORT) {
        int id = (int)m->u[1];
        table[id].port = (int)m->u[2]; table[id].cur = (int)m->u[3]; table[id].max = (int)m->u[4];
    } else if (cid == CID_ADDR_REQ) {
        int best = -1;
        for (int i = 0; i < NSERV; i++)              /* least connections among those not full */
            if (table[i].port && table[i].cur < table[i].max && (best < 0 || table[i].cur < table[best].cur)) best = i;
        put_uint(&o, 1, best < 0 ? 1 : 0);           /* result_code */
        put_str(&o, 2, "127.0.0.1");
        put_uint(&o, 3, best < 0 ? 0 : (uint64_t)table[best].port);
        send_pkt(fd, CID_ADDR_RES, &o);
    }
}

/* ---- msg_server: accepts logins, reports its connection count to login_server ---- */
static reactor_t msgr[NSERV], loginr;
static int cur_conn[NSERV], authed[NSERV][MAXFD], to_login[NSERV];
static const int max_conn[NSERV] = {100, 100, 10};
static int which(reactor_t *r) { return (int)(r - msgr); }
static void report(int id) {
    buf_t o = {.n = 0};
    put_uint(&o, 1, (uint64_t)id); put_uint(&o, 2, (uint64_t)msgr[id].port);
    put_uint(&o, 3, (uint64_t)cur_conn[id]); put_uint(&o, 4, (uint64_t)max_conn[id]);
    send_pkt(to_login[id], CID_REPORT, &o);
}
static void msg_on_pkt(reactor_t *r, int fd, uint16_t cid, msg_t *m) {
    int id = which(r);
    if (cid != CID_LOGIN_REQ) return;
    char want[48]; snprintf(want, sizeof want, "pw-%s", m->s[1]);
    int ok = strcmp(m->s[2], want) == 0;
    if (ok) { authed[id][fd] = 1; cur_conn[id]++; report(id); }   /* report before answering */
    buf_t o = {.n = 0};
    put_uint(&o, 1, ok ? 0 : 2); put_str(&o, 2, ok ? "ok" : "bad password"); put_uint(&o, 3, (uint64_t)id);
    send_pkt(fd, CID_LOGIN_RES, &o);
}
static void msg_on_close(reactor_t *r, int fd) {
    int id = which(r);
    if (authed[id][fd]) { authed[id][fd] = 0; cur_conn[id]--; report(id); }
}

/* ---- a client: ask login_server, then log in to the server it names ---- */
static int login(const char *user, const char *pw, int *server, int *code) {
    int lf = dial(loginr.port); buf_t o = {.n = 0}; msg_t m; uint16_t cid;
    send_pkt(lf, CID_ADDR_REQ, &o);
    assert(recv_pkt_blocking(lf, &cid, &m) == 0 && cid == CID_ADDR_RES && m.u[1] == 0);
    close(lf);
    int fd = dial((int)m.u[3]);
    put_str(&o, 1, user); put_str(&o, 2, pw); send_pkt(fd, CID_LOGIN_REQ, &o);
    assert(recv_pkt_blocking(fd, &cid, &m) == 0 && cid == CID_LOGIN_RES);
    *server = (int)m.u[3]; *code = (int)m.u[1];
    return fd;
}

int main(void) {
    reactor_start(&loginr, login_on_pkt, NULL);
    for (int i = 0; i < NSERV; i++) {
        reactor_start(&msgr[i], msg_on_pkt, msg_on_close);
        to_login[i] = dial(loginr.port); report(i);
    }
    usleep(100000);
    int fds[80], srv[80], code, per[NSERV] = {0};
    char user[16], pw[24];
    for (int i = 0; i < 60; i++) {
        snprintf(user, sizeof user, "u%d", i); snprintf(pw, sizeof pw, "pw-u%d", i);
        fds[i] = login(user, pw, &srv[i], &code);
        assert(code == 0); per[srv[i]]++;
    }
    printf("60 logins -> per server %d / %d / %d (max_conn 100 / 100 / 10)\n", per[0], per[1], per[2]);
    assert(per[2] == 10 && abs(per[0] - per[1]) <= 2);
    int bad = login("mallory", "guess", &srv[79], &code);
    printf("wrong password -> result_code %d\n", code);
    assert(code == 2); close(bad);
    int dropped = 0;                                 /* 15 users of server 0 go offline */
    for (int i = 0; i < 60 && dropped < 15; i++) if (srv[i] == 0) { close(fds[i]); fds[i] = -1; dropped++; }
    usleep(500000);                                /* let the close reports reach login_server */
    int again[NSERV] = {0};
    for (int i = 60; i < 75; i++) {
        snprintf(user, sizeof user, "u%d", i); snprintf(pw, sizeof pw, "pw-u%d", i);
        fds[i] = login(user, pw, &srv[i], &code);
        again[srv[i]]++;
    }
    printf("after 15 users left server 0, the next 15 logins went to %d / %d / %d\n", again[0], again[1], again[2]);
    assert(again[0] >= 13 && again[2] == 0);
    for (int i = 0; i < 75; i++) if (fds[i] >= 0) close(fds[i]);
    return 0;
}
