// caption: C 写的 base62 编解码：64 位 id 与短码往返无损、码长随 id 增长；连续 id 的短码可被猜出下一个，先用一个 2^36 以内的可逆置换打乱再编码，短码仍唯一、长度不变、不再相邻
// point: 发号与编码
// timeout: 10
#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char ALPHABET[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int encode(uint64_t id, char *out) { /* writes the code, returns its length (1..11) */
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = ALPHABET[id % 62];
        id /= 62;
    } while (id);
    for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i]; /* most significant digit first */
    out[n] = '\0';
    return n;
}

static int decode(const char *s, uint64_t *id) { /* 0 on success, -1 on a bad char or overflow */
    uint64_t v = 0;
    for (; *s; s++) {
        const char *p = strchr(ALPHABET, *s);
        if (!p) return -1;
        uint64_t d = (uint64_t)(p - ALPHABET);
        if (v > (UINT64_MAX - d) / 62) return -1;
        v = v * 62 + d;
    }
    *id = v;
    return 0;
}

/* A bijection on [0, 2^36): multiply by an odd constant mod 2^36, xor-shift, multiply again.
 * Each step is invertible, so distinct ids stay distinct; 2^36 < 62^7, so codes stay at most 7 chars. */
#define BITS 36
#define MASK ((1ULL << BITS) - 1)
static uint64_t scramble(uint64_t x) {
    x = (x * 0x9E3779B1ULL) & MASK;
    x ^= x >> 17;
    x = (x * 0x85EBCA77ULL) & MASK;
    return x;
}

int main(void) {
    char code[16];
    uint64_t back;
    uint64_t samples[] = {0, 1, 61, 62, 3843, 3844, 56800235583ULL, 56800235584ULL, UINT64_MAX};
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        int len = encode(samples[i], code);
        assert(decode(code, &back) == 0 && back == samples[i]);
        printf("id %20" PRIu64 " -> %-11s (%2d chars)\n", samples[i], code, len);
    }
    assert(decode("0aZ-", &back) == -1 && decode("LygHa16AHYG", &back) == -1); /* bad char; > 2^64 */

    uint64_t x = 88172645463325252ULL; /* xorshift64: a million random ids round-trip */
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        encode(x, code);
        assert(decode(code, &back) == 0 && back == x);
    }
    printf("1000000 random 64-bit ids: encode/decode round-trip ok\n");

    printf("sequential ids 1000000..1000002 ->");
    for (uint64_t id = 1000000; id < 1000003; id++) printf(" %s", (encode(id, code), code));
    printf("   (the next one is guessable)\nscrambled first            ->");
    for (uint64_t id = 1000000; id < 1000003; id++) printf(" %s", (encode(scramble(id), code), code));
    printf("\n");

    /* the scramble is a bijection: check no collision over a window of 2^20 consecutive ids */
    int collisions = 0, maxlen = 0;
    static uint64_t table[1 << 21];
    for (uint64_t id = 1; id <= (1 << 20); id++) {
        uint64_t s = scramble(id), h = (s * 0x9E3779B97F4A7C15ULL) >> 43; /* open addressing, 2^21 slots */
        while (table[h] && table[h] != s + 1) h = (h + 1) & ((1 << 21) - 1);
        collisions += table[h] == s + 1;
        table[h] = s + 1;
        int len = encode(s, code);
        if (len > maxlen) maxlen = len;
    }
    printf("2^20 scrambled ids: %d collisions, longest code %d chars\n", collisions, maxlen);
    assert(collisions == 0 && maxlen <= 7);
    return 0;
}
