// caption: C 实现四种限流器，用虚拟时钟重放同一段流量：固定窗口在窗口边界 0.2 s 内放过 2 倍限额，滑动日志/滑动计数不会；令牌桶放过突发、漏桶把输出压成匀速；最后用真实时钟让 4 个线程狂刷令牌桶，实测放行数对上配置速率
// point: 固定窗口与滑动窗口
// timeout: 20
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef int64_t us_t; /* time in microseconds */
#define SEC 1000000LL

typedef struct { int limit; us_t win, start; int count; } fixed_window;
static int fw_allow(fixed_window *w, us_t now) {
    if (now - w->start >= w->win) { w->start = now - (now % w->win); w->count = 0; }
    return w->count < w->limit ? ++w->count, 1 : 0;
}

#define LOG_CAP 4096
typedef struct { int limit; us_t win; us_t ts[LOG_CAP]; int head, n; } sliding_log; /* ring of admit times */
static int sl_allow(sliding_log *l, us_t now) {
    while (l->n && now - l->ts[l->head] >= l->win) { l->head = (l->head + 1) % LOG_CAP; l->n--; }
    if (l->n >= l->limit) return 0;
    l->ts[(l->head + l->n++) % LOG_CAP] = now;
    return 1;
}

typedef struct { int limit; us_t win, start; int cur, prev; } sliding_counter; /* two counters, weighted */
static int sc_allow(sliding_counter *c, us_t now) {
    us_t ws = now - now % c->win;
    if (ws != c->start) { c->prev = ws - c->start == c->win ? c->cur : 0; c->cur = 0; c->start = ws; }
    double est = c->prev * (1.0 - (double)(now - ws) / c->win) + c->cur;
    return est < c->limit ? ++c->cur, 1 : 0;
}

typedef struct { double rate, burst, tokens; us_t last; } token_bucket; /* rate: tokens per second */
static int tb_allow(token_bucket *b, us_t now) {
    b->tokens += (now - b->last) * b->rate / SEC;
    if (b->tokens > b->burst) b->tokens = b->burst;
    b->last = now;
    return b->tokens >= 1 ? b->tokens -= 1, 1 : 0;
}

/* leaky bucket as a queue: at most cap waiting, one leaves every 1/rate s; returns departure time or -1 */
typedef struct { double rate; int cap; us_t next_out; } leaky_bucket;
static us_t lb_enqueue(leaky_bucket *q, us_t now) {
    us_t gap = (us_t)(SEC / q->rate);
    if (q->next_out < now) q->next_out = now;
    if ((q->next_out - now) / gap >= q->cap) return -1;   /* queue full: drop */
    us_t out = q->next_out;
    q->next_out += gap;
    return out;
}

static us_t real_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * SEC + ts.tv_nsec / 1000;
}
static token_bucket shared = {20000, 2000, 0, 0}; /* starts empty; a deep bucket rides out scheduling gaps */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static us_t t_end;
static void *hammer(void *arg) {
    long *ok = arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        us_t now = real_now();            /* read under the lock: a request admitted at `now` is before t_end */
        int over = now >= t_end;
        if (!over) *ok += tb_allow(&shared, now);
        pthread_mutex_unlock(&mu);
        if (over) return NULL;
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    /* A. limit 100 per second; 100 requests in [0.9 s, 1.0 s) and 100 in [1.0 s, 1.1 s) */
    fixed_window fw = {100, SEC, 0, 0};
    static sliding_log sl = {100, SEC, {0}, 0, 0};
    sliding_counter sc = {100, SEC, 0, 0, 0};
    int a_fw = 0, a_sl = 0, a_sc = 0;
    for (int i = 0; i < 200; i++) {
        us_t t = 900000 + i * 1000;
        a_fw += fw_allow(&fw, t), a_sl += sl_allow(&sl, t), a_sc += sc_allow(&sc, t);
    }
    printf("limit 100/s, 200 requests within 0.9-1.1 s: fixed window %d, sliding log %d, sliding counter %d\n",
           a_fw, a_sl, a_sc);
    assert(a_fw == 200 && a_sl == 100 && a_sc <= 110);

    /* B. rate 500/s, bucket/queue 100; a burst of 1000 at t=0, then 1 request per ms for 1 s */
    token_bucket tb = {500, 100, 100, 0};
    leaky_bucket lb = {500, 100, 0};
    int tb_first10ms = 0, lb_first10ms = 0, tb_ok = 0, lb_ok = 0;
    for (int i = 0; i < 2000; i++) {
        us_t t = i < 1000 ? 0 : (i - 999) * 1000;
        if (tb_allow(&tb, t)) { tb_ok++; tb_first10ms += t < 10000; }
        us_t out = lb_enqueue(&lb, t);
        if (out >= 0) { lb_ok++; lb_first10ms += out < 10000; }
    }
    printf("rate 500/s, size 100, burst 1000 + 1000 over 1 s: token bucket admits %d (%d pass in the first 10 ms),"
           " leaky bucket admits %d (%d leave in the first 10 ms)\n", tb_ok, tb_first10ms, lb_ok, lb_first10ms);
    assert(tb_first10ms >= 100 && lb_first10ms <= 5);              /* burst passes vs. smoothed output */
    assert(tb_ok >= 590 && tb_ok <= 610 && lb_ok >= 590 && lb_ok <= 610); /* both ~ 100 + 500 x 1 s */

    /* C. real clock: 4 threads hammer a shared token bucket (20000/s, starts empty) for 0.3 s */
    long ok[4] = {0};
    pthread_t th[4];
    us_t t0 = real_now();
    shared.last = t0;
    t_end = t0 + 300000;
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, hammer, &ok[i]);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    double elapsed = (t_end - t0) / (double)SEC; /* no request is admitted after t_end */
    long total = ok[0] + ok[1] + ok[2] + ok[3];
    double expect = 20000 * elapsed;
    printf("real clock, 4 threads, %.3f s: admitted %ld, configured 20000/s x t = %.0f (ratio %.3f)\n",
           elapsed, total, expect, total / expect);
    assert(total <= expect + 1);   /* the hard guarantee: never more than rate x t (it started empty) */
    assert(total > 0.7 * expect);  /* and close to it while demand exceeds the rate (margin for a busy machine) */
    return 0;
}
