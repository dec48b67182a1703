// caption: PUSH/PULL 扇出/扇入：任务按轮询（round-robin）均分给工人，结果公平排队（fair-queue）汇聚到 sink；慢工人照样分到同样多的任务
// point: PUSH/PULL模型原理分析
// libs: libzmq
// timeout: 15
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define NTASK 300
#define NWORK 3
static void *ctx;

static void *worker(void *arg) {
    int id = (int)(long)arg;
    void *in = zmq_socket(ctx, ZMQ_PULL), *out = zmq_socket(ctx, ZMQ_PUSH);
    assert(zmq_connect(in, "inproc://tasks") == 0);
    assert(zmq_connect(out, "inproc://results") == 0);
    for (;;) {
        int task;
        assert(zmq_recv(in, &task, sizeof task, 0) == sizeof task);
        if (task < 0) break; /* poison pill */
        if (id == 0) usleep(1000); /* worker 0 is slow: PUSH does not notice */
        int res[2] = {id, task * task};
        assert(zmq_send(out, res, sizeof res, 0) == sizeof res);
    }
    zmq_close(in);
    zmq_close(out);
    return NULL;
}

static void run(int nworkers) {
    void *vent = zmq_socket(ctx, ZMQ_PUSH), *sink = zmq_socket(ctx, ZMQ_PULL);
    assert(zmq_bind(vent, "inproc://tasks") == 0);
    assert(zmq_bind(sink, "inproc://results") == 0);
    pthread_t th[NWORK];
    for (long i = 0; i < nworkers; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    /* wait until every worker's PULL pipe is attached (inproc connect is synchronous once bound) */
    for (int w = 0; w < 200; w++) zmq_poll(NULL, 0, 5);
    for (int t = 0; t < NTASK; t++) assert(zmq_send(vent, &t, sizeof t, 0) == sizeof t);
    int per[NWORK] = {0};
    long sum = 0;
    for (int t = 0; t < NTASK; t++) {
        int res[2];
        assert(zmq_recv(sink, res, sizeof res, 0) == sizeof res);
        per[res[0]]++;
        sum += res[1];
    }
    int pill = -1;
    for (int i = 0; i < nworkers; i++) assert(zmq_send(vent, &pill, sizeof pill, 0) == sizeof pill);
    for (int i = 0; i < nworkers; i++) pthread_join(th[i], NULL);
    printf("%d worker(s): tasks per worker =", nworkers);
    for (int i = 0; i < nworkers; i++) printf(" %d", per[i]);
    printf(" (worker 0 is 1 ms/task slower), sum of squares = %ld\n", sum);
    assert(sum == (long)(NTASK - 1) * NTASK * (2 * NTASK - 1) / 6);
    for (int i = 0; i < nworkers; i++) assert(per[i] == NTASK / nworkers);
    zmq_close(vent);
    zmq_close(sink);
}

int main(void) {
    ctx = zmq_ctx_new();
    run(NWORK);
    zmq_ctx_term(ctx);
    return 0;
}
