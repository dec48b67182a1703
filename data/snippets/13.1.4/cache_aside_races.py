# caption: 真实 Redis + MariaDB 上按固定步骤交错两个客户端，复现旁路缓存的各种更新顺序：双写更新缓存、先删缓存后写库、先写库后删缓存（罕见窗口）、删除时写入版本墓碑让旧值回填被 Lua 拒绝
# point: Cache Aside 与更新顺序
# timeout: 30
# needs: redis, mariadb
import os
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

TABLE, KEY = "cac_item", "cac:item:1"
admin = connect()
ac = admin.cursor()
ac.execute(f"DROP TABLE IF EXISTS {TABLE}")
ac.execute(f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, v VARCHAR(8), ver INT NOT NULL) ENGINE=InnoDB")
r = Redis()
w_db, r_db = connect(), connect()                  # the writer's and the reader's own connections
wc, rc = w_db.cursor(), r_db.cursor()


def reset():
    ac.execute(f"REPLACE INTO {TABLE} VALUES (1, 'old', 0)")
    r("DEL", KEY)


def read_db():                                      # the reader's query (autocommit: latest committed row)
    rc.execute(f"SELECT v, ver FROM {TABLE} WHERE id = 1")
    return rc.fetchone()


def outcome(name):
    ac.execute(f"SELECT v FROM {TABLE} WHERE id = 1")
    db, cache = ac.fetchone()[0], r("GET", KEY)
    stale = cache is not None and cache != db
    print(f"{name:<44} db={db:<4} cache={str(cache):<5} {'STALE until TTL' if stale else 'ok'}")
    return stale


results = {}
# 1. write DB then SET cache, two writers: their cache writes arrive in the other order
reset()
wc.execute(f"UPDATE {TABLE} SET v = 'A' WHERE id = 1")     # writer 1
ac.execute(f"UPDATE {TABLE} SET v = 'B' WHERE id = 1")     # writer 2 (later)
r("SET", KEY, "B")                                          # writer 2 sets its cache first
r("SET", KEY, "A")                                          # writer 1's SET was delayed
results["update cache"] = outcome("1 update DB, then SET cache (2 writers)")

# 2. delete cache, then update DB: a reader slips in between
reset()
r("DEL", KEY)                                               # W: delete cache
wc.execute("BEGIN")
wc.execute(f"UPDATE {TABLE} SET v = 'new' WHERE id = 1")   # W: update, not yet committed
v, _ = read_db()                                            # R: miss -> reads the committed 'old' (MVCC)
r("SET", KEY, v)                                            # R: fills the cache with 'old'
wc.execute("COMMIT")
results["delete first"] = outcome("2 DEL cache, then update DB")

# 3. update DB, then delete cache: stale only if a read spans the whole write
reset()
v, _ = read_db()                                            # R: miss (cache empty), reads 'old'
wc.execute(f"UPDATE {TABLE} SET v = 'new' WHERE id = 1")   # W: update and commit
r("DEL", KEY)                                               # W: delete (nothing to delete yet)
r("SET", KEY, v)                                            # R: its slow fill lands after the delete
results["db first, rare"] = outcome("3 update DB, then DEL cache (slow reader)")
reset()
wc.execute(f"UPDATE {TABLE} SET v = 'new' WHERE id = 1")
r("DEL", KEY)
r("SET", KEY, read_db()[0])                                 # the usual case: the read starts after the write
results["db first, usual"] = outcome("3' update DB, then DEL cache (usual order)")

# 4. versioned fill: the writer leaves a tombstone with the new version; a fill with an older version is refused
FILL = """
local cur = redis.call('HGET', KEYS[1], 'ver')
if cur and tonumber(cur) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'ver', ARGV[2]); redis.call('EXPIRE', KEYS[1], 60); return 1
"""
reset()
v, ver = read_db()                                          # R: reads ('old', 0)
wc.execute(f"UPDATE {TABLE} SET v = 'new', ver = ver + 1 WHERE id = 1")
r("DEL", KEY)
r("HSET", KEY, "ver", 1), r("EXPIRE", KEY, 5)               # W: tombstone {ver: 1} instead of a bare delete
filled = r("EVAL", FILL, 1, KEY, v, ver)                    # R: slow fill with version 0
print(f"4 case 3 with a version tombstone: stale fill accepted={filled}, cache now {r('HGETALL', KEY)}")
assert filled == 0

assert results == {"update cache": True, "delete first": True, "db first, rare": True, "db first, usual": False}
ac.execute(f"DROP TABLE {TABLE}")
r("DEL", KEY)
for c in (admin, w_db, r_db):
    c.close()
