# caption: 五种基本类型的常用命令逐条对真实 Redis 断言：string、list、hash、set、zset
# point: string, set,zset,list,hash
# timeout: 20
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
P = "datatypes:"
keys = [P + k for k in ("str", "cnt", "list", "hash", "set1", "set2", "zset")]
r("DEL", *keys)

# string: binary-safe value, counters, TTL, conditional set
assert r("SET", P + "str", "hello") == "OK"
assert r("APPEND", P + "str", " world") == 11
assert r("GETRANGE", P + "str", 0, 4) == "hello"
assert r("SET", P + "str", "other", "NX") is None          # NX fails: key exists -> null
assert r("INCRBY", P + "cnt", 10) == 10 and r("DECR", P + "cnt") == 9
assert r("INCRBYFLOAT", P + "cnt", "0.5") == "9.5"
assert r("EXPIRE", P + "cnt", 100) == 1 and 0 < r("TTL", P + "cnt") <= 100
print("string: APPEND/GETRANGE/SET NX/INCRBY/INCRBYFLOAT/EXPIRE ok")

# list: double-ended, index from both sides, blocking pop has a timeout
assert r("RPUSH", P + "list", "a", "b", "c") == 3
assert r("LPUSH", P + "list", "z") == 4
assert r("LRANGE", P + "list", 0, -1) == ["z", "a", "b", "c"]
assert r("LINDEX", P + "list", -1) == "c"
assert r("LPOP", P + "list") == "z" and r("RPOP", P + "list") == "c"
assert r("LTRIM", P + "list", 0, 0) == "OK" and r("LLEN", P + "list") == 1
assert r("LMOVE", P + "list", P + "list", "LEFT", "RIGHT") == "a"    # 6.2+ (RPOPLPUSH older)
print("list: RPUSH/LPUSH/LRANGE/LINDEX/LPOP/RPOP/LTRIM/LMOVE ok")

# hash: field -> value map inside one key
assert r("HSET", P + "hash", "name", "ann", "age", 30) == 2
assert r("HGET", P + "hash", "name") == "ann"
assert r("HINCRBY", P + "hash", "age", 1) == 31
assert r("HSETNX", P + "hash", "name", "bob") == 0
assert sorted(r("HGETALL", P + "hash")) == sorted(["name", "ann", "age", "31"])  # flat array in RESP2
assert r("HDEL", P + "hash", "age") == 1 and r("HLEN", P + "hash") == 1
print("hash: HSET/HGET/HINCRBY/HSETNX/HGETALL/HDEL ok")

# set: unordered, unique members, set algebra
assert r("SADD", P + "set1", "a", "b", "c", "a") == 3               # duplicate ignored
assert r("SADD", P + "set2", "b", "c", "d") == 3
assert r("SISMEMBER", P + "set1", "a") == 1
assert sorted(r("SINTER", P + "set1", P + "set2")) == ["b", "c"]
assert sorted(r("SUNION", P + "set1", P + "set2")) == ["a", "b", "c", "d"]
assert sorted(r("SDIFF", P + "set1", P + "set2")) == ["a"]
assert r("SCARD", P + "set1") == 3
print("set: SADD(dup ignored)/SISMEMBER/SINTER/SUNION/SDIFF/SCARD ok")

# zset: members ordered by score, ties broken by member bytes
assert r("ZADD", P + "zset", 90, "ann", 75, "bob", 90, "amy", 60, "cid") == 4
assert r("ZRANGE", P + "zset", 0, -1) == ["cid", "bob", "amy", "ann"]
assert r("ZREVRANGE", P + "zset", 0, 1, "WITHSCORES") == ["ann", "90", "amy", "90"]
assert r("ZRANK", P + "zset", "bob") == 1 and r("ZREVRANK", P + "zset", "bob") == 2
assert r("ZINCRBY", P + "zset", 20, "bob") == "95"
assert r("ZRANGEBYSCORE", P + "zset", 80, "+inf") == ["amy", "ann", "bob"]
assert r("ZCOUNT", P + "zset", "(60", 100) == 3                       # '(' = exclusive
assert r("ZSCORE", P + "zset", "zed") is None
print("zset: ZADD/ZRANGE/ZREVRANGE/ZRANK/ZINCRBY/ZRANGEBYSCORE/ZCOUNT ok")
print("leaderboard:", r("ZREVRANGE", P + "zset", 0, -1, "WITHSCORES"))

# the type of a key is fixed until it is deleted
err = r("LPUSH", P + "hash", "x")
assert isinstance(err, RespError) and err.startswith("WRONGTYPE")
print("LPUSH on a hash ->", err)
assert r("DEL", *keys) == 7
print("cleaned up")
