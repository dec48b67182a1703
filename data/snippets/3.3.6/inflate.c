// caption: C 版手写 inflate（RFC 1950/1951）：按位读取、stored 块、固定 Huffman、动态 Huffman（码长的码长、游程 16/17/18）、规范 Huffman 解码、长度/距离表与回指复制，再校验 zlib 头和 Adler-32；真实 zlib 在各级别与策略下压缩的文本和随机数据都能解开
// point: 手撕zlib压缩与解压
// timeout: 30
// libs: zlib
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct { const uint8_t *in; size_t len, pos; uint32_t bitbuf; int bitcnt; uint8_t *out; size_t olen, cap; } state;

static int bits(state *s, int n) {                   /* deflate packs bits LSB first */
    while (s->bitcnt < n) {
        if (s->pos >= s->len) return -1;
        s->bitbuf |= (uint32_t)s->in[s->pos++] << s->bitcnt;
        s->bitcnt += 8;
    }
    int v = s->bitbuf & ((1u << n) - 1);
    s->bitbuf >>= n, s->bitcnt -= n;
    return v;
}

typedef struct { short count[16], symbol[320]; } huff;   /* canonical code: how many codes per length, symbols in order */

static void build(huff *h, const uint8_t *lengths, int n) {
    short offs[16] = {0};
    memset(h->count, 0, sizeof h->count);
    for (int i = 0; i < n; i++) h->count[lengths[i]]++;
    h->count[0] = 0;
    for (int l = 1; l < 16; l++) offs[l] = offs[l - 1] + h->count[l - 1];
    for (int i = 0; i < n; i++) if (lengths[i]) h->symbol[offs[lengths[i]]++] = i;
}

static int decode(state *s, const huff *h) {         /* read one bit at a time, compare with the first code of each length */
    int code = 0, first = 0, index = 0;
    for (int len = 1; len < 16; len++) {
        int b = bits(s, 1);
        if (b < 0) return -1;
        code |= b;
        int count = h->count[len];
        if (code - first < count) return h->symbol[index + code - first];
        index += count, first += count;
        first <<= 1, code <<= 1;
    }
    return -1;                                       /* no such code */
}

static int put(state *s, uint8_t c) {
    if (s->olen == s->cap) return -1;
    s->out[s->olen++] = c;
    return 0;
}

