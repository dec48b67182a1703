// caption: 读 /proc/slabinfo（需 root）：task_struct、mm_struct、vm_area_struct、filp 等内核对象各自的 slab 缓存；打开 2000 个文件，filp 缓存的活动对象随之增加，关闭后回落
// point: slab/slub/slob分配器
// timeout: 10
// needs: root
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct row { long active, num, size, per_slab, pages; };

static int slab_row(const char *name, struct row *r) {
    char line[512], n[64];
    int found = 0;
    FILE *f = fopen("/proc/slabinfo", "r");
    assert(f);                                   /* mode 0400: root only */
    while (!found && fgets(line, sizeof line, f))
        if (sscanf(line, "%63s %ld %ld %ld %ld %ld", n, &r->active, &r->num, &r->size,
                   &r->per_slab, &r->pages) == 6 && !strcmp(n, name))
            found = 1;
    fclose(f);
    return found;
}

int main(void) {
    const char *names[] = {"task_struct", "mm_struct", "vm_area_struct", "filp", "dentry", "kmalloc-64"};
    printf("%-15s %8s %8s %7s %9s %6s\n", "cache", "active", "objs", "objsize", "per_slab", "pages");
    for (int i = 0; i < 6; i++) {
        struct row r;
        if (!slab_row(names[i], &r)) { printf("%-15s (merged into another cache)\n", names[i]); continue; }
        printf("%-15s %8ld %8ld %7ld %9ld %6ld\n", names[i], r.active, r.num, r.size, r.per_slab, r.pages);
        assert(r.active <= r.num && r.per_slab * r.size <= r.pages * 4096);  /* objects fit their slab */
    }
    struct row t;
    assert(slab_row("task_struct", &t) && t.size > 1024);   /* a task_struct is several KiB */

    enum { N = 2000 };
    struct rlimit rl = { N + 64, N + 64 };
    setrlimit(RLIMIT_NOFILE, &rl);
    static int fds[N];
    struct row before, during, after;
    assert(slab_row("filp", &before));
    for (int i = 0; i < N; i++) assert((fds[i] = open("/dev/null", O_RDONLY)) >= 0);  /* one struct file each */
    assert(slab_row("filp", &during));
    for (int i = 0; i < N; i++) close(fds[i]);
    usleep(100000);                              /* struct file is freed after an RCU grace period */
    assert(slab_row("filp", &after));
    printf("filp active objects: %ld -> %ld with %d more open files -> %ld after closing\n",
           before.active, during.active, N, after.active);
    assert(during.active - before.active > N / 2);
    assert(after.active < during.active);
    return 0;
}
