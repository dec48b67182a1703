// caption: 手撕万人在线的游戏循环：1 万个模拟玩家每 tick 各发一条移动消息给 100 个 Lua agent 服务（校验速度、拦截作弊），agent 每 tick 汇总一条发给 C 场景服务，场景算出热点格子后用一份带引用计数的多播快照回给全部 agent；测量消息速率和每 tick 耗时
// point: 手撕万人同时在线游戏
// libs: lua5.4
// timeout: 60
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

/* ---- a compact Skynet-shaped runtime (see 5.1.1 for the commented version) ---- */
#define HARBOR 1u
#define MAX_SVC 256
#define NWORKER 2
enum { PTYPE_TEXT = 0, PTYPE_RESPONSE = 1, PTYPE_MULTICAST = 2, PTYPE_CLIENT = 3, PTYPE_LUA = 10 };
typedef struct { atomic_int ref; size_t size; char *data; } mc_package; /* one copy for all local subscribers */
static atomic_long mc_freed;
static void mc_release(mc_package *p) { if (atomic_fetch_sub(&p->ref, 1) == 1) { free(p->data), free(p); atomic_fetch_add(&mc_freed, 1); } }
typedef struct { uint32_t source; int session, type; char *data; size_t sz; } message;
typedef struct mq { atomic_flag lock; uint32_t handle; int cap, head, tail, in_global; message *q; struct mq *next; } mq;
typedef struct ctx ctx;
struct ctx { uint32_t handle; mq *queue; lua_State *L; void (*cb)(ctx *, const message *); int session; void *ud; };
static void spin_lock(atomic_flag *f) { while (atomic_flag_test_and_set_explicit(f, memory_order_acquire)) {} }
static void spin_unlock(atomic_flag *f) { atomic_flag_clear_explicit(f, memory_order_release); }
static struct { atomic_flag lock; mq *head, *tail; } G = {ATOMIC_FLAG_INIT, NULL, NULL};
static ctx *slot[MAX_SVC];
static int nslot = 1;
static atomic_long pending; /* messages pushed but not yet handled */
static atomic_int quit, sleeping;
static pthread_mutex_t sleep_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cv = PTHREAD_COND_INITIALIZER;

