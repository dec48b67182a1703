// caption: 用 Debian 的 wrk 4.1 压测自己写的 epoll HTTP 服务器：1 线程 1 连接对比 2 线程 64 连接的延迟分布，再用 wrk -s 的 Lua 脚本发 POST
// point: Http压测工具 WRK
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXC 1024
static int lfd, port;
static atomic_int stop;
static long n_get, n_post;
static char buf[MAXC][4096];
static size_t used[MAXC];
static char is_open[MAXC];

static void handle(int ep, int fd) { /* keep-alive HTTP/1.1: answer every complete request in the buffer */
    ssize_t n = read(fd, buf[fd] + used[fd], sizeof buf[fd] - used[fd]);
    if (n <= 0) { epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL); close(fd); used[fd] = 0; is_open[fd] = 0; return; }
    used[fd] += (size_t)n;
    for (;;) {
        char *end = memmem(buf[fd], used[fd], "\r\n\r\n", 4);
        if (!end) return;
        size_t len = (size_t)(end + 4 - buf[fd]), body = 0;
        char *cl = memmem(buf[fd], len, "Content-Length: ", 16);
        if (cl) body = strtoul(cl + 16, NULL, 10);
        if (used[fd] < len + body) return;                 /* body not complete yet */
        if (memcmp(buf[fd], "POST", 4) == 0) n_post++; else n_get++;
        static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        assert(write(fd, resp, sizeof resp - 1) == (ssize_t)(sizeof resp - 1));
        memmove(buf[fd], buf[fd] + len + body, used[fd] - len - body);
        used[fd] -= len + body;
    }
}

static void *server(void *arg) {
    (void)arg;
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[64];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    while (!atomic_load(&stop)) {
        int k = epoll_wait(ep, evs, 64, 100);
        for (int i = 0; i < k; i++) {
            int fd = evs[i].data.fd;
            if (fd != lfd) { handle(ep, fd); continue; }
            int c = accept(lfd, NULL, NULL);
            if (c < 0) continue;
            if (c >= MAXC) { close(c); continue; }
            ev.data.fd = c;
            is_open[c] = 1;
            epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
        }
    }
    for (int fd = 0; fd < MAXC; fd++) if (is_open[fd]) close(fd);
    close(ep);
    return NULL;
}

static double field(const char *out, const char *key) { /* "50%  1.23ms" -> microseconds */
    const char *p = strstr(out, key);
    assert(p);
    char unit[8] = "";
    double v;
    assert(sscanf(p + strlen(key), " %lf%7s", &v, unit) == 2);
    if (strcmp(unit, "ms") == 0) v *= 1000; else if (strcmp(unit, "s") == 0) v *= 1e6;
    return v;
}

static void run_wrk(const char *t, const char *c, const char *script, char *out, size_t cap) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    int p[2];
    assert(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        if (script) execlp("wrk", "wrk", t, c, "-d1s", "--latency", "-s", script, url, (char *)NULL);
        else execlp("wrk", "wrk", t, c, "-d1s", "--latency", url, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < cap && (n = read(p[0], out + got, cap - 1 - got)) > 0) got += (size_t)n;
    out[got] = 0;
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void) {
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 512) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin_port);
    FILE *f = fopen("post.lua", "w");
    fputs("wrk.method = \"POST\"\nwrk.body = \"hello atlas\"\n"
          "wrk.headers[\"Content-Type\"] = \"text/plain\"\n"
          "done = function(summary, latency, requests)\n"
          "  io.write(string.format(\"lua done(): requests=%d p99=%dus\\n\",\n"
          "    summary.requests, latency:percentile(99)))\nend\n", f);
    fclose(f);
    pthread_t th;
    pthread_create(&th, NULL, server, NULL);
    static char o1[8192], o2[8192];
    run_wrk("-t1", "-c1", NULL, o1, sizeof o1);
    run_wrk("-t2", "-c64", "post.lua", o2, sizeof o2);
    atomic_store(&stop, 1);
    pthread_join(th, NULL);
    close(lfd);
    double r1 = field(o1, "Requests/sec:"), r2 = field(o2, "Requests/sec:");
    double p50a = field(o1, "50%"), p50b = field(o2, "50%"), p99b = field(o2, "99%");
    long lua_reqs = 0;
    const char *l = strstr(o2, "lua done(): requests=");
    assert(l && sscanf(l, "lua done(): requests=%ld", &lua_reqs) == 1);
    printf("wrk -t1 -c1 : %8.0f req/s  p50 %8.1f us\n", r1, p50a);
    printf("wrk -t2 -c64: %8.0f req/s  p50 %8.1f us  p99 %8.1f us (Lua POST)\n", r2, p50b, p99b);
    printf("server saw %ld GET and %ld POST; Lua done() counted %ld responses\n", n_get, n_post, lua_reqs);
    assert(r1 > 100 && r2 > 100);
    assert(p50b > p50a);          /* 64 requests queue behind one server thread: latency grows */
    assert(p99b >= p50b);
    assert(n_post >= lua_reqs && lua_reqs > 0 && n_get > 0);
    puts("OK: more connections than the server can serve at once raise latency, not just throughput");
    return 0;
}
