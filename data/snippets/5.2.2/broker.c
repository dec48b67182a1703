// caption: 中间层代理：zmq_proxy_steerable 把 ROUTER 前端接到 DEALER 后端，4 个 REQ 客户端和 2 个 REP 工人互不知道对方；capture 口旁路看到每一帧
// point: 中间层代理
// libs: libzmq
// timeout: 15
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define NCLIENT 4
#define NREQ 5
static void *ctx;
static int served[2];
static pthread_barrier_t ready;

static void *worker(void *arg) {
    int id = (int)(long)arg;
    void *s = zmq_socket(ctx, ZMQ_REP);
    assert(zmq_connect(s, "inproc://backend") == 0);
    pthread_barrier_wait(&ready);
    char buf[32];
    for (;;) {
        int n = zmq_recv(s, buf, sizeof buf, 0);
        if (n < 0) { assert(errno == ETERM); break; } /* zmq_ctx_shutdown */
        char r = (char)('A' + id);
        served[id]++;
        assert(zmq_send(s, &r, 1, 0) == 1);
    }
    zmq_close(s);
    return NULL;
}

static void *client(void *arg) {
    (void)arg;
    void *s = zmq_socket(ctx, ZMQ_REQ);
    assert(zmq_connect(s, "inproc://frontend") == 0);
    for (int i = 0; i < NREQ; i++) {
        char r;
        assert(zmq_send(s, "work", 4, 0) == 4);
        assert(zmq_recv(s, &r, 1, 0) == 1 && (r == 'A' || r == 'B'));
    }
    zmq_close(s);
    return NULL;
}

static void *proxy(void *arg) {
    void **s = arg; /* frontend, backend, capture, control */
    assert(zmq_proxy_steerable(s[0], s[1], s[2], s[3]) == 0); /* returns 0 on TERMINATE */
    return NULL;
}

int main(void) {
    ctx = zmq_ctx_new();
    void *s[4] = {zmq_socket(ctx, ZMQ_ROUTER), zmq_socket(ctx, ZMQ_DEALER), zmq_socket(ctx, ZMQ_PUSH),
                  zmq_socket(ctx, ZMQ_PAIR)};
    assert(zmq_bind(s[0], "inproc://frontend") == 0 && zmq_bind(s[1], "inproc://backend") == 0);
    assert(zmq_bind(s[2], "inproc://capture") == 0 && zmq_bind(s[3], "inproc://control") == 0);
    void *tap = zmq_socket(ctx, ZMQ_PULL), *ctl = zmq_socket(ctx, ZMQ_PAIR);
    assert(zmq_connect(tap, "inproc://capture") == 0 && zmq_connect(ctl, "inproc://control") == 0);
    pthread_t p, w[2], c[NCLIENT];
    pthread_create(&p, NULL, proxy, s);
    pthread_barrier_init(&ready, NULL, 3);
    for (long i = 0; i < 2; i++) pthread_create(&w[i], NULL, worker, (void *)i);
    pthread_barrier_wait(&ready); /* both workers connected before any request */
    zmq_poll(NULL, 0, 50);        /* and the proxy thread has seen both pipes */
    for (int i = 0; i < NCLIENT; i++) pthread_create(&c[i], NULL, client, NULL);
    for (int i = 0; i < NCLIENT; i++) pthread_join(c[i], NULL);
    printf("%d clients x %d requests answered; worker A served %d, worker B served %d\n", NCLIENT, NREQ, served[0], served[1]);
    assert(served[0] + served[1] == NCLIENT * NREQ && served[0] > 0 && served[1] > 0);

    /* the capture socket received a copy of every frame passing in both directions */
    int frames = 0, empty = 0, tmo = 200;
    char buf[64];
    assert(zmq_setsockopt(tap, ZMQ_RCVTIMEO, &tmo, sizeof tmo) == 0);
    for (int n; frames < 10000 && (n = zmq_recv(tap, buf, sizeof buf, 0)) >= 0; frames++) empty += n == 0;
    printf("capture saw %d frames (%d empty delimiters): [routing id][\"\"][body] each way\n", frames, empty);
    assert(frames == NCLIENT * NREQ * 2 * 3 && empty == NCLIENT * NREQ * 2);

    assert(zmq_send(ctl, "TERMINATE", 9, 0) == 9);
    pthread_join(p, NULL);
    printf("proxy stopped by TERMINATE on the control socket\n");
    for (int i = 0; i < 4; i++) zmq_close(s[i]);
    zmq_close(tap);
    zmq_close(ctl);
    zmq_ctx_shutdown(ctx); /* wakes the workers with ETERM */
    for (int i = 0; i < 2; i++) pthread_join(w[i], NULL);
    zmq_ctx_term(ctx);
    pthread_barrier_destroy(&ready);
    return 0;
}
