// caption: multicastd 的核心技巧：一次发布只分配一份数据包，带引用计数（等于本地订阅者数）把同一个指针投给每个订阅者，最后一个读完的释放；与逐个复制的单播比较分配和复制的字节数
// point: 广播组件multicastd
// timeout: 30
#undef NDEBUG
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSUB 8
#define NPUB 400
#define SIZE (64 * 1024)
typedef struct { atomic_int ref; size_t size; unsigned char *data; } mc_package; /* like lua-multicast.c */
typedef struct item { mc_package *pack; unsigned char *copy; struct item *next; } item;
typedef struct { pthread_mutex_t m; pthread_cond_t cv; item *head, *tail; long got, bad; const void *first_seen; } mailbox;

static mailbox box[NSUB];
static atomic_long bytes_allocated, packages_freed;

static void deliver(int s, mc_package *p, unsigned char *copy) {
    item *it = malloc(sizeof *it);
    assert(it);
    *it = (item){p, copy, NULL};
    pthread_mutex_lock(&box[s].m);
    if (box[s].tail) box[s].tail->next = it; else box[s].head = it;
    box[s].tail = it;
    pthread_cond_signal(&box[s].cv);
    pthread_mutex_unlock(&box[s].m);
}

static void *subscriber(void *arg) {
    mailbox *b = &box[(long)arg];
    for (long n = 0; n < 2 * NPUB; n++) { /* a multicast round, then a unicast round */
        pthread_mutex_lock(&b->m);
        while (!b->head) pthread_cond_wait(&b->cv, &b->m);
        item *it = b->head;
        b->head = it->next;
        if (!b->head) b->tail = NULL;
        pthread_mutex_unlock(&b->m);
        const unsigned char *d = it->pack ? it->pack->data : it->copy;
        if (n == 0) b->first_seen = d;
        if (d[0] != d[SIZE - 1]) b->bad++;
        b->got++;
        if (it->pack) { /* mc.closelocal: the last reader frees the shared data */
            if (atomic_fetch_sub(&it->pack->ref, 1) == 1) {
                free(it->pack->data), free(it->pack);
                atomic_fetch_add(&packages_freed, 1);
            }
        } else free(it->copy);
        free(it);
    }
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    pthread_t th[NSUB];
    for (long i = 0; i < NSUB; i++) {
        pthread_mutex_init(&box[i].m, NULL), pthread_cond_init(&box[i].cv, NULL);
        pthread_create(&th[i], NULL, subscriber, (void *)i);
    }
    static unsigned char frame[SIZE];
    /* multicast: one allocation per publish, reference = number of local subscribers (mc.bind) */
    for (int p = 0; p < NPUB; p++) {
        frame[0] = frame[SIZE - 1] = (unsigned char)p; /* a new frame each time */
        mc_package *pk = malloc(sizeof *pk);
        assert(pk && (pk->data = malloc(SIZE)));
        memcpy(pk->data, frame, SIZE); /* the one copy: the publisher's message becomes the package */
        pk->size = SIZE;
        atomic_init(&pk->ref, NSUB);
        atomic_fetch_add(&bytes_allocated, SIZE);
        for (int s = 0; s < NSUB; s++) deliver(s, pk, NULL);
    }
    while (atomic_load(&packages_freed) < NPUB) {}
    long mc_bytes = atomic_load(&bytes_allocated);
    /* unicast: what sending the same frame to each subscriber costs */
    atomic_store(&bytes_allocated, 0);
    for (int p = 0; p < NPUB; p++) {
        frame[0] = frame[SIZE - 1] = (unsigned char)p; /* a new frame each time */
        for (int s = 0; s < NSUB; s++) {
            unsigned char *c = malloc(SIZE);
            assert(c);
            memcpy(c, frame, SIZE);
            atomic_fetch_add(&bytes_allocated, SIZE);
            deliver(s, NULL, c);
        }
    }
    for (int i = 0; i < NSUB; i++) pthread_join(th[i], NULL);
    long uc_bytes = atomic_load(&bytes_allocated);
    int same = 1;
    for (int i = 1; i < NSUB; i++) same &= box[i].first_seen == box[0].first_seen;
    printf("%d publishes of %d KiB to %d subscribers\n", NPUB, SIZE / 1024, NSUB);
    printf("multicast: %5ld MiB allocated and copied; every subscriber saw the same pointer: %s; packages freed %ld\n",
           mc_bytes >> 20, same ? "yes" : "no", atomic_load(&packages_freed));
    printf("unicast:   %5ld MiB allocated and copied (one copy per subscriber)\n", uc_bytes >> 20);
    for (int i = 0; i < NSUB; i++) assert(box[i].got == 2 * NPUB && box[i].bad == 0);
    assert(same && atomic_load(&packages_freed) == NPUB && uc_bytes == NSUB * mc_bytes);
    for (int i = 0; i < NSUB; i++) pthread_mutex_destroy(&box[i].m), pthread_cond_destroy(&box[i].cv);
    return 0;
}
