// caption: 堆与栈：sbrk 推动 [heap] 的上界；glibc 的小块 malloc 走 brk、128 KiB 以上走 mmap；递归用掉 4 MiB 栈时 [stack] 向下长、VmStk 随之变大；超过 RLIMIT_STACK 的子进程收到 SIGSEGV
// point: 进程堆栈管理
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int in_vma(const char *tag, void *p, unsigned long *size) {
    char line[512];
    unsigned long lo, hi, a = (unsigned long)p;
    int found = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    assert(f);
    while (!found && fgets(line, sizeof line, f))
        if (strstr(line, tag) && sscanf(line, "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi) {
            found = 1;
            if (size) *size = hi - lo;
        }
    fclose(f);
    return found;
}

static long status_kb(const char *key) {
    char line[256];
    long v = -1;
    FILE *f = fopen("/proc/self/status", "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) v = atol(line + strlen(key));
    fclose(f);
    return v;
}

static long deepest_kb;
static long recurse(long depth_kb, char *top) {  /* 1 KiB of stack per call */
    volatile char frame[1024];
    memset((char *)frame, 1, sizeof frame);
    long used = (top - (char *)frame) / 1024;
    if (used > deepest_kb) deepest_kb = used;
    if (used >= depth_kb) return status_kb("VmStk:");
    return recurse(depth_kb, top) + frame[0] - 1;
}

static void on_segv(int sig) { (void)sig; _exit(42); }

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    long stk0 = status_kb("VmStk:");               /* also sets up malloc's own heap first */
    char *b0 = sbrk(0), *b1;
    assert(sbrk(1 << 20) == b0);                   /* move the program break up 1 MiB */
    b1 = sbrk(0);
    b1[-1] = 1;
    assert(b1 - b0 == 1 << 20 && in_vma("[heap]", b1 - 1, NULL));
    /* shrinking is only safe if malloc did not move the break meanwhile (never mix the two) */
    int shrunk = sbrk(0) == b1;
    if (shrunk) assert(sbrk(-(1 << 20)) == b1 && sbrk(0) == b0);
    printf("sbrk: break %p -> %p%s, the [heap] VMA follows it\n", (void *)b0, (void *)b1,
           shrunk ? " -> back" : "");

#ifndef __SANITIZE_ADDRESS__                       /* ASan brings its own malloc */
    void *small = malloc(1000), *big = malloc(1 << 20);
    int small_heap = in_vma("[heap]", small, NULL), big_heap = in_vma("[heap]", big, NULL);
    printf("glibc malloc(1000) in [heap]: %s; malloc(1 MiB) in [heap]: %s (own mmap)\n",
           small_heap ? "yes" : "no", big_heap ? "yes" : "no");
    assert(small_heap && !big_heap);              /* M_MMAP_THRESHOLD is 128 KiB by default */
    free(small);
    free(big);
#endif

    char top;
    long stk1 = recurse(4096, &top);
    printf("recursion 4 MiB deep: VmStk %ld kB -> %ld kB\n", stk0, stk1);
    assert(stk1 > stk0 + 3000);                   /* the stack VMA grew on page faults */

    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = { 1 << 20, 1 << 20 };   /* 1 MiB stack limit, then go deeper */
        assert(setrlimit(RLIMIT_STACK, &rl) == 0);
        static char alt[64 * 1024];                /* handler runs on its own stack */
        stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
        sigaltstack(&ss, NULL);
        struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_ONSTACK };
        sigaction(SIGSEGV, &sa, NULL);
        char t2;
        recurse(8192, &t2);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child with RLIMIT_STACK 1 MiB recursing 8 MiB: %s\n",
           WIFEXITED(st) && WEXITSTATUS(st) == 42 ? "SIGSEGV" : "something else");
    assert(WIFEXITED(st) && WEXITSTATUS(st) == 42);
    return 0;
}
