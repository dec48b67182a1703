// caption: 手写一个 SLUB 风格的 slab 分配器：每个 slab 一页、空闲链表藏在空闲对象里、partial/full 两条链；kmalloc 式大小类随机分配释放 5 万次，检查内容不被踩、计数一致、释放后页全部归还
// point: slab/slub/slob分配器
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096

struct cache;
struct slab {                      /* lives at the start of its page, like struct slab */
    struct slab *next, *prev;
    void *freelist;                /* first free object; each free object holds the next */
    int inuse;
    struct cache *cache;
};
struct cache {
    const char *name;
    size_t size;                   /* object size, a multiple of 8 */
    int per_slab;
    struct slab *partial, *full;   /* slabs with free room / with none */
    long active, slabs;
};

static void list_del(struct slab **head, struct slab *s) {
    if (s->prev) s->prev->next = s->next; else *head = s->next;
    if (s->next) s->next->prev = s->prev;
}
static void list_add(struct slab **head, struct slab *s) {
    s->prev = NULL; s->next = *head;
    if (*head) (*head)->prev = s;
    *head = s;
}

static void cache_init(struct cache *c, const char *name, size_t size) {
    memset(c, 0, sizeof *c);
    c->name = name;
    c->size = size;
    c->per_slab = (int)((PAGE - sizeof(struct slab)) / size);
}

static void *cache_alloc(struct cache *c) {
    struct slab *s = c->partial;
    if (!s) {                                          /* new slab: carve the page */
        s = aligned_alloc(PAGE, PAGE);
        assert(s);
        s->inuse = 0; s->cache = c; s->freelist = NULL;
        char *first = (char *)s + sizeof *s;
        for (int i = c->per_slab - 1; i >= 0; i--) {   /* thread the free objects */
            void **obj = (void **)(first + i * c->size);
            *obj = s->freelist;
            s->freelist = obj;
        }
        list_add(&c->partial, s);
        c->slabs++;
    }
    void **obj = s->freelist;
    s->freelist = *obj;
    s->inuse++;
    c->active++;
    if (!s->freelist) { list_del(&c->partial, s); list_add(&c->full, s); }
    return obj;
}

static void cache_free(void *p) {
    struct slab *s = (struct slab *)((uintptr_t)p & ~(uintptr_t)(PAGE - 1));  /* virt_to_slab */
    struct cache *c = s->cache;
    int was_full = s->freelist == NULL;
    *(void **)p = s->freelist;
    s->freelist = p;
    s->inuse--;
    c->active--;
    if (was_full) { list_del(&c->full, s); list_add(&c->partial, s); }
    if (s->inuse == 0) { list_del(&c->partial, s); free(s); c->slabs--; }   /* page back */
}

/* kmalloc-style size classes */
static const size_t classes[] = {8, 16, 32, 64, 128, 256, 512, 1024};
#define NCLASS 8
static struct cache caches[NCLASS];
static void *kmalloc_(size_t n) {
    for (int i = 0; i < NCLASS; i++)
        if (n <= classes[i]) return cache_alloc(&caches[i]);
    return NULL;
}

#define LIVE 4000
static unsigned char *live[LIVE];
static size_t live_len[LIVE];

static void check_all(void) {
    long active = 0;
    for (int i = 0; i < LIVE; i++)
        if (live[i]) for (size_t k = 0; k < live_len[i]; k++) assert(live[i][k] == (unsigned char)i);
    for (int c = 0; c < NCLASS; c++) {
        long inuse = 0;
        for (struct slab *s = caches[c].partial; s; s = s->next) { assert(s->freelist); inuse += s->inuse; }
        for (struct slab *s = caches[c].full; s; s = s->next) { assert(!s->freelist); inuse += s->inuse; }
        assert(inuse == caches[c].active);
        active += inuse;
    }
    long n = 0;
    for (int i = 0; i < LIVE; i++) n += live[i] != NULL;
    assert(active == n);
}

int main(void) {
    char names[NCLASS][24];
    for (int i = 0; i < NCLASS; i++) {
        snprintf(names[i], sizeof names[i], "kmalloc-%zu", classes[i]);
        cache_init(&caches[i], names[i], classes[i]);
    }
    srand(1);
    for (int step = 1; step <= 50000; step++) {
        int i = rand() % LIVE;
        if (live[i]) {
            cache_free(live[i]);
            live[i] = NULL;
        } else {
            size_t n = 1 + rand() % 1024;
            live[i] = kmalloc_(n);
            live_len[i] = n;
            memset(live[i], i & 0xff, n);             /* overlap would corrupt a neighbour */
        }
        if (step % 5000 == 0) check_all();
    }
    printf("%-12s %7s %7s %6s %8s\n", "cache", "active", "objs", "size", "per_slab");
    for (int c = 0; c < NCLASS; c++)
        printf("%-12s %7ld %7ld %6zu %8d\n", caches[c].name, caches[c].active,
               caches[c].slabs * caches[c].per_slab, caches[c].size, caches[c].per_slab);
    void *a = kmalloc_(33);                           /* internal fragmentation */
    struct cache *ca = ((struct slab *)((uintptr_t)a & ~(uintptr_t)(PAGE - 1)))->cache;
    printf("kmalloc(33) is served by %s: %zu bytes, %zu wasted\n", ca->name, ca->size, ca->size - 33);
    assert(ca->size == 64);
    cache_free(a);
    for (int i = 0; i < LIVE; i++) if (live[i]) { cache_free(live[i]); live[i] = NULL; }
    check_all();
    for (int c = 0; c < NCLASS; c++) assert(caches[c].slabs == 0 && caches[c].active == 0);
    printf("everything freed: every slab page returned\n");
    return 0;
}
