# caption: 从零实现 RESP2 编码器与流式解析器（任意字节处切分都能解析），再对真实 Redis 做管道化
# point: Redis协议解析
# timeout: 20
# needs: redis
import os
import random
import socket

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))
PREFIX = "resp_client:"


class RespError(str):
    """An error reply ('-ERR ...'). Returned as a value, not raised, so it can sit inside arrays."""


class Incomplete(Exception):
    """The buffer does not yet hold a whole reply."""


NOTHING = object()


def encode(*args):
    """A command is always sent as an array of bulk strings (binary safe)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def parse(buf, pos):
    """Parse one reply starting at buf[pos]; return (value, next_pos) or raise Incomplete."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete
    kind, line, pos = buf[pos:pos + 1], bytes(buf[pos + 1:end]), end + 2
    if kind == b"+":
        return line.decode(), pos
    if kind == b"-":
        return RespError(line.decode()), pos
    if kind == b":":
        return int(line), pos
    if kind == b"$":
        n = int(line)
        if n == -1:
            return None, pos                      # null bulk string
        if len(buf) < pos + n + 2:
            raise Incomplete                      # payload may contain \r\n: use the length
        if buf[pos + n:pos + n + 2] != b"\r\n":
            raise ValueError("bulk string not terminated by CRLF")
        return bytes(buf[pos:pos + n]), pos + n + 2
    if kind == b"*":
        n = int(line)
        if n == -1:
            return None, pos                      # null array
        items = []
        for _ in range(n):                        # nested arrays recurse
            item, pos = parse(buf, pos)
            items.append(item)
        return items, pos
    raise ValueError("unknown RESP type byte %r" % kind)


class Parser:
    def __init__(self):
        self.buf = bytearray()
        self.last_raw = b""

    def feed(self, data):
        self.buf += data

    def get(self):
        try:
            value, pos = parse(self.buf, 0)
        except Incomplete:
            return NOTHING                        # keep the bytes, wait for more
        self.last_raw = bytes(self.buf[:pos])
        del self.buf[:pos]
        return value


class Conn:
    def __init__(self):
        self.sock = socket.create_connection((HOST, PORT), timeout=5)
        self.parser = Parser()

    def read_reply(self):
        for _ in range(100000):
            value = self.parser.get()
            if value is not NOTHING:
                return value
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.parser.feed(data)
        raise RuntimeError("reply too large")

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self.read_reply()

    def pipeline(self, commands):
        self.sock.sendall(b"".join(encode(*c) for c in commands))   # one write
        return [self.read_reply() for _ in commands]                # N replies, same order


# ---- 1. offline: every reply type, the stream cut at every possible byte -------------
STREAM = (b"+OK\r\n-ERR bad thing\r\n:42\r\n:-7\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n"
          b"$0\r\n\r\n$4\r\na\r\nb\r\n*3\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n+y\r\n")
EXPECTED = ["OK", RespError("ERR bad thing"), 42, -7, b"hello", None, None, [],
            b"", b"a\r\nb", [1, [b"x", None], "y"]]


def drain(chunks):
    p, got = Parser(), []
    for c in chunks:
        p.feed(c)
        while (v := p.get()) is not NOTHING:
            got.append(v)
    assert not p.buf
    return got


assert drain([STREAM]) == EXPECTED
assert isinstance(drain([STREAM])[1], RespError)
for cut in range(len(STREAM) + 1):                       # split into two at every byte
    assert drain([STREAM[:cut], STREAM[cut:]]) == EXPECTED
assert drain([STREAM[i:i + 1] for i in range(len(STREAM))]) == EXPECTED   # byte by byte
rng = random.Random(7)
for _ in range(200):                                     # random chunkings
    cuts = sorted(rng.sample(range(1, len(STREAM)), 6))
    parts = [STREAM[a:b] for a, b in zip([0] + cuts, cuts + [len(STREAM)])]
    assert drain(parts) == EXPECTED
print("offline parser: %d replies, all %d two-way splits + byte-by-byte + 200 random OK"
      % (len(EXPECTED), len(STREAM) + 1))
print("encode(SET k v) =", encode("SET", "k", "v"))

# ---- 2. against the real server -----------------------------------------------------
c = Conn()
K = lambda name: PREFIX + name
c.call("DEL", K("s"), K("n"), K("l"), K("cnt"), K("empty"))

assert c.call("SET", K("s"), "hello\r\nworld") == "OK"
print("SET  ->", c.parser.last_raw)
assert c.call("GET", K("s")) == b"hello\r\nworld"          # binary safe: CRLF inside value
print("GET  ->", c.parser.last_raw)
assert c.call("GET", K("missing")) is None
print("GET missing ->", c.parser.last_raw, "(null bulk)")
assert c.call("INCR", K("n")) == 1
print("INCR ->", c.parser.last_raw)
err = c.call("INCR", K("s"))
assert isinstance(err, RespError) and err.startswith("ERR value is not an integer")
print("INCR on text ->", c.parser.last_raw)
assert c.call("RPUSH", K("l"), "a", "b", "c") == 3
assert c.call("LRANGE", K("l"), 0, -1) == [b"a", b"b", b"c"]
print("LRANGE ->", c.parser.last_raw)
assert c.call("BLPOP", K("empty"), "0.01") is None           # timeout -> null array
print("BLPOP timeout ->", c.parser.last_raw, "(null array)")
nested = c.call("EVAL", "return {1, {2, 'x'}, 'y'}", 0)
assert nested == [1, [2, b"x"], b"y"]
print("EVAL nested ->", c.parser.last_raw)
assert isinstance(c.call("NOSUCHCMD"), RespError)

# ---- 3. pipelining: N commands in one write, N replies back in order ----------------
N = 200
replies = c.pipeline([("INCR", K("cnt"))] * N)
assert replies == list(range(1, N + 1))
mixed = c.pipeline([("SET", K("s"), "v"), ("GET", K("s")), ("INCR", K("s")), ("DEL", K("s"))])
assert mixed[:2] == ["OK", b"v"] and isinstance(mixed[2], RespError) and mixed[3] == 1
print("pipeline: %d INCR replies 1..%d in order; an error in the middle does not stop the rest"
      % (N, N))

# ---- 4. RESP3 is opt-in per connection (Redis 6+): HELLO 3 answers with a map '%' ----
raw = socket.create_connection((HOST, PORT), timeout=5)
raw.sendall(encode("HELLO", "3"))
first = raw.recv(65536)
assert first.startswith(b"%"), first[:20]
print("HELLO 3 first line:", first.split(b"\r\n")[0], "(RESP3 map)")
raw.close()

c.call("DEL", K("s"), K("n"), K("l"), K("cnt"))
c.sock.close()
print("done")
