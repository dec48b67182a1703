// caption: sysfs 的数据结构：同一个块设备 kobject 从 /sys/block、/sys/class/block、/sys/dev/block 三条路径都解析到 /sys/devices 下的同一个目录；沿父目录上溯，subsystem 和 driver 链接标出每层属于哪条总线、由哪个驱动绑定
// point: sysfs数据结构
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void link_name(const char *dir, const char *name, char *out, size_t n) {
    char path[PATH_MAX], target[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ssize_t l = readlink(path, target, sizeof target - 1);
    if (l <= 0) { snprintf(out, n, "-"); return; }
    target[l] = 0;
    snprintf(out, n, "%s", strrchr(target, '/') + 1);
}

int main(void) {
    char disk[64] = "";
    DIR *d = opendir("/sys/block");
    assert(d);
    struct dirent *e;
    while ((e = readdir(d))) {                     /* prefer a real disk over loop/zram */
        if (e->d_name[0] == '.') continue;
        int virt = !strncmp(e->d_name, "loop", 4) || !strncmp(e->d_name, "zram", 4);
        if (!disk[0] || (!virt && (!strncmp(disk, "loop", 4) || !strncmp(disk, "zram", 4))))
            snprintf(disk, sizeof disk, "%.63s", e->d_name);
    }
    closedir(d);
    assert(disk[0]);
    char p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX], path[PATH_MAX], devno[32];
    snprintf(path, sizeof path, "/sys/block/%s/dev", disk);
    FILE *f = fopen(path, "r");
    assert(f && fscanf(f, "%31s", devno) == 1);
    fclose(f);
    snprintf(path, sizeof path, "/sys/block/%s", disk);
    assert(realpath(path, p1));
    snprintf(path, sizeof path, "/sys/class/block/%s", disk);
    assert(realpath(path, p2));
    snprintf(path, sizeof path, "/sys/dev/block/%s", devno);
    assert(realpath(path, p3));
    printf("/sys/block/%s, /sys/class/block/%s and /sys/dev/block/%s all resolve to\n  %s\n",
           disk, disk, devno, p1);
    assert(!strcmp(p1, p2) && !strcmp(p1, p3) && !strncmp(p1, "/sys/devices/", 13));

    printf("walking up the kobject parents:\n");
    int levels = 0;
    for (char *dir = p1; strlen(dir) > strlen("/sys/devices"); *strrchr(dir, '/') = 0) {
        char sub[64], drv[64];
        link_name(dir, "subsystem", sub, sizeof sub);
        link_name(dir, "driver", drv, sizeof drv);
        printf("  %-16s subsystem=%-8s driver=%s\n", strrchr(dir, '/') + 1, sub, drv);
        levels++;
    }
    assert(levels >= 2);
    return 0;
}
