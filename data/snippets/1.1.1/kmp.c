// caption: C 版 KMP：前缀函数（失配表）、找出全部出现位置，比较次数不超过 2n；与朴素匹配在随机短串上对拍，并在 a^20000 中找 a^199 b 对比两者的字符比较次数
// point: 字符串匹配KMP算法
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long cmps;

static void prefix_function(const char *p, int m, int *pi) {   /* pi[i]: longest proper border of p[0..i] */
    pi[0] = 0;
    for (int i = 1, k = 0; i < m; i++) {
        for (;;) {                                   /* each character comparison counted once */
            if (cmps++, p[i] == p[k]) { k++; break; }
            if (k == 0) break;
            k = pi[k - 1];
        }
        pi[i] = k;
    }
}

static int kmp(const char *t, int n, const char *p, int m, int *out) {   /* returns the number of matches */
    int *pi = malloc(m * sizeof(int)), found = 0;
    prefix_function(p, m, pi);
    for (int i = 0, k = 0; i < n; i++) {
        for (;;) {                                   /* on a mismatch fall back; i never moves backwards */
            if (cmps++, t[i] == p[k]) { k++; break; }
            if (k == 0) break;
            k = pi[k - 1];
        }
        if (k == m) { out[found++] = i - m + 1; k = pi[k - 1]; }   /* overlapping matches too */
    }
    free(pi);
    return found;
}

static int naive(const char *t, int n, const char *p, int m, int *out) {
    int found = 0;
    for (int i = 0; i + m <= n; i++) {
        int j = 0;
        while (j < m && (cmps++, t[i + j] == p[j])) j++;
        if (j == m) out[found++] = i;
    }
    return found;
}

int main(void) {
    int pi[16], out1[64], out2[64];
    const char *p = "abacabab";
    prefix_function(p, 8, pi);
    printf("prefix function of %s:", p);
    for (int i = 0; i < 8; i++) printf(" %d", pi[i]);
    printf("\n");
    assert(pi[2] == 1 && pi[6] == 3 && pi[7] == 2);
    srand(9);
    for (int trial = 0; trial < 20000; trial++) {              /* small alphabet: many partial matches */
        char t[41], q[6];
        int n = rand() % 40, m = 1 + rand() % 5;
        for (int i = 0; i < n; i++) t[i] = 'a' + rand() % 2;
        for (int i = 0; i < m; i++) q[i] = 'a' + rand() % 2;
        cmps = 0;
        int a = kmp(t, n, q, m, out1);
        assert(cmps <= 2L * n + 2L * m);                        /* linear: search <= 2n, table <= 2m */
        int b = naive(t, n, q, m, out2);
        assert(a == b && !memcmp(out1, out2, a * sizeof(int)));
    }
    printf("20000 random texts over {a,b}: KMP finds exactly the naive matches, always <= 2(n+m) comparisons\n");
    enum { N = 20000, M = 200 };
    char *t = malloc(N), *q = malloc(M);
    memset(t, 'a', N), memset(q, 'a', M - 1), q[M - 1] = 'b';
    cmps = 0;
    assert(kmp(t, N, q, M, out1) == 0);
    long k = cmps;
    cmps = 0;
    assert(naive(t, N, q, M, out2) == 0);
    printf("a^%db in a^%d: KMP %ld comparisons, naive %ld\n", M - 1, N, k, cmps);
    assert(k <= 2L * (N + M) && cmps > 50 * k);
    free(t), free(q);
    return 0;
}
