# caption: 用 wrk 压真实 nginx 的三种后端：静态文件、常驻的 FastCGI 应答器（Python）、fcgiwrap 每请求 fork 一个 CGI 脚本；再用 wrk 的 Lua 脚本压 POST JSON 接口
# point: wrk测试接口吞吐量
# timeout: 90
# needs: nginx
import os
import re
import shutil
import socket
import socketserver
import struct
import subprocess
import tempfile
import threading
import time

REC = struct.Struct(">BBHHBx")
posts = []
BODY = '{"user":"alice","md5":"d41d8cd98f00b204e9800998ecf8427e"}'


class FastCGI(socketserver.BaseRequestHandler):      # persistent responder, KEEP_CONN aware
    def handle(self):
        try:
            self.serve()
        except ConnectionResetError:                     # nginx may drop idle keepalive connections
            pass

    def serve(self):
        f = self.request.makefile("rb")
        while True:
            body, method = b"", b""
            while True:
                hdr = f.read(8)
                if len(hdr) < 8:
                    return
                _, typ, rid, clen, pad = REC.unpack(hdr)
                content = f.read(clen + pad)[:clen]
                if typ == 4 and b"POST" in content:
                    method = b"POST"
                if typ == 5:
                    if clen == 0:
                        break
                    body += content
            if method:
                posts.append(len(body))
            out = b"Content-Type: application/json\r\n\r\n{\"code\":0}"
            self.request.sendall(REC.pack(1, 6, rid, len(out), 0) + out + REC.pack(1, 6, rid, 0, 0) +
                                 REC.pack(1, 3, rid, 8, 0) + bytes(8))


def wrk(url, *extra):
    out = subprocess.run(["wrk", "-t1", "-c8", "-d2s", "--latency", *extra, url], capture_output=True, text=True,
                         timeout=30).stdout
    assert "Non-2xx" not in out and "Socket errors" not in out, out
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return rps, p99


d = tempfile.mkdtemp()
os.chmod(d, 0o755)
os.makedirs(f"{d}/www/static")
with open(f"{d}/www/static/a.txt", "wb") as f:
    f.write(b"x" * 4096)
with open(f"{d}/hello.sh", "w") as f:
    f.write("#!/bin/sh\nprintf 'Content-Type: application/json\\r\\n\\r\\n{\"code\":0}'\n")
os.chmod(f"{d}/hello.sh", 0o755)
with open(f"{d}/post.lua", "w") as f:
    f.write(f'wrk.method = "POST"\nwrk.body = \'{BODY}\'\nwrk.headers["Content-Type"] = "application/json"\n')
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
socketserver.ThreadingUnixStreamServer.request_queue_size = 128   # default listen backlog 5 overflows
app = socketserver.ThreadingUnixStreamServer(f"{d}/app.sock", FastCGI)
app.daemon_threads = True
os.chmod(f"{d}/app.sock", 0o777)
threading.Thread(target=app.serve_forever, daemon=True).start()
with open(f"{d}/nginx.conf", "w") as f:
    f.write(f"""worker_processes 1; pid nginx.pid; error_log stderr error; events {{ worker_connections 256; }}
http {{ access_log off; client_body_temp_path body; fastcgi_temp_path fcgi; proxy_temp_path proxy;
  uwsgi_temp_path uwsgi; scgi_temp_path scgi;
  upstream app {{ server unix:{d}/app.sock; keepalive 8; }}
  server {{ listen 127.0.0.1:{port};
    location /static/ {{ root {d}/www; }}
    location = /api {{ fastcgi_pass app; fastcgi_keep_conn on; fastcgi_param REQUEST_METHOD $request_method; }}
    location = /cgi {{ fastcgi_pass unix:{d}/cgi.sock; fastcgi_param SCRIPT_FILENAME {d}/hello.sh;
      fastcgi_param REQUEST_METHOD $request_method; fastcgi_param GATEWAY_INTERFACE CGI/1.1; }} }} }}
""")
procs = [subprocess.Popen(["fcgiwrap", "-s", f"unix:{d}/cgi.sock"], start_new_session=True),
         subprocess.Popen([os.environ.get("ATLAS_NGINX", "nginx"), "-p", d, "-e", "stderr", "-c", f"{d}/nginx.conf",
                           "-g", "daemon off;"])]
try:
    for _ in range(100):
        if os.path.exists(f"{d}/cgi.sock"):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                pass
        time.sleep(0.05)
    os.chmod(f"{d}/cgi.sock", 0o777)
    base = f"http://127.0.0.1:{port}"
    res = {name: wrk(base + path) for name, path in
           (("static 4 KiB file", "/static/a.txt"), ("FastCGI, persistent", "/api"), ("CGI via fcgiwrap", "/cgi"))}
    res["POST JSON (wrk -s)"] = wrk(base + "/api", "-s", f"{d}/post.lua")
    for name, (rps, p99) in res.items():
        print(f"{name:<20} {rps:>9.0f} req/s   p99 {p99}")
    s, a, c = (res[k][0] for k in ("static 4 KiB file", "FastCGI, persistent", "CGI via fcgiwrap"))
    assert s > a and a > 3 * c                         # no process per request is the big win
    assert len(posts) > 100 and set(posts) == {len(BODY)}    # every POST carried the JSON body
    print(f"relations: static/FastCGI = {s / a:.1f}x, FastCGI/CGI = {a / c:.1f}x; POST bodies seen: {len(posts)}")
finally:
    try:
        os.killpg(procs[0].pid, 15)                   # fcgiwrap and any CGI child still running
    except ProcessLookupError:
        pass
    procs[1].terminate()
    for p in procs:
        p.wait(5)
    app.shutdown()
    app.server_close()
    shutil.rmtree(d)
