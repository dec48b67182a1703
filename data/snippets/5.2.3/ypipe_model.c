// caption: 按 libzmq ypipe/yqueue 的协议手写单生产者单消费者无锁管道：分块队列 + 唯一的原子指针 c，c 为 NULL 表示读者睡着了，只有这时写者才需要唤醒
// point: 无锁队列
// timeout: 20
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define N 256 /* items per chunk, like yqueue_t<T, N> */
typedef struct chunk { long v[N]; struct chunk *next; } chunk;

typedef struct { /* yqueue: reader owns begin, writer owns back/end, they share only `spare` */
    chunk *begin_c, *back_c, *end_c;
    int begin_p, back_p, end_p;
    _Atomic(chunk *) spare; /* one recycled chunk, swapped atomically */
    /* ypipe */
    long *w, *r, *f;   /* first unflushed, first unprefetched, flush-up-to (writer, reader, writer) */
    _Atomic(long *) c; /* the single shared pointer: end of flushed data, NULL = reader asleep */
} ypipe;

static long *back(ypipe *q) { return &q->back_c->v[q->back_p]; }
static long *front(ypipe *q) { return &q->begin_c->v[q->begin_p]; }
static void push(ypipe *q) {
    q->back_c = q->end_c, q->back_p = q->end_p;
    if (++q->end_p != N) return;
    chunk *s = atomic_exchange(&q->spare, NULL);
    if (!s) s = malloc(sizeof *s);
    assert(s);
    s->next = NULL;
    q->end_c->next = s, q->end_c = s, q->end_p = 0;
}
static void pop(ypipe *q) {
    if (++q->begin_p != N) return;
    chunk *old = q->begin_c;
    q->begin_c = old->next, q->begin_p = 0;
    free(atomic_exchange(&q->spare, old)); /* keep the newest chunk for reuse, free the older spare */
}
static void init(ypipe *q) {
    q->begin_c = q->end_c = calloc(1, sizeof(chunk));
    q->begin_p = q->end_p = 0;
    atomic_init(&q->spare, NULL);
    push(q); /* terminator element */
    q->r = q->w = q->f = back(q);
    atomic_init(&q->c, back(q));
}
static void write_item(ypipe *q, long v, int incomplete) {
    *back(q) = v;
    push(q);
    if (!incomplete) q->f = back(q);
}
static int flush(ypipe *q) { /* returns 0 if the reader was asleep: caller must wake it */
    if (q->w == q->f) return 1;
    long *expect = q->w;
    if (!atomic_compare_exchange_strong(&q->c, &expect, q->f)) {
        atomic_store(&q->c, q->f); /* c was NULL: reader sleeps, nobody races us */
        q->w = q->f;
        return 0;
    }
    q->w = q->f;
    return 1;
}
static int check_read(ypipe *q) {
    if (front(q) != q->r && q->r) return 1; /* prefetched items left */
    long *expect = front(q);
    atomic_compare_exchange_strong(&q->c, &expect, NULL); /* nothing new -> c = NULL ("I sleep") */
    q->r = expect;                                        /* old value of c */
    return !(front(q) == q->r || !q->r);
}
static int read_item(ypipe *q, long *v) {
    if (!check_read(q)) return 0;
    *v = *front(q);
    pop(q);
    return 1;
}

#define ITEMS 2000000L
#define BATCH 100
static ypipe P;
static sem_t wake; /* stands in for libzmq's mailbox "activate_read" command */
static long wakeups, flushes;

static void *writer(void *arg) {
    (void)arg;
    for (long i = 0; i < ITEMS; i++) {
        write_item(&P, i, 0);
        if ((i + 1) % BATCH == 0) {
            flushes++;
            if (!flush(&P)) { wakeups++; sem_post(&wake); }
        }
    }
    return NULL;
}

int main(void) {
    init(&P);
    long v;
    /* single-threaded: unflushed items are invisible; the first flush finds the reader asleep */
    write_item(&P, 7, 1);
    write_item(&P, 8, 0);
    int seen = read_item(&P, &v);
    int fl = flush(&P);
    printf("before flush reader sees %d item(s); flush() = %d (reader was asleep -> wake it)\n", seen, fl);
    assert(seen == 0 && fl == 0);
    assert(read_item(&P, &v) && v == 7 && read_item(&P, &v) && v == 8 && !read_item(&P, &v));
    assert(flush(&P) == 1); /* nothing new: no-op */

    sem_init(&wake, 0, 0);
    pthread_t t;
    pthread_create(&t, NULL, writer, NULL);
    long next = 0, sleeps = 0;
    while (next < ITEMS) {
        if (read_item(&P, &v)) { assert(v == next); next++; continue; }
        sleeps++;
        sem_wait(&wake); /* c is NULL now; the writer's next flush fails its CAS and posts */
    }
    pthread_join(t, NULL);
    printf("%ld items in order over the pipe: %ld flushes, reader slept %ld times, writer woke it %ld times\n", next,
           flushes, sleeps, wakeups);
    assert(sleeps == wakeups && wakeups <= flushes && flushes == ITEMS / BATCH);
    for (chunk *c = P.begin_c, *n; c; c = n) { n = c->next; free(c); }
    free(atomic_load(&P.spare));
    sem_destroy(&wake);
    return 0;
}
