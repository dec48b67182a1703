// caption: 1000 万个 28 位整数（含一批高频值）：位图用 2^28 位 = 32 MiB 精确去重；哈希分治把数据按 hash(x) % 32 写成 32 个分区文件，同一个值必落同一分区，逐个分区用小哈希表计数，得到同样的去重个数和出现最多的 10 个值，峰值内存只有位图的几分之一
// point: 海量数据的分治与位图
// timeout: 60
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define N 10000000u
#define BITS 28                              /* values are in [0, 2^28) */
#define P 32                                 /* partitions */
#define TOP 10

static size_t used, peak;                    /* bytes of working memory this program holds */
static void *take(size_t bytes) { used += bytes; if (used > peak) peak = used; void *p = calloc(1, bytes); assert(p); return p; }
static void give(void *p, size_t bytes) { free(p); used -= bytes; }
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)rng; }
static uint32_t mix(uint32_t x) { x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16; return x; }
struct slot { uint32_t key, count; };        /* count 0 = empty */

int main(void) {
    FILE *in = fopen("data.bin", "w+b");
    assert(in);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t v = next_rand() & ((1u << BITS) - 1);
        if (next_rand() % 10 == 0) v = (next_rand() % 1000) * (next_rand() % 1000) / 1000;  /* hot, skewed to 0 */
        assert(fwrite(&v, 4, 1, in) == 1);
    }
    rewind(in);

    /* 1. bitmap: one bit per possible value, memory fixed by the value range, not by N */
    size_t bm_bytes = (1u << BITS) / 8;
    uint8_t *bm = take(bm_bytes);
    uint64_t distinct_bm = 0;
    uint32_t v;
    while (fread(&v, 4, 1, in) == 1)
        if (!(bm[v >> 3] & (1u << (v & 7)))) bm[v >> 3] |= 1u << (v & 7), distinct_bm++;
    give(bm, bm_bytes);
    size_t bm_peak = peak;
    printf("bitmap: %llu distinct values, %zu MiB of bits\n", (unsigned long long)distinct_bm, bm_bytes >> 20);

    /* 2. hash partition: equal values always land in the same file */
    peak = 0;
    FILE *part[P];
    for (int p = 0; p < P; p++) part[p] = tmpfile(), assert(part[p]);
    rewind(in);
    while (fread(&v, 4, 1, in) == 1) assert(fwrite(&v, 4, 1, part[mix(v) % P]) == 1);

    uint64_t distinct_hp = 0;
    struct slot top[TOP] = {{0, 0}};         /* the TOP most frequent so far, top[TOP-1] the least of them */
    size_t biggest = 0;
    for (int p = 0; p < P; p++) {
        long n = ftell(part[p]) / 4;
        rewind(part[p]);
        size_t cap = 1;
        while (cap < 2 * (size_t)n) cap <<= 1;   /* load factor <= 1/2 */
        struct slot *t = take(cap * sizeof *t);
        if (cap * sizeof *t > biggest) biggest = cap * sizeof *t;
        while (fread(&v, 4, 1, part[p]) == 1) {  /* linear probing; hash bits above the partition bits */
            size_t h = (mix(v) / P) & (cap - 1);
            while (t[h].count && t[h].key != v) h = (h + 1) & (cap - 1);
            if (!t[h].count++) t[h].key = v, distinct_hp++;
        }
        for (size_t i = 0; i < cap; i++)         /* keep the TOP largest counts (insertion into a tiny array) */
            if (t[i].count > top[TOP - 1].count) {
                int j = TOP - 1;
                for (; j > 0 && top[j - 1].count < t[i].count; j--) top[j] = top[j - 1];
                top[j] = t[i];
            }
        give(t, cap * sizeof *t);
        fclose(part[p]);
    }
    printf("hash partition into %d files: %llu distinct values, biggest per-partition table %.1f MiB\n", P,
           (unsigned long long)distinct_hp, biggest / 1048576.0);
    assert(distinct_hp == distinct_bm);

    uint32_t recount[TOP] = {0};             /* check the winners' counts against the raw data */
    rewind(in);
    while (fread(&v, 4, 1, in) == 1)
        for (int j = 0; j < TOP; j++) recount[j] += (v == top[j].key);
    printf("top %d:", TOP);
    for (int j = 0; j < TOP; j++) printf(" %u(x%u)", top[j].key, top[j].count), assert(recount[j] == top[j].count);
    printf("\n");
    fclose(in);
    remove("data.bin");

    size_t one_table = 2 * distinct_bm * sizeof(struct slot);   /* same table for everything at once (not built) */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("working memory: bitmap %.1f MiB, partitioned tables %.1f MiB, one table for all ~%.0f MiB (not built);"
           " process max RSS %ld MiB\n", bm_peak / 1048576.0, peak / 1048576.0, one_table / 1048576.0,
           ru.ru_maxrss / 1024);
    assert(peak * 3 < bm_peak && bm_peak < one_table);
    return 0;
}
