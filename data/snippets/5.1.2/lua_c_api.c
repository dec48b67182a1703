// caption: Lua/C 接口要点：带计数和上限的分配器（snlua 的做法）、栈、luaL_requiref 注册 C 模块、带 __gc 的 userdata、注册表里保存回调、pcall + traceback、C 驱动 lua_resume 协程
// point: lua编程以及lua/c接口编程
// libs: lua5.4
// timeout: 10
#undef NDEBUG
#include <assert.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { size_t used, limit; } mem;
static void *counting_alloc(void *ud, void *p, size_t osize, size_t nsize) { /* lua_Alloc */
    mem *m = ud;
    size_t old = p ? osize : 0;
    if (nsize == 0) { m->used -= old; free(p); return NULL; }
    if (m->limit && m->used - old + nsize > m->limit) return NULL; /* Lua turns this into a memory error */
    void *n = realloc(p, nsize);
    if (n) m->used = m->used - old + nsize;
    return n;
}

/* a C type exposed to Lua: a fixed array of doubles */
typedef struct { int n; double v[]; } vec;
static int gc_calls;
static int vec_new(lua_State *L) {
    int n = (int)luaL_checkinteger(L, 1);
    luaL_argcheck(L, n > 0 && n < 1000000, 1, "bad size");
    vec *x = lua_newuserdatauv(L, sizeof(vec) + sizeof(double) * (size_t)n, 0);
    x->n = n;
    memset(x->v, 0, sizeof(double) * (size_t)n);
    luaL_setmetatable(L, "demo.vec");
    return 1;
}
static int vec_set(lua_State *L) {
    vec *x = luaL_checkudata(L, 1, "demo.vec");
    int i = (int)luaL_checkinteger(L, 2);
    if (i < 1 || i > x->n) return luaL_error(L, "index %d out of range 1..%d", i, x->n);
    x->v[i - 1] = luaL_checknumber(L, 3);
    return 0;
}
static int vec_sum(lua_State *L) {
    vec *x = luaL_checkudata(L, 1, "demo.vec");
    double s = 0;
    for (int i = 0; i < x->n; i++) s += x->v[i];
    lua_pushnumber(L, s);
    return 1;
}
static int vec_len(lua_State *L) { lua_pushinteger(L, ((vec *)luaL_checkudata(L, 1, "demo.vec"))->n); return 1; }
static int vec_gc(lua_State *L) { (void)L; gc_calls++; return 0; }
static int open_vec(lua_State *L) {
    luaL_Reg methods[] = {{"set", vec_set}, {"sum", vec_sum}, {NULL, NULL}};
    luaL_Reg meta[] = {{"__len", vec_len}, {"__gc", vec_gc}, {NULL, NULL}};
    luaL_newmetatable(L, "demo.vec");
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index"); /* v:set(...) finds methods here */
    lua_pop(L, 1);
    luaL_Reg lib[] = {{"new", vec_new}, {NULL, NULL}};
    luaL_newlib(L, lib);
    return 1;
}

/* skynet.callback(f) keeps f in the registry; the C side calls it later for every message */
static int cb_ref = LUA_NOREF;
static int l_callback(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    cb_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}
static int traceback(lua_State *L) { luaL_traceback(L, L, lua_tostring(L, 1), 1); return 1; }

int main(void) {
    mem m = {0, 0};
    lua_State *L = lua_newstate(counting_alloc, &m);
    luaL_openlibs(L);
    printf("fresh state with standard libraries: %zu bytes (counted by our allocator)\n", m.used);
    assert(m.used > 10000 && (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 <= m.used);

    /* the stack: positive indices from the bottom, negative from the top */
    lua_pushinteger(L, 1), lua_pushstring(L, "two"), lua_pushnumber(L, 3.5);
    printf("stack: top=%d, [1]=%lld, [-2]=%s, [-1]=%g\n", lua_gettop(L), (long long)lua_tointeger(L, 1),
           lua_tostring(L, -2), lua_tonumber(L, -1));
    assert(lua_gettop(L) == 3 && strcmp(lua_tostring(L, -2), "two") == 0);
    lua_settop(L, 0);

    luaL_requiref(L, "vec", open_vec, 0); /* now `require "vec"` works */
    lua_pop(L, 1);
    lua_register(L, "callback", l_callback);
    const char *script =
        "local vec = require 'vec'\n"
        "local v = vec.new(4)\n"
        "for i = 1, #v do v:set(i, i * 1.5) end\n"
        "total = v:sum()\n"
        "callback(function(type, msg) if type == 'bad' then error('cannot handle ' .. msg) end return msg:upper() end)\n"
        "function worker(n) local acc = 0 for i = 1, n do acc = acc + i; coroutine.yield(acc) end return 'done' end\n";
    assert(luaL_dostring(L, script) == LUA_OK);
    lua_getglobal(L, "total");
    printf("Lua used the C vector: sum = %g\n", lua_tonumber(L, -1));
    assert(lua_tonumber(L, -1) == 15.0);
    lua_pop(L, 1);

    /* C calls the stored Lua callback under pcall with a traceback handler, twice */
    const char *types[2] = {"text", "bad"};
    for (int i = 0; i < 2; i++) {
        lua_pushcfunction(L, traceback);
        lua_rawgeti(L, LUA_REGISTRYINDEX, cb_ref);
        lua_pushstring(L, types[i]), lua_pushstring(L, "hello");
        int rc = lua_pcall(L, 2, 1, 1);
        const char *out = lua_tostring(L, -1);
        printf("callback(%s): %s -> %.*s\n", types[i], rc == LUA_OK ? "ok" : "error", (int)strcspn(out, "\n"), out);
        assert(i == 0 ? rc == LUA_OK && strcmp(out, "HELLO") == 0 : rc == LUA_ERRRUN && strstr(out, "stack traceback"));
        lua_settop(L, 0);
    }

    /* a coroutine driven from C: each yield hands control back, like skynet.call waiting for a reply */
    lua_State *co = lua_newthread(L);
    lua_getglobal(co, "worker");
    lua_pushinteger(co, 4);
    int nres, rc, yields = 0, narg = 1;
    while ((rc = lua_resume(co, L, narg, &nres)) == LUA_YIELD) {
        yields++;
        lua_pop(co, nres);
        narg = 0;
    }
    printf("coroutine resumed from C: %d yields, then returned '%s'\n", yields, lua_tostring(co, -1));
    assert(rc == LUA_OK && yields == 4 && strcmp(lua_tostring(co, -1), "done") == 0);
    lua_settop(L, 0);

    /* userdata are collected and __gc runs; then a memory limit turns allocation failure into a Lua error */
    lua_gc(L, LUA_GCCOLLECT, 0);
    m.limit = m.used + 64 * 1024;
    assert(luaL_loadstring(L, "local t = {} for i = 1, 1e6 do t[i] = ('x'):rep(100) .. i end") == LUA_OK);
    int err = lua_pcall(L, 0, 0, 0); /* (luaL_dostring would only say "true") */
    printf("__gc ran %d time(s); with a 64 KB headroom the big loop fails: %s\n", gc_calls, lua_tostring(L, -1));
    assert(gc_calls == 1 && err == LUA_ERRMEM);
    m.limit = 0;
    luaL_unref(L, LUA_REGISTRYINDEX, cb_ref);
    lua_close(L);
    printf("after lua_close: %zu bytes still allocated\n", m.used);
    assert(m.used == 0);
    return 0;
}
