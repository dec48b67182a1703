// caption: ROUTER 给每个对端加上身份帧：DEALER 异步连发、ROUTER 按身份回给指定对端；REQ 的信封多一个空分隔帧
// point: Router/Dealer模型原理分析
// libs: libzmq
// timeout: 15
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static int recv_frame(void *s, char *buf, int cap, int *more) {
    int n = zmq_recv(s, buf, (size_t)cap - 1, 0);
    assert(n >= 0 && n < cap);
    buf[n] = '\0';
    size_t sz = sizeof *more;
    assert(zmq_getsockopt(s, ZMQ_RCVMORE, more, &sz) == 0);
    return n;
}

int main(void) {
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    assert(zmq_bind(router, "tcp://127.0.0.1:*") == 0);
    char ep[128];
    size_t len = sizeof ep;
    assert(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, ep, &len) == 0);
    const char *names[2] = {"alice", "bob"};
    void *d[2];
    for (int k = 0; k < 2; k++) {
        d[k] = zmq_socket(ctx, ZMQ_DEALER);
        assert(zmq_setsockopt(d[k], ZMQ_ROUTING_ID, names[k], strlen(names[k])) == 0);
        assert(zmq_connect(d[k], ep) == 0);
    }
    /* DEALER is asynchronous: three requests in a row, no EFSM */
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) assert(zmq_send(d[k], "req", 3, 0) == 3);

    char id[64], body[64];
    int more, count[2] = {0, 0};
    for (int i = 0; i < 6; i++) {
        int idn = recv_frame(router, id, sizeof id, &more);
        assert(more == 1); /* frame 1: identity, added by ROUTER */
        recv_frame(router, body, sizeof body, &more);
        assert(more == 0 && strcmp(body, "req") == 0);
        if (i < 2) printf("ROUTER got [%s][%s]\n", id, body);
        int k = strcmp(id, "bob") == 0;
        count[k]++;
        /* reply: the identity frame tells ROUTER which pipe to use, and is stripped */
        char reply[32];
        int rn = snprintf(reply, sizeof reply, "to %s #%d", id, count[k]);
        assert(zmq_send(router, id, (size_t)idn, ZMQ_SNDMORE) == idn);
        assert(zmq_send(router, reply, (size_t)rn, 0) == rn);
    }
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 3; i++) {
            recv_frame(d[k], body, sizeof body, &more);
            assert(more == 0 && strncmp(body + 3, names[k], strlen(names[k])) == 0);
        }
        printf("%s received its own 3 replies, last '%s'\n", names[k], body);
    }

    /* a REQ peer: ROUTER sees [identity][empty delimiter][body] */
    void *req = zmq_socket(ctx, ZMQ_REQ);
    assert(zmq_connect(req, ep) == 0);
    assert(zmq_send(req, "hello", 5, 0) == 5);
    int idn = recv_frame(router, id, sizeof id, &more);
    printf("REQ peer: identity is %d bytes (generated, first byte 0x%02x)", idn, (unsigned char)id[0]);
    assert(more && idn == 5 && id[0] == 0); /* auto ids: 0 followed by a 32-bit counter */
    int dn = recv_frame(router, body, sizeof body, &more);
    printf(", delimiter %d bytes", dn);
    assert(dn == 0 && more);
    recv_frame(router, body, sizeof body, &more);
    printf(", body '%s'\n", body);
    assert(!more && strcmp(body, "hello") == 0);
    assert(zmq_send(router, id, (size_t)idn, ZMQ_SNDMORE) == idn);
    assert(zmq_send(router, "", 0, ZMQ_SNDMORE) == 0);
    assert(zmq_send(router, "world", 5, 0) == 5);
    assert(zmq_recv(req, body, sizeof body, 0) == 5);
    printf("REQ got 'world' after ROUTER echoed the envelope back\n");
    zmq_close(req);
    zmq_close(d[0]);
    zmq_close(d[1]);
    zmq_close(router);
    zmq_ctx_term(ctx);
    return 0;
}
