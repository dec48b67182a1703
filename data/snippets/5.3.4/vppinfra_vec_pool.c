// caption: VPPInfra 思路的 C 模型（不是 VPP 本身）：向量把长度放在数据指针之前的头里、扩容会搬家；池 = 向量 + 空闲下标表，释放的下标被重用，对象之间用 u32 下标互相引用
// point: vpp基础库VPPInfra
// timeout: 10
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint32_t len, cap; } vec_hdr; /* sits just before element 0, like vec_header_t */
#define vec_hdr(v) ((vec_hdr *)(v) - 1)
#define vec_len(v) ((v) ? vec_hdr(v)->len : 0)
static void *vec_grow(void *v, size_t esz) { /* make room for one more element; may move the data */
    uint32_t len = vec_len(v), cap = v ? vec_hdr(v)->cap : 0;
    if (len < cap) return v;
    cap = cap ? cap + cap / 2 : 4; /* grow by 1.5x */
    vec_hdr *h = malloc(sizeof *h + cap * esz); /* new block, copy, free the old one */
    assert(h);
    h->len = len, h->cap = cap;
    if (v) memcpy(h + 1, v, len * esz), free(vec_hdr(v));
    return h + 1;
}
#define vec_add1(v, x) ((v) = vec_grow((v), sizeof *(v)), (v)[vec_hdr(v)->len++] = (x))
#define vec_free(v) (free((v) ? vec_hdr(v) : NULL), (v) = NULL)

typedef struct { uint32_t next_hop, refcnt; } adj_t; /* pool element: e.g. an adjacency */
typedef struct { adj_t *elts; uint32_t *free; } pool_t;
static uint32_t pool_get(pool_t *p) { /* reuse a freed index if there is one, else append */
    if (vec_len(p->free)) return p->free[--vec_hdr(p->free)->len];
    adj_t zero = {0, 0};
    vec_add1(p->elts, zero);
    return vec_len(p->elts) - 1;
}
static void pool_put(pool_t *p, uint32_t i) { vec_add1(p->free, i); }

int main(void) {
    int *v = NULL, moves = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t cap = v ? vec_hdr(v)->cap : 0;
        vec_add1(v, i * i);
        moves += cap && vec_len(v) > cap; /* the block moved: a pointer into the old one would dangle */
    }
    printf("vec: len %u cap %u, v[999] %d, data moved %d times while growing\n", vec_len(v), vec_hdr(v)->cap, v[999],
           moves);
    assert(vec_len(v) == 1000 && v[999] == 999 * 999 && moves > 0);
    vec_free(v);

    pool_t p = {0};
    uint32_t idx[100];
    for (int i = 0; i < 100; i++) idx[i] = pool_get(&p), p.elts[idx[i]].next_hop = 1000 + i;
    uint32_t keep = idx[42]; /* other objects hold this u32 index, not a pointer */
    for (int i = 0; i < 10; i++) pool_put(&p, idx[i * 2]); /* free indices 0, 2, ..., 18 */
    uint32_t again = pool_get(&p);
    for (int i = 0; i < 200; i++) pool_get(&p); /* the pool grows and moves its block */
    printf("pool: %u slots, reused index %u, element %u still reads next_hop %u after growth\n", vec_len(p.elts), again,
           keep, p.elts[keep].next_hop);
    assert(again == 18 && vec_len(p.elts) == 100 + 200 - 9 && p.elts[keep].next_hop == 1042);
    vec_free(p.elts), vec_free(p.free);
    return 0;
}
