// caption: C 版最小堆定时器（节点记住自己的堆下标，取消 O(log n)）与 4 层×64 槽的分层时间轮（双向链表，添加取消 O(1)，每转一圈从上层级联），同一份随机脚本驱动两者：每次推进两者触发同一批定时器，时间轮恰好在到期的那个 tick 触发；再比较 100 万个定时器添加加取消的开销
// point: 定时器的使用场景
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct timer {
    uint64_t expire;                 /* absolute tick */
    int id;
    int heap_idx;                    /* position in the heap array, -1 if not there */
    struct timer *prev, *next;       /* wheel slot list */
    uint64_t added_at, fired_at;     /* wheel: first tick still to run when added; tick that fired it */
} timer;

/* ---------------- min-heap ---------------- */
typedef struct { timer **a; int n, cap; long moves; } heap;

static void heap_set(heap *h, int i, timer *t) { h->a[i] = t; t->heap_idx = i; h->moves++; }
static void sift_up(heap *h, int i) {
    timer *t = h->a[i];
    while (i > 0 && h->a[(i - 1) / 2]->expire > t->expire) { heap_set(h, i, h->a[(i - 1) / 2]); i = (i - 1) / 2; }
    heap_set(h, i, t);
}
static void sift_down(heap *h, int i) {
    timer *t = h->a[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && h->a[c + 1]->expire < h->a[c]->expire) c++;
        if (h->a[c]->expire >= t->expire) break;
        heap_set(h, i, h->a[c]);
        i = c;
    }
    heap_set(h, i, t);
}
static void heap_add(heap *h, timer *t) {
    if (h->n == h->cap) { h->cap = h->cap ? 2 * h->cap : 64; h->a = realloc(h->a, h->cap * sizeof *h->a); }
    h->a[h->n] = t;
    sift_up(h, h->n++);
}
static void heap_del(heap *h, timer *t) {             /* any element: fill the hole with the last one */
    int i = t->heap_idx;
    timer *last = h->a[--h->n];
    t->heap_idx = -1;
    if (i == h->n) return;
    h->a[i] = last;
    last->heap_idx = i;
    if (i > 0 && h->a[(i - 1) / 2]->expire > last->expire) sift_up(h, i); else sift_down(h, i);
}
static int heap_advance(heap *h, uint64_t now, timer **out) {   /* pop everything due */
    int n = 0;
    while (h->n && h->a[0]->expire <= now) { out[n++] = h->a[0]; heap_del(h, h->a[0]); }
    return n;
}

/* ---------------- hierarchical timing wheel: 4 levels x 64 slots ---------------- */
#define BITS 6
#define SLOTS (1 << BITS)
#define MASK (SLOTS - 1)
typedef struct { timer head[4][SLOTS]; uint64_t next; long cascaded; } wheel;   /* next: next tick to run */

static void list_add(timer *head, timer *t) { t->next = head; t->prev = head->prev; head->prev->next = t; head->prev = t; }
static void list_del(timer *t) { t->prev->next = t->next; t->next->prev = t->prev; t->prev = t->next = NULL; }

static void wheel_init(wheel *w) {
    memset(w, 0, sizeof *w);
    for (int l = 0; l < 4; l++) for (int s = 0; s < SLOTS; s++) w->head[l][s].prev = w->head[l][s].next = &w->head[l][s];
}
static void wheel_add(wheel *w, timer *t) {           /* the lowest level whose range holds the delay */
    uint64_t e = t->expire, d = e - w->next;
    if ((int64_t)d < 0) list_add(&w->head[0][w->next & MASK], t);          /* already due: next tick */
    else if (d < 1u << BITS) list_add(&w->head[0][e & MASK], t);
    else if (d < 1u << 2 * BITS) list_add(&w->head[1][(e >> BITS) & MASK], t);
    else if (d < 1u << 3 * BITS) list_add(&w->head[2][(e >> 2 * BITS) & MASK], t);
    else {
        if (d >= 1u << 4 * BITS) e = w->next + (1u << 4 * BITS) - 1;        /* clamp to the wheel's range */
        list_add(&w->head[3][(e >> 3 * BITS) & MASK], t);
    }
}
static int cascade(wheel *w, int lvl, int idx) {      /* move one upper slot down to finer levels */
    timer *h = &w->head[lvl][idx];
    while (h->next != h) { timer *t = h->next; list_del(t); wheel_add(w, t); w->cascaded++; }
    return idx;
}
static int wheel_advance(wheel *w, uint64_t now, timer **out) {
    int n = 0;
    while (w->next <= now) {
        int idx = w->next & MASK;
        if (!idx && !cascade(w, 1, (w->next >> BITS) & MASK) && !cascade(w, 2, (w->next >> 2 * BITS) & MASK))
            cascade(w, 3, (w->next >> 3 * BITS) & MASK);   /* a lap of level 0 (1, 2) is complete */
        timer *h = &w->head[0][idx];
        while (h->next != h) { timer *t = h->next; list_del(t); t->fired_at = w->next; out[n++] = t; }
        w->next++;
    }
    return n;
}
static void wheel_del(timer *t) { list_del(t); }

