# caption: SET NX PX 加锁 + Lua 脚本（EVALSHA）按 token 解锁：锁过期后旧持有者不会误删别人的锁
# point: 分布式锁的实现
# timeout: 30
# needs: redis
import hashlib
import threading
import time
import uuid
import os
import socket

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))


class RespError(str):
    """Error reply, returned as a value (it can appear inside an EXEC array)."""


class Redis:
    """Minimal RESP2 client on a raw socket: arrays of bulk strings out, any reply in."""

    def __init__(self, port=PORT):
        self.sock = socket.create_connection((HOST, port), timeout=5)
        self.f = self.sock.makefile("rb")

    def _read(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return RespError(body.decode())
        if kind == b":":
            return int(body)
        if kind == b"$":
            n = int(body)
            if n == -1:
                return None
            data = self.f.read(n + 2)
            return data[:-2].decode()
        if kind == b"*":
            n = int(body)
            return None if n == -1 else [self._read() for _ in range(n)]
        raise ValueError(line)

    def send(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(parts))

    def __call__(self, *args):
        self.send(*args)
        return self._read()


P = "dist_lock:"
LOCK = P + "lock:order42"
RELEASE = ("if redis.call('get',KEYS[1])==ARGV[1] then "
           "return redis.call('del',KEYS[1]) else return 0 end")
EXTEND = ("if redis.call('get',KEYS[1])==ARGV[1] then "
          "return redis.call('pexpire',KEYS[1],ARGV[2]) else return 0 end")


class Lock:
    def __init__(self, conn, key, ttl_ms):
        self.r, self.key, self.ttl = conn, key, ttl_ms
        self.token = uuid.uuid4().hex              # unique per holder
        self.sha = conn("SCRIPT", "LOAD", RELEASE)

    def acquire(self):
        return self.r("SET", self.key, self.token, "NX", "PX", self.ttl) == "OK"

    def release(self):
        res = self.r("EVALSHA", self.sha, 1, self.key, self.token)
        if isinstance(res, RespError) and res.startswith("NOSCRIPT"):   # cache flushed
            res = self.r("EVAL", RELEASE, 1, self.key, self.token)
        return res == 1


r = Redis()
r("DEL", LOCK, P + "counter")
sha = r("SCRIPT", "LOAD", RELEASE)
assert sha == hashlib.sha1(RELEASE.encode()).hexdigest()      # EVALSHA key = SHA1 of body
print("script sha1:", sha[:12] + "...")
assert r("EVALSHA", "0" * 40, 0).startswith("NOSCRIPT")        # unknown sha -> NOSCRIPT

# 1. mutual exclusion and the TTL
a, b = Lock(Redis(), LOCK, 200), Lock(Redis(), LOCK, 5000)
assert a.acquire() and not b.acquire()
print("A holds the lock (PX 200); B's SET NX -> null")

# 2. A stalls (GC pause, slow I/O...) longer than its TTL; the lock expires, B gets it
for _ in range(100):
    if r("EXISTS", LOCK) == 0:
        break
    time.sleep(0.02)
assert r("EXISTS", LOCK) == 0
assert b.acquire()
print("A's lock expired after ~200 ms; B acquired it")

# 3. A wakes up and releases: the token check protects B
assert a.release() is False
assert r("GET", LOCK) == b.token
print("A's Lua release -> 0, B's lock untouched")

# 4. what a naive release (plain DEL) would have done
assert a.r("DEL", LOCK) == 1
assert r("EXISTS", LOCK) == 0 and b.release() is False
print("naive DEL by A deletes B's lock: B is no longer protected (the bug)")

# 5. a holder can extend only its own lock (a 'watchdog' renewal)
assert b.acquire()
assert r("EVAL", EXTEND, 1, LOCK, a.token, 10000) == 0
assert r("EVAL", EXTEND, 1, LOCK, b.token, 10000) == 1 and r("PTTL", LOCK) > 5000
assert b.release() and r("EXISTS", LOCK) == 0
print("extend with wrong token -> 0, with own token -> 1; B released")

# 6. the lock serialises a non-atomic read-modify-write across 5 threads
r("SET", P + "counter", 0)
acquired = [0] * 5


def worker(i):
    conn = Redis()
    for _ in range(20):
        lock = Lock(conn, LOCK, 2000)
        for _attempt in range(2000):
            if lock.acquire():
                break
            time.sleep(0.001)
        else:
            raise RuntimeError("could not get the lock")
        v = int(conn("GET", P + "counter"))        # GET ... SET is not atomic by itself
        conn("SET", P + "counter", v + 1)
        assert lock.release()
        acquired[i] += 1


threads = [threading.Thread(target=worker, args=(i,)) for i in range(5)]
for t in threads:
    t.start()
for t in threads:
    t.join(25)
assert sum(acquired) == 100 and r("GET", P + "counter") == "100"
print("5 threads x 20 locked increments -> counter = 100 (no lost update)")
r("DEL", LOCK, P + "counter")
