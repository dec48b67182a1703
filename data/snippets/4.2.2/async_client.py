# caption: 手撕异步 Redis 客户端：非阻塞 socket + selectors 事件循环 + 回调队列，三个连接在一个线程里并发
# point: 手撕异步redis协议
# timeout: 20
# needs: redis
import collections
import errno
import os
import selectors
import socket
import time

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))
P = "async_client:"


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
    if kind in (b"$", b"*"):
        n = int(line)
        if n == -1:
            return None, pos
        if kind == b"$":
            if len(buf) < pos + n + 2:
                raise Incomplete
            return bytes(buf[pos:pos + n]).decode(), pos + n + 2
        items = []
        for _ in range(n):
            item, pos = parse(buf, pos)
            items.append(item)
        return items, pos
    raise ValueError(kind)


class Loop:
    """A tiny reactor: one selector, callbacks run on readiness."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()

    def run(self, done, deadline_s=5.0):
        end = time.monotonic() + deadline_s
        while not done() and time.monotonic() < end:          # bounded
            for key, mask in self.sel.select(timeout=0.05):
                key.data.on_event(mask)
        assert done(), "event loop deadline reached"


class AsyncRedis:
    def __init__(self, loop, name, on_push=None):
        self.loop, self.name, self.on_push = loop, name, on_push
        self.sock = socket.socket()
        self.sock.setblocking(False)
        rc = self.sock.connect_ex((HOST, PORT))               # returns at once
        assert rc in (0, errno.EINPROGRESS, errno.EWOULDBLOCK), rc
        self.connected = False
        self.out = bytearray()                                 # pending bytes to write
        self.inbuf = bytearray()
        self.callbacks = collections.deque()                   # FIFO: replies come in order
        self.subscribed = False
        loop.sel.register(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, self)

    def command(self, *args, cb=None):
        """Queue a command; never blocks. cb(reply) runs when its reply arrives."""
        self.out += encode(*args)
        self.callbacks.append(cb or (lambda r: None))
        if args[0].upper() in ("SUBSCRIBE", "PSUBSCRIBE"):
            self.subscribed = True
        self._want_write(True)

    def _want_write(self, on):
        ev = selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0)
        self.loop.sel.modify(self.sock, ev, self)

    def on_event(self, mask):
        if mask & selectors.EVENT_WRITE:
            if not self.connected:                             # writable = connect finished
                err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                assert err == 0, os.strerror(err)
                self.connected = True
            while self.out:
                try:
                    n = self.sock.send(self.out)
                except BlockingIOError:
                    break                                      # kernel buffer full: wait
                del self.out[:n]
            if not self.out:
                self._want_write(False)                        # avoid a busy loop
        if mask & selectors.EVENT_READ:
            while True:
                try:
                    data = self.sock.recv(65536)
                except BlockingIOError:
                    break
                if not data:
                    raise ConnectionError(self.name + ": closed by server")
                self.inbuf += data
            self._dispatch()

    def _dispatch(self):
        while True:
            try:
                reply, pos = parse(self.inbuf, 0)
            except Incomplete:
                return                                         # half a reply: keep it
            del self.inbuf[:pos]
            if (self.subscribed and isinstance(reply, list)
                    and reply[0] in ("message", "pmessage")):
                self.on_push(reply)                            # server push: no callback
            else:
                self.callbacks.popleft()(reply)


loop = Loop()
trace = []
a = AsyncRedis(loop, "A")
b = AsyncRedis(loop, "B")
received = []
s = AsyncRedis(loop, "S", on_push=lambda m: received.append(m[2]))

# 1. commands queued before the TCP connect has even completed
a.command("DEL", P + "k", P + "q")
a.command("SET", P + "k", "10", cb=lambda r: trace.append(("SET", r)))
a.command("INCRBY", P + "k", 5, cb=lambda r: trace.append(("INCRBY", r)))


def after_get(r):
    trace.append(("GET", r))
    a.command("INCR", P + "k", cb=lambda r2: trace.append(("INCR from callback", r2)))


a.command("GET", P + "k", cb=after_get)

# 2. B blocks on BLPOP on the server, but our loop keeps running; A unblocks it
b.command("BLPOP", P + "q", 3, cb=lambda r: trace.append(("BLPOP", r)))
a.command("RPUSH", P + "q", "job-1", cb=lambda r: trace.append(("RPUSH", r)))


# 3. pub/sub on S; once subscribed, A publishes three messages
def subscribed(r):
    trace.append(("SUBSCRIBE", r))
    for i in range(3):
        a.command("PUBLISH", P + "ch", "m%d" % i)


s.command("SUBSCRIBE", P + "ch", cb=subscribed)

loop.run(lambda: len(trace) >= 7 and len(received) == 3)
for item in trace:
    print("%-20s -> %r" % item)
print("pushed to S:", received)

order = [t[0] for t in trace]
assert order.index("SET") < order.index("INCRBY") < order.index("GET") < order.index("INCR from callback")
assert dict(trace)["SET"] == "OK" and dict(trace)["INCRBY"] == 15
assert dict(trace)["GET"] == "15" and dict(trace)["INCR from callback"] == 16
assert dict(trace)["BLPOP"] == [P + "q", "job-1"]
assert dict(trace)["SUBSCRIBE"] == ["subscribe", P + "ch", 1]
assert received == ["m0", "m1", "m2"]
assert not a.callbacks and not b.callbacks and not s.callbacks   # every reply matched

a.command("DEL", P + "k", P + "q", cb=lambda r: trace.append(("cleanup", r)))
loop.run(lambda: trace[-1][0] == "cleanup")
for c in (a, b, s):
    loop.sel.unregister(c.sock)
    c.sock.close()
print("3 connections, 1 thread, all callbacks fired in order")
