// caption: 手写基于 futex 的三态互斥锁：无争用时一次系统调用都没有，锁被占用时才进内核睡眠，4 线程争用下计数不丢
// point: 互斥锁的实现
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ITERS 200000

/* 0 = free, 1 = locked, 2 = locked and a waiter may be asleep in the kernel */
typedef struct { atomic_int v; } fmutex_t;
static atomic_long waits, wakes;

static void fm_lock(fmutex_t *m) {
    int c = 0;
    if (atomic_compare_exchange_strong(&m->v, &c, 1)) return;   /* fast path */
    if (c != 2) c = atomic_exchange(&m->v, 2);
    while (c != 0) {
        atomic_fetch_add(&waits, 1);
        /* the kernel re-checks *v == 2 under its hash-bucket lock before sleeping */
        syscall(SYS_futex, &m->v, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
        c = atomic_exchange(&m->v, 2);
    }
}

static void fm_unlock(fmutex_t *m) {
    if (atomic_fetch_sub(&m->v, 1) != 1) {    /* was 2: wake one sleeper */
        atomic_store(&m->v, 0);
        atomic_fetch_add(&wakes, 1);
        syscall(SYS_futex, &m->v, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

static fmutex_t mu;
static long counter;                           /* guarded by mu */
static pthread_barrier_t start;

static void *worker(void *arg) {
    (void)arg;
    pthread_barrier_wait(&start);              /* make the threads overlap */
    for (int i = 0; i < ITERS; i++) {
        fm_lock(&mu);
        counter++;
        fm_unlock(&mu);
    }
    return NULL;
}

static void run(int threads) {
    pthread_t th[8];
    counter = 0;
    atomic_store(&waits, 0);
    atomic_store(&wakes, 0);
    pthread_barrier_init(&start, NULL, threads);
    if (threads > 1) fm_lock(&mu);             /* hold it so the workers must queue up */
    for (int i = 0; i < threads; i++) pthread_create(&th[i], NULL, worker, NULL);
    if (threads > 1) {
        usleep(50000);                         /* they find it taken and go to sleep */
        fm_unlock(&mu);
    }
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    long ops = (long)threads * ITERS;
    printf("%d thread(s): counter %ld/%ld, FUTEX_WAIT %ld, FUTEX_WAKE %ld\n",
           threads, counter, ops, atomic_load(&waits), atomic_load(&wakes));
    assert(counter == ops && atomic_load(&mu.v) == 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    run(1);
    assert(atomic_load(&waits) == 0 && atomic_load(&wakes) == 0);   /* never entered the kernel */
    run(4);
    long sys = atomic_load(&waits) + atomic_load(&wakes);
    assert(sys > 0);                           /* contention did reach the kernel */
    assert(sys < 4L * ITERS);                  /* but most lock/unlock pairs did not */
    return 0;
}
