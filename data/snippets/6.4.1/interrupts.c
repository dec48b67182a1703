// caption: 读 /proc/interrupts 两次，中间睡 300 ms 并写盘 fsync：本地时钟中断（LOC）一直在走，磁盘完成中断落在块设备的 virtio 队列上；/proc/softirqs 里看到对应的下半部
// point: 请求中断
// timeout: 15
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXL 128
struct row { char name[16], desc[48]; unsigned long long total; };

static int snap(const char *path, struct row *r) {   /* sum every CPU column of each row */
    FILE *f = fopen(path, "r");
    char line[1024];
    int n = 0;
    assert(f && fgets(line, sizeof line, f));          /* header: CPU0 CPU1 ... */
    while (n < MAXL && fgets(line, sizeof line, f)) {
        char *p = line, *end;
        while (*p == ' ') p++;
        char *colon = strchr(p, ':');
        if (!colon) continue;
        *colon = 0;
        snprintf(r[n].name, sizeof r[n].name, "%.15s", p);
        p = colon + 1;
        r[n].total = 0;
        for (;;) {
            unsigned long long v = strtoull(p, &end, 10);
            if (end == p) break;
            r[n].total += v;
            p = end;
        }
        while (*p == ' ') p++;
        p[strcspn(p, "\n")] = 0;
        snprintf(r[n].desc, sizeof r[n].desc, "%.47s", p);
        n++;
    }
    fclose(f);
    return n;
}

static unsigned long long delta(const char *title, struct row *a, int n, struct row *b, int m,
                                const char *want) {
    unsigned long long hit = 0;
    printf("%s\n", title);
    for (int i = 0; i < n && i < m; i++) {
        if (strcmp(a[i].name, b[i].name) || b[i].total == a[i].total) continue;
        printf("  %-8s +%-6llu %s\n", b[i].name, b[i].total - a[i].total, b[i].desc);
        if (!strcmp(b[i].name, want)) hit = b[i].total - a[i].total;
    }
    return hit;
}

int main(void) {
    static struct row i0[MAXL], i1[MAXL], s0[MAXL], s1[MAXL];
    int ni0 = snap("/proc/interrupts", i0), ns0 = snap("/proc/softirqs", s0);
    int fd = open("io.tmp", O_CREAT | O_WRONLY | O_TRUNC, 0600);  /* workload: disk + sleep */
    char buf[65536];
    memset(buf, 7, sizeof buf);
    for (int i = 0; i < 16; i++) assert(write(fd, buf, sizeof buf) == sizeof buf);
    assert(fsync(fd) == 0);
    close(fd);
    unlink("io.tmp");
    usleep(300000);
    int ni1 = snap("/proc/interrupts", i1), ns1 = snap("/proc/softirqs", s1);
    unsigned long long loc = delta("/proc/interrupts rows that moved (1 MiB write + fsync + 300 ms):",
                                   i0, ni0, i1, ni1, "LOC");
    unsigned long long timer = delta("/proc/softirqs rows that moved:", s0, ns0, s1, ns1, "TIMER");
    assert(loc > 0 && timer > 0);   /* the local APIC timer and its softirq always run */
    return 0;
}
