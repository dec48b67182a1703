// caption: 用 C 按 FastDFS 的布局生成并解析文件 ID：20 字节（源 storage ID、时间戳、带随机高位的大小、CRC32）→ '-' '_' 字母表的 Base64 → M00/XX/YY/名字.扩展名
// point: 存储机制
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = v >> (24 - 8 * i); }
static uint32_t get32(const unsigned char *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static uint32_t crc32(const unsigned char *d, size_t n) {           /* bitwise IEEE CRC-32 */
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= d[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
    }
    return ~c;
}

static void b64enc(const unsigned char *in, int n, char *out) {    /* no padding: 20 bytes -> 27 chars */
    int bits = 0, len = 0;
    uint32_t acc = 0;
    for (int i = 0; i < n; i++) {
        acc = acc << 8 | in[i], bits += 8;
        while (bits >= 6) out[len++] = B64[(acc >> (bits -= 6)) & 63];
    }
    if (bits) out[len++] = B64[(acc << (6 - bits)) & 63];
    out[len] = 0;
}

static int b64dec(const char *in, unsigned char *out) {
    int bits = 0, len = 0;
    uint32_t acc = 0;
    for (; *in && *in != '.'; in++) {
        const char *p = strchr(B64, *in);
        if (!p) return -1;
        acc = acc << 6 | (uint32_t)(p - B64), bits += 6;
        if (bits >= 8) out[len++] = acc >> (bits -= 8);
    }
    return len;
}

int main(void) {
    unsigned char content[4096], raw[20], back[20];
    srand(7);
    for (size_t i = 0; i < sizeof content; i++) content[i] = rand();
    uint32_t sid = 100001, ts = (uint32_t)time(NULL), crc = crc32(content, sizeof content);
    uint32_t rnd = (uint32_t)rand();                                 /* high 32 bits of the size field */
    put32(raw, sid), put32(raw + 4, ts), put32(raw + 8, rnd), put32(raw + 12, sizeof content), put32(raw + 16, crc);
    char name[32], id[96];
    b64enc(raw, 20, name);
    unsigned h = crc32((unsigned char *)name, strlen(name));         /* our choice of hash for the sub dirs */
    snprintf(id, sizeof id, "group1/M00/%02X/%02X/%s.jpg", (h >> 8) & 0xFF, h & 0xFF, name);
    printf("file id: %s (%zu-char name)\n", id, strlen(name));

    const char *base = strrchr(id, '/') + 1;                         /* decode: no lookup table needed */
    int n = b64dec(base, back);
    printf("decoded %d bytes: source id=%u created=%u size=%u crc32=%08x\n", n, get32(back), get32(back + 4),
           get32(back + 12), get32(back + 16));
    if (strlen(name) != 27 || n != 20 || memcmp(raw, back, 20) || get32(back) != sid ||
        get32(back + 12) != sizeof content || get32(back + 16) != crc32(content, sizeof content)) return 1;

    /* same content, same second, same server: the random high bits still give different names */
    put32(raw + 8, rnd ^ 1);
    char name2[32];
    b64enc(raw, 20, name2);
    printf("same content again: %s -> different name: %s\n", name2, strcmp(name, name2) ? "yes" : "no");
    if (!strcmp(name, name2)) return 1;

    /* crc32("123456789") is the standard check value */
    if (crc32((const unsigned char *)"123456789", 9) != 0xCBF43926u) return 1;
    puts("crc32 check value ok");
    return 0;
}
