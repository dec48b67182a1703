// caption: C 写的 FastCGI 应答器（逐字节解析 FastCGI 记录，不用 libfcgi）放在真实 nginx 后面：HTTP 上传经 fastcgi_pass 存成 FastDFS 式文件 ID，下载由 nginx 直接读本地文件（含 Range）
// point: nginx-fastcgi-fastdfs如何实现上传下载
// timeout: 30
// needs: nginx
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed line %d: %s (%s)\n", __LINE__, #c, strerror(errno)); exit(1); } } while (0)
enum { BEGIN_REQUEST = 1, END_REQUEST = 3, PARAMS = 4, STDIN = 5, STDOUT = 6 };

static char dir[64];
static pid_t nginx_pid;
static int stdin_records, param_pairs, begin_role = -1;
static char method[16], content_length[16];

static void cleanup(void) {
    if (nginx_pid > 0) { kill(nginx_pid, SIGQUIT); waitpid(nginx_pid, NULL, 0); }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

static void read_full(int fd, void *buf, size_t n) {
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        CHECK(r > 0);
        got += r;
    }
}

static void write_record(int fd, int type, const void *data, uint16_t len) {
    unsigned char h[8] = {1, (unsigned char)type, 0, 1, len >> 8, len & 0xFF, 0, 0};  /* version 1, request id 1 */
    CHECK(write(fd, h, 8) == 8 && (len == 0 || write(fd, data, len) == len));
}

static size_t nv_len(const unsigned char **p) {       /* 1 byte if < 128, else 4 bytes with the top bit set */
    size_t n = **p;
    if (n & 0x80) { n = ((size_t)((*p)[0] & 0x7F) << 24) | (*p)[1] << 16 | (*p)[2] << 8 | (*p)[3]; *p += 4; }
    else *p += 1;
    return n;
}

static uint32_t crc32(const unsigned char *d, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) { c ^= d[i]; for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1)); }
    return ~c;
}

static void serve_one(int c) {
    unsigned char h[8], rec[65536 + 256], *body = NULL;
    size_t body_len = 0;
    for (int done = 0; !done;) {                       /* records: 8-byte header, content, padding */
        read_full(c, h, 8);
        size_t len = h[4] << 8 | h[5], pad = h[6];
        read_full(c, rec, len + pad);
        if (h[1] == BEGIN_REQUEST) begin_role = rec[0] << 8 | rec[1];
        else if (h[1] == PARAMS) {
            for (const unsigned char *p = rec; p < rec + len; param_pairs++) {
                size_t nl = nv_len(&p), vl = nv_len(&p);
                if (nl == 14 && !memcmp(p, "REQUEST_METHOD", 14)) snprintf(method, sizeof method, "%.*s", (int)vl, p + nl);
                if (nl == 14 && !memcmp(p, "CONTENT_LENGTH", 14)) snprintf(content_length, sizeof content_length, "%.*s", (int)vl, p + nl);
                p += nl + vl;
            }
        } else if (h[1] == STDIN) {
            if (len == 0) done = 1;                    /* an empty STDIN record ends the body */
            else { stdin_records++; body = realloc(body, body_len + len); CHECK(body); memcpy(body + body_len, rec, len); body_len += len; }
        }
    }
    uint32_t raw[5] = {htonl(100001), htonl((uint32_t)time(NULL)), htonl((uint32_t)rand()), htonl((uint32_t)body_len),
                       htonl(crc32(body, body_len))};
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char name[32], path[160], out[256];
    const unsigned char *r = (const unsigned char *)raw;
    int bits = 0, n = 0;
    uint32_t acc = 0;
    for (int i = 0; i < 20; i++) { acc = acc << 8 | r[i]; bits += 8; while (bits >= 6) name[n++] = B64[(acc >> (bits -= 6)) & 63]; }
    name[n++] = B64[(acc << (6 - bits)) & 63], name[n] = 0;
    unsigned sub = crc32((unsigned char *)name, n);
    snprintf(path, sizeof path, "%s/store/%02X/%02X", dir, sub >> 8 & 0xFF, sub & 0xFF);
    char mk[200];
    snprintf(mk, sizeof mk, "mkdir -p %s", path);
    CHECK(system(mk) == 0);
    snprintf(path + strlen(path), sizeof path - strlen(path), "/%s.bin", name);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(body, 1, body_len, f) == body_len && fclose(f) == 0);
    int m = snprintf(out, sizeof out, "Status: 200 OK\r\nContent-Type: application/json\r\n\r\n"
                     "{\"file_id\":\"group1/M00/%02X/%02X/%s.bin\"}", sub >> 8 & 0xFF, sub & 0xFF, name);
    write_record(c, STDOUT, out, m);
    write_record(c, STDOUT, NULL, 0);
    unsigned char end[8] = {0};                        /* appStatus 0, FCGI_REQUEST_COMPLETE */
    write_record(c, END_REQUEST, end, 8);
    free(body);
}

static void *responder(void *arg) {
    int ls = *(int *)arg;
    struct pollfd pf = {.fd = ls, .events = POLLIN};
    CHECK(poll(&pf, 1, 5000) == 1);                    /* never wait forever for nginx */
    int c = accept(ls, NULL, NULL);
    CHECK(c >= 0);
    serve_one(c);
    close(c);
    return NULL;
}

