// caption: 缺页异常计数：匿名内存首次写入每页一次 minor fault，/proc/self/pagemap 的 present 位随之置上；文件页被踢出页缓存后再读是 major fault，预读让它远少于页数
// point: 页表与缺页异常
// timeout: 20
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
#include <unistd.h>

#define PAGES 4096                       /* 16 MiB */

static void faults(long *min, long *maj) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *min = ru.ru_minflt;
    *maj = ru.ru_majflt;
}

/* Count pages of [p, p+n pages) whose PTE is present, from /proc/self/pagemap (bit 63). */
static long present(char *p, long n) {
    int fd = open("/proc/self/pagemap", O_RDONLY);
    assert(fd >= 0);
    uint64_t *e = malloc(n * sizeof *e);
    off_t off = (off_t)((uintptr_t)p / 4096) * 8;
    assert(pread(fd, e, n * 8, off) == n * 8);
    long c = 0;
    for (long i = 0; i < n; i++) c += (e[i] >> 63) & 1;
    free(e);
    close(fd);
    return c;
}

int main(void) {
    long page = 4096, a0, j0, a1, j1;
    assert(sysconf(_SC_PAGESIZE) == page);
    char *anon = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert(anon != MAP_FAILED);
    madvise(anon, PAGES * page, MADV_NOHUGEPAGE);
    long pr0 = present(anon, PAGES);
    faults(&a0, &j0);
    for (long i = 0; i < PAGES; i++) anon[i * page] = 1;
    faults(&a1, &j1);
    long pr1 = present(anon, PAGES);
    printf("anonymous: present PTEs %ld -> %ld, minor faults %ld, major %ld\n",
           pr0, pr1, a1 - a0, j1 - j0);
    assert(pr0 == 0 && pr1 == PAGES && a1 - a0 >= PAGES && j1 == j0);

    /* A file on disk: write it, flush it, drop it from the page cache, map and read it. */
    int fd = open("faults.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert(fd >= 0);
    for (long i = 0; i < PAGES; i++) assert(write(fd, anon, page) == page);
    assert(fsync(fd) == 0);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    char *file = mmap(NULL, PAGES * page, PROT_READ, MAP_SHARED, fd, 0);
    assert(file != MAP_FAILED);
    unsigned char vec[PAGES];
    assert(mincore(file, PAGES * page, vec) == 0);
    long cached = 0;
    for (long i = 0; i < PAGES; i++) cached += vec[i] & 1;
    unsigned long sum = 0;
    faults(&a0, &j0);
    for (long i = 0; i < PAGES; i++) sum += (unsigned char)file[i * page];
    faults(&a1, &j1);
    printf("file, cold: %ld of %d pages cached before, major faults %ld, minor %ld\n",
           cached, PAGES, j1 - j0, a1 - a0);
    assert(sum == PAGES);
    if (cached < PAGES / 10) {               /* eviction worked (not possible on tmpfs) */
        assert(j1 - j0 >= 1);                /* the disk was read inside a page fault */
        assert(j1 - j0 < PAGES / 4);         /* readahead: one fault reads many pages */
    }
    munmap(file, PAGES * page);
    file = mmap(NULL, PAGES * page, PROT_READ, MAP_SHARED, fd, 0);
    faults(&a0, &j0);
    for (long i = 0; i < PAGES; i++) sum += (unsigned char)file[i * page];
    faults(&a1, &j1);
    printf("file, warm: major faults %ld, minor %ld (fault-around maps several pages per fault)\n",
           j1 - j0, a1 - a0);
    assert(sum == 2 * PAGES && j1 == j0 && a1 - a0 < PAGES);
    munmap(file, PAGES * page);
    munmap(anon, PAGES * page);
    close(fd);
    unlink("faults.dat");
    return 0;
}
