# caption: 真实 Redis 7 的 AOF：CONFIG SET appendonly yes 生成 appendonlydir（manifest + base.rdb + incr.aof），解析 manifest、看 incr 文件里的 RESP 命令；BGREWRITEAOF 后序号递增、INFO 的 aof_rewrites 加一；用另一个 redis-server 从这份目录恢复数据；strace 数出三种 appendfsync 下的 fdatasync 次数
# point: 4种持久化方案
# timeout: 60
# needs: redis
import os
import shutil
import signal
import socket
import subprocess
import time

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))


class RespError(str):
    """Error reply, returned as a value (it can appear inside an EXEC array)."""


class Redis:
    """Minimal RESP2 client on a raw socket: arrays of bulk strings out, any reply in."""

    def __init__(self, port=PORT):
        self.sock = socket.create_connection((HOST, port), timeout=5)
        self.f = self.sock.makefile("rb")

    def _read(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return RespError(body.decode())
        if kind == b":":
            return int(body)
        if kind == b"$":
            n = int(body)
            if n == -1:
                return None
            data = self.f.read(n + 2)
            return data[:-2].decode()
        if kind == b"*":
            n = int(body)
            return None if n == -1 else [self._read() for _ in range(n)]
        raise ValueError(line)

    def send(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(parts))

    def __call__(self, *args):
        self.send(*args)
        return self._read()


def info(r, section="persistence"):
    return dict(l.split(":", 1) for l in r("INFO", section).split("\r\n") if ":" in l)


def wait_rewrite(r):
    for _ in range(200):
        i = info(r)
        if i["aof_rewrite_in_progress"] == "0" and i["aof_rewrite_scheduled"] == "0":
            return i
        time.sleep(0.05)
    raise TimeoutError("AOF rewrite did not finish")


def manifest(d):
    """Each line: file <name> seq <n> type <b|i|h> (base, incr, history)."""
    with open(os.path.join(d, "appendonly.aof.manifest")) as f:
        return [dict(zip(p[::2], p[1::2])) for p in (l.split() for l in f if l.strip())]


def settle(d):                                  # history files are deleted right after a rewrite
    for _ in range(100):
        m = manifest(d)
        if all(e["type"] != "h" for e in m) and len(os.listdir(d)) == len(m) + 1:
            return m
        time.sleep(0.05)
    raise TimeoutError("history files still present")


r = Redis()
old = {k: r("CONFIG", "GET", k)[1] for k in ("appendonly", "appendfsync")}
ddir = r("CONFIG", "GET", "dir")[1]             # the server's own scratch directory
adir = os.path.join(ddir, r("CONFIG", "GET", "appenddirname")[1])
print("dir", ddir, "| aof-use-rdb-preamble", r("CONFIG", "GET", "aof-use-rdb-preamble")[1])
try:
    r("FLUSHALL")
    r("SET", "greeting", "hello")
    r("CONFIG", "SET", "appendonly", "yes")     # turning AOF on at runtime starts a rewrite: the first base
    i = wait_rewrite(r)
    m = settle(adir)
    print("after CONFIG SET appendonly yes:", sorted(os.listdir(adir)))
    for e in m:
        print(f"  manifest: file {e['file']} seq {e['seq']} type {e['type']}")
    base = next(e for e in m if e["type"] == "b")
    with open(os.path.join(adir, base["file"]), "rb") as f:
        assert f.read(5) == b"REDIS"                # RDB preamble: the base is an RDB file
    rewrites0 = int(i["aof_rewrites"])

    for _ in range(1000):
        r("INCR", "counter")
    incr = next(e for e in m if e["type"] == "i")
    with open(os.path.join(adir, incr["file"]), "rb") as f:
        log = f.read()
    print(f"  1000 INCR -> {incr['file']} is {len(log)} bytes of RESP, starts {log[:34]!r}")
    assert log.count(b"$4\r\nINCR\r\n") == 1000

    assert r("BGREWRITEAOF").startswith("Background append only file rewriting")
    i = wait_rewrite(r)
    m2 = settle(adir)
    print("after BGREWRITEAOF:", sorted(os.listdir(adir)))
    print(f"  aof_rewrites {rewrites0} -> {i['aof_rewrites']}, aof_last_bgrewrite_status {i['aof_last_bgrewrite_status']}, "
          f"aof_base_size {i['aof_base_size']}, aof_current_size {i['aof_current_size']}")
    assert int(i["aof_rewrites"]) == rewrites0 + 1 and i["aof_last_bgrewrite_status"] == "ok"
    assert {e["type"]: int(e["seq"]) for e in m2} == {"b": int(base["seq"]) + 1, "i": int(incr["seq"]) + 1}
    assert os.path.getsize(os.path.join(adir, next(e["file"] for e in m2 if e["type"] == "i"))) == 0
    r("SET", "after", "rewrite")                # lands in the new incr file

    # recovery: a second server loads a copy of the directory (base RDB + incr commands)
    copy = os.path.join(os.getcwd(), "restore")
    shutil.copytree(adir, os.path.join(copy, "appendonlydir"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port2 = s.getsockname()[1]
    p = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port2), "--bind", "127.0.0.1",
                          "--dir", copy, "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                r2 = Redis(port2)
                if info(r2)["loading"] == "0":
                    break
            except OSError:
                time.sleep(0.05)
        got = (r2("GET", "greeting"), r2("GET", "counter"), r2("GET", "after"))
        print("second server loaded the copy:", got)
        assert got == ("hello", "1000", "rewrite")
    finally:
        p.terminate()
        p.wait(timeout=10)

    # appendfsync: count fdatasync() calls of the server while it serves 200 SETs
    pid = info(r, "server")["process_id"]
    timing = {}
    for policy in ("always", "everysec", "no"):
        r("CONFIG", "SET", "appendfsync", policy)
        t0 = time.perf_counter()
        for n in range(200):
            r("SET", f"k{n}", "v")
        timing[policy] = time.perf_counter() - t0
    print("200 SETs, one at a time: " + ", ".join(f"{p} {t * 1000:.0f} ms" for p, t in timing.items()))
    assert timing["always"] > timing["no"]      # always: every reply waits for its fdatasync
    if shutil.which("strace"):
        counts = {}
        for policy in ("always", "everysec", "no"):
            r("CONFIG", "SET", "appendfsync", policy)
            out = f"strace.{policy}"
            st = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", out, "-p", pid],
                                  stderr=subprocess.DEVNULL)
            time.sleep(0.5)                     # attached
            for n in range(200):
                r("SET", f"k{n}", "v")
            time.sleep(1.2)                     # let everysec's background thread have its turn
            st.send_signal(signal.SIGINT)       # detaches cleanly
            st.wait(timeout=10)
            with open(out) as f:
                counts[policy] = sum("fdatasync(" in l or "fsync(" in l for l in f)
        print("fdatasync calls during 200 SETs (strace):", counts)
        if counts["always"]:                    # 0 everywhere means ptrace is not allowed here
            assert counts["always"] >= 200 and counts["everysec"] <= 3 and counts["no"] == 0
    else:
        print("strace is not installed: fdatasync counts skipped")
finally:
    r("CONFIG", "SET", "appendfsync", old["appendfsync"])
    r("CONFIG", "SET", "appendonly", old["appendonly"])
    r("FLUSHALL")
