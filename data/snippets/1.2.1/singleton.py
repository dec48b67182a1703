# caption: 单例的 Python 写法：模块即单例、双重检查加锁的惰性初始化，以及 __new__ 与 lru_cache 两个坑和 fork 后重建
# point: 单例模式
# timeout: 20
"""Singleton, the Pythonic way, with a connection pool as the example.

1. A module is already a singleton: the import system runs its body once per
   process and holds a per-module lock while doing so, so concurrent imports
   from many threads still construct the pool exactly once.
2. Lazy, thread-safe init: double-checked locking around a module global.
3. Pitfalls: a __new__-based singleton re-runs __init__ on every call;
   functools.lru_cache(maxsize=1) does not promise "call once".
4. After fork() the child must not reuse the parent's pool: os.register_at_fork.
"""
import functools
import importlib
import os
import shutil
import sys
import threading
import time

# ---------------------------------------------------------------- 1. module
PKG_DIR = os.path.abspath("singleton_demo_pkg")
shutil.rmtree(PKG_DIR, ignore_errors=True)
os.makedirs(PKG_DIR)
with open(os.path.join(PKG_DIR, "dbpool_mod.py"), "w") as f:
    f.write(
        "import time\n"
        "BUILT = []\n"
        "class ConnectionPool:\n"
        "    def __init__(self, size):\n"
        "        time.sleep(0.05)  # pretend to open TCP connections\n"
        "        self.size = size\n"
        "        BUILT.append(self)\n"
        "pool = ConnectionPool(size=4)\n"
    )
sys.path.insert(0, PKG_DIR)

seen = []
start = threading.Barrier(8)


def importer():
    start.wait()
    seen.append(importlib.import_module("dbpool_mod").pool)


threads = [threading.Thread(target=importer) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
mod = sys.modules["dbpool_mod"]
assert len(mod.BUILT) == 1, "module body ran more than once"
assert all(p is mod.pool for p in seen)
print(f"[module]   8 threads imported dbpool_mod -> {len(mod.BUILT)} pool built, "
      f"{len({id(p) for p in seen})} distinct object")
sys.path.remove(PKG_DIR)
shutil.rmtree(PKG_DIR)


# ------------------------------------------------ 2. lazy double-checked lock
class ConnectionPool:
    built = 0

    def __init__(self, size):
        time.sleep(0.02)  # slow constructor widens any race window
        type(self).built += 1
        self.size = size
        self.pid = os.getpid()


_pool = None
_pool_lock = threading.Lock()


def get_pool():
    global _pool
    pool = _pool                      # fast path: no lock once built
    if pool is None:
        with _pool_lock:
            if _pool is None:         # second check, under the lock
                _pool = ConnectionPool(size=4)
            pool = _pool
    return pool


def _reset_pool_in_child():
    global _pool, _pool_lock
    _pool = None                      # never share sockets with the parent
    _pool_lock = threading.Lock()     # the parent's lock may have been held


os.register_at_fork(after_in_child=_reset_pool_in_child)

got = []
barrier = threading.Barrier(16)


def worker():
    barrier.wait()
    got.append(get_pool())


threads = [threading.Thread(target=worker) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert ConnectionPool.built == 1 and len({id(p) for p in got}) == 1
print(f"[lazy]     16 racing threads -> ConnectionPool built {ConnectionPool.built} time(s)")


# ---------------------------------------------- 3a. __new__ re-runs __init__
class Settings:
    _instance = None

    def __new__(cls, *args, **kwargs):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self, dsn):
        self.dsn = dsn                # runs on EVERY Settings(...) call


a = Settings("mysql://db1")
b = Settings("mysql://db2")
assert a is b and a.dsn == "mysql://db2"
print(f"[__new__]  a is b: {a is b}; a.dsn silently became {a.dsn!r}")

# --------------------------------------- 3b. lru_cache is not "call once"
calls = []
second_call_entered = threading.Event()


@functools.lru_cache(maxsize=1)
def cached_pool():
    calls.append(1)
    if len(calls) == 1:
        # Hold the first construction open until another thread also misses.
        second_call_entered.wait(timeout=2)
    else:
        second_call_entered.set()
    return object()


results = []
t1 = threading.Thread(target=lambda: results.append(cached_pool()))
t1.start()
time.sleep(0.05)
results.append(cached_pool())
t1.join()
gil = getattr(sys, "_is_gil_enabled", lambda: True)()
if gil:
    assert len(calls) == 2 and results[0] is not results[1]
    print(f"[lru_cache] factory ran {len(calls)} times, callers got "
          f"{len({id(r) for r in results})} different objects")
else:
    print(f"[lru_cache] free-threaded build: factory ran {len(calls)} time(s)")

# ------------------------------------------------------ 4. fork -> new pool
parent_pool = get_pool()
if hasattr(os, "fork"):
    pid = os.fork()
    if pid == 0:
        child_pool = get_pool()
        ok = child_pool is not parent_pool and child_pool.pid == os.getpid()
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "child reused the parent's pool"
    print("[fork]     child built its own pool (register_at_fork reset the global)")
assert get_pool() is parent_pool
print("all singleton checks passed")
