// caption: 从用户态看内核选 kmalloc 还是 vmalloc（需 root）：BPF 数组映射不超过 32 KiB 时内核用 kmalloc（kmalloc-cg-8k 多出 64 个对象），8 MiB 的映射改用 vmalloc（vmallocinfo 多出一段 2049 页加保护页的区域）
// point: 系统调用kmalloc/vmalloc
// timeout: 15
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* An array map of n 8-byte values; the kernel sizes one buffer for all of them. */
static int array_map(unsigned n) {
    union bpf_attr a;
    memset(&a, 0, sizeof a);
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = n;
    return (int)syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
}

static long slab_active(const char *name) {   /* active objects of one slab cache */
    char line[512], n[64];
    long active = -1, v;
    FILE *f = fopen("/proc/slabinfo", "r");
    assert(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %ld", n, &v) == 2 && !strcmp(n, name)) active = v;
    fclose(f);
    return active;
}

static int array_vmallocs(long *pages_out) {  /* vmalloc areas allocated by array_map_alloc */
    char line[512];
    int n = 0;
    FILE *f = fopen("/proc/vmallocinfo", "r");
    assert(f);
    while (fgets(line, sizeof line, f)) {
        long size, pages;
        char *p = strstr(line, "pages=");
        if (!strstr(line, "array_map_alloc") || !p) continue;
        assert(sscanf(line, "%*s %ld", &size) == 1 && sscanf(p, "pages=%ld", &pages) == 1);
        assert(size == (pages + 1) * 4096);   /* plus one guard page */
        if (pages_out && pages > *pages_out) *pages_out = pages;
        n++;
    }
    fclose(f);
    return n;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    enum { SMALL = 64 };
    int fds[SMALL + 1];
    long k0 = slab_active("kmalloc-cg-8k");
    int v0 = array_vmallocs(NULL);
    for (int i = 0; i < SMALL; i++) assert((fds[i] = array_map(512)) >= 0);   /* 4 KiB + header */
    long k1 = slab_active("kmalloc-cg-8k");
    int v1 = array_vmallocs(NULL);
    printf("%d maps of 512 x 8 B: kmalloc-cg-8k active %ld -> %ld, array_map vmalloc areas %d -> %d\n",
           SMALL, k0, k1, v0, v1);
    assert(k0 >= 0 && k1 - k0 >= SMALL * 3 / 4 && v1 == v0);

    long pages = 0;
    assert((fds[SMALL] = array_map(1 << 20)) >= 0);                           /* 8 MiB */
    int v2 = array_vmallocs(&pages);
    printf("1 map of 1 Mi x 8 B: array_map vmalloc areas %d -> %d, largest %ld pages + 1 guard\n",
           v1, v2, pages);
    /* the 8 MiB area, and (when its page-pointer array exceeds a page) that array too */
    assert(v2 > v1 && v2 <= v1 + 2 && pages >= 2048);

    for (int i = 0; i <= SMALL; i++) close(fds[i]);
    int v3 = v2;
    for (int t = 0; t < 300 && (v3 = array_vmallocs(NULL)) > v0; t++) usleep(10000);
    printf("after close: %d (maps are freed from a workqueue)\n", v3);
    assert(v3 == v0);
    return 0;
}