static void global_push(mq *q) {
    spin_lock(&G.lock);
    q->next = NULL;
    if (G.tail) G.tail->next = q, G.tail = q; else G.head = G.tail = q;
    spin_unlock(&G.lock);
    if (atomic_load(&sleeping)) pthread_cond_signal(&sleep_cv);
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
    if (q->tail == q->head) {
        message *n = malloc(sizeof *n * (size_t)q->cap * 2);
        assert(n);
        for (int i = 0; i < q->cap; i++) n[i] = q->q[(q->head + i) % q->cap];
        free(q->q);
        q->q = n, q->head = 0, q->tail = q->cap, q->cap *= 2;
    }
    int enqueue = !q->in_global;
    q->in_global = 1;
    spin_unlock(&q->lock);
    if (enqueue) global_push(q);
}
static int mq_pop(mq *q, message *m) {
    spin_lock(&q->lock);
    int ret = 1;
    if (q->head != q->tail) { *m = q->q[q->head++]; if (q->head == q->cap) q->head = 0; ret = 0; }
    else q->in_global = 0;
    spin_unlock(&q->lock);
    return ret;
}
static ctx *new_ctx(void) {
    ctx *c = calloc(1, sizeof *c);
    mq *q = calloc(1, sizeof *q);
    assert(c && q && nslot < MAX_SVC);
    q->cap = 64, q->q = malloc(sizeof(message) * 64);
    atomic_flag_clear(&q->lock);
    c->handle = HARBOR << 24 | (uint32_t)nslot;
    slot[nslot++] = c; /* all services are created before the workers start: no lock needed here */
    q->handle = c->handle, c->queue = q;
    return c;
}
/* takes ownership of data (malloc'd, NUL-terminated) */
static void send_own(uint32_t src, uint32_t dst, int type, int session, char *data, size_t sz) {
    atomic_fetch_add(&pending, 1);
    mq_push(slot[dst & 0xffffff]->queue, (message){src, session, type, data, sz});
}
static void send_copy(uint32_t src, uint32_t dst, int type, int session, const char *data, size_t sz) {
    char *d = malloc(sz + 1);
    assert(d);
    memcpy(d, data, sz);
    d[sz] = 0;
    send_own(src, dst, type, session, d, sz);
}
static void deliver(ctx *c, message *m) {
    if (c->L) {
        lua_getglobal(c->L, "dispatch");
        lua_pushinteger(c->L, m->type), lua_pushinteger(c->L, m->session), lua_pushinteger(c->L, m->source);
        if (m->type == PTYPE_MULTICAST) lua_pushlstring(c->L, ((mc_package *)(void *)m->data)->data, ((mc_package *)(void *)m->data)->size);
        else lua_pushlstring(c->L, m->data, m->sz);
        if (lua_pcall(c->L, 4, 0, 0) != LUA_OK) fprintf(stderr, "service :%08x: %s\n", c->handle, lua_tostring(c->L, -1)), abort();
    } else c->cb(c, m);
    if (m->type == PTYPE_MULTICAST) mc_release((mc_package *)(void *)m->data);
    else free(m->data);
    atomic_fetch_sub(&pending, 1);
}
static void *worker(void *arg) {
    (void)arg;
    mq *q = NULL;
    while (!atomic_load(&quit)) {
        if (!q) q = global_pop();
        if (q) {
            message m;
            if (mq_pop(q, &m)) { q = NULL; continue; }
            deliver(slot[q->handle & 0xffffff], &m); /* weight -1: one message per turn */
            mq *nq = global_pop();
            if (nq) { global_push(q); q = nq; }
            continue;
        }
        pthread_mutex_lock(&sleep_mu);
        atomic_fetch_add(&sleeping, 1);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 2000000;
        if (ts.tv_nsec >= 1000000000) ts.tv_sec++, ts.tv_nsec -= 1000000000;
        if (!atomic_load(&quit)) pthread_cond_timedwait(&sleep_cv, &sleep_mu, &ts);
        atomic_fetch_sub(&sleeping, 1);
        pthread_mutex_unlock(&sleep_mu);
    }
    return NULL;
}
static pthread_t workers[NWORKER];
static void start_workers(void) { for (int i = 0; i < NWORKER; i++) pthread_create(&workers[i], NULL, worker, NULL); }
static void stop_workers(void) {
    atomic_store(&quit, 1);
    pthread_cond_broadcast(&sleep_cv);
    for (int i = 0; i < NWORKER; i++) pthread_join(workers[i], NULL);
}
static void free_all(void) {
    for (int i = 1; i < nslot; i++) {
        message m;
        while (!mq_pop(slot[i]->queue, &m)) m.type == PTYPE_MULTICAST ? mc_release((mc_package *)(void *)m.data) : free(m.data);
        if (slot[i]->L) lua_close(slot[i]->L);
        free(slot[i]->queue->q), free(slot[i]->queue), free(slot[i]);
    }
}

