// caption: 手写内存池：按大小分级的小块空闲链表 + 单独管理的大块 + reset，并登记分配位置以报告未释放的块
// point: 手写内存池,结构体封装与API实现
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCLASS      6
#define LARGE_CLASS 0xffff
#define CHUNK_BYTES 16384          /* small blocks are carved from chunks this big */
#define MAGIC       0x4d504f4fu    /* "MPOO" */
#define ST_FREE     0
#define ST_USED     1

static const size_t class_size[NCLASS] = {16, 32, 64, 128, 256, 512};

/* Header in front of every block. It records where the block was allocated,
 * links live blocks for leak reports, and links free blocks into free lists. */
typedef struct blk {
    uint32_t magic;
    uint16_t cls;
    uint16_t state;
    size_t size;                /* bytes the caller asked for */
    const char *file;
    int line;
    struct blk *prev, *next;    /* live list while used, free list while free */
} blk_t;

#define HDR ((sizeof(blk_t) + 15) & ~(size_t)15)   /* keep user memory 16-byte aligned */

typedef struct chunk {
    struct chunk *next;
    uint16_t cls;
    size_t nblocks;
    max_align_t pad[];          /* blocks start here, suitably aligned */
} chunk_t;

typedef struct {
    blk_t *free_list[NCLASS];
    char *cur[NCLASS], *end[NCLASS];   /* bump area inside the newest chunk */
    chunk_t *chunks;
    blk_t live;                        /* sentinel of the doubly linked live list */
    size_t sys_mallocs, allocs, live_count;
} mpool_t;

static void live_insert(mpool_t *p, blk_t *b) {
    b->next = p->live.next; b->prev = &p->live;
    p->live.next->prev = b; p->live.next = b;
    p->live_count++;
}

static void live_remove(mpool_t *p, blk_t *b) {
    b->prev->next = b->next; b->next->prev = b->prev;
    p->live_count--;
}

void mp_init(mpool_t *p) {
    memset(p, 0, sizeof *p);
    p->live.next = p->live.prev = &p->live;
}

static int size_to_class(size_t n) {
    for (int c = 0; c < NCLASS; c++)
        if (n <= class_size[c]) return c;
    return -1;
}

static blk_t *carve(mpool_t *p, int c) {
    size_t stride = HDR + class_size[c];
    if (p->cur[c] == NULL || p->cur[c] + stride > p->end[c]) {
        chunk_t *ch = malloc(sizeof(chunk_t) + CHUNK_BYTES);
        if (!ch) return NULL;
        p->sys_mallocs++;
        ch->cls = (uint16_t)c;
        ch->nblocks = CHUNK_BYTES / stride;
        ch->next = p->chunks; p->chunks = ch;
        p->cur[c] = (char *)ch->pad;
        p->end[c] = (char *)ch->pad + ch->nblocks * stride;
    }
    blk_t *b = (blk_t *)p->cur[c];
    p->cur[c] += stride;
    return b;
}

void *mp_alloc_at(mpool_t *p, size_t n, const char *file, int line) {
    int c = size_to_class(n);
    blk_t *b;
    if (c < 0) {                                   /* large: straight from malloc */
        b = malloc(HDR + n);
        if (!b) return NULL;
        p->sys_mallocs++;
        b->cls = LARGE_CLASS;
    } else if (p->free_list[c]) {                  /* reuse: pop the free list */
        b = p->free_list[c];
        p->free_list[c] = b->next;
    } else {
        b = carve(p, c);
        if (!b) return NULL;
        b->cls = (uint16_t)c;
    }
    b->magic = MAGIC; b->state = ST_USED; b->size = n;
    b->file = file; b->line = line;
    live_insert(p, b);
    p->allocs++;
    return (char *)b + HDR;
}

/* returns 0, or -1 for a pointer that is not a live block (double free etc.) */
int mp_free(mpool_t *p, void *ptr) {
    if (!ptr) return 0;
    blk_t *b = (blk_t *)((char *)ptr - HDR);
    if (b->magic != MAGIC || b->state != ST_USED) return -1;
    live_remove(p, b);
    b->state = ST_FREE;
    if (b->cls == LARGE_CLASS) {
        b->magic = 0;
        free(b);
    } else {
        b->next = p->free_list[b->cls];            /* push: O(1), LIFO keeps it cache-warm */
        p->free_list[b->cls] = b;
    }
    return 0;
}

#define mp_alloc(p, n) mp_alloc_at((p), (n), __FILE__, __LINE__)

