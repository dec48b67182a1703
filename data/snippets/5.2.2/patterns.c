// caption: 合法的 socket 类型配对才能完成 ZMTP 握手：用 zmq_socket_monitor 观察不匹配的配对（REQ→PUB 等）连上后立即被断开
// point: 消息传递模式
// libs: libzmq
// timeout: 15
#undef NDEBUG
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static const char *tname[] = {"PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH"};

/* connect a socket of type `ct` to one of type `bt`; 1 if the TCP connection survives the handshake */
static int try_pair(void *ctx, int bt, int ct, int n) {
    void *b = zmq_socket(ctx, bt), *c = zmq_socket(ctx, ct);
    assert(zmq_bind(b, "tcp://127.0.0.1:*") == 0);
    char ep[128], mon[32];
    size_t len = sizeof ep;
    assert(zmq_getsockopt(b, ZMQ_LAST_ENDPOINT, ep, &len) == 0);
    snprintf(mon, sizeof mon, "inproc://mon%d", n);
    assert(zmq_socket_monitor(c, mon, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) == 0);
    void *m = zmq_socket(ctx, ZMQ_PAIR);
    int tmo = 3000, zero = 0;
    assert(zmq_setsockopt(m, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0);
    assert(zmq_connect(m, mon) == 0);
    assert(zmq_connect(c, ep) == 0);
    uint8_t ev[6];
    char addr[256];
    uint16_t id = 0;
    assert(zmq_recv(m, ev, sizeof ev, 0) == 6); /* frame 1: uint16 event + uint32 value */
    assert(zmq_recv(m, addr, sizeof addr, 0) >= 0); /* frame 2: endpoint */
    memcpy(&id, ev, 2);
    assert(id == ZMQ_EVENT_CONNECTED); /* TCP is up; now the greeting and READY are exchanged */
    tmo = 500;
    assert(zmq_setsockopt(m, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0);
    int ok = 1;
    if (zmq_recv(m, ev, sizeof ev, 0) == 6) {
        assert(zmq_recv(m, addr, sizeof addr, 0) >= 0);
        memcpy(&id, ev, 2);
        ok = id != ZMQ_EVENT_DISCONNECTED;
    }
    printf("%-6s -> %-6s: %s\n", tname[ct], tname[bt], ok ? "connected, kept" : "connected, then DISCONNECTED by the handshake");
    zmq_setsockopt(c, ZMQ_LINGER, &zero, sizeof zero);
    zmq_socket_monitor(c, NULL, 0);
    zmq_close(m);
    zmq_close(c);
    zmq_close(b);
    return ok;
}

int main(void) {
    void *ctx = zmq_ctx_new();
    int n = 0;
    /* the valid pairs of ZMTP 3 (RFC 23, "Socket-Type" in the READY command) */
    assert(try_pair(ctx, ZMQ_REP, ZMQ_REQ, n++));
    assert(try_pair(ctx, ZMQ_ROUTER, ZMQ_REQ, n++));
    assert(try_pair(ctx, ZMQ_ROUTER, ZMQ_DEALER, n++));
    assert(try_pair(ctx, ZMQ_PUB, ZMQ_SUB, n++));
    assert(try_pair(ctx, ZMQ_PULL, ZMQ_PUSH, n++));
    /* mismatches are refused during the handshake, so nothing is ever delivered */
    assert(!try_pair(ctx, ZMQ_PUB, ZMQ_REQ, n++));
    assert(!try_pair(ctx, ZMQ_PUSH, ZMQ_PUSH, n++));
    assert(!try_pair(ctx, ZMQ_SUB, ZMQ_REP, n++));
    zmq_ctx_term(ctx);
    return 0;
}
