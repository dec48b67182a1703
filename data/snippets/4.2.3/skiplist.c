// caption: C 版 Redis 跳表（照 t_zset.c 的参数：p = 1/4、最多 32 层、每层 {forward, span}、backward 指针，分数相同按成员排序）：同一批 2 万个成员也 ZADD 进真实 Redis，ZRANK、ZRANGE 按排名取值、ZCOUNT 在插入和删除后都与服务器一致；打印层数分布
// point: 跳表的实现与数据论证
// timeout: 40
// needs: redis
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAXLEVEL 32
typedef struct znode {
    char *ele;
    double score;
    struct znode *backward;
    int nlevel;                                /* not in Redis's node: kept here to print the distribution */
    struct { struct znode *forward; unsigned long span; } level[];   /* flexible: only as many as needed */
} znode;
typedef struct { znode *header, *tail; unsigned long length; int level; } zskiplist;

static znode *make(int lvl, double score, const char *ele) {
    znode *n = calloc(1, sizeof *n + lvl * sizeof n->level[0]);
    n->score = score, n->ele = ele ? strdup(ele) : NULL, n->nlevel = lvl;
    return n;
}
static int random_level(void) {               /* each extra level with probability 1/4 */
    int l = 1;
    while ((random() & 0xFFFF) < 0xFFFF / 4 && l < MAXLEVEL) l++;
    return l;
}
static int before(const znode *x, double score, const char *ele) {   /* x sorts before (score, ele) */
    return x->score < score || (x->score == score && strcmp(x->ele, ele) < 0);
}

static void insert(zskiplist *zsl, double score, const char *ele) {
    znode *update[MAXLEVEL], *x = zsl->header;
    unsigned long rank[MAXLEVEL];
    for (int i = zsl->level - 1; i >= 0; i--) {     /* top-down search, remembering rank at each level */
        rank[i] = i == zsl->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward && before(x->level[i].forward, score, ele)) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    int lvl = random_level();
    if (lvl > zsl->level) {
        for (int i = zsl->level; i < lvl; i++) rank[i] = 0, update[i] = zsl->header, update[i]->level[i].span = zsl->length;
        zsl->level = lvl;
    }
    x = make(lvl, score, ele);
    for (int i = 0; i < lvl; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);   /* split the predecessor's span */
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = lvl; i < zsl->level; i++) update[i]->level[i].span++;     /* higher pointers now jump one more */
    x->backward = update[0] == zsl->header ? NULL : update[0];
    if (x->level[0].forward) x->level[0].forward->backward = x; else zsl->tail = x;
    zsl->length++;
}

static int erase(zskiplist *zsl, double score, const char *ele) {
    znode *update[MAXLEVEL], *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && before(x->level[i].forward, score, ele)) x = x->level[i].forward;
        update[i] = x;
    }
    x = x->level[0].forward;
    if (!x || x->score != score || strcmp(x->ele, ele)) return 0;
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else update[i]->level[i].span--;
    }
    if (x->level[0].forward) x->level[0].forward->backward = x->backward; else zsl->tail = x->backward;
    while (zsl->level > 1 && !zsl->header->level[zsl->level - 1].forward) zsl->level--;
    zsl->length--;
    free(x->ele), free(x);
    return 1;
}

static unsigned long rank_of(zskiplist *zsl, double score, const char *ele) {   /* 1-based, 0 if absent */
    znode *x = zsl->header;
    unsigned long r = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && (before(x->level[i].forward, score, ele) ||
               (x->level[i].forward->score == score && !strcmp(x->level[i].forward->ele, ele)))) {
            r += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x->ele && x->score == score && !strcmp(x->ele, ele)) return r;
    }
    return 0;
}

static znode *by_rank(zskiplist *zsl, unsigned long rank) {   /* follow spans down: O(log n) */
    znode *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) { traversed += x->level[i].span; x = x->level[i].forward; }
        if (traversed == rank) return x;
    }
    return NULL;
}

static unsigned long count_range(zskiplist *zsl, double lo, double hi) {   /* ZCOUNT lo hi, via two rank lookups */
    znode *x = zsl->header;
    unsigned long below = 0, upto = 0;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && x->level[i].forward->score < lo) below += x->level[i].span, x = x->level[i].forward;
    x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && x->level[i].forward->score <= hi) upto += x->level[i].span, x = x->level[i].forward;
    return upto - below;
}

