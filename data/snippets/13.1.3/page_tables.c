// caption: 页表本身也占内存：在 1 GiB 的匿名映射里每 2 MiB 写 1 字节（共 512 页、2 MiB 数据），/proc/self/status 的 VmPTE 涨约 2 MiB——每页都用掉一整张 PTE 页；同样 512 页连续写，VmPTE 只涨 4 KiB
// point: 虚拟地址与多级页表
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static long vm_pte_kb(void) {
    char line[128];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmPTE: %ld", &kb) == 1) break;
    fclose(f);
    return kb;
}

static long touch(size_t stride) {
    size_t len = 1UL << 30;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert(p != MAP_FAILED);
    madvise(p, len, MADV_NOHUGEPAGE); /* 4 KiB pages only: a 2 MiB huge page would need no PTE page */
    long before = vm_pte_kb();
    for (size_t i = 0; i < 512; i++) p[i * stride] = 1;
    long grown = vm_pte_kb() - before;
    assert(munmap(p, len) == 0);
    return grown;
}

int main(void) {
    long sparse = touch(2UL << 20), dense = touch(4096);
    printf("512 pages, one per 2 MiB : VmPTE +%ld kB (512 page-table pages of 4 KiB)\n", sparse);
    printf("512 pages, contiguous    : VmPTE +%ld kB (one page-table page maps 512 x 4 KiB = 2 MiB)\n", dense);
    printf("a 4-level walk for one address reads 4 table entries; the TLB caches the result\n");
    assert(sparse >= 1800 && dense <= 16);
    return 0;
}
