// caption: Skynet 形状的网络层：一个 socket 线程独占 epoll（LT），服务只通过管道发命令（START/SEND/EXIT），读事件变成 SOCKET_ACCEPT/DATA/CLOSE 消息投进服务队列；读缓冲按 64 字节起步自适应翻倍/减半
// point: skynet reactor网络模型封装
// timeout: 30
#define _GNU_SOURCE /* accept4 */
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { SOCKET_ACCEPT = 1, SOCKET_DATA, SOCKET_CLOSE };
typedef struct msg { int type, id, n; char *data; struct msg *next; } msg;
typedef struct { char type; int id, n; char *data; } request; /* 24 bytes < PIPE_BUF: one atomic write */
typedef struct { int fd, reading, rsize; char *wbuf; int wlen, woff; } sock;

#define MAXS 256
static sock S[MAXS];
static int ctrl[2], efd, listen_id;
static long grows, shrinks, cmds, reads;
/* the echo service's queue (a mutex is enough here: one producer, one consumer) */
static msg *qh, *qt;
static pthread_mutex_t qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qc = PTHREAD_COND_INITIALIZER;

static void post(int type, int id, char *data, int n) {
    msg *m = malloc(sizeof *m);
    assert(m);
    *m = (msg){type, id, n, data, NULL};
    pthread_mutex_lock(&qm);
    if (qt) qt->next = m; else qh = m;
    qt = m;
    pthread_cond_signal(&qc);
    pthread_mutex_unlock(&qm);
}
static void send_request(char type, int id, char *data, int n) { /* any thread -> socket thread */
    request r = {type, id, n, data};
    assert(write(ctrl[1], &r, sizeof r) == sizeof r);
}
static int new_slot(int fd) {
    for (int i = 0; i < MAXS; i++)
        if (S[i].fd == 0) { S[i] = (sock){fd, 0, 64, NULL, 0, 0}; return i; }
    abort();
}
static void set_events(int id, int out) {
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.u32 = (unsigned)id};
    assert(epoll_ctl(efd, EPOLL_CTL_MOD, S[id].fd, &ev) == 0);
}
static void flush_write(int id) {
    sock *s = &S[id];
    while (s->woff < s->wlen) {
        ssize_t n = write(s->fd, s->wbuf + s->woff, (size_t)(s->wlen - s->woff));
        if (n < 0) { assert(errno == EAGAIN); set_events(id, 1); return; } /* kernel buffer full: wait for EPOLLOUT */
        s->woff += (int)n;
    }
    free(s->wbuf);
    s->wbuf = NULL, s->wlen = s->woff = 0;
    set_events(id, 0);
}

static void *socket_thread(void *arg) {
    (void)arg;
    struct epoll_event ev[64];
    for (;;) {
        int n = epoll_wait(efd, ev, 64, -1);
        for (int i = 0; i < n; i++) {
            int id = (int)ev[i].data.u32;
            if (id == MAXS) { /* control pipe: commands from services */
                request r;
                assert(read(ctrl[0], &r, sizeof r) == sizeof r);
                cmds++;
                if (r.type == 'X') return NULL;
                if (r.type == 'S') { /* start reading an accepted socket */
                    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (unsigned)r.id};
                    assert(epoll_ctl(efd, EPOLL_CTL_ADD, S[r.id].fd, &e) == 0);
                    S[r.id].reading = 1;
                } else if (r.type == 'D') { /* send: append, then try to write at once */
                    sock *s = &S[r.id];
                    if (!s->reading) { free(r.data); continue; }
                    s->wbuf = realloc(s->wbuf, (size_t)(s->wlen + r.n));
                    memcpy(s->wbuf + s->wlen, r.data, (size_t)r.n);
                    s->wlen += r.n;
                    free(r.data);
                    flush_write(r.id);
                }
            } else if (id == listen_id) {
                int fd = accept4(S[id].fd, NULL, NULL, SOCK_NONBLOCK);
                int one = 1; /* echo arrives in pieces: do not let Nagle hold the later ones */
                if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0)
                    post(SOCKET_ACCEPT, new_slot(fd), NULL, 0); /* not read until the service says START */
            } else if (ev[i].events & EPOLLOUT) {
                flush_write(id);
            } else { /* readable: one read per event, LT will report the rest */
                sock *s = &S[id];
                char *buf = malloc((size_t)s->rsize);
                ssize_t r = read(s->fd, buf, (size_t)s->rsize);
                reads++;
                if (r > 0) {
                    if (r == s->rsize) s->rsize *= 2, grows++; /* filled it: next time read more */
                    else if (s->rsize > 64 && r * 2 < s->rsize) s->rsize /= 2, shrinks++;
                    post(SOCKET_DATA, id, buf, (int)r);
                } else if (r == 0 || errno != EAGAIN) {
                    free(buf);
                    free(s->wbuf);
                    epoll_ctl(efd, EPOLL_CTL_DEL, s->fd, NULL);
                    close(s->fd);
                    S[id] = (sock){0};
                    post(SOCKET_CLOSE, id, NULL, 0);
                } else free(buf);
            }
        }
    }
}

