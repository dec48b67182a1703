# caption: 在真实 Nginx 上看阶段顺序：server 级 return 先于 location 匹配；rewrite ... last 跳回 FIND_CONFIG；rewrite 死循环 10 次后 500；REWRITE 阶段的 return 先于 ACCESS 阶段的 deny；satisfy any 让 allow 或 auth_basic 任一通过即可；LOG 阶段记下最终 URI
# point: http请求的11个处理阶段
# timeout: 40
# needs: nginx
import base64
import os
import signal
import socket
import subprocess
import time

NGINX = os.environ.get("ATLAS_NGINX", "nginx")
HERE = os.getcwd()
os.chmod(HERE, 0o755)       # as root, workers run unprivileged and must read htpasswd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, uri, src="127.0.0.1", auth=None):
    extra = f"Authorization: Basic {base64.b64encode(auth.encode()).decode()}\r\n" if auth else ""
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(src, 0)) as s:
        s.sendall(f"GET {uri} HTTP/1.1\r\nHost: t\r\n{extra}Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split()[1]), body.decode()


port = free_port()
os.makedirs("tmp", exist_ok=True)
with open("htpasswd", "w") as f:
    f.write("alice:{PLAIN}secret\n")                       # nginx also accepts {PLAIN} / {SHA} schemes
temps = "".join(f"    {k}_temp_path tmp/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
with open("nginx.conf", "w") as f:
    f.write(f"""worker_processes 1;
pid nginx.pid;
error_log error.log;
events {{ worker_connections 64; }}
http {{
    default_type text/plain;
    log_format phases '$request_uri -> $uri $status';
    access_log access.log phases;                        # LOG phase: runs last, sees the final $uri
{temps}    server {{
        listen 127.0.0.1:{port};
        if ($arg_early) {{ return 200 "server rewrite phase"; }}     # SERVER_REWRITE: before FIND_CONFIG
        location = /early {{ return 200 "location"; }}
        location /old/    {{ rewrite ^/old/(.*)$ /new/$1 last; }}    # REWRITE, then POST_REWRITE -> FIND_CONFIG
        location /new/    {{ return 200 "new location, uri $uri"; }}
        location /loop/   {{ rewrite ^ /loop/again last; }}          # re-enters FIND_CONFIG until the limit
        location /ret/    {{ deny all; return 200 "return ran before deny"; }}   # REWRITE precedes ACCESS
        location /denied/ {{ deny all; alias {HERE}/; }}             # no return: ACCESS says 403
        location /team/ {{                                           # ACCESS + POST_ACCESS with satisfy any
            satisfy any;
            allow 127.0.0.1; deny all;
            auth_basic "team"; auth_basic_user_file {HERE}/htpasswd;
            alias {HERE}/tmp/;
            try_files /page.txt =404;
        }}
    }}
}}
""")
with open("tmp/page.txt", "w") as f:
    f.write("team page\n")
os.chmod("tmp", 0o755)
proc = subprocess.Popen([NGINX, "-p", HERE, "-c", f"{HERE}/nginx.conf", "-g", "daemon off;"])
try:
    for _ in range(100):
        assert proc.poll() is None, "nginx exited: see its stderr above"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    checks = [
        ("/early?early=1", "127.0.0.1", None, 200, "server rewrite phase"),
        ("/early", "127.0.0.1", None, 200, "location"),
        ("/old/x/y", "127.0.0.1", None, 200, "new location, uri /new/x/y"),
        ("/loop/", "127.0.0.1", None, 500, None),               # 10 internal redirects, then 500
        ("/ret/", "127.0.0.2", None, 200, "return ran before deny"),
        ("/denied/", "127.0.0.1", None, 403, None),
        ("/team/", "127.0.0.1", None, 200, "team page\n"),       # allow passes: no password needed
        ("/team/", "127.0.0.2", None, 401, None),                # neither passes: auth_basic's 401
        ("/team/", "127.0.0.2", "alice:wrong", 401, None),
        ("/team/", "127.0.0.2", "alice:secret", 200, "team page\n"),   # auth passes: enough with any
    ]
    for uri, src, auth, status, body in checks:
        got_status, got_body = get(port, uri, src, auth)
        print(f"{src:10s} {uri:15s} {'auth ' + auth if auth else '':18s} -> {got_status} {got_body.strip()[:30] if got_status == 200 else ''}")
        assert got_status == status and (body is None or got_body == body), (uri, got_status, got_body)
    time.sleep(0.2)
    with open("error.log") as f:
        cycle = [l for l in f if "rewrite or internal redirection cycle" in l]
    print(f"error.log: {cycle[0].split('] ', 1)[1].split(',')[0].strip()}")
    with open("access.log") as f:
        log = f.read().splitlines()
    print("access.log (LOG phase):", "; ".join(log[2:4]))
    assert "/old/x/y -> /new/x/y 200" in log                 # logged after the rewrite: the final URI
finally:
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
