# caption: 手写 Redis 连接池（手写 RESP）：最大连接数与借用超时、归还时重置事务和库号、服务端断开（CLIENT KILL）后自动重连、空闲连接回收，逐项用服务端 CLIENT LIST 核对
# point: 连接请求归还策略
# needs: redis
# timeout: 30
import collections
import os
import socket
import threading
import time

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))
TAG = f"connpool-{os.getpid()}"            # CLIENT SETNAME tag, unique per run
PREFIX = f"connpool:{os.getpid()}:"        # keys, deleted at the end


class RedisError(Exception):
    pass


class PoolTimeout(Exception):
    pass


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """One TCP connection speaking RESP2, with the state a pool has to reset."""

    def __init__(self, name):
        self.sock = socket.create_connection((HOST, PORT), timeout=2)
        self.rf = self.sock.makefile("rb")
        self.broken = False
        self.db, self.in_multi = 0, False
        self.call("CLIENT", "SETNAME", name)
        self.id = self.call("CLIENT", "ID")
        self.last_used = time.monotonic()

    def _read(self):
        line = self.rf.readline()
        if not line:
            raise ConnectionError("server closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.rf.read(n + 2)
            if len(data) < n + 2:
                raise ConnectionError("short read")
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ConnectionError(f"protocol error: {line!r}")

    def call(self, *args):
        try:
            self.sock.sendall(encode(*args))
            reply = self._read()
        except (OSError, ConnectionError) as e:
            self.broken = True
            raise ConnectionError(str(e)) from None
        cmd = str(args[0]).upper()
        if isinstance(reply, RedisError):
            raise reply
        if cmd == "MULTI":
            self.in_multi = True
        elif cmd in ("EXEC", "DISCARD"):
            self.in_multi = False
        elif cmd == "SELECT" and not self.in_multi:
            self.db = int(args[1])
        elif cmd == "QUIT":
            self.broken = True                     # server closes after replying
        return reply

    def peer_closed(self):
        """Cheap liveness check without a round trip: has the server sent FIN/RST?"""
        try:
            self.sock.setblocking(False)
            data = self.sock.recv(1, socket.MSG_PEEK)
            return data == b""                     # EOF: closed by the server
        except BlockingIOError:
            return False                           # nothing to read: still open
        except OSError:
            return True
        finally:
            self.sock.settimeout(2)

    def close(self):
        try:
            self.rf.close()
            self.sock.close()
        except OSError:
            pass


class Pool:
    def __init__(self, max_size=3, min_idle=1, borrow_timeout=0.3, idle_timeout=0.4,
                 validate_after=0.2, reap_interval=0.05):
        self.max_size, self.min_idle = max_size, min_idle
        self.borrow_timeout, self.idle_timeout = borrow_timeout, idle_timeout
        self.validate_after = validate_after       # PING connections idle longer than this
        self.cond = threading.Condition()
        self.idle = collections.deque()            # LIFO: hot connections stay hot
        self.total = 0                             # open connections (idle + borrowed)
        self.stats = collections.Counter()
        self.peak = 0
        self.closed = False
        for _ in range(min_idle):
            self.idle.append(self._new())
        self.reaper = threading.Thread(target=self._reap, args=(reap_interval,), daemon=True)
        self.reaper.start()

    def _count(self, what):
        with self.cond:                            # Counter += is not atomic across threads
            self.stats[what] += 1

    def _new(self):
        c = Conn(TAG)                              # TCP handshake + SETNAME round trip
        with self.cond:
            self.total += 1
            self.peak = max(self.peak, self.total)
            self.stats["created"] += 1
        return c

    def _discard(self, c, why):
        c.close()
        with self.cond:
            self.total -= 1
            self.stats[why] += 1
            self.cond.notify()

    def borrow(self, timeout=None):
        deadline = time.monotonic() + (self.borrow_timeout if timeout is None else timeout)
        while True:
            with self.cond:
                c = self.idle.pop() if self.idle else None
                if c is None:
                    if self.total < self.max_size:
                        self.total += 1            # reserve the slot, connect outside the lock
                        reserve = True
                    else:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            self.stats["borrow_timeout"] += 1
                            raise PoolTimeout(f"no connection within the borrow timeout "
                                              f"({self.total}/{self.max_size} in use)")
                        self.cond.wait(left)
                        continue
            if c is None:
                try:
                    c = Conn(TAG)
                except OSError:
                    with self.cond:
                        self.total -= 1
                        self.cond.notify()
                    raise
                with self.cond:
                    self.peak = max(self.peak, self.total)
                    self.stats["created"] += 1
                return c
            # validate an idle connection before handing it out
            if c.peer_closed():
                self._discard(c, "dead_on_borrow")
                continue
            if time.monotonic() - c.last_used > self.validate_after:
                try:
                    c.call("PING")
                except (ConnectionError, RedisError):
                    self._discard(c, "dead_on_borrow")
                    continue
            return c

    def release(self, c):
        """Return policy: broken -> close; dirty -> reset (DISCARD, SELECT 0); then idle."""
        if not c.broken:
            try:
                if c.in_multi:
                    c.call("DISCARD")
                    self._count("reset_multi")
                if c.db != 0:
                    c.call("SELECT", 0)
                    self._count("reset_db")
            except (ConnectionError, RedisError):
                c.broken = True
        if c.broken or self.closed:
            return self._discard(c, "closed_on_return")
        c.last_used = time.monotonic()
        with self.cond:
            self.idle.append(c)
            self.cond.notify()

    def execute(self, *args):
        """Borrow, run, return. One retry on a fresh connection if the old one died
        (only safe for idempotent commands or when the command surely was not executed)."""
        for attempt in (1, 2):
            c = self.borrow()
            try:
                return c.call(*args)
            except ConnectionError:
                self._count("retried")
                if attempt == 2:
                    raise
            finally:
                self.release(c)

    def _reap(self, interval):
        """Idle eviction: close connections idle longer than idle_timeout, keep min_idle."""
        while not self.closed:
            time.sleep(interval)
            victims = []
            with self.cond:
                now = time.monotonic()
                # oldest idle connections sit at the left end of the deque
                while (len(self.idle) > self.min_idle
                       and now - self.idle[0].last_used > self.idle_timeout):
                    victims.append(self.idle.popleft())
            for c in victims:
                self._discard(c, "evicted_idle")

    def close(self):
        self.closed = True
        self.reaper.join(2)
        with self.cond:
            conns, self.idle = list(self.idle), collections.deque()
        for c in conns:
            self._discard(c, "closed_on_shutdown")


def server_view(admin):
    """Our connections as the server sees them: {id: {field: value}}."""
    out = {}
    for line in admin.call("CLIENT", "LIST").decode().splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split(" ") if "=" in kv)
        if fields.get("name") == TAG:
            out[int(fields["id"])] = fields
    return out


