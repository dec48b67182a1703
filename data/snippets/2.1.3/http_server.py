# caption: 在 selectors 事件循环上用 recvbuffer/sendbuffer 封装 HTTP/1.1：http.client 长连接、chunked 请求、urllib、流水线请求与 400 都得到正确响应
# point: reactor sendbuffer与recvbuffer封装http协议
# timeout: 30
import http.client
import selectors
import socket
import threading
import urllib.error
import urllib.request

# ---------------------------------------------------------------- the FSM parser (same as http_fsm.py)
MAX_LINE = 8192          # RFC 9112 recommends supporting request lines of at least 8000 octets
MAX_HEADERS = 100
HEXDIG = set(b"0123456789abcdefABCDEF")
TOKEN = set(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class BadRequest(Exception):
    pass


class Request:
    def __init__(self):
        self.method = self.target = self.version = None
        self.headers = []          # list of (lower-case name, value)
        self.body = bytearray()

    def header(self, name):
        vals = [v for n, v in self.headers if n == name]
        return vals[0] if vals else None

    def key(self):
        return (self.method, self.target, self.version, tuple(self.headers), bytes(self.body))


class RequestParser:
    """Incremental HTTP/1.1 request parser.

    feed() may be called with any slice of the byte stream; it returns the
    requests completed by that slice. All state lives in self.state plus a
    small amount of per-state data, so a request can be split anywhere."""

    # states
    REQUEST_LINE, HEADER_LINE, BODY_FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER = range(7)
    NAMES = ["REQUEST_LINE", "HEADER_LINE", "BODY_FIXED", "CHUNK_SIZE", "CHUNK_DATA",
             "CHUNK_DATA_END", "TRAILER"]

    def __init__(self, trace=None):
        self.buf = bytearray()
        self.state = self.REQUEST_LINE
        self.req = Request()
        self.remaining = 0
        self.trace = trace

    def _goto(self, state):
        if self.trace is not None and (not self.trace or self.trace[-1] != self.NAMES[state]):
            self.trace.append(self.NAMES[state])
        self.state = state

    def _line(self):
        """Pop one CRLF-terminated line from the buffer, or None if incomplete."""
        i = self.buf.find(b"\r\n")
        if i < 0:
            if len(self.buf) > MAX_LINE:
                raise BadRequest("line too long")
            return None
        if i > MAX_LINE:
            raise BadRequest("line too long")
        line = bytes(self.buf[:i])
        del self.buf[:i + 2]
        return line

    def feed(self, data):
        self.buf += data
        done = []
        while True:
            if self.state == self.REQUEST_LINE:
                line = self._line()
                if line is None:
                    break
                if line == b"":
                    continue  # RFC 9112 2.2: ignore empty lines before a request line
                parts = line.split(b" ")
                if len(parts) != 3 or not parts[0] or not set(parts[0]) <= TOKEN:
                    raise BadRequest("bad request line %r" % line)
                if parts[2] not in (b"HTTP/1.1", b"HTTP/1.0"):
                    raise BadRequest("bad version")
                self.req.method, self.req.target, self.req.version = (p.decode("latin-1") for p in parts)
                self._goto(self.HEADER_LINE)
            elif self.state in (self.HEADER_LINE, self.TRAILER):
                line = self._line()
                if line is None:
                    break
                if line == b"":
                    if self.state == self.TRAILER:
                        done.append(self._finish())
                    else:
                        self._headers_done(done)
                    continue
                if line[:1] in (b" ", b"\t"):
                    raise BadRequest("obsolete line folding")
                name, colon, value = line.partition(b":")
                if not colon or not name or not set(name) <= TOKEN:
                    raise BadRequest("bad header line %r" % line)  # also rejects "Name :"
                if self.state == self.HEADER_LINE:
                    if len(self.req.headers) >= MAX_HEADERS:
                        raise BadRequest("too many headers")
                    self.req.headers.append((name.decode().lower(), value.strip(b" \t").decode("latin-1")))
            elif self.state == self.BODY_FIXED:
                take = min(self.remaining, len(self.buf))
                self.req.body += self.buf[:take]
                del self.buf[:take]
                self.remaining -= take
                if self.remaining:
                    break
                done.append(self._finish())
            elif self.state == self.CHUNK_SIZE:
                line = self._line()
                if line is None:
                    break
                size_txt = line.split(b";", 1)[0].rstrip(b" \t")   # drop chunk extensions
                if not size_txt or not set(size_txt) <= HEXDIG or len(size_txt) > 15:
                    raise BadRequest("bad chunk size %r" % line)
                size = int(size_txt, 16)
                if size == 0:
                    self._goto(self.TRAILER)
                else:
                    self.remaining = size
                    self._goto(self.CHUNK_DATA)
            elif self.state == self.CHUNK_DATA:
                take = min(self.remaining, len(self.buf))
                self.req.body += self.buf[:take]
                del self.buf[:take]
                self.remaining -= take
                if self.remaining:
                    break
                self._goto(self.CHUNK_DATA_END)
            elif self.state == self.CHUNK_DATA_END:
                if len(self.buf) < 2:
                    break
                if self.buf[:2] != b"\r\n":
                    raise BadRequest("chunk not followed by CRLF")
                del self.buf[:2]
                self._goto(self.CHUNK_SIZE)
        return done

    def _headers_done(self, done):
        r = self.req
        if r.version == "HTTP/1.1" and len([1 for n, _ in r.headers if n == "host"]) != 1:
            raise BadRequest("HTTP/1.1 needs exactly one Host")
        te = r.header("transfer-encoding")
        cls = {v for n, v in r.headers if n == "content-length"}
        if te is not None and cls:
            raise BadRequest("both Transfer-Encoding and Content-Length (smuggling risk)")
        if te is not None:
            if te.lower() != "chunked":
                raise BadRequest("unsupported transfer coding")
            self._goto(self.CHUNK_SIZE)
        elif cls:
            if len(cls) != 1 or not set(next(iter(cls))) <= set("0123456789") or not next(iter(cls)):
                raise BadRequest("bad Content-Length")
            self.remaining = int(next(iter(cls)))
            if self.remaining == 0:
                done.append(self._finish())
            else:
                self._goto(self.BODY_FIXED)
        else:
            done.append(self._finish())   # requests without framing have no body

    def _finish(self):
        r = self.req
        self.req = Request()
        self._goto(self.REQUEST_LINE)
        return r



# ---------------------------------------------------------------- the server
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}
BIG = bytes(range(256)) * 1024          # 256 KiB: larger than the socket send buffer


