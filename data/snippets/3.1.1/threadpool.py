# caption: 手写可伸缩线程池：任务队列 + 条件变量 + Future 回调，负载高时扩到上限，空闲超时缩回下限，最后优雅关闭
# point: 线程池的动态伸缩
# timeout: 20
import collections
import threading
import time


class QueueFull(Exception):
    pass


class Future:
    """Minimal future: result()/exception() block on a condition variable,
    add_done_callback() runs the callback once the task has finished."""

    def __init__(self):
        self._cond = threading.Condition()
        self._done = False
        self._result = self._exc = None
        self._callbacks = []

    def _finish(self, result=None, exc=None):
        with self._cond:
            self._result, self._exc, self._done = result, exc, True
            callbacks, self._callbacks = self._callbacks, []
            self._cond.notify_all()
        for cb in callbacks:          # run outside the lock: a callback may block or submit
            cb(self)

    def add_done_callback(self, cb):
        with self._cond:
            if not self._done:
                self._callbacks.append(cb)
                return
        cb(self)                      # already finished: run in the caller's thread

    def result(self, timeout=None):
        with self._cond:
            if not self._cond.wait_for(lambda: self._done, timeout):
                raise TimeoutError("task not finished")
            if self._exc is not None:
                raise self._exc
            return self._result

    def exception(self, timeout=None):
        with self._cond:
            self._cond.wait_for(lambda: self._done, timeout)
            return self._exc


class ThreadPool:
    """Task queue (deque) + one mutex + one condition variable.

    Growth: a task that finds no idle (or just-started) worker to take it
            spawns a new worker, up to max_workers.
    Shrink: a worker idle for keepalive seconds exits while workers > min_workers.
    Backpressure: submit() raises QueueFull when max_queue tasks are waiting.
    """

    def __init__(self, min_workers=2, max_workers=6, keepalive=0.2, max_queue=100):
        assert 0 < min_workers <= max_workers
        self.min, self.max = min_workers, max_workers
        self.keepalive, self.max_queue = keepalive, max_queue
        self.lock = threading.Lock()
        self.cond = threading.Condition(self.lock)   # "queue not empty or shutting down"
        self.queue = collections.deque()
        self.threads = set()
        self.idle = 0             # workers blocked in cond.wait()
        self.starting = 0         # spawned, not yet in the loop
        self.shutdown_flag = False
        self.events = []          # (what, worker_count) log, guarded by lock
        self.peak = 0
        with self.lock:
            for _ in range(min_workers):
                self._spawn_locked()

    # ---- called with self.lock held
    def _spawn_locked(self):
        t = threading.Thread(target=self._worker, daemon=True)
        self.threads.add(t)
        self.starting += 1
        self.peak = max(self.peak, len(self.threads))
        self.events.append(("spawn", len(self.threads)))
        t.start()

    def submit(self, fn, *args, callback=None):
        fut = Future()
        if callback is not None:
            fut.add_done_callback(callback)
        with self.lock:
            if self.shutdown_flag:
                raise RuntimeError("pool is shut down")
            if len(self.queue) >= self.max_queue:
                raise QueueFull(f"{len(self.queue)} tasks waiting")
            self.queue.append((fn, args, fut))
            # every queued task needs a worker that will pick it up
            if len(self.queue) > self.idle + self.starting and len(self.threads) < self.max:
                self._spawn_locked()
            self.cond.notify()
        return fut

    def _worker(self):
        me = threading.current_thread()
        with self.lock:
            self.starting -= 1
        while True:
            with self.lock:
                deadline = time.monotonic() + self.keepalive
                while not self.queue:
                    if self.shutdown_flag:
                        self._exit_locked(me, "exit(shutdown)")
                        return
                    left = deadline - time.monotonic()
                    if left <= 0:
                        if len(self.threads) > self.min:
                            self._exit_locked(me, "exit(idle)")
                            return
                        deadline = time.monotonic() + self.keepalive   # core worker stays
                        continue
                    self.idle += 1
                    self.cond.wait(left)            # state is re-checked after every wake-up
                    self.idle -= 1
                fn, args, fut = self.queue.popleft()
            try:                                      # run the task without the lock
                fut._finish(result=fn(*args))
            except BaseException as e:                # noqa: BLE001 - hand it to the future
                fut._finish(exc=e)

    def _exit_locked(self, me, why):
        self.threads.discard(me)
        self.events.append((why, len(self.threads)))
        self.cond.notify_all()        # wake shutdown() which waits for threads to drain

    def worker_count(self):
        with self.lock:
            return len(self.threads)

    def shutdown(self, timeout=5.0):
        """Stop accepting work, let queued tasks finish, wait for all workers."""
        with self.lock:
            self.shutdown_flag = True
            self.cond.notify_all()
            ok = self.cond.wait_for(lambda: not self.threads, timeout)
        assert ok, "workers did not exit"


