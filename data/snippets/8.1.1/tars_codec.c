// caption: 手写 TARS 协议的 TLV 编解码：头字节高 4 位是 tag、低 4 位是类型（tag ≥ 15 时再跟一个字节），整数按值选最短类型、0 只占一个头字节，大端序；检查字节、往返一致，并验证新旧版本结构互相兼容
// point: RPC协议的序列化与反序列化
// timeout: 10
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { T_CHAR, T_SHORT, T_INT32, T_INT64, T_FLOAT, T_DOUBLE, T_STR1, T_STR4, T_MAP, T_LIST,
       T_SBEGIN, T_SEND, T_ZERO, T_SIMPLELIST };
typedef struct { uint8_t b[512]; size_t n, pos; } buf_t;

static void put(buf_t *w, const void *p, size_t k) { assert(w->n + k <= sizeof w->b); memcpy(w->b + w->n, p, k); w->n += k; }
static void head(buf_t *w, unsigned tag, unsigned type) {
    uint8_t h[2] = {(uint8_t)((tag < 15 ? tag : 15) << 4 | type), (uint8_t)tag};
    put(w, h, tag < 15 ? 1 : 2);
}
static void put_int(buf_t *w, unsigned tag, int64_t v) { /* smallest type that holds the value */
    uint8_t be[8];
    if (v == 0) { head(w, tag, T_ZERO); return; }
    int k = v >= INT8_MIN && v <= INT8_MAX ? 1 : v >= INT16_MIN && v <= INT16_MAX ? 2 : v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
    head(w, tag, k == 1 ? T_CHAR : k == 2 ? T_SHORT : k == 4 ? T_INT32 : T_INT64);
    for (int i = 0; i < k; i++) be[i] = (uint8_t)((uint64_t)v >> (8 * (k - 1 - i))); /* big-endian */
    put(w, be, (size_t)k);
}
static void put_str(buf_t *w, unsigned tag, const char *s) {
    size_t len = strlen(s);
    assert(len < 256);                 /* longer strings use T_STR4 with a 4-byte length */
    head(w, tag, T_STR1);
    uint8_t l = (uint8_t)len;
    put(w, &l, 1);
    put(w, s, len);
}
static void get_head(buf_t *r, unsigned *tag, unsigned *type) {
    uint8_t h = r->b[r->pos++];
    *type = h & 15; *tag = h >> 4;
    if (*tag == 15) *tag = r->b[r->pos++];
}
static int64_t get_int_body(buf_t *r, unsigned type) {
    int k = type == T_ZERO ? 0 : type == T_CHAR ? 1 : type == T_SHORT ? 2 : type == T_INT32 ? 4 : 8;
    uint64_t u = 0;
    for (int i = 0; i < k; i++) u = u << 8 | r->b[r->pos++];
    return k == 1 ? (int8_t)u : k == 2 ? (int16_t)u : k == 4 ? (int32_t)u : (int64_t)u;
}
static void skip_field(buf_t *r, unsigned type) { /* what lets an old reader ignore new tags */
    unsigned tag, t;
    if (type <= T_INT64 || type == T_ZERO) { get_int_body(r, type); return; }
    if (type == T_STR1) { r->pos += 1u + r->b[r->pos]; return; }
    if (type == T_LIST) { get_head(r, &tag, &t); int64_t n = get_int_body(r, t);
        for (int64_t i = 0; i < n; i++) { get_head(r, &tag, &t); skip_field(r, t); } return; }
    if (type == T_SBEGIN) { do { get_head(r, &tag, &t); skip_field(r, t); } while (t != T_SEND); return; }
    assert(type == T_SEND);
}