def wait_for(pred, timeout=2.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


def main():
    admin = Conn(TAG + "-admin")
    pool = Pool(max_size=3, min_idle=1, borrow_timeout=0.3, idle_timeout=0.4)
    key = PREFIX + "counter"
    pool.execute("DEL", key, PREFIX + "tx")
    print(f"pool: max_size=3 min_idle=1 borrow_timeout=0.3s idle_timeout=0.4s; "
          f"server sees {len(server_view(admin))} connection(s)")

    # 1. max size and borrow timeout
    held = [pool.borrow() for _ in range(3)]
    assert pool.total == 3 and len(server_view(admin)) == 3
    t0 = time.monotonic()
    try:
        pool.borrow()
        raise AssertionError("expected PoolTimeout")
    except PoolTimeout as e:
        waited = time.monotonic() - t0
        assert waited >= 0.25, waited
        print(f"max_size: 3 borrowed, 4th borrow gave up after {waited:.2f}s ({e})")
    got = []
    waiter = threading.Thread(target=lambda: got.append(pool.borrow(timeout=3)))
    waiter.start()
    time.sleep(0.1)
    released = held.pop()
    pool.release(released)                      # hand-off to the waiting thread
    waiter.join(3)
    assert got and got[0].id == released.id and pool.total == 3
    print(f"a waiting borrower got connection id={got[0].id} as soon as one was returned")
    for c in held + got:
        pool.release(c)
    assert pool.total == 3 and len(pool.idle) == 3

    # 2. return policy: a connection left in db 1 inside MULTI comes back clean
    c = pool.borrow()
    dirty_id = c.id
    c.call("SELECT", 1)
    c.call("MULTI")
    assert c.call("SET", PREFIX + "tx", "never") == "QUEUED"
    view = server_view(admin)[dirty_id]
    assert view["db"] == "1" and view["multi"] == "1"
    pool.release(c)                             # pool sends DISCARD and SELECT 0
    view = server_view(admin)[dirty_id]
    assert view["db"] == "0" and view["multi"] == "-1"
    c = pool.borrow()
    assert c.id == dirty_id and c.call("GET", PREFIX + "tx") is None   # LIFO: same connection
    pool.release(c)
    print(f"return policy: conn {dirty_id} returned with db=1 and an open MULTI -> "
          f"server now shows db=0 multi=-1, queued SET discarded")

    # 3a. the server closes an idle connection -> detected on borrow, replaced transparently
    victim = pool.idle[-1].id                   # the next one borrow() will pick
    assert admin.call("CLIENT", "KILL", "ID", victim) == 1
    assert wait_for(lambda: victim not in server_view(admin))
    assert pool.execute("INCR", key) == 1
    assert pool.stats["dead_on_borrow"] == 1 and victim not in server_view(admin)
    print(f"reconnect: CLIENT KILL id={victim} while idle -> borrow saw EOF, "
          f"discarded it, INCR ran on a new connection")

    # 3b. killed while borrowed: the command fails, execute() retries on a fresh connection
    c = pool.borrow()
    assert admin.call("CLIENT", "KILL", "ID", c.id) == 1
    assert wait_for(lambda: c.id not in server_view(admin))
    try:
        c.call("PING")
        raise AssertionError("expected ConnectionError")
    except ConnectionError:
        pass
    pool.release(c)                             # broken -> closed, not pooled
    assert pool.stats["closed_on_return"] == 1
    c = pool.borrow()
    c.call("QUIT")                              # client-initiated close, also not pooled
    pool.release(c)
    assert pool.stats["closed_on_return"] == 2
    assert pool.execute("INCR", key) == 2
    print("reconnect: connection killed while in use -> ConnectionError, closed on return; "
          "QUIT'ed connection not pooled either")

    # 4. concurrency: 8 threads x 50 INCR through at most 3 connections
    errors = []
    pool.borrow_timeout = 5.0                   # generous here: slow CI machines must not flake
    timeouts_before = pool.stats["borrow_timeout"]

    def worker():
        try:
            for _ in range(50):
                pool.execute("INCR", key)
        except Exception as e:                  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert int(pool.execute("GET", key)) == 402
    assert pool.peak <= 3 and len(server_view(admin)) <= 3
    print(f"8 threads x 50 INCR -> counter 402 (2 + 400), peak {pool.peak} connections, "
          f"{pool.stats['borrow_timeout'] - timeouts_before} borrow timeouts")

    # 5. idle eviction down to min_idle
    cs = [pool.borrow() for _ in range(3)]      # make sure 3 connections are open
    for c in cs:
        pool.release(c)
    assert pool.total == 3
    assert wait_for(lambda: pool.total == 1 and len(server_view(admin)) == 1, 3)
    print(f"idle eviction: after 0.4s idle the reaper closed {pool.stats['evicted_idle']} "
          f"connection(s); server now sees {len(server_view(admin))} (min_idle=1)")

    # 6. what the pool saves: connect per request vs pooled (printed, not asserted)
    n = 200
    t0 = time.monotonic()
    for _ in range(n):
        s = socket.create_connection((HOST, PORT), timeout=2)
        s.sendall(encode("PING"))
        assert s.recv(64) == b"+PONG\r\n"
        s.close()
    t1 = time.monotonic()
    for _ in range(n):
        pool.execute("PING")
    t2 = time.monotonic()
    print(f"{n} PINGs: new TCP connection each {1000 * (t1 - t0):.0f} ms, "
          f"pooled {1000 * (t2 - t1):.0f} ms (loopback; real networks add an RTT per handshake)")

    pool.execute("DEL", key, PREFIX + "tx")
    pool.close()
    assert wait_for(lambda: not server_view(admin))
    admin.close()
    print(f"stats: {dict(sorted(pool.stats.items()))}")
    print("all checks passed")


if __name__ == "__main__":
    main()
