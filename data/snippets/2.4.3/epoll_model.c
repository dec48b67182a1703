// caption: C 版 epoll 模型：eventpoll（tsearch 红黑树存 epitem、侵入式就绪链表、mtx 与 lock 两把锁、等待条件变量），“文件”可读时在自己的等待队列上调用 ep_poll_callback；随机脚本下与真实 epoll（socketpair）逐步比对 LT、ET、ONESHOT 的返回，另一个线程写入能唤醒阻塞的 ep_wait
// point: LT/ET的实现
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct eventpoll;
typedef struct epitem {
    int fd;
    unsigned events;                          /* interest mask, EPOLLET / EPOLLONESHOT included */
    struct file *file;
    struct eventpoll *ep;
    struct epitem *rd_prev, *rd_next;         /* ready list links; rd_prev == NULL: not on the list */
    struct epitem *wq_next;                   /* the file's wait queue */
} epitem;

typedef struct file {                         /* stands for a socket's receive side */
    pthread_mutex_t lock;
    int avail;                                /* bytes queued */
    epitem *waiters;                          /* entries added by ep_insert (like ep_ptable_queue_proc) */
} file;

typedef struct eventpoll {
    pthread_mutex_t mtx;                      /* serialises ctl and the event transfer */
    pthread_mutex_t lock;                     /* guards the ready list: taken from the "interrupt" side */
    pthread_cond_t wq;                        /* threads sleeping in ep_wait */
    void *rbr;                                /* tsearch tree of epitems keyed by fd (glibc: a red-black tree) */
    epitem rdllist;                           /* sentinel of the circular ready list */
} eventpoll;

static int cmp_fd(const void *a, const void *b) { return ((const epitem *)a)->fd - ((const epitem *)b)->fd; }

static void rdl_add(eventpoll *ep, epitem *e) {           /* caller holds ep->lock */
    if (e->rd_prev) return;                               /* already queued */
    e->rd_prev = ep->rdllist.rd_prev, e->rd_next = &ep->rdllist;
    ep->rdllist.rd_prev->rd_next = e, ep->rdllist.rd_prev = e;
}
static void rdl_del(epitem *e) { e->rd_prev->rd_next = e->rd_next, e->rd_next->rd_prev = e->rd_prev, e->rd_prev = NULL; }

static unsigned file_poll(file *f) { pthread_mutex_lock(&f->lock); unsigned r = f->avail ? EPOLLIN : 0; pthread_mutex_unlock(&f->lock); return r; }

static void ep_poll_callback(epitem *e) {                 /* called by the "protocol stack" when data arrives */
    eventpoll *ep = e->ep;
    if (!(e->events & ~(EPOLLET | EPOLLONESHOT))) return; /* disarmed ONESHOT: ignore */
    pthread_mutex_lock(&ep->lock);
    rdl_add(ep, e);
    pthread_cond_broadcast(&ep->wq);                      /* wake_up(&ep->wq) */
    pthread_mutex_unlock(&ep->lock);
}

static void file_write(file *f, int n) {                  /* data arrives: queue it, then wake the waiters */
    pthread_mutex_lock(&f->lock);
    f->avail += n;
    epitem *w = f->waiters;
    pthread_mutex_unlock(&f->lock);
    for (; w; w = w->wq_next) ep_poll_callback(w);
}
static void file_read(file *f, int n) { pthread_mutex_lock(&f->lock); f->avail -= n < f->avail ? n : f->avail; pthread_mutex_unlock(&f->lock); }

static eventpoll *ep_create(void) {
    eventpoll *ep = calloc(1, sizeof *ep);
    pthread_mutex_init(&ep->mtx, NULL), pthread_mutex_init(&ep->lock, NULL), pthread_cond_init(&ep->wq, NULL);
    ep->rdllist.rd_prev = ep->rdllist.rd_next = &ep->rdllist;
    return ep;
}

static int ep_ctl(eventpoll *ep, int op, int fd, file *f, unsigned events) {
    pthread_mutex_lock(&ep->mtx);
    epitem key = {.fd = fd}, **found = tfind(&key, &ep->rbr, cmp_fd);
    int rc = 0;
    if (op == EPOLL_CTL_ADD && !found) {
        epitem *e = calloc(1, sizeof *e);
        *e = (epitem){.fd = fd, .events = events, .file = f, .ep = ep};
        tsearch(e, &ep->rbr, cmp_fd);                     /* O(log n) insert */
        pthread_mutex_lock(&f->lock);
        e->wq_next = f->waiters, f->waiters = e;          /* hook ep_poll_callback on the file */
        pthread_mutex_unlock(&f->lock);
        if (file_poll(f) & events) ep_poll_callback(e);   /* ready already: queue it now */
    } else if (op == EPOLL_CTL_MOD && found) {
        epitem *e = *found;
        e->events = events;                               /* re-arms ONESHOT */
        if (file_poll(f) & events) ep_poll_callback(e);   /* and re-polls, like ep_modify */
    } else rc = -1;                                       /* (DEL left out: same idea in reverse) */
    pthread_mutex_unlock(&ep->mtx);
    return rc;
}

