# caption: Tars 式发布（Patch）流程模型：发布包放在补丁服务器（本机 HTTP），节点代理下载、校验 md5、解包、停旧进程、起新进程并做健康检查；先灰度一台，失败就回滚并停止发布
# point: 服务发布管理 Patch
# timeout: 60
import hashlib, http.server, io, os, socket, subprocess, sys, tarfile, threading, time, urllib.request

SERVER = '''import socket, sys
VERSION = {v}
{broken}
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept()
    if c.recv(16) == b"ping":
        c.sendall(b"pong v%d" % VERSION)
    c.close()
'''
os.makedirs("patches", exist_ok=True)
def package(v, broken=False):                      # what "upload a release package" produces
    data = SERVER.format(v=v, broken="raise SystemExit('bad config')" if broken else "").encode()
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w:gz") as t:
        info = tarfile.TarInfo("HelloServer/server.py")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    open(f"patches/HelloServer_v{v}.tgz", "wb").write(bio.getvalue())
    open(f"patches/HelloServer_v{v}.tgz.md5", "w").write(hashlib.md5(bio.getvalue()).hexdigest())
for v in (1, 2):
    package(v)
package(3, broken=True)

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
patchsrv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
threading.Thread(target=patchsrv.serve_forever, daemon=True).start()
BASE = "http://127.0.0.1:%d/patches/" % patchsrv.server_address[1]

class Node:                                        # the node agent (tarsnode's role) for one server
    def __init__(self, name):
        s = socket.socket(); s.bind(("127.0.0.1", 0)); self.port = s.getsockname()[1]; s.close()
        self.name, self.proc, self.version = name, None, None
    def patch(self, v, corrupt=False):
        pkg = urllib.request.urlopen(BASE + f"HelloServer_v{v}.tgz", timeout=5).read()
        md5 = urllib.request.urlopen(BASE + f"HelloServer_v{v}.tgz.md5", timeout=5).read().decode()
        if corrupt:
            pkg = pkg[:-1] + bytes([pkg[-1] ^ 1])
        if hashlib.md5(pkg).hexdigest() != md5:
            return "md5 mismatch, package refused"
        dest = f"{self.name}/v{v}"
        with tarfile.open(fileobj=io.BytesIO(pkg)) as t:
            t.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") else t.extractall(dest)
        self.stop()
        self.proc = subprocess.Popen([sys.executable, f"{dest}/HelloServer/server.py", str(self.port)],
                                     stderr=subprocess.DEVNULL)
        if self.health() != f"pong v{v}":
            return "health check failed"
        self.version = v
        return "ok"
    def health(self):
        for _ in range(100):                       # up to 5 s for the new process to listen
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as c:
                    c.sendall(b"ping")
                    return c.recv(16).decode()
            except OSError:
                if self.proc.poll() is not None:
                    return "exited %d" % self.proc.returncode
                time.sleep(0.05)
    def stop(self):
        if self.proc:
            self.proc.terminate(); self.proc.wait()

def release(nodes, v):                             # canary first; stop and roll back on failure
    for i, n in enumerate(nodes):
        old, res = n.version, n.patch(v)
        print(f"  {'canary' if i == 0 else 'node  '} {n.name}: {old and f'v{old}'} -> v{v}: {res}")
        if res != "ok":
            if res == "health check failed" and old is not None:   # old process was already stopped
                print(f"  rollback {n.name} to v{old}: {n.patch(old)}")
            return False
    return True

nodes = [Node(f"node{i}") for i in range(3)]
try:
    print("deploy v1:"); assert release(nodes, 1)
    print("release v2:"); assert release(nodes, 2)
    print("release v3 (its server exits at start):"); assert not release(nodes, 3)
    versions = [n.health() for n in nodes]
    print("versions now:", versions)
    assert versions == ["pong v2"] * 3              # the bad release never got past the canary
    res = nodes[1].patch(1, corrupt=True)
    print("v1 with one flipped byte:", res)
    assert res.startswith("md5 mismatch") and nodes[1].health() == "pong v2"
finally:
    for n in nodes:
        n.stop()
    patchsrv.shutdown()
print("OK: versioned packages, md5 check, canary first, automatic rollback")
