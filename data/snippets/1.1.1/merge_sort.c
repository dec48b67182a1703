// caption: C 版归并排序：自顶向下（递归）与自底向上（循环）共用一块辅助数组，稳定性用（键，原下标）检验，比较次数不超过 n⌈log2 n⌉−2^⌈log2 n⌉+1，合并时顺带数出逆序对并与 O(n²) 暴力对照
// point: 归并排序
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { int key, idx; } item;              /* idx: position before sorting, to check stability */
static long cmps, inversions, checks;          /* checks: the 'already in order?' tests */

static void merge(item *a, item *tmp, int lo, int mid, int hi) {   /* a[lo,mid) and a[mid,hi) are sorted */
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        cmps++;
        if (a[j].key < a[i].key) { inversions += mid - i; tmp[k++] = a[j++]; }  /* a[j] jumps over mid-i items */
        else tmp[k++] = a[i++];                       /* equal keys: take the left one first = stable */
    }
    while (i < mid) tmp[k++] = a[i++];
    while (j < hi) tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (hi - lo) * sizeof *a);
}

static void top_down(item *a, item *tmp, int lo, int hi) {
    if (hi - lo < 2) return;
    int mid = lo + (hi - lo) / 2;
    top_down(a, tmp, lo, mid);
    top_down(a, tmp, mid, hi);
    if (checks++, a[mid - 1].key <= a[mid].key) return;   /* already in order: skip the merge */
    merge(a, tmp, lo, mid, hi);
}

static void bottom_up(item *a, item *tmp, int n) {    /* runs of 1, 2, 4 ... merged pairwise, no recursion */
    for (int w = 1; w < n; w *= 2)
        for (int lo = 0; lo + w < n; lo += 2 * w)
            merge(a, tmp, lo, lo + w, lo + 2 * w < n ? lo + 2 * w : n);
}

static void check(const item *a, int n) {
    for (int i = 1; i < n; i++)
        assert(a[i - 1].key < a[i].key || (a[i - 1].key == a[i].key && a[i - 1].idx < a[i].idx));   /* stable */
}

int main(void) {
    enum { N = 5000 };
    static item a[N], b[N], tmp[N];
    srand(5);
    for (int i = 0; i < N; i++) a[i] = b[i] = (item){rand() % 500, i};   /* many equal keys */
    long brute = 0;
    for (int i = 0; i < N; i++) for (int j = i + 1; j < N; j++) brute += a[i].key > a[j].key;
    int lg = 0;
    while ((1 << lg) < N) lg++;
    long bound = (long)N * lg - (1L << lg) + 1;
    cmps = inversions = 0;
    top_down(a, tmp, 0, N);
    check(a, N);
    printf("top-down:  %ld comparisons (bound n*ceil(lg n) - 2^ceil(lg n) + 1 = %ld), %ld inversions (brute force %ld)\n",
           cmps, bound, inversions, brute);
    assert(cmps <= bound && inversions == brute);
    long td = cmps;
    cmps = inversions = 0;
    bottom_up(b, tmp, N);
    check(b, N);
    assert(!memcmp(a, b, sizeof a) && inversions == brute);
    printf("bottom-up: %ld comparisons, same result, same inversions\n", cmps);
    cmps = checks = 0;
    top_down(a, tmp, 0, N);                            /* sorted input: every merge is skipped */
    printf("top-down on sorted input: %ld order checks, %ld merge comparisons (random input needed %ld)\n",
           checks, cmps, td);
    assert(cmps == 0 && checks == N - 1);              /* linear on sorted data */
    return 0;
}
