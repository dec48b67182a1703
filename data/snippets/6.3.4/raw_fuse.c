// caption: 不用 libfuse，直接说 FUSE 协议：打开 /dev/fuse、用 fd=N 选项 mount，守护线程 read() 出内核发来的 INIT/LOOKUP/GETATTR/OPEN/READ/RELEASE 请求，按 include/uapi/linux/fuse.h 的结构 writev() 应答
// point: fuse实现
// timeout: 15
// needs: root
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); \
    umount2("mnt", MNT_DETACH); exit(1); } } while (0)
static const char body[] = "bytes served by a raw FUSE daemon\n";
static int dev, seen[64];
static pid_t app_tid;

static void reply(uint64_t unique, int err, const void *arg, size_t n) {
    struct fuse_out_header oh = {.len = (uint32_t)(sizeof oh + n), .error = err, .unique = unique};
    struct iovec iov[2] = {{&oh, sizeof oh}, {(void *)arg, n}};
    if (writev(dev, iov, n ? 2 : 1) < 0) perror("writev /dev/fuse");
}
static void fill_attr(struct fuse_attr *a, uint64_t ino) {
    memset(a, 0, sizeof *a);
    a->ino = ino;
    a->mode = ino == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0444;
    a->nlink = ino == FUSE_ROOT_ID ? 2 : 1;
    a->size = ino == FUSE_ROOT_ID ? 0 : sizeof body - 1;
}

static void *daemon_loop(void *unused) {
    (void)unused;
    static char buf[FUSE_MIN_READ_BUFFER + 65536];
    for (;;) {
        ssize_t n = read(dev, buf, sizeof buf);          /* one request per read */
        if (n < 0 && errno == ENODEV) break;              /* unmounted: connection gone */
        if (n < (ssize_t)sizeof(struct fuse_in_header)) continue;
        struct fuse_in_header *ih = (void *)buf;
        void *in = buf + sizeof *ih;
        if (ih->opcode < 64) seen[ih->opcode]++;
        printf("  daemon <- opcode %-2u unique %-3llu nodeid %llu pid %s", ih->opcode,
               (unsigned long long)ih->unique, (unsigned long long)ih->nodeid,
               (pid_t)ih->pid == app_tid ? "=app" : "other");
        switch (ih->opcode) {
        case FUSE_INIT: {
            struct fuse_init_in *ii = in;
            struct fuse_init_out io = {.major = FUSE_KERNEL_VERSION, .minor = FUSE_KERNEL_MINOR_VERSION,
                                       .max_readahead = ii->max_readahead, .max_write = 4096, .time_gran = 1};
            printf("  INIT kernel speaks %u.%u, we answer %u.%u\n", ii->major, ii->minor, io.major, io.minor);
            reply(ih->unique, 0, &io, sizeof io);
            break;
        }
        case FUSE_LOOKUP: {
            const char *name = in;
            printf("  LOOKUP \"%s\"\n", name);
            if (ih->nodeid != FUSE_ROOT_ID || strcmp(name, "hello")) { reply(ih->unique, -ENOENT, NULL, 0); break; }
            struct fuse_entry_out eo = {.nodeid = 2, .entry_valid = 1, .attr_valid = 1};
            fill_attr(&eo.attr, 2);
            reply(ih->unique, 0, &eo, sizeof eo);
            break;
        }
        case FUSE_GETATTR: {
            struct fuse_attr_out ao = {.attr_valid = 1};
            fill_attr(&ao.attr, ih->nodeid);
            printf("  GETATTR\n");
            reply(ih->unique, 0, &ao, sizeof ao);
            break;
        }
        case FUSE_OPEN: {
            struct fuse_open_out oo = {.fh = 42};
            printf("  OPEN -> fh 42\n");
            reply(ih->unique, 0, &oo, sizeof oo);
            break;
        }
        case FUSE_READ: {
            struct fuse_read_in *ri = in;
            size_t len = sizeof body - 1, off = ri->offset < len ? ri->offset : len;
            size_t cnt = len - off < ri->size ? len - off : ri->size;
            printf("  READ fh %llu offset %llu size %u -> %zu bytes\n", (unsigned long long)ri->fh,
                   (unsigned long long)ri->offset, ri->size, cnt);
            reply(ih->unique, 0, body + off, cnt);
            break;
        }
        case FUSE_FORGET: case FUSE_BATCH_FORGET:
            printf("  FORGET (no reply)\n");
            break;
        case FUSE_FLUSH: case FUSE_RELEASE:
            printf("  %s\n", ih->opcode == FUSE_FLUSH ? "FLUSH" : "RELEASE");
            reply(ih->unique, 0, NULL, 0);
            break;
        default:
            printf("  (not implemented -> ENOSYS)\n");
            reply(ih->unique, -ENOSYS, NULL, 0);
        }
        fflush(stdout);
    }
    return NULL;
}

int main(void) {
    CHECK(unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
    CHECK(mkdir("mnt", 0755) == 0);
    dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    CHECK(dev >= 0);
    char opts[128];
    snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", dev);
    CHECK(mount("atlasraw", "mnt", "fuse.atlasraw", MS_NOSUID | MS_NODEV, opts) == 0);
    app_tid = gettid();
    pthread_t th;
    CHECK(pthread_create(&th, NULL, daemon_loop, NULL) == 0);

    struct stat st;
    printf("app: stat(\"mnt/hello\")\n");
    CHECK(stat("mnt/hello", &st) == 0 && st.st_size == sizeof body - 1 && st.st_ino == 2);
    printf("app: open + read + close\n");
    int fd = open("mnt/hello", O_RDONLY);
    char got[128] = {0};
    CHECK(fd >= 0 && read(fd, got, sizeof got - 1) == (ssize_t)(sizeof body - 1) && !strcmp(got, body));
    close(fd);
    printf("app: stat(\"mnt/nope\")\n");
    CHECK(stat("mnt/nope", &st) < 0 && errno == ENOENT);
    usleep(50000);                       /* let RELEASE (sent asynchronously) arrive */
    CHECK(umount2("mnt", 0) == 0);
    CHECK(pthread_join(th, NULL) == 0);
    printf("app: umount -> daemon's read() returned ENODEV; read back \"%.*s\"\n", (int)strlen(got) - 1, got);
    CHECK(seen[FUSE_INIT] == 1 && seen[FUSE_LOOKUP] >= 2 && seen[FUSE_OPEN] == 1 && seen[FUSE_READ] >= 1);
    CHECK(seen[FUSE_RELEASE] == 1 && rmdir("mnt") == 0);
    close(dev);
    return 0;
}