/* struct HelloReq (v2): 0 uid:int, 1 name:string, 2 scores:list<int>, 20 ts:long (new in v2, tag >= 15) */
typedef struct { int64_t uid; char name[32]; int64_t scores[4]; int nscores; int64_t ts; } req_t;
static void encode(buf_t *w, const req_t *q, int version) {
    put_int(w, 0, q->uid);
    put_str(w, 1, q->name);
    head(w, 2, T_LIST);
    put_int(w, 0, q->nscores);                      /* list length is an int with tag 0 */
    for (int i = 0; i < q->nscores; i++) put_int(w, 0, q->scores[i]);
    if (version >= 2) put_int(w, 20, q->ts);
}
static void decode(buf_t *r, req_t *q, int version) { /* fields arrive in increasing tag order */
    memset(q, 0, sizeof *q);
    unsigned tag, type;
    while (r->pos < r->n) {
        get_head(r, &tag, &type);
        if (tag == 0) q->uid = get_int_body(r, type);
        else if (tag == 1) { size_t l = r->b[r->pos++]; memcpy(q->name, r->b + r->pos, l); r->pos += l; }
        else if (tag == 2) { unsigned t0, ty; get_head(r, &t0, &ty); q->nscores = (int)get_int_body(r, ty);
            for (int i = 0; i < q->nscores; i++) { get_head(r, &t0, &ty); q->scores[i] = get_int_body(r, ty); } }
        else if (tag == 20 && version >= 2) q->ts = get_int_body(r, type);
        else skip_field(r, type);                   /* unknown tag: skip by type, keep going */
    }
}

int main(void) {
    buf_t w = {0};
    put_int(&w, 0, 0); put_int(&w, 1, 100); put_int(&w, 2, 1000); put_int(&w, 3, 100000); put_int(&w, 4, 1LL << 40);
    static const uint8_t want[] = {0x0C, 0x10, 100, 0x21, 0x03, 0xE8, 0x32, 0x00, 0x01, 0x86, 0xA0,
                                   0x43, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    printf("ints 0,100,1000,100000,2^40 ->");
    for (size_t i = 0; i < w.n; i++) printf(" %02X", w.b[i]);
    printf("  (%zu bytes)\n", w.n);
    assert(w.n == sizeof want && memcmp(w.b, want, w.n) == 0);   /* 1+2+3+5+9 bytes */

    req_t q = {.uid = -7, .name = "alice", .scores = {3, 300, 0}, .nscores = 3, .ts = 1700000000123LL}, back;
    buf_t v2 = {0};
    encode(&v2, &q, 2);
    printf("HelloReq v2 (%zu bytes):", v2.n);
    for (size_t i = 0; i < v2.n; i++) printf(" %02X", v2.b[i]);
    printf("\n");
    assert(v2.b[0] == 0x00 && v2.b[1] == 0xF9);    /* tag 0 char -7 */
    assert(v2.b[2] == 0x16 && v2.b[3] == 5);       /* tag 1 string1, length 5 */
    assert(v2.b[9] == 0x29 && v2.b[10] == 0x00 && v2.b[11] == 3); /* tag 2 list, length 3 as tag-0 char */
    assert(v2.b[v2.n - 10] == 0xF3 && v2.b[v2.n - 9] == 20);      /* tag 20: 0xF0|INT64, then the tag byte */
    decode(&v2, &back, 2);
    assert(back.uid == q.uid && strcmp(back.name, "alice") == 0 && back.nscores == 3 &&
           back.scores[1] == 300 && back.scores[2] == 0 && back.ts == q.ts);
    v2.pos = 0;
    decode(&v2, &back, 1);                          /* old reader, new message: tag 20 skipped */
    assert(back.uid == -7 && back.ts == 0 && v2.pos == v2.n);
    buf_t v1 = {0};
    encode(&v1, &q, 1);
    decode(&v1, &back, 2);                          /* new reader, old message: ts keeps its default */
    assert(back.ts == 0 && back.scores[1] == 300 && v1.n + 10 == v2.n);
    printf("round trip ok; v1 reader skips tag 20; v2 reader defaults ts when v1 omits it\n");
    return 0;
}
