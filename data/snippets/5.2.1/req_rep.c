// caption: REQ/REP 锁步：REP 未收先发、REQ 连发两次都得到 EFSM；一个 REQ 连两个 REP 时请求轮流分发
// point: REQ/REP模型原理分析
// libs: libzmq
// timeout: 15
#undef NDEBUG /* asserts below wrap real calls */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static int recv_str(void *s, char *buf, int cap) {
    int n = zmq_recv(s, buf, (size_t)cap - 1, 0);
    assert(n >= 0 && n < cap);
    buf[n] = '\0';
    return n;
}

int main(void) {
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    assert(zmq_bind(rep, "tcp://127.0.0.1:*") == 0);
    char ep[128];
    size_t len = sizeof ep;
    assert(zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, ep, &len) == 0);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    assert(zmq_connect(req, ep) == 0);
    printf("REP bound at %s\n", ep);

    /* REP starts in the "receive" state: sending first breaks the lockstep */
    assert(zmq_send(rep, "x", 1, 0) == -1 && errno == EFSM);
    printf("REP send before recv -> EFSM\n");
    /* REQ starts in the "send" state: receiving first is also EFSM */
    char buf[64];
    assert(zmq_recv(req, buf, sizeof buf, 0) == -1 && errno == EFSM);
    printf("REQ recv before send -> EFSM\n");

    for (int i = 0; i < 3; i++) {
        char q[16];
        int n = snprintf(q, sizeof q, "ping %d", i);
        assert(zmq_send(req, q, (size_t)n, 0) == n);
        recv_str(rep, buf, sizeof buf);
        buf[1] = 'o'; /* ping -> pong */
        assert(zmq_send(rep, buf, strlen(buf), 0) == (int)strlen(buf));
        recv_str(req, buf, sizeof buf);
        printf("round %d: sent '%s' got '%s'\n", i, q, buf);
        assert(strncmp(buf, "pong", 4) == 0);
    }
    /* a second send without reading the reply is refused */
    assert(zmq_send(req, "a", 1, 0) == 1);
    assert(zmq_send(req, "b", 1, 0) == -1 && errno == EFSM);
    printf("REQ second send before the reply -> EFSM\n");
    zmq_close(req);
    zmq_close(rep);

    /* one REQ, two REPs: REQ round-robins over its connected pipes */
    void *r[2];
    const char *eps[2] = {"inproc://svc-a", "inproc://svc-b"};
    req = zmq_socket(ctx, ZMQ_REQ);
    for (int k = 0; k < 2; k++) {
        r[k] = zmq_socket(ctx, ZMQ_REP);
        assert(zmq_bind(r[k], eps[k]) == 0);
        assert(zmq_connect(req, eps[k]) == 0);
    }
    int served[2] = {0, 0};
    char order[8] = {0};
    for (int i = 0; i < 6; i++) {
        assert(zmq_send(req, "job", 3, 0) == 3);
        zmq_pollitem_t it[2] = {{r[0], 0, ZMQ_POLLIN, 0}, {r[1], 0, ZMQ_POLLIN, 0}};
        assert(zmq_poll(it, 2, 2000) == 1);
        int k = (it[1].revents & ZMQ_POLLIN) ? 1 : 0;
        recv_str(r[k], buf, sizeof buf);
        assert(zmq_send(r[k], k ? "B" : "A", 1, 0) == 1);
        recv_str(req, buf, sizeof buf);
        order[i] = buf[0];
        served[k]++;
    }
    printf("6 requests served in order %s (A=%d B=%d)\n", order, served[0], served[1]);
    assert(served[0] == 3 && served[1] == 3);
    for (int i = 1; i < 6; i++) assert(order[i] != order[i - 1]);
    zmq_close(req);
    zmq_close(r[0]);
    zmq_close(r[1]);
    zmq_ctx_term(ctx);
    return 0;
}
