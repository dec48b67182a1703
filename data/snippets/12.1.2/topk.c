// caption: 200 万个随机整数取最大的 100 个，三种做法：大小为 K 的小顶堆（一遍扫描）、qsort 全排序、快速选择把前 K 大划到一侧；三者结果逐个相同；堆只被替换了约 K·ln(N/K) 次，比全排序快得多
// point: 用堆求 Top K
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 2000000
#define K 100

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)rng; }
static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static int desc(const void *a, const void *b) { uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b; return (x < y) - (x > y); }
static void swap(uint32_t *a, uint32_t *b) { uint32_t t = *a; *a = *b; *b = t; }

static void sift_down(uint32_t *h, int n, int i) {     /* min-heap: h[0] is the smallest of the K kept */
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l] < h[m]) m = l;
        if (r < n && h[r] < h[m]) m = r;
        if (m == i) return;
        swap(&h[i], &h[m]);
        i = m;
    }
}

static long topk_heap(const uint32_t *a, uint32_t *h) {   /* O(N log K) time, O(K) memory, one pass */
    long replaced = 0;
    memcpy(h, a, K * sizeof *h);
    for (int i = K / 2 - 1; i >= 0; i--) sift_down(h, K, i);
    for (int i = K; i < N; i++)
        if (a[i] > h[0]) { h[0] = a[i]; sift_down(h, K, 0); replaced++; }  /* most elements stop here */
    return replaced;
}

static void topk_select(uint32_t *a, int n, int k) {    /* afterwards a[0..k) are the k largest */
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        swap(&a[lo + (int)(next_rand() % (uint32_t)(hi - lo + 1))], &a[hi]);   /* random pivot */
        uint32_t p = a[hi];
        int s = lo;
        for (int i = lo; i < hi; i++) if (a[i] > p) swap(&a[i], &a[s++]);  /* larger ones to the left */
        swap(&a[s], &a[hi]);
        if (s == k - 1 || s == k) return;
        if (s < k) lo = s + 1; else hi = s - 1;
    }
}

int main(void) {
    uint32_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *c = malloc(N * sizeof *c), h[K];
    assert(a && b && c);
    for (int i = 0; i < N; i++) a[i] = next_rand();
    memcpy(b, a, N * sizeof *a);
    memcpy(c, a, N * sizeof *a);

    double t0 = now_ms();
    long replaced = topk_heap(a, h);
    double t1 = now_ms();
    qsort(b, N, sizeof *b, desc);
    double t2 = now_ms();
    topk_select(c, N, K);
    double t3 = now_ms();

    qsort(h, K, sizeof *h, desc);
    qsort(c, K, sizeof *c, desc);
    assert(memcmp(h, b, sizeof h) == 0 && memcmp(c, b, sizeof h) == 0);   /* the same K values, same order */
    printf("N=%d K=%d: top-1 %u, K-th %u (identical from all three methods)\n", N, K, h[0], h[K - 1]);
    printf("heap: %ld replacements (K*ln(N/K) = %.0f), %.1f ms\n", replaced, K * log((double)N / K), t1 - t0);
    printf("qsort of all N: %.1f ms; quickselect: %.1f ms\n", t2 - t1, t3 - t2);
    assert(replaced < 3 * K * log((double)N / K));
    assert(t2 - t1 > 2 * (t1 - t0) && t2 - t1 > 2 * (t3 - t2));   /* both avoid sorting what they discard */
    free(a), free(b), free(c);
    return 0;
}
