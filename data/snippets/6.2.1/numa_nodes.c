// caption: 从 /sys/devices/system/node 读出 NUMA 拓扑：节点、每个节点的 CPU 与内存、距离表，再用 get_mempolicy 问内核一页内存落在哪个节点
// point: uma与numa的内存结构
// timeout: 10
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_F_NODE (1 << 0)
#define MPOL_F_ADDR (1 << 1)

static int read_line(const char *path, char *buf, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (!fgets(buf, (int)n, f)) buf[0] = 0;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

/* Parse a cpulist such as "0-3,8" into a set. */
static void parse_list(const char *s, cpu_set_t *set) {
    CPU_ZERO(set);
    while (*s) {
        char *end;
        long a = strtol(s, &end, 10), b = a;
        if (*end == '-') b = strtol(end + 1, &end, 10);
        for (long c = a; c <= b; c++) CPU_SET(c, set);
        s = *end == ',' ? end + 1 : end;
    }
}

static long meminfo_kb(const char *path, const char *key) {
    char line[256];
    long v = -1;
    FILE *f = fopen(path, "r");
    assert(f);
    while (fgets(line, sizeof line, f)) {
        char *p = strstr(line, key);
        if (p) { v = atol(p + strlen(key)); break; }
    }
    fclose(f);
    return v;
}

int main(void) {
    char online[256], buf[512], path[128];
    assert(read_line("/sys/devices/system/node/online", online, sizeof online) == 0);
    cpu_set_t nodes, cpus, seen;
    parse_list(online, &nodes);
    CPU_ZERO(&seen);
    long total_kb = 0;
    printf("online nodes: %s (%s)\n", online, CPU_COUNT(&nodes) == 1 ? "a single node: UMA to software" : "NUMA");
    for (int n = 0; n < CPU_SETSIZE; n++) {
        if (!CPU_ISSET(n, &nodes)) continue;
        snprintf(path, sizeof path, "/sys/devices/system/node/node%d/cpulist", n);
        assert(read_line(path, buf, sizeof buf) == 0);
        parse_list(buf, &cpus);
        cpu_set_t both;
        CPU_AND(&both, &cpus, &seen);
        assert(CPU_COUNT(&both) == 0);              /* a CPU belongs to one node */
        CPU_OR(&seen, &seen, &cpus);
        snprintf(path, sizeof path, "/sys/devices/system/node/node%d/meminfo", n);
        long kb = meminfo_kb(path, "MemTotal:");
        total_kb += kb;
        snprintf(path, sizeof path, "/sys/devices/system/node/node%d/distance", n);
        char dist[256];
        assert(read_line(path, dist, sizeof dist) == 0);
        printf("node%d: cpus %s, MemTotal %ld MiB, distance [%s]\n", n, buf, kb / 1024, dist);
        assert(atoi(dist + 0) > 0);                 /* local distance, 10 by convention */
    }
    long all = meminfo_kb("/proc/meminfo", "MemTotal:");
    printf("sum over nodes %ld MiB, /proc/meminfo MemTotal %ld MiB\n", total_kb / 1024, all / 1024);
    assert(labs(total_kb - all) <= all / 50);
    assert(CPU_COUNT(&seen) >= sysconf(_SC_NPROCESSORS_ONLN));

    /* Which node backs a freshly touched page? (default policy: local to this CPU) */
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert(p != MAP_FAILED);
    p[0] = 1;
    int node = -1;
    assert(syscall(SYS_get_mempolicy, &node, NULL, 0, p, MPOL_F_NODE | MPOL_F_ADDR) == 0);
    printf("page at %p lives on node %d (running on cpu %d)\n", (void *)p, node, sched_getcpu());
    assert(CPU_ISSET(node, &nodes));
    munmap(p, 4096);
    return 0;
}