class HttpConn:
    def __init__(self, server, sock):
        self.server, self.sock = server, sock
        self.parser = RequestParser()       # holds the recv buffer and parse state
        self.wbuf = bytearray()             # serialized responses not yet sent
        self.close_after = False
        self.served = 0
        server.sel.register(sock, selectors.EVENT_READ, self)

    def on_read(self):
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionError:
            data = b""
        if not data:
            return self.close()
        try:
            reqs = self.parser.feed(data)
        except BadRequest as e:
            self.respond(400, str(e).encode(), keep_alive=False)
            reqs = []
        for r in reqs:                      # pipelined requests: answer in order
            if self.close_after:
                break
            self.served += 1
            self.server.requests += 1
            conn_hdr = (r.header("connection") or "").lower()
            keep = conn_hdr != "close" and (r.version == "HTTP/1.1" or conn_hdr == "keep-alive")
            status, body = self.server.route(self, r)
            self.respond(status, body, keep)
        self.flush()

    def respond(self, status, body, keep_alive):
        head = (f"HTTP/1.1 {status} {REASONS[status]}\r\n"
                f"Content-Type: application/octet-stream\r\n"
                f"Content-Length: {len(body)}\r\n"
                f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n").encode()
        self.wbuf += head + body
        if not keep_alive:
            self.close_after = True

    def flush(self):
        while self.wbuf:
            try:
                n = self.sock.send(self.wbuf)
            except BlockingIOError:
                break
            except ConnectionError:
                return self.close()
            if n < len(self.wbuf):
                self.server.partial_writes += 1
            del self.wbuf[:n]
        if self.wbuf:                       # kernel full: wait for EPOLLOUT
            self.server.sel.modify(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, self)
        else:
            if self.close_after:
                return self.close()
            self.server.sel.modify(self.sock, selectors.EVENT_READ, self)

    def on_write(self):
        self.flush()

    def close(self):
        self.server.sel.unregister(self.sock)
        self.sock.close()
        self.server.closed += 1


class Server:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.lst = socket.socket()
        self.lst.bind(("127.0.0.1", 0))
        self.lst.listen(128)
        self.lst.setblocking(False)
        self.sel.register(self.lst, selectors.EVENT_READ, None)
        self.port = self.lst.getsockname()[1]
        self.accepted = self.closed = self.requests = self.partial_writes = 0
        self.stop = False

    def route(self, conn, r):
        if r.method == "GET" and r.target == "/hello":
            return 200, b"hello #%d on this connection" % conn.served
        if r.method == "POST" and r.target == "/echo":
            return 200, bytes(r.body)
        if r.method == "GET" and r.target == "/big":
            return 200, BIG
        return 404, b"no route for " + r.target.encode()

    def serve(self):
        for _ in range(100000):             # bounded event loop
            if self.stop:
                break
            for key, mask in self.sel.select(0.05):
                if key.data is None:
                    try:
                        s, _ = self.lst.accept()
                    except BlockingIOError:
                        continue
                    s.setblocking(False)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
                    self.accepted += 1
                    HttpConn(self, s)
                    continue
                conn = key.data
                if mask & selectors.EVENT_READ:
                    conn.on_read()
                if mask & selectors.EVENT_WRITE and conn.sock.fileno() != -1:
                    conn.on_write()
        self.sel.close()
        self.lst.close()


def main():
    srv = Server()
    th = threading.Thread(target=srv.serve)
    th.start()
    try:
        # 1) http.client: several requests over ONE keep-alive connection
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        c.request("GET", "/hello")
        r = c.getresponse()
        assert r.status == 200 and r.read() == b"hello #1 on this connection"
        c.request("POST", "/echo", body=b"payload-123")
        r = c.getresponse()
        assert r.read() == b"payload-123"
        c.request("POST", "/echo", body=iter([b"chunked ", b"request ", b"body"]))  # -> Transfer-Encoding: chunked
        r = c.getresponse()
        assert r.read() == b"chunked request body"
        c.request("GET", "/big")
        r = c.getresponse()
        assert r.read() == BIG and r.getheader("Connection") == "keep-alive"
        c.request("GET", "/hello")
        r = c.getresponse()
        assert r.read() == b"hello #5 on this connection"
        c.close()
        assert srv.accepted == 1
        print("http.client: 5 requests (GET, POST, chunked POST, 256 KiB GET, GET) on 1 connection")

        # 2) urllib: sends "Connection: close", so the server closes after replying
        with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/hello", timeout=10) as resp:
            assert resp.status == 200 and resp.read() == b"hello #1 on this connection"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/nope", timeout=10)
            raise AssertionError("404 expected")
        except urllib.error.HTTPError as e:
            assert e.code == 404
            e.close()
        print("urllib: GET /hello -> 200, GET /nope -> 404 (Connection: close)")

        # 3) pipelining: three requests in one TCP write, answers must come in order
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                      b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nping"
                      b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            raw = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                raw += chunk
        bodies = [part.split(b"\r\n\r\n", 1)[1] for part in raw.split(b"HTTP/1.1 200 OK\r\n")[1:]]
        assert bodies == [b"hello #1 on this connection", b"ping", b"hello #3 on this connection"], bodies
        print("pipelined: 3 requests in one write -> 3 responses in order, then close")

        # 4) malformed request -> 400 and close
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n")
            raw = s.recv(4096)
            assert raw.startswith(b"HTTP/1.1 400 ") and s.recv(4096) == b""
        print("bad header 'Host : x' -> 400 Bad Request, connection closed")
    finally:
        srv.stop = True
        th.join(10)
    print(f"server: {srv.accepted} connections, {srv.requests} requests, "
          f"partial writes seen: {srv.partial_writes > 0}")
    assert srv.accepted == 5 and srv.requests == 10 and srv.partial_writes > 0
    print("OK")


if __name__ == "__main__":
    main()
