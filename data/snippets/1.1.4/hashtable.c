// caption: C 版哈希：FNV-1a 32/64 位（对照官方测试向量）与 MurmurHash3 的 fmix64 终结函数的雪崩对比，恒等哈希在 2 的幂桶数下的聚集；链地址法哈希表像 Redis dict 一样渐进式 rehash（两张表，每次操作搬一个桶），与位图参考对拍
// point: hash的原理与hash函数的实现
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv1a32(const void *p, size_t n) {
    uint32_t h = 2166136261u;                       /* offset basis */
    for (size_t i = 0; i < n; i++) h = (h ^ ((const uint8_t *)p)[i]) * 16777619u;   /* FNV prime */
    return h;
}
static uint64_t fnv1a64(const void *p, size_t n) {
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) h = (h ^ ((const uint8_t *)p)[i]) * 1099511628211ull;
    return h;
}
static uint64_t fmix64(uint64_t k) {                /* MurmurHash3 finaliser: every input bit reaches every output bit */
    k ^= k >> 33; k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}
static uint64_t h_fnv(uint64_t k) { return fnv1a64(&k, 8); }

static double avalanche(uint64_t (*h)(uint64_t)) {  /* average output bits flipped by one input bit */
    long flips = 0, trials = 0;
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;    /* xorshift64: test keys */
        for (int b = 0; b < 64; b++, trials++) flips += __builtin_popcountll(h(x) ^ h(x ^ (1ull << b)));
    }
    return (double)flips / trials;
}

/* ---- chained table with incremental rehash ---- */
typedef struct entry { char *key; int val; struct entry *next; } entry;
typedef struct { entry **b; size_t size, used; } table;
typedef struct { table t[2]; long rehashidx; long expansions, steps; } dict;   /* rehashidx -1: not rehashing */

static uint64_t hkey(const char *k) { return fnv1a64(k, strlen(k)); }

static void rehash_step(dict *d) {                  /* move one non-empty bucket from t[0] to t[1] */
    if (d->rehashidx < 0) return;
    if (d->t[0].used) {                             /* deletions may have emptied t[0] already */
        while (d->t[0].b[d->rehashidx] == NULL) d->rehashidx++;
        for (entry *e = d->t[0].b[d->rehashidx], *nx; e; e = nx) {
            nx = e->next;
            size_t i = hkey(e->key) & (d->t[1].size - 1);
            e->next = d->t[1].b[i];
            d->t[1].b[i] = e;
            d->t[0].used--, d->t[1].used++;
        }
        d->t[0].b[d->rehashidx++] = NULL;
        d->steps++;
    }
    if (d->t[0].used == 0) {                        /* done: t[1] becomes the table */
        free(d->t[0].b);
        d->t[0] = d->t[1];
        d->t[1] = (table){0};
        d->rehashidx = -1;
    }
}

static entry **slot(dict *d, const char *k, int *which) {   /* where k is (and in which table), or NULL */
    for (int t = 0; t <= (d->rehashidx >= 0); t++) {
        if (!d->t[t].size) continue;
        for (entry **p = &d->t[t].b[hkey(k) & (d->t[t].size - 1)]; *p; p = &(*p)->next)
            if (!strcmp((*p)->key, k)) { *which = t; return p; }
    }
    return NULL;
}

static void set(dict *d, const char *k, int v) {
    rehash_step(d);
    int w;
    entry **p = slot(d, k, &w);
    if (p) { (*p)->val = v; return; }
    if (d->rehashidx < 0 && d->t[0].used >= d->t[0].size) {   /* load factor 1: start growing */
        d->t[1].size = d->t[0].size ? d->t[0].size * 2 : 4;
        d->t[1].b = calloc(d->t[1].size, sizeof(entry *));
        if (d->t[0].size) { d->rehashidx = 0; d->expansions++; }
        else { d->t[0] = d->t[1]; d->t[1] = (table){0}; }
    }
    table *t = &d->t[d->rehashidx >= 0];            /* while rehashing, new keys go to the new table */
    entry *e = malloc(sizeof *e);
    *e = (entry){strdup(k), v, NULL};
    size_t i = hkey(k) & (t->size - 1);
    e->next = t->b[i], t->b[i] = e, t->used++;
}

static int get(dict *d, const char *k, int *v) {
    rehash_step(d);
    int w;
    entry **p = slot(d, k, &w);
    if (p) *v = (*p)->val;
    return p != NULL;
}

static void del(dict *d, const char *k) {
    rehash_step(d);
    int w;
    entry **p = slot(d, k, &w);
    if (!p) return;
    entry *e = *p;
    *p = e->next;
    d->t[w].used--;
    free(e->key), free(e);
}

int main(void) {
    assert(fnv1a32("", 0) == 0x811c9dc5u && fnv1a32("a", 1) == 0xe40c292cu && fnv1a32("foobar", 6) == 0xbf9cf968u);
    assert(fnv1a64("", 0) == 0xcbf29ce484222325ull && fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull &&
           fnv1a64("foobar", 6) == 0x85944171f73967e8ull);
    printf("FNV-1a test vectors ok: fnv1a32(\"foobar\") = %08x\n", fnv1a32("foobar", 6));
    double af = avalanche(h_fnv), am = avalanche(fmix64);
    printf("avalanche, output bits flipped per input bit (ideal 32 of 64): FNV-1a %.1f, fmix64 %.1f\n", af, am);
    assert(am > 31 && am < 33);

    int idmax = 0, mixmax = 0, cnt_id[1024] = {0}, cnt_mix[1024] = {0};
    for (uint64_t k = 0; k < 8192; k++) {           /* keys with a common stride: ids that are multiples of 64 */
        if (++cnt_id[(k * 64) & 1023] > idmax) idmax = cnt_id[(k * 64) & 1023];
        if (++cnt_mix[fmix64(k * 64) & 1023] > mixmax) mixmax = cnt_mix[fmix64(k * 64) & 1023];
    }
    printf("8192 keys k*64 into 1024 buckets (mask): identity hash fills 16 buckets, largest %d; fmix64 largest %d\n",
           idmax, mixmax);
    assert(idmax == 512 && mixmax < 40);

    dict d = {.rehashidx = -1};
    static char present[5000];
    static int value[5000];
    char key[32];
    srand(3);
    for (int step = 0; step < 200000; step++) {
        int k = rand() % 5000, v;
        snprintf(key, sizeof key, "user:%d", k);
        int r = rand() % 10;
        if (r < 5) { set(&d, key, step); present[k] = 1; value[k] = step; }
        else if (r < 7) { del(&d, key); present[k] = 0; }
        else { int got = get(&d, key, &v); assert(got == present[k] && (!got || v == value[k])); }
    }
    long live = 0;
    for (int k = 0; k < 5000; k++) live += present[k];
    printf("200000 random ops vs a reference: %ld keys, table size %zu, %ld expansions done one bucket at a time "
           "(%ld bucket moves)\n", live, d.t[0].size, d.expansions, d.steps);
    assert((long)(d.t[0].used + d.t[1].used) == live && d.expansions >= 10);
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < d.t[t].size; i++)
            for (entry *e = d.t[t].b[i], *nx; e; e = nx) { nx = e->next; free(e->key); free(e); }
        free(d.t[t].b);
    }
    return 0;
}
