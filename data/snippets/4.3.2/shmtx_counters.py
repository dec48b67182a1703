# caption: 共享内存计数器：不加锁的读-改-写会丢更新；CAS 重试循环实现 fetch_add；仿 ngx_shmtx.c 的锁（锁字里存持有者 pid，先自旋再在 POSIX 信号量上睡眠），持锁进程崩溃后 master 按 pid 强制解锁
# point: 原子操作
# timeout: 30
import mmap
import multiprocessing
import os
import struct
import sys

NPROC = 4
ROUNDS = 1500
SPIN = 64                   # nginx: mtx->spin = 2048 rounds of ngx_cpu_pause()

# every variable on its own 128-byte line, as ngx_event_module_init() lays out
RACY, CAS_CNT, LOCK, WAIT, GUARDED = 0, 128, 256, 384, 512
STATS = 1024                # per worker: cas_retries, sem_sleeps

shm = None
BUS = None                  # stands in for the CPU's "lock" prefix
SEM = None                  # the POSIX semaphore of ngx_shmtx_t (sem_init(pshared=1))


def load(off):
    return struct.unpack_from("q", shm, off)[0]


def store(off, value):
    struct.pack_into("q", shm, off, value)


def cmp_set(off, old, new):
    """ngx_atomic_cmp_set(): one `lock cmpxchg` on x86; Python has no CPU atomics, so a lock models it."""
    with BUS:
        if load(off) == old:
            store(off, new)
            return True
        return False


def fetch_add(off, add):
    """ngx_atomic_fetch_add() (`lock xadd` on x86) written as a CAS retry loop; returns (old, retries)."""
    retries = 0
    while True:
        old = load(off)
        if cmp_set(off, old, old + add):
            return old, retries
        retries += 1


def trylock(pid):
    return load(LOCK) == 0 and cmp_set(LOCK, 0, pid)


def shmtx_lock(pid):
    """Same steps as ngx_shmtx_lock(): try, spin with back-off, then sleep on the semaphore."""
    sleeps = 0
    while True:
        if trylock(pid):
            return sleeps
        n = 1
        while n < SPIN:
            for _ in range(n):
                pass                            # ngx_cpu_pause()
            if trylock(pid):
                return sleeps
            n <<= 1
        fetch_add(WAIT, 1)
        if trylock(pid):
            fetch_add(WAIT, -1)
            return sleeps
        SEM.acquire()                           # sem_wait(): off the CPU until a post
        sleeps += 1


def wakeup():
    while True:
        wait = load(WAIT)
        if wait <= 0:
            return
        if cmp_set(WAIT, wait, wait - 1):
            break
    SEM.release()                               # sem_post()


def shmtx_unlock(pid):
    if cmp_set(LOCK, pid, 0):
        wakeup()


def force_unlock(pid):
    """ngx_shmtx_force_unlock(): the master frees a lock whose holder died."""
    if cmp_set(LOCK, pid, 0):
        wakeup()
        return True
    return False


def fork_run(fn):
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = fn()
        finally:
            os._exit(code)
    return pid


def reap(pid):
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def worker(slot):
    pid = os.getpid()
    retries = sleeps = 0
    for i in range(ROUNDS):
        v = load(RACY)                  # read ...
        if i % 4 == 0:
            os.sched_yield()            # ... let someone else run ...
        store(RACY, v + 1)              # ... write back: updates in between are lost

        _, r = fetch_add(CAS_CNT, 1)
        retries += r

        sleeps += shmtx_lock(pid)
        v = load(GUARDED)
        if i % 4 == 0:
            os.sched_yield()            # same gap, but nobody can enter now
        store(GUARDED, v + 1)
        shmtx_unlock(pid)
    struct.pack_into("qq", shm, STATS + 16 * slot, retries, sleeps)
    return 0


def main():
    global shm, BUS, SEM
    if not sys.platform.startswith("linux"):
        print("this demo needs Linux (fork)")
        return
    shm = mmap.mmap(-1, 4096)           # MAP_SHARED|MAP_ANONYMOUS, inherited by fork
    BUS = multiprocessing.Lock()
    SEM = multiprocessing.Semaphore(0)

    pids = [fork_run(lambda s=s: worker(s)) for s in range(NPROC)]
    assert all(reap(p) == 0 for p in pids)

    total = NPROC * ROUNDS
    stats = [struct.unpack_from("qq", shm, STATS + 16 * s) for s in range(NPROC)]
    print(f"{NPROC} processes x {ROUNDS} increments = {total} expected")
    print(f"plain load/store  : {load(RACY):5d}  (lost updates: {total - load(RACY)}, varies)")
    print(f"CAS retry loop    : {load(CAS_CNT):5d}  (CAS failures retried: "
          f"{sum(s[0] for s in stats)}, varies)")
    print(f"ngx_shmtx-style   : {load(GUARDED):5d}  (times a waiter slept on the semaphore: "
          f"{sum(s[1] for s in stats)}, varies)")
    assert load(RACY) <= total
    assert load(CAS_CNT) == total
    assert load(GUARDED) == total
    assert load(LOCK) == 0

    # A worker dies while holding the lock: the lock word still names it.
    dead = fork_run(lambda: (shmtx_lock(os.getpid()), 0)[1])   # exits without unlock
    assert reap(dead) == 0
    print(f"\nworker {dead} exited holding the lock; lock word = {load(LOCK)}")
    assert load(LOCK) == dead
    blocked = fork_run(lambda: 0 if not trylock(os.getpid()) else 1)
    assert reap(blocked) == 0, "the lock must still look taken"
    print("another worker's trylock fails: nobody will ever unlock it")
    assert force_unlock(dead), "master: ngx_unlock_mutexes() after SIGCHLD"
    print(f"master reaps it and calls force_unlock({dead}); lock word = {load(LOCK)}")
    assert trylock(os.getpid())
    shmtx_unlock(os.getpid())
    assert not force_unlock(dead), "force_unlock only frees a lock that pid still holds"
    print("OK")


if __name__ == "__main__":
    main()
