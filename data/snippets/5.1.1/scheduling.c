// caption: 工作线程权重的取舍：一个积压 1000 条的忙服务和 50 个不断有新消息的小服务，权重 -1 每轮只处理 1 条（小服务等得最短、忙服务清得最慢），权重越大忙服务一轮处理越多；同时观察服务队列从 64 扩容到 1024
// point: actor消息调度
// timeout: 10
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

/* single-threaded, deterministic replay of skynet_context_message_dispatch() with one worker */
#define NLIGHT 50
#define BUSY 1000
typedef struct svc { int cap, head, tail, in_global, *q; struct svc *next; } svc;
static svc *gh, *gt;
static int global_ops, expansions;
static long results[5][2];

static void gpush(svc *s) { s->next = NULL; if (gt) gt->next = s, gt = s; else gh = gt = s; global_ops++; }
static svc *gpop(void) { svc *s = gh; if (s) { gh = s->next; if (!gh) gt = NULL; global_ops++; } return s; }
static int len(svc *s) { return (s->tail - s->head + s->cap) % s->cap; }
static void push(svc *s, int v) {
    s->q[s->tail] = v;
    if (++s->tail == s->cap) s->tail = 0;
    if (s->tail == s->head) { /* full ring: double and unroll, as skynet_mq.c expand_queue() */
        int *n = malloc(sizeof(int) * (size_t)s->cap * 2);
        assert(n);
        for (int i = 0; i < s->cap; i++) n[i] = s->q[(s->head + i) % s->cap];
        free(s->q);
        s->q = n, s->head = 0, s->tail = s->cap, s->cap *= 2;
        expansions++;
    }
    if (!s->in_global) s->in_global = 1, gpush(s);
}

static void run(int weight) {
    svc all[NLIGHT + 1];
    gh = gt = NULL;
    global_ops = expansions = 0;
    for (int i = 0; i <= NLIGHT; i++) all[i] = (svc){64, 0, 0, 0, malloc(sizeof(int) * 64), NULL};
    for (int k = 0; k < BUSY; k++) push(&all[0], k); /* service 0 is busy and first in line */
    int cap_busy = all[0].cap;
    for (int i = 1; i <= NLIGHT; i++) push(&all[i], -i);
    long dispatched = 0, busy_done_at = 0, max_wait = 0, enq[NLIGHT + 1] = {0};
    svc *q = NULL;
    while ((q = q ? q : gpop())) {
        int n = 1;
        for (int i = 0; i < n; i++) {
            if (q->head == q->tail) { q->in_global = 0; q = NULL; break; } /* empty: leaves the global queue */
            int v = q->q[q->head];
            if (++q->head == q->cap) q->head = 0;
            if (i == 0 && weight >= 0) n = len(q) >> weight;
            dispatched++;
            if (v >= 0) { if (v == BUSY - 1) busy_done_at = dispatched; continue; }
            long w = dispatched - enq[-v]; /* a light service: how long did its message wait? */
            if (w > max_wait) max_wait = w;
            if (!busy_done_at) { enq[-v] = dispatched; push(q, v); } /* it keeps getting traffic */
        }
        if (!q) continue;
        svc *nq = gpop();
        if (nq) { gpush(q); q = nq; } /* somebody else waits: go to the back */
    }
    printf("weight %2d: light messages waited at most %4ld dispatches; the busy backlog drained after %5ld\n", weight,
           max_wait, busy_done_at);
    if (weight == -1) printf("          (the busy queue grew 64 -> %d in %d doublings)\n", cap_busy, expansions);
    assert(cap_busy == 1024 && expansions == 4);
    if (weight == -1) assert(max_wait <= NLIGHT + 1 && busy_done_at >= (long)BUSY * NLIGHT);
    if (weight == 0) assert(max_wait >= BUSY / 2 && busy_done_at < (long)BUSY * 4);
    results[weight + 1][0] = max_wait, results[weight + 1][1] = busy_done_at;
    for (int i = 0; i <= NLIGHT; i++) free(all[i].q);
}

int main(void) {
    for (int w = -1; w <= 3; w++) run(w);
    /* weight 0 -> 3 -> -1: each turn takes less of the backlog, so others wait less and the backlog drains later */
    for (int i = 1; i < 4; i++) assert(results[i][0] > results[i + 1][0] && results[i][1] < results[i + 1][1]);
    assert(results[0][0] < results[4][0] && results[0][1] > results[4][1]);
    return 0;
}
