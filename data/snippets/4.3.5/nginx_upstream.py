# caption: 真实 Nginx 的 upstream 负载均衡：程序自己起 3 个小后端，观察轮询、权重 5:1:1 的平滑加权轮询序列、ip_hash 按 IPv4 前三个字节分组（从 127.0.x.y 不同源地址发请求），以及一个后端停掉后 proxy_next_upstream 换下一个
# point: Nginx Upstream机制的设计与实现
# timeout: 60
# needs: nginx
import collections
import http.server
import os
import signal
import socket
import subprocess
import threading
import time

NGINX = os.environ.get("ATLAS_NGINX", "nginx")
HERE = os.getcwd()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend(name):
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def get(port, uri, src="127.0.0.1"):
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(src, 0)) as s:
        s.sendall(f"GET {uri} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head
    return body.decode()


backends = {n: backend(n) for n in "abc"}
addr = {n: f"127.0.0.1:{b.server_address[1]}" for n, b in backends.items()}
port = free_port()
os.makedirs("tmp", exist_ok=True)
temps = "".join(f"    {k}_temp_path tmp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
with open("nginx.conf", "w") as f:
    f.write(f"""worker_processes 1;          # one worker: the round-robin state is per worker (no zone)
pid nginx.pid;
error_log error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temps}    upstream rr       {{ server {addr['a']}; server {addr['b']}; server {addr['c']}; }}
    upstream weighted {{ server {addr['a']} weight=5; server {addr['b']}; server {addr['c']}; }}
    upstream iphash   {{ ip_hash; server {addr['a']}; server {addr['b']}; server {addr['c']}; }}
    server {{
        listen 127.0.0.1:{port};
        location /rr/ {{ proxy_pass http://rr; }}
        location /w/  {{ proxy_pass http://weighted; }}
        location /ip/ {{ proxy_pass http://iphash; }}
    }}
}}
""")
proc = subprocess.Popen([NGINX, "-p", HERE, "-c", f"{HERE}/nginx.conf", "-g", "daemon off;"])
try:
    for _ in range(100):
        assert proc.poll() is None, "nginx exited: see its stderr above"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)

    rr = "".join(get(port, "/rr/") for _ in range(9))
    print("round robin, 9 requests:        ", " ".join(rr))
    assert sorted(collections.Counter(rr).values()) == [3, 3, 3] and len(set(rr[:3])) == 3

    w = "".join(get(port, "/w/") for _ in range(14))
    print("weights 5:1:1, 14 requests:     ", " ".join(w))
    assert w[:7] == w[7:]                                   # the pattern repeats every 5+1+1 picks
    assert collections.Counter(w[:7]) == {"a": 5, w[2]: 1, w[4]: 1} and w[2] != w[4]
    assert w[:2] == "aa" and w[3] == "a" and w[5:7] == "aa"  # smooth: a a x a y a a, never a a a a a x y

    by_src = {}
    for src in ["127.0.0.1", "127.0.0.2", "127.0.0.200", "127.0.1.1", "127.0.2.1", "127.0.3.1", "127.0.4.1",
                "127.0.5.1", "127.0.6.1", "127.0.7.1"]:
        by_src[src] = get(port, "/ip/", src)
    print("ip_hash by client address:      ", " ".join(f"{s}->{b}" for s, b in by_src.items()))
    same24 = {by_src["127.0.0.1"], by_src["127.0.0.2"], by_src["127.0.0.200"]}
    assert len(same24) == 1                                 # only the first three octets are hashed
    assert all(get(port, "/ip/", s) == b for s, b in by_src.items())   # sticky
    assert len(set(by_src.values())) >= 2                   # other /24s spread over the servers

    backends["c"].shutdown()
    backends["c"].server_close()                            # c now refuses connections
    after = "".join(get(port, "/rr/") for _ in range(9))
    print("round robin with c stopped:     ", " ".join(after))
    assert "c" not in after and set(after) == {"a", "b"}    # every request still got a 200
    with open("error.log") as f:
        refused = [l for l in f if "Connection refused" in l and "upstream" in l]
    print(f"error.log: {len(refused)} 'connect() failed (111: Connection refused) while connecting to upstream'")
    assert 1 <= len(refused) <= 2                           # max_fails=1: c is skipped for fail_timeout=10s
finally:
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for b in backends.values():
        b.shutdown()