/* the C functions every Lua service gets as `c.*` */
static ctx *self_of(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }
static int l_send(lua_State *L) { /* c.send(dest, type, session, msg) */
    size_t sz;
    const char *s = luaL_checklstring(L, 4, &sz);
    send_copy(self_of(L)->handle, (uint32_t)luaL_checkinteger(L, 1), (int)luaL_checkinteger(L, 2),
              (int)luaL_checkinteger(L, 3), s, sz);
    return 0;
}
static int l_genid(lua_State *L) { lua_pushinteger(L, ++self_of(L)->session); return 1; } /* per-service session ids */
static int l_self(lua_State *L) { lua_pushinteger(L, self_of(L)->handle); return 1; }
static ctx *lua_service(const char *framework, const char *code) {
    ctx *c = new_ctx();
    c->L = luaL_newstate();
    luaL_openlibs(c->L);
    luaL_Reg fns[] = {{"send", l_send}, {"genid", l_genid}, {"self", l_self}, {NULL, NULL}};
    luaL_newlibtable(c->L, fns);
    lua_pushlightuserdata(c->L, c);
    luaL_setfuncs(c->L, fns, 1);
    lua_setglobal(c->L, "c");
    if (luaL_dostring(c->L, framework) || luaL_dostring(c->L, code)) fprintf(stderr, "%s\n", lua_tostring(c->L, -1)), abort();
    return c;
}

#define NPLAYER 10000
#define NAGENT 100
#define PER (NPLAYER / NAGENT)
#define TICKS 20
#define GRID 10 /* 10 x 10 cells over a 1000 x 1000 map */

static const char *AGENT =
    "local pos, accepted, rejected, snapshots, to_clients = {}, 0, 0, 0, 0\n"
    "for pid = FIRST, FIRST + PER - 1 do pos[pid] = {(pid * 37) % 1000, (pid * 91) % 1000} end\n"
    "local abs, min, max = math.abs, math.min, math.max\n"
    "function dispatch(type, session, source, msg)      -- raw dispatch: no coroutine per message\n"
    "  if type == PTYPE_CLIENT then\n"
    "    local pid, dx, dy = msg:match('^(%d+) (%-?%d+) (%-?%d+)$')\n"
    "    pid, dx, dy = tonumber(pid), tonumber(dx), tonumber(dy)\n"
    "    local p = pos[pid]\n"
    "    if not p or abs(dx) > 5 or abs(dy) > 5 then rejected = rejected + 1 return end  -- speed hack\n"
    "    p[1], p[2] = min(999, max(0, p[1] + dx)), min(999, max(0, p[2] + dy))\n"
    "    accepted = accepted + 1\n"
    "  elseif type == PTYPE_MULTICAST then\n"
    "    snapshots = snapshots + 1\n"
    "    to_clients = to_clients + PER                  -- the gate would write it to each player\n"
    "  elseif msg == 'tick' then                       -- one batch per agent per tick\n"
    "    local out = {}\n"
    "    for pid = FIRST, FIRST + PER - 1 do local p = pos[pid]; out[#out + 1] = p[1] .. ' ' .. p[2] end\n"
    "    c.send(SCENE, PTYPE_TEXT, 0, table.concat(out, ' '))\n"
    "  end\n"
    "end\n"
    "function stats() return accepted, rejected, snapshots, to_clients end\n";

