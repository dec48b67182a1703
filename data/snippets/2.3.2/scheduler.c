// caption: C 版协程调度器（仿 NtyCo 的结构）：手写 x86-64 切换，就绪队列（FIFO 链表）、超时集合（带下标的最小堆）、IO 等待集合（按 fd 下标的数组 + epoll）；同步写法的 co_read/co_write/co_accept/co_connect 在 EAGAIN 时让出；回环上 1 个服务端协程、200 个客户端协程各 50 次往返，超时的 co_read 返回 ETIMEDOUT
// point: 超时集合,就绪队列,io等待集合的实现
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
void co_switch(void **save_sp, void *load_sp);
__asm__(".text\n.globl co_switch\n.type co_switch,@function\nco_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  movq %rsp, (%rdi)\n  movq %rsi, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n  ret\n"
        ".size co_switch,.-co_switch\n");

#define STACK (64 * 1024)
#define MAXFD 4096
typedef struct co {
    void *sp, *stack;
    void (*fn)(void *);
    void *arg;
    int done, timed_out, heap_idx;
    uint64_t wake;                          /* ms, CLOCK_MONOTONIC */
    struct co *next;                        /* ready queue link */
} co;

static void *sched_sp;                      /* the scheduler's own saved stack pointer */
static co *cur, *ready_head, *ready_tail;
static co *heap[8192];
static int heap_n, epfd;
static co *waiting[MAXFD][2];               /* IO wait set: [fd][0 = read, 1 = write] */
static long switches;

static uint64_t now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000ull + t.tv_nsec / 1000000; }

static void ready(co *c) { c->next = NULL; if (ready_tail) ready_tail->next = c; else ready_head = c; ready_tail = c; }

static void hswap(int i, int j) { co *t = heap[i]; heap[i] = heap[j]; heap[j] = t; heap[i]->heap_idx = i; heap[j]->heap_idx = j; }
static void hup(int i) { while (i && heap[(i - 1) / 2]->wake > heap[i]->wake) hswap(i, (i - 1) / 2), i = (i - 1) / 2; }
static void hdown(int i) {
    for (int c; (c = 2 * i + 1) < heap_n; i = c) {
        if (c + 1 < heap_n && heap[c + 1]->wake < heap[c]->wake) c++;
        if (heap[c]->wake >= heap[i]->wake) break;
        hswap(i, c);
    }
}
static void timer_add(co *c, uint64_t wake) { c->wake = wake; heap[heap_n] = c; c->heap_idx = heap_n++; hup(c->heap_idx); }
static void timer_del(co *c) {              /* arbitrary removal: why the heap index is kept */
    int i = c->heap_idx;
    if (i < 0) return;
    c->heap_idx = -1;
    if (i == --heap_n) return;
    heap[i] = heap[heap_n], heap[i]->heap_idx = i;
    hup(i), hdown(heap[i]->heap_idx);
}

static void yield_to_scheduler(void) { switches++; co_switch(&cur->sp, sched_sp); }

static void trampoline(void) { cur->fn(cur->arg); cur->done = 1; yield_to_scheduler(); }

static co *co_create(void (*fn)(void *), void *arg) {
    co *c = calloc(1, sizeof *c);
    c->stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);  /* pages on touch */
    void **sp = (void **)((char *)c->stack + STACK);
    *--sp = NULL;                           /* alignment slot */
    *--sp = (void *)trampoline;             /* first 'ret' lands here: the initial rip */
    for (int i = 0; i < 6; i++) *--sp = NULL;
    c->sp = sp, c->fn = fn, c->arg = arg, c->heap_idx = -1;
    ready(c);
    return c;
}

static int wait_fd(int fd, int write, int timeout_ms) {   /* 0: ready, -1: timed out */
    waiting[fd][write] = cur;
    struct epoll_event ev = {.events = (write ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT, .data.u64 = (uint64_t)fd << 1 | write};
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0) assert(epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0);
    if (timeout_ms >= 0) timer_add(cur, now_ms() + timeout_ms);
    cur->timed_out = 0;
    yield_to_scheduler();                   /* back when the fd is ready or the timer fires */
    return cur->timed_out ? -1 : 0;
}

static ssize_t co_read(int fd, void *b, size_t n, int timeout_ms) {   /* looks blocking, never blocks the thread */
    for (;;) {
        ssize_t k = read(fd, b, n);
        if (k >= 0 || errno != EAGAIN) return k;
        if (wait_fd(fd, 0, timeout_ms) < 0) { errno = ETIMEDOUT; return -1; }
    }
}
static ssize_t co_write(int fd, const void *b, size_t n) {
    size_t off = 0;
    while (off < n) {
        ssize_t k = write(fd, (const char *)b + off, n - off);
        if (k > 0) off += k;
        else if (errno == EAGAIN) wait_fd(fd, 1, -1);
        else return -1;
    }
    return off;
}
static int co_accept(int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
        if (fd >= 0 || errno != EAGAIN) return fd;
        wait_fd(lfd, 0, -1);
    }
}
static void co_sleep(int ms) { timer_add(cur, now_ms() + ms); yield_to_scheduler(); }

