// caption: 从 /sys/bus/pci 列出这台虚拟机的 PCI 设备：厂商号、设备号、类代码、绑定的驱动、BAR 资源，并直接读配置空间的前几个字节核对厂商号
// point: PCI总线原理
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long hexattr(const char *dev, const char *name) {
    char path[512], buf[64] = "";
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/%s", dev, name);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
    fclose(f);
    return strtoul(buf, NULL, 16);
}

static const char *class_name(unsigned long cls) {
    switch (cls >> 16) {
    case 0x01: return "mass storage";
    case 0x02: return "network";
    case 0x03: return "display";
    case 0x06: return "bridge";
    case 0xff: return "unassigned";
    case 0x0c: return "serial bus";
    default: return "other";
    }
}

static const char *virtio_kind(unsigned long ven, unsigned long dev) {
    if (ven != 0x1af4 || dev < 0x1040) return "";     /* modern virtio: 0x1040 + device id */
    switch (dev - 0x1040) {
    case 1: return " (virtio-net)";
    case 2: return " (virtio-blk)";
    case 3: return " (virtio-console)";
    case 4: return " (virtio-rng)";
    case 5: return " (virtio-balloon)";
    case 19: return " (virtio-vsock)";
    default: return " (virtio)";
    }
}

static int real(const struct dirent *e) { return e->d_name[0] != '.'; }

int main(void) {
    struct dirent **list;
    int total = scandir("/sys/bus/pci/devices", &list, real, alphasort);
    if (total <= 0) { printf("/sys/bus/pci/devices is empty or missing on this machine\n"); return 0; }
    int n = 0;
    for (int k = 0; k < total; k++) {
        struct dirent *e = list[k];
        unsigned long ven = hexattr(e->d_name, "vendor"), dev = hexattr(e->d_name, "device");
        unsigned long cls = hexattr(e->d_name, "class");
        char path[512], link[256] = "-", *drv = link;
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/driver", e->d_name);
        ssize_t l = readlink(path, link, sizeof link - 1);
        if (l > 0) { link[l] = 0; drv = strrchr(link, '/') + 1; }
        int bars = 0;                                  /* lines of "start end flags" */
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/resource", e->d_name);
        FILE *f = fopen(path, "r");
        unsigned long long s, t, fl;
        for (int i = 0; f && i < 6 && fscanf(f, "%llx %llx %llx", &s, &t, &fl) == 3; i++)
            if (t > s) bars++;
        if (f) fclose(f);
        unsigned char cfg[4] = {0};                    /* config space: vendor, device (LE) */
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/config", e->d_name);
        int fd = open(path, O_RDONLY);
        assert(fd >= 0 && pread(fd, cfg, 4, 0) == 4);
        close(fd);
        assert((unsigned long)(cfg[0] | cfg[1] << 8) == ven && (unsigned long)(cfg[2] | cfg[3] << 8) == dev);
        printf("%s %04lx:%04lx class %06lx %-13s driver %-10s BARs %d%s\n", e->d_name, ven, dev, cls,
               class_name(cls), drv, bars, virtio_kind(ven, dev));
        n++;
        free(e);
    }
    free(list);
    printf("%d PCI functions; config space vendor/device bytes match sysfs for all\n", n);
    return 0;
}
