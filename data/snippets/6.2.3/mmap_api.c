// caption: mmap 的几种用法：匿名映射按需分配（Rss 随写入增长）、MAP_POPULATE 预先填好、mremap 扩容保留内容、MADV_DONTNEED 归还物理页、MAP_SHARED|MAP_ANONYMOUS 父子共享；大页：MAP_HUGETLB 与透明大页
// point: 进程内存映射
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1UL << 20)

static long rss_kb(void *addr) {       /* Rss (or AnonHugePages with key) of the VMA at addr */
    char line[512], key[] = "Rss:";
    unsigned long lo, hi, a = (unsigned long)addr;
    int in = 0;
    long v = -1;
    FILE *f = fopen("/proc/self/smaps", "r");
    assert(f);
    while (fgets(line, sizeof line, f)) {
        if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' ') &&
            sscanf(line, "%lx-%lx", &lo, &hi) == 2)
            in = a >= lo && a < hi;
        else if (in && !strncmp(line, key, 4)) { v = atol(line + 4); break; }
    }
    fclose(f);
    return v;
}
static long smaps_total(const char *key) {
    char line[256];
    long v = 0;
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) v = atol(line + strlen(key));
    fclose(f);
    return v;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
    char *a = mmap(NULL, 16 * MiB, PROT_READ | PROT_WRITE, flags, -1, 0);
    assert(a != MAP_FAILED);
    madvise(a, 16 * MiB, MADV_NOHUGEPAGE);
    long r0 = rss_kb(a);
    memset(a, 7, 4 * MiB);
    long r1 = rss_kb(a);
    printf("anonymous 16 MiB: Rss %ld kB, after writing 4 MiB %ld kB\n", r0, r1);
    assert(r0 == 0 && r1 >= 4096 && r1 < 4096 + 256);

    char *b = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, flags | MAP_POPULATE, -1, 0);
    assert(b != MAP_FAILED);
    printf("MAP_POPULATE 4 MiB: Rss %ld kB before any access\n", rss_kb(b));
    assert(rss_kb(b) >= 4096);
    munmap(b, 4 * MiB);

    char *c = mremap(a, 16 * MiB, 64 * MiB, MREMAP_MAYMOVE);    /* grow, keep content */
    assert(c != MAP_FAILED && c[0] == 7 && c[4 * MiB - 1] == 7);
    madvise(c, 4 * MiB, MADV_DONTNEED);                          /* give the pages back */
    printf("mremap to 64 MiB kept the data; after MADV_DONTNEED Rss %ld kB, c[0]=%d\n",
           rss_kb(c), c[0]);
    assert(c[0] == 0 && rss_kb(c) < 256);                        /* fresh zero page on read */
    munmap(c, 64 * MiB);

    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert(shared != MAP_FAILED);
    if (fork() == 0) { *shared = 12345; _exit(0); }
    wait(NULL);
    printf("MAP_SHARED|MAP_ANONYMOUS: child wrote %d, parent reads it\n", *shared);
    assert(*shared == 12345);
    munmap(shared, 4096);

    void *h = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, flags | MAP_HUGETLB, -1, 0);
    if (h == MAP_FAILED) {
        printf("MAP_HUGETLB: %s (no pages reserved in /proc/sys/vm/nr_hugepages)\n", strerror(errno));
    } else {
        memset(h, 1, 2 * MiB);
        printf("MAP_HUGETLB: got a 2 MiB hugetlbfs page\n");
        munmap(h, 2 * MiB);
    }
    char *raw = mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE, flags, -1, 0);
    assert(raw != MAP_FAILED);
    char *t = (char *)(((unsigned long)raw + 2 * MiB - 1) & ~(2 * MiB - 1));
    long thp0 = smaps_total("AnonHugePages:");
    madvise(t, 4 * MiB, MADV_HUGEPAGE);
    memset(t, 1, 4 * MiB);
    long thp = smaps_total("AnonHugePages:") - thp0;
    printf("MADV_HUGEPAGE on 4 MiB: AnonHugePages +%ld kB\n", thp);
    assert(thp == 0 || thp % 2048 == 0);      /* whole 2 MiB pages, if THP is enabled at all */
    munmap(raw, 8 * MiB);
    return 0;
}
