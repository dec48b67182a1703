# caption: MULTI/EXEC 与 WATCH：并发写导致 EXEC 返回 null；运行期错误不回滚、入队错误整体放弃
# point: Redis事务的ACID性质分析
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


P = "transactions:"
K = [P + k for k in ("acct", "k1", "k2", "k3", "balance")]
r = Redis()
r("DEL", *K)

# 1. commands are queued, then executed back to back by EXEC
assert r("MULTI") == "OK"
assert r("SET", P + "acct", 100) == "QUEUED"
assert r("INCRBY", P + "acct", 5) == "QUEUED"
assert r("EXEC") == ["OK", 105]
print("MULTI; SET; INCRBY; EXEC -> ['OK', 105]")

# 2. a runtime error inside EXEC: the other commands still run, nothing is rolled back
r("MULTI")
r("SET", P + "k1", "text")
assert r("INCR", P + "k1") == "QUEUED"              # can't know yet that k1 is not a number
r("SET", P + "k2", "v2")
res = r("EXEC")
assert res[0] == "OK" and isinstance(res[1], RespError) and res[2] == "OK"
assert r("GET", P + "k1") == "text" and r("GET", P + "k2") == "v2"
print("EXEC with a failing INCR ->", ["OK", res[1][:26] + "...", "OK"], "(others applied)")

# 3. an error while queueing (wrong arity) makes EXEC refuse the whole transaction
r("MULTI")
assert isinstance(r("SET", P + "k3"), RespError)
assert r("SET", P + "k3", "x") == "QUEUED"
err = r("EXEC")
assert isinstance(err, RespError) and err.startswith("EXECABORT")
assert r("EXISTS", P + "k3") == 0
print("queue-time error ->", err[:41] + "...; k3 not written")

# 4. WATCH = optimistic lock: a concurrent write to a watched key aborts EXEC
a, b = Redis(), Redis()
a("SET", P + "balance", 100)
assert a("WATCH", P + "balance") == "OK"
bal = int(a("GET", P + "balance"))
assert b("INCRBY", P + "balance", 50) == 150        # another client writes in between
a("MULTI")
a("SET", P + "balance", bal - 30)
a.send("EXEC")
raw = a.f.readline()
assert raw == b"*-1\r\n"                              # null array: transaction discarded
assert a("GET", P + "balance") == "150"
print("WATCH balance; other client INCRBY; EXEC ->", raw, "balance stays 150")

# the usual retry loop: re-read, re-check, re-try until EXEC succeeds
for attempt in range(1, 6):
    a("WATCH", P + "balance")
    bal = int(a("GET", P + "balance"))
    if attempt == 1:
        b("INCRBY", P + "balance", 1)                 # interfere once more
    a("MULTI")
    a("SET", P + "balance", bal - 30)
    if a("EXEC") is not None:
        break
assert attempt == 2 and a("GET", P + "balance") == "121"
print("CAS retry loop: attempt 1 aborted, attempt 2 committed -> balance 121")

# 5. DISCARD drops the queue and the watches
a("WATCH", P + "balance")
a("MULTI")
a("SET", P + "balance", 0)
assert a("DISCARD") == "OK" and a("GET", P + "balance") == "121"
print("DISCARD -> queue dropped, balance 121")
r("DEL", *K)
