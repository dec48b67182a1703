// caption: file_server 的两种模式：在线传输时服务器只在收发双方之间中转“拉取请求”和数据块，磁盘零写入；离线传输时先把文件按 32 KB 分段拉到磁盘，发送方下线后接收方再来下载
// point: 在线文件传输机制分析
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum { LOGIN = 1, READY, PULL, DATA, DONE };                  /* frame = u32 len | u8 type | payload */
enum { SENDER = 1, RECEIVER, UPLOADER, DOWNLOADER };
#define SEG 32768
#define FILE_SIZE (1 << 20)

static void wr(int fd, uint8_t type, const void *p, uint32_t n) {
    uint8_t h[5]; uint32_t len = htonl(n + 1);
    memcpy(h, &len, 4); h[4] = type;
    struct iovec v[2] = {{h, 5}, {(void *)p, n}};           /* one syscall: two small writes would meet */
    assert(writev(fd, v, 2) == (ssize_t)(n + 5));           /* Nagle + delayed ACK and stall ~40 ms each */
}
static int rd_full(int fd, void *p, size_t n) {
    for (size_t got = 0; got < n;) { ssize_t k = read(fd, (char *)p + got, n - got); if (k <= 0) return -1; got += (size_t)k; }
    return 0;
}
static int rd(int fd, uint8_t *type, uint8_t *p, uint32_t *n) {      /* p must hold SEG + 8 bytes */
    uint8_t h[5]; uint32_t len;
    if (rd_full(fd, h, 5)) return -1;
    memcpy(&len, h, 4); len = ntohl(len) - 1; *type = h[4];
    assert(len <= SEG + 8); *n = len;
    return rd_full(fd, p, len);
}
static uint64_t fnv(const uint8_t *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* ---- file_server: one thread, poll() over all connections, tasks keyed by task id ---- */
struct task { char id[17]; int from_fd, to_fd, up_fd, file_fd; uint32_t stored, size; const char *state; };
static struct task tasks[2];
static int lfd, port;
static long relayed_bytes, disk_bytes;
static void set_state(struct task *t, const char *s) { __atomic_store_n(&t->state, s, __ATOMIC_SEQ_CST); }
static const char *get_state(struct task *t) { return __atomic_load_n(&t->state, __ATOMIC_SEQ_CST); }
static long get(long *v) { return __atomic_load_n(v, __ATOMIC_SEQ_CST); }
static struct task *find(const char *id) {
    for (int i = 0; i < 2; i++) if (strcmp(tasks[i].id, id) == 0) return &tasks[i];
    return NULL;
}
static void pull_next_segment(struct task *t) {            /* offline: the server itself pulls from the uploader */
    uint32_t req[2] = {t->stored, t->size - t->stored < SEG ? t->size - t->stored : SEG};
    wr(t->up_fd, PULL, req, sizeof req);
}
static void *file_server(void *arg) {
    (void)arg;
    struct pollfd pf[16] = {{.fd = lfd, .events = POLLIN}};
    int nfds = 1, finished = 0, role[1024] = {0}; struct task *of[1024] = {0};
    uint8_t *buf = malloc(SEG + 8);
    for (int rounds = 0; rounds < 100000; rounds++) {
        assert(poll(pf, (nfds_t)nfds, 5000) > 0);
        if (pf[0].revents & POLLIN) { pf[nfds].fd = accept(lfd, NULL, NULL); pf[nfds++].events = POLLIN; }
        for (int i = 1; i < nfds; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP))) continue;
            int fd = pf[i].fd; uint8_t type; uint32_t n;
            if (rd(fd, &type, buf, &n)) {                    /* a peer left */
                if (role[fd] == RECEIVER) wr(of[fd]->from_fd, DONE, NULL, 0);   /* release the sender */
                if (role[fd] == DOWNLOADER) { set_state(of[fd], "done"); finished = 1; }
                role[fd] = 0; close(fd); pf[i] = pf[--nfds]; i--; continue;
            }
            if (type == LOGIN) {                              /* payload: role byte + 16-char task id */
                buf[n] = 0; struct task *t = find((char *)buf + 1); assert(t);
                role[fd] = buf[0]; of[fd] = t;
                if (role[fd] == SENDER) t->from_fd = fd;
                if (role[fd] == RECEIVER) t->to_fd = fd;
                if (role[fd] == UPLOADER) { t->up_fd = fd; set_state(t, "uploading"); pull_next_segment(t); }
                if (role[fd] == DOWNLOADER) { set_state(t, "downloading"); wr(fd, READY, NULL, 0); }
                if (t->from_fd && t->to_fd) { set_state(t, "transferring"); wr(t->to_fd, READY, NULL, 0); }
            } else if (type == PULL && role[fd] == RECEIVER) { /* online: pass the request to the sender */
                wr(of[fd]->from_fd, PULL, buf, n);
            } else if (type == PULL && role[fd] == DOWNLOADER) {  /* offline: answer from disk */
                uint32_t req[2]; memcpy(req, buf, 8);
                memcpy(buf, &req[0], 4);
                assert(pread(of[fd]->file_fd, buf + 4, req[1], req[0]) == (ssize_t)req[1]);
                wr(fd, DATA, buf, req[1] + 4);
            } else if (type == DATA && role[fd] == SENDER) {   /* online: pass the block to the receiver */
                __atomic_add_fetch(&relayed_bytes, n - 4, __ATOMIC_SEQ_CST); wr(of[fd]->to_fd, DATA, buf, n);
            } else if (type == DATA && role[fd] == UPLOADER) { /* offline: append the segment to the file */
                struct task *t = of[fd]; uint32_t off; memcpy(&off, buf, 4);
                assert(off == t->stored && pwrite(t->file_fd, buf + 4, n - 4, off) == (ssize_t)(n - 4));
                t->stored += n - 4; __atomic_add_fetch(&disk_bytes, n - 4, __ATOMIC_SEQ_CST);
                if (t->stored < t->size) pull_next_segment(t);
                else { set_state(t, "stored"); fsync(t->file_fd); wr(fd, DONE, NULL, 0); }
            }
        }
        if (finished && nfds == 1) break;
    }
    free(buf);
    return NULL;
}

