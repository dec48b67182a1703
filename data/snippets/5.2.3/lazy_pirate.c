// caption: Lazy Pirate 客户端可靠性：REQ 带超时轮询，超时后同一个 REQ 不能重发（EFSM），于是关闭重建再发；服务端丢的请求都被重试补上，服务端彻底挂掉时有限次重试后放弃
// point: 可靠性设计
// libs: libzmq
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define TIMEOUT_MS 300
#define RETRIES 3
static void *ctx;
static char ep[64];
static atomic_int dead, stop, dropped;

static void *server(void *arg) { /* ROUTER: no lockstep, so it can simply not answer */
    void *s = arg;
    int seen[64] = {0};
    while (!atomic_load(&stop)) {
        zmq_msg_t id, empty, body;
        zmq_msg_init(&id), zmq_msg_init(&empty), zmq_msg_init(&body);
        if (zmq_msg_recv(&id, s, 0) >= 0) { /* RCVTIMEO keeps the loop polling `stop` */
            assert(zmq_msg_recv(&empty, s, 0) == 0 && zmq_msg_recv(&body, s, 0) == sizeof(int));
            int seq;
            memcpy(&seq, zmq_msg_data(&body), sizeof seq);
            /* crash-like behaviour: the first copy of every 3rd request is lost, all are lost when dead */
            if (atomic_load(&dead) || (seq % 3 == 0 && seen[seq]++ == 0)) atomic_fetch_add(&dropped, 1);
            else {
                zmq_msg_send(&id, s, ZMQ_SNDMORE), zmq_msg_send(&empty, s, ZMQ_SNDMORE), zmq_msg_send(&body, s, 0);
                continue;
            }
        }
        zmq_msg_close(&id), zmq_msg_close(&empty), zmq_msg_close(&body);
    }
    return NULL;
}

static void *new_client(void) {
    void *c = zmq_socket(ctx, ZMQ_REQ);
    int zero = 0;
    zmq_setsockopt(c, ZMQ_LINGER, &zero, sizeof zero); /* an abandoned request must not block close */
    assert(zmq_connect(c, ep) == 0);
    return c;
}

static int request(void **c, int seq, int *retries) { /* 1 = answered, 0 = gave up */
    for (int attempt = 0; attempt <= RETRIES; attempt++) {
        assert(zmq_send(*c, &seq, sizeof seq, 0) == sizeof seq);
        zmq_pollitem_t it = {*c, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, TIMEOUT_MS) == 1) {
            int echo;
            assert(zmq_recv(*c, &echo, sizeof echo, 0) == sizeof echo && echo == seq);
            return 1;
        }
        if (seq == 0 && attempt == 0) { /* show why the socket must be replaced */
            int rc = zmq_send(*c, &seq, sizeof seq, 0);
            printf("timeout on #0; resend on the same REQ -> %d (%s)\n", rc, errno == EFSM ? "EFSM" : "?");
            assert(rc == -1 && errno == EFSM);
        }
        zmq_close(*c); /* the REQ is stuck waiting for a reply: throw it away */
        *c = new_client();
        (*retries)++;
    }
    return 0;
}

int main(void) {
    ctx = zmq_ctx_new();
    void *srv = zmq_socket(ctx, ZMQ_ROUTER);
    int tmo = 20;
    assert(zmq_setsockopt(srv, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0 && zmq_bind(srv, "tcp://127.0.0.1:*") == 0);
    size_t len = sizeof ep;
    assert(zmq_getsockopt(srv, ZMQ_LAST_ENDPOINT, ep, &len) == 0);
    pthread_t t;
    pthread_create(&t, NULL, server, srv);
    void *c = new_client();
    int retries = 0, ok = 0;
    for (int seq = 0; seq < 10; seq++) ok += request(&c, seq, &retries);
    printf("10 requests: %d answered, %d dropped by the server, %d retries\n", ok, atomic_load(&dropped), retries);
    assert(ok == 10 && retries == 4 && atomic_load(&dropped) == 4);

    atomic_store(&dead, 1); /* the server stops answering altogether */
    retries = 0;
    int answered = request(&c, 10, &retries);
    printf("server dead: answered=%d after %d timed-out attempts -> gave up after about %d ms\n", answered, retries,
           (RETRIES + 1) * TIMEOUT_MS);
    assert(!answered && retries == RETRIES + 1);
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    zmq_close(c);
    zmq_close(srv);
    zmq_ctx_term(ctx);
    return 0;
}
