// caption: task_struct 的字段从 /proc 看：Tgid/Pid/PPid、线程数、上下文切换计数、CPU 亲和性、调度策略与优先级
// point: task_struct结构数据
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Value of "Key:" in a /proc file of key/value lines (status, sched). */
static long field(const char *path, const char *key) {
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    FILE *f = fopen(path, "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, n) && (line[n] == ':' || line[n] == ' ')) {
            char *p = strchr(line, ':');
            v = atol(p + 1);
            break;
        }
    fclose(f);
    return v;
}

static pthread_barrier_t bar;
static pid_t tids[2];
static void *worker(void *arg) {
    tids[(long)arg] = (pid_t)syscall(SYS_gettid);  /* each thread: its own task */
    pthread_barrier_wait(&bar);                     /* main reads /proc now */
    pthread_barrier_wait(&bar);
    return NULL;
}

int main(void) {
    const char *st = "/proc/self/status";
    assert(field(st, "Tgid") == getpid() && field(st, "Pid") == getpid());
    assert(field(st, "PPid") == getppid());
    long vol0 = field(st, "voluntary_ctxt_switches");
    for (int i = 0; i < 20; i++) usleep(1000);      /* 20 sleeps = 20 switches */
    long vol1 = field(st, "voluntary_ctxt_switches");
    printf("Tgid=Pid=%d PPid=%d voluntary switches %ld -> %ld\n",
           getpid(), getppid(), vol0, vol1);
    assert(vol1 - vol0 >= 20);

    pthread_t th[2];
    pthread_barrier_init(&bar, NULL, 3);
    for (long i = 0; i < 2; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    pthread_barrier_wait(&bar);
    long threads = field(st, "Threads");
    char p[64];
    snprintf(p, sizeof p, "/proc/self/task/%d/status", tids[0]);
    long t_tgid = field(p, "Tgid"), t_pid = field(p, "Pid");
    printf("threads=%ld; thread task %ld has Tgid %ld (shares mm, files, signal)\n",
           threads, t_pid, t_tgid);
    assert(threads == 3 && t_tgid == getpid() && t_pid != getpid());
    pthread_barrier_wait(&bar);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);

    long policy = field("/proc/self/sched", "policy");
    long prio = field("/proc/self/sched", "prio");
    long nice_ = nice(0);
    printf("policy=%ld (0=SCHED_OTHER) prio=%ld nice=%ld -> prio = 120 + nice\n",
           policy, prio, nice_);
    assert(policy == 0 && prio == 120 + nice_);
    return 0;
}
