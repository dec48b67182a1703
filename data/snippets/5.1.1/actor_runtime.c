// caption: Skynet 形状的 actor 运行时：每个服务一条消息队列，全局队列里只放“有消息的服务队列”，4 个工作线程按权重取消息；16 个 Lua 服务（各自一个 lua_State）传令牌，C 服务校验顺序
// point: actor模型实现-lua服务和c服务
// libs: lua5.4
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HARBOR 3u /* this node's id: the high 8 bits of every local handle */
#define MAX_SVC 64
#define NWORKER 4
enum { PTYPE_TEXT = 0, PTYPE_ORDER = 20 };

typedef struct { uint32_t source; int type; char *data; size_t sz; } message;
typedef struct mq { /* skynet_mq.c: a growable ring buffer per service */
    atomic_flag lock;
    uint32_t handle;
    int cap, head, tail, in_global;
    message *q;
    struct mq *next;
} mq;
typedef struct ctx ctx;
struct ctx {
    uint32_t handle;
    mq *queue;
    lua_State *L;                      /* Lua service: its own VM */
    void (*cb)(ctx *, const message *); /* C service */
    atomic_int inside;                 /* must never be 2: one worker per service at a time */
    long expect;                       /* C order checker state */
};

static void spin_lock(atomic_flag *f) { while (atomic_flag_test_and_set_explicit(f, memory_order_acquire)) {} }
static void spin_unlock(atomic_flag *f) { atomic_flag_clear_explicit(f, memory_order_release); }

static struct { atomic_flag lock; mq *head, *tail; } G = {ATOMIC_FLAG_INIT, NULL, NULL}; /* global queue */
static pthread_mutex_t sleep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cv = PTHREAD_COND_INITIALIZER;
static atomic_int sleeping, quit;
static atomic_long processed, violations;

static void global_push(mq *q) {
    spin_lock(&G.lock);
    q->next = NULL;
    if (G.tail) G.tail->next = q, G.tail = q;
    else G.head = G.tail = q;
    spin_unlock(&G.lock);
    if (atomic_load(&sleeping)) pthread_cond_signal(&sleep_cv); /* skynet wakes sleepers from its timer/socket threads */
}
static mq *global_pop(void) {
    spin_lock(&G.lock);
    mq *q = G.head;
    if (q) { G.head = q->next; if (!G.head) G.tail = NULL; q->next = NULL; }
    spin_unlock(&G.lock);
    return q;
}
static void mq_push(mq *q, message m) {
    spin_lock(&q->lock);
    q->q[q->tail] = m;
    if (++q->tail == q->cap) q->tail = 0;
    if (q->tail == q->head) { /* full: double, unrolling the ring */
        message *n = malloc(sizeof *n * (size_t)q->cap * 2);
        assert(n);
        for (int i = 0; i < q->cap; i++) n[i] = q->q[(q->head + i) % q->cap];
        free(q->q);
        q->q = n, q->head = 0, q->tail = q->cap, q->cap *= 2;
    }
    int enqueue = !q->in_global; /* a queue sits in the global queue at most once */
    q->in_global = 1;
    spin_unlock(&q->lock);
    if (enqueue) global_push(q);
}
static int mq_pop(mq *q, message *m, int *left) { /* 0 = got one; 1 = empty, queue leaves the global queue */
    spin_lock(&q->lock);
    int ret = 1;
    if (q->head != q->tail) {
        *m = q->q[q->head++];
        if (q->head == q->cap) q->head = 0;
        *left = (q->tail - q->head + q->cap) % q->cap;
        ret = 0;
    } else q->in_global = 0;
    spin_unlock(&q->lock);
    return ret;
}

/* skynet_handle.c: handle = harbor << 24 | index; a read-write lock guards the slot table */
static ctx *slot[MAX_SVC];
static int nslot = 1;
static pthread_rwlock_t hlock = PTHREAD_RWLOCK_INITIALIZER;
static ctx *grab(uint32_t h) {
    pthread_rwlock_rdlock(&hlock);
    ctx *c = slot[(h & 0xffffff) % MAX_SVC];
    pthread_rwlock_unlock(&hlock);
    return c;
}
static ctx *new_ctx(void) {
    ctx *c = calloc(1, sizeof *c);
    mq *q = calloc(1, sizeof *q);
    assert(c && q);
    q->cap = 64;
    q->q = malloc(sizeof(message) * 64);
    atomic_flag_clear(&q->lock);
    pthread_rwlock_wrlock(&hlock);
    c->handle = HARBOR << 24 | (uint32_t)nslot;
    slot[nslot++] = c;
    pthread_rwlock_unlock(&hlock);
    q->handle = c->handle;
    c->queue = q;
    return c;
}

