// caption: 真 rte_ring：容量是 2 的幂减 1（EXACT_SZ 例外），bulk 全有或全无、burst 能放多少放多少；单线程测 SP/SC 与 MP/MC、逐个与 32 个一批的每对象 CPU 时间；跨 lcore 传 200 万个对象顺序不乱
// point: 数据结构rte_ring
// timeout: 30
// libs: libdpdk
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#define N 2000000u
static struct rte_ring *spsc;

static double cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* time spent preempted by other jobs does not count */
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double ns_per_obj(struct rte_ring *r, unsigned batch) { /* enqueue+dequeue, best of 5 rounds */
    void *objs[32] = {0};
    double best = 1e9;
    for (int round = 0; round < 5; round++) {
        double t0 = cpu_ns();
        for (unsigned i = 0; i < 200000; i += batch) {
            assert(rte_ring_enqueue_bulk(r, objs, batch, NULL) == batch);
            assert(rte_ring_dequeue_bulk(r, objs, batch, NULL) == batch);
        }
        double c = (cpu_ns() - t0) / 200000;
        best = c < best ? c : best;
    }
    return best;
}

static int producer(void *arg) { /* lcore 1 */
    (void)arg;
    uintptr_t next = 1;
    void *objs[32];
    while (next <= N) {
        unsigned n = 0;
        while (n < 32 && next + n <= N) objs[n] = (void *)(next + n), n++;
        next += rte_ring_sp_enqueue_burst(spsc, objs, n, NULL); /* partial when nearly full: retry the rest */
    }
    return 0;
}

int main(void) {
    char *eal[] = {"ring", "--no-huge", "--no-pci", "-m", "256", "-l", "0-1", "--file-prefix", "atlas533ring",
                   "--no-shconf", "--no-telemetry", "--log-level=*:error"};
    assert(rte_eal_init(sizeof eal / sizeof eal[0], eal) >= 0);
    struct rte_ring *r = rte_ring_create("r", 8, SOCKET_ID_ANY, 0); /* multi-producer/multi-consumer default */
    struct rte_ring *x = rte_ring_create("x", 1000, SOCKET_ID_ANY, RING_F_EXACT_SZ);
    printf("size 8 -> capacity %u; EXACT_SZ 1000 -> capacity %u (slots %u)\n", rte_ring_get_capacity(r),
           rte_ring_get_capacity(x), rte_ring_get_size(x));
    assert(rte_ring_get_capacity(r) == 7 && rte_ring_get_capacity(x) == 1000 && rte_ring_get_size(x) == 1024);
    void *objs[10] = {0};
    unsigned bulk = rte_ring_enqueue_bulk(r, objs, 10, NULL), burst = rte_ring_enqueue_burst(r, objs, 10, NULL);
    printf("10 objects into 7 free slots: bulk enqueued %u, burst enqueued %u\n", bulk, burst);
    assert(bulk == 0 && burst == 7 && rte_ring_full(r));
    rte_ring_reset(r);

    struct rte_ring *sp = rte_ring_create("sp", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    struct rte_ring *mp = rte_ring_create("mp", 1024, SOCKET_ID_ANY, 0);
    double s1 = ns_per_obj(sp, 1), s32 = ns_per_obj(sp, 32), m1 = ns_per_obj(mp, 1);
    printf("ns per object (enqueue+dequeue, one thread): SP/SC x1 %.2f, SP/SC x32 %.2f, MP/MC x1 %.2f\n", s1, s32, m1);
    assert(s32 * 2 < s1); /* batching amortises the head/tail updates */
    assert(s1 < m1);      /* MP/MC pays a compare-and-swap on each head move */

    spsc = rte_ring_create("spsc", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert(spsc && rte_eal_remote_launch(producer, NULL, 1) == 0);
    uintptr_t expect = 1;
    void *got[32];
    uint64_t t0 = rte_rdtsc(), empty = 0;
    while (expect <= N) { /* main lcore consumes: FIFO order must hold across cores */
        unsigned n = rte_ring_sc_dequeue_burst(spsc, got, 32, NULL);
        empty += n == 0;
        for (unsigned i = 0; i < n; i++) assert((uintptr_t)got[i] == expect++);
    }
    assert(rte_eal_wait_lcore(1) == 0);
    printf("lcore 1 -> lcore 0: %u objects in order, %.1f ns each (wall clock), %lu empty polls\n", N,
           (double)(rte_rdtsc() - t0) * 1e9 / rte_get_tsc_hz() / N, (unsigned long)empty);
    rte_ring_free(r), rte_ring_free(x), rte_ring_free(sp), rte_ring_free(mp), rte_ring_free(spsc);
    rte_eal_cleanup();
    rmdir("/var/run/dpdk/atlas533ring");
    return 0;
}
