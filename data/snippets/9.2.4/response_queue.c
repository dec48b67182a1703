// caption: db_proxy 的应答回流：4 个工作线程把应答放进加锁链表并写 eventfd，唯一的网络线程在 epoll 里醒来批量发出；eventfd 把多次通知合并成一次唤醒
// point: 响应流程
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define WORKERS 4
#define PER_WORKER 5000

struct resp { struct resp *next; uint32_t seq; };
static struct resp *head, *tail;                 /* FIFO of finished responses */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int efd, sv[2];                           /* sv[0]: "the msg_server connection", sv[1]: its peer */

static void *worker(void *arg) {
    long id = (long)arg;
    for (uint32_t i = 0; i < PER_WORKER; i++) {
        struct resp *r = malloc(sizeof *r);      /* the "query" is done; queue its answer */
        r->next = NULL;
        r->seq = (uint32_t)id * PER_WORKER + i;
        pthread_mutex_lock(&mu);
        if (tail) tail->next = r; else head = r;
        tail = r;
        pthread_mutex_unlock(&mu);
        uint64_t one = 1;                        /* adds to the counter; never blocks below 2^64-1 */
        assert(write(efd, &one, 8) == 8);
    }
    return NULL;
}

static long sent, wakeups, max_batch;

static void *reader(void *arg) {                 /* the msg_server side: drain everything */
    (void)arg;
    uint32_t buf[1024];
    long bytes = 0, want = (long)WORKERS * PER_WORKER * 4;
    while (bytes < want) {
        ssize_t n = read(sv[1], buf, sizeof buf);
        assert(n > 0);
        bytes += n;
    }
    return NULL;
}

int main(void) {
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    assert(efd >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = efd};
    assert(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0);
    pthread_t w[WORKERS], rd;
    pthread_create(&rd, NULL, reader, NULL);
    for (long i = 0; i < WORKERS; i++) pthread_create(&w[i], NULL, worker, (void *)i);

    long total = (long)WORKERS * PER_WORKER, notified = 0;
    while (sent < total) {                       /* the network loop */
        struct epoll_event out[8];
        int n = epoll_wait(ep, out, 8, 5000);
        assert(n > 0);
        uint64_t cnt;
        assert(read(efd, &cnt, 8) == 8);         /* one read returns the sum of all writes so far */
        notified += (long)cnt;
        wakeups++;
        pthread_mutex_lock(&mu);                 /* take the whole list, send outside the lock */
        struct resp *r = head;
        head = tail = NULL;
        pthread_mutex_unlock(&mu);
        long batch = 0;
        while (r) {
            assert(write(sv[0], &r->seq, 4) == 4);
            struct resp *next = r->next;
            free(r);
            r = next;
            sent++;
            batch++;
        }
        if (batch > max_batch) max_batch = batch;
    }
    for (int i = 0; i < WORKERS; i++) pthread_join(w[i], NULL);
    uint64_t rest;                               /* a last write may land after the last batch was taken */
    if (read(efd, &rest, 8) == 8) notified += (long)rest;
    pthread_join(rd, NULL);
    printf("%ld responses from %d workers, all written to the socket by the one network thread\n", sent, WORKERS);
    printf("eventfd notifications %ld, epoll wakeups %ld (%.1f responses per wakeup, largest batch %ld)\n",
           notified, wakeups, (double)sent / (double)wakeups, max_batch);
    assert(sent == total && notified == total);
    assert(wakeups < total);                     /* writes that land between two reads are merged */
    close(efd); close(sv[0]); close(sv[1]); close(ep);
    return 0;
}