static atomic_long remote_msgs;
static void send_msg(uint32_t src, uint32_t dst, int type, const char *data, size_t sz) {
    if (dst >> 24 != HARBOR) { atomic_fetch_add(&remote_msgs, 1); return; } /* would go to the harbor service */
    message m = {src, type, malloc(sz + 1), sz};
    assert(m.data);
    memcpy(m.data, data, sz);
    m.data[sz] = 0;
    mq_push(grab(dst)->queue, m);
}

/* the worker loop: skynet_context_message_dispatch() */
static long per_worker[NWORKER];
static mq *dispatch(mq *q, int weight, int id) {
    if (!q && !(q = global_pop())) return NULL;
    ctx *c = grab(q->handle);
    message m;
    int left;
    for (int i = 0, n = 1; i < n; i++) {
        if (mq_pop(q, &m, &left)) return global_pop();
        if (i == 0 && weight >= 0) n = left >> weight; /* weight -1: one message per turn */
        if (atomic_fetch_add(&c->inside, 1) != 0) atomic_fetch_add(&violations, 1);
        if (c->L) {
            lua_getglobal(c->L, "dispatch");
            lua_pushinteger(c->L, m.type);
            lua_pushinteger(c->L, m.source);
            lua_pushlstring(c->L, m.data, m.sz);
            if (lua_pcall(c->L, 3, 0, 0) != LUA_OK) fprintf(stderr, "lua error: %s\n", lua_tostring(c->L, -1)), abort();
        } else c->cb(c, &m);
        atomic_fetch_sub(&c->inside, 1);
        free(m.data);
        per_worker[id]++;
        atomic_fetch_add(&processed, 1);
    }
    mq *nq = global_pop(); /* let others run: put q back at the tail if anyone is waiting */
    if (nq) { global_push(q); q = nq; }
    return q;
}
static void *worker(void *arg) {
    int id = (int)(long)arg, weights[NWORKER] = {-1, 0, 1, 2};
    mq *q = NULL;
    while (!atomic_load(&quit)) {
        if ((q = dispatch(q, weights[id], id))) continue;
        pthread_mutex_lock(&sleep_mu);
        atomic_fetch_add(&sleeping, 1);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 2000000; /* bounded sleep, like skynet's 2.5 ms timer wakeups */
        if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
        if (!atomic_load(&quit)) pthread_cond_timedwait(&sleep_cv, &sleep_mu, &ts);
        atomic_fetch_sub(&sleeping, 1);
        pthread_mutex_unlock(&sleep_mu);
    }
    return NULL;
}

/* the C API a Lua service sees: skynet.send(dest, text), skynet.self() */
static int l_send(lua_State *L) {
    ctx *c = lua_touserdata(L, lua_upvalueindex(1));
    size_t sz;
    const char *s = luaL_checklstring(L, 2, &sz);
    send_msg(c->handle, (uint32_t)luaL_checkinteger(L, 1), PTYPE_TEXT, s, sz);
    return 0;
}
static int l_self(lua_State *L) {
    lua_pushinteger(L, ((ctx *)lua_touserdata(L, lua_upvalueindex(1)))->handle);
    return 1;
}
static ctx *lua_service(const char *code) {
    ctx *c = new_ctx();
    c->L = luaL_newstate();
    luaL_openlibs(c->L);
    luaL_Reg fns[] = {{"send", l_send}, {"self", l_self}, {NULL, NULL}};
    luaL_newlibtable(c->L, fns);
    lua_pushlightuserdata(c->L, c); /* every function gets the owning service as upvalue 1 */
    luaL_setfuncs(c->L, fns, 1);
    lua_setglobal(c->L, "skynet");
    if (luaL_dostring(c->L, code) != LUA_OK) fprintf(stderr, "%s\n", lua_tostring(c->L, -1)), abort();
    return c;
}

