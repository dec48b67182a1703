// caption: C 版异步请求池（create / commit / callback / destroy）：回调线程阻塞在 epoll_wait 时，业务线程直接 epoll_ctl 提交 40 个手写 RFC 1035 报文的 DNS 查询（回环上的假 DNS 服务器每个应答延迟 50 ms，一个故意不回）；每个回调恰好一次、结果正确，超时的那个以超时回调，整批耗时约等于一次超时而不是 40 次往返之和
// point: King式四元组,create, commit, callback,destroy
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* ---------- DNS wire format (RFC 1035 section 4) ---------- */
static int encode_query(uint8_t *b, uint16_t id, const char *name) {
    memset(b, 0, 12);
    b[0] = id >> 8, b[1] = id & 0xff, b[2] = 0x01, b[5] = 1;   /* RD set, QDCOUNT = 1 */
    int n = 12;
    for (const char *p = name; *p;) {                          /* labels: length byte + bytes */
        const char *dot = strchr(p, '.');
        int len = dot ? dot - p : (int)strlen(p);
        b[n++] = len;
        memcpy(b + n, p, len), n += len;
        p += len + (dot != NULL);
    }
    b[n++] = 0;
    b[n++] = 0, b[n++] = 1, b[n++] = 0, b[n++] = 1;            /* QTYPE A, QCLASS IN */
    return n;
}

/* ---------- a loopback DNS server: answers after 50 ms, never answers "drop.test" ---------- */
/* The dotted QNAME of a query ("host3.test."): the offset of its terminating zero byte, or -1 if the labels run
   past the datagram or the buffer. A server must never trust the lengths a packet carries. */
static int qname(const uint8_t *b, ssize_t n, char *name, size_t cap) {
    size_t len = 0;
    int i = 12;
    while (i < n && b[i]) {
        int l = b[i];
        if (l > 63 || i + 1 + l >= n || len + (size_t)l + 2 > cap) return -1;
        memcpy(name + len, b + i + 1, (size_t)l);
        len += (size_t)l;
        name[len++] = '.';
        i += l + 1;
    }
    name[len] = 0;
    return i < n ? i : -1;
}

static int srv_fd, srv_port, srv_stop;
static void *dns_server(void *arg) {
    (void)arg;
    struct { uint8_t b[512]; int n; struct sockaddr_in peer; double due; } q[64];
    int nq = 0;
    while (!__atomic_load_n(&srv_stop, __ATOMIC_ACQUIRE)) {
        uint8_t b[512];
        struct sockaddr_in peer;
        socklen_t pl = sizeof peer;
        ssize_t n = recvfrom(srv_fd, b, sizeof b, MSG_DONTWAIT, (struct sockaddr *)&peer, &pl);
        if (n > 12 && nq < 64) {
            char name[256];
            int i = qname(b, n, name, sizeof name);               /* malformed (-1): ignore the datagram */
            int qend = i + 5;                                     /* zero byte + QTYPE + QCLASS */
            if (i >= 0 && qend <= n && strcmp(name, "drop.test.")) {
                memcpy(q[nq].b, b, qend);
                q[nq].b[2] = 0x81, q[nq].b[3] = 0x80, q[nq].b[7] = 0;   /* QR RD RA, ANCOUNT 0 for now */
                int len = qend;
                if (!strncmp(name, "host", 4)) {                  /* hostN.test -> 10.0.0.N */
                    uint8_t ans[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, (uint8_t)atoi(name + 4)};
                    memcpy(q[nq].b + len, ans, sizeof ans), len += sizeof ans;   /* 0xC00C: pointer to QNAME */
                    q[nq].b[7] = 1;
                } else q[nq].b[3] = 0x83;                         /* RCODE 3: NXDOMAIN */
                q[nq].n = len, q[nq].peer = peer, q[nq].due = now() + 0.05;
                nq++;
            }
        }
        for (int k = 0; k < nq; k++)
            if (now() >= q[k].due) {
                sendto(srv_fd, q[k].b, q[k].n, 0, (struct sockaddr *)&q[k].peer, sizeof q[k].peer);
                q[k--] = q[--nq];
            }
        if (n < 0) usleep(1000);
    }
    return NULL;
}

/* ---------- the async request pool ---------- */
typedef struct request {
    int fd;
    uint16_t id;
    char name[64];
    double deadline;
    void (*cb)(struct request *, int ok, uint32_t ip, int rcode);
    struct request *next;                                      /* in-flight list, for timeouts */
} request;
typedef struct { int epfd, stop; pthread_t th; pthread_mutex_t mu; request *inflight; } pool;

static pthread_t cb_thread;
static int callbacks[64], answered, nxdomain, timeouts;

static void on_done(request *r, int ok, uint32_t ip, int rcode) {   /* runs on the callback thread */
    assert(pthread_equal(pthread_self(), cb_thread));
    callbacks[r->id]++;
    if (!ok) __atomic_fetch_add(&timeouts, 1, __ATOMIC_RELEASE);   /* the main thread polls these */
    else if (rcode == 3) __atomic_fetch_add(&nxdomain, 1, __ATOMIC_RELEASE);
    else { assert(ip == (10u << 24 | atoi(r->name + 4))); __atomic_fetch_add(&answered, 1, __ATOMIC_RELEASE); }
}

