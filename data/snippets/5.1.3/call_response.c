// caption: 在 C 运行时上用 Lua 协程实现 skynet.send/call/ret/response：call 分配会话号并挂起协程，应答按会话号唤醒；response 推迟应答；call 挂起期间服务会处理别的消息（重入），两个并发取款把余额扣成负数，加临界区后正确
// point: 基础接口skynet.send, skynet.call , skynet.response
// libs: lua5.4
// timeout: 20
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
#define NWORKER 1 /* one worker keeps the trace deterministic; re-entrancy does not need parallelism */
enum { PTYPE_TEXT = 0, PTYPE_RESPONSE = 1, PTYPE_LUA = 10 };
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
        lua_pushlstring(c->L, m->data, m->sz);
        if (lua_pcall(c->L, 4, 0, 0) != LUA_OK) fprintf(stderr, "service :%08x: %s\n", c->handle, lua_tostring(c->L, -1)), abort();
    } else c->cb(c, m);
    free(m->data);
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
static void wait_idle(int max_ms) {
    for (int i = 0; i < max_ms && atomic_load(&pending) > 0; i++) { struct timespec ms = {0, 1000000}; nanosleep(&ms, NULL); }
}
static void stop_workers(void) {
    atomic_store(&quit, 1);
    pthread_cond_broadcast(&sleep_cv);
    for (int i = 0; i < NWORKER; i++) pthread_join(workers[i], NULL);
}
static void free_all(void) {
    for (int i = 1; i < nslot; i++) {
        message m;
        while (!mq_pop(slot[i]->queue, &m)) free(m.data);
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
static void set_global_int(ctx *c, const char *name, long v) { lua_pushinteger(c->L, v); lua_setglobal(c->L, name); }

/* the Lua side of send/call/ret/response, in the shape of lualib/skynet.lua */
static const char *FRAMEWORK =
    "PTYPE_TEXT, PTYPE_RESPONSE, PTYPE_LUA = 0, 1, 10\n"
    "skynet = {}\n"
    "local session_co, co_session, co_source, handler = {}, {}, {}, nil\n"
    "local function resume(co, ...) local ok, err = coroutine.resume(co, ...) if not ok then error(err, 0) end end\n"
    "function skynet.dispatch(f) handler = f end\n"
    "function skynet.send(addr, msg) c.send(addr, PTYPE_LUA, 0, msg) end      -- session 0: no reply\n"
    "function skynet.call(addr, msg)\n"
    "  local s = c.genid()\n"
    "  c.send(addr, PTYPE_LUA, s, msg)\n"
    "  session_co[s] = coroutine.running()\n"
    "  return coroutine.yield()                 -- 'SUSPEND' until the PTYPE_RESPONSE with session s\n"
    "end\n"
    "function skynet.ret(msg)\n"
    "  local co = coroutine.running()\n"
    "  local s = co_session[co]; co_session[co] = nil\n"
    "  if s ~= 0 then c.send(co_source[co], PTYPE_RESPONSE, s, msg) end\n"
    "end\n"
    "function skynet.response()                 -- reply later, from any coroutine\n"
    "  local co = coroutine.running()\n"
    "  local s, src = co_session[co], co_source[co]; co_session[co] = nil\n"
    "  return function(msg) c.send(src, PTYPE_RESPONSE, s, msg) end\n"
    "end\n"
    "function skynet.fork(f, ...) resume(coroutine.create(f), ...) end\n"
    "function skynet.wait() return coroutine.yield() end\n"
    "function skynet.wakeup(co, ...) resume(co, ...) end\n"
    "function dispatch(type, session, source, msg)\n"
    "  if type == PTYPE_RESPONSE then\n"
    "    local co = assert(session_co[session], 'unknown session'); session_co[session] = nil\n"
    "    resume(co, msg)\n"
    "  else\n"
    "    local co = coroutine.create(handler)  -- skynet keeps a pool of these\n"
    "    co_session[co], co_source[co] = session, source\n"
    "    resume(co, source, msg)\n"
    "  end\n"
    "end\n";

static const char *DB =
    "local kv, waiting = {color = 'red'}, nil\n"
    "skynet.dispatch(function(source, msg)\n"
    "  local cmd, a, b = msg:match('^(%S+) ?(%S*) ?(%S*)$')\n"
    "  if cmd == 'get' then skynet.ret(kv[a])\n"
    "  elseif cmd == 'set' then kv[a] = b                       -- came by send: nothing to return\n"
    "  elseif cmd == 'wait' then waiting = skynet.response()    -- keep the reply for later\n"
    "  elseif cmd == 'release' then waiting('ticket-' .. a); waiting = nil end\n"
    "end)\n";
static const char *AUDIT = "skynet.dispatch(function(source, msg) skynet.ret('ok') end)\n";
static const char *BANK = /* LOCKED is set from C: 0 = naive, 1 = with a critical section (like skynet.queue) */
    "local balance, busy, q = 100, false, {}\n"
    "local function lock() if LOCKED == 0 then return end\n"
    "  if busy then q[#q + 1] = coroutine.running(); skynet.wait() end; busy = true end\n"
    "local function unlock() if LOCKED == 0 then return end\n"
    "  busy = false; local co = table.remove(q, 1); if co then skynet.wakeup(co) end end\n"
    "skynet.dispatch(function(source, msg)\n"
    "  local cmd, n = msg:match('^(%S+) ?(%d*)$')\n"
    "  if cmd == 'balance' then return skynet.ret(tostring(balance)) end\n"
    "  n = tonumber(n)\n"
    "  lock()\n"
    "  local ok = balance >= n\n"
    "  if ok then\n"
    "    skynet.call(AUDIT, 'check ' .. n)     -- suspended here: other messages run meanwhile\n"
    "    balance = balance - n\n"
    "  end\n"
    "  unlock()\n"
    "  skynet.ret(ok and 'ok' or 'denied')\n"
    "end)\n";
static const char *MAIN =
    "LOG = {}\n"
    "local function log(fmt, ...) LOG[#LOG + 1] = string.format(fmt, ...) end\n"
    "local function both(f1, f2)               -- run two calls concurrently, wait for both\n"
    "  local me, left, r = coroutine.running(), 2, {}\n"
    "  for i, f in ipairs{f1, f2} do skynet.fork(function() r[i] = f(); left = left - 1\n"
    "    if left == 0 then skynet.wakeup(me) end end) end\n"
    "  if left > 0 then skynet.wait() end\n"
    "  return r[1], r[2]\n"
    "end\n"
    "skynet.dispatch(function(source, msg)\n"
    "  log('call get color -> %s', skynet.call(DB, 'get color'))\n"
    "  skynet.send(DB, 'set color blue')\n"
    "  log('send set color blue (no reply); call get color -> %s', skynet.call(DB, 'get color'))\n"
    "  local got = {}\n"
    "  skynet.fork(function() local r = skynet.call(DB, 'wait'); got[#got + 1] = 'waiter: ' .. r end)\n"
    "  got[#got + 1] = 'main: sent release'\n"
    "  skynet.send(DB, 'release 7')\n"
    "  skynet.call(DB, 'get color')             -- a round trip, so the deferred reply has landed\n"
    "  log('deferred response: %s', table.concat(got, ' -> '))\n"
    "  for _, bank in ipairs{BANK1, BANK2} do\n"
    "    local a, b = both(function() return skynet.call(bank, 'withdraw 80') end,\n"
    "                      function() return skynet.call(bank, 'withdraw 80') end)\n"
    "    log('%s bank: two withdraw 80 from 100 -> %s, %s; balance %s', bank == BANK1 and 'naive ' or 'locked',\n"
    "        a, b, skynet.call(bank, 'balance'))\n"
    "  end\n"
    "  log('sessions used by main: %d', c.genid() - 1)\n"
    "  skynet.send(SINK, 'done')\n"
    "end)\n";

static atomic_int finished;
static void sink_cb(ctx *c, const message *m) { (void)c, (void)m; atomic_store(&finished, 1); }

int main(void) {
    ctx *sink = new_ctx();
    sink->cb = sink_cb;
    ctx *db = lua_service(FRAMEWORK, DB), *audit = lua_service(FRAMEWORK, AUDIT);
    ctx *bank[2], *mainsvc = lua_service(FRAMEWORK, MAIN);
    for (int i = 0; i < 2; i++) {
        bank[i] = lua_service(FRAMEWORK, BANK);
        set_global_int(bank[i], "AUDIT", audit->handle), set_global_int(bank[i], "LOCKED", i);
    }
    set_global_int(mainsvc, "DB", db->handle), set_global_int(mainsvc, "SINK", sink->handle);
    set_global_int(mainsvc, "BANK1", bank[0]->handle), set_global_int(mainsvc, "BANK2", bank[1]->handle);
    start_workers();
    send_copy(0, mainsvc->handle, PTYPE_LUA, 0, "start", 5);
    wait_idle(10000);
    stop_workers();
    assert(atomic_load(&finished));
    lua_State *L = mainsvc->L;
    lua_getglobal(L, "LOG");
    const char *want[] = {"-> red", "-> blue", "main: sent release -> waiter: ticket-7", "ok, ok; balance -60",
                          "ok, denied; balance 20", "sessions used by main: 10"};
    int n = (int)luaL_len(L, -1);
    assert(n == 6);
    for (int i = 1; i <= n; i++) {
        lua_geti(L, -1, i);
        printf("%s\n", lua_tostring(L, -1));
        fflush(stdout);
        assert(strstr(lua_tostring(L, -1), want[i - 1]));
        lua_pop(L, 1);
    }
    free_all();
    return 0;
}