static atomic_int done_tokens;
static void sink_cb(ctx *c, const message *m) {
    if (m->type == PTYPE_ORDER) { /* one sender, many workers: its messages must arrive in order */
        long v = atol(m->data);
        assert(v == c->expect);
        c->expect++;
    } else atomic_fetch_add(&done_tokens, 1);
}

static const char *RING =
    "local count = 0\n"
    "function dispatch(type, source, msg)\n"
    "  count = count + 1               -- private state: no lock, only this service touches it\n"
    "  local hops = tonumber(msg)\n"
    "  if hops > 0 then skynet.send(NEXT, tostring(hops - 1)) else skynet.send(SINK, 'done') end\n"
    "end\n"
    "function stats() return count end\n";

#define NRING 16
#define NTOKEN 8
#define HOPS 5000
#define NORDER 20000
int main(void) {
    ctx *sink = new_ctx();
    sink->cb = sink_cb;
    ctx *ring[NRING];
    for (int i = 0; i < NRING; i++) ring[i] = lua_service(RING);
    for (int i = 0; i < NRING; i++) {
        lua_pushinteger(ring[i]->L, ring[(i + 1) % NRING]->handle);
        lua_setglobal(ring[i]->L, "NEXT");
        lua_pushinteger(ring[i]->L, sink->handle);
        lua_setglobal(ring[i]->L, "SINK");
    }
    printf("handles: sink :%08x, ring :%08x..:%08x (harbor %u in the high byte)\n", sink->handle, ring[0]->handle,
           ring[NRING - 1]->handle, sink->handle >> 24);
    printf("one Lua service = one lua_State, %d KB after loading its script\n", lua_gc(ring[0]->L, LUA_GCCOUNT, 0));

    pthread_t th[NWORKER];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < NWORKER; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    char buf[32];
    for (int t = 0; t < NTOKEN; t++) {
        int n = snprintf(buf, sizeof buf, "%d", HOPS);
        send_msg(0, ring[t * NRING / NTOKEN]->handle, PTYPE_TEXT, buf, (size_t)n);
    }
    for (int i = 0; i < NORDER; i++) {
        int n = snprintf(buf, sizeof buf, "%d", i);
        send_msg(0, sink->handle, PTYPE_ORDER, buf, (size_t)n);
    }
    send_msg(0, 5u << 24 | 1, PTYPE_TEXT, "x", 1); /* harbor 5 is another node */
    long want = (long)NTOKEN * (HOPS + 1) + NTOKEN + NORDER;
    for (int spin = 0; spin < 20000 && atomic_load(&processed) < want; spin++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    atomic_store(&quit, 1);
    pthread_cond_broadcast(&sleep_cv);
    for (int i = 0; i < NWORKER; i++) pthread_join(th[i], NULL);

    double sec = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    long sum = 0;
    for (int i = 0; i < NRING; i++) {
        lua_getglobal(ring[i]->L, "stats");
        assert(lua_pcall(ring[i]->L, 0, 1, 0) == LUA_OK);
        sum += (long)lua_tointeger(ring[i]->L, -1);
        lua_close(ring[i]->L);
    }
    printf("processed %ld messages in %.2f s (%.0f msg/s); per worker (weight -1,0,1,2): %ld %ld %ld %ld\n",
           atomic_load(&processed), sec, atomic_load(&processed) / sec, per_worker[0], per_worker[1], per_worker[2],
           per_worker[3]);
    printf("ring services counted %ld hops, sink got %d 'done' and %ld ordered messages, remote=%ld, "
           "concurrent entries=%ld\n", sum, atomic_load(&done_tokens), sink->expect, atomic_load(&remote_msgs),
           atomic_load(&violations));
    assert(atomic_load(&processed) == want && sum == (long)NTOKEN * (HOPS + 1));
    assert(atomic_load(&done_tokens) == NTOKEN && sink->expect == NORDER && atomic_load(&remote_msgs) == 1);
    assert(atomic_load(&violations) == 0);
    for (int i = 1; i < nslot; i++) { free(slot[i]->queue->q); free(slot[i]->queue); free(slot[i]); }
    return 0;
}
