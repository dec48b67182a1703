// caption: 高水位标记：PUSH 在管道满时拒绝（阻塞，DONTWAIT 下 EAGAIN），PUB 满了直接丢最新的；inproc 管道容量 = SNDHWM + RCVHWM，tcp 上还要加上内核缓冲
// point: 消息高水位标记
// libs: libzmq
// timeout: 15
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <zmq.h>

#define HWM 10

static void set_hwm(void *s) {
    int h = HWM;
    assert(zmq_setsockopt(s, ZMQ_SNDHWM, &h, sizeof h) == 0 && zmq_setsockopt(s, ZMQ_RCVHWM, &h, sizeof h) == 0);
}

static int fill(void *tx) { /* send until refused, bounded */
    int n = 0;
    while (n < 100000 && zmq_send(tx, &n, sizeof n, ZMQ_DONTWAIT) == sizeof n) n++;
    return n;
}

int main(void) {
    void *ctx = zmq_ctx_new();
    /* 1. PUSH -> PULL that does not read: the sender is refused (would block) */
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    set_hwm(push);
    set_hwm(pull);
    assert(zmq_bind(pull, "inproc://hwm") == 0 && zmq_connect(push, "inproc://hwm") == 0);
    int queued = fill(push);
    int err = errno;
    printf("PUSH/inproc, HWM %d+%d: %d messages accepted, then %s\n", HWM, HWM, queued, err == EAGAIN ? "EAGAIN" : "?");
    assert(err == EAGAIN && queued == 2 * HWM); /* socket_base.cpp: inproc HWM = sndhwm + peer rcvhwm */
    int x, got = 0;
    while (got < queued && zmq_recv(pull, &x, sizeof x, ZMQ_DONTWAIT) == sizeof x) got++;
    assert(got == queued); /* nothing was lost: back-pressure, not dropping */
    zmq_pollitem_t it = {push, 0, ZMQ_POLLOUT, 0};
    assert(zmq_poll(&it, 1, 1000) == 1); /* processes the reader's "activate_write" command */
    int more = fill(push);
    printf("after the reader drained %d, PUSH accepts %d more\n", got, more);
    assert(more > 0);
    zmq_close(push);
    zmq_close(pull);

    /* 1b. the same over TCP: the kernel socket buffers sit between the two pipes */
    push = zmq_socket(ctx, ZMQ_PUSH);
    pull = zmq_socket(ctx, ZMQ_PULL);
    set_hwm(push);
    set_hwm(pull);
    assert(zmq_bind(pull, "tcp://127.0.0.1:*") == 0);
    char ep[64];
    size_t len = sizeof ep;
    assert(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len) == 0 && zmq_connect(push, ep) == 0);
    static char big[16384]; /* bigger messages, so the kernel buffers fill in a few hundred */
    int tcp_queued = 0, idle = 0;
    for (int round = 0; round < 500 && idle < 5; round++) { /* top up while the I/O threads move data */
        int n = 0;
        while (n < 10000 && zmq_send(push, big, sizeof big, ZMQ_DONTWAIT) == (int)sizeof big) n++;
        tcp_queued += n;
        idle = n ? 0 : idle + 1;
        zmq_poll(NULL, 0, 10);
    }
    printf("PUSH/tcp,    HWM %d+%d: %d messages of 16 KiB accepted before the path was full\n", HWM, HWM, tcp_queued);
    assert(idle == 5 && tcp_queued > 2 * HWM);
    int zero = 0;
    zmq_setsockopt(push, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(push);
    zmq_close(pull);

    /* 2. PUB -> SUB that does not read: PUB never refuses, the surplus is dropped */
    void *pub = zmq_socket(ctx, ZMQ_PUB), *sub = zmq_socket(ctx, ZMQ_SUB);
    set_hwm(pub);
    set_hwm(sub);
    assert(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) == 0);
    assert(zmq_bind(pub, "inproc://hwm-pub") == 0 && zmq_connect(sub, "inproc://hwm-pub") == 0);
    int sent = 0;
    for (int i = 0; i < 1000; i++) sent += zmq_send(pub, &i, sizeof i, ZMQ_DONTWAIT) == sizeof i;
    got = 0;
    int last = -1;
    while (got < 1000 && zmq_recv(sub, &x, sizeof x, ZMQ_DONTWAIT) == sizeof x) { got++; last = x; }
    printf("PUB/inproc, HWM %d+%d: 1000 of 1000 sends succeeded, subscriber got %d (messages 0..%d), %d dropped\n",
           HWM, HWM, got, last, 1000 - got);
    assert(sent == 1000 && got == queued && last == got - 1); /* the oldest are kept, the newest dropped */
    zmq_close(pub);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    return 0;
}
