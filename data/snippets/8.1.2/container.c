// caption: 不用 Docker 手搭一个容器：unshare 出 pid/mnt/uts/ipc/net 五个命名空间，overlayfs 叠两层“镜像层”做根并 pivot_root，cgroup v1 限内存 32 MiB，超限进程被 OOM 杀死
// point: Docker容器安全解决方案SElinux
// timeout: 30
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char cg[128], base[200];
static void put(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}
static long get(const char *file, const char *key) { /* a number, or the value after "key " */
    char p[256], b[512] = "";
    snprintf(p, sizeof p, "%s/%s", cg, file);
    int fd = open(p, O_RDONLY);
    assert(fd >= 0 && read(fd, b, sizeof b - 1) > 0);
    close(fd);
    char *at = key ? strstr(b, key) : b;
    assert(at);
    return atol(at + (key ? strlen(key) + 1 : 0));
}

static int init_main(int host_msqid) { /* pid 1 of the new namespaces */
    char merged[300], opts[1100];
    assert(getpid() == 1);
    assert(sethostname("atlas-box", 9) == 0);
    assert(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);      /* mounts stay in here */
    snprintf(merged, sizeof merged, "%s/merged", base);
    snprintf(opts, sizeof opts, "lowerdir=%s/layer2:%s/layer1,upperdir=%s/upper,workdir=%s/work", base, base, base, base);
    assert(mount("overlay", merged, "overlay", 0, opts) == 0);
    assert(chdir(merged) == 0);
    assert(syscall(SYS_pivot_root, ".", ".") == 0);                      /* new root; old root on top */
    assert(umount2(".", MNT_DETACH) == 0);                                /* ... detach it */
    assert(chdir("/") == 0);
    mkdir("/proc", 0555);
    assert(mount("proc", "/proc", "proc", 0, NULL) == 0);
    int procs = 0;
    DIR *d = opendir("/proc");
    for (struct dirent *e; (e = readdir(d));) procs += e->d_name[0] >= '1' && e->d_name[0] <= '9';
    closedir(d);
    struct if_nameindex *ifs = if_nameindex();
    int nifs = 0;
    for (struct if_nameindex *i = ifs; i->if_index; i++) nifs++;
    char host[64];
    gethostname(host, sizeof host);
    errno = 0;
    int ipc_hidden = msgctl(host_msqid, IPC_STAT, &(struct msqid_ds){0}) < 0 && errno == EINVAL;
    printf("in box: pid %d, %d process(es) in /proc, hostname %s, %d net device (%s), host msg queue %s\n",
           getpid(), procs, host, nifs, ifs[0].if_name, ipc_hidden ? "invisible" : "VISIBLE");
    char rel[64] = "";
    int fd = open("/etc/os-release", O_RDONLY);                           /* in both layers: top one wins */
    assert(fd >= 0 && read(fd, rel, sizeof rel - 1) > 0);
    close(fd);
    rel[strcspn(rel, "\n")] = 0;
    printf("in box: /etc/os-release says \"%s\", /usr/bin %s\n", rel,
           access("/usr/bin", F_OK) == 0 ? "exists" : "absent (host files are not in the image)");
    assert(strcmp(rel, "atlas layer2") == 0);
    assert(procs == 1 && strcmp(host, "atlas-box") == 0 && nifs == 1 && ipc_hidden && access("/usr/bin", F_OK) != 0);
    if_freenameindex(ifs);
    put("/written-in-container", "hello\n");                              /* lands in the upper layer */
    fflush(stdout);
    pid_t hog = fork();
    if (hog == 0) {                                                       /* wants 64 MiB, limit is 32 */
        for (int i = 0; i < 64; i++) { char *p = malloc(1 << 20); assert(p); memset(p, i, 1 << 20); }
        _exit(0);
    }
    int st;
    waitpid(hog, &st, 0);
    printf("in box: hog pid %d ended by %s\n", hog, WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exit");
    umount2("/proc", MNT_DETACH);
    fflush(stdout);                                                       /* _exit() below skips stdio */
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 3;
}

int main(void) {
    char cwd[150], p[300];
    assert(getcwd(cwd, sizeof cwd));
    snprintf(base, sizeof base, "%s/box", cwd);
    const char *dirs[] = {"", "/layer1", "/layer1/etc", "/layer2", "/layer2/etc", "/upper", "/work", "/merged"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) { snprintf(p, sizeof p, "%s%s", base, dirs[i]); mkdir(p, 0755); }
    snprintf(p, sizeof p, "%s/layer1/etc/os-release", base); put(p, "base layer\n");
    snprintf(p, sizeof p, "%s/layer2/etc/os-release", base); put(p, "atlas layer2\n");     /* upper layer wins */
    int msqid = msgget(IPC_PRIVATE, 0600);                                 /* a host IPC object */
    assert(msqid >= 0);
    int v1 = access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) == 0; /* this machine: cgroup v1 */
    snprintf(cg, sizeof cg, v1 ? "/sys/fs/cgroup/memory/atlas-box-%d" : "/sys/fs/cgroup/atlas-box-%d", getpid());
    assert(mkdir(cg, 0755) == 0);
    snprintf(p, sizeof p, "%s/%s", cg, v1 ? "memory.limit_in_bytes" : "memory.max"); put(p, "33554432");
    snprintf(p, sizeof p, "%s/%s", cg, v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max");
    if (access(p, W_OK) == 0) put(p, v1 ? "33554432" : "0");             /* no swap escape either */
    int go[2];
    assert(pipe(go) == 0);
    pid_t rt = fork();                                                      /* the "runtime" process */
    if (rt == 0) {
        char c;
        assert(read(go[0], &c, 1) == 1);                                    /* wait: parent moves us into the cgroup */
        assert(unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) == 0);
        pid_t init = fork();                                                /* first child in a new pid ns is pid 1 */
        if (init == 0) _exit(init_main(msqid));
        int st;
        waitpid(init, &st, 0);
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
    }
    char pid[16];
    snprintf(pid, sizeof pid, "%d", rt);
    snprintf(p, sizeof p, "%s/cgroup.procs", cg); put(p, pid);
    assert(write(go[1], "g", 1) == 1);
    int st;
    waitpid(rt, &st, 0);
    long ooms = get(v1 ? "memory.oom_control" : "memory.events", "\noom_kill");
    long maxu = v1 ? get("memory.max_usage_in_bytes", NULL) : 0;        /* v2 has memory.peak only on newer kernels */
    printf("host: box exited %d; cgroup oom_kill %ld, max usage %ld KiB (limit 32768 KiB)\n",
           WEXITSTATUS(st), ooms, maxu >> 10);
    snprintf(p, sizeof p, "%s/upper/written-in-container", base);
    int in_upper = access(p, F_OK) == 0;
    snprintf(p, sizeof p, "%s/layer2/written-in-container", base);
    printf("host: new file is in upper/: %s, in layer2/: %s\n", in_upper ? "yes" : "no", access(p, F_OK) == 0 ? "yes" : "no");
    assert(rmdir(cg) == 0);
    msgctl(msqid, IPC_RMID, NULL);
    fflush(stdout);
    assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && ooms == 1 && maxu <= 33554432 && in_upper && access(p, F_OK) != 0);
    puts("OK: namespaces isolate pid/uts/ipc/net/mounts, overlay gives a layered root, the cgroup enforces 32 MiB");
    return 0;
}
