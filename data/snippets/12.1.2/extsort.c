// caption: 外部排序：16 MB 的整数文件，自己设定并强制 1 MB 的内存预算（所有缓冲区都从预算里分配，超出即断言失败）；先切成 16 个有序段（run），再用 16 路小顶堆一次归并；校验输出有序、个数相同、多重集合指纹相同（是输入的一个排列）
// point: 外部排序与多路归并
// timeout: 60
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define N (4u << 20)                  /* 4 Mi uint32 = 16 MiB on disk */
#define BUDGET (1u << 20)             /* 1 MiB of working memory for everything below */

static size_t used, peak;
static void *budget_alloc(size_t bytes) {  /* every buffer of the sort comes from here */
    assert(used + bytes <= BUDGET);
    used += bytes;
    if (used > peak) peak = used;
    void *p = malloc(bytes);
    assert(p);
    return p;
}
static void budget_free(void *p, size_t bytes) { free(p); used -= bytes; }

static uint64_t io_bytes;
static size_t read_all(int fd, void *buf, size_t bytes) {   /* read until full or EOF */
    size_t got = 0;
    while (got < bytes) {
        ssize_t r = read(fd, (char *)buf + got, bytes - got);
        assert(r >= 0);
        if (r == 0) break;
        got += (size_t)r;
    }
    io_bytes += got;
    return got;
}
static void write_all(int fd, const void *buf, size_t bytes) {
    assert(write(fd, buf, bytes) == (ssize_t)bytes);
    io_bytes += bytes;
}
static uint64_t mix(uint64_t x) { x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; return x; }
static int cmp(const void *a, const void *b) { uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b; return (x > y) - (x < y); }

struct src { uint32_t *buf; size_t len, pos; int fd; };
struct item { uint32_t v; int run; };
static void sift(struct item *h, int n, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l].v < h[m].v) m = l;
        if (r < n && h[r].v < h[m].v) m = r;
        if (m == i) return;
        struct item t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}
static int refill(struct src *s, size_t cap) {
    s->len = read_all(s->fd, s->buf, cap * 4) / 4;
    s->pos = 0;
    return s->len > 0;
}

int main(void) {
    /* 1. the input, written in small pieces; its multiset fingerprint: sum and xor of mix(x) */
    uint64_t in_sum = 0, in_xor = 0, rng = 0x9E3779B97F4A7C15ull;
    uint32_t *chunk = budget_alloc(BUDGET);
    const size_t per = BUDGET / 4;
    int in = open("input.bin", O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert(in >= 0);
    for (size_t done = 0; done < N; done += per) {
        for (size_t i = 0; i < per; i++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            chunk[i] = (uint32_t)(rng % 1000000);          /* many duplicates on purpose */
            in_sum += mix(chunk[i]), in_xor ^= mix(chunk[i]);
        }
        write_all(in, chunk, per * 4);
    }
    close(in);
    io_bytes = 0;

    /* 2. run generation: read what fits in the budget, sort it, write it out */
    int runs = 0;
    in = open("input.bin", O_RDONLY);
    for (size_t got; (got = read_all(in, chunk, BUDGET) / 4) > 0; runs++) {
        qsort(chunk, got, 4, cmp);
        char name[32];
        snprintf(name, sizeof name, "run%03d.bin", runs);
        int fd = open(name, O_CREAT | O_TRUNC | O_WRONLY, 0600);
        write_all(fd, chunk, got * 4);
        close(fd);
    }
    close(in);
    budget_free(chunk, BUDGET);

    /* 3. k-way merge: k input buffers + 1 output buffer + the heap share the budget */
    size_t heap_bytes = runs * sizeof(struct item) + runs * sizeof(struct src);
    size_t cap = (BUDGET - heap_bytes) / (runs + 1) / 4;   /* elements per buffer */
    struct item *heap = budget_alloc(runs * sizeof *heap);
    struct src *src = budget_alloc(runs * sizeof *src);
    uint32_t *out = budget_alloc(cap * 4);
    int n = 0;
    for (int r = 0; r < runs; r++) {
        char name[32];
        snprintf(name, sizeof name, "run%03d.bin", r);
        src[r].fd = open(name, O_RDONLY);
        src[r].buf = budget_alloc(cap * 4);
        if (refill(&src[r], cap)) heap[n++] = (struct item){src[r].buf[0], r}, src[r].pos = 1;
    }
    printf("%d sorted runs of %u KiB; merge: %d input buffers of %zu KiB + 1 output + heap = %zu of %u bytes\n",
           runs, BUDGET / 1024, runs, cap * 4 / 1024, used, BUDGET);
    for (int i = n / 2 - 1; i >= 0; i--) sift(heap, n, i);
    int fo = open("sorted.bin", O_CREAT | O_TRUNC | O_WRONLY, 0600);
    size_t olen = 0;
    while (n > 0) {
        struct src *s = &src[heap[0].run];
        out[olen++] = heap[0].v;
        if (olen == cap) write_all(fo, out, olen * 4), olen = 0;
        if (s->pos < s->len || refill(s, cap)) heap[0].v = s->buf[s->pos++];
        else heap[0] = heap[--n];                          /* this run is exhausted */
        sift(heap, n, 0);
    }
    write_all(fo, out, olen * 4);
    close(fo);
    for (int r = 0; r < runs; r++) close(src[r].fd), budget_free(src[r].buf, cap * 4);
    printf("I/O: %.0f MiB read + written = %.1f x the 16 MiB input (one pass to make runs, one to merge)\n",
           io_bytes / 1048576.0, io_bytes / (N * 4.0));

    /* 4. verify with the same buffer: sorted, same count, same multiset fingerprint */
    uint64_t out_sum = 0, out_xor = 0, count = 0;
    uint32_t prev = 0;
    fo = open("sorted.bin", O_RDONLY);
    for (size_t got; (got = read_all(fo, out, cap * 4) / 4) > 0;)
        for (size_t i = 0; i < got; i++, count++) {
            assert(out[i] >= prev);
            prev = out[i];
            out_sum += mix(out[i]), out_xor ^= mix(out[i]);
        }
    close(fo);
    printf("output: %llu values, non-decreasing, fingerprint %s the input's\n", (unsigned long long)count,
           out_sum == in_sum && out_xor == in_xor ? "equals" : "DIFFERS FROM");
    assert(count == N && out_sum == in_sum && out_xor == in_xor);
    budget_free(out, cap * 4), budget_free(heap, runs * sizeof *heap), budget_free(src, runs * sizeof *src);
    assert(used == 0 && peak <= BUDGET);
    printf("peak working memory %zu bytes = budget; input was %u bytes\n", peak, N * 4);
    for (int r = 0; r < runs; r++) {
        char name[32];
        snprintf(name, sizeof name, "run%03d.bin", r);
        unlink(name);
    }
    unlink("input.bin"), unlink("sorted.bin");
    return 0;
}
