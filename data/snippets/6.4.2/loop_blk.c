// caption: 在文件上挂一个 loop 块设备：读 queue/ 下的调度器和限制、切换 I/O 调度器，再比较 256 次 4 KiB O_DIRECT 写、一次 1 MiB O_DIRECT 写、256 次缓冲写 + fsync 在 /sys/block/loopN/stat 里变成了多少个请求
// point: I/O调度
// timeout: 15
// needs: root
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dev[64], name[32];
static void cleanup(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "losetup -d %s", dev);
    if (dev[0] && system(cmd)) {}
    dev[0] = 0;
}
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); \
    cleanup(); exit(1); } } while (0)

static void attr(const char *a, char *buf, size_t n) {
    char path[128];
    snprintf(path, sizeof path, "/sys/block/%s/%s", name, a);
    FILE *f = fopen(path, "r");
    CHECK(f && fgets(buf, n, f));
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
}
static void set_attr(const char *a, const char *v) {
    char path[128];
    snprintf(path, sizeof path, "/sys/block/%s/%s", name, a);
    FILE *f = fopen(path, "w");
    CHECK(f && fputs(v, f) >= 0 && fclose(f) == 0);
}
struct st { unsigned long long ios, merges, sectors; };
static struct st wstat(void) {          /* fields 5-7 of /sys/block/X/stat: writes */
    char buf[512];
    unsigned long long v[7];
    attr("stat", buf, sizeof buf);
    CHECK(sscanf(buf, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) == 7);
    return (struct st){v[4], v[5], v[6]};
}
static void report(const char *what, struct st a, struct st b) {
    printf("%-34s write requests %4llu, merges %4llu, sectors %5llu\n", what, b.ios - a.ios,
           b.merges - a.merges, b.sectors - a.sectors);
}

int main(void) {
    int img = open("disk.img", O_CREAT | O_RDWR, 0600);
    CHECK(img >= 0 && ftruncate(img, 64 << 20) == 0);
    close(img);
    FILE *p = popen("losetup -f --show disk.img", "r");
    CHECK(p && fgets(dev, sizeof dev, p));
    pclose(p);
    dev[strcspn(dev, "\n")] = 0;
    snprintf(name, sizeof name, "%s", strrchr(dev, '/') + 1);
    char buf[256], lbs[32], msk[32], nr[32], rot[32], seg[32];
    attr("queue/scheduler", buf, sizeof buf);
    attr("queue/logical_block_size", lbs, sizeof lbs);
    attr("queue/max_sectors_kb", msk, sizeof msk);
    attr("queue/nr_requests", nr, sizeof nr);
    attr("queue/max_segments", seg, sizeof seg);
    attr("queue/rotational", rot, sizeof rot);
    printf("%s: scheduler \"%s\" logical_block_size %s max_sectors_kb %s max_segments %s nr_requests %s rotational %s\n",
           dev, buf, lbs, msk, seg, nr, rot);
    set_attr("queue/scheduler", "mq-deadline");
    attr("queue/scheduler", buf, sizeof buf);
    printf("after echo mq-deadline > queue/scheduler: \"%s\"\n", buf);
    CHECK(strstr(buf, "[mq-deadline]"));

    void *blk;
    CHECK(posix_memalign(&blk, 4096, 1 << 20) == 0);
    memset(blk, 0x5a, 1 << 20);
    int fd = open(dev, O_RDWR | O_DIRECT);              /* bypass the page cache */
    CHECK(fd >= 0);
    struct st a = wstat();
    for (int i = 0; i < 256; i++) CHECK(pwrite(fd, blk, 4096, (off_t)i * 4096) == 4096);
    struct st b = wstat();
    report("256 x 4 KiB O_DIRECT pwrite:", a, b);
    CHECK(b.ios - a.ios >= 200 && b.sectors - a.sectors == 2048);
    CHECK(pwrite(fd, blk, 1 << 20, 8 << 20) == 1 << 20);
    struct st c = wstat();
    report("1 x 1 MiB O_DIRECT pwrite:", b, c);
    CHECK(c.ios - b.ios <= 4 && c.sectors - b.sectors == 2048);
    close(fd);
    fd = open(dev, O_RDWR);                              /* buffered: page cache + writeback */
    CHECK(fd >= 0);
    for (int i = 0; i < 256; i++) CHECK(pwrite(fd, blk, 4096, (16 << 20) + (off_t)i * 4096) == 4096);
    CHECK(fsync(fd) == 0);
    struct st d = wstat();
    report("256 x 4 KiB buffered write + fsync:", c, d);
    CHECK(d.ios - c.ios < 64 && d.sectors - c.sectors >= 2048);
    close(fd);
    free(blk);
    set_attr("queue/scheduler", "none");
    cleanup();
    printf("loop device detached\n");
    return 0;
}
