# caption: 在 nginx 与自写的 Python FastCGI 应答器之间逐字节看记录：BEGIN_REQUEST 的 8 字节头与 flags、PARAMS 的名值对、STDIN 的分块；fastcgi_keep_conn 开启后两个 HTTP 请求复用同一条 FastCGI 连接
# point: nginx与fastcgi如何通信
# timeout: 30
# needs: nginx
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request

TYPES = {1: "BEGIN_REQUEST", 3: "END_REQUEST", 4: "PARAMS", 5: "STDIN", 6: "STDOUT"}
log, conns = [], []


def recv_exact(c, n):
    buf = b""
    while len(buf) < n:
        part = c.recv(n - len(buf))
        assert part, "nginx closed the FastCGI connection"
        buf += part
    return buf


def pairs(data):
    out, i = {}, 0
    while i < len(data):
        lens = []
        for _ in range(2):                                   # 1-byte length, or 4 bytes with the high bit set
            if data[i] >> 7:
                lens.append(struct.unpack(">I", data[i:i + 4])[0] & 0x7FFFFFFF)
                i += 4
            else:
                lens.append(data[i])
                i += 1
        out[data[i:i + lens[0]].decode()] = data[i + lens[0]:i + lens[0] + lens[1]].decode()
        i += lens[0] + lens[1]
    return out


def serve(listener):
    c, _ = listener.accept()
    conns.append(c)
    for _ in range(2):                                       # two requests on this one connection
        params, body = b"", b""
        while True:
            hdr = recv_exact(c, 8)
            ver, typ, rid, clen, pad = struct.unpack(">BBHHBx", hdr)
            content = recv_exact(c, clen + pad)[:clen]
            log.append((TYPES.get(typ, typ), rid, clen, hdr.hex(" "), content[:8].hex(" ")))
            if typ == 4:
                params += content
            elif typ == 5:
                if clen == 0:
                    break
                body += content
        env = pairs(params)
        out = f"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n{env['REQUEST_METHOD']} {len(body)}".encode()
        c.sendall(struct.pack(">BBHHBx", 1, 6, rid, len(out), 0) + out + struct.pack(">BBHHBx", 1, 6, rid, 0, 0)
                  + struct.pack(">BBHHBx", 1, 3, rid, 8, 0) + struct.pack(">IB3x", 0, 0))
        log.append(("params", sorted(env)))


scratch = tempfile.mkdtemp()
os.chmod(scratch, 0o755)
sock_path = f"{scratch}/fcgi.sock"
ls = socket.socket(socket.AF_UNIX)
ls.bind(sock_path)
os.chmod(sock_path, 0o777)
ls.listen(4)
ls.settimeout(10)
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
with open(f"{scratch}/nginx.conf", "w") as f:
    f.write(f"""worker_processes 1; pid nginx.pid; error_log stderr error; events {{ worker_connections 64; }}
http {{ access_log off; client_body_temp_path body; fastcgi_temp_path fcgi; proxy_temp_path proxy;
  uwsgi_temp_path uwsgi; scgi_temp_path scgi;
  upstream app {{ server unix:{sock_path}; keepalive 4; }}
  server {{ listen 127.0.0.1:{port};
    location / {{ fastcgi_pass app; fastcgi_keep_conn on; fastcgi_pass_request_headers off;
      fastcgi_param REQUEST_METHOD $request_method; fastcgi_param CONTENT_LENGTH $content_length;
      fastcgi_param REQUEST_URI $request_uri; }} }} }}
""")
ng = subprocess.Popen([os.environ.get("ATLAS_NGINX", "nginx"), "-p", scratch, "-e", "stderr", "-c",
                       f"{scratch}/nginx.conf", "-g", "daemon off;"])
try:
    t = threading.Thread(target=serve, args=(ls,), daemon=True)
    t.start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # ignore any http_proxy
    r1 = direct.open(f"http://127.0.0.1:{port}/a", timeout=5).read()
    r2 = direct.open(urllib.request.Request(f"http://127.0.0.1:{port}/b", data=os.urandom(100_000)),
                                timeout=5).read()
    t.join(5)
    for entry in log:
        if entry[0] == "params":
            print("  PARAMS names:", entry[1])
        else:
            print(f"  {entry[0]:<13} id={entry[1]} len={entry[2]:<5} header=[{entry[3]}] content[:8]=[{entry[4]}]")
    print("responses:", r1, r2, "| FastCGI connections accepted:", len(conns))
    assert r1 == b"GET 0" and r2 == b"POST 100000" and len(conns) == 1
    begin = [e for e in log if e[0] == "BEGIN_REQUEST"]
    assert all(e[4].split()[2] == "01" for e in begin)         # flags = FCGI_KEEP_CONN
    assert sum(e[2] for e in log if e[0] == "STDIN") == 100_000
finally:
    ng.terminate()
    ng.wait(5)
    shutil.rmtree(scratch)
