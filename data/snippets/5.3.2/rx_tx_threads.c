// caption: 收包线程 / 发包线程 / 异常（KNI 角色）线程三段流水线：lcore 1 rx_burst 后按类别放进两个 rte_ring，主 lcore 取出 tx_burst，控制线程处理“交给内核”的包；包数守恒
// point: 接收线程/发送线程/KNI线程
// timeout: 30
// libs: libdpdk
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#define TOTAL 1000000u /* packets the rx thread takes in: bounded */
#define BURST 32
static struct rte_ring *to_tx, *to_kernel;
static volatile int rx_done;
static uint64_t rx_n, drop_tx, drop_exc, tx_n, exc_n, seq;

static int rx_thread(void *arg) { /* lcore 1: only receives and classifies */
    (void)arg;
    struct rte_mbuf *pk[BURST], *fwd[BURST], *exc[BURST];
    while (rx_n < TOTAL) {
        uint16_t n = rte_eth_rx_burst(0, 0, pk, BURST), nf = 0, ne = 0;
        for (uint16_t i = 0; i < n; i++) /* stand-in classifier: 1 packet in 64 is "ARP/ICMP for the kernel" */
            if (seq++ % 64 == 0) exc[ne++] = pk[i];
            else fwd[nf++] = pk[i];
        unsigned q = rte_ring_sp_enqueue_burst(to_tx, (void **)fwd, nf, NULL);
        unsigned k = rte_ring_sp_enqueue_burst(to_kernel, (void **)exc, ne, NULL);
        drop_tx += nf - q, drop_exc += ne - k; /* ring full: drop at the door, never block the rx loop */
        rte_pktmbuf_free_bulk(fwd + q, nf - q);
        rte_pktmbuf_free_bulk(exc + k, ne - k);
        rx_n += n;
    }
    __atomic_store_n(&rx_done, 1, __ATOMIC_RELEASE);
    return 0;
}

static void *kernel_thread(void *arg) { /* not an lcore: a control thread, like KNI's kernel-facing side */
    (void)arg;
    struct rte_mbuf *pk[BURST];
    for (;;) {
        unsigned n = rte_ring_sc_dequeue_burst(to_kernel, (void **)pk, BURST, NULL);
        exc_n += n; /* a real app would write them to a TAP/virtio-user port here */
        rte_pktmbuf_free_bulk(pk, n);
        if (n == 0 && __atomic_load_n(&rx_done, __ATOMIC_ACQUIRE) && rte_ring_empty(to_kernel)) return NULL;
        if (n == 0) usleep(100); /* slow path: may sleep */
    }
}

static void port_up(uint16_t p, struct rte_mempool *mp) {
    struct rte_eth_conf conf = {0};
    assert(rte_eth_dev_configure(p, 1, 1, &conf) == 0);
    assert(rte_eth_rx_queue_setup(p, 0, 512, SOCKET_ID_ANY, NULL, mp) == 0);
    assert(rte_eth_tx_queue_setup(p, 0, 512, SOCKET_ID_ANY, NULL) == 0);
    assert(rte_eth_dev_start(p) == 0);
}

int main(void) {
    char *eal[] = {"pipe", "--no-huge", "--no-pci", "-m", "256", "-l", "0-1", "--file-prefix", "atlas532pipe",
                   "--no-shconf", "--no-telemetry", "--log-level=*:error", "--vdev=net_null0", "--vdev=net_null1"};
    assert(rte_eal_init(sizeof eal / sizeof eal[0], eal) >= 0);
    struct rte_mempool *mp = rte_pktmbuf_pool_create("pkts", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    assert(mp);
    port_up(0, mp), port_up(1, mp);
    to_tx = rte_ring_create("to_tx", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    to_kernel = rte_ring_create("to_kernel", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
    assert(to_tx && to_kernel);
    pthread_t kt;
    assert(rte_ctrl_thread_create(&kt, "kni-like", NULL, kernel_thread, NULL) == 0);
    assert(rte_eal_remote_launch(rx_thread, NULL, 1) == 0);
    struct rte_mbuf *pk[BURST];
    for (;;) { /* main lcore: the tx thread */
        unsigned n = rte_ring_sc_dequeue_burst(to_tx, (void **)pk, BURST, NULL);
        uint16_t s = rte_eth_tx_burst(1, 0, pk, n);
        rte_pktmbuf_free_bulk(pk + s, n - s);
        tx_n += s;
        if (n == 0 && __atomic_load_n(&rx_done, __ATOMIC_ACQUIRE) && rte_ring_empty(to_tx)) break;
    }
    assert(rte_eal_wait_lcore(1) == 0);
    assert(pthread_join(kt, NULL) == 0);
    printf("rx thread (lcore 1): %lu packets from net_null0 (an endlessly fast NIC)\n", (unsigned long)rx_n);
    printf("tx thread (lcore 0): %lu sent on port 1, %lu dropped at the full to_tx ring\n", (unsigned long)tx_n,
           (unsigned long)drop_tx);
    printf("kernel-path thread:  %lu handled, %lu dropped at the full to_kernel ring\n", (unsigned long)exc_n,
           (unsigned long)drop_exc);
    assert(rx_n >= TOTAL && rx_n == tx_n + drop_tx + exc_n + drop_exc); /* every packet accounted for */
    assert(tx_n > 0 && exc_n > 0);
    assert(rte_mempool_avail_count(mp) == 8191); /* and every mbuf is back in the pool */
    for (uint16_t p = 0; p < 2; p++) assert(rte_eth_dev_stop(p) == 0), rte_eth_dev_close(p);
    rte_ring_free(to_tx), rte_ring_free(to_kernel), rte_mempool_free(mp);
    rte_eal_cleanup();
    rmdir("/var/run/dpdk/atlas532pipe");
    return 0;
}
