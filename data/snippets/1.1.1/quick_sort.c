// caption: C 版快速排序：随机枢轴 + 三路划分（荷兰国旗）+ 只递归较小一侧，与固定末尾枢轴的 Lomuto 划分在有序输入、全相等输入上的退化对比（比较次数与递归深度），并与 libc qsort 对拍 100 万个随机数
// point: 快速排序
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long cmps;
static int depth, max_depth;
static unsigned long long rng = 88172645463325252ull;
static unsigned rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (unsigned)rng; }

static void naive(int *a, int lo, int hi) {          /* Lomuto with the last element as pivot */
    if (lo >= hi) return;
    if (++depth > max_depth) max_depth = depth;
    int p = a[hi], i = lo;
    for (int j = lo; j < hi; j++)
        if (cmps++, a[j] < p) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; }
    int t = a[i]; a[i] = a[hi]; a[hi] = t;
    naive(a, lo, i - 1);
    naive(a, i + 1, hi);
    depth--;
}

static void quick(int *a, int lo, int hi) {          /* sorts a[lo..hi] */
    if (++depth > max_depth) max_depth = depth;
    while (lo < hi) {
        int p = a[lo + rnd() % (hi - lo + 1)];       /* random pivot: no input is bad on purpose */
        int lt = lo, i = lo, gt = hi;                /* a[lo..lt) < p, a[lt..i) == p, a(gt..hi] > p */
        while (i <= gt) {
            if (cmps++, a[i] < p) { int t = a[lt]; a[lt++] = a[i]; a[i++] = t; }
            else if (cmps++, a[i] > p) { int t = a[gt]; a[gt--] = a[i]; a[i] = t; }
            else i++;
        }
        if (lt - lo < hi - gt) { quick(a, lo, lt - 1); lo = gt + 1; }   /* recurse into the smaller side, */
        else { quick(a, gt + 1, hi); hi = lt - 1; }                    /* loop on the larger one */
    }
    depth--;
}

static int cmp_int(const void *x, const void *y) { int a = *(const int *)x, b = *(const int *)y; return (a > b) - (a < b); }

static void run(const char *name, void (*sort)(int *, int, int), int *a, int n) {
    cmps = 0, depth = 0, max_depth = 0;
    sort(a, 0, n - 1);
    for (int i = 1; i < n; i++) assert(a[i - 1] <= a[i]);
    printf("  %-34s %9ld comparisons, recursion depth %4d\n", name, cmps, max_depth);
}

int main(void) {
    enum { N = 2000 };
    static int a[N];
    printf("n = %d, sorted input:\n", N);
    for (int i = 0; i < N; i++) a[i] = i;
    run("last-element pivot (Lomuto)", naive, a, N);
    assert(cmps == (long)N * (N - 1) / 2 && max_depth == N - 1);    /* the worst case, exactly */
    run("random pivot, 3-way, smaller side", quick, a, N);
    assert(cmps < 4L * N * 11 && max_depth <= 12);                  /* ~1.39 n log2 n (x2: two tests) */
    printf("n = %d, all keys equal:\n", N);
    for (int i = 0; i < N; i++) a[i] = 7;
    run("last-element pivot (Lomuto)", naive, a, N);
    assert(cmps == (long)N * (N - 1) / 2);                          /* equal keys degrade Lomuto too */
    run("random pivot, 3-way, smaller side", quick, a, N);
    assert(cmps <= 2L * N);                                         /* one pass removes every equal key */

    enum { M = 1000000 };
    int *x = malloc(M * sizeof(int)), *y = malloc(M * sizeof(int));
    for (int i = 0; i < M; i++) x[i] = y[i] = (int)(rnd() % 100000);   /* many duplicates */
    cmps = 0, depth = 0, max_depth = 0;
    quick(x, 0, M - 1);
    qsort(y, M, sizeof(int), cmp_int);
    assert(!memcmp(x, y, M * sizeof(int)));
    printf("1,000,000 random keys: identical to qsort; %ld comparisons, recursion depth %d (log2 n = 20)\n",
           cmps, max_depth);
    assert(max_depth <= 21);
    free(x), free(y);
    return 0;
}
