// caption: 真 rte_acl：五元组字段定义、1000 条带优先级的规则编译成多位 trie，2 万个包的分类结果与逐条线性匹配完全一致，并比较两者每包 CPU 时间
// point: DPDK ACL实现数据过滤
// timeout: 40
// libs: libdpdk
#undef NDEBUG
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_eal.h>

#define NRULES 1000
#define NPKTS 20000
struct tuple { /* the bytes rte_acl reads, network byte order; the first field must be 1 byte */
    uint8_t proto;
    uint32_t src, dst;
    uint16_t sport, dport;
} __attribute__((packed));

static struct rte_acl_field_def defs[5] = {
    {RTE_ACL_FIELD_TYPE_BITMASK, 1, 0, 0, offsetof(struct tuple, proto)},
    {RTE_ACL_FIELD_TYPE_MASK, 4, 1, 1, offsetof(struct tuple, src)},
    {RTE_ACL_FIELD_TYPE_MASK, 4, 2, 2, offsetof(struct tuple, dst)},
    {RTE_ACL_FIELD_TYPE_RANGE, 2, 3, 3, offsetof(struct tuple, sport)}, /* the two ports share one 4-byte group */
    {RTE_ACL_FIELD_TYPE_RANGE, 2, 4, 3, offsetof(struct tuple, dport)},
};
RTE_ACL_RULE_DEF(rule5, 5);
static struct rule5 rules[NRULES];
static struct tuple pkts[NPKTS];
static uint64_t rnd = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void) { return rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17, (uint32_t)rnd; }

static double cpu_ns(void) { /* thread CPU time: time spent preempted by other jobs does not count */
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int field_match(const struct rule5 *r, const struct tuple *t) { /* host-order view of one packet */
    uint32_t s = rte_be_to_cpu_32(t->src), d = rte_be_to_cpu_32(t->dst);
    uint16_t sp = rte_be_to_cpu_16(t->sport), dp = rte_be_to_cpu_16(t->dport);
    const struct rte_acl_field *f = r->field;
    uint32_t ms = f[1].mask_range.u32 ? ~0u << (32 - f[1].mask_range.u32) : 0;
    uint32_t md = f[2].mask_range.u32 ? ~0u << (32 - f[2].mask_range.u32) : 0;
    return (t->proto & f[0].mask_range.u8) == f[0].value.u8 && (s & ms) == f[1].value.u32 &&
           (d & md) == f[2].value.u32 && sp >= f[3].value.u16 && sp <= f[3].mask_range.u16 &&
           dp >= f[4].value.u16 && dp <= f[4].mask_range.u16;
}

static uint32_t linear(const struct tuple *t) { /* the highest-priority matching rule wins */
    int32_t best = -1;
    uint32_t user = 0;
    for (int i = 0; i < NRULES; i++)
        if (rules[i].data.priority > best && field_match(&rules[i], t)) best = rules[i].data.priority, user = rules[i].data.userdata;
    return user;
}

int main(void) {
    char *eal[] = {"acl", "--no-huge", "--no-pci", "-m", "256", "-l", "0", "--file-prefix", "atlas534acl",
                   "--no-shconf", "--no-telemetry", "--log-level=*:error"};
    assert(rte_eal_init(sizeof eal / sizeof eal[0], eal) >= 0);
    for (int i = 0; i < NRULES; i++) { /* e.g. "tcp 10.x.0.0/16 -> 192.168.y.0/24 any -> 1000..1999, action i+1" */
        struct rule5 *r = &rules[i];
        int sl = 8 + next_rand() % 17, dl = 8 + next_rand() % 17, lo = next_rand() % 60000;
        r->data = (struct rte_acl_rule_data){.category_mask = 1, .priority = i + 1, .userdata = i + 1};
        int any = i % 10 == 0; /* protocol: tcp, udp, or any (value 0 under mask 0) */
        r->field[0].value.u8 = any ? 0 : i % 3 ? 6 : 17, r->field[0].mask_range.u8 = any ? 0 : 0xff;
        r->field[1].value.u32 = (0x0a000000 | (next_rand() & 0xffffff)) & (~0u << (32 - sl)), r->field[1].mask_range.u32 = sl;
        r->field[2].value.u32 = (0xc0a80000 | (next_rand() & 0xffff)) & (~0u << (32 - dl)), r->field[2].mask_range.u32 = dl;
        r->field[3].value.u16 = 0, r->field[3].mask_range.u16 = 65535;
        r->field[4].value.u16 = lo, r->field[4].mask_range.u16 = lo + next_rand() % 5000; /* lo + 4999 < 65536 */
    }
    struct rte_acl_param prm = {.name = "fw", .socket_id = SOCKET_ID_ANY, .rule_size = RTE_ACL_RULE_SZ(5),
                                .max_rule_num = NRULES};
    struct rte_acl_ctx *ctx = rte_acl_create(&prm);
    assert(ctx && rte_acl_add_rules(ctx, (struct rte_acl_rule *)rules, NRULES) == 0);
    struct rte_acl_config cfg = {.num_categories = 1, .num_fields = 5};
    memcpy(cfg.defs, defs, sizeof defs);
    double t0 = cpu_ns();
    assert(rte_acl_build(ctx, &cfg) == 0); /* compiles the rules into a multi-bit trie */
    printf("built %d rules in %.0f ms of CPU\n", NRULES, (cpu_ns() - t0) / 1e6);

    const uint8_t *data[NPKTS];
    uint32_t res[NPKTS];
    for (int i = 0; i < NPKTS; i++) { /* half aimed at a rule's ranges, half random */
        struct rule5 *r = &rules[next_rand() % NRULES];
        int aim = i % 2 == 0;
        pkts[i].proto = next_rand() % 2 ? 6 : 17;
        pkts[i].src = rte_cpu_to_be_32(aim ? r->field[1].value.u32 | (next_rand() & 0xff) : next_rand());
        pkts[i].dst = rte_cpu_to_be_32(aim ? r->field[2].value.u32 | (next_rand() & 0xff) : 0xc0a80000 | (next_rand() & 0xffff));
        pkts[i].sport = rte_cpu_to_be_16(next_rand() % 65536);
        pkts[i].dport = rte_cpu_to_be_16(aim ? r->field[4].value.u16 : next_rand() % 65536);
        data[i] = (const uint8_t *)&pkts[i];
    }
    t0 = cpu_ns();
    assert(rte_acl_classify(ctx, data, res, NPKTS, 1) == 0);
    double acl_c = (cpu_ns() - t0) / NPKTS;
    int matched = 0;
    t0 = cpu_ns();
    for (int i = 0; i < NPKTS; i++) {
        uint32_t want = linear(&pkts[i]);
        assert(res[i] == want); /* 0 means no rule matched */
        matched += want != 0;
    }
    double lin_c = (cpu_ns() - t0) / NPKTS;
    printf("%d packets: %d matched a rule, rte_acl == linear scan for every packet\n", NPKTS, matched);
    printf("ns of CPU per packet: rte_acl %.0f, linear scan of %d rules %.0f\n", acl_c, NRULES, lin_c);
    assert(matched > NPKTS / 4 && acl_c * 5 < lin_c);
    rte_acl_free(ctx);
    rte_eal_cleanup();
    rmdir("/var/run/dpdk/atlas534acl");
    return 0;
}
