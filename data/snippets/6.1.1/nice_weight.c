// caption: 两个死循环进程钉在同一个 CPU 上，nice 0 对 nice 5：CFS 按权重 1024:335 分 CPU 时间
// exclusive: yes
// point: 进程优先级
// timeout: 15
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static long sched_field(pid_t pid, const char *key) {
    char path[64], line[256];
    long v = -1;
    snprintf(path, sizeof path, "/proc/%d/sched", pid);
    FILE *f = fopen(path, "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) { v = atol(strchr(line, ':') + 1); break; }
    fclose(f);
    return v;
}

/* CPU time of a task in ns: first field of /proc/<pid>/schedstat. */
static long long cpu_ns(pid_t pid) {
    char path[64];
    long long ns = -1;
    snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
    FILE *f = fopen(path, "r");
    assert(f && fscanf(f, "%lld", &ns) == 1);
    fclose(f);
    return ns;
}

static pid_t spinner(int niceval) {
    pid_t pid = fork();
    if (pid == 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        sched_setaffinity(0, sizeof one, &one);     /* both compete for CPU 0 */
        setpriority(PRIO_PROCESS, 0, niceval);
        for (volatile unsigned long i = 0;; i++) {}
    }
    return pid;
}

int main(void) {
    pid_t a = spinner(0), b = spinner(5);
    usleep(200000);
    long long a0 = cpu_ns(a), b0 = cpu_ns(b);
    usleep(1500000);
    long long a1 = cpu_ns(a), b1 = cpu_ns(b);
    long wa = sched_field(a, "se.load.weight"), wb = sched_field(b, "se.load.weight");
    long pa = sched_field(a, "prio"), pb = sched_field(b, "prio");
    kill(a, SIGKILL); kill(b, SIGKILL);
    waitpid(a, NULL, 0); waitpid(b, NULL, 0);
    double ra = (a1 - a0) / 1e6, rb = (b1 - b0) / 1e6;
    printf("nice 0: prio %ld weight %ld  cpu %.0f ms\n", pa, wa, ra);
    printf("nice 5: prio %ld weight %ld  cpu %.0f ms\n", pb, wb, rb);
    printf("weight ratio %.2f, measured cpu ratio %.2f\n", (double)wa / wb, ra / rb);
    assert(pa == 120 && pb == 125);
    assert(wa > 2 * wb);                    /* 1024 vs 335 (scaled by 1024 on 64-bit) */
    assert(ra > 1.8 * rb && rb > 0);        /* about 3x, loose margin for a busy machine */
    return 0;
}
