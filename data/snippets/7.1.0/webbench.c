// caption: webbench 的做法自己写一遍：fork N 个客户端进程，alarm 定时 1 秒，每个请求一条新连接（HTTP/1.0），结果经管道汇总给父进程
// point: 网站压测工具 webbench
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char RESP[] = "HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nhello atlas\n";
static volatile sig_atomic_t expired;
static void on_alarm(int s) { (void)s; expired = 1; }

static void serve(int lfd) { /* one process, one request per connection, server closes first */
    for (;;) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0) continue;
        char req[1024];
        size_t got = 0;
        ssize_t n;
        while (got < sizeof req && (n = read(c, req + got, sizeof req - got)) > 0) {
            got += (size_t)n;
            if (memmem(req, got, "\r\n\r\n", 4)) break;
        }
        if (write(c, RESP, sizeof RESP - 1) < 0) { /* client gone: ignore */ }
        close(c);
    }
}

static void client(int port, int out) { /* the child: loop until SIGALRM, count successes, failures, bytes */
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: a blocked read returns EINTR */
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    long speed = 0, failed = 0, bytes = 0;
    const char req[] = "GET / HTTP/1.0\r\nUser-Agent: atlas-bench\r\n\r\n";
    while (!expired) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
            write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1)) {
            if (!expired) failed++;
            if (fd >= 0) close(fd);
            continue;
        }
        char b[256];
        ssize_t n, total = 0;
        while ((n = read(fd, b, sizeof b)) > 0) total += n;
        close(fd);
        if (n < 0) { if (!expired) failed++; continue; }
        speed++;
        bytes += total;
    }
    char line[96];
    int len = snprintf(line, sizeof line, "%ld %ld %ld\n", speed, failed, bytes);
    assert(write(out, line, (size_t)len) == len); /* < PIPE_BUF: atomic, lines never interleave */
    _exit(0);
}

static void bench(int port, int nclients) {
    int p[2];
    assert(pipe(p) == 0);
    pid_t kids[64];
    for (int i = 0; i < nclients; i++)
        if ((kids[i] = fork()) == 0) { close(p[0]); client(port, p[1]); }
    close(p[1]);
    FILE *f = fdopen(p[0], "r");
    long s, fl, b, speed = 0, failed = 0, bytes = 0;
    int lines = 0;
    while (fscanf(f, "%ld %ld %ld", &s, &fl, &b) == 3) { speed += s; failed += fl; bytes += b; lines++; }
    fclose(f);
    for (int i = 0; i < nclients; i++) waitpid(kids[i], NULL, 0);
    printf("clients=%d  speed=%ld pages/min, %ld bytes/sec  requests: %ld succeeded, %ld failed\n",
           nclients, speed * 60, bytes, speed, failed);
    assert(lines == nclients);                      /* every child reported through the pipe */
    assert(speed > 0 && failed == 0);
    assert(bytes == speed * (long)(sizeof RESP - 1)); /* each success read the whole response */
}

int main(void) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 1024) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    pid_t srv = fork();
    if (srv == 0) serve(lfd);
    close(lfd);
    bench(ntohs(a.sin_port), 1);
    bench(ntohs(a.sin_port), 8);
    kill(srv, SIGTERM);
    waitpid(srv, NULL, 0);
    puts("OK: N forked clients, fixed duration, totals summed from the pipe");
    return 0;
}