static const char *base(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Print every block still in use with its allocation site; return the count. */
size_t mp_report_leaks(mpool_t *p, FILE *out) {
    size_t n = 0;
    for (blk_t *b = p->live.next; b != &p->live; b = b->next, n++)
        fprintf(out, "  LEAK %4zu bytes (%s) allocated at %s:%d\n", b->size,
                b->cls == LARGE_CLASS ? "large" : "small", base(b->file), b->line);
    return n;
}

/* Free everything at once (like ngx_reset_pool): large blocks go back to malloc,
 * every chunk is re-threaded onto its free list, chunks are kept for reuse. */
void mp_reset(mpool_t *p) {
    for (blk_t *b = p->live.next, *nx; b != &p->live; b = nx) {
        nx = b->next;
        if (b->cls == LARGE_CLASS) { b->magic = 0; free(b); }
        else b->state = ST_FREE;
    }
    p->live.next = p->live.prev = &p->live;
    p->live_count = 0;
    for (int c = 0; c < NCLASS; c++) { p->free_list[c] = NULL; p->cur[c] = p->end[c] = NULL; }
    for (chunk_t *ch = p->chunks; ch; ch = ch->next) {
        size_t stride = HDR + class_size[ch->cls];
        for (size_t i = 0; i < ch->nblocks; i++) {
            blk_t *b = (blk_t *)((char *)ch->pad + i * stride);
            b->magic = MAGIC; b->state = ST_FREE; b->cls = ch->cls;
            b->next = p->free_list[ch->cls];
            p->free_list[ch->cls] = b;
        }
    }
}

void mp_destroy(mpool_t *p) {
    mp_reset(p);                       /* frees large blocks */
    for (chunk_t *ch = p->chunks, *nx; ch; ch = nx) { nx = ch->next; free(ch); }
    p->chunks = NULL;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void) {
    mpool_t pool;
    mp_init(&pool);

    /* 1. many small blocks of mixed sizes: distinct, aligned, contents intact */
    enum { N = 3000 };
    static unsigned char *ptrs[N];
    static size_t sizes[N];
    for (int i = 0; i < N; i++) {
        sizes[i] = 1 + (size_t)(i * 37) % 512;
        ptrs[i] = mp_alloc(&pool, sizes[i]);
        assert(ptrs[i] && ((uintptr_t)ptrs[i] % 16) == 0);
        memset(ptrs[i], i & 0xff, sizes[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k++) assert(ptrs[i][k] == (i & 0xff));
    printf("%d small allocations (1..512 bytes) served by %zu chunk mallocs, all 16-byte aligned\n",
           N, pool.sys_mallocs);
    assert(pool.live_count == N && pool.sys_mallocs < 150);

    /* 2. free lists: a freed block is handed out again for the same class */
    void *a = ptrs[10];                        /* size 371 -> class 512 */
    assert(mp_free(&pool, a) == 0);
    void *again = mp_alloc(&pool, 300);        /* also class 512 */
    assert(again == a);
    assert(mp_free(&pool, a) == 0 && mp_free(&pool, a) == -1);   /* double free caught */
    ptrs[10] = NULL;
    printf("freed block reused for the same size class; double free rejected\n");
    for (int i = 0; i < N; i++) assert(mp_free(&pool, ptrs[i]) == 0);
    assert(pool.live_count == 0);

    /* 3. large blocks bypass the classes and are freed on their own */
    size_t before = pool.sys_mallocs;
    void *big = mp_alloc(&pool, 100000);
    assert(big && pool.sys_mallocs == before + 1);
    memset(big, 0xab, 100000);
    assert(mp_free(&pool, big) == 0);
    printf("large block (100000 bytes) came straight from malloc and went back to free\n");

    /* 4. leak detection: forget two blocks, the report names their lines */
    int line_small = __LINE__ + 1;
    void *forgotten1 = mp_alloc(&pool, 40);
    int line_large = __LINE__ + 1;
    void *forgotten2 = mp_alloc(&pool, 5000);
    void *ok = mp_alloc(&pool, 8);
    mp_free(&pool, ok);
    (void)forgotten1; (void)forgotten2;
    printf("leak report (expected lines %d and %d):\n", line_small, line_large);
    assert(mp_report_leaks(&pool, stdout) == 2);
    int seen_small = 0, seen_large = 0;
    for (blk_t *b = pool.live.next; b != &pool.live; b = b->next) {
        if (b->line == line_small && b->size == 40) seen_small = 1;
        if (b->line == line_large && b->size == 5000 && b->cls == LARGE_CLASS) seen_large = 1;
    }
    assert(seen_small && seen_large);

    /* 5. reset releases everything at once and keeps the chunks for reuse */
    mp_reset(&pool);
    assert(pool.live_count == 0 && mp_report_leaks(&pool, stdout) == 0);
    before = pool.sys_mallocs;
    for (int i = 0; i < N; i++) ptrs[i] = mp_alloc(&pool, sizes[i]);
    assert(pool.sys_mallocs == before);        /* no new chunks needed */
    printf("reset: 0 live blocks; the same %d allocations again needed 0 new mallocs\n", N);
    mp_reset(&pool);

    /* 6. rough speed comparison (printed, not asserted) */
    enum { ROUNDS = 200, BATCH = 1000 };
    static void *v[BATCH];
    double t0 = now_ms();
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < BATCH; i++) v[i] = malloc(16 + (size_t)(i % 8) * 8);
        for (int i = 0; i < BATCH; i++) free(v[i]);
    }
    double t1 = now_ms();
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < BATCH; i++) v[i] = mp_alloc(&pool, 16 + (size_t)(i % 8) * 8);
        for (int i = 0; i < BATCH; i++) mp_free(&pool, v[i]);
    }
    double t2 = now_ms();
    printf("%d x (alloc+free): malloc %.1f ms, pool %.1f ms (pool also records file:line)\n",
           ROUNDS * BATCH, t1 - t0, t2 - t1);

    mp_destroy(&pool);
    printf("all checks passed\n");
    return 0;
}