static const short LBASE[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const short LEXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const short DBASE[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const short DEXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static int codes(state *s, const huff *lit, const huff *dist) {   /* literal/length + distance symbols of one block */
    for (;;) {
        int sym = decode(s, lit);
        if (sym < 0) return -1;
        if (sym < 256) { if (put(s, sym)) return -1; continue; }
        if (sym == 256) return 0;                    /* end of block */
        sym -= 257;
        if (sym >= 29) return -1;
        int len = LBASE[sym] + bits(s, LEXTRA[sym]);
        int d = decode(s, dist);
        if (d < 0 || d >= 30) return -1;
        size_t back = DBASE[d] + bits(s, DEXTRA[d]);
        if (back > s->olen) return -1;               /* points before the start */
        while (len--) if (put(s, s->out[s->olen - back])) return -1;   /* byte by byte: overlaps repeat a pattern */
    }
}

static long counts[3];                               /* blocks seen: stored, fixed, dynamic */

static int inflate_raw(state *s) {
    int last;
    do {
        last = bits(s, 1);
        int type = bits(s, 2);
        if (type == 0) {                             /* stored: skip to a byte boundary, LEN and ~LEN */
            counts[0]++;
            s->bitbuf = 0, s->bitcnt = 0;
            if (s->pos + 4 > s->len) return -1;
            unsigned n = s->in[s->pos] | s->in[s->pos + 1] << 8, nn = s->in[s->pos + 2] | s->in[s->pos + 3] << 8;
            if ((n ^ 0xffff) != nn || s->pos + 4 + n > s->len) return -1;
            s->pos += 4;
            for (unsigned i = 0; i < n; i++) if (put(s, s->in[s->pos++])) return -1;
        } else if (type == 1) {                      /* fixed Huffman: lengths given by the RFC */
            counts[1]++;
            uint8_t l[288], dl[30];
            for (int i = 0; i < 288; i++) l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
            memset(dl, 5, sizeof dl);
            huff lit, dist;
            build(&lit, l, 288), build(&dist, dl, 30);
            if (codes(s, &lit, &dist)) return -1;
        } else if (type == 2) {                      /* dynamic: the code lengths are themselves Huffman-coded */
            counts[2]++;
            static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
            int nlen = bits(s, 5) + 257, ndist = bits(s, 5) + 1, ncode = bits(s, 4) + 4;
            uint8_t cl[19] = {0}, l[320] = {0};
            for (int i = 0; i < ncode; i++) cl[order[i]] = bits(s, 3);
            huff clh, lit, dist;
            build(&clh, cl, 19);
            for (int i = 0; i < nlen + ndist;) {
                int sym = decode(s, &clh), rep, val = 0;
                if (sym < 0) return -1;
                if (sym < 16) { l[i++] = sym; continue; }
                if (sym == 16) { if (!i) return -1; val = l[i - 1]; rep = 3 + bits(s, 2); }   /* repeat previous */
                else if (sym == 17) rep = 3 + bits(s, 3);                                       /* zeros */
                else rep = 11 + bits(s, 7);
                if (i + rep > nlen + ndist) return -1;
                while (rep--) l[i++] = val;
            }
            build(&lit, l, nlen), build(&dist, l + nlen, ndist);
            if (codes(s, &lit, &dist)) return -1;
        } else return -1;
    } while (!last);
    return 0;
}

static int my_uncompress(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *olen) {   /* zlib wrapper */
    if (len < 6 || (in[0] & 15) != 8 || ((in[0] << 8) | in[1]) % 31) return -1;   /* CM = deflate, FCHECK */
    state s = {.in = in + 2, .len = len - 6, .out = out, .cap = cap};
    if (inflate_raw(&s)) return -1;
    const uint8_t *t = in + len - 4;
    uint32_t want = (uint32_t)t[0] << 24 | t[1] << 16 | t[2] << 8 | t[3];
    uint32_t a = 1, b = 0;                           /* Adler-32, big-endian in the trailer */
    for (size_t i = 0; i < s.olen; i++) a = (a + out[i]) % 65521, b = (b + a) % 65521;
    if ((b << 16 | a) != want) return -1;
    *olen = s.olen;
    return 0;
}

int main(void) {
    enum { N = 200000 };
    uint8_t *text = malloc(N), *rnd = malloc(N), *z = malloc(compressBound(N)), *back = malloc(N);
    const char *words[] = {"epoll ", "reactor ", "buffer ", "the ", "server ", "accepts ", "connection\n", "and "};
    uint32_t x = 1;
    for (int i = 0; i < N;) {
        x = x * 1103515245 + 12345;
        const char *w = words[(x >> 16) % 8];
        for (int k = 0; w[k] && i < N; k++) text[i++] = w[k];
    }
    for (int i = 0; i < N; i++) x = x * 1103515245 + 12345, rnd[i] = x >> 24;
    struct { const char *name; int level, strategy; } cases[] = {
        {"level 0 (stored)", 0, Z_DEFAULT_STRATEGY}, {"level 1", 1, Z_DEFAULT_STRATEGY},
        {"level 6", 6, Z_DEFAULT_STRATEGY}, {"level 9", 9, Z_DEFAULT_STRATEGY}, {"level 6, Z_FIXED", 6, Z_FIXED}};
    size_t last_zlen = 0;
    long seen[3] = {0};
    for (int d = 0; d < 2; d++) {
        const uint8_t *src = d ? rnd : text;
        for (int c = 0; c < 5; c++) {
            z_stream zs = {0};
            assert(deflateInit2(&zs, cases[c].level, Z_DEFLATED, 15, 8, cases[c].strategy) == Z_OK);
            zs.next_in = (uint8_t *)src, zs.avail_in = N, zs.next_out = z, zs.avail_out = compressBound(N);
            assert(deflate(&zs, Z_FINISH) == Z_STREAM_END);
            size_t zlen = zs.total_out, olen = 0;
            deflateEnd(&zs);
            last_zlen = zlen;
            memset(counts, 0, sizeof counts);
            assert(my_uncompress(z, zlen, back, N, &olen) == 0 && olen == N && !memcmp(back, src, N));
            printf("%-6s %-17s %6zu -> %6zu bytes (%5.1f%%), blocks stored/fixed/dynamic %ld/%ld/%ld: inflated OK\n",
                   d ? "random" : "text", cases[c].name, (size_t)N, zlen, 100.0 * zlen / N, counts[0], counts[1], counts[2]);
            for (int k = 0; k < 3; k++) seen[k] += counts[k];
            if (cases[c].level == 0) assert(counts[0] > 0 && !counts[1] && !counts[2]);
            if (cases[c].strategy == Z_FIXED) assert(!counts[2]);   /* never dynamic (stored if that is smaller) */
            if (!d && cases[c].level == 6 && cases[c].strategy != Z_FIXED) assert(counts[2] > 0);
        }
    }
    assert(seen[0] && seen[1] && seen[2]);          /* all three block types were decoded */
    size_t olen;
    assert(my_uncompress(z, last_zlen / 2, back, N, &olen) != 0);     /* truncated */
    z[last_zlen / 2] ^= 0x40;                        /* one flipped bit: the decoder or the Adler-32 catches it */
    assert(my_uncompress(z, last_zlen, back, N, &olen) != 0);
    printf("a truncated stream and a stream with one flipped bit are both rejected\n");
    free(text), free(rnd), free(z), free(back);
    return 0;
}
