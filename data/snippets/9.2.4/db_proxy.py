# caption: 一个 db_proxy：epoll 网络线程切包、工作线程池查真实 MariaDB/Redis、应答经队列交回网络线程发送；4 条 msg_server 连接并发 200 条消息，再测群成员缓存、单聊和群聊的未读计数
# point: main函数主流程
# timeout: 60
# needs: mariadb, redis
import collections
import contextlib
import hashlib
import os
import queue
import selectors
import socket
import struct
import threading
import zlib

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


# ---- wire format: 16-byte header + protobuf fields (varint or length-delimited) ----
HDR = struct.Struct(">IHHHHHH")   # length, version, flag, service id, command id, seq, reserved
VALIDATE, SEND_MSG, UNREAD, READ_ACK, GET_MSG, MEMBERS, ADD_MEMBER, DEL_MEMBER = range(1, 9)


def varint(v):
    out = bytearray()
    while True:
        out.append((v & 0x7F) | (0x80 if v > 0x7F else 0))
        v >>= 7
        if not v:
            return bytes(out)


def encode(fields):
    out = b""
    for num, v in sorted(fields.items()):
        if isinstance(v, int):
            out += varint(num << 3) + varint(v)
        else:
            v = v.encode()
            out += varint(num << 3 | 2) + varint(len(v)) + v
    return out


def decode(b):
    fields, i = {}, 0

    def rd():
        nonlocal i
        v = shift = 0
        while True:
            c = b[i]
            i += 1
            v |= (c & 0x7F) << shift
            shift += 7
            if c < 0x80:
                return v
    while i < len(b):
        key = rd()
        if key & 7 == 0:
            fields[key >> 3] = rd()
        else:
            n = rd()
            fields[key >> 3] = b[i:i + n].decode()
            i += n
    return fields


def packet(cid, seq, fields):
    body = encode(fields)
    return HDR.pack(HDR.size + len(body), 1, 0, 3, cid, seq, 0) + body


# ---- pools (TeamTalk: CDBManager / CacheManager hand out named pools) ----
class Pool:
    def __init__(self, make, size):
        self.q = queue.Queue()
        for _ in range(size):
            self.q.put(make())

    @contextlib.contextmanager
    def get(self):   # borrow one connection; always give it back
        c = self.q.get(timeout=10)
        try:
            yield c
        finally:
            self.q.put(c)


NT = 8
stats = collections.Counter()
stats_lock = threading.Lock()


def bump(key):
    with stats_lock:
        stats[key] += 1


