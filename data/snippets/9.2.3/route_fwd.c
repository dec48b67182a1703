// caption: 两台 msg_server + route_server + db_proxy（用 RESP 直连真实 Redis）：跨服单聊经路由转发、离线存储、群聊扇出、上线后读未读数和最近会话再拉取
// point: 路由转发机制
// timeout: 30
// needs: redis
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum { C_LOGIN = 1, C_LOGIN_RES, C_MSG, C_MSG_ACK, C_PUSH, C_STATUS, C_STATUS_RES, C_PULL, C_PULL_RES,
       D_LOGIN, D_LOGIN_RES, D_STORE, D_STORE_RES, D_PULL, D_PULL_RES,
       R_ONLINE, R_OFFLINE, R_STATUS, R_STATUS_RES, R_FWD };
#define MAXFD 1024
#define SLEN 160

/* ---- packet codec: 16-byte header + protobuf-style fields (varints and strings, field numbers < 16) ---- */
typedef struct { uint8_t b[1024]; size_t n; } buf_t;
typedef struct { uint64_t u[16]; char s[16][SLEN]; } msg_t;
static void put_varint(buf_t *o, uint64_t v) {
    do { uint8_t c = v & 0x7f; v >>= 7; o->b[o->n++] = c | (v ? 0x80 : 0); } while (v);
}
static void put_uint(buf_t *o, int f, uint64_t v) { if (v) { put_varint(o, (uint64_t)f << 3); put_varint(o, v); } }
static void put_str(buf_t *o, int f, const char *s) {
    size_t l = strlen(s);
    assert(l < SLEN);
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
        else { uint64_t l = get_varint(p, &i, n); assert(i + l <= n && l < SLEN); memcpy(m->s[f], p + i, l); i += l; }
    }
}
static void send_pkt(int fd, uint16_t cid, const buf_t *body) {
    uint8_t out[1100]; uint32_t len = htonl((uint32_t)(16 + body->n));
    uint16_t h[6] = {htons(1), 0, htons(1), htons(cid), 0, 0};
    memcpy(out, &len, 4); memcpy(out + 4, h, 12); memcpy(out + 16, body->b, body->n);
    assert(write(fd, out, 16 + body->n) == (ssize_t)(16 + body->n));
}
static uint16_t recv_pkt(int fd, msg_t *m) {                      /* blocking, 5 s timeout */
    uint8_t p[1100]; size_t got = 0, need = 16;
    while (got < need) {
        ssize_t k = read(fd, p + got, need - got);
        assert(k > 0);
        got += (size_t)k;
        if (got == 16) { uint32_t l; memcpy(&l, p, 4); need = ntohl(l); assert(need >= 16 && need <= sizeof p); }
    }
    uint16_t c; memcpy(&c, p + 10, 2); decode(p + 16, need - 16, m);
    return ntohs(c);
}

