// caption: C 版 WebSocket 服务器：手写 SHA-1 与 base64 算握手的 Sec-WebSocket-Accept（RFC 6455 示例值自检），epoll Reactor 上解析帧、去掩码、回显，拒绝未掩码的客户端帧（1002）；200 个连接压测并打印每秒消息数
// point: websocket数据流的编解码
// timeout: 40
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
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* ---------- SHA-1 (FIPS 180-4) and base64 (RFC 4648) ---------- */
static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1(const uint8_t *msg, size_t len, uint8_t out[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t total = ((len + 8) / 64 + 1) * 64;       /* message + 0x80 + zero pad + 64-bit length */
    uint8_t *m = calloc(total, 1);
    memcpy(m, msg, len);
    m[len] = 0x80;
    for (int i = 0; i < 8; i++) m[total - 1 - i] = (uint8_t)((uint64_t)len * 8 >> (8 * i));
    for (size_t blk = 0; blk < total; blk += 64) {
        uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int t = 0; t < 16; t++)
            w[t] = (uint32_t)m[blk + 4 * t] << 24 | m[blk + 4 * t + 1] << 16 | m[blk + 4 * t + 2] << 8 | m[blk + 4 * t + 3];
        for (int t = 16; t < 80; t++) w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        for (int t = 0; t < 80; t++) {
            uint32_t f, k;
            if (t < 20) f = (b & c) | (~b & d), k = 0x5A827999;
            else if (t < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
            else if (t < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
            else f = b ^ c ^ d, k = 0xCA62C1D6;
            uint32_t tmp = rol(a, 5) + f + e + k + w[t];
            e = d, d = c, c = rol(b, 30), b = a, a = tmp;
        }
        h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
    }
    for (int i = 0; i < 20; i++) out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
    free(m);
}

static void base64(const uint8_t *in, size_t n, char *out) {
    static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        *out++ = T[v >> 18 & 63];
        *out++ = T[v >> 12 & 63];
        *out++ = i + 1 < n ? T[v >> 6 & 63] : '=';
        *out++ = i + 2 < n ? T[v & 63] : '=';
    }
    *out = 0;
}

static void ws_accept(const char *key, char out[29]) {
    char buf[128];
    uint8_t d[20];
    snprintf(buf, sizeof buf, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    sha1((const uint8_t *)buf, strlen(buf), d);
    base64(d, 20, out);
}

/* ---------- frames ---------- */
/* Encode one frame; mask != NULL for client->server frames. Returns its length. */
static size_t ws_encode(uint8_t *out, int opcode, const uint8_t *p, size_t n, const uint8_t *mask) {
    size_t h = 0;
    out[h++] = 0x80 | opcode;                             /* FIN + opcode */
    uint8_t mbit = mask ? 0x80 : 0;
    if (n < 126) out[h++] = mbit | n;
    else if (n <= 0xFFFF) { out[h++] = mbit | 126; out[h++] = n >> 8; out[h++] = n & 0xFF; }
    else { out[h++] = mbit | 127; for (int i = 7; i >= 0; i--) out[h++] = (uint8_t)((uint64_t)n >> (8 * i)); }
    if (mask) memcpy(out + h, mask, 4), h += 4;
    for (size_t i = 0; i < n; i++) out[h + i] = mask ? p[i] ^ mask[i % 4] : p[i];
    return h + n;
}

/* Decode one frame from buf. Returns bytes used, 0 if incomplete; payload unmasked in place. */
static size_t ws_decode(uint8_t *buf, size_t len, int *opcode, int *masked, uint8_t **payload, size_t *plen) {
    if (len < 2) return 0;
    size_t h = 2, n = buf[1] & 0x7F;
    if (n == 126) { if (len < 4) return 0; n = buf[2] << 8 | buf[3]; h = 4; }
    else if (n == 127) { if (len < 10) return 0; n = 0; for (int i = 0; i < 8; i++) n = n << 8 | buf[2 + i]; h = 10; }
    *masked = buf[1] >> 7;
    uint8_t *key = buf + h;
    if (*masked) h += 4;
    if (len < h + n) return 0;
    for (size_t i = 0; *masked && i < n; i++) buf[h + i] ^= key[i % 4];
    *opcode = buf[0] & 0x0F, *payload = buf + h, *plen = n;
    return h + n;
}

/* ---------- server: epoll reactor ---------- */
#define MAXFD 4096
#define BUFSZ 8192
typedef struct { int fd, upgraded; uint8_t rbuf[BUFSZ + 1]; size_t rlen; } conn_t;
static int epfd, lfd, port, stop;
static conn_t *conns[MAXFD];
static long frames_in;

static void conn_close(conn_t *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    conns[c->fd] = NULL;
    free(c);
}

static void send_all(int fd, const void *p, size_t n) {    /* small replies: a short blocking wait is fine here */
    for (size_t off = 0; off < n;) {
        ssize_t k = send(fd, (const char *)p + off, n - off, MSG_NOSIGNAL);
        if (k > 0) off += k; else if (errno != EAGAIN) return;
    }
}

static int handle(conn_t *c) {                            /* returns -1 when the connection must close */
    size_t used = 0;
    if (!c->upgraded) {
        c->rbuf[c->rlen] = 0;
        char *end = strstr((char *)c->rbuf, "\r\n\r\n"), *k = strcasestr((char *)c->rbuf, "\r\nSec-WebSocket-Key:");
        if (!end) return c->rlen == BUFSZ ? -1 : 0;
        if (!k || k > end) { send_all(c->fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28); return -1; }
        char key[64] = "", acc[29], resp[160];
        sscanf(k + 20, " %63[^\r]", key);
        ws_accept(key, acc);
        int n = snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
        send_all(c->fd, resp, n);
        c->upgraded = 1;
        used = end + 4 - (char *)c->rbuf;
    }
    for (;;) {
        int op, masked;
        uint8_t *p, out[BUFSZ + 16];
        size_t plen, n = ws_decode(c->rbuf + used, c->rlen - used, &op, &masked, &p, &plen);
        if (!n) break;
        used += n;
        __atomic_fetch_add(&frames_in, 1, __ATOMIC_RELAXED);
        if (!masked) {                                    /* RFC 6455 5.1: close with 1002 */
            uint8_t code[2] = {1002 >> 8, 1002 & 0xFF};
            send_all(c->fd, out, ws_encode(out, 0x8, code, 2, NULL));
            return -1;
        }
        if (op == 0x8) { send_all(c->fd, out, ws_encode(out, 0x8, p, plen, NULL)); return -1; }  /* close */
        send_all(c->fd, out, ws_encode(out, op == 0x9 ? 0xA : op, p, plen, NULL));  /* echo; ping -> pong */
    }
    memmove(c->rbuf, c->rbuf + used, c->rlen - used);
    c->rlen -= used;
    return c->rlen == BUFSZ ? -1 : 0;                    /* a frame larger than the buffer: give up */
}

static void *server(void *arg) {
    (void)arg;
    struct epoll_event evs[256];
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        int n = epoll_wait(epfd, evs, 256, 50);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd, cfd;
            if (fd == lfd) {
                for (int b = 0; b < 64 && (cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0; b++) {
                    assert(cfd < MAXFD);
                    conns[cfd] = calloc(1, sizeof(conn_t));
                    conns[cfd]->fd = cfd;
                    struct epoll_event ev = {.events = EPOLLIN, .data.fd = cfd};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev);
                }
                continue;
            }
            conn_t *c = conns[fd];
            ssize_t k = c ? recv(fd, c->rbuf + c->rlen, BUFSZ - c->rlen, 0) : -1;
            if (c && (k == 0 || (k < 0 && errno != EAGAIN))) conn_close(c);
            else if (c && k > 0 && (c->rlen += k, handle(c) < 0)) conn_close(c);
        }
    }
    for (int fd = 0; fd < MAXFD; fd++) if (conns[fd]) conn_close(conns[fd]);
    return NULL;
}

