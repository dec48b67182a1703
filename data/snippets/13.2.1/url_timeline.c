// caption: 一次 HTTPS 请求的全程时间线，全部跑在自建的网络命名空间里：glibc 的 getaddrinfo 向本程序写的 DNS 服务器（127.0.0.1:53）查 A 记录，TCP 连 443，OpenSSL 与真实 nginx 做 TLS 握手并校验证书，nginx 反向代理到后端线程；分段计时并打印 nginx 自己记下的 upstream 时间
// point: DNS 解析
// timeout: 30
// needs: nginx, root
// libs: openssl
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed line %d: %s (%s)\n", __LINE__, #c, strerror(errno)); exit(1); } } while (0)
static pid_t nginx_pid;
static int dns_queries;
static char dns_name[256];

static void stop_nginx(void) { if (nginx_pid > 0) { kill(nginx_pid, SIGQUIT); waitpid(nginx_pid, NULL, 0); nginx_pid = 0; } }
static double ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static int listen_on(int type, int port) {
    int s = socket(AF_INET, type, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    if (type == SOCK_STREAM) CHECK(listen(s, 16) == 0);
    return s;
}

static void *dns_server(void *arg) { /* RFC 1035 4.1: header, question, answer */
    int s = *(int *)arg;
    for (;;) {
        unsigned char q[512], *p = q + 12;
        struct sockaddr_in peer;
        socklen_t pl = sizeof peer;
        ssize_t n = recvfrom(s, q, sizeof q, 0, (struct sockaddr *)&peer, &pl);
        if (n < 17) continue;
        char *out = dns_name;
        while (*p && p < q + n - 5) { memcpy(out, p + 1, *p); out += *p; *out++ = '.'; p += *p + 1; } /* labels */
        out[-1] = 0;
        int qtype = p[1] << 8 | p[2];
        unsigned char *end = p + 5;
        __atomic_add_fetch(&dns_queries, 1, __ATOMIC_SEQ_CST);
        q[2] = 0x81; q[3] = 0x80;                /* QR=1, RD copied, RA=1, RCODE=0 */
        q[6] = 0; q[7] = qtype == 1;             /* ANCOUNT: one A record, none for other types */
        q[8] = q[9] = q[10] = q[11] = 0;
        if (qtype == 1) {                        /* name = pointer to offset 12, A, IN, TTL 60, 127.0.0.1 */
            unsigned char rr[] = {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
            memcpy(end, rr, sizeof rr);
            end += sizeof rr;
        }
        sendto(s, q, end - q, 0, (struct sockaddr *)&peer, pl);
    }
    return NULL;
}

static void *backend(void *arg) { /* the application server behind nginx, HTTP/1.1 keep-alive */
    int ls = *(int *)arg;
    for (;;) {
        int c = accept(ls, NULL, NULL);
        char buf[4096];
        size_t got = 0;
        ssize_t k;
        while ((k = read(c, buf + got, sizeof buf - 1 - got)) > 0) {
            got += k;
            buf[got] = 0;
            char *e;
            while ((e = strstr(buf, "\r\n\r\n"))) { /* one complete request (no body) */
                const char *r = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nhello atlas\n";
                CHECK(write(c, r, strlen(r)) == (ssize_t)strlen(r));
                got -= e + 4 - buf;
                memmove(buf, e + 4, got + 1);
            }
        }
        close(c);
    }
    return NULL;
}

static double request(SSL *ssl, char *resp, size_t cap) {
    const char *req = "GET /item/7 HTTP/1.1\r\nHost: shop.atlas.test\r\n\r\n";
    double t = ms();
    CHECK(SSL_write(ssl, req, strlen(req)) == (int)strlen(req));
    size_t got = 0;
    while (!strstr(resp, "hello atlas\n")) { int k = SSL_read(ssl, resp + got, cap - 1 - got); CHECK(k > 0); got += k; resp[got] = 0; }
    return ms() - t;
}

int main(void) {
    char cwd[512], path[600];
    CHECK(getcwd(cwd, sizeof cwd));
    CHECK(unshare(CLONE_NEWNET | CLONE_NEWNS) == 0);          /* private lo and a private view of /etc */
    CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
    struct ifreq ifr = {.ifr_name = "lo", .ifr_flags = IFF_UP | IFF_RUNNING};
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(ioctl(fd, SIOCSIFFLAGS, &ifr) == 0);
    close(fd);
    FILE *f = fopen("resolv.conf", "w");
    fprintf(f, "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n");
    fclose(f);
    snprintf(path, sizeof path, "%s/resolv.conf", cwd);
    CHECK(mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL) == 0); /* only inside this mount namespace */
    CHECK(system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem"
                 " -days 1 -subj /CN=shop.atlas.test -addext subjectAltName=DNS:shop.atlas.test 2>/dev/null") == 0);
    int dns = listen_on(SOCK_DGRAM, 53), app = listen_on(SOCK_STREAM, 8080);
    pthread_t t1, t2;
    pthread_create(&t1, NULL, dns_server, &dns);
    pthread_create(&t2, NULL, backend, &app);
    f = fopen("nginx.conf", "w");
    fprintf(f, "error_log stderr warn; pid nginx.pid; worker_processes 1; events { worker_connections 64; }\n"
               "http { log_format t '$ssl_protocol rt=$request_time up_connect=$upstream_connect_time"
               " up_response=$upstream_response_time conn_reqs=$connection_requests';\n"
               " access_log access.log t; client_body_temp_path tmp; proxy_temp_path tmp;\n"
               " upstream app { server 127.0.0.1:8080; keepalive 4; }\n"
               " server { listen 127.0.0.1:443 ssl; ssl_certificate cert.pem; ssl_certificate_key key.pem;\n"
               "  ssl_protocols TLSv1.2 TLSv1.3; # 1.22's default list stops at TLSv1.2\n"
               "  location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }\n");
    fclose(f);
    atexit(stop_nginx);
    if ((nginx_pid = fork()) == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execl(getenv("ATLAS_NGINX"), "nginx", "-p", cwd, "-c", "nginx.conf", "-g", "daemon off;", (char *)NULL);
        _exit(127);
    }
    struct sockaddr_in probe = {.sin_family = AF_INET, .sin_port = htons(443), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0, s; i < 100; i++, usleep(50000)) { /* wait until nginx listens */
        s = socket(AF_INET, SOCK_STREAM, 0);
        int ok = connect(s, (struct sockaddr *)&probe, sizeof probe) == 0;
        close(s);
        if (ok) break;
        CHECK(i < 99);
    }

    double t0 = ms();
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    CHECK(getaddrinfo("shop.atlas.test", "443", &hints, &ai) == 0);      /* glibc stub resolver -> our server */
    double t_dns = ms();
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(connect(s, ai->ai_addr, ai->ai_addrlen) == 0);                  /* SYN, SYN-ACK, ACK */
    double t_tcp = ms();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    CHECK(SSL_CTX_load_verify_locations(ctx, "cert.pem", NULL) == 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, s);
    SSL_set_tlsext_host_name(ssl, "shop.atlas.test");                     /* SNI */
    SSL_set1_host(ssl, "shop.atlas.test");                                /* certificate must name it */
    CHECK(SSL_connect(ssl) == 1);
    double t_tls = ms();
    char r1[4096] = "", r2[4096] = "";
    double http1 = request(ssl, r1, sizeof r1), http2 = request(ssl, r2, sizeof r2);
    printf("DNS server saw %d query, name %s -> 127.0.0.1\n", dns_queries, dns_name);
    printf("TLS: %s %s, certificate verified: %s\n", SSL_get_version(ssl), SSL_get_cipher(ssl),
           SSL_get_verify_result(ssl) == X509_V_OK ? "yes" : "no");
    printf("timeline (ms): dns %.2f | tcp %.2f | tls %.2f | 1st http %.2f | 2nd http, same connection %.2f\n",
           t_dns - t0, t_tcp - t_dns, t_tls - t_tcp, http1, http2);
    printf("status line: %.15s\n", r1);
    CHECK(dns_queries >= 1 && strcmp(dns_name, "shop.atlas.test") == 0);
    CHECK(strncmp(r1, "HTTP/1.1 200", 12) == 0 && strstr(r2, "hello atlas"));
    CHECK(SSL_get_verify_result(ssl) == X509_V_OK && SSL_version(ssl) == TLS1_3_VERSION);
    CHECK(t_tls - t_tcp > t_tcp - t_dns);    /* key exchange + signature cost more than the 3-way handshake */
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(s);
    freeaddrinfo(ai);
    stop_nginx();
    f = fopen("access.log", "r");
    char line[256];
    printf("nginx access.log:\n");
    int lines = 0;
    while (f && fgets(line, sizeof line, f)) { printf("  %s", line); lines++; }
    if (f) fclose(f);
    CHECK(lines == 2);
    printf("ok\n");
    return 0;
}
