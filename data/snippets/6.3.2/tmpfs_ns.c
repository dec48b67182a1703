// caption: 在私有挂载命名空间里挂一个 size=1m 的 tmpfs：写满得到 ENOSPC，mkdir/rename/getdents 目录操作，umount 后宿主的挂载表从未出现过它
// point: 挂载文件系统
// timeout: 10
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

static int mounted_here(const char *dir) {      /* look for dir in this ns's mount table */
    char line[1024];
    int found = 0;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (strstr(line, dir) && strstr(line, " - tmpfs ")) found = 1;
    fclose(f);
    return found;
}

static int child(const char *dir) {
    assert(unshare(CLONE_NEWNS) == 0);
    assert(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0); /* no propagation */
    assert(mount("atlas", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700") == 0);
    struct statfs s;
    assert(statfs(dir, &s) == 0 && s.f_type == 0x01021994);          /* TMPFS_MAGIC */
    printf("child: tmpfs mounted, in mountinfo=%d, %lu blocks of %ld B\n",
           mounted_here(dir), (unsigned long)s.f_blocks, (long)s.f_bsize);
    char path[512], buf[4096];
    memset(buf, 'x', sizeof buf);
    snprintf(path, sizeof path, "%s/big", dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0600);
    long total = 0;
    ssize_t w;
    for (int i = 0; i < 1024 && (w = write(fd, buf, sizeof buf)) > 0; i++) total += w;
    int err = errno;
    printf("child: wrote %ld bytes before write failed with %s\n", total, strerror(err));
    assert(err == ENOSPC && total <= (1 << 20) && total > (1 << 19));
    close(fd);
    snprintf(path, sizeof path, "%s/d", dir);
    assert(mkdir(path, 0700) == 0);
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/big", dir);
    snprintf(to, sizeof to, "%s/d/moved", dir);
    assert(rename(from, to) == 0);                 /* same fs: only dentries change */
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        printf("child: getdents %s/d -> %-6s ino=%lu type=%s\n", dir, e->d_name,
               (unsigned long)e->d_ino, e->d_type == DT_DIR ? "dir" : "reg");
        n++;
    }
    closedir(d);
    assert(n == 3);
    assert(umount(dir) == 0 && !mounted_here(dir));
    return 0;
}

int main(void) {
    char dir[256];
    assert(getcwd(dir, sizeof dir - 4));
    strcat(dir, "/mnt");
    assert(mkdir(dir, 0700) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) { int rc = child(dir); fflush(stdout); _exit(rc); }
    /* parent stays in the original namespace; the mount never appears here */
    int st, seen = 0;
    for (int i = 0; i < 5; i++) { seen |= mounted_here(dir); usleep(1000); }
    assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("parent: saw the tmpfs in its own mountinfo: %s\n", seen ? "yes" : "no");
    assert(!seen && rmdir(dir) == 0);
    return 0;
}
