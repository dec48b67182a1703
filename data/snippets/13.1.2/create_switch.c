// caption: 创建与切换的代价（只比关系）：fork（小进程、写满 256 MiB 的进程）、vfork、pthread_create、makecontext 协程各创建 300 次；两个进程、两个线程在同一 CPU 上用管道乒乓，与 swapcontext 切换比较
// point: 进程与线程的资源和切换代价
// timeout: 60
// exclusive: yes
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define N 300
#define SW 20000
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void *noop(void *a) { return a; }
static char *volatile keep; /* keeps the memset from being optimised away */
static ucontext_t main_uc, co_uc;
static void co_body(void) { for (;;) swapcontext(&co_uc, &main_uc); }
static void pin(int cpu) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); sched_setaffinity(0, sizeof s, &s); }

static double fork_us(int n) {
    double t = now();
    for (int i = 0; i < n; i++) { pid_t p = fork(); if (p == 0) _exit(0); waitpid(p, NULL, 0); }
    return (now() - t) / n * 1e6;
}
static int pa[2], pb[2];
static void *ponger(void *a) { char c; for (int i = 0; i < SW; i++) { assert(read(pa[0], &c, 1) == 1); assert(write(pb[1], &c, 1) == 1); } return a; }
static double pingpong(int use_threads) { /* ns per switch: each round trip is two switches */
    assert(pipe(pa) == 0 && pipe(pb) == 0);
    pthread_t t;
    pid_t p = 0;
    if (use_threads) pthread_create(&t, NULL, ponger, NULL);
    else if ((p = fork()) == 0) { ponger(NULL); _exit(0); }
    char c = 'x';
    double t0 = now();
    for (int i = 0; i < SW; i++) { assert(write(pa[1], &c, 1) == 1); assert(read(pb[0], &c, 1) == 1); }
    double ns = (now() - t0) / (2.0 * SW) * 1e9;
    if (use_threads) pthread_join(t, NULL); else waitpid(p, NULL, 0);
    close(pa[0]); close(pa[1]); close(pb[0]); close(pb[1]);
    return ns;
}

int main(void) {
    pin(0); /* everything on one CPU: a switch is a real switch, not two CPUs running side by side */
    double f_small = fork_us(N);
    size_t big = 256UL << 20;
    char *mem = malloc(big);
    keep = mem;
    memset(mem, 1, big); /* 65536 pages mapped: fork must copy their page tables */
    double f_big = fork_us(N / 10);
    free(mem);
    double t = now();
    for (int i = 0; i < N; i++) { pid_t p = vfork(); if (p == 0) _exit(0); waitpid(p, NULL, 0); }
    double vf = (now() - t) / N * 1e6;
    t = now();
    for (int i = 0; i < N; i++) { pthread_t th; pthread_create(&th, NULL, noop, NULL); pthread_join(th, NULL); }
    double th = (now() - t) / N * 1e6;
    static char stack[64 * 1024];
    t = now();
    for (int i = 0; i < N; i++) { /* create a coroutine and run it to its first yield */
        getcontext(&co_uc);
        co_uc.uc_stack.ss_sp = stack;
        co_uc.uc_stack.ss_size = sizeof stack;
        co_uc.uc_link = &main_uc;
        makecontext(&co_uc, co_body, 0);
        swapcontext(&main_uc, &co_uc);
    }
    double co = (now() - t) / N * 1e6;
    printf("create + reap (us): fork %.1f | fork with 256 MiB touched %.1f | vfork %.1f | pthread %.1f | coroutine %.2f\n",
           f_small, f_big, vf, th, co);
    double sp = pingpong(0), st = pingpong(1);
    t = now();
    for (int i = 0; i < SW; i++) swapcontext(&main_uc, &co_uc);
    double sc = (now() - t) / (2.0 * SW) * 1e9;
    printf("switch (ns): process<->process %.0f | thread<->thread %.0f | swapcontext %.0f\n", sp, st, sc);
    printf("ratios: fork/pthread %.1f, big fork/fork %.1f, thread switch/swapcontext %.1f\n", f_small / th, f_big / f_small, st / sc);
    assert(f_small > th && th > co && f_big > 2 * f_small && vf < f_big);
    assert(st > sc && sp > sc);
    return 0;
}
