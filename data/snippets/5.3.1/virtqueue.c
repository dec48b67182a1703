// caption: split virtqueue 的 C 模型，布局用 Linux uapi 的 <linux/virtio_ring.h>（vring_init/vring_size）：前端线程把“virtio-net 头 + 数据”两段描述符链放进 available 环，后端线程取走、写 used 环；EVENT_IDX 让后端忙时不需要 kick
// point: virtio与vhost
// timeout: 20
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define QSZ 256
#define NPKTS 200000
static struct vring vr;
static uint8_t hdrs[QSZ][12], data[QSZ][64]; /* 12 bytes: struct virtio_net_hdr_mrg_rxbuf */
static int kick_fd, sleeps;
#define LOAD(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)

static void *device(void *arg) { /* the backend (vhost-net or a vhost-user process) */
    (void)arg;
    uint16_t last_avail = 0;
    for (uint32_t done = 0, seq = 0; done < NPKTS;) {
        int spins = 0;
        while (last_avail == LOAD(vr.avail->idx)) {
            if (++spins < 20000) continue; /* busy-poll a little first, like vhost's busyloop option */
            STORE(vring_avail_event(&vr), last_avail);  /* "kick me once idx passes last_avail" */
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            if (last_avail != LOAD(vr.avail->idx)) break; /* the driver got there first: no sleep */
            struct pollfd pf = {.fd = kick_fd, .events = POLLIN};
            uint64_t v;
            assert(poll(&pf, 1, 5000) == 1 && read(kick_fd, &v, 8) == 8);
            sleeps++;
        }
        uint16_t head = vr.avail->ring[last_avail++ % QSZ];
        struct vring_desc *d = &vr.desc[head], *d2 = &vr.desc[d->next];
        assert((d->flags & VRING_DESC_F_NEXT) && d->len == 12 && !(d2->flags & VRING_DESC_F_NEXT));
        uint32_t got;
        memcpy(&got, (void *)(uintptr_t)d2->addr, 4);
        assert(got == seq++); /* in order, nothing lost or duplicated */
        uint16_t u = vr.used->idx;
        vr.used->ring[u % QSZ] = (struct vring_used_elem){head, d->len + d2->len};
        STORE(vr.used->idx, (uint16_t)(u + 1)); /* publish after the element is written */
        done++;
    }
    return NULL;
}

int main(void) {
    unsigned sz = vring_size(QSZ, 4096);
    void *mem = aligned_alloc(4096, (sz + 4095) & ~4095u);
    memset(mem, 0, sz);
    vring_init(&vr, QSZ, mem, 4096);
    printf("vring of %d: desc +0 (%zu B each), avail +%ld, used +%ld, %u bytes in all\n", QSZ, sizeof(struct vring_desc),
           (char *)vr.avail - (char *)mem, (char *)vr.used - (char *)mem, sz);
    assert((char *)vr.avail - (char *)mem == 16 * QSZ && (char *)vr.used - (char *)mem == 8192 && sz == 8192 + 6 + 8 * QSZ);
    vr.avail->flags = VRING_AVAIL_F_NO_INTERRUPT; /* the driver polls the used ring: no "call" wanted */
    for (int i = 0; i < QSZ / 2; i++) { /* pre-build chains: desc 2i (header) -> desc 2i+1 (packet) */
        vr.desc[2 * i] = (struct vring_desc){(uintptr_t)hdrs[i], 12, VRING_DESC_F_NEXT, 2 * i + 1};
        vr.desc[2 * i + 1] = (struct vring_desc){(uintptr_t)data[i], 64, 0, 0};
    }
    kick_fd = eventfd(0, 0);
    pthread_t t;
    assert(kick_fd >= 0 && pthread_create(&t, NULL, device, NULL) == 0);
    uint16_t free_heads[QSZ / 2], nfree = QSZ / 2, avail = 0, last_used = 0;
    for (int i = 0; i < QSZ / 2; i++) free_heads[i] = 2 * i;
    int kicks = 0;
    for (uint32_t seq = 0; seq < NPKTS; seq++) { /* the driver: virtio-net transmit */
        while (nfree == 0) /* reclaim chains the device has used */
            while (last_used != LOAD(vr.used->idx)) free_heads[nfree++] = vr.used->ring[last_used++ % QSZ].id;
        uint16_t head = free_heads[--nfree];
        memcpy((void *)(uintptr_t)vr.desc[head + 1].addr, &seq, 4);
        vr.avail->ring[avail % QSZ] = head;
        uint16_t old = avail++;
        STORE(vr.avail->idx, avail);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (vring_need_event(LOAD(vring_avail_event(&vr)), avail, old)) { /* EVENT_IDX: kick only if asked */
            uint64_t one = 1;
            assert(write(kick_fd, &one, 8) == 8);
            kicks++;
        }
    }
    assert(pthread_join(t, NULL) == 0);
    printf("%d packets through the ring; driver kicks %d, device went to sleep %d times\n", NPKTS, kicks, sleeps);
    assert(kicks >= sleeps && kicks < NPKTS / 4); /* every sleep was woken; most packets needed no kick */
    close(kick_fd), free(mem);
    return 0;
}