def main():
    baseline = threading.active_count()
    pool = ThreadPool(min_workers=2, max_workers=6, keepalive=0.2, max_queue=8)
    assert pool.worker_count() == 2
    print("start: 2 workers (min=2, max=6, keepalive=0.2s, max_queue=8)")

    # 1. futures, exceptions, callbacks
    cb_threads = []
    f1 = pool.submit(lambda a, b: a * b, 6, 7,
                     callback=lambda f: cb_threads.append(threading.current_thread().name))
    f2 = pool.submit(lambda: 1 / 0)
    assert f1.result(timeout=2) == 42
    assert isinstance(f2.exception(timeout=2), ZeroDivisionError)
    deadline = time.monotonic() + 2
    while not cb_threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert cb_threads and cb_threads[0] != "MainThread"
    print(f"future: 6*7 = {f1.result()}, 1/0 -> {type(f2.exception()).__name__}, "
          f"callback ran on a worker thread")

    # every worker goes back to waiting before the load test, so the counts below are exact. Usually that is
    # the 2 minimum workers; on a loaded machine the bursts above may already have grown the pool to 3.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with pool.lock:
            if pool.idle == len(pool.threads) and not pool.starting:
                break
        time.sleep(0.01)
    with pool.lock:
        assert pool.idle == len(pool.threads), "workers did not go idle"
        w0 = len(pool.threads)

    # 2. grow under load: 10 tasks that block on a gate
    gate, started = threading.Event(), threading.Semaphore(0)

    def blocked(i):
        started.release()
        gate.wait(5)
        return i * i

    futs, counts = [], []
    for i in range(6):                          # each new blocking task needs a new worker
        futs.append(pool.submit(blocked, i))
        assert started.acquire(timeout=2)
        counts.append(pool.worker_count())
    # the first w0 tasks take idle workers; each one after that must start a new worker
    assert counts == [max(w0, i + 1) for i in range(6)], counts
    futs += [pool.submit(blocked, i) for i in range(6, 10)]
    assert not started.acquire(timeout=0.1)     # the 7th is not running: no free worker
    assert pool.worker_count() == 6 and pool.peak == 6
    with pool.lock:
        queued = len(pool.queue)
    assert queued == 4
    print(f"load: worker count after each of 6 blocking tasks {counts}")
    print(f"      4 more tasks -> still {pool.worker_count()} workers (cap), {queued} queued")

    futs += [pool.submit(blocked, i) for i in range(10, 14)]   # fills the queue to 8
    try:
        pool.submit(blocked, 99)
        raise AssertionError("expected QueueFull")
    except QueueFull as e:
        print(f"backpressure: 15th task rejected ({e})")

    # main-thread completion queue, the way nginx hands results back to its event loop
    done_q = collections.deque()
    for f in futs:
        f.add_done_callback(done_q.append)
    with pool.lock:
        mark = len(pool.events)
    gate.set()
    assert [f.result(timeout=3) for f in futs] == [i * i for i in range(14)]
    drained, deadline = [], time.monotonic() + 2
    while len(drained) < 14 and time.monotonic() < deadline:
        if done_q:                              # the main thread consumes the completions
            drained.append(done_q.popleft().result())
        else:                                   # callbacks run just after result() is ready
            time.sleep(0.005)
    assert sorted(drained) == [i * i for i in range(14)]
    print("release gate: 14 results correct, 14 completions drained by the main thread")

    # 3. shrink when idle: extra workers exit after keepalive, never below min
    deadline = time.monotonic() + 3
    while pool.worker_count() > 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.worker_count() == 2
    time.sleep(0.5)                             # stays at min, core workers don't exit
    assert pool.worker_count() == 2
    with pool.lock:
        exits = [n for what, n in pool.events[mark:] if what == "exit(idle)"]
    assert len(exits) == 4 and min(exits) == 2
    print(f"idle: {len(exits)} workers exited after keepalive, counts {exits}, stays at min=2")

    # 4. small throughput experiment (I/O-like tasks); printed, not asserted
    for workers in (1, 8):
        p = ThreadPool(min_workers=workers, max_workers=workers, keepalive=1, max_queue=100)
        t0 = time.perf_counter()
        fs = [p.submit(time.sleep, 0.02) for _ in range(16)]
        for f in fs:
            f.result(timeout=5)
        print(f"16 x sleep(20ms) on {workers} worker(s): {1000 * (time.perf_counter() - t0):.0f} ms")
        p.shutdown()

    # 5. shutdown drains the queue and joins all workers
    slow = [pool.submit(time.sleep, 0.01) for _ in range(5)]
    pool.shutdown()
    assert all(f.exception(timeout=0) is None for f in slow)
    try:
        pool.submit(print, "late")
        raise AssertionError("expected RuntimeError")
    except RuntimeError:
        pass
    time.sleep(0.05)
    assert pool.worker_count() == 0 and threading.active_count() == baseline
    print("shutdown: queued tasks finished, 0 workers, submit() refused")
    print("all checks passed")


if __name__ == "__main__":
    main()
