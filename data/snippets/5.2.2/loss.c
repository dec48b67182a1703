// caption: 消息在哪里丢：ROUTER 发给未知身份静默丢弃（MANDATORY 时报 EHOSTUNREACH）；connect 端先排队等对端上线；LINGER=0 关闭丢掉未发出的消息
// point: 消息丢失处理
// libs: libzmq
// timeout: 15
#define _GNU_SOURCE /* mkdtemp */
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

int main(void) {
    void *ctx = zmq_ctx_new();
    int one = 1, zero = 0, tmo = 300;

    /* 1. ROUTER and an unknown routing id */
    void *r = zmq_socket(ctx, ZMQ_ROUTER);
    int rc = zmq_send(r, "ghost", 5, ZMQ_SNDMORE);
    rc = rc == 5 ? zmq_send(r, "hello", 5, 0) : rc;
    printf("ROUTER -> unknown id, default:   send returns %d (message silently dropped)\n", rc);
    assert(rc == 5);
    assert(zmq_setsockopt(r, ZMQ_ROUTER_MANDATORY, &one, sizeof one) == 0);
    rc = zmq_send(r, "ghost", 5, ZMQ_SNDMORE);
    printf("ROUTER -> unknown id, MANDATORY: send returns %d, errno %s\n", rc, errno == EHOSTUNREACH ? "EHOSTUNREACH" : "?");
    assert(rc == -1 && errno == EHOSTUNREACH);
    zmq_close(r);

    /* 2. connect before the peer exists: the connecting side already owns a pipe and queues */
    char dir[] = "/tmp/zmqloss.XXXXXX", ep[64], path[64]; /* a private ipc path: nobody else can be listening */
    assert(mkdtemp(dir));
    snprintf(ep, sizeof ep, "ipc://%s/peer", dir);
    snprintf(path, sizeof path, "%s/peer", dir);
    void *ctx2 = zmq_ctx_new(); /* 'drop' lives in its own context, so zmq_ctx_term tells us when it is really gone */
    void *keep = zmq_socket(ctx, ZMQ_PUSH), *drop = zmq_socket(ctx2, ZMQ_PUSH), *imm = zmq_socket(ctx, ZMQ_PUSH);
    assert(zmq_connect(keep, ep) == 0 && zmq_connect(drop, ep) == 0);
    assert(zmq_setsockopt(imm, ZMQ_IMMEDIATE, &one, sizeof one) == 0 && zmq_connect(imm, ep) == 0);
    for (int i = 0; i < 5; i++) {
        assert(zmq_send(keep, "keep", 4, ZMQ_DONTWAIT) == 4);
        assert(zmq_send(drop, "drop", 4, ZMQ_DONTWAIT) == 4);
    }
    rc = zmq_send(imm, "imm", 3, ZMQ_DONTWAIT);
    printf("no peer yet: 5+5 sends queued; with ZMQ_IMMEDIATE send returns %d (%s)\n", rc, errno == EAGAIN ? "EAGAIN" : "?");
    assert(rc == -1 && errno == EAGAIN);

    /* 3. close with LINGER=0 throws the queue away; LINGER=-1 (default) would make zmq_ctx_term wait */
    assert(zmq_setsockopt(drop, ZMQ_LINGER, &zero, sizeof zero) == 0);
    zmq_close(drop);    /* asynchronous: the reaper thread finishes the job */
    zmq_ctx_term(ctx2); /* returns once the socket is gone; with LINGER=-1 it would wait for a peer forever */
    zmq_setsockopt(imm, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(imm);

    void *pull = zmq_socket(ctx, ZMQ_PULL);
    assert(zmq_setsockopt(pull, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0);
    assert(zmq_bind(pull, ep) == 0); /* the peer comes up now; 'keep' reconnects within 100 ms */
    int kept = 0, dropped = 0;
    char buf[16];
    for (int n, i = 0; i < 100 && (n = zmq_recv(pull, buf, sizeof buf, 0)) >= 0; i++) {
        if (n == 4 && memcmp(buf, "keep", 4) == 0) kept++;
        else dropped++;
    }
    printf("peer bound later: received %d 'keep', %d 'drop' (the LINGER=0 socket's queue is gone)\n", kept, dropped);
    assert(kept == 5 && dropped == 0);
    zmq_close(keep);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    unlink(path);
    rmdir(dir);
    return 0;
}
