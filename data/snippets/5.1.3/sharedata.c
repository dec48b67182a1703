// caption: sharedata 的思路：配置表在 C 里只存一份（不可变、带引用计数），各服务的 lua_State 只持有一个 userdata 代理，按需查表；更新时旧对象标脏，代理下次访问时换到新版本，旧版本在最后一个引用放掉时释放
// point: 数据共享组件sharedatad datasheet
// libs: lua5.4
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NITEM 3000
#define NSVC 20
typedef struct { char key[24]; double val; } entry;
typedef struct conf { int ref, dirty, cap, version; entry *tab; } conf; /* immutable once built */
static conf *current;
static int freed_versions;

static unsigned hash(const char *s) { unsigned h = 2166136261u; while (*s) h = (h ^ (unsigned char)*s++) * 16777619u; return h; }
static conf *build(lua_State *host, int version) { /* convert the host's Lua table into a C hash table */
    conf *c = calloc(1, sizeof *c);
    assert(c);
    c->cap = 8192, c->version = version, c->tab = calloc((size_t)c->cap, sizeof(entry));
    assert(c->tab);
    lua_pushnil(host);
    while (lua_next(host, -2)) {
        const char *k = lua_tostring(host, -2);
        unsigned i = hash(k) & (unsigned)(c->cap - 1);
        while (c->tab[i].key[0]) i = (i + 1) & (unsigned)(c->cap - 1); /* linear probing */
        snprintf(c->tab[i].key, sizeof c->tab[i].key, "%s", k);
        c->tab[i].val = lua_tonumber(host, -1);
        lua_pop(host, 1);
    }
    return c;
}
static void decref(conf *c) { if (--c->ref == 0) { free(c->tab), free(c); freed_versions++; } }

/* the proxy a service holds: one pointer */
typedef struct { conf *obj; } proxy;
static int px_index(lua_State *L) {
    proxy *p = luaL_checkudata(L, 1, "sharedata");
    if (p->obj->dirty) { /* the host published a new version: switch, drop the old reference */
        conf *old = p->obj;
        p->obj = current, current->ref++;
        decref(old);
    }
    const char *k = luaL_checkstring(L, 2);
    conf *c = p->obj;
    for (unsigned i = hash(k) & (unsigned)(c->cap - 1); c->tab[i].key[0]; i = (i + 1) & (unsigned)(c->cap - 1))
        if (strcmp(c->tab[i].key, k) == 0) { lua_pushnumber(L, c->tab[i].val); return 1; }
    return 0;
}
static int px_gc(lua_State *L) { decref(((proxy *)luaL_checkudata(L, 1, "sharedata"))->obj); return 0; }
static int l_query(lua_State *L) { /* sharedata.query(name): a proxy to the current object */
    proxy *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->obj = current, current->ref++;
    if (luaL_newmetatable(L, "sharedata")) {
        lua_pushcfunction(L, px_index), lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, px_gc), lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return 1;
}

static const char *MAKE = /* the config every service needs: 3000 items */
    "local t = {} for i = 1, 3000 do t['item' .. i .. '_price'] = i * 10 end return t";
static lua_State *new_service(void) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    lua_register(L, "query", l_query);
    return L;
}
static long bytes(lua_State *L) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    return lua_gc(L, LUA_GCCOUNT, 0) * 1024L + lua_gc(L, LUA_GCCOUNTB, 0);
}

int main(void) {
    lua_State *host = new_service(); /* the sharedatad service */
    assert(luaL_dostring(host, MAKE) == LUA_OK);
    current = build(host, 1);
    current->ref = 1; /* the host's own reference */

    /* way 1: every service gets its own copy of the table */
    lua_State *svc[NSVC];
    long base, copy_b = 0, proxy_b = 0;
    for (int i = 0; i < NSVC; i++) {
        svc[i] = new_service();
        assert(luaL_dostring(svc[i], "local x = query('warm-up')") == LUA_OK); /* metatable, chunk machinery */
        base = bytes(svc[i]);
        assert(luaL_dostring(svc[i], "CFG = query('items')") == LUA_OK); /* way 2: a proxy */
        proxy_b += bytes(svc[i]) - base;
        base = bytes(svc[i]);
        assert(luaL_dostring(svc[i], "CFG_COPY = (function() local t = {} for i = 1, 3000 do t['item' .. i .. '_price'] = i * 10 end return t end)()") == LUA_OK);
        copy_b += bytes(svc[i]) - base; /* way 1: a private copy */
        assert(luaL_dostring(svc[i], "CFG_COPY = nil") == LUA_OK);
    }
    printf("%d services, %d config entries: private copies cost %ld KB in Lua heaps, proxies %ld bytes in total\n",
           NSVC, NITEM, copy_b / 1024, proxy_b);
    assert(proxy_b > 0 && proxy_b * 100 < copy_b);
    for (int i = 0; i < NSVC; i++) {
        assert(luaL_dostring(svc[i], "assert(CFG.item42_price == 420 and CFG.item3000_price == 30000 and CFG.nothing == nil)") == LUA_OK);
    }
    printf("version 1 readable from every service; refs on it: %d\n", current->ref);
    assert(current->ref == NSVC + 1);

    /* sharedatad update: build version 2, mark version 1 dirty, drop the host's reference to it */
    lua_settop(host, 0);
    assert(luaL_dostring(host, "local t = {} for i = 1, 3000 do t['item' .. i .. '_price'] = i * 11 end return t") == LUA_OK);
    conf *v1 = current;
    current = build(host, 2);
    current->ref = 1;
    v1->dirty = 1;
    decref(v1);
    int alive_after_half = 0;
    for (int i = 0; i < NSVC; i++) {
        assert(luaL_dostring(svc[i], "assert(CFG.item42_price == 462)") == LUA_OK); /* switches on first access */
        if (i == NSVC / 2 - 1) alive_after_half = freed_versions == 0;
    }
    printf("after update: every service reads version 2 (item42 = 462); version 1 freed after the last proxy moved: %s\n",
           freed_versions == 1 && alive_after_half ? "yes" : "no");
    assert(freed_versions == 1 && alive_after_half && current->ref == NSVC + 1);
    for (int i = 0; i < NSVC; i++) lua_close(svc[i]); /* __gc drops each proxy's reference */
    assert(current->ref == 1);
    decref(current);
    lua_close(host);
    assert(freed_versions == 2);
    return 0;
}