static double now_s(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec / 1e9; }

#define N 200000
int main(void) {
    static timer th[N], tw[N];                        /* the same timers, one copy per structure */
    static timer *out[N];
    static char state[N];                             /* 0 unused, 1 pending, 2 cancelled, 3 fired */
    heap h = {0};
    static wheel w;
    wheel_init(&w);
    uint64_t now = 0;
    int made = 0, fired = 0, cancelled = 0;
    srand(42);
    while (made < N) {
        int r = rand() % 100;
        if (r < 60) {                                 /* add: mostly short delays, some up to 2^20 ticks */
            uint64_t d = r < 40 ? rand() % 50 : r < 55 ? rand() % 5000 : rand() % (1 << 20);
            th[made] = tw[made] = (timer){.expire = now + d, .id = made, .heap_idx = -1};
            heap_add(&h, &th[made]);
            tw[made].added_at = w.next;
            wheel_add(&w, &tw[made]);
            state[made++] = 1;
        } else if (r < 75 && made) {                  /* cancel a random timer if still pending */
            int k = made - 1 - rand() % (made < 1000 ? made : 1000);   /* a recent one */
            if (state[k] == 1) { heap_del(&h, &th[k]); wheel_del(&tw[k]); state[k] = 2; cancelled++; }
        } else {                                      /* advance the clock */
            now += 1 + rand() % 200;                  /* a zero step would run no wheel tick */
            int nh = heap_advance(&h, now, out);
            for (int i = 0; i < nh; i++) { assert(state[out[i]->id] == 1); state[out[i]->id] = 3; }
            int nw = wheel_advance(&w, now, out);
            assert(nw == nh);
            for (int i = 0; i < nw; i++) {            /* same batch as the heap, and exactly on time */
                timer *t = out[i];
                assert(state[t->id] == 3 && t->fired_at == (t->expire > t->added_at ? t->expire : t->added_at));
            }
            fired += nw;
        }
    }
    /* run to the end: everything left must fire in both, at its own tick */
    uint64_t end = now + (1 << 20);
    for (uint64_t t = now + 1; t <= end; t += 997) {
        uint64_t step = t;
        int nh = heap_advance(&h, step, out);
        for (int i = 0; i < nh; i++) { assert(out[i]->expire <= step && out[i]->expire > step - 997); state[out[i]->id] = 3; }
        int nw = wheel_advance(&w, step, out);
        assert(nw == nh);
        for (int i = 0; i < nw; i++) assert(out[i]->fired_at == out[i]->expire && state[out[i]->id] == 3);
        fired += nw;
    }
    for (int i = 0; i < N; i++) assert(state[i] == 2 || state[i] == 3);
    printf("%d timers: %d fired, %d cancelled; heap and wheel agreed on every advance\n", N, fired, cancelled);
    printf("wheel cascades moved %ld timers down a level; heap element moves %ld\n", w.cascaded, h.moves);
    assert(fired + cancelled == N && h.n == 0);

    /* cost of add + cancel with one million pending timers */
    enum { M = 1000000 };
    timer *a = calloc(M, sizeof *a), *b = calloc(M, sizeof *b);
    heap h2 = {0};
    static wheel w2;
    wheel_init(&w2);
    for (int i = 0; i < M; i++) a[i].expire = b[i].expire = 1 + (uint64_t)rand() % 100000;
    double t0 = now_s();
    for (int i = 0; i < M; i++) heap_add(&h2, &a[i]);
    for (int i = 0; i < M; i++) heap_del(&h2, &a[(i * 7919L) % M]);
    double t1 = now_s();
    for (int i = 0; i < M; i++) wheel_add(&w2, &b[i]);
    for (int i = 0; i < M; i++) wheel_del(&b[(i * 7919L) % M]);
    double t2 = now_s();
    printf("1M adds + 1M cancels: heap %.0f ms (%.1f moves per op), wheel %.0f ms (O(1) list ops)\n",
           (t1 - t0) * 1e3, h2.moves / 2e6, (t2 - t1) * 1e3);
    assert(h2.n == 0 && t2 - t1 < t1 - t0);          /* O(1) list operations beat heap sifting */
    free(a), free(b), free(h.a), free(h2.a);
    return 0;
}
