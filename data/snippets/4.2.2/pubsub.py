# caption: 用手写 RESP 客户端演示 SUBSCRIBE/PSUBSCRIBE：另一个连接 PUBLISH，核对推送消息与订阅计数
# point: 特殊协议操作订阅发布
# timeout: 20
# needs: redis
import os
import socket

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))
P = "pubsub_demo:"          # channel prefix, so concurrent runs do not collide


class RespError(str):
    pass


class Incomplete(Exception):
    pass


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else str(a).encode() if isinstance(a, int) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def parse(buf, pos):
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
            return None, pos
        if len(buf) < pos + n + 2:
            raise Incomplete
        return bytes(buf[pos:pos + n]).decode(), pos + n + 2   # text channels/payloads here
    if kind == b"*":
        n = int(line)
        if n == -1:
            return None, pos
        items = []
        for _ in range(n):
            item, pos = parse(buf, pos)
            items.append(item)
        return items, pos
    raise ValueError(kind)


class Conn:
    def __init__(self):
        self.sock = socket.create_connection((HOST, PORT), timeout=5)
        self.buf = bytearray()

    def send(self, *args):
        self.sock.sendall(encode(*args))

    def read(self):
        for _ in range(10000):
            try:
                value, pos = parse(self.buf, 0)
                del self.buf[:pos]
                return value
            except Incomplete:
                data = self.sock.recv(65536)       # socket timeout bounds the wait
                if not data:
                    raise ConnectionError
                self.buf += data
        raise RuntimeError

    def call(self, *args):
        self.send(*args)
        return self.read()


sub, pub = Conn(), Conn()
chat, tech, sport, pattern = P + "chat", P + "news.tech", P + "news.sport", P + "news.*"

# SUBSCRIBE answers once per channel: [kind, channel, number of subscriptions of THIS client]
sub.send("SUBSCRIBE", chat, tech)
assert sub.read() == ["subscribe", chat, 1]
assert sub.read() == ["subscribe", tech, 2]
assert sub.call("PSUBSCRIBE", pattern) == ["psubscribe", pattern, 3]   # patterns count too
print("subscribed: 2 channels + 1 pattern -> count 3")

# PUBLISH returns how many deliveries it made
assert pub.call("PUBLISH", chat, "hi") == 1
assert sub.read() == ["message", chat, "hi"]
print("PUBLISH chat       -> 1 receiver; push:", ["message", "chat", "hi"])

# news.tech matches the channel AND the pattern: same client gets it twice, count 2
assert pub.call("PUBLISH", tech, "t1") == 2
assert sub.read() == ["message", tech, "t1"]               # channel subscribers first
assert sub.read() == ["pmessage", pattern, tech, "t1"]     # then pattern subscribers
print("PUBLISH news.tech  -> 2 deliveries (message + pmessage)")

assert pub.call("PUBLISH", sport, "s1") == 1
assert sub.read() == ["pmessage", pattern, sport, "s1"]
print("PUBLISH news.sport -> 1 delivery via the pattern only")

assert pub.call("PUBLISH", P + "nobody", "lost") == 0      # fire and forget: no storage
print("PUBLISH to a channel nobody listens on -> 0, message is dropped")

# In RESP2 a subscribed connection accepts only a few commands
assert sub.call("PING") == ["pong", ""]
err = sub.call("GET", "x")
assert isinstance(err, RespError) and "only" in err
print("subscribed mode: PING ->", ["pong", ""], "; GET ->", err[:34] + "...")

# UNSUBSCRIBE with no arguments leaves every channel; counts drop to what is left
sub.send("UNSUBSCRIBE")
r1, r2 = sub.read(), sub.read()
assert {r1[1], r2[1]} == {chat, tech} and [r1[2], r2[2]] == [2, 1]
assert sub.call("PUNSUBSCRIBE") == ["punsubscribe", pattern, 0]
assert sub.call("SET", P + "k", "back") == "OK"            # count 0: normal mode again
assert sub.call("DEL", P + "k") == 1
print("unsubscribed: counts 2, 1, 0; the connection is a normal client again")
sub.sock.close()
pub.sock.close()
