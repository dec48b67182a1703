# caption: 用 Redis 做分布式限流：Lua 令牌桶（EVALSHA，时间取自服务器 TIME）被 4 个客户端同时狂刷 1 秒，放行数不超过 突发 + 速率 × 时间；对照“读-改-写”分两步做时两个客户端用 1 个令牌各放行 1 次；有序集合滑动日志在窗口边界只放行限额；INCR+EXPIRE 固定窗口计数
# point: 用 Redis 做分布式限流
# timeout: 30
# needs: redis
import os
import socket
import threading
import time

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


TOKEN_BUCKET = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')                         -- one clock for every client: the server's
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(v[1]) or burst, tonumber(v[2]) or now
tokens = math.min(burst, tokens + (now - ts) * rate / 1000000)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)   -- idle buckets disappear
return ok
"""
RATE, BURST, KEY = 300, 30, "rl:tb:api"
r = Redis()
r("DEL", KEY, "rl:race", "rl:fw", "rl:log")
sha = r("SCRIPT", "LOAD", TOKEN_BUCKET)

admitted, calls = [0] * 4, [0] * 4
stop = time.monotonic() + 1.0


def client(i):
    c = Redis()
    while time.monotonic() < stop:
        admitted[i] += c("EVALSHA", sha, 1, KEY, RATE, BURST)
        calls[i] += 1


t0 = time.monotonic()
threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join(10)
elapsed = time.monotonic() - t0
limit = BURST + RATE * elapsed
print(f"4 clients, {sum(calls)} calls in {elapsed:.2f} s, rate {RATE}/s burst {BURST}: "
      f"admitted {sum(admitted)} (bound {limit:.0f}), per client {admitted}")
assert sum(calls) > 2 * limit                       # demand far above the rate
assert 0.7 * limit < sum(admitted) <= limit + 1

# the same logic as two round trips: both clients read 1 token before either writes
a, b = Redis(), Redis()
r("HSET", "rl:race", "tokens", 1)
ta, tb = float(a("HGET", "rl:race", "tokens")), float(b("HGET", "rl:race", "tokens"))
passed = (ta >= 1) + (tb >= 1)
a("HSET", "rl:race", "tokens", ta - 1), b("HSET", "rl:race", "tokens", tb - 1)
print(f"read-modify-write in two steps: 1 token, {passed} requests passed")
assert passed == 2

# sliding log on a sorted set: one member per admitted request, scores are times; the caller passes the time
# here (virtual ms) so the window boundary is replayed exactly: 100 requests in 0.9-1.0 s, 100 in 1.0-1.1 s
SLIDING_LOG = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
ok = sum(r("EVAL", SLIDING_LOG, 1, "rl:log", 900 + i, 1000, 100, f"req{i}") for i in range(200))
print(f"sliding log (ZSET), limit 100 per 1000 ms, 200 requests in 900-1099 ms: {ok} admitted, "
      f"set holds {r('ZCARD', 'rl:log')} members")
assert ok == 100

# fixed window: INCR the counter of the current second; the first INCR sets its expiry
window = f"rl:fw:{int(time.time())}"
counts = []
for _ in range(8):
    n = r("INCR", window)
    if n == 1:
        r("EXPIRE", window, 2)
    counts.append(n)
allowed = sum(n <= 5 for n in counts)
print(f"fixed window INCR, limit 5: counters {counts} -> {allowed} allowed, TTL {r('TTL', window)} s")
assert counts == list(range(1, 9)) and allowed == 5   # the key names the window, computed once here
r("DEL", KEY, "rl:race", "rl:log", window)
