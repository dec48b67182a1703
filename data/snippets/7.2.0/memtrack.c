// caption: MemTrack 式的分配跟踪器：宏把 malloc/free 换成带 __FILE__/__LINE__ 的包装，包装函数用 __builtin_return_address 记下调用点，退出前按调用点汇总泄漏并用 addr2line 解析成函数名
// point: 内存分配跟踪库 MemTrack
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <link.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hdr {                 /* placed in front of every user block; live blocks form a list */
    struct hdr *prev, *next;
    size_t size;
    const char *file;
    int line;
    void *site;              /* return address inside the function that allocated */
    alignas(max_align_t) char user[];
};
static struct hdr live = {.prev = &live, .next = &live};
static size_t cur_bytes, peak_bytes, n_allocs;

__attribute__((noinline)) void *mt_malloc(size_t n, const char *file, int line) {
    struct hdr *h = malloc(sizeof *h + n);
    if (!h) return NULL;
    *h = (struct hdr){&live, live.next, n, file, line, __builtin_return_address(0)};
    live.next->prev = h;
    live.next = h;
    cur_bytes += n;
    n_allocs++;
    if (cur_bytes > peak_bytes) peak_bytes = cur_bytes;
    return h->user;
}
void mt_free(void *p) {
    if (!p) return;
    struct hdr *h = (struct hdr *)((char *)p - offsetof(struct hdr, user));
    h->prev->next = h->next;
    h->next->prev = h->prev;
    cur_bytes -= h->size;
    free(h);
}
#define malloc(n) mt_malloc((n), __FILE__, __LINE__)  /* from here on, every malloc is tracked */
#define free(p) mt_free(p)

/* --- the "application", with two leaks planted; noipa keeps each a real, un-cloned function --- */
__attribute__((noipa)) char *parse_line(int i) { char *s = malloc(32); snprintf(s, 32, "line %d", i); return s; }
__attribute__((noipa)) void *open_session(void) { void *p = malloc(100); memset(p, 0, 100); return p; }
__attribute__((noipa)) void work(void) {
    for (int i = 0; i < 5; i++) {
        char *s = parse_line(i);
        if (i % 2 == 0) free(s);      /* odd lines leak: 2 blocks */
    }
    void *tmp = malloc(4096);
    free(tmp);
    open_session();                   /* result dropped: 1 block */
}

static int find_base(struct dl_phdr_info *info, size_t size, void *base) {
    (void)size;
    *(uintptr_t *)base = info->dlpi_addr;  /* the first object is the executable (PIE load bias) */
    return 1;
}
static void symbolize(void *site, char *fn, size_t cap) {
    uintptr_t base = 0;
    dl_iterate_phdr(find_base, &base);
    char cmd[128];               /* /proc/<pid>: inside popen's shell, /proc/self would be the shell */
    snprintf(cmd, sizeof cmd, "addr2line -f -e /proc/%d/exe %#lx", (int)getpid(),
             (unsigned long)((uintptr_t)site - base - 1)); /* -1: inside the call instruction */
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(fn, (int)cap, p)) snprintf(fn, cap, "?");
    fn[strcspn(fn, "\n")] = 0;
    if (p) pclose(p);
}

int main(void) {
    work();
    printf("allocations %zu, peak %zu bytes, still live %zu bytes\n", n_allocs, peak_bytes, cur_bytes);
    int leaks = 0, parse_leaks = 0, session_leaks = 0;
    for (struct hdr *h = live.next; h != &live; h = h->next) {
        char fn[128];
        symbolize(h->site, fn, sizeof fn);
        printf("LEAK %4zu bytes  allocated at %s:%d  in %s()\n", h->size, h->file, h->line, fn);
        leaks++;
        parse_leaks += strcmp(fn, "parse_line") == 0 && h->size == 32;
        session_leaks += strcmp(fn, "open_session") == 0 && h->size == 100;
    }
    assert(leaks == 3 && parse_leaks == 2 && session_leaks == 1 && cur_bytes == 164);
    while (live.next != &live) free(live.next->user);  /* release them so the process exits clean */
    assert(cur_bytes == 0);
    puts("OK: every leak reported with its size, file:line and calling function");
    return 0;
}
