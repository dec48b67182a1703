// caption: 手写伙伴分配器：按阶拆分、与伙伴（地址异或块大小）合并；随机分配释放 2 万次，每 500 次检查不变式，统计外部碎片导致的失败，全部释放后合并回一个最大块
// point: 伙伴算法
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096
#define MAX_ORDER 10                     /* like the kernel: blocks of 1 .. 1024 pages */
#define NPAGES (1 << MAX_ORDER)

static unsigned char *arena;             /* 4 MiB of real memory handed out in blocks */
static int next_[NPAGES], prev_[NPAGES]; /* free-list links, valid for free block heads */
static int head[MAX_ORDER + 1];          /* first free block of each order, -1 if none */
static signed char free_order[NPAGES];   /* order if page i heads a free block, else -1 */
static int nfree[MAX_ORDER + 1];

static void push(int i, int o) {
    free_order[i] = (signed char)o;
    prev_[i] = -1; next_[i] = head[o];
    if (head[o] >= 0) prev_[head[o]] = i;
    head[o] = i; nfree[o]++;
}
static void unlink_block(int i, int o) {
    if (prev_[i] >= 0) next_[prev_[i]] = next_[i]; else head[o] = next_[i];
    if (next_[i] >= 0) prev_[next_[i]] = prev_[i];
    free_order[i] = -1; nfree[o]--;
}

static int buddy_alloc(int order) {      /* returns the first page index or -1 */
    int o = order;
    while (o <= MAX_ORDER && head[o] < 0) o++;
    if (o > MAX_ORDER) return -1;
    int i = head[o];
    unlink_block(i, o);
    while (o > order) {                  /* split: keep the lower half, free the upper */
        o--;
        push(i + (1 << o), o);
    }
    return i;
}

static void buddy_free(int i, int order) {
    while (order < MAX_ORDER) {
        int b = i ^ (1 << order);        /* the buddy differs in exactly one bit */
        if (free_order[b] != order) break;
        unlink_block(b, order);
        i &= b;                          /* merged block starts at the lower address */
        order++;
    }
    push(i, order);
}

/* Invariants: free blocks are aligned, disjoint from each other and from live blocks,
   no two free buddies of the same order exist, and every page is accounted for. */
static int owner[NPAGES];
static void check(const int *live_idx, const int *live_ord, int nlive) {
    memset(owner, 0, sizeof owner);
    long pages = 0;
    for (int o = 0; o <= MAX_ORDER; o++)
        for (int i = head[o]; i >= 0; i = next_[i]) {
            assert(i % (1 << o) == 0 && free_order[i] == o);
            assert(o == MAX_ORDER || free_order[i ^ (1 << o)] != o);
            for (int k = i; k < i + (1 << o); k++) assert(owner[k]++ == 0);
            pages += 1 << o;
        }
    for (int n = 0; n < nlive; n++) {
        int i = live_idx[n], sz = 1 << live_ord[n];
        for (int k = i; k < i + sz; k++) assert(owner[k]++ == 0);
        assert(arena[(long)i * PAGE] == (unsigned char)(n * 7 + 1));   /* nobody overwrote it */
        pages += sz;
    }
    assert(pages == NPAGES);
}

int main(void) {
    arena = aligned_alloc(PAGE, (size_t)NPAGES * PAGE);
    assert(arena);
    memset(free_order, -1, sizeof free_order);
    for (int o = 0; o <= MAX_ORDER; o++) head[o] = -1;
    push(0, MAX_ORDER);
    static int live_idx[NPAGES], live_ord[NPAGES];
    int nlive = 0, fails = 0, frag_fails = 0;
    srand(42);
    for (int step = 1; step <= 20000; step++) {
        if (nlive > 0 && rand() % 2) {                /* free a random live block */
            int n = rand() % nlive;
            buddy_free(live_idx[n], live_ord[n]);
            live_idx[n] = live_idx[nlive - 1]; live_ord[n] = live_ord[nlive - 1];
            nlive--;
            if (n < nlive) arena[(long)live_idx[n] * PAGE] = (unsigned char)(n * 7 + 1);
        } else {                                      /* small orders are the common case */
            int order = rand() % 100 < 80 ? rand() % 3 : rand() % 7;
            int i = buddy_alloc(order);
            if (i < 0) {                              /* enough pages, but not contiguous? */
                long freep = 0;
                for (int o = 0; o <= MAX_ORDER; o++) freep += (long)nfree[o] << o;
                fails++;
                if (freep >= 1L << order) frag_fails++;
                continue;
            }
            live_idx[nlive] = i; live_ord[nlive] = order;
            arena[(long)i * PAGE] = (unsigned char)(nlive * 7 + 1);
            nlive++;
        }
        if (step % 500 == 0) check(live_idx, live_ord, nlive);
        if (step == 10000) {
            printf("after 10000 ops, %d blocks live; free blocks per order 0..10:", nlive);
            for (int o = 0; o <= MAX_ORDER; o++) printf(" %d", nfree[o]);
            printf("\n");
        }
    }
    while (nlive > 0) { nlive--; buddy_free(live_idx[nlive], live_ord[nlive]); }
    check(live_idx, live_ord, 0);
    printf("all freed; free blocks per order 0..10:");
    for (int o = 0; o <= MAX_ORDER; o++) printf(" %d", nfree[o]);
    printf("\n%d allocations failed, %d of them while enough pages were free"
           " (external fragmentation)\n", fails, frag_fails);
    assert(frag_fails > 0);
    assert(nfree[MAX_ORDER] == 1 && head[MAX_ORDER] == 0);   /* everything coalesced */
    for (int o = 0; o < MAX_ORDER; o++) assert(nfree[o] == 0);
    free(arena);
    return 0;
}