/* the scene: a C service collecting one batch per agent, then publishing one snapshot */
static int cells[GRID * GRID], batches;
static atomic_int published;
static uint32_t agent_handle[NAGENT];
static void scene_cb(ctx *c, const message *m) {
    char *p = m->data, *end;
    for (int i = 0; i < PER; i++) {
        long x = strtol(p, &end, 10);
        long y = strtol(end, &p, 10);
        assert(x >= 0 && x < 1000 && y >= 0 && y < 1000);
        cells[(y / (1000 / GRID)) * GRID + x / (1000 / GRID)]++;
    }
    if (++batches < NAGENT) return;
    int hot = 0;
    for (int i = 1; i < GRID * GRID; i++) if (cells[i] > cells[hot]) hot = i;
    mc_package *pk = malloc(sizeof *pk);
    assert(pk && (pk->data = malloc(64)));
    pk->size = (size_t)snprintf(pk->data, 64, "tick %d hot cell %d,%d players %d", atomic_load(&published) + 1,
                                hot % GRID, hot / GRID, cells[hot]);
    atomic_init(&pk->ref, NAGENT);
    for (int a = 0; a < NAGENT; a++) { /* one package, NAGENT pointers */
        atomic_fetch_add(&pending, 1);
        mq_push(slot[agent_handle[a] & 0xffffff]->queue, (message){c->handle, 0, PTYPE_MULTICAST, (char *)pk, pk->size});
    }
    memset(cells, 0, sizeof cells);
    batches = 0;
    atomic_fetch_add(&published, 1);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
    ctx *scene = new_ctx();
    scene->cb = scene_cb;
    ctx *agent[NAGENT];
    char pre[128];
    for (int a = 0; a < NAGENT; a++) {
        snprintf(pre, sizeof pre, "FIRST, PER, SCENE = %d, %d, %u; PTYPE_TEXT, PTYPE_MULTICAST, PTYPE_CLIENT = 0, 2, 3",
                 a * PER, PER, scene->handle);
        agent[a] = lua_service(pre, AGENT);
        agent_handle[a] = agent[a]->handle;
    }
    start_workers();
    unsigned seed = 7;
    long sent = 0, cheats = 0;
    double worst = 0, total = 0, t_start = now();
    char buf[32];
    for (int t = 1; t <= TICKS; t++) {
        double t0 = now();
        for (int pid = 0; pid < NPLAYER; pid++) { /* every simulated client sends one move per tick */
            int cheat = rand_r(&seed) % 100 == 0;
            int dx = cheat ? 40 : (int)(rand_r(&seed) % 11) - 5, dy = (int)(rand_r(&seed) % 11) - 5;
            int n = snprintf(buf, sizeof buf, "%d %d %d", pid, dx, dy);
            send_copy(0, agent[pid / PER]->handle, PTYPE_CLIENT, 0, buf, (size_t)n);
            sent++, cheats += cheat;
        }
        for (int a = 0; a < NAGENT; a++) send_copy(0, agent[a]->handle, PTYPE_TEXT, 0, "tick", 4);
        for (int spin = 0; spin < 30000 && (atomic_load(&published) < t || atomic_load(&pending) > 0); spin++) {
            struct timespec us = {0, 100000};
            nanosleep(&us, NULL);
        }
        double dt = now() - t0;
        total += dt, worst = dt > worst ? dt : worst;
        assert(atomic_load(&published) == t);
    }
    double elapsed = now() - t_start;
    stop_workers();
    long acc = 0, rej = 0, snaps = 0, clients = 0;
    for (int a = 0; a < NAGENT; a++) {
        lua_getglobal(agent[a]->L, "stats");
        assert(lua_pcall(agent[a]->L, 0, 4, 0) == LUA_OK);
        acc += lua_tointeger(agent[a]->L, -4), rej += lua_tointeger(agent[a]->L, -3);
        snaps += lua_tointeger(agent[a]->L, -2), clients += lua_tointeger(agent[a]->L, -1);
        lua_pop(agent[a]->L, 4);
    }
    long msgs = sent + (long)TICKS * NAGENT * 3; /* moves + tick signals + batches to scene + snapshots */
    printf("%d players on %d Lua agents, %d ticks: %ld moves accepted, %ld speed hacks rejected (sent %ld)\n", NPLAYER,
           NAGENT, TICKS, acc, rej, cheats);
    printf("scene received %d batches per tick instead of %d moves; %d snapshots, each one package for %d agents -> "
           "%ld client updates\n", NAGENT, NPLAYER, atomic_load(&published), NAGENT, clients);
    printf("%ld messages in %.2f s = %.0f msg/s; per tick avg %.1f ms, worst %.1f ms (a 10 Hz server has 100 ms)\n",
           msgs, elapsed, msgs / elapsed, total / TICKS * 1e3, worst * 1e3);
    assert(acc + rej == sent && rej == cheats && snaps == (long)TICKS * NAGENT && clients == (long)TICKS * NPLAYER);
    assert(atomic_load(&mc_freed) == TICKS); /* every snapshot freed once, after its last reader */
    free_all();
    return 0;
}
