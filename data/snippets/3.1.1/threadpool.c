// caption: C 版可伸缩线程池（pthread）：有界任务队列 + 条件变量，排队多于空闲线程时扩容到 max，空闲超过 keepalive 用 pthread_cond_timedwait 缩回 min；测量线程数与吞吐、延迟的关系
// exclusive: yes
// point: 线程池的动态伸缩
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct task {
    void (*fn)(struct task *);
    double t_submit, t_done;           /* CLOCK_MONOTONIC seconds */
    int done;                          /* set atomically: polled by main */
    struct task *next;
} task_t;

typedef struct {
    pthread_mutex_t mtx;
    pthread_cond_t has_work, all_exited;
    task_t *head, *tail;
    int queued, max_queue;
    int nthreads, idle, starting, peak, min, max;
    long keepalive_ms;
    int shutdown;
} pool_t;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg) {
    pool_t *p = arg;
    pthread_mutex_lock(&p->mtx);
    p->starting--;
    for (;;) {
        int timed_out = 0;
        while (!p->head && !p->shutdown && !timed_out) {
            struct timespec dl;
            clock_gettime(CLOCK_MONOTONIC, &dl);
            dl.tv_nsec += (p->keepalive_ms % 1000) * 1000000L;
            dl.tv_sec += p->keepalive_ms / 1000 + dl.tv_nsec / 1000000000L;
            dl.tv_nsec %= 1000000000L;
            p->idle++;
            int rc = pthread_cond_timedwait(&p->has_work, &p->mtx, &dl);
            p->idle--;
            timed_out = (rc == ETIMEDOUT);
        }
        if (!p->head && (p->shutdown || p->nthreads > p->min)) break; /* shrink: decided under the lock */
        if (!p->head) continue;                                       /* at min: keep waiting */
        task_t *t = p->head;
        p->head = t->next;
        if (!p->head) p->tail = NULL;
        p->queued--;
        pthread_mutex_unlock(&p->mtx);
        t->fn(t);                                                     /* run without the lock */
        t->t_done = now();
        __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
        pthread_mutex_lock(&p->mtx);
    }
    p->nthreads--;
    if (p->nthreads == 0) pthread_cond_signal(&p->all_exited);
    pthread_mutex_unlock(&p->mtx);
    return NULL;
}

static void spawn_locked(pool_t *p) {
    pthread_t tid;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    assert(pthread_create(&tid, &a, worker, p) == 0);
    pthread_attr_destroy(&a);
    p->nthreads++;
    p->starting++;
    if (p->nthreads > p->peak) p->peak = p->nthreads;
}

static void pool_init(pool_t *p, int min, int max, long keepalive_ms, int max_queue) {
    memset(p, 0, sizeof *p);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);        /* timeouts immune to clock steps */
    pthread_cond_init(&p->has_work, &ca);
    pthread_cond_init(&p->all_exited, NULL);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&p->mtx, NULL);
    p->min = min, p->max = max, p->keepalive_ms = keepalive_ms, p->max_queue = max_queue;
    pthread_mutex_lock(&p->mtx);
    for (int i = 0; i < min; i++) spawn_locked(p);
    pthread_mutex_unlock(&p->mtx);
}

static int pool_submit(pool_t *p, task_t *t) {
    pthread_mutex_lock(&p->mtx);
    if (p->queued >= p->max_queue) { pthread_mutex_unlock(&p->mtx); return -1; }  /* reject */
    t->next = NULL;
    t->t_submit = now();
    if (p->tail) p->tail->next = t; else p->head = t;
    p->tail = t;
    p->queued++;
    /* grow when the backlog exceeds the threads that will pick it up soon */
    if (p->queued > p->idle + p->starting && p->nthreads < p->max) spawn_locked(p);
    pthread_cond_signal(&p->has_work);
    pthread_mutex_unlock(&p->mtx);
    return 0;
}

static int pool_threads(pool_t *p) {
    pthread_mutex_lock(&p->mtx);
    int n = p->nthreads;
    pthread_mutex_unlock(&p->mtx);
    return n;
}

static void pool_destroy(pool_t *p) {             /* drains the queue, then all threads exit */
    pthread_mutex_lock(&p->mtx);
    p->shutdown = 1;
    pthread_cond_broadcast(&p->has_work);
    while (p->nthreads > 0) pthread_cond_wait(&p->all_exited, &p->mtx);
    pthread_mutex_unlock(&p->mtx);
    pthread_mutex_destroy(&p->mtx);
    pthread_cond_destroy(&p->has_work);
    pthread_cond_destroy(&p->all_exited);
}

