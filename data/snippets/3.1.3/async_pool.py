# caption: 异步请求池（create / commit / callback / destroy）：一个 selectors 事件线程同时跑手写 RESP 的 Redis 请求、手写 RFC 1035 报文的 DNS 查询和 HTTP 请求，断言每个回调恰好触发一次且结果正确
# point: King式四元组,create, commit, callback,destroy
# needs: redis
# timeout: 30
import errno
import heapq
import http.server
import itertools
import os
import queue
import selectors
import socket
import struct
import threading
import time

REDIS = (os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1"),
         int(os.environ.get("ATLAS_REDIS_PORT", "6379")))
PREFIX = f"async_pool:{os.getpid()}:"          # unique per run, deleted at the end


# ============================== protocol codecs ==============================
# Each codec turns a request into bytes and parses the reply incrementally:
# parse(buf, req_id) -> the result when complete, or INCOMPLETE when more bytes are needed.
INCOMPLETE = object()

class RedisError(Exception):
    pass


NIL = object()                                     # RESP nil bulk string ($-1)


def resp_encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def resp_parse(buf, pos=0):
    """Parse one RESP2 value starting at pos. Returns (value, new_pos) or None."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return None
    kind, line = buf[pos:pos + 1], buf[pos + 1:end]
    pos = end + 2
    if kind == b"+":
        return line.decode(), pos
    if kind == b"-":
        return RedisError(line.decode()), pos
    if kind == b":":
        return int(line), pos
    if kind == b"$":
        n = int(line)
        if n == -1:
            return NIL, pos
        if len(buf) < pos + n + 2:
            return None
        return buf[pos:pos + n], pos + n + 2
    if kind == b"*":
        n = int(line)
        items = []
        for _ in range(n):
            r = resp_parse(buf, pos)
            if r is None:
                return None
            items.append(r[0])
            pos = r[1]
        return items, pos
    raise ValueError("bad RESP type %r" % kind)


class RedisCodec:
    transport = "tcp"

    def __init__(self, *args):
        self.args = args

    def encode(self, req_id):
        return resp_encode(*self.args)

    def parse(self, buf, req_id):
        r = resp_parse(buf)
        if r is None:
            return INCOMPLETE
        return None if r[0] is NIL else r[0]


QTYPE_A, QTYPE_CNAME, QCLASS_IN = 1, 5, 1


def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def dns_read_name(msg, pos):
    """Read a possibly compressed name (RFC 1035 4.1.4). Returns (name, pos after it)."""
    labels, jumped, end, hops = [], False, pos, 0
    while True:
        n = msg[pos]
        if n & 0xC0 == 0xC0:                      # pointer: 14-bit offset from message start
            if not jumped:
                end = pos + 2
            pos = ((n & 0x3F) << 8) | msg[pos + 1]
            jumped, hops = True, hops + 1
            assert hops < 20, "compression loop"
            continue
        if n == 0:
            return ".".join(labels), (end if jumped else pos + 1)
        labels.append(msg[pos + 1:pos + 1 + n].decode())
        pos += 1 + n


class DnsCodec:
    transport = "udp"

    def __init__(self, name, server):
        self.name, self.server = name, server

    def encode(self, req_id):
        # header: id, flags (RD=1), qdcount=1, an/ns/ar=0 ; question: qname, qtype A, qclass IN
        header = struct.pack("!HHHHHH", req_id, 0x0100, 1, 0, 0, 0)
        return header + dns_name(self.name) + struct.pack("!HH", QTYPE_A, QCLASS_IN)

    def parse(self, msg, req_id):
        if len(msg) < 12:
            return INCOMPLETE
        qid, flags, qd, an, _, _ = struct.unpack("!HHHHHH", msg[:12])
        if qid != req_id or not flags & 0x8000:   # not our answer: keep waiting
            return INCOMPLETE
        rcode = flags & 0x000F
        pos = 12
        for _ in range(qd):
            _, pos = dns_read_name(msg, pos)
            pos += 4
        result = {"rcode": rcode, "A": [], "CNAME": []}
        for _ in range(an):
            _, pos = dns_read_name(msg, pos)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[pos:pos + 10])
            pos += 10
            if rtype == QTYPE_A:
                result["A"].append(socket.inet_ntoa(msg[pos:pos + 4]))
            elif rtype == QTYPE_CNAME:
                result["CNAME"].append(dns_read_name(msg, pos)[0])
            pos += rdlen
        return result


class HttpCodec:
    transport = "tcp"

    def __init__(self, path, host):
        self.path, self.host = path, host

    def encode(self, req_id):
        return (f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"User-Agent: async-pool\r\nConnection: close\r\n\r\n").encode()

    def parse(self, buf, req_id):
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            return INCOMPLETE
        lines = buf[:head_end].decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip()
                   for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(headers.get("content-length", "0"))
        body = buf[head_end + 4:]
        if len(body) < n:
            return INCOMPLETE
        return status, body[:n]


# ============================== the async request pool ==============================
class Request:
    def __init__(self, rid, codec, addr, callback, timeout):
        self.id, self.codec, self.addr, self.cb = rid, codec, addr, callback
        self.deadline = time.monotonic() + timeout
        self.sock = None
        self.out = b""
        self.buf = b""
        self.done = False


class AsyncPool:
    """King-style 4-tuple: create() / commit() / callback (called on the loop thread) / destroy()."""

    def __init__(self):                                   # create
        self.sel = selectors.DefaultSelector()            # epoll on Linux
        self.rfd, self.wfd = socket.socketpair()          # wakes the loop on commit/destroy
        self.rfd.setblocking(False)
        self.sel.register(self.rfd, selectors.EVENT_READ, None)
        self.inbox = queue.SimpleQueue()
        self.timers = []                                  # (deadline, seq, request) min-heap
        self.seq = itertools.count()
        self.inflight = {}
        self.ids = itertools.count(1)
        self.running = True
        self.thread = threading.Thread(target=self._loop, name="async-loop", daemon=True)
        self.thread.start()

    def commit(self, codec, addr, callback, timeout=2.0):
        """Thread-safe: hand the request to the loop thread and return at once."""
        req = Request(next(self.ids) & 0xFFFF, codec, addr, callback, timeout)
        self.inbox.put(req)
        self.wfd.send(b"x")
        return req.id

    def destroy(self):
        self.running = False
        self.wfd.send(b"q")
        self.thread.join(5)
        assert not self.thread.is_alive()
        for req in list(self.inflight.values()):
            self._finish(req, error=RuntimeError("pool destroyed"))
        self.sel.close()
        self.rfd.close()
        self.wfd.close()

    # ---------------- loop-thread side ----------------
    def _start(self, req):
        udp = req.codec.transport == "udp"
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
        s.setblocking(False)
        req.sock, req.out = s, req.codec.encode(req.id)
        self.inflight[req.id] = req
        heapq.heappush(self.timers, (req.deadline, next(self.seq), req))
        if udp:
            s.connect(req.addr)                           # only fixes the peer, no handshake
            s.send(req.out)
            req.out = b""
            self.sel.register(s, selectors.EVENT_READ, req)
        else:
            err = s.connect_ex(req.addr)                  # non-blocking connect
            assert err in (0, errno.EINPROGRESS), err
            self.sel.register(s, selectors.EVENT_WRITE, req)

    def _finish(self, req, result=None, error=None):
        if req.done:
            return
        req.done = True
        self.inflight.pop(req.id, None)
        try:
            self.sel.unregister(req.sock)
        except (KeyError, ValueError):
            pass
        req.sock.close()
        req.cb(req.id, result, error)                      # the callback

    def _on_event(self, req, mask):
        if mask & selectors.EVENT_WRITE:
            err = req.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return self._finish(req, error=OSError(err, os.strerror(err)))
            sent = req.sock.send(req.out)
            req.out = req.out[sent:]
            if not req.out:
                self.sel.modify(req.sock, selectors.EVENT_READ, req)
            return
        try:
            data = req.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError as e:                              # e.g. ICMP port unreachable on UDP
            return self._finish(req, error=e)
        if req.codec.transport == "udp":
            res = req.codec.parse(data, req.id)           # one datagram = one message
        else:
            if not data:
                return self._finish(req, error=ConnectionError("peer closed early"))
            req.buf += data
            res = req.codec.parse(req.buf, req.id)
        if res is not INCOMPLETE:
            if isinstance(res, RedisError):
                self._finish(req, error=res)
            else:
                self._finish(req, result=res)

    def _loop(self):
        while self.running:
            timeout = 0.5
            if self.timers:
                timeout = max(0.0, min(timeout, self.timers[0][0] - time.monotonic()))
            for key, mask in self.sel.select(timeout):
                if key.data is None:                      # wake-up: drain commits
                    try:
                        self.rfd.recv(4096)
                    except BlockingIOError:
                        pass
                    while True:
                        try:
                            self._start(self.inbox.get_nowait())
                        except queue.Empty:
                            break
                else:
                    self._on_event(key.data, mask)
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, req = heapq.heappop(self.timers)
                if not req.done:
                    self._finish(req, error=TimeoutError("request timed out"))


# ============================== local test servers ==============================
ZONE = {"www.atlas.test": ("CNAME", "edge.atlas.test"),
        "edge.atlas.test": ("A", ["10.0.0.7", "10.0.0.8"]),
        "db.atlas.test": ("A", ["10.0.1.5"])}
DROP = {"slow.atlas.test"}                                  # never answered -> client timeout


def dns_server(sock, stop):
    sock.settimeout(0.1)
    while not stop.is_set():
        try:
            msg, peer = sock.recvfrom(512)
        except socket.timeout:
            continue
        qid, flags, qd = struct.unpack("!HHH", msg[:6])
        qname, pos = dns_read_name(msg, 12)
        question = msg[12:pos + 4]
        if qname in DROP:
            continue
        answers, name, off = [], qname, 12                 # 12 = offset of qname (0xC00C)
        while name in ZONE:
            kind, val = ZONE[name]
            if kind == "CNAME":
                rdata = dns_name(val)
                answers.append(struct.pack("!HHHIH", 0xC000 | off, QTYPE_CNAME, QCLASS_IN, 300,
                                           len(rdata)) + rdata)
                name = val
                # the CNAME target sits in the previous RR's rdata; compute its offset
                off = 12 + len(question) + sum(len(a) for a in answers) - len(rdata)
            else:
                for ip in val:
                    answers.append(struct.pack("!HHHIH", 0xC000 | off, QTYPE_A, QCLASS_IN, 60, 4)
                                   + socket.inet_aton(ip))
                break
        rcode = 0 if answers else 3                         # 3 = NXDOMAIN
        hdr = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0)
        sock.sendto(hdr + question + b"".join(answers), peer)


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello {self.path}".encode()
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# ============================== demo ==============================
def main():
    stop = threading.Event()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    dns_addr = udp.getsockname()
    threading.Thread(target=dns_server, args=(udp, stop), daemon=True).start()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    http_addr = httpd.server_address
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    print(f"redis {REDIS[0]}:{REDIS[1]}, dns udp {dns_addr[1]}, http {http_addr[1]} (ports by OS)")

    results, lock, batch_done = {}, threading.Lock(), threading.Event()
    target, problems = [0], []

    def callback(rid, result, error):                    # runs on the loop thread
        with lock:                                       # record problems; main asserts on them
            if threading.current_thread().name != "async-loop":
                problems.append(f"#{rid} ran on {threading.current_thread().name}")
            if rid in results:
                problems.append(f"#{rid} callback fired twice")
            results[rid] = (result, error)
            if len(results) == target[0]:
                batch_done.set()

    pool = AsyncPool()                                    # create

    def run_batch(items):
        """Commit every item at once, wait for all callbacks, check each result."""
        with lock:
            target[0] = len(results) + len(items)
            batch_done.clear()
        ids = [pool.commit(codec, addr, callback, timeout)
               for _, codec, addr, _, timeout in items]
        assert batch_done.wait(10), f"only {len(results)} of {target[0]} callbacks fired"
        for (label, _, _, check, _), rid in zip(items, ids):
            r, e = results[rid]
            assert check(r, e), (label, r, e)
        return ids

    key, counter = PREFIX + "greeting", PREFIX + "n"
    run_batch([("DEL", RedisCodec("DEL", key, counter), REDIS, lambda r, e: e is None, 2)])

    batch = [
        ("PING", RedisCodec("PING"), REDIS, lambda r, e: r == "PONG", 2),
        ("SET", RedisCodec("SET", key, "hi"), REDIS, lambda r, e: r == "OK", 2),
        ("INCRBY", RedisCodec("INCRBY", counter, 41), REDIS, lambda r, e: r == 41, 2),
        ("GET missing", RedisCodec("GET", PREFIX + "nope"), REDIS,
         lambda r, e: r is None and e is None, 2),
        ("bad command", RedisCodec("NOSUCHCMD"), REDIS,
         lambda r, e: isinstance(e, RedisError) and "unknown command" in str(e).lower(), 2),
        ("A www (CNAME)", DnsCodec("www.atlas.test", dns_addr), dns_addr,
         lambda r, e: r["rcode"] == 0 and r["CNAME"] == ["edge.atlas.test"]
         and r["A"] == ["10.0.0.7", "10.0.0.8"], 2),
        ("A db", DnsCodec("db.atlas.test", dns_addr), dns_addr,
         lambda r, e: r["A"] == ["10.0.1.5"], 2),
        ("A nxdomain", DnsCodec("nope.atlas.test", dns_addr), dns_addr,
         lambda r, e: r["rcode"] == 3 and r["A"] == [], 2),
        ("A dropped", DnsCodec("slow.atlas.test", dns_addr), dns_addr,
         lambda r, e: isinstance(e, TimeoutError), 0.3),
        ("HTTP /hello", HttpCodec("/hello", "127.0.0.1"), http_addr,
         lambda r, e: r == (200, b"hello /hello"), 2),
        ("HTTP /missing", HttpCodec("/missing", "127.0.0.1"), http_addr,
         lambda r, e: r is not None and r[0] == 404, 2),
    ]
    shown = len(batch)
    for i in range(20):                                   # a burst: many requests in flight at once
        if i % 2:
            batch.append((f"burst {i}", DnsCodec("db.atlas.test", dns_addr), dns_addr,
                          lambda r, e: e is None and r["A"] == ["10.0.1.5"], 2))
        else:
            batch.append((f"burst {i}", RedisCodec("PING"), REDIS,
                          lambda r, e: e is None and r == "PONG", 2))
    t0 = time.monotonic()
    ids = run_batch(batch)
    elapsed = time.monotonic() - t0
    for (label, *_), rid in list(zip(batch, ids))[:shown]:
        r, e = results[rid]
        print(f"  #{rid:<3} {label:14s} -> {(e if e is not None else r)!r:.62}")
    print(f"  ... plus 20 mixed Redis/DNS requests in flight at the same time")

    rid, = run_batch([("GET back", RedisCodec("GET", key), REDIS, lambda r, e: r == b"hi", 2)])
    print(f"  #{rid:<3} GET {key} -> {results[rid][0]!r} (written by the SET above)")
    run_batch([("cleanup", RedisCodec("DEL", key, counter), REDIS, lambda r, e: r == 2, 2)])
    print(f"{len(results)} callbacks, each exactly once, all on thread 'async-loop'; "
          f"the batch of {len(batch)} took {elapsed * 1000:.0f} ms (one of them waits for a 300 ms timeout)")
    pool.destroy()                                        # destroy
    assert not pool.inflight
    assert not problems, problems
    stop.set()
    httpd.shutdown()
    httpd.server_close()
    udp.close()
    print("destroy: loop thread joined, no request left in flight")
    print("all checks passed")


if __name__ == "__main__":
    main()