class Handlers:
    def __init__(self, db, cache):
        self.db, self.cache = db, cache

    def sql(self, query, *args):
        with self.db.get() as conn, conn.cursor() as c:
            c.execute(query, args or None)
            return c.fetchall()

    def validate(self, f):
        rows = self.sql("SELECT pwd FROM im924_user WHERE id=%s", f[1])
        ok = bool(rows) and rows[0][0] == hashlib.sha256(f[2].encode()).hexdigest()
        return {1: 0 if ok else 1}

    def members(self, gid):   # cache-aside: Redis hash first, MariaDB on a miss
        with self.cache["group_member"].get() as r:
            cached = r("HKEYS", f"group_member_{gid}")
            if cached:
                bump("member cache hit")
                return sorted(map(int, cached))
            bump("member cache miss")
            rows = self.sql("SELECT user_id, created FROM im924_group_member WHERE group_id=%s", gid)
            for uid, created in rows:
                r("HSET", f"group_member_{gid}", uid, created)
            return sorted(uid for uid, _ in rows)

    def get_members(self, f):
        return {1: ",".join(map(str, self.members(f[1])))}

    def change_member(self, f, add):
        if add:
            self.sql("INSERT IGNORE INTO im924_group_member VALUES (%s,%s,UNIX_TIMESTAMP())", f[1], f[2])
        else:
            self.sql("DELETE FROM im924_group_member WHERE group_id=%s AND user_id=%s", f[1], f[2])
        with self.cache["group_member"].get() as r:
            r("DEL", f"group_member_{f[1]}")          # database first, then drop the cached copy
            if add:   # a new member starts with nothing unread
                with self.cache["unread"].get() as u:
                    total = u("HGET", f"{f[1]}_im_group_msg", "count") or 0
                    u("HSET", f"{f[2]}_{f[1]}_im_user_group", "count", total)
        return {1: 0}

    def send_msg(self, f):
        frm, to, kind, text = f[1], f[2], f[3], f[4]
        with self.cache["unread"].get() as r:
            if kind == 1:   # single chat
                lo, hi = min(frm, to), max(frm, to)
                self.sql("INSERT IGNORE INTO im924_relation (small_id, big_id) VALUES (%s,%s)", lo, hi)
                rid = self.sql("SELECT id FROM im924_relation WHERE small_id=%s AND big_id=%s", lo, hi)[0][0]
                mid = r("INCR", f"msg_id_{rid}")
                self.sql(f"INSERT INTO im924_message_{rid % NT} (relate_id, from_id, to_id, msg_id, content) "
                         "VALUES (%s,%s,%s,%s,%s)", rid, frm, to, mid, text)
                r("HINCRBY", f"unread_{to}", frm, 1)
                return {1: 0, 2: mid}
            if frm not in self.members(to):
                return {1: 3}                               # not a member: refused
            mid = r("HINCRBY", f"{to}_im_group_msg", "count", 1)
            self.sql(f"INSERT INTO im924_group_message_{to % NT} (group_id, from_id, msg_id, content) "
                     "VALUES (%s,%s,%s,%s)", to, frm, mid, text)
            r("HSET", f"{frm}_{to}_im_user_group", "count", mid)
            return {1: 0, 2: mid}

    def unread(self, f):
        uid, parts = f[1], []
        with self.cache["unread"].get() as r:
            single = r("HGETALL", f"unread_{uid}")
            parts += [f"u{single[i]}:{single[i + 1]}" for i in range(0, len(single), 2)]
            for (gid,) in self.sql("SELECT group_id FROM im924_group_member WHERE user_id=%s ORDER BY group_id", uid):
                n = int(r("HGET", f"{gid}_im_group_msg", "count") or 0) - \
                    int(r("HGET", f"{uid}_{gid}_im_user_group", "count") or 0)
                if n:
                    parts.append(f"g{gid}:{n}")
        return {1: ",".join(sorted(parts))}

    def read_ack(self, f):
        uid, peer, kind = f[1], f[2], f[3]
        with self.cache["unread"].get() as r:
            if kind == 1:
                r("HDEL", f"unread_{uid}", peer)
            else:
                r("HSET", f"{uid}_{peer}_im_user_group", "count", r("HGET", f"{peer}_im_group_msg", "count") or 0)
        return {1: 0}

    def get_msg(self, f):
        lo, hi = min(f[1], f[2]), max(f[1], f[2])
        rid = self.sql("SELECT id FROM im924_relation WHERE small_id=%s AND big_id=%s", lo, hi)[0][0]
        rows = self.sql(f"SELECT msg_id, content FROM im924_message_{rid % NT} WHERE relate_id=%s "
                        "ORDER BY msg_id DESC LIMIT %s", rid, f[3])
        return {1: "|".join(f"{m}:{c}" for m, c in rows)}


