# caption: 在真实 Nginx 上验证 location 匹配顺序（= 精确、^~ 最长前缀、~/~* 正则按书写顺序、最后最长前缀），并用真实文件和一个小后端看 root 与 alias、try_files、expires、proxy_pass 带不带 URI 的改写
# point: Nginx静态文件的配置
# timeout: 40
# needs: nginx
import http.server
import os
import re
import signal
import socket
import subprocess
import threading
import time

NGINX = os.environ.get("ATLAS_NGINX", "nginx")
HERE = os.getcwd()
os.chmod(HERE, 0o755)   # run as root, nginx workers drop to an unprivileged user: they must reach the files

# (modifier, pattern) in the order they are written; every one answers with its own name
LOCATIONS = [("=", "/healthz"), ("", "/"), ("", "/static/"), ("^~", "/img/"), ("~*", r"\.(png|jpe?g|gif)$"),
             ("~", r"^/api/v[0-9]+/"), ("~", r"/v[0-9]+/"), ("", "/api/"), ("", "/downloads/")]


def rule(uri):
    """The selection rule, written down: compare its answer with the real server's."""
    if any(m == "=" and p == uri for m, p in LOCATIONS):
        return ("=", uri)
    prefixes = [(m, p) for m, p in LOCATIONS if m in ("", "^~") and uri.startswith(p)]
    best = max(prefixes, key=lambda x: len(x[1]), default=None)     # remember the longest prefix
    if best and best[0] == "^~":
        return best                                                 # ^~: do not try regexes
    for m, p in LOCATIONS:                                          # regexes in written order, first wins
        if m in ("~", "~*") and re.search(p, uri, re.I if m == "~*" else 0):
            return (m, p)
    return best


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend(http.server.BaseHTTPRequestHandler):      # shows the URI nginx forwarded
    def do_GET(self):
        body = f"backend saw {self.path}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def put(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def get(port, uri):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {uri} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = dict(l.split(": ", 1) for l in lines[1:])
    return int(lines[0].split()[1]), headers, body.decode()


p1, p2 = free_port(), free_port()
backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
threading.Thread(target=backend.serve_forever, daemon=True).start()
put(f"{HERE}/www/index.html", "spa index\n")
put(f"{HERE}/data/assets/app.js", "app.js from data/assets\n")
put(f"{HERE}/data/img/logo.png", "logo from data/img\n")
put(f"{HERE}/data/thumbs/photos/cat.jpg", "cat from data/thumbs\n")
named = "\n".join(f'        location {m} {p} {{ return 200 "{i}"; }}'.replace("location  ", "location ")
                  for i, (m, p) in enumerate(LOCATIONS))   # "$" in a pattern would be a variable: answer the index
temps = "".join(f"    {k}_temp_path tmp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
os.makedirs("tmp", exist_ok=True)
with open("nginx.conf", "w") as f:
    f.write(f"""worker_processes 1;
pid nginx.pid;
error_log error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    default_type text/plain;
{temps}    upstream api_backend {{ server 127.0.0.1:{backend.server_address[1]}; }}
    server {{                      # 1: every location answers with its own name
        listen 127.0.0.1:{p1};
{named}
    }}
    server {{                      # 2: real files and proxying
        listen 127.0.0.1:{p2};
        root {HERE}/www;
        location /          {{ try_files $uri $uri/ /index.html; }}
        location /static/   {{ alias {HERE}/data/assets/; expires 7d; }}
        location ^~ /img/   {{ root {HERE}/data; }}
        location ~* \\.(png|jpe?g|gif)$ {{ root {HERE}/data/thumbs; }}
        location ~ ^/api/v[0-9]+/ {{ proxy_pass http://api_backend; }}
        location /api/      {{ proxy_pass http://api_backend/; }}
    }}
}}
""")
proc = subprocess.Popen([NGINX, "-p", HERE, "-c", f"{HERE}/nginx.conf", "-g", "daemon off;"])
try:
    for _ in range(100):
        assert proc.poll() is None, "nginx exited: see its stderr above"
        try:
            socket.create_connection(("127.0.0.1", p2), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    print("URI                 nginx answered          rule() says")
    for uri in ["/healthz", "/healthz/", "/other", "/static/app.js", "/static/logo.PNG", "/img/logo.png",
                "/api/users", "/api/v2/users", "/api/V2/users", "/x/v3/y", "/downloads/a.zip", "/downloads/a.png"]:
        status, _, body = get(p1, uri)
        body = " ".join(LOCATIONS[int(body)]).strip()
        want = " ".join(rule(uri)).strip()
        print(f"{uri:19s} {body:23s} {want}")
        assert status == 200 and body == want, (uri, body, want)

    print("\nserver 2: files and proxying")
    cases = [("/static/app.js", "app.js from data/assets"),     # alias: /static/ replaced by the alias path
             ("/img/logo.png", "logo from data/img"),           # root: root + the full URI, ^~ beat the regex
             ("/photos/cat.jpg", "cat from data/thumbs"),       # regex location with its own root
             ("/no/such/route", "spa index"),                   # try_files falls back to /index.html
             ("/api/users", "backend saw /users"),              # proxy_pass with a URI: prefix replaced
             ("/api/v2/users", "backend saw /api/v2/users")]    # proxy_pass without a URI: passed unchanged
    for uri, want in cases:
        status, headers, body = get(p2, uri)
        extra = f"  Cache-Control: {headers['Cache-Control']}" if "Cache-Control" in headers else ""
        print(f"  {uri:17s} -> {body.strip()}{extra}")
        assert status == 200 and body.strip() == want, (uri, body)
        if uri.startswith("/static/"):
            assert headers["Cache-Control"] == "max-age=604800"     # expires 7d
    assert get(p2, "/static/missing.js")[0] == 404              # alias has no try_files: a plain 404
finally:
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    backend.shutdown()
