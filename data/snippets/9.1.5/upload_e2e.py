# caption: 端到端：浏览器式 multipart 上传经真实 nginx（FastCGI）到 Python 业务程序，内容存成 FastDFS 式路径、元数据写入真实 MariaDB；另一用户同 MD5 秒传；下载由 nginx 直接读文件
# point: 云盘文件上传,下载功能实现
# timeout: 60
# needs: nginx, mariadb
import email.parser
import email.policy
import hashlib
import json
import os
import shutil
import socket
import socketserver
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request

DB = ["mariadb", "-h", os.environ.get("ATLAS_MYSQL_HOST", "127.0.0.1"), "-P", os.environ.get("ATLAS_MYSQL_PORT", "3306"),
      "-u", os.environ.get("ATLAS_MYSQL_USER", "root"), os.environ.get("ATLAS_MYSQL_DATABASE", "atlas"),
      "--batch", "--raw", "-N"] + ([f"-p{os.environ['ATLAS_MYSQL_PASSWORD']}"] if os.environ.get("ATLAS_MYSQL_PASSWORD") else [])
REC = struct.Struct(">BBHHBx")


def sql(script):
    r = subprocess.run(DB, input=script, capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines()]


def q(s):
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


def handle(env, body):                                    # the business logic behind /api/*
    uri = env["REQUEST_URI"]
    if uri == "/api/md5":
        req = json.loads(body)
        n = sql(f"""START TRANSACTION; UPDATE e2e_file SET refs = refs + 1 WHERE md5 = {q(req['md5'])};
INSERT INTO e2e_user_file SELECT {q(req['user'])}, md5, {q(req['name'])} FROM e2e_file WHERE md5 = {q(req['md5'])};
SELECT ROW_COUNT(); COMMIT;""")[0][0]
        return {"code": 0, "instant": True} if n == "1" else {"code": 1, "instant": False}
    if uri == "/api/upload":                              # multipart/form-data, parsed with the email package
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + env["CONTENT_TYPE"].encode() + b"\r\n\r\n" + body)
        form = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
        data, name, user = form["file"].get_payload(decode=True), form["file"].get_filename(), form["user"].get_content().strip()
        md5 = hashlib.md5(data).hexdigest()
        rel = f"{md5[:2].upper()}/{md5[2:4].upper()}/{md5}.{name.rsplit('.', 1)[-1]}"
        os.makedirs(os.path.dirname(f"{STORE}/{rel}"), exist_ok=True)
        with open(f"{STORE}/{rel}", "wb") as f:
            f.write(data)
        sql(f"""START TRANSACTION; INSERT INTO e2e_file VALUES ({q(md5)}, {q('group1/M00/' + rel)}, {len(data)}, 1)
ON DUPLICATE KEY UPDATE refs = refs + 1; INSERT INTO e2e_user_file VALUES ({q(user)}, {q(md5)}, {q(name)}); COMMIT;""")
        return {"code": 0, "url": "/group1/M00/" + rel}
    if uri == "/api/myfiles":
        user = json.loads(body)["user"]
        rows = sql(f"SELECT u.name, f.fdfs_id, f.size FROM e2e_user_file u JOIN e2e_file f USING (md5) WHERE u.user = {q(user)}")
        return {"files": [{"name": n, "url": "/" + i, "size": int(s)} for n, i, s in rows]}
    return {"code": 404}


class FastCGI(socketserver.BaseRequestHandler):
    def handle(self):
        f, params, body = self.request.makefile("rb"), b"", b""
        while True:
            _, typ, rid, clen, pad = REC.unpack(f.read(8))
            content = f.read(clen + pad)[:clen]
            params += content if typ == 4 else b""
            body += content if typ == 5 else b""
            if typ == 5 and clen == 0:
                break
        env, i = {}, 0
        while i < len(params):                           # names and values here are all shorter than 128
            nl, vl = params[i], params[i + 1]
            env[params[i + 2:i + 2 + nl].decode()] = params[i + 2 + nl:i + 2 + nl + vl].decode()
            i += 2 + nl + vl
        out = b"Content-Type: application/json\r\n\r\n" + json.dumps(handle(env, body)).encode()
        self.request.sendall(REC.pack(1, 6, rid, len(out), 0) + out + REC.pack(1, 6, rid, 0, 0) +
                             REC.pack(1, 3, rid, 8, 0) + bytes(8))


