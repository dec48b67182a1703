// caption: fork 之后子进程读继承的内存不缺页，写一页就触发一次写时复制缺页（getrusage 的 ru_minflt 前后对比）
// point: 写时复制
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (32L << 20)

static long minflt(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE), pages = SIZE / page;
    char *buf = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert(buf != MAP_FAILED);
    madvise(buf, SIZE, MADV_NOHUGEPAGE);      /* count 4 KiB pages, not 2 MiB THPs */
    long f0 = minflt();
    memset(buf, 1, SIZE);                     /* parent: first touch, one fault per page */
    long first_touch = minflt() - f0;
    printf("parent first touch of %ld pages: %ld minor faults\n", pages, first_touch);
    assert(first_touch >= pages * 9 / 10);

    fflush(stdout);                           /* do not duplicate buffered output */
    pid_t pid = fork();
    if (pid == 0) {
        long a = minflt();
        unsigned long sum = 0;
        for (long i = 0; i < SIZE; i += page) sum += (unsigned char)buf[i];   /* read */
        long b = minflt();
        for (long i = 0; i < SIZE; i += page) buf[i] = 2;                     /* write */
        long c = minflt();
        printf("child read  %ld pages: %ld faults (PTEs were copied read-only by fork)\n",
               pages, b - a);
        printf("child write %ld pages: %ld faults (one copy-on-write per page)\n", pages, c - b);
        assert(sum == (unsigned long)pages);
        assert(b - a < pages / 20);
        assert(c - b >= pages * 9 / 10);
        fflush(stdout);
        _exit(0);
    }
    int st;
    assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert(buf[0] == 1 && buf[SIZE - 1] == 1);  /* the child's writes went to its copies */
    printf("parent still sees its own bytes: buf[0]=%d\n", buf[0]);
    munmap(buf, SIZE);
    return 0;
}
