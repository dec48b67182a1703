// caption: 用 libfuse3 高层 API 写一个内存文件系统（只读的 hello、可写的 notes、读时生成的 stats），挂到临时目录，用 open/read/readdir/write 操作它，stats 里看到每个系统调用变成了几个 FUSE 请求，最后 fusermount3 -u 干净卸载
// point: 用户态文件接口实现
// timeout: 20
// needs: root
// libs: fuse3
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

static const char hello[] = "hello from a user-space file system\n";
static char notes[4096];
static size_t notes_len;
static unsigned n_getattr, n_readdir, n_open, n_read, n_write;

static int fs_getattr(const char *p, struct stat *st, struct fuse_file_info *fi) {
    (void)fi; n_getattr++;
    memset(st, 0, sizeof *st);
    if (!strcmp(p, "/")) { st->st_mode = S_IFDIR | 0755; st->st_nlink = 2; return 0; }
    st->st_nlink = 1;
    if (!strcmp(p, "/hello")) { st->st_mode = S_IFREG | 0444; st->st_size = sizeof hello - 1; return 0; }
    if (!strcmp(p, "/notes")) { st->st_mode = S_IFREG | 0644; st->st_size = notes_len; return 0; }
    if (!strcmp(p, "/stats")) { st->st_mode = S_IFREG | 0444; st->st_size = 0; return 0; }
    return -ENOENT;
}
static int fs_readdir(const char *p, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags fl) {
    (void)off; (void)fi; (void)fl; n_readdir++;
    if (strcmp(p, "/")) return -ENOENT;
    const char *names[] = {".", "..", "hello", "notes", "stats"};
    for (int i = 0; i < 5; i++) fill(buf, names[i], NULL, 0, 0);
    return 0;
}
static int fs_open(const char *p, struct fuse_file_info *fi) {
    n_open++;
    if (strcmp(p, "/hello") && strcmp(p, "/notes") && strcmp(p, "/stats")) return -ENOENT;
    if (strcmp(p, "/notes") && (fi->flags & O_ACCMODE) != O_RDONLY) return -EACCES;
    fi->direct_io = 1;              /* no page cache: every read()/write() reaches us */
    return 0;
}
static int fs_read(const char *p, char *buf, size_t n, off_t off, struct fuse_file_info *fi) {
    (void)fi; n_read++;
    char tmp[256];
    const char *src = tmp;
    size_t len;
    if (!strcmp(p, "/hello")) { src = hello; len = sizeof hello - 1; }
    else if (!strcmp(p, "/notes")) { src = notes; len = notes_len; }
    else len = snprintf(tmp, sizeof tmp, "getattr=%u readdir=%u open=%u read=%u write=%u\n",
                        n_getattr, n_readdir, n_open, n_read, n_write);
    if ((size_t)off >= len) return 0;
    if (n > len - off) n = len - off;
    memcpy(buf, src + off, n);
    return (int)n;
}
static int fs_write(const char *p, const char *buf, size_t n, off_t off, struct fuse_file_info *fi) {
    (void)fi; n_write++;
    if (strcmp(p, "/notes")) return -EACCES;
    if ((size_t)off + n > sizeof notes) return -EFBIG;
    memcpy(notes + off, buf, n);
    if ((size_t)off + n > notes_len) notes_len = off + n;
    return (int)n;
}
static int fs_truncate(const char *p, off_t size, struct fuse_file_info *fi) {
    (void)fi;
    if (strcmp(p, "/notes") || (size_t)size > sizeof notes) return -EACCES;
    notes_len = size;
    return 0;
}
static void *fs_init(struct fuse_conn_info *c, struct fuse_config *cfg) {
    (void)c;
    cfg->attr_timeout = 0; cfg->entry_timeout = 0;   /* every stat() asks the daemon */
    return NULL;
}
static const struct fuse_operations ops = {
    .getattr = fs_getattr, .readdir = fs_readdir, .open = fs_open, .read = fs_read,
    .write = fs_write, .truncate = fs_truncate, .init = fs_init,
};

static pid_t daemon_pid;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); \
    if (system("fusermount3 -u -z mnt")) {} kill(daemon_pid, SIGTERM); return 1; } } while (0)

static ssize_t slurp(const char *path, char *buf, size_t n) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    if (r >= 0) buf[r] = 0;
    return r;
}

int main(void) {
    struct stat parent, m;
    if (mkdir("mnt", 0755) || stat(".", &parent)) return 1;
    fflush(stdout);
    daemon_pid = fork();
    if (daemon_pid == 0) {                       /* the file-system daemon */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        char *args[] = {"atlasfs", "-f", "-s", "-o", "fsname=atlas", "mnt", NULL};
        _exit(fuse_main(6, args, &ops, NULL));
    }
    int up = 0;
    for (int i = 0; i < 400 && !up; i++) { usleep(10000); up = stat("mnt", &m) == 0 && m.st_dev != parent.st_dev; }
    CHECK(up);
    struct statfs sf;
    CHECK(statfs("mnt", &sf) == 0 && sf.f_type == 0x65735546);   /* FUSE_SUPER_MAGIC */
    printf("mounted: st_dev %lx -> %lx, f_type 0x%lx\n", (unsigned long)parent.st_dev,
           (unsigned long)m.st_dev, (unsigned long)sf.f_type);

    DIR *d = opendir("mnt");
    CHECK(d);
    struct dirent *e;
    printf("readdir:");
    int names = 0;
    while ((e = readdir(d))) { printf(" %s", e->d_name); names++; }
    printf("\n");
    closedir(d);
    CHECK(names == 5);
    char buf[512], st1[256], st2[256];
    CHECK(slurp("mnt/hello", buf, sizeof buf) == (ssize_t)strlen(hello) && !strcmp(buf, hello));
    printf("read mnt/hello: %s", buf);
    CHECK(slurp("mnt/stats", st1, sizeof st1) > 0);
    int fd = open("mnt/notes", O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && write(fd, "first line\n", 11) == 11 && write(fd, "second\n", 7) == 7);
    close(fd);
    CHECK(slurp("mnt/notes", buf, sizeof buf) == 18 && !strcmp(buf, "first line\nsecond\n"));
    CHECK(stat("mnt/notes", &m) == 0 && m.st_size == 18);
    CHECK(open("mnt/hello", O_WRONLY) < 0 && errno == EACCES);
    CHECK(slurp("mnt/stats", st2, sizeof st2) > 0);
    printf("stats before writes: %sstats after writes:  %s", st1, st2);
    unsigned w = 0;
    CHECK(sscanf(strstr(st2, "write="), "write=%u", &w) == 1 && w == 2);   /* 2 write() -> 2 requests */

    CHECK(system("fusermount3 -u mnt") == 0);
    int status;
    CHECK(waitpid(daemon_pid, &status, 0) == daemon_pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(stat("mnt", &m) == 0 && m.st_dev == parent.st_dev && rmdir("mnt") == 0);
    printf("fusermount3 -u: daemon exited 0, mnt is a plain directory again\n");
    return 0;
}
