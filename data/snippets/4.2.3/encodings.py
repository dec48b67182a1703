# caption: 在真实 Redis 上观察 OBJECT ENCODING 随数据增长的切换：int/embstr/raw、listpack→hashtable/skiplist、intset→hashtable，阈值取自 CONFIG GET
# point: string的三种编码方式int, raw, embstr
# timeout: 30
# needs: redis
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
P = "encodings:"
info = dict(l.split(":", 1) for l in r("INFO", "server").split("\r\n") if ":" in l)
ver = tuple(int(x) for x in info["redis_version"].split(".")[:2])
print("server", info["redis_version"])


def cfg(name):
    res = r("CONFIG", "GET", name)
    return int(res[1]) if res else None


def enc(key):
    return r("OBJECT", "ENCODING", key)


COMPACT = "listpack" if ver >= (7, 0) else "ziplist"   # 7.0 replaced ziplist by listpack
keys = [P + k for k in ("s", "h", "z", "set", "l")]
r("DEL", *keys)

# ---- strings: int / embstr (<= 44 bytes) / raw ---------------------------------------
r("SET", P + "s", 12345)
assert enc(P + "s") == "int"
r("SET", P + "s", "9" * 20)                          # 20 digits > 2^63-1: not a long
assert enc(P + "s") == "embstr"
r("SET", P + "s", "a" * 44)
assert enc(P + "s") == "embstr"
r("SET", P + "s", "a" * 45)
assert enc(P + "s") == "raw"
r("SET", P + "s", "abc")
r("APPEND", P + "s", "d")                            # embstr is read-only: modified -> raw
assert enc(P + "s") == "raw"
r("SET", P + "s", 10)
assert r("INCRBYFLOAT", P + "s", "0.5") == "10.5"    # result is a new object built by createStringObject
assert enc(P + "s") == "embstr"
print("string: 12345->int, 20 digits (> 2^63-1)->embstr, 44 bytes->embstr, 45 bytes->raw, "
      "APPEND on embstr->raw, INCRBYFLOAT 10+0.5->embstr")

# ---- hash: listpack until entries > hash-max-*-entries or a value > hash-max-*-value ----
h_entries = cfg("hash-max-%s-entries" % COMPACT)
h_value = cfg("hash-max-%s-value" % COMPACT)
args = []
for i in range(h_entries):
    args += ["f%d" % i, "v"]
r("HSET", P + "h", *args)
assert enc(P + "h") == COMPACT
r("HSET", P + "h", "one-more", "v")
assert enc(P + "h") == "hashtable"
r("HDEL", P + "h", "one-more", "f0", "f1")
assert enc(P + "h") == "hashtable"                    # never converts back
r("DEL", P + "h")
r("HSET", P + "h", "f", "x" * h_value)
assert enc(P + "h") == COMPACT
r("HSET", P + "h", "g", "x" * (h_value + 1))
assert enc(P + "h") == "hashtable"
print("hash: %d fields->%s, %d->hashtable; value %d bytes->%s, %d->hashtable"
      % (h_entries, COMPACT, h_entries + 1, h_value, COMPACT, h_value + 1))

# ---- zset: listpack until zset-max-*-entries / value, then skiplist (+ dict) ----------
z_entries = cfg("zset-max-%s-entries" % COMPACT)
z_value = cfg("zset-max-%s-value" % COMPACT)
args = []
for i in range(z_entries):
    args += [i, "m%d" % i]
r("ZADD", P + "z", *args)
assert enc(P + "z") == COMPACT
r("ZADD", P + "z", 999, "extra")
assert enc(P + "z") == "skiplist"
r("DEL", P + "z")
r("ZADD", P + "z", 1, "m" * (z_value + 1))
assert enc(P + "z") == "skiplist"
print("zset: %d members->%s, %d->skiplist; a %d-byte member->skiplist"
      % (z_entries, COMPACT, z_entries + 1, z_value + 1))

# ---- set: intset for integers only, up to set-max-intset-entries --------------------
s_int = cfg("set-max-intset-entries")
s_lp = cfg("set-max-listpack-entries")                # exists from 7.2 on
r("SADD", P + "set", *range(s_int))
assert enc(P + "set") == "intset"
r("SADD", P + "set", s_int)
assert enc(P + "set") == "hashtable"
r("DEL", P + "set")
r("SADD", P + "set", 1, 2, 3)
assert enc(P + "set") == "intset"
r("SADD", P + "set", "apple")
small_nonint = "listpack" if s_lp is not None else "hashtable"
assert enc(P + "set") == small_nonint
print("set: %d ints->intset, %d->hashtable; adding 'apple' to {1,2,3}->%s%s"
      % (s_int, s_int + 1, small_nonint, "" if s_lp else " (no set listpack before 7.2)"))

# ---- list: quicklist of listpack nodes; 7.2+ also has a plain listpack for small lists ----
lsize = cfg("list-max-%s-size" % COMPACT)
r("RPUSH", P + "l", "a", "b")
small = enc(P + "l")
r("RPUSH", P + "l", *(["x" * 100] * 100))              # ~10 KB > 8 KB node limit (size -2)
big = enc(P + "l")
assert big == "quicklist"
assert small == ("listpack" if ver >= (7, 2) else "quicklist")
print("list: list-max-%s-size=%d; 2 items->%s, 100 x 100 bytes->%s" % (COMPACT, lsize, small, big))
r("DEL", *keys)