/* ---- clients ---- */
static uint8_t *file;
static int dial(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}
static int login(int r, const char *id) {
    int fd = dial(); uint8_t p[20]; p[0] = (uint8_t)r; memcpy(p + 1, id, 16);
    wr(fd, LOGIN, p, 17);
    return fd;
}
static void serve_pulls(int fd) {                   /* sender / uploader: answer PULLs until told to stop */
    uint8_t *buf = malloc(SEG + 8), type; uint32_t n, req[2];
    while (rd(fd, &type, buf, &n) == 0 && type == PULL) {
        memcpy(req, buf, 8);
        memcpy(buf, &req[0], 4); memcpy(buf + 4, file + req[0], req[1]);
        wr(fd, DATA, buf, req[1] + 4);
    }
    free(buf);
}
static void *sender(void *id) { int fd = login(SENDER, id); serve_pulls(fd); close(fd); return NULL; }
static uint64_t download(int fd) {                  /* receiver / downloader: wait READY, pull every block */
    uint8_t *buf = malloc(SEG + 8), *got = malloc(FILE_SIZE), type; uint32_t n;
    assert(rd(fd, &type, buf, &n) == 0 && type == READY);
    for (uint32_t off = 0; off < FILE_SIZE; off += SEG) {
        uint32_t req[2] = {off, SEG};
        wr(fd, PULL, req, 8);
        assert(rd(fd, &type, buf, &n) == 0 && type == DATA && n == SEG + 4);
        memcpy(got + off, buf + 4, SEG);
    }
    uint64_t h = fnv(got, FILE_SIZE);
    free(buf); free(got);
    return h;
}

int main(void) {
    file = malloc(FILE_SIZE);
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < FILE_SIZE; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; file[i] = (uint8_t)x; }
    uint64_t want = fnv(file, FILE_SIZE);
    mkdir("offline", 0700);
    tasks[0] = (struct task){.id = "task-online-0001", .size = FILE_SIZE, .state = "waiting"};
    tasks[1] = (struct task){.id = "task-offline-002", .size = FILE_SIZE, .state = "waiting"};
    tasks[1].file_fd = open("offline/task-offline-002", O_RDWR | O_CREAT | O_TRUNC, 0600);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET}; socklen_t al = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 16) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al); port = ntohs(a.sin_port);
    pthread_t srv, snd;
    pthread_create(&srv, NULL, file_server, NULL);

    pthread_create(&snd, NULL, sender, "task-online-0001");   /* online: both ends connected at once */
    int r = login(RECEIVER, "task-online-0001");
    uint64_t h = download(r);
    close(r); pthread_join(snd, NULL);
    printf("online : %d KB relayed sender -> server -> receiver, %ld bytes written to the server's disk, hash %s\n",
           FILE_SIZE / 1024, get(&disk_bytes), h == want ? "matches" : "DIFFERS");
    assert(h == want && get(&relayed_bytes) == FILE_SIZE && get(&disk_bytes) == 0);

    int up = login(UPLOADER, "task-offline-002");           /* offline: upload, go away, download later */
    serve_pulls(up);
    close(up);
    struct stat st; fstat(tasks[1].file_fd, &st);
    printf("offline: uploader pulled in %d segments of %d KB, state '%s', file on disk %lld bytes, uploader gone\n",
           FILE_SIZE / SEG, SEG / 1024, get_state(&tasks[1]), (long long)st.st_size);
    assert(st.st_size == FILE_SIZE && get(&disk_bytes) == FILE_SIZE);
    int d = login(DOWNLOADER, "task-offline-002");
    h = download(d);
    close(d); pthread_join(srv, NULL);              /* the server ends once the download is over */
    printf("offline: downloader got %d KB from disk, hash %s\n", FILE_SIZE / 1024, h == want ? "matches" : "DIFFERS");
    assert(h == want);
    close(tasks[1].file_fd); unlink("offline/task-offline-002"); rmdir("offline"); close(lfd); free(file);
    return 0;
}
