// caption: 手写 Toeplitz RSS 哈希，与 DPDK 的 rte_softrss 和微软 RSS 验证向量逐位一致；经 128 项重定向表（RETA）把 2 万条流分到 4 个队列，对称密钥让往返两个方向落在同一队列
// point: 多队列网卡的工作原理
// timeout: 20
// libs: libdpdk
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <rte_thash.h>

static uint8_t symkey[40];
static const uint8_t mskey[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
                                0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
                                0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* Toeplitz: for every set bit of the input (MSB first), XOR in the 32-bit window of the key starting at that bit. */
static uint32_t toeplitz(const uint8_t *in, int len, const uint8_t *k) {
    uint32_t h = 0, win = (uint32_t)k[0] << 24 | k[1] << 16 | k[2] << 8 | k[3];
    for (int i = 0; i < len; i++)
        for (int b = 7; b >= 0; b--) {
            if (in[i] >> b & 1) h ^= win;
            win = win << 1 | (k[i + 4] >> b & 1); /* slide the window one key bit */
        }
    return h;
}

static uint32_t flow_hash(const uint8_t *key, uint32_t sip, uint32_t dip, uint16_t sp, uint16_t dp, uint32_t *dpdk) {
    uint8_t in[12] = {sip >> 24, sip >> 16, sip >> 8, sip, dip >> 24, dip >> 16, dip >> 8, dip, sp >> 8, sp, dp >> 8, dp};
    struct rte_ipv4_tuple t = {.src_addr = sip, .dst_addr = dip, .sport = sp, .dport = dp};
    *dpdk = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, key);
    return toeplitz(in, 12, key);
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
static void spread(const uint8_t *key, const char *name) {
    uint8_t reta[128];
    for (int i = 0; i < 128; i++) reta[i] = i % 4; /* default RETA: queues round-robin */
    int perq[4] = {0}, same_q_reverse = 0, n = 20000;
    uint64_t rnd = 88172645463325252ull;
    for (int f = 0; f < n; f++) {
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17; /* xorshift: random client address and port */
        uint32_t sip = (uint32_t)rnd, dip = IP(192, 168, 1, 1), d2, d3;
        uint16_t sp = 1024 + (rnd >> 32) % 60000;
        uint32_t hf = flow_hash(key, sip, dip, sp, 80, &d2);
        uint32_t hr = flow_hash(key, dip, sip, 80, sp, &d3); /* the reply direction of the same connection */
        assert(hf == d2 && hr == d3);
        perq[reta[hf & 127]]++; /* low 7 bits index the table */
        same_q_reverse += reta[hf & 127] == reta[hr & 127];
    }
    printf("%-10s flows per queue %d %d %d %d; reply on the same queue for %d of %d\n", name, perq[0], perq[1],
           perq[2], perq[3], same_q_reverse, n);
    for (int q = 0; q < 4; q++) assert(perq[q] > n / 4 * 0.9 && perq[q] < n / 4 * 1.1);
    if (key == mskey) assert(same_q_reverse < n / 2); /* roughly 1 in 4 by chance */
    else assert(same_q_reverse == n);
}

int main(void) {
    uint32_t d, h = flow_hash(mskey, IP(66, 9, 149, 187), IP(161, 142, 100, 80), 2794, 1766, &d);
    printf("66.9.149.187:2794 -> 161.142.100.80:1766  mine %08x  rte_softrss %08x\n", h, d);
    assert(h == 0x51ccc178 && d == h); /* Microsoft RSS verification suite, IPv4 with TCP */
    for (int i = 0; i < 40; i++) symkey[i] = i % 2 ? 0x5a : 0x6d; /* 16-bit period: swapping src/dst cancels out */
    spread(mskey, "MS key");
    spread(symkey, "0x6d5a key");
    return 0;
}