/* ---------- client side ---------- */
static int ws_connect(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    uint8_t nonce[16];
    char key[25], want[29], req[256], resp[512];
    for (int i = 0; i < 16; i++) nonce[i] = (uint8_t)rand();
    base64(nonce, 16, key);                               /* 16 random bytes, base64: 24 characters */
    int n = snprintf(req, sizeof req, "GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", key);
    send_all(fd, req, n);
    size_t got = 0;
    while (!memmem(resp, got, "\r\n\r\n", 4)) {          /* the server sends nothing after 101 unasked */
        ssize_t k = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        assert(k > 0);
        got += k;
    }
    resp[got] = 0;
    ws_accept(key, want);                                 /* the client checks the server's answer */
    assert(!strncmp(resp, "HTTP/1.1 101 ", 13) && strstr(resp, want));
    return fd;
}

static size_t recv_frame(int fd, uint8_t *buf, size_t cap, int *op, uint8_t **p, size_t *plen) {
    size_t got = 0, n;
    int masked;
    while (!(n = ws_decode(buf, got, op, &masked, p, plen))) {
        ssize_t k = recv(fd, buf + got, cap - got, 0);
        assert(k > 0);
        got += k;
    }
    assert(!masked && n == got);                          /* server frames are never masked */
    return n;
}

