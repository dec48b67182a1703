# caption: 用显式有限状态机增量解析 HTTP/1.1 请求：流水线请求、Content-Length 与 chunked 请求体，在每一个字节边界切开都得到同样结果
# point: 有限状态机fsm解析http
# timeout: 20
import random

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


STREAM = (
    b"GET /index.html?x=1 HTTP/1.1\r\nHost: a.example\r\nUser-Agent: t\r\n\r\n"
    b"POST /form HTTP/1.1\r\nHost: a.example\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 11\r\n\r\nhello world"
    b"POST /up HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5;ext=1\r\nchunk\r\n7\r\ned-body\r\n0\r\nX-Trailer: yes\r\n\r\n"
    b"\r\nGET /last HTTP/1.0\r\n\r\n"
)


def parse_in_pieces(stream, cuts):
    p = RequestParser()
    out = []
    prev = 0
    for c in list(cuts) + [len(stream)]:
        out += p.feed(stream[prev:c])
        prev = c
    assert p.state == p.REQUEST_LINE and not p.buf, "parser must end between requests"
    return [r.key() for r in out]


def main():
    trace = ["REQUEST_LINE"]
    whole = RequestParser(trace)
    reqs = whole.feed(STREAM)
    for r in reqs:
        print(f"{r.method:4s} {r.target:18s} {r.version}  body={bytes(r.body)!r}")
    print("states visited:", " -> ".join(trace))
    assert [r.target for r in reqs] == ["/index.html?x=1", "/form", "/up", "/last"]
    assert bytes(reqs[1].body) == b"hello world" and bytes(reqs[2].body) == b"chunked-body"
    expected = [r.key() for r in reqs]

    # 1) split into two pieces at every possible boundary
    for i in range(len(STREAM) + 1):
        assert parse_in_pieces(STREAM, [i]) == expected, f"split at {i}"
    # 2) one byte at a time
    assert parse_in_pieces(STREAM, range(1, len(STREAM))) == expected
    # 3) random chunkings
    rng = random.Random(2024)
    for _ in range(300):
        cuts = sorted(rng.sample(range(1, len(STREAM)), rng.randint(1, 30)))
        assert parse_in_pieces(STREAM, cuts) == expected
    print(f"{len(STREAM) + 1} two-piece splits, 1 byte-by-byte run, 300 random chunkings: identical")

    bad = {
        b"GET / HTTP/1.1\r\n\r\n": "HTTP/1.1 needs exactly one Host",
        b"GET / HTTP/1.1\r\nHost : x\r\n\r\n": "bad header line",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n": "both",
        b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n": "obsolete line folding",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n": "bad chunk size",
        b"GET /" + b"a" * 9000: "line too long",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc": "bad Content-Length",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n": "bad chunk size",
    }
    for raw, why in bad.items():
        try:
            RequestParser().feed(raw)
            raise AssertionError("accepted: %r" % raw[:40])
        except BadRequest as e:
            assert why in str(e), (why, e)
    print(f"{len(bad)} malformed requests rejected with 400-class errors")
    print("OK")


if __name__ == "__main__":
    main()
