// caption: 同一个问题换四种并发模型：线程共享内存（不加锁丢更新）、进程各有地址空间（只能靠管道传值）、CSP 无缓冲通道（发送方与接收方会合）、actor 邮箱（发送从不阻塞、积压要自己管）
// point: 多核并发编程-多线程,多进程,csp模型,actor模型
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 3000000
static long shared;                     /* (1) threads: one address space */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;
static void *add_racy(void *a) {
    (void)a;
    pthread_barrier_wait(&start); /* both threads run the loop at the same time */
    for (int i = 0; i < N; i++) { long v = __atomic_load_n(&shared, __ATOMIC_RELAXED); __atomic_store_n(&shared, v + 1, __ATOMIC_RELAXED); }
    return NULL; /* load + store is not one step: updates from the other thread get overwritten */
}
static void *add_locked(void *a) {
    (void)a;
    for (int i = 0; i < N; i++) { pthread_mutex_lock(&mu); shared++; pthread_mutex_unlock(&mu); }
    return NULL;
}

/* (3) CSP: an unbuffered channel, the sender waits until the receiver has taken the value */
typedef struct { pthread_mutex_t m; pthread_cond_t cv; int full, taken; long v; } chan;
static chan ch = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
static void chan_send(chan *c, long v) {
    pthread_mutex_lock(&c->m);
    while (c->full) pthread_cond_wait(&c->cv, &c->m);
    c->v = v, c->full = 1, c->taken = 0;
    pthread_cond_broadcast(&c->cv);
    while (!c->taken) pthread_cond_wait(&c->cv, &c->m); /* rendezvous */
    pthread_mutex_unlock(&c->m);
}
static long chan_recv(chan *c) {
    pthread_mutex_lock(&c->m);
    while (!c->full) pthread_cond_wait(&c->cv, &c->m);
    long v = c->v;
    c->full = 0, c->taken = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->m);
    return v;
}
/* (4) actor: an unbounded mailbox; send appends and returns at once */
typedef struct box { long v; struct box *next; } box;
static box *mb_head, *mb_tail;
static long mb_len, mb_max;
static pthread_mutex_t mb_mu = PTHREAD_MUTEX_INITIALIZER;
static void actor_send(long v) {
    box *b = malloc(sizeof *b);
    assert(b);
    b->v = v, b->next = NULL;
    pthread_mutex_lock(&mb_mu);
    if (mb_tail) mb_tail->next = b; else mb_head = b;
    mb_tail = b;
    if (++mb_len > mb_max) mb_max = mb_len;
    pthread_mutex_unlock(&mb_mu);
}
static void *slow_actor(void *a) {
    (void)a;
    for (long want = 0; want < 1000;) {
        pthread_mutex_lock(&mb_mu);
        box *b = mb_head;
        if (b) { mb_head = b->next; if (!mb_head) mb_tail = NULL; mb_len--; }
        pthread_mutex_unlock(&mb_mu);
        if (!b) continue;
        assert(b->v == want++); /* one mailbox, one reader: FIFO */
        free(b);
        for (volatile int k = 0; k < 20000; k++) {} /* slow consumer */
    }
    return NULL;
}
static atomic_long sent_csp, recv_csp, max_gap_csp;
static void *slow_receiver(void *a) {
    (void)a;
    for (int i = 0; i < 1000; i++) {
        long v = chan_recv(&ch);
        atomic_store(&recv_csp, v + 1);
        long gap = atomic_load(&sent_csp) - atomic_load(&recv_csp);
        if (gap > atomic_load(&max_gap_csp)) atomic_store(&max_gap_csp, gap);
        for (volatile int k = 0; k < 20000; k++) {} /* slow consumer */
    }
    return NULL;
}

int main(void) {
    pthread_t a, b;
    pthread_barrier_init(&start, NULL, 2);
    pthread_create(&a, NULL, add_racy, NULL), pthread_create(&b, NULL, add_racy, NULL);
    pthread_join(a, NULL), pthread_join(b, NULL);
    long racy = shared;
    shared = 0;
    pthread_create(&a, NULL, add_locked, NULL), pthread_create(&b, NULL, add_locked, NULL);
    pthread_join(a, NULL), pthread_join(b, NULL);
    printf("threads, shared counter, 2 x %d increments: unlocked %ld (%ld lost), with a mutex %ld\n", N, racy, 2L * N - racy, shared);
    assert(racy <= 2L * N && shared == 2L * N);

    /* (2) processes: the child's writes never reach the parent; results travel through a pipe */
    int p[2];
    assert(pipe(p) == 0);
    shared = 7;
    pid_t pid = fork();
    assert(pid >= 0);
    if (pid == 0) { shared = 1000; long r = shared * 2; assert(write(p[1], &r, sizeof r) == sizeof r); _exit(0); }
    long r = 0;
    assert(read(p[0], &r, sizeof r) == sizeof r);
    int st;
    waitpid(pid, &st, 0);
    close(p[0]), close(p[1]);
    printf("processes: child set its copy to 1000, parent still sees %ld, got %ld via the pipe\n", shared, r);
    assert(shared == 7 && r == 2000 && WIFEXITED(st));

    pthread_create(&a, NULL, slow_receiver, NULL);
    for (long i = 0; i < 1000; i++) { chan_send(&ch, i); atomic_store(&sent_csp, i + 1); }
    pthread_join(a, NULL);
    printf("CSP unbuffered channel: 1000 sends to a slow receiver, sender never more than %ld ahead\n",
           atomic_load(&max_gap_csp));
    assert(atomic_load(&max_gap_csp) <= 1);

    pthread_create(&a, NULL, slow_actor, NULL);
    for (long i = 0; i < 1000; i++) actor_send(i); /* never blocks */
    pthread_join(a, NULL);
    printf("actor mailbox: 1000 sends to the same slow receiver, mailbox peaked at %ld (no back-pressure)\n", mb_max);
    assert(mb_max > 500);
    pthread_barrier_destroy(&start);
    return 0;
}
