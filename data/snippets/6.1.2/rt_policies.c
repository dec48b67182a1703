// caption: 两个死循环进程钉在 CPU 0：SCHED_OTHER 平分，FIFO 压住 OTHER（只漏出约 5%），同优先级 FIFO 独占、RR 轮转，SCHED_DEADLINE 被限在 runtime/period
// exclusive: yes
// point: 调度策略SCHED_RR/SCHED_FIFO
// timeout: 25
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared { int stop; double cpu_ms[2]; };
static struct shared *sh;

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void pin(int cpu) {
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    assert(sched_setaffinity(0, sizeof s, &s) == 0);
}

/* Child i: pinned to CPU 0, blocks until released, spins until told to stop. */
static pid_t spawn(int i, int *release_fd, int cpu) {
    int p[2];
    assert(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (cpu >= 0) pin(cpu);
        close(p[1]);
        assert(read(p[0], &c, 1) == 1);
        double t0 = cpu_ms();
        while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {}
        sh->cpu_ms[i] = cpu_ms() - t0;
        _exit(0);
    }
    close(p[0]);
    *release_fd = p[1];
    return pid;
}

static void set_policy(pid_t pid, int policy) {
    struct sched_param sp = { .sched_priority = policy == SCHED_OTHER ? 0 : 10 };
    assert(sched_setscheduler(pid, policy, &sp) == 0);
}

static const char *name(int pol) {
    return pol == SCHED_FIFO ? "FIFO" : pol == SCHED_RR ? "RR" : "OTHER";
}

/* Run a pair with the given policies for ms milliseconds; return both CPU times. */
static void pair(int pol_a, int pol_b, int ms, double out[2]) {
    int fa, fb;
    sh->stop = 0;
    pid_t a = spawn(0, &fa, 0), b = spawn(1, &fb, 0);
    set_policy(a, pol_a);
    set_policy(b, pol_b);
    assert(write(fa, "g", 1) == 1 && write(fb, "g", 1) == 1);
    usleep(ms * 1000);                         /* the parent sleeps on CPU 1 */
    __atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
    waitpid(a, NULL, 0); waitpid(b, NULL, 0);
    close(fa); close(fb);
    out[0] = sh->cpu_ms[0]; out[1] = sh->cpu_ms[1];
    printf("%-5s + %-5s %5d ms wall: cpu %6.0f ms vs %6.0f ms\n",
           name(pol_a), name(pol_b), ms, out[0], out[1]);
}

struct dl_attr {                 /* struct sched_attr from the kernel UAPI */
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    assert(sysconf(_SC_NPROCESSORS_ONLN) >= 2);
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert(sh != MAP_FAILED);
    pin(1);
    FILE *f = fopen("/proc/sys/kernel/sched_rt_runtime_us", "r");
    long rt_runtime = -1;
    assert(f && fscanf(f, "%ld", &rt_runtime) == 1);
    fclose(f);
    printf("sched_rt_runtime_us = %ld (of each 1 s period)\n", rt_runtime);
    double r[2];

    pair(SCHED_OTHER, SCHED_OTHER, 600, r);    /* CFS/EEVDF: about half each */
    assert(r[0] > r[1] / 3 && r[1] > r[0] / 3);
    pair(SCHED_FIFO, SCHED_OTHER, 1300, r);    /* RT wins; OTHER gets only the leftover */
    assert(r[0] > 5 * r[1] && r[1] > 0);
    pair(SCHED_FIFO, SCHED_FIFO, 400, r);      /* same priority: no time slice */
    assert(r[0] > 20 * r[1] || r[1] > 20 * r[0]);
    pair(SCHED_RR, SCHED_RR, 600, r);          /* same priority: 100 ms slices */
    assert(r[0] > r[1] / 3 && r[1] > r[0] / 3);

    /* SCHED_DEADLINE: 20 ms of CPU every 100 ms, whatever the task wants. */
    int fd;
    sh->stop = 0;
    pid_t d = spawn(0, &fd, -1);
    cpu_set_t all;                 /* a DL task must be allowed on every CPU of its domain */
    CPU_ZERO(&all);
    for (int c = 0; c < sysconf(_SC_NPROCESSORS_ONLN); c++) CPU_SET(c, &all);
    assert(sched_setaffinity(d, sizeof all, &all) == 0);
    struct dl_attr at = { .size = sizeof at, .sched_policy = 6 /* SCHED_DEADLINE */,
        .sched_runtime = 20000000, .sched_deadline = 100000000, .sched_period = 100000000 };
    assert(syscall(SYS_sched_setattr, d, &at, 0) == 0);
    assert(write(fd, "g", 1) == 1);
    usleep(1000000);
    __atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
    waitpid(d, NULL, 0);
    close(fd);
    printf("DEADLINE 20/100 ms  1000 ms wall: cpu %6.0f ms\n", sh->cpu_ms[0]);
    assert(sh->cpu_ms[0] > 50 && sh->cpu_ms[0] < 350);
    return 0;
}