/* ---- a minimal RESP client ---- */
static int rfd;
static FILE *rin;
static void send_cmd(int argc, const char **argv) {
    char buf[512];
    int n = sprintf(buf, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) n += sprintf(buf + n, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
    assert(send(rfd, buf, n, 0) == n);
}
static long long read_int(void) {             /* :n, or $len + value (for ZRANGE we read the element) */
    char line[256];
    assert(fgets(line, sizeof line, rin));
    return atoll(line + 1);
}
static void read_bulk_array1(char *out) {     /* *1 / $len / value */
    char line[256];
    assert(fgets(line, sizeof line, rin) && line[0] == '*' && atoi(line + 1) == 1);
    assert(fgets(line, sizeof line, rin) && line[0] == '$');
    assert(fgets(out, 256, rin));
    out[strcspn(out, "\r\n")] = 0;
}

static int fabs_ok(double share2) { return share2 > 0.22 && share2 < 0.28; }   /* ~1/4 have a 2nd level */

#define N 20000
int main(void) {
    const char *env = getenv("ATLAS_REDIS_PORT");
    rfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(env ? atoi(env) : 6379), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert(connect(rfd, (struct sockaddr *)&a, sizeof a) == 0);
    rin = fdopen(dup(rfd), "r");
    const char *key = "c_skiplist:z";
    send_cmd(2, (const char *[]){"DEL", key});
    read_int();

    zskiplist zsl = {.header = make(MAXLEVEL, 0, NULL), .level = 1};
    static char names[N][16];
    static double scores[N];
    srandom(12);
    for (int i = 0; i < N; i++) {             /* scores from 0..999: many ties, ordered by member */
        snprintf(names[i], 16, "m%05d", i);
        scores[i] = random() % 1000;
        insert(&zsl, scores[i], names[i]);
        char s[32];
        snprintf(s, sizeof s, "%.0f", scores[i]);
        send_cmd(4, (const char *[]){"ZADD", key, s, names[i]});   /* pipelined: replies read below */
    }
    for (int i = 0; i < N; i++) assert(read_int() == 1);
    long atleast[MAXLEVEL + 2] = {0};
    for (znode *x = zsl.header->level[0].forward; x; x = x->level[0].forward)
        for (int l = 1; l <= x->nlevel; l++) atleast[l]++;
    printf("levels: share of nodes with >= k levels (expected 4^-(k-1)):");
    for (int k = 2; k <= 5; k++) printf(" k=%d %.4f (%.4f)", k, (double)atleast[k] / N, 1.0 / (1 << 2 * (k - 1)));
    double ptrs = 0;
    for (int k = 1; k <= MAXLEVEL; k++) ptrs += atleast[k];
    printf("; tallest %d, pointers per node %.2f (expected 4/3)\n", zsl.level, ptrs / N);
    assert(ptrs / N > 1.25 && ptrs / N < 1.42 && fabs_ok((double)atleast[2] / N));
    for (int phase = 0; phase < 2; phase++) {
        for (int t = 0; t < 300; t++) {       /* ZRANK (0-based) == our rank - 1 */
            int i = random() % N;
            if (phase && scores[i] < 0) continue;
            send_cmd(3, (const char *[]){"ZRANK", key, names[i]});
            long long zr = read_int();
            assert(zr == (long long)rank_of(&zsl, scores[i], names[i]) - 1);
        }
        for (int t = 0; t < 300; t++) {       /* ZRANGE r r == our element at rank r + 1 */
            unsigned long r = random() % zsl.length;
            char rs[32], got[256];
            snprintf(rs, sizeof rs, "%lu", r);
            send_cmd(4, (const char *[]){"ZRANGE", key, rs, rs});
            read_bulk_array1(got);
            assert(!strcmp(got, by_rank(&zsl, r + 1)->ele));
        }
        for (int t = 0; t < 100; t++) {       /* ZCOUNT lo hi */
            int lo = random() % 1000, hi = lo + random() % 200;
            char l[16], h[16];
            snprintf(l, sizeof l, "%d", lo), snprintf(h, sizeof h, "%d", hi);
            send_cmd(4, (const char *[]){"ZCOUNT", key, l, h});
            assert(read_int() == (long long)count_range(&zsl, lo, hi));
        }
        printf("%s: %lu members, 300 ZRANK + 300 ZRANGE + 100 ZCOUNT answers equal the real server's\n",
               phase ? "after ZREM" : "after 20000 ZADD", zsl.length);
        if (phase) break;
        for (int i = 0; i < 5000; i++) {      /* remove a quarter: spans must stay right */
            int k = random() % N;
            if (scores[k] < 0) continue;
            assert(erase(&zsl, scores[k], names[k]));
            send_cmd(3, (const char *[]){"ZREM", key, names[k]});
            assert(read_int() == 1);
            scores[k] = -1;
        }
    }
    send_cmd(2, (const char *[]){"ZCARD", key});
    assert(read_int() == (long long)zsl.length);
    send_cmd(2, (const char *[]){"DEL", key});
    read_int();
    while (zsl.header->level[0].forward) { znode *x = zsl.header->level[0].forward; erase(&zsl, x->score, x->ele); }
    free(zsl.header);
    fclose(rin), close(rfd);
    return 0;
}
