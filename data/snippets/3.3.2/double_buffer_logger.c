// caption: C 版双缓冲异步日志（仿 muduo AsyncLogging）：业务线程加锁追加到当前缓冲，写满挂入列表并唤醒；后台线程在锁内只交换指针、锁外一次 write 一批；与每行一次 write 的同步日志比较系统调用次数和吞吐，并验证不满一块的日志在刷新间隔后落盘
// point: 批量写入与双缓冲机制
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUFSZ 4096
#define NBUF 64                                   /* at most this many full buffers may wait */
typedef struct { char data[BUFSZ]; size_t len; } buffer;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv, room;
    buffer *cur, *full[NBUF], *spare[NBUF];
    int nfull, nspare, stop, fd;
    long writes, waits;                           /* back-end write() calls; front-end stalls */
} L = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .room = PTHREAD_COND_INITIALIZER};

static void log_line(const char *s, size_t n) {   /* front end: never touches the file */
    pthread_mutex_lock(&L.mu);
    if (L.cur->len + n > BUFSZ) {                 /* full: hand it over, take a spare */
        while (L.nfull == NBUF) { L.waits++; pthread_cond_wait(&L.room, &L.mu); }   /* overload: block */
        L.full[L.nfull++] = L.cur;
        L.cur = L.nspare ? L.spare[--L.nspare] : calloc(1, sizeof(buffer));
        pthread_cond_signal(&L.cv);
    }
    memcpy(L.cur->data + L.cur->len, s, n);
    L.cur->len += n;
    pthread_mutex_unlock(&L.mu);
}

static void *backend(void *arg) {
    (void)arg;
    buffer *batch[NBUF + 1];                      /* the full list plus the current buffer */
    for (;;) {
        pthread_mutex_lock(&L.mu);
        if (!L.nfull && !L.stop) {                /* sleep until a buffer is full or 200 ms pass */
            struct timespec dl;
            clock_gettime(CLOCK_REALTIME, &dl);
            dl.tv_nsec += 200000000;
            if (dl.tv_nsec >= 1000000000) dl.tv_sec++, dl.tv_nsec -= 1000000000;
            pthread_cond_timedwait(&L.cv, &L.mu, &dl);
        }
        int n = L.nfull, stop = L.stop;           /* inside the lock: only pointer moves */
        memcpy(batch, L.full, n * sizeof *batch);
        L.nfull = 0;
        pthread_cond_broadcast(&L.room);
        if (L.cur->len) { batch[n++] = L.cur; L.cur = L.nspare ? L.spare[--L.nspare] : calloc(1, sizeof(buffer)); }
        pthread_mutex_unlock(&L.mu);
        for (int i = 0; i < n; i++) {             /* outside the lock: the slow part */
            assert(write(L.fd, batch[i]->data, batch[i]->len) == (ssize_t)batch[i]->len);
            L.writes++;
            batch[i]->len = 0;
        }
        pthread_mutex_lock(&L.mu);
        for (int i = 0; i < n; i++) {
            if (L.nspare < NBUF) L.spare[L.nspare++] = batch[i]; else free(batch[i]);
        }
        pthread_mutex_unlock(&L.mu);
        if (stop && n == 0) return NULL;          /* stopped and drained */
    }
}

#define THREADS 8
#define LINES 4000
static int sync_fd, use_sync;
static void *producer(void *arg) {
    long id = (long)arg;
    char line[64];
    for (int i = 0; i < LINES; i++) {
        int n = snprintf(line, sizeof line, "T%ld %05d some log text\n", id, i);
        if (use_sync) assert(write(sync_fd, line, n) == n);      /* one system call per line */
        else log_line(line, n);
    }
    return NULL;
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static double run(int sync) {
    pthread_t t[THREADS];
    use_sync = sync;
    double t0 = now();
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, producer, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    return now() - t0;
}

static void verify(const char *path) {            /* each line exactly once, in order within its thread */
    FILE *f = fopen(path, "r");
    int next[THREADS] = {0}, total = 0, id, seq;
    while (fscanf(f, "T%d %d some log text\n", &id, &seq) == 2) { assert(seq == next[id]++); total++; }
    fclose(f);
    assert(total == THREADS * LINES);
}

int main(void) {
    L.fd = open("async.log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    sync_fd = open("sync.log", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    L.cur = calloc(1, sizeof(buffer));
    pthread_t bg;
    pthread_create(&bg, NULL, backend, NULL);
    double ta = run(0);                           /* producers done; the back end may still be writing */
    double ts = run(1);
    log_line("lonely line\n", 12);                /* far from filling a buffer */
    usleep(500000);                               /* > one flush interval */
    char buf[BUFSZ];
    int fd = open("async.log", O_RDONLY);
    off_t size = lseek(fd, 0, SEEK_END);
    assert(pread(fd, buf, 12, size - 12) == 12);
    close(fd);
    assert(!memcmp(buf, "lonely line\n", 12));    /* the timer flushed it */
    pthread_mutex_lock(&L.mu);
    L.stop = 1;
    pthread_cond_signal(&L.cv);
    pthread_mutex_unlock(&L.mu);
    pthread_join(bg, NULL);
    close(L.fd), close(sync_fd);
    verify("sync.log");
    int lines = THREADS * LINES;
    assert(truncate("async.log", size - 12) == 0); /* drop the lonely line, then check the rest */
    verify("async.log");
    printf("%d threads x %d lines\n", THREADS, LINES);
    printf("  async double buffer: %6ld write() calls, producers took %5.1f ms (%.0f lines/s)\n", L.writes,
           ta * 1e3, lines / ta);
    printf("  one write() per line: %5d write() calls, producers took %5.1f ms (%.0f lines/s)\n", lines, ts * 1e3,
           lines / ts);
    printf("  a single short line reached the file within one 200 ms flush interval; "
           "producers blocked %ld times on a full queue\n", L.waits);
    assert(L.writes < lines / 20 && ta < ts);
    for (int i = 0; i < L.nspare; i++) free(L.spare[i]);
    free(L.cur);
    return 0;
}
