// caption: PUB/SUB：订阅者的连接还没建立时发布的消息全部丢失（慢连接者），连接建好后按前缀过滤只收到订阅的主题
// point: PUB/SUB模型原理分析
// libs: libzmq
// timeout: 15
#define _GNU_SOURCE /* mkdtemp */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static int drain(void *sub, int *a, int *b) { /* count until 200 ms of silence */
    char buf[64];
    int total = 0;
    for (int guard = 0; guard < 100000; guard++) {
        int n = zmq_recv(sub, buf, sizeof buf - 1, 0);
        if (n < 0) break; /* EAGAIN after RCVTIMEO */
        buf[n] = '\0';
        if (strncmp(buf, "price.", 6) == 0) (*a)++;
        else if (strncmp(buf, "news.", 5) == 0) (*b)++;
        total++;
    }
    return total;
}

int main(void) {
    void *ctx = zmq_ctx_new();
    char dir[] = "/tmp/zmqps.XXXXXX", ep[64], path[64];
    assert(mkdtemp(dir));
    snprintf(ep, sizeof ep, "ipc://%s/pub", dir);
    snprintf(path, sizeof path, "%s/pub", dir);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int tmo = 200, ivl = 500;
    assert(zmq_setsockopt(sub, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0);
    assert(zmq_setsockopt(sub, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl) == 0);
    assert(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "price.", 6) == 0);
    assert(zmq_connect(sub, ep) == 0); /* nobody there yet: the attempt fails, the next one is 500 ms later */
    zmq_poll(NULL, 0, 50);
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    assert(zmq_bind(pub, ep) == 0);

    /* 1. publish now: the subscriber is not connected yet, PUB has nobody to send to */
    for (int i = 0; i < 100; i++) assert(zmq_send(pub, "price.early", 11, 0) == 11);
    int a = 0, b = 0;
    int early = drain(sub, &a, &b);
    printf("sent 100 before the subscriber's connection was up: it got %d (slow joiner)\n", early);
    assert(early < 100);

    /* 2. synchronise: publish probes until one arrives, then the path is up */
    int probes = 0;
    char buf[64];
    tmo = 10;
    assert(zmq_setsockopt(sub, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0);
    for (; probes < 500; probes++) { /* up to 5 s */
        assert(zmq_send(pub, "price.probe", 11, 0) == 11);
        if (zmq_recv(sub, buf, sizeof buf, 0) >= 0) break;
    }
    assert(probes < 500);
    tmo = 200;
    assert(zmq_setsockopt(sub, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0);
    a = b = 0;
    drain(sub, &a, &b); /* leftover probes */
    printf("path ready after %d probe(s)\n", probes + 1);

    /* 3. topic filtering is a byte-prefix match on the first frame */
    a = b = 0;
    for (int i = 0; i < 100; i++) {
        assert(zmq_send(pub, "price.tencent 388", 17, 0) == 17);
        assert(zmq_send(pub, "news.tencent up", 15, 0) == 15);
        assert(zmq_send(pub, "pric", 4, 0) == 4); /* shorter than the prefix: no match */
    }
    int got = drain(sub, &a, &b);
    printf("sent 100 price.* + 100 news.* + 100 'pric': got %d (price=%d news=%d)\n", got, a, b);
    assert(a == 100 && b == 0 && got == 100);

    /* 4. adding a subscription later widens the filter */
    assert(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "news.", 5) == 0);
    for (probes = 0; probes < 500; probes++) { /* wait until the new filter reaches the PUB */
        assert(zmq_send(pub, "news.probe", 10, 0) == 10);
        if (zmq_recv(sub, buf, sizeof buf, 0) >= 0) break;
    }
    a = b = 0;
    drain(sub, &a, &b);
    for (int i = 0; i < 50; i++) assert(zmq_send(pub, "news.x", 6, 0) == 6);
    a = b = 0;
    got = drain(sub, &a, &b);
    printf("after SUBSCRIBE news.: got %d news\n", b);
    assert(b == 50);
    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    unlink(path);
    rmdir(dir);
    return 0;
}
