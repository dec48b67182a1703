# caption: 订阅 binlog 删缓存：片段自己启动一台开了 ROW 格式 binlog 的 MariaDB，mariadb-binlog --stop-never 以从库身份持续拉取行事件，订阅者按主键 DEL Redis key；应用写库后“崩溃”没删缓存、DBA 手工 UPDATE，缓存都被删掉；回滚的事务不进 binlog
# point: 订阅 binlog 更新缓存
# timeout: 120
# needs: redis, mariadb
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

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

base = tempfile.mkdtemp(prefix="binlog_db_", dir=os.getcwd())
s = socket.socket()
s.bind(("127.0.0.1", 0))
my_port = s.getsockname()[1]
s.close()
subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={base}/data", "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db"], check=True, capture_output=True)
server = subprocess.Popen(["mariadbd", "--no-defaults", f"--datadir={base}/data", f"--socket={base}/sock",
                           f"--port={my_port}", "--bind-address=127.0.0.1", "--user=root", "--server-id=1",
                           f"--log-bin={base}/data/binlog", "--binlog-format=ROW", "--innodb-buffer-pool-size=16M",
                           f"--pid-file={base}/pid", "--skip-name-resolve"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
sub = None
r = Redis()
invalidated = {}                                     # key -> time the subscriber deleted it


def subscriber():
    """Reads decoded row events; for each changed row of atlas.item deletes item:<primary key>."""
    table, section = None, None
    for line in sub.stdout:
        if m := re.match(r"### (UPDATE|DELETE FROM|INSERT INTO) `atlas`\.`item`", line):
            table, section = True, None
        elif line.startswith("### WHERE") or line.startswith("### SET"):
            section = line.split()[1]
        elif table and (m := re.match(r"###   @1=(\d+)", line)):
            key = f"item:{m.group(1)}"                # @1 is the first column: the primary key
            r2("DEL", key)
            invalidated[key] = time.monotonic()
            table = None


def wait_gone(key, since):
    for _ in range(2000):                             # bounded: at most 10 s
        if key in invalidated and r("EXISTS", key) == 0:
            return (invalidated[key] - since) * 1000
        time.sleep(0.005)
    raise AssertionError(f"{key} was not invalidated")


try:
    for _ in range(600):
        try:
            db = pymysql.connect(host="127.0.0.1", port=my_port, user="root", autocommit=True)
            break
        except pymysql.err.OperationalError:
            time.sleep(0.1)
    cur = db.cursor()
    cur.execute("SELECT @@log_bin, @@binlog_format, VERSION()")
    print("private server: log_bin=%s binlog_format=%s %s" % cur.fetchone())
    cur.execute("CREATE DATABASE atlas")
    cur.execute("CREATE TABLE atlas.item (id INT PRIMARY KEY, price INT) ENGINE=InnoDB")
    cur.execute("INSERT INTO atlas.item VALUES (1, 10), (2, 20), (3, 30), (4, 40)")
    cur.execute("SHOW MASTER STATUS")
    binlog_file = cur.fetchone()[0]
    sub = subprocess.Popen(["stdbuf", "-oL", "mariadb-binlog", "--read-from-remote-server", "--stop-never",
                            "--stop-never-slave-server-id=99", "-h127.0.0.1", f"-P{my_port}", "-uroot",
                            "--base64-output=decode-rows", "--verbose", binlog_file],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    r2 = Redis()
    threading.Thread(target=subscriber, daemon=True).start()
    wait_gone("item:4", time.monotonic())              # the INSERTs above flow through first
    for i in (1, 2, 3, 4):
        r("SET", f"item:{i}", "cached")                            # readers have filled the cache
    invalidated.clear()

    t = time.monotonic()
    cur.execute("UPDATE atlas.item SET price = 11 WHERE id = 1")   # the app commits, then dies: no DEL
    print(f"app updated id 1 and crashed before deleting: item:1 invalidated {wait_gone('item:1', t):.0f} ms later")

    t = time.monotonic()
    subprocess.run(["mariadb", "-h127.0.0.1", f"-P{my_port}", "-uroot", "-e",
                    "UPDATE atlas.item SET price = price + 1 WHERE id IN (2, 3)"], check=True)
    lag = max(wait_gone("item:2", t), wait_gone("item:3", t))
    print(f"manual SQL from the mariadb client updated ids 2,3: both invalidated within {lag:.0f} ms")

    r("SET", "item:3", "cached")
    cur.execute("BEGIN")
    cur.execute("UPDATE atlas.item SET price = 0 WHERE id = 3")
    cur.execute("ROLLBACK")                                        # never reaches the binlog
    t = time.monotonic()
    cur.execute("UPDATE atlas.item SET price = 41 WHERE id = 4")   # a later committed change, as a marker
    wait_gone("item:4", t)
    print("rolled-back update of id 3: item:3 still cached =", r("EXISTS", "item:3") == 1,
          "(the later commit on id 4 was already seen)")
    assert r("EXISTS", "item:3") == 1
    db.close()
finally:
    if sub:
        sub.terminate()
        sub.wait(10)
    server.terminate()
    server.wait(30)
    shutil.rmtree(base, ignore_errors=True)
    r("DEL", "item:1", "item:2", "item:3", "item:4")
