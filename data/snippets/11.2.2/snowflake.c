// caption: C 写的雪花算法：41 位毫秒时间戳 + 10 位机器号 + 12 位序列；4 个线程共用 2 个生成器取 80 万个 id，全局无重复、各线程内递增、每毫秒每机器不超过 4096；注入时钟回拨：回拨 3 ms 等待后继续，回拨 50 ms 拒绝发号
// point: UUID 与雪花算法
// timeout: 30
#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define EPOCH_MS 1288834974657LL /* Twitter's epoch, 2010-11-04 */
#define SEQ_BITS 12
#define WORKER_BITS 10
#define SEQ_MASK ((1 << SEQ_BITS) - 1)
#define MAX_BACKWARD_MS 5 /* tolerate small rollbacks by waiting, refuse larger ones */

typedef struct clock_src {
    int64_t (*now)(struct clock_src *);
    void (*sleep_ms)(struct clock_src *, int64_t);
    int64_t fake_ms; /* used only by the fake clock */
} clock_src;

typedef struct {
    pthread_mutex_t mu;
    clock_src *clk;
    int64_t last_ms;
    int64_t seq, worker, spins; /* spins: times the 4096 sequence numbers of one ms ran out */
} snowflake;

static int64_t real_now(clock_src *c) {
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* wall clock: this is what NTP can step backwards */
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
static void real_sleep(clock_src *c, int64_t ms) {
    (void)c;
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
}
static int64_t fake_now(clock_src *c) { return c->fake_ms; }
static void fake_sleep(clock_src *c, int64_t ms) { c->fake_ms += ms; }

/* Returns a positive id, or -1 (clock still behind after waiting) / -3 (rolled back too far). */
static int64_t next_id(snowflake *g) {
    pthread_mutex_lock(&g->mu);
    int64_t now = g->clk->now(g->clk), id;
    if (now < g->last_ms) {
        int64_t back = g->last_ms - now;
        if (back > MAX_BACKWARD_MS) {
            id = -3;
            goto out;
        }
        g->clk->sleep_ms(g->clk, back * 2);
        now = g->clk->now(g->clk);
        if (now < g->last_ms) {
            id = -1;
            goto out;
        }
    }
    if (now == g->last_ms) {
        g->seq = (g->seq + 1) & SEQ_MASK;
        if (g->seq == 0) { /* 4096 ids in this ms: spin until the next one */
            g->spins++;
            while ((now = g->clk->now(g->clk)) <= g->last_ms) {
            }
        }
    } else {
        g->seq = 0;
    }
    g->last_ms = now;
    id = ((now - EPOCH_MS) << (WORKER_BITS + SEQ_BITS)) | (g->worker << SEQ_BITS) | g->seq;
out:
    pthread_mutex_unlock(&g->mu);
    return id;
}

#define THREADS 4
#define PER_THREAD 200000
static clock_src wall = {real_now, real_sleep, 0};
static snowflake gens[2] = {{PTHREAD_MUTEX_INITIALIZER, &wall, -1, 0, 1, 0},
                            {PTHREAD_MUTEX_INITIALIZER, &wall, -1, 0, 2, 0}};
static int64_t *ids;

static void *worker(void *arg) {
    long t = (long)arg;
    int64_t *out = ids + t * PER_THREAD;
    for (int i = 0; i < PER_THREAD; i++) {
        out[i] = next_id(&gens[t % 2]); /* threads 0,2 share worker 1; threads 1,3 share worker 2 */
        assert(out[i] > 0 && (i == 0 || out[i] > out[i - 1]));
    }
    return NULL;
}

static int cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int main(void) {
    ids = malloc(sizeof *ids * THREADS * PER_THREAD);
    assert(ids);
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, worker, (void *)t);
    for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
    int64_t n = (int64_t)THREADS * PER_THREAD, first = ids[0];
    qsort(ids, n, sizeof *ids, cmp);
    int64_t dups = 0, max_per_ms = 0, run = 0;
    for (int64_t i = 1; i < n; i++) {
        dups += ids[i] == ids[i - 1];
        /* same ms and same worker share the bits above the sequence */
        run = (ids[i] >> SEQ_BITS) == (ids[i - 1] >> SEQ_BITS) ? run + 1 : 0;
        if (run + 1 > max_per_ms) max_per_ms = run + 1;
    }
    int64_t ms = ids[n - 1] >> 22, ms0 = ids[0] >> 22;
    printf("%lld ids from %d threads on workers 1,2: duplicates %lld, max ids per (ms, worker) %lld\n",
           (long long)n, THREADS, (long long)dups, (long long)max_per_ms);
    printf("span %lld ms; sequence exhausted, waited for the next ms: worker1 %lld times, worker2 %lld times\n",
           (long long)(ms - ms0 + 1), (long long)gens[0].spins, (long long)gens[1].spins);
    printf("first id %lld = ms %lld since epoch | worker %lld | seq %lld\n", (long long)first,
           (long long)(first >> 22), (long long)((first >> SEQ_BITS) & 1023), (long long)(first & SEQ_MASK));
    assert(dups == 0 && max_per_ms <= 4096);

    /* clock rollback, with a fake clock so the test does not depend on NTP */
    clock_src fake = {fake_now, fake_sleep, 1700000000000LL};
    snowflake g = {PTHREAD_MUTEX_INITIALIZER, &fake, -1, 0, 7, 0};
    int64_t a = next_id(&g);
    fake.fake_ms -= 3; /* small step back: wait 2 x 3 ms, then the clock has passed last_ms */
    int64_t b = next_id(&g);
    fake.fake_ms -= 50; /* large step back: refuse rather than risk a duplicate */
    int64_t c = next_id(&g);
    printf("rollback 3 ms -> waited, id %s previous; rollback 50 ms -> %lld (refused)\n",
           b > a ? ">" : "<=", (long long)c);
    assert(b > a && c == -3);
    free(ids);
    return 0;
}
