// caption: 同样 16384 个缓存行，挤在 256 页里还是散在 16384 页里：后者 TLB 装不下，每次访问都要走页表；同一布局在 2 MiB 透明大页上再测一次（只打印：虚拟机里还隔着宿主机的页表）
// exclusive: yes
// point: tlb的工作原理
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096
#define LINES 16384                   /* cache lines visited: 1 MiB of data in every case */
#define REGION (64L << 20)            /* 16384 pages of 4 KiB, or 32 huge pages of 2 MiB */
#define STEPS (2L << 20)

static long thp_kb(void) {            /* AnonHugePages of this process */
    char line[256];
    long kb = 0;
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "AnonHugePages:", 14)) kb = atol(line + 14);
    fclose(f);
    return kb;
}

static char *region(int huge) {       /* 2 MiB aligned, THP on or off */
    char *raw = mmap(NULL, REGION + (2L << 20), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert(raw != MAP_FAILED);
    char *p = (char *)(((uintptr_t)raw + (2L << 20) - 1) & ~((2UL << 20) - 1));
    madvise(p, REGION, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    return p;
}

/* Link LINES slots into one random cycle, then chase it: every load depends on the last. */
static double chase(char *base, long stride) {
    long *order = malloc(LINES * sizeof *order);
    for (long i = 0; i < LINES; i++) order[i] = i;
    srand(7);
    for (long i = LINES - 1; i > 0; i--) {
        long j = rand() % (i + 1), t = order[i];
        order[i] = order[j]; order[j] = t;
    }
    /* slot i: line i (dense) or page i (spread); in the spread case the line inside the
       page is (i / 32) % 64, so that even physically contiguous huge pages use all cache sets */
    #define SLOT(i) (base + (i) * stride + (((i) / 32) % 64) * 64 * (stride == PAGE))
    for (long i = 0; i < LINES; i++)
        *(char **)SLOT(order[i]) = SLOT(order[(i + 1) % LINES]);
    free(order);
    char **p = (char **)SLOT(0);
    for (long i = 0; i < LINES; i++) p = (char **)*p;          /* warm up */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < STEPS; i++) p = (char **)*p;
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert(p != NULL);
    return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / STEPS;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *small = region(0), *huge = region(1);
    long before = thp_kb();
    double dense = 1e9, spread = 1e9, spread_thp = 1e9;
    for (int r = 0; r < 3; r++) {             /* best of three: the machine is shared */
        double d = chase(small, 64);          /* 16384 lines in 256 pages */
        double s = chase(small, PAGE);        /* 16384 lines in 16384 pages */
        double h = chase(huge, PAGE);         /* same layout on 2 MiB pages */
        if (d < dense) dense = d;
        if (s < spread) spread = s;
        if (h < spread_thp) spread_thp = h;
    }
    long thp = thp_kb() - before;
    printf("dense,  4 KiB pages (256 pages):    %5.1f ns/access\n", dense);
    printf("spread, 4 KiB pages (16384 pages):  %5.1f ns/access\n", spread);
    printf("spread, THP (%ld MiB in huge pages): %5.1f ns/access\n", thp / 1024, spread_thp);
    assert(spread > 1.5 * dense);             /* same cache lines, more pages: TLB misses */
    if (thp < 32 * 1024)                      /* THP can be off or memory too fragmented */
        printf("transparent huge pages were not granted here\n");
    return 0;
}
