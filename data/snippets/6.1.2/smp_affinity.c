// caption: CPU 亲和性：两个死循环挤在 CPU 0 上只得到一个核的时间，分到 CPU 0 和 CPU 1 上得到约两个核；不绑核时看迁移次数
// exclusive: yes
// point: smp多核调度
// timeout: 40
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A sched field of /proc/<pid>/sched, or total CPU ns from /proc/<pid>/schedstat. */
static long long proc_num(pid_t pid, const char *file, const char *key) {
    char path[64], line[256];
    long long v = -1;
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    FILE *f = fopen(path, "r");
    assert(f);
    while (fgets(line, sizeof line, f)) {
        if (!key) { v = atoll(line); break; }
        if (!strncmp(line, key, strlen(key))) { v = atoll(strchr(line, ':') + 1); break; }
    }
    fclose(f);
    return v;
}

static pid_t spinner(int cpu) {              /* cpu < 0: let the scheduler place it */
    pid_t pid = fork();
    if (pid == 0) {
        if (cpu >= 0) {
            cpu_set_t s;
            CPU_ZERO(&s);
            CPU_SET(cpu, &s);
            sched_setaffinity(0, sizeof s, &s);
        }
        for (unsigned long i = 0;; i++)      /* a pinned task only ever sees its CPU */
            if ((i & 0xfffff) == 0 && cpu >= 0 && sched_getcpu() != cpu) _exit(3);
    }
    return pid;
}

/* Run two spinners for 800 ms; return their summed CPU time in ms and migrations. */
static double run(int cpu_a, int cpu_b, long long *migrations) {
    pid_t p[2] = {spinner(cpu_a), spinner(cpu_b)};
    usleep(100000);
    long long c0 = proc_num(p[0], "schedstat", NULL) + proc_num(p[1], "schedstat", NULL);
    usleep(800000);
    long long c1 = proc_num(p[0], "schedstat", NULL) + proc_num(p[1], "schedstat", NULL);
    long long mig = proc_num(p[0], "sched", "se.nr_migrations") +
                    proc_num(p[1], "sched", "se.nr_migrations");
    for (int i = 0; i < 2; i++) {
        int st;
        kill(p[i], SIGKILL);
        waitpid(p[i], &st, 0);
        assert(WIFSIGNALED(st));             /* not exit(3): never ran off its CPU */
    }
    *migrations = mig;
    return (c1 - c0) / 1e6;
}

int main(void) {
    assert(sysconf(_SC_NPROCESSORS_ONLN) >= 2);
    double same = 0, spread = 0, free_ = 0;
    long long m[3];
    int r;
    for (r = 1; r <= 6; r++) {               /* another job may hog a core for a while: retry */
        same = run(0, 0, &m[0]);
        spread = run(0, 1, &m[1]);
        free_ = run(-1, -1, &m[2]);
        if (spread > 1.3 * same && free_ > 1.3 * same) break;
    }
    const char *label[3] = {"both pinned to CPU 0", "CPU 0 and CPU 1", "not pinned"};
    double ms[3] = {same, spread, free_};
    for (int i = 0; i < 3; i++)
        printf("%-22s cpu %5.0f ms in 800 ms wall (%.2f cores), migrations %lld\n",
               label[i], ms[i], ms[i] / 800, m[i]);
    printf("(round %d of at most 6)\n", r > 6 ? 6 : r);
    assert(same < 1.15 * 800);               /* one core cannot give more than 800 ms */
    assert(spread > 1.3 * same);             /* two cores give close to twice as much */
    assert(free_ > 1.3 * same);              /* the load balancer spreads them by itself */
    return 0;
}
