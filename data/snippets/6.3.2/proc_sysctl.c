// caption: /proc 的内容在 read 时现场生成（VmRSS 随分配增长）；/proc/sys 就是 sysctl：在私有 UTS 命名空间里写 kernel/hostname，uname() 立即改变，宿主不受影响
// point: 系统控制机制
// timeout: 10
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static long status_kb(const char *key) {     /* parse one line of /proc/self/status */
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    assert(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0) v = atol(line + strlen(key));
    fclose(f);
    return v;
}

static void read_file(const char *path, char *buf, size_t n) {
    int fd = open(path, O_RDONLY);
    assert(fd >= 0);
    ssize_t r = read(fd, buf, n - 1);
    assert(r > 0);
    buf[r] = 0;
    buf[strcspn(buf, "\n")] = 0;
    close(fd);
}

int main(void) {
    long before = status_kb("VmRSS:");
    size_t sz = 32 << 20;
    char *p = malloc(sz);
    assert(p);
    memset(p, 1, sz);                        /* fault the pages in */
    __asm__ volatile("" : : "r"(p) : "memory"); /* keep the memset */
    long after = status_kb("VmRSS:");
    printf("/proc/self/status VmRSS: %ld kB -> %ld kB after touching 32 MiB\n", before, after);
    assert(after - before > 24 * 1024);
    free(p);

    char host[128], ostype[64];
    struct utsname u;
    read_file("/proc/sys/kernel/ostype", ostype, sizeof ostype);
    assert(uname(&u) == 0 && strcmp(ostype, u.sysname) == 0);
    read_file("/proc/sys/kernel/hostname", host, sizeof host);
    printf("sysctl kernel.ostype=%s kernel.hostname=%s\n", ostype, host);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (unshare(CLONE_NEWUTS) != 0) _exit(2);   /* private hostname */
        int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
        if (fd < 0 || write(fd, "atlas-uts", 9) != 9) _exit(3);
        close(fd);
        struct utsname c;
        if (uname(&c) != 0 || strcmp(c.nodename, "atlas-uts") != 0) _exit(4);
        printf("child (new UTS ns) wrote /proc/sys/kernel/hostname, uname() says %s\n", c.nodename);
        fflush(stdout);
        _exit(0);
    }
    int st;
    assert(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char host2[128];
    read_file("/proc/sys/kernel/hostname", host2, sizeof host2);
    printf("parent still sees hostname=%s\n", host2);
    assert(strcmp(host, host2) == 0);
    return 0;
}
