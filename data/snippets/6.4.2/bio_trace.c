// caption: 用 tracefs 的 block 跟踪点看 bio 变成 request：在 loop 设备上做 64 次 4 KiB 缓冲写 + fsync 和一次 1 MiB O_DIRECT 写，数出 bio 入队、合并、拆分、请求下发与完成各多少次
// point: BIO结构原理
// timeout: 20
// needs: root
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char dev[64], inst[128];
static const char *ev[] = {"block_bio_queue", "block_bio_backmerge", "block_bio_frontmerge",
                           "block_split", "block_getrq", "block_rq_issue", "block_rq_complete"};
#define NEV 7
static void cleanup(void) {
    char cmd[128];
    if (inst[0]) { rmdir(inst); inst[0] = 0; }
    umount2("tr", MNT_DETACH);
    rmdir("tr");
    snprintf(cmd, sizeof cmd, "losetup -d %s", dev);
    if (dev[0] && system(cmd)) {}
    dev[0] = 0;
}
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); \
    cleanup(); exit(1); } } while (0)

static void put(const char *rel, const char *val) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", inst, rel);
    int fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && write(fd, val, strlen(val)) == (ssize_t)strlen(val));
    close(fd);
}

int main(void) {
    CHECK(unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
    CHECK(mkdir("tr", 0700) == 0 && mount("nodev", "tr", "tracefs", 0, NULL) == 0);
    snprintf(inst, sizeof inst, "tr/instances/atlas-%d", getpid());   /* private ring buffer */
    CHECK(mkdir(inst, 0700) == 0);
    int img = open("disk.img", O_CREAT | O_RDWR, 0600);
    CHECK(img >= 0 && ftruncate(img, 32 << 20) == 0);
    close(img);
    FILE *p = popen("losetup -f --show disk.img", "r");
    CHECK(p && fgets(dev, sizeof dev, p));
    pclose(p);
    dev[strcspn(dev, "\n")] = 0;
    struct stat st;
    CHECK(stat(dev, &st) == 0);
    char filt[64], rel[128];
    snprintf(filt, sizeof filt, "dev == %u", major(st.st_rdev) << 20 | minor(st.st_rdev)); /* kernel MKDEV */
    for (int i = 0; i < NEV; i++) {
        snprintf(rel, sizeof rel, "events/block/%s/filter", ev[i]);
        put(rel, filt);
        snprintf(rel, sizeof rel, "events/block/%s/enable", ev[i]);
        put(rel, "1");
    }
    void *buf;
    CHECK(posix_memalign(&buf, 4096, 1 << 20) == 0);
    memset(buf, 0x33, 1 << 20);
    int fd = open(dev, O_RDWR);
    for (int i = 0; i < 64; i++) CHECK(pwrite(fd, buf, 4096, (off_t)i * 4096) == 4096);
    CHECK(fsync(fd) == 0);
    close(fd);
    fd = open(dev, O_RDWR | O_DIRECT);
    CHECK(fd >= 0 && pwrite(fd, buf, 1 << 20, 8 << 20) == 1 << 20);
    close(fd);
    free(buf);
    put("tracing_on", "0");

    char path[256], line[512];
    int count[NEV] = {0}, shown = 0;
    snprintf(path, sizeof path, "%s/trace", inst);
    FILE *t = fopen(path, "r");
    CHECK(t);
    printf("%s (dev %u:%u), events from a private tracefs instance:\n", dev, major(st.st_rdev), minor(st.st_rdev));
    while (fgets(line, sizeof line, t)) {
        if (line[0] == '#') continue;
        for (int i = 0; i < NEV; i++) {
            char key[48];
            snprintf(key, sizeof key, " %s:", ev[i]);
            char *k = strstr(line, key);
            if (!k) continue;
            if (count[i]++ < 2 && shown++ < 12) printf("  %s", k + 1);
        }
    }
    fclose(t);
    for (int i = 0; i < NEV; i++) printf("%-22s %d\n", ev[i], count[i]);
    int queued = count[0], merged = count[1] + count[2], issued = count[5];
    CHECK(queued >= 64 && merged > 0 && issued < queued && count[6] >= issued);
    printf("%d bios queued -> %d requests issued (%d bios merged into an existing request)\n", queued, issued, merged);
    cleanup();
    return 0;
}
