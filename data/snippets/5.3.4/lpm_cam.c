// caption: 真 rte_lpm（DIR-24-8）查路由表：2 万条前缀，结果与逐条最长前缀匹配一致并比较每次查找的 CPU 时间；rte_hash 做二层 CAM 表：学习、转发、未知单播泛洪、MAC 迁移
// point: 高速查找路由表,CAM表
// timeout: 40
// libs: libdpdk
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_hash.h>
#include <rte_lpm.h>

#define NROUTES 20000
#define NLOOK 20000
static uint32_t pfx[NROUTES], nh[NROUTES];
static uint8_t len[NROUTES];
static uint64_t rnd = 88172645463325252ull;
static uint32_t next_rand(void) { return rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17, (uint32_t)rnd; }

static double cpu_ns(void) { /* thread CPU time: time spent preempted by other jobs does not count */
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int linear_lpm(uint32_t ip, uint32_t *hop) { /* what a router without a trie would do */
    int best = -1;
    for (int i = 0; i < NROUTES; i++) {
        uint32_t mask = len[i] ? ~0u << (32 - len[i]) : 0;
        if ((ip & mask) == pfx[i] && len[i] > best) best = len[i], *hop = nh[i];
    }
    return best < 0 ? -1 : 0;
}

int main(void) {
    char *eal[] = {"lpm", "--no-huge", "--no-pci", "-m", "512", "-l", "0", "--file-prefix", "atlas534lpm",
                   "--no-shconf", "--no-telemetry", "--log-level=*:error"};
    assert(rte_eal_init(sizeof eal / sizeof eal[0], eal) >= 0);
    struct rte_lpm_config cfg = {.max_rules = NROUTES * 2, .number_tbl8s = 16384};
    struct rte_lpm *lpm = rte_lpm_create("fib", SOCKET_ID_ANY, &cfg); /* tbl24: 2^24 entries of 4 bytes */
    assert(lpm);
    int uniq = 0, long_routes = 0;
    for (int i = 0; i < NROUTES; i++) { /* random prefixes /8../32; a duplicate prefix just updates its hop */
        len[i] = 8 + next_rand() % 25;
        pfx[i] = next_rand() & ~0u << (32 - len[i]);
        nh[i] = i + 1;
        for (int j = 0; j < i; j++)
            if (pfx[j] == pfx[i] && len[j] == len[i]) len[j] = 0, pfx[j] = 1; /* keep the newer one */
        assert(rte_lpm_add(lpm, pfx[i], len[i], nh[i]) == 0);
    }
    for (int i = 0; i < NROUTES; i++) uniq += len[i] != 0, long_routes += len[i] > 24;
    printf("routes: %d unique prefixes, %d longer than /24 (these need a tbl8 group)\n", uniq, long_routes);

    static uint32_t ips[NLOOK], hop_lpm[NLOOK];
    for (int i = 0; i < NLOOK; i++) { /* most addresses fall inside some route, some anywhere */
        int r = next_rand() % NROUTES;
        ips[i] = i % 4 ? pfx[r] | (next_rand() & ~(~0u << (32 - (len[r] ? len[r] : 32)))) : next_rand();
    }
    double t0 = cpu_ns();
    int hits = 0;
    for (int i = 0; i < NLOOK; i++) hits += rte_lpm_lookup(lpm, ips[i], &hop_lpm[i]) == 0;
    double c_lpm = (cpu_ns() - t0) / NLOOK;
    t0 = cpu_ns();
    for (int i = 0; i < NLOOK; i++) {
        uint32_t h = 0;
        int ok = linear_lpm(ips[i], &h);
        assert((ok == 0) == (rte_lpm_lookup(lpm, ips[i], &hop_lpm[i]) == 0) && (ok < 0 || h == hop_lpm[i]));
    }
    double c_lin = (cpu_ns() - t0) / NLOOK;
    printf("%d lookups, %d hits, same next hop as the linear scan every time\n", NLOOK, hits);
    printf("ns of CPU per lookup: rte_lpm %.1f, linear scan %.0f\n", c_lpm, c_lin);
    assert(hits > NLOOK / 2 && c_lpm * 20 < c_lin);
    rte_lpm_free(lpm);
    cfg.number_tbl8s = 4096; /* too few groups for these routes: rte_lpm_add fails once they run out */
    lpm = rte_lpm_create("small", SOCKET_ID_ANY, &cfg);
    int added = 0;
    while (added < NROUTES && (!len[added] || rte_lpm_add(lpm, pfx[added], len[added], 1) == 0)) added++;
    printf("with 4096 tbl8 groups, rte_lpm_add failed at route %d of %d\n", added, NROUTES);
    assert(added < NROUTES);
    rte_lpm_free(lpm);

    /* CAM (MAC) table: exact match on the 6-byte address, learned from source MACs */
    struct rte_hash_parameters hp = {.name = "cam", .entries = 16384, .key_len = 6, .socket_id = SOCKET_ID_ANY};
    struct rte_hash *cam = rte_hash_create(&hp);
    assert(cam);
    uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0};
    for (uint32_t i = 0; i < 10000; i++) { /* learn: host i seen on port i % 8 */
        memcpy(mac + 2, &i, 4);
        assert(rte_hash_add_key_data(cam, mac, (void *)(uintptr_t)(i % 8 + 1)) == 0);
    }
    void *port;
    uint32_t h = 1234, unknown = 777777;
    memcpy(mac + 2, &h, 4);
    assert(rte_hash_lookup_data(cam, mac, &port) >= 0 && (uintptr_t)port == 1234 % 8 + 1);
    assert(rte_hash_add_key_data(cam, mac, (void *)(uintptr_t)5) == 0); /* host moved: same key, new port */
    assert(rte_hash_lookup_data(cam, mac, &port) >= 0 && (uintptr_t)port == 5);
    memcpy(mac + 2, &unknown, 4);
    int miss = rte_hash_lookup_data(cam, mac, &port);
    printf("CAM: %d MACs learned; host 1234 moved to port %lu; unknown MAC -> %s\n", rte_hash_count(cam),
           (unsigned long)5, miss < 0 ? "flood to all ports" : "hit?");
    assert(miss == -ENOENT && rte_hash_count(cam) == 10000);
    rte_hash_free(cam);
    rte_eal_cleanup();
    rmdir("/var/run/dpdk/atlas534lpm");
    return 0;
}
