// caption: C 版 memcached 式主从 Reactor：accept 线程按轮询把新连接放进 worker 的队列并往它的通知管道写一个字节，4 个 worker 线程各有一个 epoll，连接终身归属一个 worker；200 个客户端连接各 100 次往返，核对归属不变、分配均匀，打印每秒请求数
// point: memcached的多线程master-worker的reactor实现
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

#define WORKERS 4
#define CONNS 200
#define ROUNDS 100

typedef struct {
    int id, ep, notify[2];                  /* notify[0] is in the worker's epoll, the master writes notify[1] */
    pthread_mutex_t mu;
    int queue[CONNS], qn;                   /* new connections handed over by the master (like CQ in memcached) */
    long served;
    pthread_t th;
} worker;
static worker W[WORKERS];
static int lfd, port, stop;

static void *worker_loop(void *arg) {
    worker *w = arg;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = w->notify[0]}, evs[64];
    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->notify[0], &ev);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        int n = epoll_wait(w->ep, evs, 64, 50);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == w->notify[0]) {       /* "you have new connections": take them from the queue */
                char c[64];
                while (read(fd, c, sizeof c) > 0) {}
                pthread_mutex_lock(&w->mu);
                for (int k = 0; k < w->qn; k++) {
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = w->queue[k]};
                    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->queue[k], &ce);   /* from now on only this thread touches it */
                }
                w->qn = 0;
                pthread_mutex_unlock(&w->mu);
                continue;
            }
            char buf[128], out[160];
            ssize_t k = recv(fd, buf, sizeof buf, 0);
            if (k < 0 && errno == EAGAIN) continue;
            if (k <= 0) { close(fd); continue; }
            int m = snprintf(out, sizeof out, "w%d:%.*s", w->id, (int)k, buf);   /* reply says who served it */
            assert(send(fd, out, m, MSG_NOSIGNAL) == m);
            w->served++;
        }
    }
    return NULL;
}

static void *master(void *arg) {            /* accepts only; never reads a byte of any connection */
    (void)arg;
    for (int i = 0, next = 0; i < CONNS; i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        assert(fd >= 0);
        worker *w = &W[next];
        next = (next + 1) % WORKERS;        /* round robin, like memcached's dispatch_conn_new */
        pthread_mutex_lock(&w->mu);
        w->queue[w->qn++] = fd;
        pthread_mutex_unlock(&w->mu);
        assert(write(w->notify[1], "c", 1) == 1);   /* wake the worker from epoll_wait */
    }
    return NULL;
}

static int owner[CONNS];
static void *clients(void *arg) {           /* half of the connections, driven one round at a time */
    int base = (int)(long)arg, fds[CONNS / 2];
    for (int i = 0; i < CONNS / 2; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        assert(connect(fds[i], (struct sockaddr *)&a, sizeof a) == 0);
        owner[base + i] = -1;
    }
    char msg[32], back[64];
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < CONNS / 2; i++) {
            int n = snprintf(msg, sizeof msg, "c%d r%d", base + i, r);
            assert(send(fds[i], msg, n, 0) == n);
        }
        for (int i = 0; i < CONNS / 2; i++) {
            ssize_t k = recv(fds[i], back, sizeof back - 1, 0);
            assert(k > 3);
            back[k] = 0;
            int w = back[1] - '0';
            if (owner[base + i] < 0) owner[base + i] = w;
            assert(owner[base + i] == w);   /* a connection never changes worker */
            char want[32];
            snprintf(want, sizeof want, "c%d r%d", base + i, r);
            assert(!strcmp(back + 3, want));
        }
    }
    for (int i = 0; i < CONNS / 2; i++) close(fds[i]);
    return NULL;
}

int main(void) {
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 512) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin_port);
    for (int i = 0; i < WORKERS; i++) {
        W[i].id = i, W[i].ep = epoll_create1(0);
        assert(pipe2(W[i].notify, O_NONBLOCK) == 0);
        pthread_mutex_init(&W[i].mu, NULL);
        pthread_create(&W[i].th, NULL, worker_loop, &W[i]);
    }
    pthread_t m, c[2];
    pthread_create(&m, NULL, master, NULL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < 2; i++) pthread_create(&c[i], NULL, clients, (void *)(i * CONNS / 2));
    for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(m, NULL);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < WORKERS; i++) pthread_join(W[i].th, NULL);
    double el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    int per[WORKERS] = {0};
    for (int i = 0; i < CONNS; i++) per[owner[i]]++;
    printf("%d connections over %d workers: %d %d %d %d (round robin), each stayed on its worker for %d round trips\n",
           CONNS, WORKERS, per[0], per[1], per[2], per[3], ROUNDS);
    printf("requests served per worker: %ld %ld %ld %ld; %d requests in %.2f s = %.0f requests/s\n", W[0].served,
           W[1].served, W[2].served, W[3].served, CONNS * ROUNDS, el, CONNS * ROUNDS / el);
    for (int i = 0; i < WORKERS; i++) assert(per[i] == CONNS / WORKERS && W[i].served == (long)per[i] * ROUNDS);
    for (int i = 0; i < WORKERS; i++) close(W[i].ep), close(W[i].notify[0]), close(W[i].notify[1]);
    close(lfd);
    return 0;
}
