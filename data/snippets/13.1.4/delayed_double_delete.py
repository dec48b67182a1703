# caption: 延迟双删：第二次删除放进 Redis 有序集合做的延迟队列，由独立线程到点执行；读者回填耗时 150 ms，延迟 10 ms 时第二次删除早于回填、缓存仍是旧值，延迟 500 ms 时旧值被删掉
# point: 延迟双删
# timeout: 30
# needs: redis, mariadb
import os
import socket
import threading
import time

import pymysql

def connect(user=None, password=None, **options):
    """A connection to the private MariaDB the build started (ATLAS_MYSQL_*), as root unless told otherwise."""
    return pymysql.connect(
        host=os.environ.get("ATLAS_MYSQL_HOST", "127.0.0.1"),
        port=int(os.environ.get("ATLAS_MYSQL_PORT", "3306")),
        user=user or os.environ.get("ATLAS_MYSQL_USER", "root"),
        password=password if password is not None else os.environ.get("ATLAS_MYSQL_PASSWORD", ""),
        database=os.environ.get("ATLAS_MYSQL_DATABASE", "atlas"),
        autocommit=True,
        **options,
    )


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

TABLE, KEY, DELAYQ = "ddd_item", "ddd:item:1", "ddd:delayq"
FILL_LATENCY = 0.150                                # the slow reader: read DB, compute, then SET
admin = connect()
ac = admin.cursor()
ac.execute(f"DROP TABLE IF EXISTS {TABLE}")
ac.execute(f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, v VARCHAR(8)) ENGINE=InnoDB")
r = Redis()
stop = threading.Event()
log = []


def delay_worker():
    """Executes due deletes from the sorted set (score = due time); the request thread never sleeps."""
    q = Redis()
    while not stop.is_set():
        for key in q("ZRANGEBYSCORE", DELAYQ, "-inf", time.time()):
            if q("ZREM", DELAYQ, key) == 1:             # only one worker wins each task
                q("DEL", key)
                log.append(("second DEL", time.monotonic()))
        time.sleep(0.002)


def reader(read_done):
    c = connect()
    cur = c.cursor()
    cur.execute(f"SELECT v FROM {TABLE} WHERE id = 1")   # miss: reads the committed 'old'
    v = cur.fetchone()[0]
    read_done.set()
    time.sleep(FILL_LATENCY)                             # slow path (replica lag, heavy query ...)
    Redis()("SET", KEY, v, "EX", 60)
    log.append(("reader SET", time.monotonic()))
    c.close()


def trial(delay):
    ac.execute(f"REPLACE INTO {TABLE} VALUES (1, 'old')")
    r("DEL", KEY, DELAYQ)
    log.clear()
    w = connect()
    wc = w.cursor()
    r("DEL", KEY)                                        # first delete
    wc.execute("BEGIN")
    wc.execute(f"UPDATE {TABLE} SET v = 'new' WHERE id = 1")
    read_done = threading.Event()
    t = threading.Thread(target=reader, args=(read_done,))
    t.start()
    read_done.wait(10)                                   # the reader has read 'old' before our commit
    wc.execute("COMMIT")
    r("ZADD", DELAYQ, time.time() + delay, KEY)          # schedule the second delete
    t.join(10)
    for _ in range(400):                                 # wait (bounded) until the queue has drained
        if r("ZCARD", DELAYQ) == 0 and len(log) == 2:
            break
        time.sleep(0.005)
    w.close()
    order = [name for name, _ in sorted(log, key=lambda e: e[1])]
    cache = r("GET", KEY)
    print(f"delay {delay * 1000:>4.0f} ms: {' -> '.join(order):<28} cache = {cache}")
    return cache


worker = threading.Thread(target=delay_worker)
worker.start()
try:
    short, long_ = trial(0.010), trial(0.500)
finally:
    stop.set()
    worker.join(5)
assert short == "old"             # second delete ran before the stale fill: stale until TTL
assert long_ is None              # second delete removed the stale fill; next read loads 'new'
print(f"the delay must exceed the reader's fill time ({FILL_LATENCY * 1000:.0f} ms here)")
ac.execute(f"DROP TABLE {TABLE}")
r("DEL", KEY, DELAYQ)
admin.close()
