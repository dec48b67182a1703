// caption: 一页内存的一生（需 root 读物理页号）：虚拟地址拆成四级页表下标；只读从未写过的匿名页，两页都映射到同一个零页；写入才各得一个物理页并计一次 minor fault；fork 后父子同一物理页，子进程写一页就换成新物理页，smaps 里这一页从 Shared_Dirty 变成 Private_Dirty
// point: 缺页异常与写时复制
// timeout: 10
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
static uint64_t pfn(void *va) { /* /proc/self/pagemap: 8 bytes per page, bit 63 present, bits 0-54 PFN */
    int fd = open("/proc/self/pagemap", O_RDONLY);
    uint64_t e = 0;
    assert(pread(fd, &e, 8, (uintptr_t)va / PG * 8) == 8);
    close(fd);
    return (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
}
static long minflt(void) { struct rusage u; getrusage(RUSAGE_SELF, &u); return u.ru_minflt; }
static void smaps_kb(char *base, long *shared_dirty, long *private_dirty) { /* the VMA that starts at base */
    char line[256];
    unsigned long s, e;
    int in = 0;
    FILE *f = fopen("/proc/self/smaps", "r");
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx ", &s, &e) == 2) in = s == (unsigned long)base;
        if (in) { sscanf(line, "Shared_Dirty: %ld", shared_dirty); sscanf(line, "Private_Dirty: %ld", private_dirty); }
    }
    fclose(f);
}

int main(void) {
    char *g = mmap(NULL, 6 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p = g + PG;
    assert(g != MAP_FAILED && mprotect(p, 4 * PG, PROT_READ | PROT_WRITE) == 0); /* own VMA between guards */
    uintptr_t va = (uintptr_t)p;
    printf("va %#lx -> PGD %lu, PUD %lu, PMD %lu, PTE %lu, offset %lu (4 levels x 9 bits + 12)\n", (unsigned long)va,
           (va >> 39) & 511, (va >> 30) & 511, (va >> 21) & 511, (va >> 12) & 511, va & 4095);
    assert(pfn(p) == 0); /* mmap only created a VMA: no page table entry yet */
    volatile char sink = p[0] + p[PG];
    (void)sink;
    uint64_t z0 = pfn(p), z1 = pfn(p + PG);
    printf("after reading 2 untouched pages: pfn %#lx and %#lx (the shared zero page)\n", (unsigned long)z0, (unsigned long)z1);
    assert(z0 != 0 && z0 == z1);
    for (int i = 0; i < 4; i++) p[i * PG] = 'a' + i; /* write: a private page each */
    assert(pfn(p) != z0 && pfn(p) != pfn(p + PG));
    uint64_t parent_pfn = pfn(p + 3 * PG);
    int pp[2];
    assert(pipe(pp) == 0);
    fflush(stdout); /* or the child would print the buffered lines again */
    pid_t pid = fork();
    if (pid == 0) {
        long sd0 = 0, pd0 = 0, sd1 = 0, pd1 = 0;
        uint64_t before = pfn(p + 3 * PG);
        smaps_kb(p, &sd0, &pd0);
        long f0 = minflt();
        p[3 * PG] = 'X'; /* copy-on-write fault */
        long faults = minflt() - f0;
        uint64_t after = pfn(p + 3 * PG);
        smaps_kb(p, &sd1, &pd1);
        printf("child: pfn before write %#lx (parent's %#lx), after %#lx, minor faults %ld\n",
               (unsigned long)before, (unsigned long)parent_pfn, (unsigned long)after, faults);
        printf("child smaps: Shared_Dirty %ld kB -> %ld kB, Private_Dirty %ld kB -> %ld kB\n", sd0, sd1, pd0, pd1);
        int ok = before == parent_pfn && after != before && faults >= 1 && sd0 == 16 && pd0 == 0 &&
                 sd1 == 12 && pd1 == 4 && p[0] == 'a';
        fflush(stdout);
        _exit(ok ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert(pfn(p + 3 * PG) == parent_pfn && p[3 * PG] == 'd'); /* parent kept its page and its data */
    printf("parent still has pfn %#lx with '%c': ok\n", (unsigned long)parent_pfn, p[3 * PG]);
    munmap(g, 6 * PG);
    return 0;
}
