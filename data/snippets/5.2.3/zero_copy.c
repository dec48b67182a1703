// caption: zmq_msg_init_data 把用户缓冲交给 libzmq：inproc 接收方拿到同一块内存、关闭时才回调释放；tcp 上由 I/O 线程写完后在它自己的线程里回调释放
// point: 零拷贝技术
// libs: libzmq
// timeout: 15
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define SIZE (1 << 20) /* 1 MiB: far above the 8 KiB encoder batch, so TCP writes straight from it */
static atomic_int freed;
static pthread_t freed_by;

static void release(void *data, void *hint) {
    (void)hint;
    freed_by = pthread_self();
    free(data);
    atomic_store(&freed, 1);
}

static void run(void *ctx, const char *ep) {
    void *tx = zmq_socket(ctx, ZMQ_PAIR), *rx = zmq_socket(ctx, ZMQ_PAIR);
    assert(zmq_bind(rx, ep) == 0);
    char real[128];
    size_t len = sizeof real;
    assert(zmq_getsockopt(rx, ZMQ_LAST_ENDPOINT, real, &len) == 0 && zmq_connect(tx, real) == 0);
    char *buf = malloc(SIZE);
    assert(buf);
    memset(buf, 'z', SIZE);
    atomic_store(&freed, 0);
    zmq_msg_t m, r;
    assert(zmq_msg_init_data(&m, buf, SIZE, release, NULL) == 0); /* no copy: libzmq now owns buf */
    assert(zmq_msg_send(&m, tx, 0) == SIZE);
    assert(zmq_msg_init(&r) == 0 && zmq_msg_recv(&r, rx, 0) == SIZE);
    int same = zmq_msg_data(&r) == (void *)buf;
    int freed_before_close = atomic_load(&freed); /* buf must not be touched from here on: it may be gone */
    assert(((char *)zmq_msg_data(&r))[SIZE - 1] == 'z');
    zmq_msg_close(&r);
    for (int i = 0; i < 200 && !atomic_load(&freed); i++) zmq_poll(NULL, 0, 5);
    int other = !pthread_equal(freed_by, pthread_self());
    printf("%-6s receiver buffer is the sender's: %-3s | freed before receiver closed: %-3s | freed by %s thread\n",
           ep[0] == 'i' ? "inproc" : "tcp", same ? "yes" : "no", freed_before_close ? "yes" : "no",
           other ? "an I/O" : "the app");
    assert(atomic_load(&freed));
    if (ep[0] == 'i') assert(same && !freed_before_close && !other); /* the pointer itself went through the pipe */
    else assert(!same && other); /* copied by the kernel; released by the I/O thread after write() */
    zmq_close(tx);
    zmq_close(rx);
}

int main(void) {
    void *ctx = zmq_ctx_new();
    run(ctx, "inproc://zc");
    run(ctx, "tcp://127.0.0.1:*");
    zmq_ctx_term(ctx);
    return 0;
}
