# caption: 在真实 Redis 上看对象模型：TYPE 与 OBJECT ENCODING、WRONGTYPE 类型检查、共享整数的 REFCOUNT、OBJECT IDLETIME 与访问时钟
# point: 类型检测与命令多态内存回收
# timeout: 20
# needs: redis
import time
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


r = Redis()
P = "object_model:"
names = ["str", "int", "list", "hash", "set", "zset", "big", "shared", "idle"]
K = {n: P + n for n in names}
r("DEL", *K.values())

# 1. one TYPE, several possible ENCODINGs
r("SET", K["str"], "hello")
r("SET", K["int"], 42)
r("RPUSH", K["list"], "a")
r("HSET", K["hash"], "f", "v")
r("SADD", K["set"], 1, 2)
r("ZADD", K["zset"], 1, "m")
print("%-6s %-8s %s" % ("key", "TYPE", "OBJECT ENCODING"))
for n in ("str", "int", "list", "hash", "set", "zset"):
    t, e = r("TYPE", K[n]), r("OBJECT", "ENCODING", K[n])
    print("%-6s %-8s %s" % (n, t, e))
assert r("TYPE", K["int"]) == "string" and r("OBJECT", "ENCODING", K["int"]) == "int"
assert r("TYPE", P + "missing") == "none"

# 2. type checking before the command runs; polymorphic commands work on any type
err = r("LLEN", K["hash"])
assert isinstance(err, RespError) and err.startswith("WRONGTYPE")
assert r("LLEN", P + "missing") == 0                       # missing key = empty list
assert r("EXPIRE", K["zset"], 100) == 1 and r("EXPIRE", K["list"], 100) == 1
print("LLEN on a hash ->", err.split(" Operation")[0], "; EXPIRE/DEL/TYPE accept every type")

# 3. shared integer objects 0..9999
mm = int(r("CONFIG", "GET", "maxmemory")[1])
policy = r("CONFIG", "GET", "maxmemory-policy")[1]
sharing = mm == 0 or ("lru" not in policy and "lfu" not in policy)
r("SET", K["shared"], 100)
rc_small = r("OBJECT", "REFCOUNT", K["shared"])
r("SET", K["shared"], 10000)
rc_big = r("OBJECT", "REFCOUNT", K["shared"])
print("maxmemory=%d policy=%s -> shared integers %s" % (mm, policy, "on" if sharing else "off"))
print("REFCOUNT of 100 = %d, of 10000 = %d" % (rc_small, rc_big))
if sharing:
    assert rc_small == 2147483647          # OBJ_SHARED_REFCOUNT (INT_MAX): never freed
assert rc_big == 1

# 4. idle time = now - last access (LRU clock, 1 s resolution); OBJECT itself does not touch
r("SET", K["idle"], "x")
if "lfu" in policy:
    print("LFU policy: OBJECT FREQ =", r("OBJECT", "FREQ", K["idle"]))
else:
    time.sleep(2.3)
    idle = r("OBJECT", "IDLETIME", K["idle"])
    again = r("OBJECT", "IDLETIME", K["idle"])
    r("GET", K["idle"])                        # a real read refreshes the access time
    after = r("OBJECT", "IDLETIME", K["idle"])
    print("IDLETIME after 2.3 s = %d, again = %d, after GET = %d" % (idle, again, after))
    # The LRU clock ticks once a second, so a GET made just before a tick can already read 1.
    assert idle >= 2 and again >= idle and after <= 1 < idle
    err = r("OBJECT", "FREQ", K["idle"])
    assert isinstance(err, RespError)          # FREQ needs an LFU policy
    print("OBJECT FREQ without an LFU policy ->", err[:40] + "...")

# 5. reclaiming memory: DEL frees now, UNLINK hands big values to a background thread
args = []
for i in range(5000):
    args += ["f%d" % i, "v" * 20]
r("HSET", K["big"], *args)
usage = r("MEMORY", "USAGE", K["big"])
assert r("OBJECT", "ENCODING", K["big"]) == "hashtable" and usage > 5000 * 20
assert r("UNLINK", K["big"]) == 1 and r("EXISTS", K["big"]) == 0
print("5000-field hash: MEMORY USAGE ~%d KB; UNLINK -> key gone at once, freed in background"
      % (usage // 1024))
r("DEL", *K.values())
