# caption: 用 Python 复刻 nginx 过滤链：按模块初始化顺序串起 top/next 指针，广告过滤模块在跨 ngx_buf_t 切分的 HTML 中 <body> 之后插入广告
# point: Nginx Filter模块运行原理
# timeout: 10
import random


class Buf:                                        # ngx_buf_t (memory buffer only)
    def __init__(self, data, last_buf=False):
        self.data = data                          # bytes between pos and last
        self.last_buf = last_buf                  # last buffer of the whole response


class Chain:                                      # ngx_chain_t: a singly linked list of bufs
    def __init__(self, buf, nxt=None):
        self.buf, self.next = buf, nxt


def chain_of(bufs):
    head = None
    for b in reversed(bufs):
        head = Chain(b, head)
    return head


def bufs_of(cl):
    while cl:
        yield cl.buf
        cl = cl.next


class Request:
    def __init__(self, content_type, body_parts):
        self.headers_out = {"Content-Type": content_type,
                            "Content-Length": str(sum(len(p) for p in body_parts))}
        self.status = 200
        self.ctx = {}                             # per-request module contexts
        self.wire = []                            # what the write filter "sent"
        self.calls = []


top_header_filter = None                          # ngx_http_top_header_filter
top_body_filter = None                            # ngx_http_top_body_filter
AD = b'<div class="ad">Buy one, get one free!</div>'


# ---- terminal filters: header_filter serialises, write_filter "sends" ---------------
def header_filter(r):
    r.calls.append("header")
    lines = ["HTTP/1.1 %d OK" % r.status] + ["%s: %s" % kv for kv in r.headers_out.items()]
    r.wire.append(("\r\n".join(lines) + "\r\n\r\n").encode())
    return 0


def write_body_filter(r, cl):
    r.calls.append("write")
    for b in bufs_of(cl):
        r.wire.append(b.data)
    return 0


def write_init():
    global top_body_filter
    top_body_filter = write_body_filter           # the innermost filter has no next


def header_init():
    global top_header_filter
    top_header_filter = header_filter


# ---- chunked: used when the length is unknown (we removed Content-Length) ----------
def chunked_init():
    global top_header_filter, top_body_filter
    next_header, next_body = top_header_filter, top_body_filter

    def h(r):
        r.calls.append("chunked")
        if "Content-Length" not in r.headers_out:
            r.headers_out["Transfer-Encoding"] = "chunked"
            r.ctx["chunked"] = True
        return next_header(r)

    def b(r, cl):
        r.calls.append("chunked")
        if not r.ctx.get("chunked"):
            return next_body(r, cl)
        out = []
        for buf in bufs_of(cl):
            if buf.data:
                out.append(Buf(b"%x\r\n" % len(buf.data) + buf.data + b"\r\n"))
            if buf.last_buf:
                out.append(Buf(b"0\r\n\r\n", last_buf=True))
        return next_body(r, chain_of(out))

    top_header_filter, top_body_filter = h, b


# ---- the advertisement filter (a third-party module) -------------------------------
def ad_init():
    global top_header_filter, top_body_filter
    next_header, next_body = top_header_filter, top_body_filter   # static ngx_http_next_*

    def h(r):
        r.calls.append("ad")
        if r.status == 200 and r.headers_out["Content-Type"].startswith("text/html"):
            r.ctx["ad"] = {"state": 0, "in_tag": False, "done": False}
            del r.headers_out["Content-Length"]   # body will grow: length unknown now
        return next_header(r)

    def b(r, cl):
        r.calls.append("ad")
        ctx = r.ctx.get("ad")
        if ctx is None or ctx["done"]:
            return next_body(r, cl)
        out = []
        target = b"<body"
        for buf in bufs_of(cl):
            data, start = buf.data, 0
            for i, ch in enumerate(data):         # state survives across buffers
                if ctx["done"]:
                    break
                if ctx["in_tag"]:
                    if ch == ord(">"):            # end of <body ...>: insert right after it
                        out.append(Buf(data[start:i + 1]))
                        out.append(Buf(AD))
                        start, ctx["done"] = i + 1, True
                elif chr(ch).lower() == chr(target[ctx["state"]]):
                    ctx["state"] += 1
                    if ctx["state"] == len(target):
                        ctx["in_tag"] = True
                else:
                    ctx["state"] = 1 if chr(ch).lower() == "<" else 0
            rest = Buf(data[start:], buf.last_buf)
            if rest.last_buf and not ctx["done"]:  # no <body>: append at the end
                out.append(Buf(data[start:]))
                out.append(Buf(AD, last_buf=True))
                ctx["done"] = True
            elif rest.data or rest.last_buf:
                out.append(rest)
        return next_body(r, chain_of(out))

    top_header_filter, top_body_filter = h, b


