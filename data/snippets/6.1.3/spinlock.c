// caption: 手写 TTAS 自旋锁（C11 原子操作 + pause）：不加锁的读改写会丢计数（单核上也会），加锁后 4 线程 80 万次自增一个不丢
// point: 自旋锁的实现
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#define THREADS 4
#define ITERS 200000
#define RACY_ITERS 1000000          /* long enough to be preempted even on one free core */

/* test-and-test-and-set: exchange to take it, plain loads while it is held */
typedef struct { atomic_int held; } spinlock_t;
static void spin_lock(spinlock_t *l) {
    for (;;) {
        if (!atomic_exchange_explicit(&l->held, 1, memory_order_acquire)) return;
        while (atomic_load_explicit(&l->held, memory_order_relaxed)) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();      /* tell the core we are spinning */
#endif
        }
    }
}
static void spin_unlock(spinlock_t *l) {
    atomic_store_explicit(&l->held, 0, memory_order_release);
}

static spinlock_t lock;
static long counter;                      /* guarded by lock */
static atomic_long racy;                  /* load + store without a lock: updates get lost */
static pthread_barrier_t start;

static void *worker(void *arg) {
    int locked = *(int *)arg;
    pthread_barrier_wait(&start);         /* all threads start together */
    if (locked) {
        for (int i = 0; i < ITERS; i++) {
            spin_lock(&lock);
            counter++;
            spin_unlock(&lock);
        }
    } else {
        for (int i = 0; i < RACY_ITERS; i++) {
            long v = atomic_load_explicit(&racy, memory_order_relaxed);
            for (volatile int k = 0; k < 8; k++) {}   /* widen the read-modify-write window */
            atomic_store_explicit(&racy, v + 1, memory_order_relaxed);
        }
    }
    return NULL;
}

static double run(int locked) {
    pthread_t th[THREADS];
    struct timespec a, b;
    pthread_barrier_init(&start, NULL, THREADS);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, worker, &locked);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_barrier_destroy(&start);
    return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

int main(void) {
    const long want_racy = (long)THREADS * RACY_ITERS, want = (long)THREADS * ITERS;
    long got = 0;
    for (int tries = 0; tries < 5; tries++) {  /* threads must overlap to lose updates */
        atomic_store(&racy, 0);
        run(0);
        got = atomic_load(&racy);
        if (got < want_racy) break;
    }
    printf("no lock:  %ld of %ld increments survived (%ld lost)\n", got, want_racy, want_racy - got);
    assert(got < want_racy);
    double ms = run(1);
    printf("spinlock: %ld of %ld increments, %.0f ms\n", counter, want, ms);
    assert(counter == want && atomic_load(&lock.held) == 0);
    return 0;
}
