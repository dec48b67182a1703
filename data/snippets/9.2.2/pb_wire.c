// caption: 手写 protobuf 编码（varint + 长度前缀）拼出 16 字节包头 + LoginReq 包体，再用真实 protoc 的 --encode/--decode 逐字节核对
// point: protobuf通信协议设计
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t b[512]; size_t n; } buf_t;

static void put_varint(buf_t *o, uint64_t v) {        /* 7 bits per byte, high bit = "more follows" */
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        o->b[o->n++] = c | (v ? 0x80 : 0);
    } while (v);
}
static void put_uint(buf_t *o, int field, uint64_t v) {     /* wire type 0, proto3 omits zero */
    if (!v) return;
    put_varint(o, (uint64_t)field << 3 | 0);
    put_varint(o, v);
}
static void put_str(buf_t *o, int field, const char *s) {   /* wire type 2: tag, length, bytes */
    size_t len = strlen(s);
    put_varint(o, (uint64_t)field << 3 | 2);
    put_varint(o, len);
    memcpy(o->b + o->n, s, len);
    o->n += len;
}
static uint64_t get_varint(const uint8_t *p, size_t *i, size_t end) {
    uint64_t v = 0;
    for (int shift = 0; *i < end && shift < 64; shift += 7) {
        uint8_t c = p[(*i)++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) return v;
    }
    abort();                                          /* truncated or over-long varint */
}

/* 16-byte header: length, version, flag, service id, command id, seq, reserved; big-endian */
struct hdr { uint32_t len; uint16_t ver, flag, sid, cid, seq, rsv; };

static size_t frame(uint8_t *out, uint16_t sid, uint16_t cid, uint16_t seq, const buf_t *body) {
    uint32_t len = htonl((uint32_t)(16 + body->n));
    uint16_t f[6] = {htons(1), 0, htons(sid), htons(cid), htons(seq), 0};
    memcpy(out, &len, 4);
    memcpy(out + 4, f, 12);
    memcpy(out + 16, body->b, body->n);
    return 16 + body->n;
}

static int run(const char *cmd) { int rc = system(cmd); return rc; }

int main(void) {
    buf_t body = {.n = 0};
    put_str(&body, 1, "alice");                                       /* user_name */
    put_str(&body, 2, "5f4dcc3b5aa765d61d8327deb882cf99");            /* password (md5 hex) */
    put_uint(&body, 3, 1);                                            /* online_status */
    put_uint(&body, 4, 0x11);                                         /* client_type */
    put_str(&body, 5, "linux-1.0");                                   /* client_version */
    put_uint(&body, 6, 1700000000);                                   /* login_time: 5-byte varint */

    uint8_t pkt[600];
    size_t plen = frame(pkt, 0x0001, 0x0103, 7, &body);
    printf("body %zu bytes, packet %zu bytes; first bytes:", body.n, plen);
    for (int i = 0; i < 24; i++) printf(" %02x", pkt[i]);
    printf("\n");

    /* the receiver: read the length first, then cut exactly one packet out of the stream */
    uint32_t len;
    memcpy(&len, pkt, 4);
    assert(ntohl(len) == plen);
    uint16_t cid;
    memcpy(&cid, pkt + 10, 2);
    assert(ntohs(cid) == 0x0103);
    char user[32] = "";
    uint64_t status = 0, login_time = 0;
    for (size_t i = 16; i < plen;) {                   /* generic decoder: skip what it does not know */
        uint64_t key = get_varint(pkt, &i, plen);
        int field = (int)(key >> 3), wt = (int)(key & 7);
        if (wt == 0) {
            uint64_t v = get_varint(pkt, &i, plen);
            if (field == 3) status = v;
            if (field == 6) login_time = v;
        } else if (wt == 2) {
            uint64_t l = get_varint(pkt, &i, plen);
            assert(i + l <= plen);
            if (field == 1 && l < sizeof user) memcpy(user, pkt + i, l);
            i += l;
        } else abort();
    }
    assert(strcmp(user, "alice") == 0 && status == 1 && login_time == 1700000000);
    printf("decoded by hand: user=%s status=%llu login_time=%llu\n", user, (unsigned long long)status,
           (unsigned long long)login_time);

    /* cross-check against the real protobuf compiler */
    FILE *f = fopen("im.proto", "w");
    fputs("syntax = \"proto3\";\npackage im;\nmessage LoginReq {\n  string user_name = 1;\n  string password = 2;\n"
          "  uint32 online_status = 3;\n  uint32 client_type = 4;\n  string client_version = 5;\n"
          "  uint32 login_time = 6;\n}\n", f);
    fclose(f);
    f = fopen("login.txt", "w");
    fputs("user_name: \"alice\" password: \"5f4dcc3b5aa765d61d8327deb882cf99\" online_status: 1\n"
          "client_type: 17 client_version: \"linux-1.0\" login_time: 1700000000\n", f);
    fclose(f);
    f = fopen("body.bin", "wb");
    fwrite(body.b, 1, body.n, f);
    fclose(f);
    assert(run("protoc --encode=im.LoginReq im.proto < login.txt > ref.bin") == 0);
    uint8_t ref[600];
    f = fopen("ref.bin", "rb");
    size_t rn = fread(ref, 1, sizeof ref, f);
    fclose(f);
    assert(rn == body.n && memcmp(ref, body.b, rn) == 0);
    printf("protoc --encode produced the same %zu bytes\n", rn);
    printf("protoc --decode=im.LoginReq says:\n");
    fflush(stdout);
    assert(run("protoc --decode=im.LoginReq im.proto < body.bin | sed 's/^/  /'") == 0);

    /* forward compatibility: a newer sender adds field 15; old readers keep working */
    size_t base = body.n;
    put_str(&body, 15, "device-xyz");
    f = fopen("body.bin", "wb");
    fwrite(body.b, 1, body.n, f);
    fclose(f);
    printf("with an unknown field 15, protoc --decode_raw shows:\n");
    fflush(stdout);
    assert(run("protoc --decode_raw < body.bin | tail -n 2 | sed 's/^/  /'") == 0);
    assert(run("protoc --decode=im.LoginReq im.proto < body.bin | grep -q '^15: \"device-xyz\"'") == 0);
    char json[256];
    int jn = snprintf(json, sizeof json, "{\"user_name\":\"alice\",\"password\":\"5f4dcc3b5aa765d61d8327deb882cf99\","
                      "\"online_status\":1,\"client_type\":17,\"client_version\":\"linux-1.0\",\"login_time\":1700000000}");
    printf("same login as JSON: %d bytes, protobuf: %zu bytes\n", jn, base);
    assert((size_t)jn > 2 * base);
    return 0;
}