static void finish(pool *p, request *r, int ok, uint32_t ip, int rcode) {
    pthread_mutex_lock(&p->mu);
    for (request **pp = &p->inflight; *pp; pp = &(*pp)->next) if (*pp == r) { *pp = r->next; break; }
    pthread_mutex_unlock(&p->mu);
    epoll_ctl(p->epfd, EPOLL_CTL_DEL, r->fd, NULL);
    close(r->fd);
    r->cb(r, ok, ip, rcode);
    free(r);
}

static void *callback_loop(void *arg) {                      /* callback: wait, parse, call back */
    pool *p = arg;
    while (!__atomic_load_n(&p->stop, __ATOMIC_ACQUIRE)) {
        struct epoll_event evs[64];
        int n = epoll_wait(p->epfd, evs, 64, 20);
        for (int i = 0; i < n; i++) {
            request *r = evs[i].data.ptr;
            uint8_t b[512];
            ssize_t len = recv(r->fd, b, sizeof b, 0);
            if (len < 12 || (b[0] << 8 | b[1]) != r->id || !(b[2] & 0x80)) continue;   /* not our answer */
            int rcode = b[3] & 0x0f, an = b[6] << 8 | b[7], k = 12;
            while (b[k]) k += b[k] + 1;                       /* skip QNAME, QTYPE, QCLASS */
            k += 5;
            uint32_t ip = 0;
            if (an && k + 16 <= len) {                          /* NAME(2, compressed) TYPE CLASS TTL RDLEN RDATA */
                assert((b[k] & 0xc0) == 0xc0);
                ip = (uint32_t)b[k + 12] << 24 | b[k + 13] << 16 | b[k + 14] << 8 | b[k + 15];
            }
            finish(p, r, 1, ip, rcode);
        }
        double t = now();                                       /* expire overdue requests */
        for (;;) {
            request *late = NULL;
            pthread_mutex_lock(&p->mu);
            for (request *r = p->inflight; r; r = r->next) if (r->deadline <= t) { late = r; break; }
            pthread_mutex_unlock(&p->mu);
            if (!late) break;
            finish(p, late, 0, 0, 0);
        }
    }
    return NULL;
}

static pool *pool_create(void) {                              /* create: epoll + callback thread */
    pool *p = calloc(1, sizeof *p);
    p->epfd = epoll_create1(0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_create(&p->th, NULL, callback_loop, p);
    cb_thread = p->th;
    return p;
}

static void pool_commit(pool *p, const char *name, uint16_t id, double timeout) {   /* from any thread */
    request *r = calloc(1, sizeof *r);
    r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(srv_port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert(connect(r->fd, (struct sockaddr *)&a, sizeof a) == 0);   /* UDP connect: only this peer's replies */
    r->id = id, r->cb = on_done, r->deadline = now() + timeout;
    snprintf(r->name, sizeof r->name, "%s", name);
    uint8_t b[512];
    int n = encode_query(b, id, name);
    pthread_mutex_lock(&p->mu);
    r->next = p->inflight, p->inflight = r;
    pthread_mutex_unlock(&p->mu);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = r};
    assert(epoll_ctl(p->epfd, EPOLL_CTL_ADD, r->fd, &ev) == 0);     /* safe while another thread waits */
    assert(send(r->fd, b, n, 0) == n);
}

static void pool_destroy(pool *p) {
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    pthread_join(p->th, NULL);
    while (p->inflight) { request *r = p->inflight; p->inflight = r->next; close(r->fd); free(r); }
    close(p->epfd);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int main(void) {
    srv_fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(srv_fd, (struct sockaddr *)&a, sizeof a) == 0);
    getsockname(srv_fd, (struct sockaddr *)&a, &al);
    srv_port = ntohs(a.sin_port);
    pthread_t srv;
    pthread_create(&srv, NULL, dns_server, NULL);

    uint8_t b[512];
    int n = encode_query(b, 0x1234, "host7.test");
    assert(n == 12 + 12 + 4 && b[12] == 5 && !memcmp(b + 13, "host7", 5) && b[18] == 4);   /* 5host74test0 */

    pool *p = pool_create();
    double t0 = now();
    int committed = 0;
    for (int i = 1; i <= 38; i++) {
        char name[32];
        snprintf(name, sizeof name, "host%d.test", i);
        pool_commit(p, name, committed++, 0.3);
    }
    pool_commit(p, "missing.test", committed++, 0.3);
    pool_commit(p, "drop.test", committed++, 0.3);
    for (int tries = 0; tries < 300; tries++) {
        int done = __atomic_load_n(&answered, __ATOMIC_ACQUIRE) + __atomic_load_n(&nxdomain, __ATOMIC_ACQUIRE) +
                   __atomic_load_n(&timeouts, __ATOMIC_ACQUIRE);
        if (done == committed) break;
        usleep(10000);
    }
    double el = now() - t0;
    pool_destroy(p);
    __atomic_store_n(&srv_stop, 1, __ATOMIC_RELEASE);
    pthread_join(srv, NULL);
    close(srv_fd);
    for (int i = 0; i < committed; i++) assert(callbacks[i] == 1);   /* exactly once each */
    printf("%d DNS queries committed from the main thread: %d answers (10.0.0.N), %d NXDOMAIN, %d timeout\n",
           committed, answered, nxdomain, timeouts);
    printf("every callback ran once, on the callback thread; all done in %.0f ms "
           "(server delay 50 ms each, timeout 300 ms; one at a time would take > %d ms)\n", el * 1e3, committed * 50);
    assert(answered == 38 && nxdomain == 1 && timeouts == 1);
    assert(el < 0.3 + 0.5 && el < committed * 0.05 / 2);
    return 0;
}
