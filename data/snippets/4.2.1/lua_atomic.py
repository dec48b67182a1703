# caption: Lua 脚本把“读-判断-写”变成一个原子操作；同时演示脚本出错时已执行的写不会回滚
# point: lua脚本解决ACID原子性
# timeout: 20
# needs: redis
import threading
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


P = "lua_atomic:"
STOCK = P + "stock"
r = Redis()
r("DEL", STOCK, P + "a", P + "h")

# 1. two clients doing GET ... SET interleave and lose an update
a, b = Redis(), Redis()
r("SET", STOCK, 10)
va = int(a("GET", STOCK))
vb = int(b("GET", STOCK))          # B reads before A writes
a("SET", STOCK, va - 1)
b("SET", STOCK, vb - 1)
assert r("GET", STOCK) == "9"      # two items sold, stock dropped by one
print("GET/SET from two clients: sold 2, stock 10 -> 9 (lost update)")

# 2. the same logic as one script: nothing runs between its GET and its DECRBY
BUY = """
local stock = tonumber(redis.call('GET', KEYS[1]))
if stock >= tonumber(ARGV[1]) then
  return redis.call('DECRBY', KEYS[1], ARGV[1])
end
return -1
"""
sha = r("SCRIPT", "LOAD", BUY)
r("SET", STOCK, 100)
ok, sold_out = [0] * 4, [0] * 4


def buyer(i):
    c = Redis()
    for _ in range(30):
        if c("EVALSHA", sha, 1, STOCK, 1) >= 0:
            ok[i] += 1
        else:
            sold_out[i] += 1


threads = [threading.Thread(target=buyer, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join(15)
assert sum(ok) == 100 and sum(sold_out) == 20 and r("GET", STOCK) == "0"
print("4 threads x 30 Lua buys on stock 100: %d ok, %d sold out, stock 0" % (sum(ok), sum(sold_out)))

# 3. atomic is not 'all or nothing': an error stops the script, earlier writes stay
r("HSET", P + "h", "f", "v")
FAIL = "redis.call('SET', KEYS[1], 'written'); redis.call('INCR', KEYS[2]); return 'never'"
err = r("EVAL", FAIL, 2, P + "a", P + "h")
assert isinstance(err, RespError) and "WRONGTYPE" in err
assert r("GET", P + "a") == "written"
print("script error after a SET ->", err.split(" script:")[0][:40] + "...; SET kept (no rollback)")

# redis.pcall returns the error as a value so the script can decide what to do
PCALL = "local e = redis.pcall('INCR', KEYS[1]); if type(e) == 'table' and e.err then return 'caught' end; return 'no'"
assert r("EVAL", PCALL, 1, P + "h") == "caught"

# 4. Redis 7.0 Functions: named, persisted and replicated scripts called with FCALL
version = dict(l.split(":", 1) for l in r("INFO", "server").split("\r\n") if ":" in l)["redis_version"]
if int(version.split(".")[0]) >= 7:
    body = BUY.replace("KEYS", "keys").replace("ARGV", "args")      # functions get arguments
    lib = "#!lua name=lua_atomic_lib\nredis.register_function('lua_atomic_buy', function(keys, args)" + body + "end)"
    assert r("FUNCTION", "LOAD", "REPLACE", lib) == "lua_atomic_lib"
    r("SET", STOCK, 1)
    assert r("FCALL", "lua_atomic_buy", 1, STOCK, 1) == 0 and r("FCALL", "lua_atomic_buy", 1, STOCK, 1) == -1
    assert r("FUNCTION", "DELETE", "lua_atomic_lib") == "OK"
    print("Redis %s: FUNCTION LOAD + FCALL lua_atomic_buy -> 0 then -1" % version)
r("DEL", STOCK, P + "a", P + "h")
