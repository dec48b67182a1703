# caption: 短链接的存储与缓存：MariaDB 自增 id 发号、短码就是 id 的 base62（查找时解码回主键，不需要短码索引），同一长链接经 SHA-256 唯一索引去重；Redis 限内存 + allkeys-lru 做热点缓存，按 Zipf 分布访问 2 万次，测命中率与回源次数
# point: 存储与缓存
# timeout: 40
# needs: redis, mariadb
import hashlib
import os
import random
import socket

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

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def b62(n):
    s = ""
    while True:
        n, d = divmod(n, 62)
        s = ALPHABET[d] + s
        if n == 0:
            return s


def unb62(s):
    n = 0
    for ch in s:
        n = n * 62 + ALPHABET.index(ch)
    return n


TABLE = "short_url"
db = connect()
cur = db.cursor()
cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
cur.execute(f"CREATE TABLE {TABLE} (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, url_hash BINARY(32) NOT NULL,"
            " long_url VARCHAR(2048) NOT NULL, UNIQUE KEY uk_hash (url_hash)) ENGINE=InnoDB AUTO_INCREMENT=1000000")


def shorten(url):
    # a repeated URL hits the unique hash and LAST_INSERT_ID(id) hands back the existing row's id
    cur.execute(f"INSERT INTO {TABLE} (url_hash, long_url) VALUES (%s, %s) "
                "ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)", (hashlib.sha256(url.encode()).digest(), url))
    return b62(cur.lastrowid)


db_reads = 0


def resolve(r, code):
    global db_reads
    url = r("GET", "su:" + code)
    if url is not None:
        return url, True
    db_reads += 1
    cur.execute(f"SELECT long_url FROM {TABLE} WHERE id = %s", (unb62(code),))   # primary-key lookup
    url = cur.fetchone()[0]
    r("SET", "su:" + code, url, "EX", 86400)
    return url, False


random.seed(7)
urls = [f"https://example.com/article/{i}?ref=" + "x" * 900 for i in range(2000)]   # ~1 KB each
cur.execute("BEGIN")
codes = [shorten(u) for u in urls]
dup = shorten(urls[42])
cur.execute("COMMIT")
print(f"2000 links -> codes {codes[0]} .. {codes[-1]}; shortening urls[42] again -> {dup} (same code)")
assert dup == codes[42] and len(set(codes)) == 2000

r = Redis()
r("FLUSHALL")
base = int(dict(l.split(":", 1) for l in r("INFO", "memory").split("\r\n") if ":" in l)["used_memory"])
r("CONFIG", "SET", "maxmemory", base + 400 * 1024)        # room for roughly 300 of the 2000 links
r("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
weights = [1 / (k + 1) ** 1.1 for k in range(2000)]       # Zipf: a few links get most clicks
hits = 0
for code in random.choices(codes, weights, k=20000):
    url, hit = resolve(r, code)
    hits += hit
stats = dict(l.split(":", 1) for l in r("INFO", "stats").split("\r\n") if ":" in l)
keys = r("DBSIZE")
print(f"20000 Zipf redirects, cache holds {keys} of 2000 links: hit ratio {hits / 20000:.2f}, "
      f"DB reads {db_reads}, evicted {stats['evicted_keys']}")
assert keys < 600 and int(stats["evicted_keys"]) > 0 and hits / 20000 > 0.6 and db_reads == 20000 - hits
cur.execute(f"DROP TABLE {TABLE}")
db.close()