static void io_task(task_t *t) {                  /* stands for a blocking call: 2 ms of waiting */
    (void)t;
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
}

static void cpu_task(task_t *t) {                 /* pure computation, about a millisecond */
    unsigned x = (unsigned)(size_t)t;
    for (int i = 0; i < 400000; i++) x = x * 1103515245u + 12345u;
    __atomic_store_n(&t->done, (int)(x | 1), __ATOMIC_RELAXED);   /* keeps the loop */
}

static double run_batch(task_t *tasks, int n, void (*fn)(task_t *), int nthreads) {
    pool_t p;
    pool_init(&p, nthreads, nthreads, 1000, n);    /* fixed-size pool: min = max */
    double t0 = now();
    for (int i = 0; i < n; i++) {
        tasks[i] = (task_t){.fn = fn};
        assert(pool_submit(&p, &tasks[i]) == 0);
    }
    pool_destroy(&p);                              /* returns when every task has run */
    for (int i = 0; i < n; i++) assert(tasks[i].t_done > 0);   /* all tasks completed */
    return n / (now() - t0);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define NTASKS 240

int main(void) {
    static task_t tasks[NTASKS];
    static double lat[NTASKS];
    int sizes[] = {1, 2, 4, 8, 16};
    double tput[5], p50[5];
    double cput[5];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("%7s %12s %12s %12s %14s\n", "threads", "io tasks/s", "p50 lat ms", "p99 lat ms", "cpu tasks/s");
    for (int k = 0; k < 5; k++) {
        tput[k] = run_batch(tasks, NTASKS, io_task, sizes[k]);
        for (int i = 0; i < NTASKS; i++) lat[i] = (tasks[i].t_done - tasks[i].t_submit) * 1e3;
        qsort(lat, NTASKS, sizeof lat[0], cmp_double);
        p50[k] = lat[NTASKS / 2];
        cput[k] = run_batch(tasks, NTASKS, cpu_task, sizes[k]);
        printf("%7d %12.0f %12.1f %12.1f %14.0f\n", sizes[k], tput[k], p50[k], lat[NTASKS * 99 / 100], cput[k]);
    }
    printf("online CPUs: %ld; io speed-up 16 vs 1 thread %.1fx, cpu speed-up %.1fx\n",
           ncpu, tput[4] / tput[0], cput[4] / cput[0]);
    /* cpu-bound tasks cannot scale past the number of cores */
    assert(cput[4] / cput[0] < ncpu * 1.5 + 0.5);
    assert(tput[4] / tput[0] > 2 * (cput[4] / cput[0]) || ncpu > 4);
    /* blocking tasks: more threads -> more throughput and lower queueing latency (loose margins) */
    assert(tput[3] > 2.5 * tput[0] && tput[2] > 1.5 * tput[0]);
    assert(p50[3] < p50[0] / 2);

    /* dynamic pool: min 2, max 8, keepalive 100 ms */
    pool_t p;
    pool_init(&p, 2, 8, 100, 64);
    int before = pool_threads(&p);
    for (int i = 0; i < 48; i++) {
        tasks[i] = (task_t){.fn = io_task};
        assert(pool_submit(&p, &tasks[i]) == 0);
    }
    int busy = pool_threads(&p);
    int left = 48;
    for (int tries = 0; tries < 200 && left; tries++) {        /* wait for the burst to finish */
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
        left = 0;
        for (int i = 0; i < 48; i++) left += !__atomic_load_n(&tasks[i].done, __ATOMIC_ACQUIRE);
    }
    assert(left == 0);
    int after = pool_threads(&p);
    for (int tries = 0; tries < 100 && after > 2; tries++) {   /* idle: threads time out */
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        after = pool_threads(&p);
    }
    printf("dynamic min=2 max=8: before %d, under a burst of 48 tasks %d (peak %d), idle %d\n",
           before, busy, p.peak, after);
    assert(before == 2 && p.peak == 8 && busy > before);    /* grew under load, never past max */
    assert(after == 2);                                     /* shrank back to min when idle */
    pool_destroy(&p);
    return 0;
}
