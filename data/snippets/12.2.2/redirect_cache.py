# caption: 301 与 302 经过真实 Nginx 缓存（proxy_cache）：各请求 10 次，数一数到达短链接源站的次数——带 max-age 的 301 只回源 1 次（点击统计随之丢失），302 每次都回源；不带缓存头的 301 Nginx 也不缓存（它不做启发式新鲜度），带 max-age 的 302 同样被缓存：决定缓存的是 Cache-Control
# point: 301 与 302 重定向
# timeout: 40
# needs: nginx
import http.server
import os
import signal
import socket
import subprocess
import threading
import time

NGINX = os.environ.get("ATLAS_NGINX", "nginx")
HERE = os.getcwd()
os.chmod(HERE, 0o755)                                   # nginx workers may run unprivileged
hits = {}
ROUTES = {                                              # path -> (status, extra headers)
    "/301-maxage": (301, {"Cache-Control": "public, max-age=3600"}),
    "/301-plain": (301, {}),
    "/302-plain": (302, {}),
    "/302-maxage": (302, {"Cache-Control": "max-age=3600"}),   # explicit freshness makes a 302 cacheable too
}


class Origin(http.server.BaseHTTPRequestHandler):
    """The shortener itself: counts every request that reaches it (the click counter)."""

    def do_GET(self):
        hits[self.path] = hits.get(self.path, 0) + 1
        status, headers = ROUTES[self.path]
        self.send_response(status)
        self.send_header("Location", "https://example.com/some/long/page")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    head = dict(l.split(": ", 1) for l in lines[1:])
    return int(lines[0].split()[1]), head


origin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Origin)
threading.Thread(target=origin.serve_forever, daemon=True).start()
port = free_port()
os.makedirs("tmp", exist_ok=True)
temps = "".join(f"    {k}_temp_path tmp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
with open("nginx.conf", "w") as f:
    f.write(f"""worker_processes 1;
pid nginx.pid;
error_log error.log;
events {{ worker_connections 64; }}
http {{
{temps}    proxy_cache_path {HERE}/cache keys_zone=links:1m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{origin.server_address[1]};
            proxy_cache links;                  # no proxy_cache_valid: freshness comes from the origin's headers
            add_header X-Cache $upstream_cache_status always;
        }}
    }}
}}
""")
proc = subprocess.Popen([NGINX, "-p", HERE, "-c", f"{HERE}/nginx.conf", "-g", "daemon off;"])
try:
    for _ in range(100):
        assert proc.poll() is None, "nginx exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    for path in ROUTES:
        seen = [get(port, path) for _ in range(10)]
        status, head = seen[-1]
        caches = [h.get("X-Cache", "-") for _, h in seen]
        print(f"{path:<12} {status} Cache-Control={head.get('Cache-Control', '(none)'):<22} "
              f"origin hits {hits[path]:>2}/10  X-Cache: {caches[0]}, then {caches[-1]}")
        assert status == ROUTES[path][0] and head["Location"] == "https://example.com/some/long/page"
    assert hits == {"/301-maxage": 1, "/301-plain": 10, "/302-plain": 10, "/302-maxage": 1}
finally:
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    origin.shutdown()