static size_t http(int port, const char *head, const void *body, size_t blen, char *resp, size_t cap) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(s, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK(write(s, head, strlen(head)) == (ssize_t)strlen(head) && (blen == 0 || write(s, body, blen) == (ssize_t)blen));
    size_t got = 0;
    for (ssize_t r; got < cap - 1 && (r = read(s, resp + got, cap - 1 - got)) > 0;) got += r;
    resp[got] = 0;
    close(s);
    return got;
}

int main(void) {
    const char *ng = getenv("ATLAS_NGINX") ? getenv("ATLAS_NGINX") : "nginx";
    strcpy(dir, "/tmp/fcgiXXXXXX");
    CHECK(mkdtemp(dir) && chmod(dir, 0755) == 0);     /* nginx workers may run as another user */
    atexit(cleanup);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    snprintf(un.sun_path, sizeof un.sun_path, "%s/fcgi.sock", dir);
    CHECK(bind(ls, (struct sockaddr *)&un, sizeof un) == 0 && chmod(un.sun_path, 0777) == 0 && listen(ls, 16) == 0);
    int ps = socket(AF_INET, SOCK_STREAM, 0);          /* a free port for nginx */
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    CHECK(bind(ps, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(ps, (struct sockaddr *)&a, &al) == 0);
    int port = ntohs(a.sin_port);
    close(ps);
    char conf[256];
    snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
    FILE *f = fopen(conf, "w");
    CHECK(f);
    fprintf(f, "worker_processes 1; pid nginx.pid; error_log stderr error; events { worker_connections 64; }\n"
               "http { access_log off; client_max_body_size 10m; client_body_temp_path body; fastcgi_temp_path fcgi;\n"
               " proxy_temp_path proxy; uwsgi_temp_path uwsgi; scgi_temp_path scgi;\n"
               " server { listen 127.0.0.1:%d;\n"
               "  location = /upload { fastcgi_pass unix:%s; fastcgi_param REQUEST_METHOD $request_method;\n"
               "   fastcgi_param CONTENT_LENGTH $content_length; fastcgi_param REQUEST_URI $request_uri; }\n"
               "  location /group1/M00/ { alias %s/store/; } } }\n", port, un.sun_path, dir);
    CHECK(fclose(f) == 0);
    fflush(stdout);
    if ((nginx_pid = fork()) == 0) {
        execl(ng, ng, "-p", dir, "-e", "stderr", "-c", conf, "-g", "daemon off;", (char *)NULL);
        _exit(127);
    }
    char resp[300000];
    int up = 0;
    for (int i = 0; i < 100 && !up; i++) {             /* wait until nginx listens: at most 5 s */
        int s = socket(AF_INET, SOCK_STREAM, 0);
        a.sin_port = htons(port);
        up = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
        close(s);
        if (!up) usleep(50000);
    }
    CHECK(up);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, responder, &ls) == 0);
    static unsigned char file[200000];
    for (size_t i = 0; i < sizeof file; i++) file[i] = (unsigned char)(i * 131 + 7);
    char head[256];
    snprintf(head, sizeof head, "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", sizeof file);
    http(port, head, file, sizeof file, resp, sizeof resp);
    CHECK(pthread_join(t, NULL) == 0);
    printf("responder saw: BEGIN_REQUEST role=%d (1=RESPONDER), %d params, REQUEST_METHOD=%s CONTENT_LENGTH=%s, "
           "%d STDIN records\n", begin_role, param_pairs, method, content_length, stdin_records);
    CHECK(begin_role == 1 && !strcmp(method, "POST") && atoi(content_length) == (int)sizeof file && stdin_records >= 4);
    char *p = strstr(resp, "\"file_id\":\""), id[128];
    CHECK(strstr(resp, "HTTP/1.1 200") && p && strchr(p + 11, '"'));
    snprintf(id, sizeof id, "%.*s", (int)(strchr(p + 11, '"') - (p + 11)), p + 11);
    printf("upload -> %s\n", id);
    snprintf(head, sizeof head, "GET /%s HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", id);
    size_t n = http(port, head, NULL, 0, resp, sizeof resp);
    char *b = strstr(resp, "\r\n\r\n") + 4;
    CHECK(strstr(resp, "HTTP/1.1 200") && n - (b - resp) == sizeof file && !memcmp(b, file, sizeof file));
    printf("download by nginx (static, no FastCGI): %zu bytes identical\n", sizeof file);
    snprintf(head, sizeof head, "GET /%s HTTP/1.1\r\nHost: a\r\nRange: bytes=1000-1099\r\nConnection: close\r\n\r\n", id);
    n = http(port, head, NULL, 0, resp, sizeof resp);
    b = strstr(resp, "\r\n\r\n") + 4;
    CHECK(strstr(resp, "HTTP/1.1 206") && n - (b - resp) == 100 && !memcmp(b, file + 1000, 100));
    puts("Range: bytes=1000-1099 -> 206 Partial Content, 100 bytes identical");
    return 0;
}