static int ep_wait(eventpoll *ep, int *fds, int max, int block) {
    pthread_mutex_lock(&ep->mtx);
    pthread_mutex_lock(&ep->lock);
    while (block && ep->rdllist.rd_next == &ep->rdllist) pthread_cond_wait(&ep->wq, &ep->lock);
    epitem txlist = {0};                                  /* splice the whole ready list out */
    txlist.rd_prev = txlist.rd_next = &txlist;
    while (ep->rdllist.rd_next != &ep->rdllist) {
        epitem *e = ep->rdllist.rd_next;
        rdl_del(e);
        e->rd_prev = txlist.rd_prev, e->rd_next = &txlist, txlist.rd_prev->rd_next = e, txlist.rd_prev = e;
    }
    pthread_mutex_unlock(&ep->lock);
    int n = 0;
    while (txlist.rd_next != &txlist) {
        epitem *e = txlist.rd_next;
        rdl_del(e);
        unsigned revents = file_poll(e->file) & e->events;   /* ep_item_poll: the CURRENT state */
        if (!revents) continue;                           /* no longer ready: dropped from the list */
        if (n == max) { pthread_mutex_lock(&ep->lock); rdl_add(ep, e); pthread_mutex_unlock(&ep->lock); continue; }
        fds[n++] = e->fd;
        if (e->events & EPOLLONESHOT) e->events &= EPOLLET | EPOLLONESHOT;   /* disarm until MOD */
        else if (!(e->events & EPOLLET)) {                /* LT: back on the ready list */
            pthread_mutex_lock(&ep->lock);
            rdl_add(ep, e);
            pthread_mutex_unlock(&ep->lock);
        }
    }
    pthread_mutex_unlock(&ep->mtx);
    return n;
}

static void free_item(void *p) { free(p); }

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

#define NF 4
static void compare(unsigned mode, const char *name, unsigned seed) {
    eventpoll *ep = ep_create();
    file files[NF];
    int real = epoll_create1(0), sv[NF][2];
    for (int i = 0; i < NF; i++) {
        files[i] = (file){.avail = 0};
        pthread_mutex_init(&files[i].lock, NULL);
        assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]) == 0);
        fcntl(sv[i][1], F_SETFL, O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN | mode, .data.fd = i};
        assert(epoll_ctl(real, EPOLL_CTL_ADD, sv[i][1], &ev) == 0);
        assert(ep_ctl(ep, EPOLL_CTL_ADD, i, &files[i], EPOLLIN | mode) == 0);
    }
    srand(seed);
    int waits = 0, reports = 0;
    char buf[256] = {0};
    for (int step = 0; step < 400; step++) {
        int i = rand() % NF, r = rand() % 10;
        if (r < 3) { int n = 1 + rand() % 64; assert(write(sv[i][0], buf, n) == n); file_write(&files[i], n); }
        else if (r < 5) { int n = 1 + rand() % 64; ssize_t k = read(sv[i][1], buf, n); (void)k; file_read(&files[i], n); }
        else if (r < 6 && (mode & EPOLLONESHOT)) {        /* re-arm one fd */
            struct epoll_event ev = {.events = EPOLLIN | mode, .data.fd = i};
            assert(epoll_ctl(real, EPOLL_CTL_MOD, sv[i][1], &ev) == 0);
            ep_ctl(ep, EPOLL_CTL_MOD, i, &files[i], EPOLLIN | mode);
        } else {
            struct epoll_event evs[NF];
            int a[NF], b[NF], na = epoll_wait(real, evs, NF, 0), nb = ep_wait(ep, b, NF, 0);
            for (int k = 0; k < na; k++) a[k] = evs[k].data.fd;
            qsort(a, na, sizeof(int), cmp_int), qsort(b, nb, sizeof(int), cmp_int);
            assert(na == nb && !memcmp(a, b, na * sizeof(int)));   /* the model says what the kernel says */
            waits++, reports += na;
        }
    }
    printf("%-9s %3d epoll_wait calls, %3d fd reports, model == kernel at every step\n", name, waits, reports);
    for (int i = 0; i < NF; i++) close(sv[i][0]), close(sv[i][1]), pthread_mutex_destroy(&files[i].lock);
    close(real);
    tdestroy(ep->rbr, free_item);
    free(ep);
}

static file shared = {.lock = PTHREAD_MUTEX_INITIALIZER};
static void *producer(void *arg) { usleep(50000); file_write(&shared, 10); (void)arg; return NULL; }

int main(void) {
    compare(0, "LT", 1);
    compare(EPOLLET, "ET", 2);
    compare(EPOLLONESHOT, "ONESHOT", 3);
    eventpoll *ep = ep_create();                          /* a wait blocked in one thread, woken by another */
    ep_ctl(ep, EPOLL_CTL_ADD, 7, &shared, EPOLLIN);
    pthread_t t;
    pthread_create(&t, NULL, producer, NULL);
    int fds[1], n = ep_wait(ep, fds, 1, 1);               /* sleeps on ep->wq until the callback */
    pthread_join(t, NULL);
    assert(n == 1 && fds[0] == 7);
    printf("blocked ep_wait woken by ep_poll_callback from another thread: fd %d\n", fds[0]);
    tdestroy(ep->rbr, free_item);
    free(ep);
    return 0;
}
