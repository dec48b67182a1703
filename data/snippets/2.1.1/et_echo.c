// caption: C 版 epoll ET 单线程回显服务器：监听套接字和连接都用 EPOLLET，accept/read 都循环到 EAGAIN
// point: 手撕epoll单线程,多线程,多进程的多种写法
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG /* several asserts below wrap the call itself: keep them */
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
#include <unistd.h>

#define NCLIENTS 64
#define MSG_LEN 3000 /* larger than one read() chunk, so ET must loop */
#define CHUNK 1024

static int port;
static int ok_clients;
static pthread_mutex_t ok_lock = PTHREAD_MUTEX_INITIALIZER;

static void set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL, 0);
    assert(fl >= 0);
    assert(fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

static void *client(void *arg) {
    long id = (long)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    char out[MSG_LEN], in[MSG_LEN];
    for (int i = 0; i < MSG_LEN; i++) out[i] = (char)('a' + (id + i) % 26);
    size_t sent = 0;
    while (sent < MSG_LEN) {
        ssize_t n = write(fd, out + sent, MSG_LEN - sent);
        assert(n > 0);
        sent += (size_t)n;
    }
    size_t got = 0;
    while (got < MSG_LEN) { /* blocking client: read until the whole echo is back */
        ssize_t n = read(fd, in + got, MSG_LEN - got);
        assert(n > 0);
        got += (size_t)n;
    }
    close(fd);
    if (memcmp(in, out, MSG_LEN) == 0) {
        pthread_mutex_lock(&ok_lock);
        ok_clients++;
        pthread_mutex_unlock(&ok_lock);
    }
    return NULL;
}

/* Part 1: count notifications on a socketpair, LT versus ET. */
static int wakeups(int edge) {
    int sv[2];
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    set_nonblock(sv[1]);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | (edge ? EPOLLET : 0), .data.fd = sv[1]};
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev) == 0);
    char buf[2048];
    memset(buf, 'x', sizeof buf);
    assert(write(sv[0], buf, sizeof buf) == (ssize_t)sizeof buf);
    int count = 0;
    for (int round = 0; round < 5; round++) {
        struct epoll_event out;
        if (epoll_wait(ep, &out, 1, 0) != 1) break;
        count++;
        assert(read(sv[1], buf, 1024) == 1024); /* partial read */
    }
    close(ep);
    close(sv[0]);
    close(sv[1]);
    return count;
}

int main(void) {
    int lt = wakeups(0), et = wakeups(1);
    printf("socketpair, 2048 bytes, 1024 read per wakeup: LT wakeups=%d, ET wakeups=%d\n", lt, et);
    assert(lt == 2 && et == 1);

    /* Part 2: single-threaded ET echo server. */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0);
    assert(listen(lfd, 128) == 0);
    assert(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
    port = ntohs(a.sin_port);
    set_nonblock(lfd);

    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = lfd};
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == 0);

    pthread_t th[NCLIENTS];
    for (long i = 0; i < NCLIENTS; i++) assert(pthread_create(&th[i], NULL, client, (void *)i) == 0);

    int accepted = 0, closed = 0, max_accept_batch = 0, read_calls = 0, eagain_reads = 0;
    struct epoll_event evs[64];
    for (int iter = 0; iter < 100000 && closed < NCLIENTS; iter++) {
        int n = epoll_wait(ep, evs, 64, 2000);
        assert(n > 0); /* a 2 s stall would be a lost edge: fail loudly */
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int batch = 0;
                for (;;) { /* ET: several SYNs may be behind one edge */
                    int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
                    if (c < 0) {
                        assert(errno == EAGAIN || errno == EWOULDBLOCK);
                        break;
                    }
                    struct epoll_event cev = {.events = EPOLLIN | EPOLLET, .data.fd = c};
                    assert(epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) == 0);
                    accepted++;
                    batch++;
                }
                if (batch > max_accept_batch) max_accept_batch = batch;
                continue;
            }
            char buf[CHUNK];
            for (;;) { /* ET: read until EAGAIN or EOF */
                ssize_t r = read(fd, buf, sizeof buf);
                read_calls++;
                if (r > 0) {
                    /* echo; small messages fit the send buffer, so a blocking-style
                       loop is enough here (2.1.2 shows a real per-connection buffer) */
                    ssize_t off = 0;
                    while (off < r) {
                        ssize_t w = write(fd, buf + off, (size_t)(r - off));
                        assert(w > 0);
                        off += w;
                    }
                } else if (r == 0) {
                    close(fd); /* close() also removes it from the epoll set */
                    closed++;
                    break;
                } else {
                    assert(errno == EAGAIN || errno == EWOULDBLOCK);
                    eagain_reads++;
                    break;
                }
            }
        }
    }
    for (int i = 0; i < NCLIENTS; i++) pthread_join(th[i], NULL);
    printf("ET echo server: accepted=%d closed=%d, every echo verified=%d\n", accepted, closed, ok_clients);
    printf("every ET read loop stopped at EAGAIN or EOF; EAGAIN stops seen: %s\n", eagain_reads > 0 ? "yes" : "no");
    (void)max_accept_batch; /* how many accepts one edge covered varies run to run */
    (void)read_calls;
    assert(accepted == NCLIENTS && closed == NCLIENTS && ok_clients == NCLIENTS);
    assert(eagain_reads > 0);
    close(ep);
    close(lfd);
    puts("OK");
    return 0;
}
