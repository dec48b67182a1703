// caption: zmq_msg_t 的两种形态：≤33 字节内联（VSM），更大的堆上分配并带引用计数，zmq_msg_copy 只加计数不复制数据
// point: 消息模型
// libs: libzmq
// timeout: 10
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static int freed;
static void on_free(void *data, void *hint) {
    (void)data;
    (void)hint;
    freed++;
}

static void copy_case(size_t size) {
    zmq_msg_t a, b;
    assert(zmq_msg_init_size(&a, size) == 0);
    memset(zmq_msg_data(&a), 'x', size);
    assert(zmq_msg_init(&b) == 0);
    assert(zmq_msg_copy(&b, &a) == 0);
    int shared = zmq_msg_data(&a) == zmq_msg_data(&b);
    printf("size %4zu: copy %s the data buffer\n", size, shared ? "SHARES" : "duplicates");
    assert(shared == (size > 33)); /* max_vsm_size = 64 - (8 + 3 + 16 + 4) = 33 on 64-bit */
    zmq_msg_close(&a);
    zmq_msg_close(&b);
}

int main(void) {
    printf("sizeof(zmq_msg_t) = %zu\n", sizeof(zmq_msg_t));
    assert(sizeof(zmq_msg_t) == 64);
    copy_case(33);
    copy_case(34);
    copy_case(1000);

    /* a user buffer handed over with a free callback: freed when the LAST reference goes */
    static char buf[4096];
    zmq_msg_t a, b, c;
    assert(zmq_msg_init_data(&a, buf, sizeof buf, on_free, NULL) == 0);
    assert(zmq_msg_init(&b) == 0 && zmq_msg_init(&c) == 0);
    assert(zmq_msg_copy(&b, &a) == 0);
    assert(zmq_msg_move(&c, &b) == 0); /* move: c takes b's reference, b becomes empty */
    assert(zmq_msg_size(&b) == 0 && zmq_msg_data(&c) == buf);
    zmq_msg_close(&a);
    printf("after closing the original: freed=%d\n", freed);
    assert(freed == 0);
    zmq_msg_close(&b);
    zmq_msg_close(&c);
    printf("after closing the last reference: freed=%d\n", freed);
    assert(freed == 1);

    /* a message is consumed by zmq_msg_send: the caller's msg becomes empty */
    void *ctx = zmq_ctx_new();
    void *tx = zmq_socket(ctx, ZMQ_PAIR), *rx = zmq_socket(ctx, ZMQ_PAIR);
    assert(zmq_bind(rx, "inproc://m") == 0 && zmq_connect(tx, "inproc://m") == 0);
    assert(zmq_msg_init_size(&a, 100) == 0);
    memset(zmq_msg_data(&a), 'y', 100);
    void *sent_ptr = zmq_msg_data(&a);
    assert(zmq_msg_send(&a, tx, 0) == 100);
    printf("after zmq_msg_send the sender's msg has size %zu\n", zmq_msg_size(&a));
    assert(zmq_msg_size(&a) == 0);
    assert(zmq_msg_init(&b) == 0 && zmq_msg_recv(&b, rx, 0) == 100);
    printf("inproc receiver got the very same buffer: %s\n", zmq_msg_data(&b) == sent_ptr ? "yes" : "no");
    assert(zmq_msg_data(&b) == sent_ptr);
    zmq_msg_close(&a);
    zmq_msg_close(&b);
    zmq_close(tx);
    zmq_close(rx);
    zmq_ctx_term(ctx);
    return 0;
}