static int live;
static void run(void) {                     /* the scheduler loop */
    while (live) {
        while (ready_head) {                /* 1. run everything that is ready, in FIFO order */
            co *c = ready_head;
            ready_head = c->next;
            if (!ready_head) ready_tail = NULL;
            cur = c;
            switches++;
            co_switch(&sched_sp, c->sp);
            if (c->done) { munmap(c->stack, STACK); free(c); live--; }
        }
        if (!live) break;                   /* everyone finished: do not wait for IO that never comes */
        uint64_t t = now_ms();              /* 2. expired timers */
        while (heap_n && heap[0]->wake <= t) {
            co *c = heap[0];
            timer_del(c);
            for (int fd = 0; fd < MAXFD; fd++)   /* a timed-out IO wait leaves the wait set (rare: linear scan) */
                for (int w = 0; w < 2; w++) if (waiting[fd][w] == c) waiting[fd][w] = NULL, c->timed_out = 1;
            ready(c);
        }
        if (ready_head) continue;
        int timeout = heap_n ? (int)(heap[0]->wake - t) + 1 : 1000;   /* 3. sleep until IO or the next timer */
        struct epoll_event evs[256];
        int n = epoll_wait(epfd, evs, 256, timeout);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.u64 >> 1, w = evs[i].data.u64 & 1;
            co *c = waiting[fd][w];
            if (!c) continue;
            waiting[fd][w] = NULL;
            timer_del(c);                   /* woke by IO: cancel its timeout */
            ready(c);
        }
    }
}

/* ---------------- the demo ---------------- */
static int port, served, round_trips, timeouts_seen;
#define CLIENTS 200
#define ROUNDS 50

static void echo_conn(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[64];
    ssize_t k;
    while ((k = co_read(fd, buf, sizeof buf, -1)) > 0) co_write(fd, buf, k);
    close(fd);
    served++;
}
static void server(void *arg) {
    int lfd = (int)(intptr_t)arg;
    for (int i = 0; i < CLIENTS; i++) { int fd = co_accept(lfd); assert(fd >= 0 && fd < MAXFD); co_create(echo_conn, (void *)(intptr_t)fd); live++; }
    close(lfd);
}
static void client(void *arg) {
    int id = (int)(intptr_t)arg, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert(fd < MAXFD);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { assert(errno == EINPROGRESS); wait_fd(fd, 1, -1); }
    char msg[32], back[32];
    for (int r = 0; r < ROUNDS; r++) {
        int n = snprintf(msg, sizeof msg, "client %d round %d", id, r);
        co_write(fd, msg, n);
        int got = 0;
        while (got < n) { ssize_t k = co_read(fd, back + got, n - got, 2000); assert(k > 0); got += k; }
        assert(!memcmp(msg, back, n));
        round_trips++;
    }
    close(fd);
}
static void sleeper(void *arg) {            /* a read that nobody answers: must time out, not hang */
    int *sv = arg;
    char b[8];
    uint64_t t0 = now_ms();
    assert(co_read(sv[1], b, sizeof b, 100) == -1 && errno == ETIMEDOUT);
    uint64_t waited = now_ms() - t0;
    assert(waited >= 100 && waited < 1000);
    timeouts_seen++;
    co_sleep(10);
}

int main(void) {
    epfd = epoll_create1(0);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert(bind(lfd, (struct sockaddr *)&a, sizeof a) == 0 && listen(lfd, 512) == 0);
    getsockname(lfd, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin_port);
    int sv[2];
    assert(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    co_create(server, (void *)(intptr_t)lfd);
    co_create(sleeper, sv);
    for (int i = 0; i < CLIENTS; i++) co_create(client, (void *)(intptr_t)i);
    live = CLIENTS + 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%d client coroutines x %d round trips + %d server-side coroutines, one thread: %d round trips in %.2f s "
           "(%.0f/s), %ld context switches\n", CLIENTS, ROUNDS, CLIENTS, round_trips, el, round_trips / el, switches);
    printf("an unanswered co_read(timeout 100 ms) returned ETIMEDOUT; every coroutine finished\n");
    assert(round_trips == CLIENTS * ROUNDS && served == CLIENTS && timeouts_seen == 1 && heap_n == 0);
    close(sv[0]), close(sv[1]), close(epfd);
    return 0;
}
#else
int main(void) { printf("this scheduler's context switch is written for x86-64 only: skipped\n"); return 0; }
#endif
