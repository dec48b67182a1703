// caption: 读 /proc/buddyinfo：每个 zone 每一阶的空闲块数，合计与 zoneinfo 的空闲页数一致；再读 zoneinfo 的水位线，并打印写 512 MiB 匿名内存前后、munmap 后伙伴系统的空闲页数（本机上的变化不稳定，只打印不断言）
// point: 分配器原理
// timeout: 15
// exclusive: yes
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Free pages over all zones from /proc/buddyinfo; prints each zone when verbose. */
static long buddy_free_pages(int verbose) {
    char line[512], zone[32];
    long total = 0;
    FILE *f = fopen("/proc/buddyinfo", "r");
    assert(f);
    while (fgets(line, sizeof line, f)) {
        int node, off;
        if (sscanf(line, "Node %d, zone %31s%n", &node, zone, &off) != 2) continue;
        char *p = line + off;
        long pages = 0, n;
        int order = 0, top = -1;
        while (sscanf(p, "%ld%n", &n, &off) == 1) {
            pages += n << order;
            if (n > 0) top = order;
            order++;
            p += off;
        }
        if (verbose)
            printf("node %d %-7s free %8ld pages (%6ld MiB), largest free block order %d\n",
                   node, zone, pages, pages / 256, top);
        total += pages;
    }
    fclose(f);
    return total;
}

/* Sum of "pages free" over all zones in /proc/zoneinfo: the counter buddyinfo breaks down. */
static long zoneinfo_free(void) {
    char line[256];
    long v, total = 0;
    FILE *f = fopen("/proc/zoneinfo", "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, " pages free %ld", &v) == 1) total += v;
    fclose(f);
    return total;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long pages = buddy_free_pages(1), zfree = zoneinfo_free();
    printf("buddyinfo total %ld pages, zoneinfo 'pages free' total %ld pages\n", pages, zfree);
    assert(labs(pages - zfree) < zfree / 20);         /* same free lists, read a moment apart */

    char line[256], zone[32] = "";
    long mn = -1, lo = -1, hi = -1;
    FILE *f = fopen("/proc/zoneinfo", "r");
    assert(f);
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "Node %*d, zone %31s", zone) == 1) continue;
        if (strcmp(zone, "Normal") && strcmp(zone, "DMA32")) continue;
        sscanf(line, " min %ld", &mn);
        sscanf(line, " low %ld", &lo);
        if (sscanf(line, " high %ld", &hi) == 1) break;   /* first populated big zone */
    }
    fclose(f);
    printf("zone %s watermarks: min %ld, low %ld, high %ld pages\n", zone, mn, lo, hi);
    assert(0 < mn && mn < lo && lo < hi);               /* kswapd wakes below low */

    size_t len = 512UL << 20;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert(m != MAP_FAILED);
    /* 4 KiB pages: freed transparent huge pages may be kept in the per-CPU lists (and taken from them again),
       which buddyinfo does not count; order-0 pages pass through those lists only a batch at a time. */
    assert(madvise(m, len, MADV_NOHUGEPAGE) == 0);
    long before = buddy_free_pages(0);
    memset(m, 1, len);                                  /* 131072 pages leave the free lists */
    long during = buddy_free_pages(0);
    munmap(m, len);
    long after = buddy_free_pages(0);
    printf("touching 512 MiB: free %ld -> %ld -> %ld MiB after munmap\n",
           before / 256, during / 256, after / 256);
    /* Printed, not asserted: on this virtual machine (virtio-mem) repeated runs show the whole 512 MiB leaving the
       free lists, part of it, or none, and munmap's pages returning at once or later through the per-CPU lists. */
    return 0;
}