d = tempfile.mkdtemp()
os.chmod(d, 0o755)
STORE = f"{d}/store"
os.makedirs(STORE)
sql("""DROP TABLE IF EXISTS e2e_user_file, e2e_file;
CREATE TABLE e2e_file (md5 CHAR(32) PRIMARY KEY, fdfs_id VARCHAR(128) NOT NULL, size BIGINT NOT NULL, refs INT NOT NULL);
CREATE TABLE e2e_user_file (user VARCHAR(64) NOT NULL, md5 CHAR(32) NOT NULL, name VARCHAR(255) NOT NULL,
  PRIMARY KEY (user, name), FOREIGN KEY (md5) REFERENCES e2e_file(md5));""")
app = socketserver.ThreadingUnixStreamServer(f"{d}/app.sock", FastCGI)
os.chmod(f"{d}/app.sock", 0o777)
threading.Thread(target=app.serve_forever, daemon=True).start()
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
with open(f"{d}/nginx.conf", "w") as f:
    f.write(f"""worker_processes 1; pid nginx.pid; error_log stderr error; events {{ worker_connections 64; }}
http {{ access_log off; client_max_body_size 20m; client_body_temp_path body; fastcgi_temp_path fcgi;
  proxy_temp_path proxy; uwsgi_temp_path uwsgi; scgi_temp_path scgi;
  server {{ listen 127.0.0.1:{port};
    location /api/ {{ fastcgi_pass unix:{d}/app.sock; fastcgi_param REQUEST_URI $request_uri;
      fastcgi_param CONTENT_TYPE $content_type; fastcgi_param CONTENT_LENGTH $content_length; }}
    location /group1/M00/ {{ alias {STORE}/; }} }} }}
""")
ng = subprocess.Popen([os.environ.get("ATLAS_NGINX", "nginx"), "-p", d, "-e", "stderr", "-c", f"{d}/nginx.conf",
                       "-g", "daemon off;"])
web = urllib.request.build_opener(urllib.request.ProxyHandler({}))
base = f"http://127.0.0.1:{port}"


def call(path, body, ctype="application/json"):
    req = urllib.request.Request(base + path, body, {"Content-Type": ctype})
    return json.loads(web.open(req, timeout=10).read())


try:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    video = os.urandom(3 << 20)
    md5 = hashlib.md5(video).hexdigest()
    r = call("/api/md5", json.dumps({"user": "alice", "md5": md5, "name": "trip.mp4"}).encode())
    print("alice /api/md5   ->", r)
    assert r["instant"] is False
    b = "----atlas" + os.urandom(8).hex()
    form = (f"--{b}\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nalice\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"trip.mp4\"\r\n"
            f"Content-Type: video/mp4\r\n\r\n").encode() + video + f"\r\n--{b}--\r\n".encode()
    r = call("/api/upload", form, f"multipart/form-data; boundary={b}")
    print(f"alice /api/upload ({len(form)} bytes multipart) ->", r)
    r = call("/api/md5", json.dumps({"user": "bob", "md5": md5, "name": "copy.mp4"}).encode())
    print("bob /api/md5     ->", r, "<- instant, no upload")
    assert r["instant"] is True
    files = call("/api/myfiles", b'{"user": "bob"}')["files"]
    got = web.open(base + files[0]["url"], timeout=10).read()
    print(f"bob lists {[(f['name'], f['size']) for f in files]}; GET {files[0]['url'][:30]}... via nginx: {len(got)} bytes")
    assert got == video and sql(f"SELECT refs FROM e2e_file WHERE md5 = {q(md5)}") == [["2"]]
    assert sum(len(fs) for _, _, fs in os.walk(STORE)) == 1      # one stored copy for two users
finally:
    ng.terminate()
    ng.wait(5)
    app.shutdown()
    app.server_close()
    shutil.rmtree(d)
    sql("DROP TABLE IF EXISTS e2e_user_file, e2e_file")
