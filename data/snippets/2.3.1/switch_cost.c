// caption: 切换开销实测：手写 x86-64 汇编切换、glibc swapcontext、两个绑在同一 CPU 上的线程用条件变量乒乓，打印每次切换的纳秒数并断言 汇编 < swapcontext < 线程
// exclusive: yes
// point: 协程切换的三种实现方式,setjmp/longjmp,ucontext,汇编实现
// timeout: 40
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <ucontext.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#define STACK (64 * 1024)

/* ---- 1. hand-written switch: save callee-saved registers + rsp, jump to the other rip ---- */
#if defined(__x86_64__)
typedef struct { void *rsp; } actx;          /* everything else is pushed on the own stack */
void asm_switch(actx *from, actx *to);
__asm__(".text\n.globl asm_switch\n.type asm_switch,@function\nasm_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  movq %rsp, (%rdi)\n"                 /* park this side */
        "  movq (%rsi), %rsp\n"                 /* take the other side's stack */
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"                               /* rip = whatever the other side will return to */
        ".size asm_switch,.-asm_switch\n");

static actx a_main, a_co;
static long a_rounds;
static void asm_entry(void) {                   /* reached by the first 'ret' on the new stack */
    for (;;) { a_rounds++; asm_switch(&a_co, &a_main); }
}

static double bench_asm(long n) {
    char *stack = aligned_alloc(16, STACK);
    void **sp = (void **)(stack + STACK);
    *--sp = NULL;                               /* fake return address of asm_entry: keeps alignment */
    *--sp = (void *)asm_entry;                  /* 'ret' pops this: the initial rip */
    for (int i = 0; i < 6; i++) *--sp = NULL;   /* rbp rbx r12 r13 r14 r15 */
    a_co.rsp = sp;
    a_rounds = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) asm_switch(&a_main, &a_co);
    double ns = (now_ns() - t0) / (2.0 * n);    /* two switches per round trip */
    assert(a_rounds == n);
    free(stack);                                /* the coroutine is parked forever: never resumed again */
    return ns;
}
#endif

/* ---- 2. swapcontext ---- */
static ucontext_t u_main, u_co;
static long u_rounds;
static void u_entry(void) { for (;;) { u_rounds++; swapcontext(&u_co, &u_main); } }

static double bench_ucontext(long n) {
    char *stack = malloc(STACK);
    getcontext(&u_co);
    u_co.uc_stack.ss_sp = stack, u_co.uc_stack.ss_size = STACK, u_co.uc_link = NULL;
    makecontext(&u_co, u_entry, 0);
    u_rounds = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) swapcontext(&u_main, &u_co);
    double ns = (now_ns() - t0) / (2.0 * n);
    assert(u_rounds == n);
    free(stack);
    return ns;
}

/* ---- 3. two kernel threads on one CPU handing a token back and forth ---- */
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;                                /* 0: main's turn, 1: peer's turn */
static long t_rounds;
static int the_cpu;                             /* first CPU we are allowed to run on */

static void pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    assert(pthread_setaffinity_np(pthread_self(), sizeof s, &s) == 0);
}

static void *peer(void *arg) {
    long n = *(long *)arg;
    pin(the_cpu);
    pthread_mutex_lock(&mtx);
    for (long i = 0; i < n; i++) {
        while (turn != 1) pthread_cond_wait(&cv, &mtx);
        turn = 0, t_rounds++;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mtx);
    return NULL;
}

static double bench_threads(long n) {
    cpu_set_t old;
    pthread_getaffinity_np(pthread_self(), sizeof old, &old);
    while (!CPU_ISSET(the_cpu, &old)) the_cpu++;
    pin(the_cpu);                                     /* same CPU: every hand-off is a real context switch */
    pthread_t t;
    t_rounds = 0;
    pthread_create(&t, NULL, peer, &n);
    double t0 = now_ns();
    pthread_mutex_lock(&mtx);
    for (long i = 0; i < n; i++) {
        turn = 1;
        pthread_cond_signal(&cv);
        while (turn != 0) pthread_cond_wait(&cv, &mtx);
    }
    pthread_mutex_unlock(&mtx);
    double ns = (now_ns() - t0) / (2.0 * n);
    pthread_join(t, NULL);
    pthread_setaffinity_np(pthread_self(), sizeof old, &old);
    assert(t_rounds == n);
    return ns;
}

/* ---- what swapcontext pays for: one rt_sigprocmask system call per switch ---- */
static double bench_sigmask(long n) {
    sigset_t cur;
    sigprocmask(SIG_SETMASK, NULL, &cur);
    double t0 = now_ns();
    for (long i = 0; i < n; i++) sigprocmask(SIG_SETMASK, &cur, NULL);
    return (now_ns() - t0) / n;
}

static double best_of(double (*f)(long), long n) {   /* minimum of 3: least disturbed by other load */
    double best = 1e18;
    for (int i = 0; i < 3; i++) { double v = f(n); if (v < best) best = v; }
    return best;
}

int main(void) {
    struct utsname u;
    uname(&u);
    printf("machine: %s\n", u.machine);
#if defined(__x86_64__)
    assert(strcmp(u.machine, "x86_64") == 0);
    double a = best_of(bench_asm, 2000000);
#else
    printf("not x86_64: the hand-written switch is skipped\n");
    double a = 0;
#endif
    double c = best_of(bench_ucontext, 200000);
    double t = best_of(bench_threads, 20000);
    double m = best_of(bench_sigmask, 200000);
    printf("%-34s %10s\n", "switch", "ns/switch");
    printf("%-34s %10.1f\n", "hand-written asm (7 regs + rsp)", a);
    printf("%-34s %10.1f\n", "swapcontext (glibc)", c);
    printf("%-34s %10.1f\n", "threads, condvar, same CPU", t);
    printf("%-34s %10.1f\n", "(one rt_sigprocmask syscall)", m);
    printf("swapcontext / asm = %.0fx, threads / swapcontext = %.1fx\n", c / a, t / c);
    assert(a < c && c < t);
    assert(m > a && c > m / 2);                 /* swapcontext's cost is mostly its system call */
    return 0;
}
