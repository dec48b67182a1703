// caption: 推（长连接上服务器主动写）与拉（客户端每 40 ms 轮询一次）的端到端延迟对比：同一串消息，测每条从产生到送达的时间
// point: 消息实时性分析
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NMSG 40
#define GAP_US 7000      /* a new message every 7 ms */
#define POLL_US 40000    /* the pulling client asks every 40 ms */

static int push_sv[2], pull_sv[2];           /* [0] server side, [1] client side */
static uint64_t queue_[NMSG];                /* messages waiting for the next pull */
static int queued;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static volatile int produced_all;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *producer(void *arg) {           /* the message server receiving messages for one user */
    (void)arg;
    for (int i = 0; i < NMSG; i++) {
        uint64_t t = now_ns();
        assert(write(push_sv[0], &t, sizeof t) == sizeof t);   /* push: write at once */
        pthread_mutex_lock(&mu);
        queue_[queued++] = t;                                     /* pull: keep until asked */
        pthread_mutex_unlock(&mu);
        usleep(GAP_US);
    }
    produced_all = 1;
    return NULL;
}

static void *pull_server(void *arg) {        /* answers each 1-byte request with every queued message */
    (void)arg;
    char req;
    while (read(pull_sv[0], &req, 1) == 1) {
        pthread_mutex_lock(&mu);
        uint32_t n = (uint32_t)queued;
        assert(write(pull_sv[0], &n, sizeof n) == sizeof n);
        if (n) assert(write(pull_sv[0], queue_, n * sizeof(uint64_t)) == (ssize_t)(n * sizeof(uint64_t)));
        queued = 0;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static void read_full(int fd, void *buf, size_t len) {
    for (size_t got = 0; got < len;) {
        ssize_t k = read(fd, (char *)buf + got, len - got);
        assert(k > 0);
        got += (size_t)k;
    }
}

static double push_total, pull_total, pull_max;

static void *push_client(void *arg) {
    (void)arg;
    for (int i = 0; i < NMSG; i++) {
        uint64_t t;
        read_full(push_sv[1], &t, sizeof t);
        push_total += (double)(now_ns() - t) / 1e6;
    }
    return NULL;
}

int main(void) {
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, push_sv) == 0);
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, pull_sv) == 0);
    pthread_t p, s, c;
    pthread_create(&s, NULL, pull_server, NULL);
    pthread_create(&c, NULL, push_client, NULL);
    pthread_create(&p, NULL, producer, NULL);
    int got = 0, polls = 0, empty = 0;
    while (got < NMSG && polls < 1000) {      /* the pulling client */
        usleep(POLL_US);
        polls++;
        assert(write(pull_sv[1], "?", 1) == 1);
        uint32_t n;
        uint64_t batch[NMSG];
        read_full(pull_sv[1], &n, sizeof n);
        assert(n <= NMSG);
        if (n == 0) empty++;
        read_full(pull_sv[1], batch, n * sizeof(uint64_t));
        uint64_t t = now_ns();
        for (uint32_t i = 0; i < n; i++) {
            double d = (double)(t - batch[i]) / 1e6;
            pull_total += d;
            if (d > pull_max) pull_max = d;
        }
        got += (int)n;
    }
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    shutdown(pull_sv[1], SHUT_WR);
    pthread_join(s, NULL);
    double push_avg = push_total / NMSG, pull_avg = pull_total / NMSG;
    printf("%d messages, one every %d ms\n", NMSG, GAP_US / 1000);
    printf("push: average delay %.3f ms\n", push_avg);
    printf("pull every %d ms: average delay %.1f ms, worst %.1f ms, %d requests (%d came back empty)\n",
           POLL_US / 1000, pull_avg, pull_max, polls, empty);
    assert(got == NMSG && produced_all);
    assert(push_avg * 5 < pull_avg);          /* pushing wins by far more than 5x */
    assert(pull_avg > POLL_US / 1000.0 / 4);  /* pulling costs about half a polling period on average */
    return 0;
}
