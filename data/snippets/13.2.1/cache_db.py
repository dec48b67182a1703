# caption: 后端的最后一段：按 Cache Aside 读商品——先查 Redis，未命中再按主键查 MariaDB 并回填（带 TTL）；用 Redis 的 keyspace_hits/misses 与 MariaDB 的 Handler_read_key 计数证明第二次起不再访问数据库，并比较命中与回源的平均耗时
# point: 后端的缓存与数据库
# timeout: 30
# needs: redis, mariadb
import os
import socket
import time

import pymysql

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))
T = "items_1321"


class RespError(str):
    pass


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


def status(cur, name):
    cur.execute("SHOW SESSION STATUS LIKE %s", (name,))
    return int(cur.fetchone()[1])


def stats(r):
    info = dict(l.split(":", 1) for l in r("INFO", "stats").split("\r\n") if ":" in l)
    return int(info["keyspace_hits"]), int(info["keyspace_misses"])


r = Redis()
conn = connect()
cur = conn.cursor()
cur.execute(f"DROP TABLE IF EXISTS {T}")
cur.execute(f"CREATE TABLE {T} (id INT PRIMARY KEY, name VARCHAR(32), price INT) ENGINE=InnoDB")
cur.executemany(f"INSERT INTO {T} VALUES (%s,%s,%s)", [(i, f"item-{i}", 100 + i) for i in range(1, 101)])
r("DEL", "item:7")


def get_item(item_id):
    """Cache Aside read: Redis first, then the database, then fill the cache with a TTL."""
    cached = r("GET", f"item:{item_id}")
    if cached is not None:
        return cached, "cache"
    cur.execute(f"SELECT name, price FROM {T} WHERE id = %s", (item_id,))  # primary key lookup
    name, price = cur.fetchone()
    value = f"{name}:{price}"
    r("SET", f"item:{item_id}", value, "EX", 60)
    return value, "db"


h0, m0 = stats(r)
k0 = status(cur, "Handler_read_key")
first, second = get_item(7), get_item(7)
h1, m1 = stats(r)
k1 = status(cur, "Handler_read_key")
print("1st read:", first, "| 2nd read:", second)
print(f"redis hits +{h1 - h0}, misses +{m1 - m0}; mariadb Handler_read_key +{k1 - k0}")
assert first == ("item-7:107", "db") and second == ("item-7:107", "cache")
assert (h1 - h0, m1 - m0) == (1, 1) and k1 - k0 == 1  # one B+ tree lookup, then none
assert 0 < r("TTL", "item:7") <= 60

hit = db = 0.0
for i in range(300):  # interleaved, so load on the machine hits both alike
    t = time.perf_counter()
    get_item(7)
    hit += time.perf_counter() - t
    r("DEL", "item:8")
    t = time.perf_counter()
    get_item(8)
    db += time.perf_counter() - t
print(f"mean over 300: cache hit {hit / 300 * 1e6:.0f} us, miss (GET + SELECT + SET) {db / 300 * 1e6:.0f} us,"
      f" ratio {db / hit:.1f}")
assert db > hit  # a miss pays for the cache round trip as well as the database and the refill
r("DEL", "item:7", "item:8")
cur.execute(f"DROP TABLE {T}")
conn.close()
print("ok")
