// caption: 五种 I/O 模型读同一个 socketpair，对端 50 ms 后才写：阻塞 read 一直睡到数据来；非阻塞 read 先得到一串 EAGAIN；poll 等就绪再 read；SIGIO 通知后再 read；io_uring 先交出缓冲区、提交立即返回，完成时数据已在缓冲区里，进程自己一次 read 也没调用
// point: 五种 I/O 模型
// timeout: 15
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int sv[2];
static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
static void *late_writer(void *arg) {
    (void)arg;
    usleep(50 * 1000);
    assert(write(sv[1], "hello", 5) == 5);
    return NULL;
}
static pthread_t start_writer(void) {
    pthread_t t;
    assert(pthread_create(&t, NULL, late_writer, NULL) == 0);
    return t;
}
static void report(const char *model, double waited, int calls, const char *copier, const char *buf) {
    printf("%-16s waited %5.1f ms in the call  io calls=%-3d copy by %-22s got \"%.5s\"\n",
           model, waited, calls, copier, buf);
    assert(memcmp(buf, "hello", 5) == 0);
}

/* asynchronous I/O: io_uring driven by raw system calls (no liburing) */
static void uring_recv(char *buf) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    int ring = syscall(__NR_io_uring_setup, 4, &p);
    assert(ring >= 0);
    size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    char *sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    char *cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
    struct io_uring_sqe *sqes = mmap(NULL, p.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    assert(sq != MAP_FAILED && cq != MAP_FAILED && sqes != MAP_FAILED);
    unsigned *sq_tail = (unsigned *)(sq + p.sq_off.tail), *sq_arr = (unsigned *)(sq + p.sq_off.array);
    memset(&sqes[0], 0, sizeof sqes[0]);
    sqes[0].opcode = IORING_OP_RECV; /* "read into this buffer when data comes" */
    sqes[0].fd = sv[0];
    sqes[0].addr = (unsigned long)buf;
    sqes[0].len = 5;
    sqes[0].user_data = 42;
    unsigned tail = *sq_tail;
    sq_arr[tail & *(unsigned *)(sq + p.sq_off.ring_mask)] = 0;
    __atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
    pthread_t w = start_writer();
    double t0 = now_ms();
    assert(syscall(__NR_io_uring_enter, ring, 1, 0, 0, NULL, 0) == 1); /* submit only */
    double submit = now_ms() - t0;
    assert(submit < 40); /* returned before the data existed */
    t0 = now_ms();
    assert(syscall(__NR_io_uring_enter, ring, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) >= 0);
    double waited = now_ms() - t0;
    unsigned *cq_head = (unsigned *)(cq + p.cq_off.head);
    unsigned head = *cq_head;
    assert(head != __atomic_load_n((unsigned *)(cq + p.cq_off.tail), __ATOMIC_ACQUIRE));
    struct io_uring_cqe *cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes) +
                               (head & *(unsigned *)(cq + p.cq_off.ring_mask));
    assert(cqe->user_data == 42 && cqe->res == 5); /* completion: 5 bytes already copied */
    __atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
    pthread_join(w, NULL);
    printf("io_uring submit returned after %.2f ms, before the peer wrote\n", submit);
    report("async(io_uring)", waited, 2, "kernel, before notice", buf);
    munmap(sqes, p.sq_entries * sizeof *sqes);
    munmap(cq, cq_len);
    munmap(sq, sq_len);
    close(ring);
}

int main(void) {
    sigset_t io;
    sigemptyset(&io);
    sigaddset(&io, SIGIO);
    pthread_sigmask(SIG_BLOCK, &io, NULL); /* SIGIO is taken with sigwaitinfo */
    assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    char buf[8];
    double t0;
    pthread_t w;

    memset(buf, 0, sizeof buf); /* 1 blocking */
    w = start_writer();
    t0 = now_ms();
    assert(read(sv[0], buf, 5) == 5);
    report("blocking", now_ms() - t0, 1, "read() (process)", buf);
    assert(now_ms() - t0 > 30);
    pthread_join(w, NULL);

    memset(buf, 0, sizeof buf); /* 2 non-blocking, polled every 1 ms */
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    w = start_writer();
    int tries = 0;
    ssize_t k;
    while ((k = read(sv[0], buf, 5)) < 0 && errno == EAGAIN && tries < 5000) { tries++; usleep(1000); }
    assert(k == 5 && tries >= 10);
    report("non-blocking", 0, tries + 1, "read() (process)", buf);
    pthread_join(w, NULL);

    memset(buf, 0, sizeof buf); /* 3 multiplexing: wait in poll, then read */
    w = start_writer();
    struct pollfd pf = {.fd = sv[0], .events = POLLIN};
    t0 = now_ms();
    assert(poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN));
    double waited = now_ms() - t0;
    assert(read(sv[0], buf, 5) == 5);
    report("multiplexing", waited, 2, "read() after poll", buf);
    pthread_join(w, NULL);

    memset(buf, 0, sizeof buf); /* 4 signal driven: SIGIO says "readable", then read */
    fcntl(sv[0], F_SETOWN, getpid());
    fcntl(sv[0], F_SETFL, O_NONBLOCK | O_ASYNC);
    w = start_writer();
    t0 = now_ms();
    struct timespec limit = {5, 0};
    assert(sigtimedwait(&io, NULL, &limit) == SIGIO);
    waited = now_ms() - t0;
    assert(read(sv[0], buf, 5) == 5);
    report("signal-driven", waited, 2, "read() after SIGIO", buf);
    pthread_join(w, NULL);
    fcntl(sv[0], F_SETFL, 0);

    memset(buf, 0, sizeof buf); /* 5 asynchronous */
    uring_recv(buf);
    close(sv[0]);
    close(sv[1]);
    printf("ok: models 1-4 copy with read() after waiting; io_uring completes with the data in place\n");
    return 0;
}
