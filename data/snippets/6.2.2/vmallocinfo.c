// caption: 读 /proc/vmallocinfo（需 root）：vmalloc 区按调用者分类、每段比所需页数多一页保护页；开 200 个线程，KernelStack 每线程涨 16 KiB：内核栈就是 vmalloc 出来的（另有一页保护页）
// point: 不连续页原理
// timeout: 10
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scan /proc/vmallocinfo; count entries and the thread-stack ones, check the guard page. */
static int scan(int verbose) {
    char line[512];
    int total = 0, stacks = 0, vm = 0, io = 0, guarded = 0, unguarded = 0;
    long vmalloc_bytes = 0;
    FILE *f = fopen("/proc/vmallocinfo", "r");
    assert(f);                                         /* mode 0400: root only */
    while (fgets(line, sizeof line, f)) {
        long size, pages;
        char *p;
        if (sscanf(line, "%*s %ld", &size) != 1) continue;
        total++;
        if (strstr(line, " ioremap")) io++;
        if (!strstr(line, " vmalloc")) continue;
        vm++;
        vmalloc_bytes += size;
        if ((p = strstr(line, "pages=")) && sscanf(p, "pages=%ld", &pages) == 1) {
            if (size == (pages + 1) * 4096) guarded++; /* one unmapped page after the area */
            else if (size == pages * 4096) unguarded++; /* VM_NO_GUARD */
            else assert(!"size is neither pages nor pages + 1 guard page");
            if ((strstr(line, "kernel_clone") || strstr(line, "thread_stack")) && pages == 4)
                stacks++;                              /* 16 KiB kernel stack of a task */
        }
    }
    fclose(f);
    if (verbose) {
        printf("%d areas: %d vmalloc (%ld MiB with guards), %d ioremap\n",
               total, vm, vmalloc_bytes >> 20, io);
        printf("vmalloc areas with a guard page: %d, without: %d; 16 KiB task stacks: %d\n",
               guarded, unguarded, stacks);
        assert(vm > 0 && guarded > unguarded);
    }
    return stacks;
}

static long meminfo_kb(const char *key) {
    char line[256];
    long v = -1;
    FILE *f = fopen("/proc/meminfo", "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) { v = atol(line + strlen(key)); break; }
    fclose(f);
    return v;
}

static pthread_barrier_t bar;
static void *sleeper(void *arg) {
    (void)arg;
    pthread_barrier_wait(&bar);                        /* alive while main counts */
    pthread_barrier_wait(&bar);
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    enum { T = 200 };
    scan(1);
    long ks0 = meminfo_kb("KernelStack:"), vu0 = meminfo_kb("VmallocUsed:");
    pthread_t th[T];
    pthread_barrier_init(&bar, NULL, T + 1);
    for (int i = 0; i < T; i++) assert(pthread_create(&th[i], NULL, sleeper, NULL) == 0);
    pthread_barrier_wait(&bar);
    long ks1 = meminfo_kb("KernelStack:"), vu1 = meminfo_kb("VmallocUsed:");
    pthread_barrier_wait(&bar);
    for (int i = 0; i < T; i++) pthread_join(th[i], NULL);
    printf("%d more threads: KernelStack %ld -> %ld kB (%.1f kB each), VmallocUsed %ld -> %ld kB\n",
           T, ks0, ks1, (double)(ks1 - ks0) / T, vu0, vu1);
    assert(ks1 - ks0 >= T * 16 / 2);   /* 16 KiB per thread; other tasks come and go meanwhile */
    return 0;
}
