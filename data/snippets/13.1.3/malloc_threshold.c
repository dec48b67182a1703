// caption: glibc malloc 何时用 brk、何时用 mmap：100 KiB 从堆里切（sbrk(0) 上移），200 KiB 单独 mmap（mallinfo2 的 hblks=1）；free 掉这块后阈值自动抬高，再要 200 KiB 就改从堆里给；malloc_trim 把堆顶还给内核；mallopt 固定阈值后又回到 mmap
// point: malloc 背后的 brk 与 mmap
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KB 1024
static char *brk0;
static char *volatile keep; /* stops the compiler from eliding malloc/memset/free pairs */
static void show(const char *what) {
    struct mallinfo2 mi = mallinfo2();
    printf("%-36s heap top +%4ld KiB | mmapped chunks %zu (%zu KiB)\n", what,
           (long)((char *)sbrk(0) - brk0) / KB, mi.hblks, mi.hblkhd / KB);
}

int main(void) {
#if defined(__SANITIZE_ADDRESS__)
    puts("built with AddressSanitizer: its allocator replaces glibc malloc, nothing to observe");
    return 0;
#endif
    brk0 = sbrk(0);
    char *small = malloc(100 * KB);
    memset(small, 1, 100 * KB);
    keep = small;
    show("malloc(100 KiB)");
    assert(mallinfo2().hblks == 0 && (char *)sbrk(0) > brk0); /* below 128 KiB: carved from the brk heap */

    char *big = malloc(200 * KB);
    memset(big, 2, 200 * KB);
    keep = big;
    show("malloc(200 KiB)");
    assert(mallinfo2().hblks == 1 && ((uintptr_t)big & 4095) == 16); /* its own mmap: page + 16-byte header */

    free(big);
    show("free(200 KiB): munmap, threshold up");
    assert(mallinfo2().hblks == 0);
    char *heap_top = sbrk(0);
    big = malloc(200 * KB); /* dynamic threshold is now above 200 KiB */
    memset(big, 3, 200 * KB);
    keep = big;
    show("malloc(200 KiB) again");
    assert(mallinfo2().hblks == 0 && (char *)sbrk(0) > heap_top);

    free(big);
    free(small);
    show("free both (top below trim threshold)");
    char *before_trim = sbrk(0);
    malloc_trim(0);
    show("malloc_trim(0)");
    assert((char *)sbrk(0) < before_trim);

    printf("top chunk left after trim: %zu KiB\n", mallinfo2().keepcost / KB);
    assert(mallopt(M_MMAP_THRESHOLD, 128 * KB) == 1); /* a fixed threshold turns the adjustment off */
    big = malloc(180 * KB); /* more than the top chunk holds, and above the fixed threshold */
    memset(big, 4, 180 * KB);
    keep = big;
    show("mallopt(M_MMAP_THRESHOLD=128K)+180K");
    assert(mallinfo2().hblks == 1);
    free(big);
    printf("ok\n");
    return 0;
}
