// caption: socketchannel 的两种模式（Lua 协程 + C socket）：服务端乱序应答时，session 模式按会话号唤醒协程全部正确，order 模式按先后唤醒就张冠李戴；服务端按序应答时 order 模式才成立
// point: socket/socketchannel封装
// libs: lua5.4
// timeout: 15
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int lfd, cfd;

static int readline(int fd, char *buf, int cap) { /* tiny byte-at-a-time reader: fine for a demo */
    int n = 0;
    while (n < cap - 1) {
        char ch;
        if (read(fd, &ch, 1) != 1) return -1;
        if (ch == '\n') break;
        buf[n++] = ch;
    }
    buf[n] = 0;
    return n;
}

static void *server(void *arg) { /* "sid payload" -> "sid PAYLOAD"; batches of 4, answered in reverse if shuffled */
    int shuffle = (int)(long)arg, fd = accept(lfd, NULL, NULL);
    char req[4][64], line[64];
    for (int batch = 0; batch < 2; batch++) {
        for (int i = 0; i < 4; i++) assert(readline(fd, req[i], sizeof req[i]) > 0);
        for (int k = 0; k < 4; k++) {
            char *r = req[shuffle ? 3 - k : k];
            for (char *p = strchr(r, ' '); p && *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            int n = snprintf(line, sizeof line, "%s\n", r);
            assert(write(fd, line, (size_t)n) == n);
        }
    }
    close(fd);
    return NULL;
}

static int l_send(lua_State *L) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    assert(write(cfd, s, n) == (ssize_t)n);
    return 0;
}
static int l_readline(lua_State *L) {
    char buf[64];
    if (readline(cfd, buf, sizeof buf) < 0) return 0;
    lua_pushstring(L, buf);
    return 1;
}

static const char *CHANNEL =
    "local mode = ...\n"
    "local session, waiting, queue, results = 0, {}, {}, {}\n"
    "local function request(payload)          -- called inside a coroutine\n"
    "  session = session + 1\n"
    "  c.send(session .. ' ' .. payload .. '\\n')\n"
    "  if mode == 'session' then waiting[session] = coroutine.running()\n"
    "  else queue[#queue + 1] = coroutine.running() end\n"
    "  return coroutine.yield()                 -- suspended until the dispatcher resumes us\n"
    "end\n"
    "for i = 1, 8 do                            -- 8 concurrent callers, like 8 skynet.fork\n"
    "  local co = coroutine.create(function(p)\n"
    "    local reply = request(p)\n"
    "    results[#results + 1] = (reply == p:upper())\n"
    "  end)\n"
    "  coroutine.resume(co, 'req' .. string.char(96 + i))\n"
    "end\n"
    "for line in c.readline do                  -- the dispatch loop reading the socket\n"
    "  local sid, body = line:match('^(%d+) (.*)$')\n"
    "  local co\n"
    "  if mode == 'session' then co = waiting[tonumber(sid)]; waiting[tonumber(sid)] = nil\n"
    "  else co = table.remove(queue, 1) end\n"
    "  assert(coroutine.resume(co, body))\n"
    "end\n"
    "local ok = 0\n"
    "for _, r in ipairs(results) do if r then ok = ok + 1 end end\n"
    "return ok\n";

static int run(const char *mode, int shuffle) {
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 1) == 0);
    assert(getsockname(lfd, (struct sockaddr *)&a, &alen) == 0);
    pthread_t t;
    pthread_create(&t, NULL, server, (void *)(long)shuffle);
    cfd = socket(AF_INET, SOCK_STREAM, 0);
    assert(connect(cfd, (struct sockaddr *)&a, sizeof a) == 0);

    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_Reg fns[] = {{"send", l_send}, {"readline", l_readline}, {NULL, NULL}};
    luaL_newlib(L, fns);
    lua_setglobal(L, "c");
    assert(luaL_loadstring(L, CHANNEL) == LUA_OK);
    lua_pushstring(L, mode);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) { fprintf(stderr, "%s\n", lua_tostring(L, -1)); assert(0); }
    int ok = (int)lua_tointeger(L, -1);
    lua_close(L);
    pthread_join(t, NULL);
    close(cfd), close(lfd);
    printf("%-7s mode, server answers %-9s: %d of 8 callers got their own reply\n", mode,
           shuffle ? "shuffled" : "in order", ok);
    return ok;
}

int main(void) {
    assert(run("session", 1) == 8);
    assert(run("order", 1) < 8); /* the replies go to the wrong coroutines */
    assert(run("order", 0) == 8);
    return 0;
}