class DBProxy:
    """Network thread: selector loop, packet cutting, response sending. Workers: the handlers."""

    def __init__(self, handlers, nworkers=4):
        self.h = {VALIDATE: handlers.validate, SEND_MSG: handlers.send_msg, UNREAD: handlers.unread,
                  READ_ACK: handlers.read_ack, GET_MSG: handlers.get_msg, MEMBERS: handlers.get_members,
                  ADD_MEMBER: lambda f: handlers.change_member(f, True),
                  DEL_MEMBER: lambda f: handlers.change_member(f, False)}
        self.lsock = socket.create_server(("127.0.0.1", 0))
        self.port = self.lsock.getsockname()[1]
        self.sel = selectors.DefaultSelector()          # epoll on Linux
        self.sel.register(self.lsock, selectors.EVENT_READ)
        self.wake_r, self.wake_w = socket.socketpair()  # workers poke the loop when a response is ready
        self.sel.register(self.wake_r, selectors.EVENT_READ)
        self.responses, self.rlock = collections.deque(), threading.Lock()
        self.queues = [queue.Queue() for _ in range(nworkers)]  # one task list per worker thread
        self.workers = [threading.Thread(target=self.work, args=(q,), name=f"worker-{i}")
                        for i, q in enumerate(self.queues)]
        self.bufs, self.next, self.running = {}, 0, True

    def pick(self, cid, f):
        """Messages of one conversation always go to the same worker, so they keep their order;
        everything else is spread round robin."""
        if cid == SEND_MSG:
            key = f"{min(f[1], f[2])}:{max(f[1], f[2])}" if f[3] == 1 else f"g{f[2]}"
            return zlib.crc32(key.encode()) % len(self.queues)
        self.next = (self.next + 1) % len(self.queues)
        return self.next

    def work(self, q):
        while (task := q.get()) is not None:
            conn, cid, seq, fields = task
            out = packet(cid, seq, self.h[cid](fields))
            bump(threading.current_thread().name)
            with self.rlock:
                self.responses.append((conn, out))
            self.wake_w.send(b"x")

    def loop(self):
        for w in self.workers:
            w.start()
        while self.running:
            for key, _ in self.sel.select(timeout=0.2):
                s = key.fileobj
                if s is self.lsock:
                    c, _ = s.accept()
                    self.bufs[c] = b""
                    self.sel.register(c, selectors.EVENT_READ)
                elif s is self.wake_r:
                    s.recv(4096)
                    with self.rlock:
                        batch, self.responses = self.responses, collections.deque()
                    for conn, out in batch:    # only this thread writes to sockets
                        bump("sent by " + threading.current_thread().name)   # counted first: the reader may
                        conn.sendall(out)                                    # check as soon as it arrives
                else:
                    data = s.recv(65536)
                    if not data:
                        self.sel.unregister(s)
                        s.close()
                        continue
                    self.bufs[s] += data
                    while len(self.bufs[s]) >= HDR.size:
                        length, _, _, _, cid, seq, _ = HDR.unpack_from(self.bufs[s])
                        if len(self.bufs[s]) < length:
                            break
                        body, self.bufs[s] = self.bufs[s][HDR.size:length], self.bufs[s][length:]
                        fields = decode(body)
                        self.queues[self.pick(cid, fields)].put((s, cid, seq, fields))
        for q in self.queues:
            q.put(None)
        for w in self.workers:
            w.join()


