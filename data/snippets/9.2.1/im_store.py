# caption: IM 存储模型落到真实 MariaDB + Redis：单聊按关系 id 存一份、按 relateId % 8 分表；群聊每条只存一份（读扩散）；未读数放 Redis 计数器
# point: 单聊、群聊消息原理
# timeout: 30
# needs: mariadb, redis
import os
import socket

import pymysql

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


NT = 8  # message tables per kind, picked by id % NT
db, r = connect(), Redis()
cur = db.cursor()


def q(sql, *args):
    cur.execute(sql, args or None)
    return [tuple(x) for x in cur.fetchall()]


cur.execute("DROP TABLE IF EXISTS im_relation, im_group_member")
cur.execute("""CREATE TABLE im_relation (id INT AUTO_INCREMENT PRIMARY KEY, small_id INT NOT NULL,
               big_id INT NOT NULL, UNIQUE KEY uk_pair (small_id, big_id))""")
cur.execute("""CREATE TABLE im_group_member (group_id INT NOT NULL, user_id INT NOT NULL,
               PRIMARY KEY (group_id, user_id), KEY idx_user (user_id))""")
for kind, key in (("im_message", "relate_id"), ("im_group_message", "group_id")):
    for i in range(NT):
        cur.execute(f"DROP TABLE IF EXISTS {kind}_{i}")
        cur.execute(f"""CREATE TABLE {kind}_{i} (id BIGINT AUTO_INCREMENT PRIMARY KEY, {key} INT NOT NULL,
                        from_id INT NOT NULL, msg_id INT NOT NULL, content VARCHAR(200) NOT NULL,
                        UNIQUE KEY uk_msg ({key}, msg_id))""")
r("FLUSHDB")


def relation(a, b):
    """One row per unordered pair: a->b and b->a share one conversation id."""
    lo, hi = min(a, b), max(a, b)
    cur.execute("INSERT IGNORE INTO im_relation (small_id, big_id) VALUES (%s,%s)", (lo, hi))
    return q("SELECT id FROM im_relation WHERE small_id=%s AND big_id=%s", lo, hi)[0][0]


def send_single(frm, to, text):
    rid = relation(frm, to)
    msg_id = r("INCR", f"msg_id_{rid}")              # per-conversation sequence
    cur.execute(f"INSERT INTO im_message_{rid % NT} (relate_id, from_id, msg_id, content) VALUES (%s,%s,%s,%s)",
                (rid, frm, msg_id, text))
    r("HINCRBY", f"unread_{to}", frm, 1)             # receiver's unread count for this peer
    return rid, msg_id


def send_group(frm, gid, text):
    msg_id = r("HINCRBY", f"{gid}_im_group_msg", "count", 1)   # group total doubles as msg id
    cur.execute(f"INSERT INTO im_group_message_{gid % NT} (group_id, from_id, msg_id, content) VALUES (%s,%s,%s,%s)",
                (gid, frm, msg_id, text))
    r("HSET", f"{frm}_{gid}_im_user_group", "count", msg_id)    # the sender has read its own message
    return msg_id


def group_unread(uid, gid):
    total = int(r("HGET", f"{gid}_im_group_msg", "count") or 0)
    return total - int(r("HGET", f"{uid}_{gid}_im_user_group", "count") or 0)


ALICE, BOB, CAROL, GID = 1001, 1002, 1003, 77
for i in range(3):
    rid, mid = send_single(ALICE, BOB, f"hi {i}")
send_single(BOB, ALICE, "hello back")
print(f"alice<->bob share relate_id={rid} -> table im_message_{rid % NT}, last msg_id={mid + 1}")
assert q(f"SELECT COUNT(*) FROM im_message_{rid % NT} WHERE relate_id=%s", rid) == [(4,)]
assert r("HGETALL", f"unread_{BOB}") == [str(ALICE), "3"] and r("HGET", f"unread_{ALICE}", BOB) == "1"
print("unread_1002:", r("HGETALL", f"unread_{BOB}"), " unread_1001:", r("HGETALL", f"unread_{ALICE}"))

cur.executemany("INSERT INTO im_group_member VALUES (%s,%s)", [(GID, u) for u in (ALICE, BOB, CAROL)])
for u in (ALICE, BOB, CAROL):   # joining: read position starts at the current total
    r("HSET", f"{u}_{GID}_im_user_group", "count", 0)
for i in range(5):
    send_group(ALICE, GID, f"group {i}")
rows = q(f"SELECT COUNT(*) FROM im_group_message_{GID % NT} WHERE group_id=%s", GID)[0][0]
members = q("SELECT COUNT(*) FROM im_group_member WHERE group_id=%s", GID)[0][0]
print(f"group {GID}: {members} members, 5 messages -> {rows} rows (write diffusion would need {5 * (members - 1)})")
assert rows == 5
print("group unread: alice", group_unread(ALICE, GID), "bob", group_unread(BOB, GID), "carol", group_unread(CAROL, GID))
assert (group_unread(ALICE, GID), group_unread(BOB, GID), group_unread(CAROL, GID)) == (0, 5, 5)

# bob opens both conversations: single chat deletes the field, group chat moves the read position
r("HDEL", f"unread_{BOB}", ALICE)
r("HSET", f"{BOB}_{GID}_im_user_group", "count", r("HGET", f"{GID}_im_group_msg", "count"))
assert r("HGETALL", f"unread_{BOB}") == [] and group_unread(BOB, GID) == 0 and group_unread(CAROL, GID) == 5
print("after bob reads: unread_1002 empty, bob group unread 0, carol still 5")
pulled = q(f"SELECT msg_id, content FROM im_group_message_{GID % NT} WHERE group_id=%s AND msg_id > %s ORDER BY msg_id",
           GID, 3)
assert [m for m, _ in pulled] == [4, 5]
print("pull group msgs after msg_id 3:", pulled)
