// caption: mm_struct 从 /proc/self 看：stat 里的 start_code/start_brk/start_stack 与 maps 中的区段对应，mprotect 把一个 VMA 劈成三个，smaps 显示只有摸过的页算进 Rss
// point: mm_struct结构体
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int count_vmas(void) {
    char line[512];
    int n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    assert(f);
    while (fgets(line, sizeof line, f)) n++;
    fclose(f);
    return n;
}

/* The [lo, hi) range of the first maps line whose text contains tag. */
static int find_vma(const char *tag, unsigned long *lo, unsigned long *hi) {
    char line[512];
    int found = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    assert(f);
    while (!found && fgets(line, sizeof line, f))
        if (strstr(line, tag) && sscanf(line, "%lx-%lx", lo, hi) == 2) found = 1;
    fclose(f);
    return found;
}

/* "Key:" value in kB from the smaps block of the VMA starting at addr. */
static long smaps_kb(unsigned long addr, const char *key) {
    char line[512];
    unsigned long lo, hi;
    int in = 0;
    long v = -1;
    FILE *f = fopen("/proc/self/smaps", "r");
    assert(f);
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            in = lo == addr;
        else if (in && !strncmp(line, key, strlen(key))) { v = atol(line + strlen(key)); break; }
    }
    fclose(f);
    return v;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* mm_struct fields exported in /proc/self/stat: 26 start_code, 28 start_stack, 47 start_brk */
    char buf[2048];
    FILE *f = fopen("/proc/self/stat", "r");
    assert(f && fgets(buf, sizeof buf, f));
    fclose(f);
    unsigned long v[64] = {0};
    char *p = strrchr(buf, ')') + 4;           /* skip ") S ": field 3 is the state letter */
    for (int i = 4; i < 64 && *p; i++) {
        v[i] = strtoul(p, &p, 10);
        while (*p == ' ') p++;
    }
    unsigned long start_code = v[26], start_stack = v[28], start_brk = v[47];
    char *old_brk = sbrk(4096);                /* make sure a [heap] VMA exists */
    assert(old_brk != (void *)-1);
    char *brk_now = sbrk(0);
    brk_now[-1] = 1;                           /* the new heap page is usable */
    unsigned long lo, hi;
    printf("start_code  %#lx\nstart_brk   %#lx (brk now %p)\nstart_stack %#lx\n",
           start_code, start_brk, (void *)brk_now, start_stack);
    assert(start_code < start_brk && start_brk < start_stack);
    assert(find_vma("[heap]", &lo, &hi) && lo == start_brk && hi >= (unsigned long)brk_now);
    printf("[heap]  %#lx-%#lx = start_brk .. brk\n", lo, hi);
    assert(find_vma("[stack]", &lo, &hi) && start_stack >= lo && start_stack < hi);
    printf("[stack] %#lx-%#lx contains start_stack\n", lo, hi);

    size_t len = 8 << 20;                      /* one anonymous VMA of 8 MiB */
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert(m != MAP_FAILED);
    madvise(m, len, MADV_NOHUGEPAGE);
    memset(m, 1, 2 << 20);                     /* touch only the first 2 MiB */
    long size = smaps_kb((unsigned long)m, "Size:"), rss = smaps_kb((unsigned long)m, "Rss:");
    printf("mmap 8 MiB, touched 2 MiB: smaps Size %ld kB, Rss %ld kB\n", size, rss);
    assert(size == 8192 && rss >= 2048 && rss < 2048 + 64);

    int before = count_vmas();
    assert(mprotect(m + (4 << 20), 4096, PROT_READ) == 0);  /* one page gets other rights */
    int after = count_vmas();
    printf("VMAs: %d -> %d after mprotect of one page in the middle\n", before, after);
    assert(after == before + 2);
    munmap(m, len);
    assert(count_vmas() == before - 1);
    return 0;
}
