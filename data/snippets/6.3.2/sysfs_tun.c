// caption: sysfs 增加数据：在私有网络命名空间里新建一个 TUN 网卡，内核注册 net_device 的同时在 sysfs 里长出 class/net/atl0 目录和属性文件；ioctl 改 MTU 从 sysfs 读到，写 sysfs 属性由 ioctl 读回；关闭 fd 后目录消失
// point: sysfs增加数据
// timeout: 10
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int attr(const char *path, char *buf, size_t n) { /* read one sysfs attribute */
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    if (r <= 0) return -1;
    buf[r] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

int main(void) {
    assert(unshare(CLONE_NEWNET | CLONE_NEWNS) == 0);     /* own netns, own mounts */
    assert(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
    assert(mkdir("sys", 0755) == 0);
    assert(mount("sysfs", "sys", "sysfs", 0, NULL) == 0);  /* shows this netns's devices */
    char buf[256], link[256];
    struct stat st;
    assert(stat("sys/class/net/lo", &st) == 0 && stat("sys/class/net/atl0", &st) != 0);
    printf("before: sys/class/net has lo, no atl0\n");

    int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    assert(tun >= 0);
    struct ifreq ifr = {0};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    strcpy(ifr.ifr_name, "atl0");
    assert(ioctl(tun, TUNSETIFF, &ifr) == 0);              /* register_netdevice() */
    ssize_t n = readlink("sys/class/net/atl0", link, sizeof link - 1);
    assert(n > 0);
    link[n] = 0;
    printf("after TUNSETIFF: sys/class/net/atl0 -> %s\n", link);
    assert(strstr(link, "devices/virtual/net/atl0"));
    assert(attr("sys/class/net/atl0/type", buf, sizeof buf) == 0);
    printf("  type=%s (ARPHRD_NONE)", buf);
    assert(atoi(buf) == 65534);
    assert(attr("sys/class/net/atl0/mtu", buf, sizeof buf) == 0);
    printf(" mtu=%s\n", buf);

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    ifr.ifr_mtu = 1400;
    assert(ioctl(s, SIOCSIFMTU, &ifr) == 0);               /* change via ioctl ... */
    assert(attr("sys/class/net/atl0/mtu", buf, sizeof buf) == 0 && atoi(buf) == 1400);
    printf("  ioctl(SIOCSIFMTU, 1400) -> sysfs mtu=%s\n", buf);
    int fd = open("sys/class/net/atl0/mtu", O_WRONLY);     /* ... and via a sysfs store() */
    assert(fd >= 0 && write(fd, "1300", 4) == 4);
    close(fd);
    assert(ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu == 1300);
    printf("  write sysfs mtu=1300 -> ioctl(SIOCGIFMTU)=%d\n", ifr.ifr_mtu);

    close(tun);                                            /* non-persistent: unregistered */
    int gone = 0;
    for (int i = 0; i < 200 && !gone; i++) { gone = stat("sys/class/net/atl0", &st) != 0; usleep(5000); }
    printf("after close(tun): sys/class/net/atl0 %s\n", gone ? "is gone" : "still there");
    assert(gone);
    close(s);
    assert(umount("sys") == 0 && rmdir("sys") == 0);
    return 0;
}