#define NCLI 8
#define ROUNDS 200
static int port;
static void *client(void *arg) {
    unsigned seed = (unsigned)(long)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    static __thread char out[8192], in[8192];
    for (int r = 0; r < ROUNDS; r++) {
        size_t len = 1 + rand_r(&seed) % (r % 20 < 10 ? 64u : 8000u); /* bursts of small, then large */
        for (size_t i = 0; i < len; i++) out[i] = (char)rand_r(&seed);
        assert(write(fd, out, len) == (ssize_t)len);
        for (size_t got = 0; got < len;) {
            ssize_t n = read(fd, in + got, len - got);
            assert(n > 0);
            got += (size_t)n;
        }
        assert(memcmp(in, out, len) == 0);
    }
    close(fd);
    return NULL;
}

int main(void) {
    assert(pipe(ctrl) == 0);
    efd = epoll_create1(0);
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = MAXS};
    assert(epoll_ctl(efd, EPOLL_CTL_ADD, ctrl[0], &e) == 0);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 64) == 0);
    assert(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
    port = ntohs(a.sin_port);
    listen_id = new_slot(lfd);
    e.data.u32 = (unsigned)listen_id;
    assert(epoll_ctl(efd, EPOLL_CTL_ADD, lfd, &e) == 0);
    pthread_t st, cl[NCLI];
    pthread_create(&st, NULL, socket_thread, NULL);
    for (long i = 0; i < NCLI; i++) pthread_create(&cl[i], NULL, client, (void *)(i + 1));

    /* the echo service: only messages in, only requests out; it never touches a fd */
    long accepted = 0, closed = 0, datamsgs = 0, bytes = 0;
    while (closed < NCLI) {
        pthread_mutex_lock(&qm);
        while (!qh) pthread_cond_wait(&qc, &qm);
        msg *m = qh;
        qh = m->next;
        if (!qh) qt = NULL;
        pthread_mutex_unlock(&qm);
        if (m->type == SOCKET_ACCEPT) accepted++, send_request('S', m->id, NULL, 0);
        else if (m->type == SOCKET_DATA) datamsgs++, bytes += m->n, send_request('D', m->id, m->data, m->n);
        else closed++;
        free(m);
    }
    for (int i = 0; i < NCLI; i++) pthread_join(cl[i], NULL);
    send_request('X', 0, NULL, 0);
    pthread_join(st, NULL);
    printf("%ld connections accepted and closed; %ld bytes echoed in %ld SOCKET_DATA messages\n", accepted, bytes, datamsgs);
    printf("socket thread: %ld reads, %ld pipe commands; read buffer grew %ld times, shrank %ld times\n", reads, cmds,
           grows, shrinks);
    assert(accepted == NCLI && closed == NCLI && cmds == accepted + datamsgs + 1);
    assert(grows > 0 && shrinks > 0 && reads >= datamsgs + closed);
    close(lfd), close(efd), close(ctrl[0]), close(ctrl[1]);
    return 0;
}
