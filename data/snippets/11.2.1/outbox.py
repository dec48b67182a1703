# caption: 本地消息表（outbox）：订单与消息在同一个 MariaDB 本地事务里写入，中继投递到 Redis 列表；中继在投递后、标记前崩溃造成重复投递，消费者用唯一键去重，效果恰好一次；对照“先提交再发消息”的双写在崩溃时丢消息
# point: 本地消息表与事务消息
# timeout: 20
# needs: mariadb, redis
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

ORD, OUT, DONE, PTS, Q = "ob_orders", "ob_outbox", "ob_consumed", "ob_points", "outbox:queue"
db = connect()
cur = db.cursor()
for t in (ORD, OUT, DONE, PTS):
    cur.execute(f"DROP TABLE IF EXISTS {t}")
cur.execute(f"CREATE TABLE {ORD} (id INT PRIMARY KEY, uid VARCHAR(8), amount INT)")
cur.execute(f"CREATE TABLE {OUT} (msg_id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(64), sent TINYINT DEFAULT 0)")
cur.execute(f"CREATE TABLE {DONE} (msg_id INT PRIMARY KEY)")            # consumer side: ids already applied
cur.execute(f"CREATE TABLE {PTS} (uid VARCHAR(8) PRIMARY KEY, points INT)")
cur.execute(f"INSERT INTO {PTS} VALUES ('u1', 0)")
r = Redis()
r("DEL", Q)


def place_order(oid, amount, fail=False):
    cur.execute("BEGIN")                                         # order row and message row: one local transaction
    cur.execute(f"INSERT INTO {ORD} VALUES (%s, 'u1', %s)", (oid, amount))
    cur.execute(f"INSERT INTO {OUT} (body) VALUES (%s)", (f"u1,{amount}",))
    cur.execute("ROLLBACK" if fail else "COMMIT")


def relay(crash_before_mark=False):
    cur.execute(f"SELECT msg_id, body FROM {OUT} WHERE sent = 0 ORDER BY msg_id")
    for msg_id, body in cur.fetchall():
        r("RPUSH", Q, f"{msg_id}|{body}")                        # at-least-once: publish first ...
        if crash_before_mark:
            return                                               # ... crash here and the row stays unsent
        cur.execute(f"UPDATE {OUT} SET sent = 1 WHERE msg_id = %s", (msg_id,))


def consume():
    applied = dup = 0
    while (m := r("LPOP", Q)) is not None:
        msg_id, body = m.split("|")
        uid, amount = body.split(",")
        cur.execute("BEGIN")
        try:                                                     # dedup record and effect commit together
            cur.execute(f"INSERT INTO {DONE} VALUES (%s)", (msg_id,))
            cur.execute(f"UPDATE {PTS} SET points = points + %s WHERE uid = %s", (amount, uid))
            cur.execute("COMMIT")
            applied += 1
        except pymysql.err.IntegrityError:                       # 1062 duplicate key: already applied
            cur.execute("ROLLBACK")
            dup += 1
    return applied, dup


place_order(1, 10)
place_order(2, 20)
place_order(3, 99, fail=True)                                    # rolled back: its message vanishes with it
relay(crash_before_mark=True)                                    # pushes message 1, dies before marking it
relay()                                                          # restarted relay pushes 1 again, then 2
print("queue after crash + restart:", r("LRANGE", Q, 0, -1))
applied, dup = consume()
cur.execute(f"SELECT points FROM {PTS}")
points = cur.fetchone()[0]
print(f"consumer: applied {applied}, skipped {dup} duplicate(s); u1 points = {points}")
assert (applied, dup, points) == (2, 1, 30)

# the dual write it replaces: commit the order, then publish; a crash in between loses the message forever
cur.execute(f"INSERT INTO {ORD} VALUES (4, 'u1', 40)")          # committed (autocommit) ...
# ... and the process dies here, before RPUSH: nothing records that a message was owed
cur.execute(f"SELECT COUNT(*) FROM {ORD}")
orders = cur.fetchone()[0]
print(f"dual write: {orders} orders committed, {applied} messages applied; order 4 never reaches the consumer")
assert orders == 3 and r("LLEN", Q) == 0
for t in (ORD, OUT, DONE, PTS):
    cur.execute(f"DROP TABLE {t}")
db.close()