#define CLIENT_THREADS 2
#define CONNS 100
#define ROUNDS 100
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static void *client(void *arg) {
    long *done = arg;
    int fds[CONNS];
    uint8_t frame[64], buf[64], *p, mask[4], msg[32];
    memset(msg, 'x', sizeof msg);
    for (int i = 0; i < CONNS; i++) fds[i] = ws_connect();
    *done = 0;
    for (int r = 0; r < ROUNDS; r++) {                    /* all connections in flight, then collect */
        for (int i = 0; i < CONNS; i++) {
            for (int j = 0; j < 4; j++) mask[j] = (uint8_t)(r * 31 + i * 7 + j);
            send_all(fds[i], frame, ws_encode(frame, 0x1, msg, sizeof msg, mask));
        }
        for (int i = 0; i < CONNS; i++) {
            int op;
            size_t plen;
            recv_frame(fds[i], buf, sizeof buf, &op, &p, &plen);
            assert(op == 0x1 && plen == sizeof msg && !memcmp(p, msg, plen));
            ++*done;
        }
    }
    for (int i = 0; i < CONNS; i++) close(fds[i]);
    return NULL;
}

int main(void) {
    uint8_t d[20];
    char acc[29];
    sha1((const uint8_t *)"abc", 3, d);                   /* FIPS 180 test vector */
    char hex[41];
    for (int i = 0; i < 20; i++) sprintf(hex + 2 * i, "%02x", d[i]);
    assert(!strcmp(hex, "a9993e364706816aba3e25717850c26c9cd0d89d"));
    ws_accept("dGhlIHNhbXBsZSBub25jZQ==", acc);           /* RFC 6455 section 1.3 example */
    printf("accept for the RFC 6455 sample key: %s\n", acc);
    assert(!strcmp(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));

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

    int fd = ws_connect(), op;
    uint8_t big[300], frame[400], buf[400], *p, mask[4] = {0x12, 0x34, 0x56, 0x78};
    size_t plen, n;
    for (int i = 0; i < 300; i++) big[i] = (uint8_t)i;
    n = ws_encode(frame, 0x2, big, 300, mask);
    assert(frame[1] == (0x80 | 126) && n == 2 + 2 + 4 + 300);       /* 16-bit length, mask bit set */
    assert(frame[8] == (big[0] ^ 0x12) && frame[9] == (big[1] ^ 0x34)); /* payload XOR key[i % 4] on the wire */
    send_all(fd, frame, n);
    n = recv_frame(fd, buf, sizeof buf, &op, &p, &plen);
    assert(op == 0x2 && plen == 300 && !memcmp(p, big, 300) && n == 4 + 300);
    printf("300-byte binary frame: masked header %zu bytes out, unmasked %zu-byte frame back, payload intact\n",
           (size_t)8, n);
    send_all(fd, frame, ws_encode(frame, 0x9, (const uint8_t *)"hi", 2, mask));
    recv_frame(fd, buf, sizeof buf, &op, &p, &plen);
    assert(op == 0xA && plen == 2 && !memcmp(p, "hi", 2));
    printf("ping 'hi' -> pong 'hi'\n");
    send_all(fd, frame, ws_encode(frame, 0x1, (const uint8_t *)"plain", 5, NULL));   /* unmasked: illegal */
    recv_frame(fd, buf, sizeof buf, &op, &p, &plen);
    assert(op == 0x8 && plen == 2 && (p[0] << 8 | p[1]) == 1002);
    assert(recv(fd, buf, sizeof buf, 0) == 0);           /* and the server closed the TCP connection */
    printf("unmasked client frame -> close 1002 (protocol error), connection closed\n");
    close(fd);

    long done[CLIENT_THREADS], total = 0;
    double t0 = now();
    for (int i = 0; i < CLIENT_THREADS; i++) pthread_create(&ct[i], NULL, client, &done[i]);
    for (int i = 0; i < CLIENT_THREADS; i++) { pthread_join(ct[i], NULL); total += done[i]; }
    double el = now() - t0;
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(st, NULL);
    close(lfd), close(epfd);
    printf("%d connections (handshake each) x %d masked text frames: %ld echoed in %.2f s = %.0f messages/s\n",
           CLIENT_THREADS * CONNS, ROUNDS, total, el, total / el);
    assert(total == (long)CLIENT_THREADS * CONNS * ROUNDS);
    return 0;
}