def passthrough_init(name, header=True, body=True):
    """A module that hooks the header chain, the body chain, or both."""
    def init():
        global top_header_filter, top_body_filter
        next_header, next_body = top_header_filter, top_body_filter

        def h(r):
            r.calls.append(name)
            return next_header(r)

        def b(r, cl):
            r.calls.append(name)
            return next_body(r, cl)

        if header:
            top_header_filter = h
        if body:
            top_body_filter = b
    return init


# postconfiguration is called in ngx_modules[] order; third-party filters sit
# between headers_filter and copy_filter, so they run after copy and before gzip/chunked
MODULES = [("write", write_init), ("header", header_init), ("chunked", chunked_init),
           ("gzip", passthrough_init("gzip")),
           ("headers", passthrough_init("headers", body=False)),       # header only
           ("ad", ad_init),
           ("copy", passthrough_init("copy", header=False)),           # body only
           ("not_modified", passthrough_init("not_modified", body=False))]
for _, init in MODULES:
    init()


def dechunk(body):
    out, pos = b"", 0
    while True:
        end = body.index(b"\r\n", pos)
        n = int(body[pos:end], 16)
        if n == 0:
            return out
        out += body[end + 2:end + 2 + n]
        pos = end + 2 + n + 2


def serve(content_type, parts):
    r = Request(content_type, parts)
    top_header_filter(r)                          # ngx_http_send_header
    header_calls = list(r.calls)
    r.calls.clear()
    bufs = [Buf(p) for p in parts]
    bufs[-1].last_buf = True
    top_body_filter(r, chain_of(bufs))            # ngx_http_output_filter
    head, body = r.wire[0].decode(), b"".join(r.wire[1:])
    return r, header_calls, head, body


HTML = b"<html><head><title>t</title></head><BODY class=\"main\"><p>hello</p></BODY></html>"
r, hcalls, head, body = serve("text/html; charset=utf-8", [HTML[:40], HTML[40:]])
print("init order      :", " -> ".join(n for n, _ in MODULES))
print("header filters  :", " -> ".join(hcalls))
print("body filters    :", " -> ".join(r.calls))
assert hcalls == ["not_modified", "ad", "headers", "gzip", "chunked", "header"]
assert r.calls == ["copy", "ad", "gzip", "chunked", "write"]     # last initialised runs first
print(head.strip().replace("\r\n", " | "))
expected = HTML.replace(b'class="main">', b'class="main">' + AD, 1)
assert "Transfer-Encoding: chunked" in head and "Content-Length" not in head
assert dechunk(body) == expected
print("wire body       :", body[:60], "...")

# the tag may be split anywhere, even across three buffers
rng = random.Random(11)
for cut1 in range(1, len(HTML)):
    cut2 = rng.randrange(cut1, len(HTML) + 1)
    parts = [p for p in (HTML[:cut1], HTML[cut1:cut2], HTML[cut2:]) if p]
    _, _, _, body = serve("text/html", parts)
    assert dechunk(body) == expected, cut1
print("ad inserted correctly for all %d split positions of the HTML" % (len(HTML) - 1))

# no <body> tag: appended at the end; non-HTML passes untouched with its length
_, _, _, body = serve("text/html", [b"<p>frag", b"ment</p>"])
assert dechunk(body) == b"<p>fragment</p>" + AD
r, _, head, body = serve("application/json", [b'{"a":', b'1}'])
assert body == b'{"a":1}' and "Content-Length: 7" in head and "chunked" not in head
print("JSON response untouched: Content-Length kept, no chunked encoding")
