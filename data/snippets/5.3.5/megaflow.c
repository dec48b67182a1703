// caption: OvS 报文处理的 C 模型（不是 OvS 代码）：OpenFlow 优先级表做慢路径，命中后按“看过哪些位”生成带掩码的 megaflow 装进元组空间缓存，前面再加精确匹配缓存（EMC）；分阶段查找让 megaflow 更宽、upcall 更少
// point: OvS报文处理机制
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { IN_PORT, IP_SRC, IP_DST, PROTO, TP_DST, NF };             /* flow key fields */
static const int stage_of[NF] = {0, 1, 1, 1, 2};                    /* metadata, L3, L4 */
typedef struct { uint32_t f[NF]; } key_t;
typedef struct { int prio; key_t val, mask; int action; } rule_t; /* action: output port, 0 = drop */

static const rule_t table[] = { /* the OpenFlow table, highest priority first */
    {300, {{0, 0, 0x0a010000, 6, 80}}, {{0, 0, 0xffff0000, 0xff, 0xffff}}, 2}, /* tcp to 10.1/16:80 -> port 2 */
    {200, {{0, 0, 0x0a010000, 0, 0}}, {{0, 0, 0xffff0000, 0, 0}}, 3},          /* 10.1/16 -> port 3 */
    {100, {{1, 0, 0x0a000000, 0, 0}}, {{0xff, 0, 0xff000000, 0, 0}}, 4},       /* from port 1 to 10/8 -> 4 */
    {0, {{0}}, {{0}}, 0},                                                       /* table miss: drop */
};
#define NRULES (int)(sizeof table / sizeof table[0])

/* Slow path ("upcall"): first matching rule; *wc collects every bit the lookup looked at. */
static int classify(const key_t *k, key_t *wc, int staged) {
    memset(wc, 0, sizeof *wc);
    for (int r = 0; r < NRULES; r++) {
        int ok = 1;
        for (int st = 0; st < 3 && ok; st++) /* staged: stop at the first stage that fails */
            for (int i = 0; i < NF; i++)
                if (stage_of[i] == st) {
                    wc->f[i] |= table[r].mask.f[i];
                    ok &= (k->f[i] & table[r].mask.f[i]) == table[r].val.f[i];
                }
        if (!ok && !staged) /* unstaged: a failing rule un-wildcards all of its fields */
            for (int i = 0; i < NF; i++) wc->f[i] |= table[r].mask.f[i];
        if (ok) return table[r].action;
    }
    return -1;
}

/* Megaflow cache: tuple space search, one hash table (subtable) per distinct mask. */
#define SUB 8
#define SLOTS 4096
typedef struct { key_t mask; int n; struct { key_t k; int action, used; } e[SLOTS]; } subtable_t;
static subtable_t subs[SUB];
static int nsubs;
static uint32_t hash_key(const key_t *k) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < NF; i++) h = (h ^ k->f[i]) * 16777619u;
    return h;
}
static key_t masked(const key_t *k, const key_t *m) {
    key_t o;
    for (int i = 0; i < NF; i++) o.f[i] = k->f[i] & m->f[i];
    return o;
}
static int mf_lookup(const key_t *k) {
    for (int s = 0; s < nsubs; s++) {
        key_t mk = masked(k, &subs[s].mask);
        for (uint32_t h = hash_key(&mk) % SLOTS, n = 0; subs[s].e[h].used && n < SLOTS; h = (h + 1) % SLOTS, n++)
            if (!memcmp(&subs[s].e[h].k, &mk, sizeof mk)) return subs[s].e[h].action;
    }
    return -1;
}
static void mf_insert(const key_t *k, const key_t *mask, int action) {
    int s = 0;
    while (s < nsubs && memcmp(&subs[s].mask, mask, sizeof *mask)) s++;
    if (s == nsubs) assert(nsubs < SUB), subs[nsubs++].mask = *mask;
    key_t mk = masked(k, mask);
    uint32_t h = hash_key(&mk) % SLOTS;
    while (subs[s].e[h].used) h = (h + 1) % SLOTS;
    subs[s].e[h].k = mk, subs[s].e[h].action = action, subs[s].e[h].used = 1, subs[s].n++;
}

#define EMC 8192 /* exact-match cache: direct-mapped on the full key */
static struct { key_t k; int action, used; } emc[EMC];

static void run(int staged) {
    memset(subs, 0, sizeof subs), memset(emc, 0, sizeof emc), nsubs = 0;
    int emc_hit = 0, mf_hit = 0, upcalls = 0, n = 200000;
    uint64_t rnd = 12345;
    for (int p = 0; p < n; p++) {
        rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t r = rnd >> 33, flow = r % 3000; /* 3000 microflows (connections) */
        key_t k = {{1 + flow % 2, 0xc0a80000 | flow, (flow % 3 ? 0x0a010000 : 0x0a020000) | (flow & 0xff),
                    flow % 5 ? 6 : 17, flow % 7 ? 80 : 1024 + flow}};
        uint32_t e = hash_key(&k) % EMC;
        int action;
        if (emc[e].used && !memcmp(&emc[e].k, &k, sizeof k)) action = emc[e].action, emc_hit++;
        else {
            if ((action = mf_lookup(&k)) >= 0) mf_hit++;
            else { /* miss everywhere: upcall to the slow path, install a megaflow */
                key_t wc;
                action = classify(&k, &wc, staged), upcalls++;
                mf_insert(&k, &wc, action);
            }
            emc[e].k = k, emc[e].action = action, emc[e].used = 1;
        }
        key_t dummy;
        assert(action == classify(&k, &dummy, staged)); /* the caches never change the answer */
    }
    int megaflows = 0;
    for (int s = 0; s < nsubs; s++) megaflows += subs[s].n;
    printf("%-9s %d packets: EMC hits %6d, megaflow hits %5d, upcalls %4d -> %4d megaflows in %d subtables\n",
           staged ? "staged" : "unstaged", n, emc_hit, mf_hit, upcalls, megaflows, nsubs);
    assert(upcalls == megaflows && upcalls < 3000);
    static int last;
    if (staged) assert(upcalls < last); /* staged lookup un-wildcards fewer bits: wider megaflows */
    last = upcalls;
}

int main(void) {
    run(0);
    run(1);
    return 0;
}
