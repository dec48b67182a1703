// caption: C 版 ngx_shmtx：fork 出的 4 个进程共享 mmap(MAP_SHARED|MAP_ANONYMOUS)；朴素读改写丢更新，__atomic 的 CAS 重试循环与 fetch_add 精确；锁字存持有者 pid、先自旋后睡在进程间信号量上；持锁进程崩溃后父进程按 pid 强制解锁
// point: 原子操作
// timeout: 30
#define _GNU_SOURCE
#undef NDEBUG
#include <assert.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPROC 4
#define ROUNDS 20000
#define SPIN 2048                       /* nginx: mtx->spin defaults to 2048 */

struct shared {                         /* each hot word on its own 128-byte line, as nginx lays them out */
    _Alignas(128) volatile long racy;
    _Alignas(128) long cas_cnt;
    _Alignas(128) long xadd_cnt;
    _Alignas(128) long lock;            /* 0 = free, else the holder's pid */
    _Alignas(128) long wait;            /* processes sleeping (or about to) on sem */
    _Alignas(128) long guarded;
    _Alignas(128) sem_t sem;            /* sem_init(pshared = 1): lives in the shared mapping */
    long cas_retries[NPROC], sleeps[NPROC];
};
static struct shared *sh;

#if defined(__x86_64__) || defined(__i386__)
#define cpu_pause() __builtin_ia32_pause()     /* ngx_cpu_pause(): the x86 'pause' instruction */
#else
#define cpu_pause() ((void)0)
#endif

static int cmp_set(long *p, long old, long set) {   /* ngx_atomic_cmp_set: lock cmpxchg */
    return __atomic_compare_exchange_n(p, &old, set, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static long fetch_add_cas(long *p, long add, long *retries) {   /* fetch_add built from CAS */
    for (;;) {
        long old = __atomic_load_n(p, __ATOMIC_RELAXED);
        if (cmp_set(p, old, old + add)) return old;
        ++*retries;
    }
}

static int trylock(long pid) { return __atomic_load_n(&sh->lock, __ATOMIC_RELAXED) == 0 && cmp_set(&sh->lock, 0, pid); }

static void shmtx_lock(long pid, long *sleeps) {    /* the steps of ngx_shmtx_lock() */
    for (;;) {
        if (trylock(pid)) return;
        for (int n = 1; n < SPIN; n <<= 1) {        /* exponential back-off spin */
            for (int i = 0; i < n; i++) cpu_pause();
            if (trylock(pid)) return;
        }
        __atomic_fetch_add(&sh->wait, 1, __ATOMIC_ACQ_REL);   /* announce before sleeping */
        if (trylock(pid)) { __atomic_fetch_sub(&sh->wait, 1, __ATOMIC_ACQ_REL); return; }
        while (sem_wait(&sh->sem) == -1) {}                  /* off the CPU until a post */
        ++*sleeps;
    }
}

static void wakeup(void) {                          /* ngx_shmtx_wakeup(): post once if anyone waits */
    for (;;) {
        long w = __atomic_load_n(&sh->wait, __ATOMIC_ACQUIRE);
        if (w <= 0) return;
        if (cmp_set(&sh->wait, w, w - 1)) break;
    }
    sem_post(&sh->sem);
}

static void shmtx_unlock(long pid) { if (cmp_set(&sh->lock, pid, 0)) wakeup(); }
static int force_unlock(long pid) { if (cmp_set(&sh->lock, pid, 0)) { wakeup(); return 1; } return 0; }

static void worker(int slot) {
    long pid = getpid();
    for (int i = 0; i < ROUNDS; i++) {
        long v = sh->racy;                          /* read ... */
        if (i % 16 == 0) sched_yield();             /* ... someone else may run here ... */
        sh->racy = v + 1;                           /* ... write back: their updates are lost */
        fetch_add_cas(&sh->cas_cnt, 1, &sh->cas_retries[slot]);
        __atomic_fetch_add(&sh->xadd_cnt, 1, __ATOMIC_RELAXED);   /* lock xadd */
        shmtx_lock(pid, &sh->sleeps[slot]);
        v = sh->guarded;
        if (i % 64 == 0) sched_yield();             /* the same gap, but nobody else can enter */
        sh->guarded = v + 1;
        shmtx_unlock(pid);
    }
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);               /* nothing buffered is duplicated by fork */
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert(sh != MAP_FAILED);                       /* zero-filled, inherited by every fork */
    assert(sem_init(&sh->sem, 1, 0) == 0);
    pid_t pids[NPROC];
    for (int s = 0; s < NPROC; s++)
        if ((pids[s] = fork()) == 0) { worker(s); _exit(0); }
    for (int s = 0; s < NPROC; s++) {
        int st;
        assert(waitpid(pids[s], &st, 0) == pids[s] && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    long total = (long)NPROC * ROUNDS, retries = 0, sleeps = 0;
    for (int s = 0; s < NPROC; s++) retries += sh->cas_retries[s], sleeps += sh->sleeps[s];
    printf("%d processes x %d increments = %ld expected\n", NPROC, ROUNDS, total);
    printf("  plain read-modify-write: %ld (lost %ld)\n", sh->racy, total - sh->racy);
    printf("  CAS retry loop:          %ld (%ld retries)\n", sh->cas_cnt, retries);
    printf("  __atomic_fetch_add:      %ld\n", sh->xadd_cnt);
    printf("  shmtx lock:              %ld (%ld sleeps on the semaphore)\n", sh->guarded, sleeps);
    assert(sh->racy < total);                       /* updates were lost */
    assert(sh->cas_cnt == total && sh->xadd_cnt == total && sh->guarded == total);
    assert(sh->lock == 0 && sh->wait == 0);

    /* a worker takes the lock and dies: nobody else could ever get it, until the master steps in */
    pid_t dead = fork();
    if (dead == 0) { long s = 0; shmtx_lock(getpid(), &s); _exit(1); }   /* crash while holding */
    int st;
    waitpid(dead, &st, 0);
    assert(sh->lock == dead && !trylock(getpid()));
    assert(!force_unlock(dead + 1) && force_unlock(dead));   /* only the dead holder's pid matches */
    assert(trylock(getpid()));
    shmtx_unlock(getpid());
    printf("holder %d died with the lock; the master forced it free by its pid, lock usable again\n", (int)dead);
    sem_destroy(&sh->sem);
    munmap(sh, sizeof *sh);
    return 0;
}
