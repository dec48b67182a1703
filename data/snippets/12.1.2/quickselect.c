// caption: 手写快速选择求中位数：随机主元的比较次数是 n 的几倍（线性，期望约 3.4n）；总取第一个元素作主元时，对已排好序的输入每轮只排除一个元素，比较次数约 3n²/8；结果都与 qsort 后取中间值核对
// point: 快速选择
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 2463534242ull;
static uint32_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)rng; }
static int asc(const void *a, const void *b) { uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b; return (x > y) - (x < y); }
static void swap(uint32_t *a, uint32_t *b) { uint32_t t = *a; *a = *b; *b = t; }
static long compares;

/* k-th smallest (0-based). Lomuto partition; iterative, so the bad case costs time, not stack. */
static uint32_t select_kth(uint32_t *a, int n, int k, int random_pivot) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int pi = random_pivot ? lo + (int)(next_rand() % (uint32_t)(hi - lo + 1)) : lo;
        swap(&a[pi], &a[hi]);
        uint32_t p = a[hi];
        int s = lo;
        for (int i = lo; i < hi; i++, compares++) if (a[i] < p) swap(&a[i], &a[s++]);
        swap(&a[s], &a[hi]);                 /* a[lo..s) < p = a[s] <= a(s..hi] */
        if (s == k) return a[s];
        if (s < k) lo = s + 1; else hi = s - 1;   /* only one side is kept: n + n/2 + n/4 ... on average */
    }
    return a[lo];
}

static void run(const char *name, const uint32_t *src, int n, int random_pivot, int sorted_input) {
    uint32_t *a = malloc(n * sizeof *a), *s = malloc(n * sizeof *s);
    assert(a && s);
    memcpy(a, src, n * sizeof *a);
    memcpy(s, src, n * sizeof *s);
    qsort(s, n, sizeof *s, asc);
    compares = 0;
    uint32_t m = select_kth(a, n, n / 2, random_pivot);
    assert(m == s[n / 2]);
    printf("%-34s n=%d: median %10u, %11ld compares = %7.1f n\n", name, n, m, compares, (double)compares / n);
    if (random_pivot) assert(compares < 8L * n);                    /* expected 2(1 + ln 2) n = 3.4n */
    else if (sorted_input) assert(compares > (long)n * n / 4);   /* 3n^2/8: one element dropped per round */
    free(a), free(s);
}

int main(void) {
    enum { n = 20000 };
    static uint32_t rnd[n], sorted[n];
    for (int i = 0; i < n; i++) rnd[i] = next_rand(), sorted[i] = (uint32_t)i * 7;
    run("random pivot, random input", rnd, n, 1, 0);
    run("random pivot, sorted input", sorted, n, 1, 1);
    run("first-element pivot, random input", rnd, n, 0, 0);
    run("first-element pivot, sorted input", sorted, n, 0, 1);
    return 0;
}
