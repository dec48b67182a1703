// caption: 通用文件模型：普通文件、管道、socket、eventfd、/proc 和 /dev/null 都是 fd，同一个 read() 调用，背后是各自文件系统的 file_operations
// point: 通用文件模型
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

static void show(const char *what, int fd, unsigned long want_magic) {
    struct statfs s;
    char link[64], self[64], buf[64];
    assert(fstatfs(fd, &s) == 0);
    snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(self, link, sizeof link - 1);
    assert(n > 0);
    link[n] = 0;
    ssize_t r = read(fd, buf, sizeof buf);           /* the same call for every kind */
    printf("%-10s fd=%d f_type=0x%08lx read()=%-3zd -> %s\n", what, fd,
           (unsigned long)s.f_type, r, link);
    assert(r >= 0);
    if (want_magic) assert((unsigned long)s.f_type == want_magic);
}

int main(void) {
    int f = open("data.txt", O_CREAT | O_TRUNC | O_RDWR, 0600);
    assert(f >= 0 && write(f, "file bytes", 10) == 10 && lseek(f, 0, SEEK_SET) == 0);
    show("regular", f, 0);                          /* ext4, tmpfs or overlayfs here */

    int p[2];
    assert(pipe(p) == 0 && write(p[1], "pipe bytes", 10) == 10);
    show("pipe", p[0], 0x50495045);                 /* PIPEFS_MAGIC */

    int sv[2];
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && write(sv[1], "sock", 4) == 4);
    show("socket", sv[0], 0x534F434B);              /* SOCKFS_MAGIC */

    int e = eventfd(0, 0);
    uint64_t one = 7;
    assert(e >= 0 && write(e, &one, 8) == 8);
    show("eventfd", e, 0x09041934);                 /* ANON_INODE_FS_MAGIC */

    int pr = open("/proc/self/comm", O_RDONLY);
    show("procfs", pr, 0x9fa0);                     /* PROC_SUPER_MAGIC */

    int sy = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);
    if (sy < 0) sy = open("/sys/kernel/uevent_seqnum", O_RDONLY);
    show("sysfs", sy, 0x62656572);                  /* SYSFS_MAGIC */

    int nul = open("/dev/null", O_RDONLY);
    show("chardev", nul, 0);                        /* devtmpfs: file_operations of mem driver */
    return 0;
}
