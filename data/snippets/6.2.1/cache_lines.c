// caption: 缓存行效应：步长 16 个 int 只做 1/16 的加法却几乎一样慢；伪共享：两个线程各改各的计数器，放在同一缓存行比隔开 128 字节慢得多
// exclusive: yes
// point: 高速缓存
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifdef __OPTIMIZE__
#define TIMED 1                        /* timing relations hold for optimized code only */
#else
#define TIMED 0
#endif
#define N (16L << 20)                  /* 16 Mi ints = 64 MiB, far larger than the caches */
#define INCS 10000000L

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double sum_stride(int *a, long stride, long *out) {
    double t = now_ms();
    long s = 0;
    for (long i = 0; i < N; i += stride) s += a[i];
    *out = s;
    return now_ms() - t;
}

static _Alignas(128) struct { atomic_long a; char pad[120]; atomic_long b; } padded;
static _Alignas(128) struct { atomic_long a; atomic_long b; } same_line;

struct job { atomic_long *ctr; int cpu; };
static void *bump(void *arg) {
    struct job *j = arg;
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(j->cpu, &s);
    pthread_setaffinity_np(pthread_self(), sizeof s, &s);   /* one thread per core */
    for (long i = 0; i < INCS; i++) atomic_fetch_add_explicit(j->ctr, 1, memory_order_relaxed);
    return NULL;
}

static double two_threads(atomic_long *x, atomic_long *y) {
    struct job ja = {x, 0}, jb = {y, 1};
    pthread_t a, b;
    atomic_store(x, 0);
    atomic_store(y, 0);
    double t = now_ms();
    pthread_create(&a, NULL, bump, &ja);
    pthread_create(&b, NULL, bump, &jb);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    assert(atomic_load(x) == INCS && atomic_load(y) == INCS);
    return now_ms() - t;
}

int main(void) {
    int *a = malloc(N * sizeof *a);
    assert(a);
    for (long i = 0; i < N; i++) a[i] = 1;
    long s1, s16;
    double t1 = 1e9, t16 = 1e9;
    for (int r = 0; r < 3; r++) {              /* best of three on a shared machine */
        double x = sum_stride(a, 1, &s1), y = sum_stride(a, 16, &s16);
        if (x < t1) t1 = x;
        if (y < t16) t16 = y;
    }
    printf("stride 1:  %ld adds, %.1f ms\nstride 16: %ld adds, %.1f ms (1/16 of the work)\n",
           s1, t1, s16, t16);
    assert(s1 == N && s16 == N / 16);
    assert(!TIMED || t16 > t1 / 4);            /* both read every 64-byte line from memory */
    free(a);

    assert(sysconf(_SC_NPROCESSORS_ONLN) >= 2);
    double ts = 0, tp = 1, best = 0;
    for (int r = 0; r < 8 && best < 1.5; r++) {  /* another job may hold a core for a while */
        double x = two_threads(&same_line.a, &same_line.b);
        double y = two_threads(&padded.a, &padded.b);
        if (x / y > best) { best = x / y; ts = x; tp = y; }
    }
    printf("2 threads x %ld increments: same line %.0f ms, 128 bytes apart %.0f ms (%.1fx)\n",
           INCS, ts, tp, ts / tp);
    assert(!TIMED || ts > 1.3 * tp);           /* the line ping-pongs between the cores */
    if (!TIMED) printf("unoptimized build: timings printed, not asserted\n");
    return 0;
}
