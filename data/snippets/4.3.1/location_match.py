# caption: 把一段 nginx 配置解析成树，按 nginx 规则（= 精确、^~ 最长前缀、正则按顺序、最后最长前缀）选 location，并算出 root/alias 与 proxy_pass 改写后的路径
# point: Nginx静态文件的配置
import re

CONF = r"""
# a small nginx.conf fragment
http {
    upstream api_backend {
        server 127.0.0.1:8081 weight=3;
        server 127.0.0.1:8082;
        keepalive 32;
    }
    server {
        listen 80;
        server_name shop.example;
        root /srv/www;

        location = /healthz        { return 200; }
        location /                 { try_files $uri $uri/ /index.html; }
        location /static/          { alias /data/assets/; expires 7d; }
        location ^~ /img/          { root /data; }
        location ~* \.(png|jpe?g|gif)$ { root /data/thumbs; }
        location ~ ^/api/v[0-9]+/  { proxy_pass http://api_backend; }
        location /api/             { proxy_pass http://api_backend/; }
        location /downloads/       { root /data; }
    }
}
"""


def tokenize(text):
    text = re.sub(r"#[^\n]*", "", text)
    return re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+', text)


def parse(tokens, i=0):
    """Return (list of nodes, next index). A node is (name, args, children or None)."""
    nodes, words = [], []
    while i < len(tokens):
        t = tokens[i]
        if t == ";":
            nodes.append((words[0], words[1:], None))
            words = []
        elif t == "{":
            children, i = parse(tokens, i + 1)
            nodes.append((words[0], words[1:], children))
            words = []
        elif t == "}":
            assert not words, f"missing ';' after {words}"
            return nodes, i
        else:
            words.append(t)
        i += 1
    assert not words
    return nodes, i


tree, _ = parse(tokenize(CONF))
http = tree[0]
server = next(c for c in http[2] if c[0] == "server")
upstream = next(c for c in http[2] if c[0] == "upstream")
locations = [c for c in server[2] if c[0] == "location"]
print(f"parsed: http -> upstream {upstream[1][0]} ({sum(1 for c in upstream[2] if c[0] == 'server')} servers), "
      f"server with {len(locations)} locations")
assert len(locations) == 8


def match(uri):
    """nginx ngx_http_core_find_location order, for one level of locations."""
    exact, prefixes, regexes = {}, [], []
    for _, args, body in locations:
        if args[0] == "=":
            exact[args[1]] = (args, body)
        elif args[0] == "^~":
            prefixes.append((args[1], True, args, body))
        elif args[0] in ("~", "~*"):
            flags = re.IGNORECASE if args[0] == "~*" else 0
            regexes.append((re.compile(args[1], flags), args, body))
        else:
            prefixes.append((args[0], False, args, body))
    if uri in exact:                                           # 1. exact match wins at once
        return exact[uri]
    best = max((p for p in prefixes if uri.startswith(p[0])), key=lambda p: len(p[0]), default=None)
    if best and best[1]:                                       # 2. longest prefix is ^~: no regex check
        return best[2], best[3]
    for rx, args, body in regexes:                             # 3. first matching regex, config order
        if rx.search(uri):
            return args, body
    if best:                                                   # 4. fall back to the longest prefix
        return best[2], best[3]
    return None


def directive(body, name):
    return next((c[1] for c in body if c[0] == name), None)


def file_path(uri, args, body):
    """root appends the whole URI; alias replaces the matched location prefix."""
    alias, root = directive(body, "alias"), directive(body, "root") or directive(server[2], "root")
    if alias:
        return alias[0] + uri[len(args[-1]):]
    return root[0].rstrip("/") + uri


def upstream_uri(uri, args, body):
    """proxy_pass with a URI part replaces the location prefix; without one the URI is passed as is."""
    target = directive(body, "proxy_pass")[0]
    m = re.match(r"https?://[^/]+(/.*)?$", target)
    if m.group(1) is None:
        return uri
    return m.group(1) + uri[len(args[-1]):]


cases = [
    ("/healthz", "= /healthz"),
    ("/healthz/x", "/"),                       # exact means exact
    ("/", "/"),
    ("/about.html", "/"),
    ("/static/app.js", "/static/"),
    ("/static/logo.PNG", "~* \\.(png|jpe?g|gif)$"),   # regex beats a plain prefix
    ("/img/logo.png", "^~ /img/"),             # ^~ stops the regex search
    ("/downloads/a.jpg", "~* \\.(png|jpe?g|gif)$"),
    ("/downloads/a.zip", "/downloads/"),
    ("/api/v2/users", "~ ^/api/v[0-9]+/"),     # regex before the longer prefix /api/
    ("/api/users", "/api/"),
    ("/API/v2/users", "/"),                    # ~ is case-sensitive, prefixes are too (on Linux)
]
print(f"{'URI':<20} {'location':<28} result")
for uri, want in cases:
    args, body = match(uri)
    got = " ".join(args)
    if directive(body, "proxy_pass"):
        result = "upstream " + upstream_uri(uri, args, body)
    elif directive(body, "return"):
        result = "return " + directive(body, "return")[0]
    else:
        result = "file " + file_path(uri, args, body)
    print(f"{uri:<20} {got:<28} {result}")
    assert got == want, (uri, got, want)

# the path arithmetic people get wrong
assert file_path("/static/app.js", *match("/static/app.js")) == "/data/assets/app.js"      # alias
assert file_path("/img/logo.png", *match("/img/logo.png")) == "/data/img/logo.png"         # root
assert file_path("/about.html", *match("/about.html")) == "/srv/www/about.html"            # inherited root
assert upstream_uri("/api/users", *match("/api/users")) == "/users"                        # proxy_pass .../
assert upstream_uri("/api/v2/users", *match("/api/v2/users")) == "/api/v2/users"           # no URI part
print("all location decisions match nginx's rules")
