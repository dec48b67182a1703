// caption: 页面回收（需 root）：在限额 32 MiB 的内存 cgroup 里顺序读 96 MiB 文件，读得完——干净的文件页被回收，mincore 显示留在页缓存里的是最后读的那部分（LRU）；同一 cgroup 里写 64 MiB 匿名内存，本机没有 swap，无处可回收，进程被 OOM 杀死
// point: 页面回收与 swap
// timeout: 30
// needs: root
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MB (1L << 20)
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed line %d: %s (%s)\n", __LINE__, #c, strerror(errno)); exit(1); } } while (0)
static char cg[128];
static int v1;

static void put(const char *file, long v) {
    char p[256];
    snprintf(p, sizeof p, "%s/%s", cg, file);
    FILE *f = fopen(p, "w");
    CHECK(f && fprintf(f, "%ld", v) > 0 && fclose(f) == 0);
}
static long get(const char *file, const char *key) { /* a number file, or "key N" inside it */
    char p[256], line[256];
    long v = -1;
    snprintf(p, sizeof p, "%s/%s", cg, file);
    FILE *f = fopen(p, "r");
    while (f && fgets(line, sizeof line, f)) {
        if (!key) { v = atol(line); break; }
        if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ' ') v = atol(line + strlen(key) + 1);
    }
    if (f) fclose(f);
    return v;
}
static void cleanup(void) { rmdir(cg); unlink("data.bin"); }

static int run_in_cgroup(int anon) { /* returns the wait status */
    int go[2];
    CHECK(pipe(go) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        if (read(go[0], &c, 1) != 1) _exit(2);
        if (anon) { char *m = malloc(64 * MB); for (long i = 0; i < 64 * MB; i += 4096) m[i] = 1; free(m); _exit(0); }
        int fd = open("data.bin", O_RDONLY);
        char *buf = malloc(MB);
        long total = 0, k;
        while ((k = read(fd, buf, MB)) > 0) total += k;
        _exit(total == 96 * MB ? 0 : 3);
    }
    put("cgroup.procs", pid);
    CHECK(write(go[1], "g", 1) == 1);
    int st;
    waitpid(pid, &st, 0);
    close(go[0]);
    close(go[1]);
    return st;
}

int main(void) {
    v1 = access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0;
    snprintf(cg, sizeof cg, v1 ? "/sys/fs/cgroup/memory/atlas-reclaim-%d" : "/sys/fs/cgroup/atlas-reclaim-%d", getpid());
    CHECK(mkdir(cg, 0755) == 0);
    atexit(cleanup);
    put(v1 ? "memory.limit_in_bytes" : "memory.max", 32 * MB);

    int fd = open("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
    char *chunk = malloc(MB);
    memset(chunk, 'x', MB);
    for (int i = 0; i < 96; i++) CHECK(write(fd, chunk, MB) == MB);
    free(chunk);
    CHECK(fsync(fd) == 0 && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0); /* start cold */

    int st = run_in_cgroup(0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    long peak = get(v1 ? "memory.max_usage_in_bytes" : "memory.peak", NULL);
    char *map = mmap(NULL, 96 * MB, PROT_READ, MAP_SHARED, fd, 0);
    unsigned char vec[96 * MB / 4096];
    CHECK(map != MAP_FAILED && mincore(map, 96 * MB, vec) == 0);
    long first = 0, last = 0, all = 0;
    for (long i = 0; i < 96 * MB / 4096; i++) {
        all += vec[i] & 1;
        if (i < 32 * MB / 4096) first += vec[i] & 1;
        if (i >= 80 * MB / 4096) last += vec[i] & 1;
    }
    printf("read 96 MiB inside a 32 MiB cgroup: ok, peak usage %ld MiB\n", peak / MB);
    printf("still in page cache: %ld MiB of 96; first 32 MiB: %ld%%, last 16 MiB: %ld%%\n",
           all * 4096 / MB, first * 100 / (32 * MB / 4096), last * 100 / (16 * MB / 4096));
    CHECK(peak <= 33 * MB && all * 4096 <= 33 * MB);
    CHECK(last * 2 > 16 * MB / 4096 && first * 4 < 32 * MB / 4096); /* recent pages kept, old ones evicted */
    munmap(map, 96 * MB);

    st = run_in_cgroup(1);
    long kills = get(v1 ? "memory.oom_control" : "memory.events", "oom_kill");
    printf("64 MiB of anonymous memory, no swap: %s, oom_kill %ld\n",
           WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited", kills);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && kills >= 1);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    printf("ok: clean file pages are dropped, anonymous pages need swap\n");
    return 0;
}