class MsgServerLink:
    """What a msg_server holds: one connection to db_proxy, requests matched to replies by seq."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.seq, self.buf = 0, b""

    def send(self, cid, fields):
        self.seq += 1
        self.s.sendall(packet(cid, self.seq, fields))
        return self.seq

    def recv(self):
        while True:
            if len(self.buf) >= HDR.size:
                length, _, _, _, cid, seq, _ = HDR.unpack_from(self.buf)
                if len(self.buf) >= length:
                    body, self.buf = self.buf[HDR.size:length], self.buf[length:]
                    return seq, decode(body)
            chunk = self.s.recv(65536)
            assert chunk, "db_proxy closed the connection"
            self.buf += chunk

    def call(self, cid, fields):
        seq = self.send(cid, fields)
        rseq, f = self.recv()
        assert rseq == seq
        return f


# ---- main: config -> pools -> schema -> handlers -> network loop (like db_proxy_server's main) ----
db = connect()
cur = db.cursor()
cur.execute("DROP TABLE IF EXISTS im924_user, im924_relation, im924_group_member")
cur.execute("CREATE TABLE im924_user (id INT PRIMARY KEY, pwd CHAR(64) NOT NULL)")
cur.execute("CREATE TABLE im924_relation (id INT AUTO_INCREMENT PRIMARY KEY, small_id INT, big_id INT, "
            "UNIQUE KEY uk (small_id, big_id))")
cur.execute("CREATE TABLE im924_group_member (group_id INT, user_id INT, created INT, PRIMARY KEY (group_id, user_id),"
            " KEY idx_user (user_id))")
for i in range(NT):
    cur.execute(f"DROP TABLE IF EXISTS im924_message_{i}, im924_group_message_{i}")
    cur.execute(f"CREATE TABLE im924_message_{i} (id BIGINT AUTO_INCREMENT PRIMARY KEY, relate_id INT, from_id INT, "
                "to_id INT, msg_id INT, content VARCHAR(100), UNIQUE KEY uk (relate_id, msg_id))")
    cur.execute(f"CREATE TABLE im924_group_message_{i} (id BIGINT AUTO_INCREMENT PRIMARY KEY, group_id INT, "
                "from_id INT, msg_id INT, content VARCHAR(100), UNIQUE KEY uk (group_id, msg_id))")
cur.executemany("INSERT INTO im924_user VALUES (%s,%s)",
                [(u, hashlib.sha256(f"pw{u}".encode()).hexdigest()) for u in range(1, 9)])
cur.executemany("INSERT INTO im924_group_member VALUES (77,%s,0)", [(1,), (2,), (3,)])
Redis()("FLUSHDB")

handlers = Handlers(Pool(connect, 4), {"unread": Pool(Redis, 4), "group_member": Pool(Redis, 2)})
proxy = DBProxy(handlers)
net = threading.Thread(target=proxy.loop, name="net")
net.start()
try:
    links = [MsgServerLink(proxy.port) for _ in range(4)]
    m = links[0]
    assert m.call(VALIDATE, {1: 1, 2: "pw1"}) == {1: 0} and m.call(VALIDATE, {1: 1, 2: "nope"}) == {1: 1}
    print("validate: right password -> 0, wrong -> 1")

    # four msg_servers fire 50 requests each without waiting; replies come back matched by seq
    def burst(k):
        link, sent = links[k], {}
        for i in range(50):
            frm, to = 2 * k + 1, 2 * k + 2          # pairs (1,2) (3,4) (5,6) (7,8)
            sent[link.send(SEND_MSG, {1: frm, 2: to, 3: 1, 4: f"m{i}"})] = i
        got = {}
        for _ in sent:
            seq, f = link.recv()
            got[sent[seq]] = f[2]
        assert all(got[i] == i + 1 for i in range(50)), got   # msg_id follows the sending order
    ts = [threading.Thread(target=burst, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    used = sorted(k for k in stats if k.startswith("worker"))
    print(f"200 messages over 4 links: all acked, msg_id 1..50 in sending order in each conversation; workers used: {used}")
    print(f"responses written by: {[k for k in stats if k.startswith('sent by')]}")
    assert len(used) >= 2 and stats["sent by net"] >= 202
    total = sum(cur.execute(f"SELECT COUNT(*) FROM im924_message_{i}") and cur.fetchone()[0] for i in range(NT))
    assert total == 200
    assert m.call(UNREAD, {1: 2}) == {1: "u1:50"}
    print("MariaDB holds 200 rows across the 8 tables; unread of user 2:", m.call(UNREAD, {1: 2})[1])

    print("group 77 members:", m.call(MEMBERS, {1: 77})[1], "then again:", m.call(MEMBERS, {1: 77})[1])
    assert (stats["member cache miss"], stats["member cache hit"]) == (1, 1)
    m.call(ADD_MEMBER, {1: 77, 2: 4})
    assert m.call(MEMBERS, {1: 77}) == {1: "1,2,3,4"} and stats["member cache miss"] == 2
    print("after adding user 4 (DB write + cache delete):", m.call(MEMBERS, {1: 77})[1],
          f"| cache misses {stats['member cache miss']}, hits {stats['member cache hit']}")
    for i in range(3):
        assert m.call(SEND_MSG, {1: 1, 2: 77, 3: 2, 4: f"g{i}"}) == {1: 0, 2: i + 1}
    m.call(DEL_MEMBER, {1: 77, 2: 3})
    assert m.call(SEND_MSG, {1: 3, 2: 77, 3: 2, 4: "let me in"}) == {1: 3}
    print("3 group messages from user 1; user 3 removed, its next message refused (code 3)")
    u2, u4 = m.call(UNREAD, {1: 2})[1], m.call(UNREAD, {1: 4})[1]
    print(f"unread: user 2 [{u2}], user 4 [{u4}], user 1 [{m.call(UNREAD, {1: 1})[1]}]")
    assert u2 == "g77:3,u1:50" and u4 == "g77:3,u3:50" and m.call(UNREAD, {1: 1}) == {1: ""}
    m.call(READ_ACK, {1: 2, 2: 1, 3: 1})
    m.call(READ_ACK, {1: 2, 2: 77, 3: 2})
    assert m.call(UNREAD, {1: 2}) == {1: ""}
    last = m.call(GET_MSG, {1: 2, 2: 1, 3: 3})[1]
    print("user 2 read both conversations -> unread empty; last 3 messages with user 1:", last)
    assert last == "50:m49|49:m48|48:m47"
finally:
    proxy.running = False
    net.join()