/* ---- reactor: one epoll loop per server, non-blocking fds, packets cut by length ---- */
typedef struct reactor reactor_t;
typedef void (*on_pkt_fn)(reactor_t *, int fd, uint16_t cid, msg_t *);
typedef void (*on_close_fn)(reactor_t *, int fd);
struct reactor { int ep, lfd, port, id; on_pkt_fn on_pkt; on_close_fn on_close; uint8_t in[MAXFD][1100]; size_t inn[MAXFD]; };
static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
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
            while (r->inn[fd] >= 16) {
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
static void reactor_start(reactor_t *r, int id, on_pkt_fn p, on_close_fn c) {
    r->id = id; r->ep = epoll_create1(0); r->on_pkt = p; r->on_close = c;
    r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET}; socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(bind(r->lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(r->lfd, 128) == 0);
    getsockname(r->lfd, (struct sockaddr *)&a, &al); r->port = ntohs(a.sin_port);
    watch(r, r->lfd);
    pthread_t t; pthread_create(&t, NULL, reactor_run, r); pthread_detach(t);
}

/* ---- minimal RESP client (blocking), used only by db_proxy and by main for setup/checks ---- */
typedef struct { int fd; FILE *in; } redis_t;
typedef struct { char type; long long n; int count; char s[32][SLEN]; } reply_t;
static void redis_open(redis_t *c) {
    const char *h = getenv("ATLAS_REDIS_HOST"), *p = getenv("ATLAS_REDIS_PORT");
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(p ? p : "6379"))};
    inet_pton(AF_INET, h ? h : "127.0.0.1", &a.sin_addr);
    assert(connect(c->fd, (struct sockaddr *)&a, sizeof a) == 0);
    c->in = fdopen(dup(c->fd), "r");
}
static void read_bulk(redis_t *c, char *out, const char *line) {
    long len = atol(line + 1);
    out[0] = 0;
    if (len < 0) return;
    assert(len < SLEN && fread(out, 1, (size_t)len + 2, c->in) == (size_t)len + 2);
    out[len] = 0;
}
static void redis(redis_t *c, reply_t *r, const char *fmt, ...) {   /* args split on spaces */
    char cmd[512], out[1024], *save = NULL; va_list ap; int argc = 0; size_t n = 0; char *argv[32];
    va_start(ap, fmt); vsnprintf(cmd, sizeof cmd, fmt, ap); va_end(ap);
    for (char *t = strtok_r(cmd, " ", &save); t && argc < 32; t = strtok_r(NULL, " ", &save)) argv[argc++] = t;
    n += (size_t)snprintf(out + n, sizeof out - n, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) n += (size_t)snprintf(out + n, sizeof out - n, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
    assert(n < sizeof out && write(c->fd, out, n) == (ssize_t)n);
    char line[256];
    assert(fgets(line, sizeof line, c->in));
    memset(r, 0, sizeof *r);
    r->type = line[0];
    if (line[0] == ':') r->n = atoll(line + 1);
    else if (line[0] == '$') read_bulk(c, r->s[0], line);
    else if (line[0] == '*') {
        r->count = atoi(line + 1);
        assert(r->count <= 32);
        for (int i = 0; i < r->count; i++) { assert(fgets(line, sizeof line, c->in)); read_bulk(c, r->s[i], line); }
    } else if (line[0] == '-') { fprintf(stderr, "redis: %s", line); abort(); }
}

/* ---- db_proxy: the only piece that touches Redis ---- */
static reactor_t dbr, route, ms[2];
static redis_t dbc;
static void conv_key(char *k, size_t n, uint64_t a, uint64_t b) { snprintf(k, n, "msgs_%llu_%llu", (unsigned long long)(a < b ? a : b), (unsigned long long)(a < b ? b : a)); }
static void db_on_pkt(reactor_t *r, int fd, uint16_t cid, msg_t *m) {
    (void)r; buf_t o = {.n = 0}; reply_t x, y; char key[64], list[SLEN] = "";
    if (cid == D_LOGIN) {                        /* unread counts (single + group) and recent sessions */
        uint64_t uid = m->u[1], total = 0;
        redis(&dbc, &x, "HGETALL unread_%llu", (unsigned long long)uid);
        for (int i = 0; i + 1 < x.count; i += 2) {
            snprintf(list + strlen(list), SLEN - strlen(list), "%su%s:%s", *list ? "," : "", x.s[i], x.s[i + 1]);
            total += (uint64_t)atoll(x.s[i + 1]);
        }
        reply_t g; redis(&dbc, &g, "SMEMBERS user_groups_%llu", (unsigned long long)uid);
        for (int i = 0; i < g.count; i++) {
            redis(&dbc, &x, "HGET %s_im_group_msg count", g.s[i]);
            redis(&dbc, &y, "HGET %llu_%s_im_user_group count", (unsigned long long)uid, g.s[i]);
            long long un = atoll(x.s[0]) - atoll(y.s[0]);
            if (un > 0) { snprintf(list + strlen(list), SLEN - strlen(list), "%sg%s:%lld", *list ? "," : "", g.s[i], un); total += (uint64_t)un; }
        }
        redis(&dbc, &x, "ZREVRANGE recent_%llu 0 9", (unsigned long long)uid);
        char recent[SLEN] = "";
        for (int i = 0; i < x.count; i++) snprintf(recent + strlen(recent), SLEN - strlen(recent), "%s%s", i ? "," : "", x.s[i]);
        put_uint(&o, 1, uid); put_uint(&o, 2, total); put_str(&o, 3, list); put_str(&o, 4, recent); put_uint(&o, 9, m->u[9]);
        send_pkt(fd, D_LOGIN_RES, &o);
    } else if (cid == D_STORE) {                 /* store, count as unread, update recent sessions */
        uint64_t from = m->u[1], to = m->u[2], type = m->u[3], mid;
        redis(&dbc, &x, "INCR recent_seq"); long long seq = x.n;
        if (type == 1) {
            conv_key(key, sizeof key, from, to);
            redis(&dbc, &x, "RPUSH %s %s", key, m->s[4]); mid = (uint64_t)x.n;
            redis(&dbc, &x, "HINCRBY unread_%llu %llu 1", (unsigned long long)to, (unsigned long long)from);
            redis(&dbc, &x, "ZADD recent_%llu %lld u%llu", (unsigned long long)from, seq, (unsigned long long)to);
            redis(&dbc, &x, "ZADD recent_%llu %lld u%llu", (unsigned long long)to, seq, (unsigned long long)from);
            snprintf(list, sizeof list, "%llu", (unsigned long long)to);
        } else {
            redis(&dbc, &x, "HGET group_member_%llu %llu", (unsigned long long)to, (unsigned long long)from);
            assert(x.s[0][0]);                   /* only members may speak */
            redis(&dbc, &x, "RPUSH gmsgs_%llu %s", (unsigned long long)to, m->s[4]);
            redis(&dbc, &x, "HINCRBY %llu_im_group_msg count 1", (unsigned long long)to); mid = (uint64_t)x.n;
            redis(&dbc, &x, "HSET %llu_%llu_im_user_group count %llu", (unsigned long long)from, (unsigned long long)to, (unsigned long long)mid);
            redis(&dbc, &y, "HKEYS group_member_%llu", (unsigned long long)to);
            for (int i = 0; i < y.count; i++) {
                redis(&dbc, &x, "ZADD recent_%s %lld g%llu", y.s[i], seq, (unsigned long long)to);
                if ((uint64_t)atoll(y.s[i]) != from) snprintf(list + strlen(list), SLEN - strlen(list), "%s%s", *list ? "," : "", y.s[i]);
            }
        }
        put_uint(&o, 1, from); put_uint(&o, 2, to); put_uint(&o, 3, type); put_str(&o, 4, m->s[4]);
        put_uint(&o, 5, mid); put_str(&o, 6, list); put_uint(&o, 9, m->u[9]);
        send_pkt(fd, D_STORE_RES, &o);
    } else if (cid == D_PULL) {                  /* pull what is unread, then mark it read */
        uint64_t uid = m->u[1], peer = m->u[2];
        long long from_idx;
        if (m->u[3] == 1) {
            redis(&dbc, &x, "HGET unread_%llu %llu", (unsigned long long)uid, (unsigned long long)peer);
            conv_key(key, sizeof key, uid, peer);
            from_idx = -atoll(x.s[0]);
            redis(&dbc, &y, "HDEL unread_%llu %llu", (unsigned long long)uid, (unsigned long long)peer);
        } else {
            redis(&dbc, &x, "HGET %llu_im_group_msg count", (unsigned long long)peer);
            redis(&dbc, &y, "HGET %llu_%llu_im_user_group count", (unsigned long long)uid, (unsigned long long)peer);
            snprintf(key, sizeof key, "gmsgs_%llu", (unsigned long long)peer);
            from_idx = atoll(y.s[0]);
            redis(&dbc, &y, "HSET %llu_%llu_im_user_group count %s", (unsigned long long)uid, (unsigned long long)peer, x.s[0]);
        }
        if (from_idx != 0 || m->u[3] == 2) {
            redis(&dbc, &x, "LRANGE %s %lld -1", key, from_idx);
            for (int i = 0; i < x.count; i++) snprintf(list + strlen(list), SLEN - strlen(list), "%s%s", i ? "|" : "", x.s[i]);
        }
        put_str(&o, 1, list); put_uint(&o, 9, m->u[9]);
        send_pkt(fd, D_PULL_RES, &o);
    }
}

/* ---- route_server: who is online where; forwards to the msg_server that holds the user ---- */
static int where[4096];                          /* uid -> msg_server id + 1, 0 = offline */
static int route_fd[2];                          /* route's connection to each msg_server */
static int forwarded, dropped;
static void route_on_pkt(reactor_t *r, int fd, uint16_t cid, msg_t *m) {
    (void)r; buf_t o = {.n = 0};
    if (cid == R_ONLINE) { where[m->u[1]] = (int)m->u[2] + 1; route_fd[m->u[2]] = fd; }
    else if (cid == R_OFFLINE) where[m->u[1]] = 0;
    else if (cid == R_STATUS) {
        char res[SLEN] = "", ids[SLEN], *save = NULL;
        snprintf(ids, sizeof ids, "%s", m->s[1]);
        for (char *t = strtok_r(ids, ",", &save); t; t = strtok_r(NULL, ",", &save))
            snprintf(res + strlen(res), SLEN - strlen(res), "%s%s:%d", *res ? "," : "", t, where[atoi(t)] ? 1 : 0);
        put_str(&o, 1, res); put_uint(&o, 9, m->u[9]);
        send_pkt(fd, R_STATUS_RES, &o);
    } else if (cid == R_FWD) {                   /* split the targets by the server that holds them */
        char per[2][SLEN] = {"", ""}, ids[SLEN], *save = NULL;
        snprintf(ids, sizeof ids, "%s", m->s[6]);
        for (char *t = strtok_r(ids, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int s = where[atoi(t)] - 1;
            if (s < 0 || route_fd[s] == fd) { if (s < 0) __atomic_add_fetch(&dropped, 1, __ATOMIC_SEQ_CST); continue; }
            snprintf(per[s] + strlen(per[s]), SLEN - strlen(per[s]), "%s%s", *per[s] ? "," : "", t);
        }
        for (int s = 0; s < 2; s++) if (*per[s]) {
            o.n = 0;
            for (int f = 1; f <= 5; f++) { if (f == 4) put_str(&o, 4, m->s[4]); else put_uint(&o, f, m->u[f]); }
            put_str(&o, 6, per[s]);
            __atomic_add_fetch(&forwarded, 1, __ATOMIC_SEQ_CST);   /* count before the receiver can see it */
            send_pkt(route_fd[s], R_FWD, &o);
        }
    }
}

/* ---- msg_server: client connections; storage via db_proxy, remote users via route_server ---- */
static int to_db[2], to_route[2], uid_of[2][MAXFD], fd_of[2][4096];
static void push(int srv, msg_t *m, const char *targets) {   /* deliver to local users; return the rest */
    char ids[SLEN], *save = NULL; buf_t o = {.n = 0};
    for (int f = 1; f <= 5; f++) { if (f == 4) put_str(&o, 4, m->s[4]); else put_uint(&o, f, m->u[f]); }
    snprintf(ids, sizeof ids, "%s", targets);
    for (char *t = strtok_r(ids, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (fd_of[srv][atoi(t)]) send_pkt(fd_of[srv][atoi(t)], C_PUSH, &o);
}
static void ms_on_pkt(reactor_t *r, int fd, uint16_t cid, msg_t *m) {
    int s = r->id; buf_t o = {.n = 0};
    switch (cid) {
    case C_LOGIN:   put_uint(&o, 1, m->u[1]); put_uint(&o, 9, (uint64_t)fd); send_pkt(to_db[s], D_LOGIN, &o); break;
    case D_LOGIN_RES: {                          /* attach_data (field 9) names the client connection */
        int c = (int)m->u[9]; uint64_t uid = m->u[1];
        uid_of[s][c] = (int)uid; fd_of[s][uid] = c;
        put_uint(&o, 1, uid); put_uint(&o, 2, (uint64_t)s); send_pkt(to_route[s], R_ONLINE, &o);
        o.n = 0; put_uint(&o, 1, 0); put_uint(&o, 2, m->u[2]); put_str(&o, 3, m->s[3]); put_str(&o, 4, m->s[4]);
        send_pkt(c, C_LOGIN_RES, &o);
        break;
    }
    case C_MSG:
        put_uint(&o, 1, (uint64_t)uid_of[s][fd]); put_uint(&o, 2, m->u[2]); put_uint(&o, 3, m->u[3]);
        put_str(&o, 4, m->s[4]); put_uint(&o, 9, (uint64_t)fd); send_pkt(to_db[s], D_STORE, &o);
        break;
    case D_STORE_RES:                            /* stored: ack the sender, push locally, route the rest */
        put_uint(&o, 1, m->u[5]); send_pkt((int)m->u[9], C_MSG_ACK, &o);
        push(s, m, m->s[6]);
        o.n = 0;
        for (int f = 1; f <= 5; f++) { if (f == 4) put_str(&o, 4, m->s[4]); else put_uint(&o, f, m->u[f]); }
        put_str(&o, 6, m->s[6]); send_pkt(to_route[s], R_FWD, &o);
        break;
    case R_FWD:     push(s, m, m->s[6]); break;
    case C_STATUS:  put_str(&o, 1, m->s[1]); put_uint(&o, 9, (uint64_t)fd); send_pkt(to_route[s], R_STATUS, &o); break;
    case R_STATUS_RES: put_str(&o, 1, m->s[1]); send_pkt((int)m->u[9], C_STATUS_RES, &o); break;
    case C_PULL:
        put_uint(&o, 1, (uint64_t)uid_of[s][fd]); put_uint(&o, 2, m->u[2]); put_uint(&o, 3, m->u[3]);
        put_uint(&o, 9, (uint64_t)fd); send_pkt(to_db[s], D_PULL, &o);
        break;
    case D_PULL_RES: put_str(&o, 1, m->s[1]); send_pkt((int)m->u[9], C_PULL_RES, &o); break;
    }
}
static void ms_on_close(reactor_t *r, int fd) {
    int s = r->id, uid = uid_of[s][fd]; buf_t o = {.n = 0};
    if (!uid) return;
    uid_of[s][fd] = 0; fd_of[s][uid] = 0;
    put_uint(&o, 1, (uint64_t)uid); send_pkt(to_route[s], R_OFFLINE, &o);
}

/* ---- the clients ---- */
static int login(int srv, int uid, msg_t *res) {
    int fd = dial(ms[srv].port); buf_t o = {.n = 0};
    put_uint(&o, 1, (uint64_t)uid); send_pkt(fd, C_LOGIN, &o);
    assert(recv_pkt(fd, res) == C_LOGIN_RES);
    return fd;
}
static uint64_t say(int fd, int to, int type, const char *text) {
    buf_t o = {.n = 0}; msg_t m;
    put_uint(&o, 2, (uint64_t)to); put_uint(&o, 3, (uint64_t)type); put_str(&o, 4, text); send_pkt(fd, C_MSG, &o);
    assert(recv_pkt(fd, &m) == C_MSG_ACK);
    return m.u[1];
}
static void expect_push(int fd, const char *text) {
    msg_t m; assert(recv_pkt(fd, &m) == C_PUSH && strcmp(m.s[4], text) == 0);
}
static void pull(int fd, int peer, int type, char *out) {
    buf_t o = {.n = 0}; msg_t m;
    put_uint(&o, 2, (uint64_t)peer); put_uint(&o, 3, (uint64_t)type); send_pkt(fd, C_PULL, &o);
    assert(recv_pkt(fd, &m) == C_PULL_RES);
    strcpy(out, m.s[1]);
}
static int fwd(void) { return __atomic_load_n(&forwarded, __ATOMIC_SEQ_CST); }

int main(void) {
    enum { ALICE = 1001, BOB = 1002, CAROL = 1003, GID = 77 };
    redis_t adm; reply_t x; redis_open(&adm); redis_open(&dbc);
    redis(&adm, &x, "FLUSHDB");
    for (int u = ALICE; u <= CAROL; u++) {      /* group 77 = alice, bob, carol */
        redis(&adm, &x, "HSET group_member_%d %d 1700000000", GID, u);
        redis(&adm, &x, "SADD user_groups_%d %d", u, GID);
        redis(&adm, &x, "HSET %d_%d_im_user_group count 0", u, GID);
    }
    reactor_start(&dbr, 9, db_on_pkt, NULL);
    reactor_start(&route, 8, route_on_pkt, NULL);
    for (int s = 0; s < 2; s++) {
        reactor_start(&ms[s], s, ms_on_pkt, ms_on_close);
        to_db[s] = dial(dbr.port); to_route[s] = dial(route.port);
        watch(&ms[s], to_db[s]); watch(&ms[s], to_route[s]);   /* replies come back into the loop */
    }
    msg_t res; char text[SLEN];
    int a = login(0, ALICE, &res), b = login(1, BOB, &res);
    printf("alice -> msg_server 0, bob -> msg_server 1\n");
    buf_t o = {.n = 0}; put_str(&o, 1, "1002,1003"); send_pkt(a, C_STATUS, &o);
    assert(recv_pkt(a, &res) == C_STATUS_RES);
    printf("alice asks who is online (via route_server): %s\n", res.s[1]);
    assert(strcmp(res.s[1], "1002:1,1003:0") == 0);

    for (int i = 1; i <= 3; i++) {
        snprintf(text, sizeof text, "hi-bob-%d", i);
        assert(say(a, BOB, 1, text) == (uint64_t)i);
        expect_push(b, text);
    }
    printf("alice -> bob x3: acked msg_id 1..3, bob got 3 pushes through route_server (forwards so far %d)\n", fwd());
    assert(fwd() == 3);
    say(a, CAROL, 1, "hi-carol-1"); say(a, CAROL, 1, "hi-carol-2");
    say(a, GID, 2, "group-1"); expect_push(b, "group-1");
    say(a, GID, 2, "group-2"); expect_push(b, "group-2");
    printf("alice -> carol x2 (offline), alice -> group 77 x2: bob pushed, carol stored; forwards %d, offline drops %d\n",
           fwd(), __atomic_load_n(&dropped, __ATOMIC_SEQ_CST));
    assert(fwd() == 5 && __atomic_load_n(&dropped, __ATOMIC_SEQ_CST) == 4);

    int c = login(1, CAROL, &res);
    printf("carol logs in to msg_server 1: unread total %llu [%s], recent sessions [%s]\n",
           (unsigned long long)res.u[2], res.s[3], res.s[4]);
    assert(res.u[2] == 4 && strcmp(res.s[3], "u1001:2,g77:2") == 0 && strcmp(res.s[4], "g77,u1001") == 0);
    pull(c, ALICE, 1, text); printf("carol pulls from alice: %s\n", text);
    assert(strcmp(text, "hi-carol-1|hi-carol-2") == 0);
    pull(c, GID, 2, text); printf("carol pulls group 77: %s\n", text);
    assert(strcmp(text, "group-1|group-2") == 0);
    close(c);
    c = login(0, CAROL, &res);
    printf("carol logs in again, now to msg_server 0: unread total %llu\n", (unsigned long long)res.u[2]);
    assert(res.u[2] == 0);
    say(c, BOB, 1, "hi-bob-from-carol"); expect_push(b, "hi-bob-from-carol");
    printf("carol (server 0) -> bob (server 1): delivered, forwards %d\n", fwd());
    assert(fwd() == 6);
    close(a); close(b); close(c);
    return 0;
}
