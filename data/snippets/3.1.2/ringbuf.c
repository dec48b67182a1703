// caption: 容量为 2 的幂的环形缓冲区：用自由增长的读写计数区分满和空，回绕时分两段拷贝，与参考字节流逐字节比对
// point: 内存池的应用场景与性能分析
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* head and tail are free-running counters: they only grow and are masked on
 * access. used = head - tail works even after size_t wraps around, so no slot
 * is wasted to tell "full" from "empty". */
typedef struct {
    unsigned char *buf;
    size_t cap;   /* power of two */
    size_t mask;  /* cap - 1 */
    size_t head;  /* total bytes written */
    size_t tail;  /* total bytes read */
} ringbuf_t;

static size_t round_up_pow2(size_t n) {
    size_t c = 1;
    while (c < n) c <<= 1;
    return c;
}

static int rb_init(ringbuf_t *rb, size_t want) {
    rb->cap = round_up_pow2(want);
    rb->mask = rb->cap - 1;
    rb->head = rb->tail = 0;
    rb->buf = malloc(rb->cap);
    return rb->buf ? 0 : -1;
}

static void rb_free(ringbuf_t *rb) { free(rb->buf); rb->buf = NULL; }
static size_t rb_used(const ringbuf_t *rb) { return rb->head - rb->tail; }
static size_t rb_avail(const ringbuf_t *rb) { return rb->cap - rb_used(rb); }
static int rb_empty(const ringbuf_t *rb) { return rb->head == rb->tail; }
static int rb_full(const ringbuf_t *rb) { return rb_used(rb) == rb->cap; }

/* copy up to n bytes in; returns how many fit (partial write when nearly full) */
static size_t rb_write(ringbuf_t *rb, const void *src, size_t n) {
    size_t room = rb_avail(rb);
    if (n > room) n = room;
    size_t off = rb->head & rb->mask;
    size_t first = rb->cap - off;            /* bytes until the physical end */
    if (first > n) first = n;
    memcpy(rb->buf + off, src, first);
    memcpy(rb->buf, (const unsigned char *)src + first, n - first);  /* wrapped part */
    rb->head += n;
    return n;
}

static size_t rb_peek(const ringbuf_t *rb, void *dst, size_t n) {
    size_t used = rb_used(rb);
    if (n > used) n = used;
    size_t off = rb->tail & rb->mask;
    size_t first = rb->cap - off;
    if (first > n) first = n;
    memcpy(dst, rb->buf + off, first);
    memcpy((unsigned char *)dst + first, rb->buf, n - first);
    return n;
}

static size_t rb_read(ringbuf_t *rb, void *dst, size_t n) {
    n = rb_peek(rb, dst, n);
    rb->tail += n;
    return n;
}

/* deterministic byte stream and chunk sizes */
static uint32_t rng = 12345;
static uint32_t next_rand(void) { rng = rng * 1103515245u + 12345u; return rng >> 16; }
static unsigned char stream_byte(size_t i) { return (unsigned char)((i * 131u + 7u) & 0xff); }

int main(void) {
    ringbuf_t rb;
    assert(rb_init(&rb, 100) == 0);
    assert(rb.cap == 128 && rb.mask == 127);
    printf("requested 100 bytes -> capacity %zu (power of two, index = counter & %zu)\n",
           rb.cap, rb.mask);

    /* 1. fill to full: partial write, full/empty flags */
    unsigned char tmp[256];
    for (size_t i = 0; i < sizeof tmp; i++) tmp[i] = stream_byte(i);
    assert(rb_empty(&rb) && !rb_full(&rb));
    size_t w = rb_write(&rb, tmp, 200);
    assert(w == 128 && rb_full(&rb) && rb_write(&rb, tmp, 1) == 0);
    assert(rb_used(&rb) == 128 && rb_avail(&rb) == 0);
    printf("write 200 into empty ring: %zu accepted, full=%d\n", w, rb_full(&rb));

    /* 2. read 100, write 50, read 50 (the read wraps), write 100 (the write wraps) */
    unsigned char src[512], out[512];
    for (size_t i = 0; i < sizeof src; i++) src[i] = stream_byte(i);
    size_t wr = 128, rd = 0;                 /* stream positions written / read so far */
    assert(rb_read(&rb, out, 100) == 100 && memcmp(out, src, 100) == 0);
    rd += 100;
    assert(rb_write(&rb, src + wr, 50) == 50);
    wr += 50;
    size_t t0 = rb.tail & rb.mask;
    assert(rb_read(&rb, out, 50) == 50 && memcmp(out, src + rd, 50) == 0);
    rd += 50;
    printf("read 50 starting at offset %zu -> wrapped, now at offset %zu\n",
           t0, (size_t)(rb.tail & rb.mask));
    size_t h0 = rb.head & rb.mask;
    assert(rb_avail(&rb) == 100 && rb_write(&rb, src + wr, 100) == 100);
    wr += 100;
    printf("write 100 starting at offset %zu -> wrapped, now at offset %zu, full=%d\n",
           h0, (size_t)(rb.head & rb.mask), rb_full(&rb));
    assert(rb_full(&rb) && rb.head - rb.tail == 128);
    assert(rb_read(&rb, out, 512) == 128 && memcmp(out, src + rd, 128) == 0);
    assert(rb_empty(&rb));
    printf("drained 128 bytes, identical to the reference stream, empty=%d\n", rb_empty(&rb));
    rb_free(&rb);

    /* 3. random producer/consumer chunks, counters start just below SIZE_MAX
     *    so they overflow during the run; compare with the reference stream */
    assert(rb_init(&rb, 64) == 0);
    rb.head = rb.tail = SIZE_MAX - 300;
    size_t produced = 0, consumed = 0, wraps = 0, fulls = 0;
    unsigned char chunk[80];
    while (consumed < 100000) {
        size_t want = next_rand() % 80;
        for (size_t i = 0; i < want; i++) chunk[i] = stream_byte(produced + i);
        size_t before = rb.head & rb.mask;
        size_t got = rb_write(&rb, chunk, want);
        if (got && before + got > rb.cap) wraps++;
        if (rb_full(&rb)) fulls++;
        produced += got;
        size_t r = rb_read(&rb, out, next_rand() % 80);
        for (size_t i = 0; i < r; i++) assert(out[i] == stream_byte(consumed + i));
        consumed += r;
        assert(rb_used(&rb) == produced - consumed && rb_used(&rb) <= rb.cap);
    }
    assert(rb.head == produced - 301);  /* (SIZE_MAX - 300) + produced wrapped past 0 */
    printf("random chunks: %zu bytes through a %zu-byte ring, %zu wrapped writes, "
           "%zu times full, counters overflowed size_t: ok\n", consumed, rb.cap, wraps, fulls);
    rb_free(&rb);
    printf("all checks passed\n");
    return 0;
}
