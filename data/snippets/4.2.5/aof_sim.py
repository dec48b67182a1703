# caption: AOF 模型：三种 appendfsync 策略下“断电”丢多少命令；AOF 重写压缩日志；7.0 多文件 AOF（base + incr + manifest）的重写与加载
# point: 4种持久化方案
# timeout: 15
import json
import os


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def parse_commands(data):
    """Replay side: split an AOF byte string into commands (arrays of bulk strings)."""
    cmds, pos = [], 0
    while pos < len(data):
        end = data.find(b"\r\n", pos)
        if end < 0:
            break                                   # truncated tail (aof-load-truncated)
        n, pos, args = int(data[pos + 1:end]), end + 2, []
        for _ in range(n):
            end = data.find(b"\r\n", pos)
            if end < 0:
                return cmds
            ln = int(data[pos + 1:end])
            if end + 2 + ln + 2 > len(data):
                return cmds
            args.append(data[end + 2:end + 2 + ln].decode())
            pos = end + 2 + ln + 2
        cmds.append(args)
    return cmds


def apply(db, cmd):
    op, key = cmd[0], cmd[1]
    if op == "SET":
        db[key] = cmd[2]
    elif op == "INCR":
        db[key] = str(int(db.get(key, "0")) + 1)
    elif op == "DEL":
        db.pop(key, None)


class Disk:
    """Kernel page cache vs platter: write() lands in cache, fsync() makes it durable."""

    def __init__(self):
        self.cache, self.durable = b"", b""

    def write(self, b):
        self.cache += b

    def fsync(self):
        self.durable = self.cache

    def power_loss(self):
        return self.durable                          # whatever was not fsynced is gone


def run(policy, n_cmds=1000, cmds_per_sec=100, kernel_flush_s=30):
    disk, last_fsync, db = Disk(), 0.0, {}
    for i in range(n_cmds):
        now = i / cmds_per_sec
        cmd = ["INCR", "counter"]
        apply(db, cmd)
        disk.write(resp(*cmd))                       # flushAppendOnlyFile: write() each loop
        if policy == "always":
            disk.fsync()
        elif policy == "everysec" and now - last_fsync >= 1.0:
            disk.fsync()                             # done by a background thread in Redis
            last_fsync = now
        elif policy == "no" and now - last_fsync >= kernel_flush_s:
            disk.fsync()                             # the kernel decides (tens of seconds)
            last_fsync = now
    recovered = {}
    for c in parse_commands(disk.power_loss()):
        apply(recovered, c)
    return n_cmds - int(recovered.get("counter", "0"))


lost = {p: run(p) for p in ("always", "everysec", "no")}
print("1000 INCR at 100 cmd/s, then power loss -> commands lost:", lost)
assert lost["always"] == 0 and 0 < lost["everysec"] <= 100 and lost["no"] > lost["everysec"]

# ---- AOF rewrite: the log of history becomes the shortest script for the current state --
db, log = {}, b""
for i in range(500):
    for cmd in (["INCR", "views"], ["SET", "user:%d" % (i % 10), "v%d" % i]):
        apply(db, cmd)
        log += resp(*cmd)
apply(db, ["DEL", "user:0"])
log += resp("DEL", "user:0")
rewritten = b"".join(resp("SET", k, v) for k, v in sorted(db.items()))   # from memory, not from the old log
replayed_old, replayed_new = {}, {}
for c in parse_commands(log):
    apply(replayed_old, c)
for c in parse_commands(rewritten):
    apply(replayed_new, c)
assert replayed_old == replayed_new == db and len(rewritten) < len(log) // 50
print("rewrite: %d commands / %d bytes -> %d commands / %d bytes, same state"
      % (len(parse_commands(log)), len(log), len(db), len(rewritten)))

# ---- Redis 7.0 multi-part AOF: appendonlydir/{base, incr..., manifest} ---------------
D = "appendonlydir"
os.makedirs(D, exist_ok=True)


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_manifest(entries):
    tmp = os.path.join(D, "appendonly.aof.manifest.tmp")
    write_file(tmp, "".join("file %s seq %d type %s\n" % e for e in entries).encode())
    os.replace(tmp, os.path.join(D, "appendonly.aof.manifest"))   # atomic switch


def load():
    db = {}
    with open(os.path.join(D, "appendonly.aof.manifest")) as f:
        entries = [line.split() for line in f if line.strip()]
    for _, name, _, _seq, _, kind in entries:           # base first, then incr in order
        with open(os.path.join(D, name), "rb") as f:
            data = f.read()
        if kind == "b":
            db.update(json.loads(data.decode()[len("TOYRDB"):]))  # stand-in for an RDB preamble
        else:
            for c in parse_commands(data):
                apply(db, c)
    return db


live = {}
incr1 = b""
for i in range(50):
    apply(live, ["INCR", "n"])
    incr1 += resp("INCR", "n")
write_file(os.path.join(D, "appendonly.aof.1.base.rdb"), b"TOYRDB{}")
write_file(os.path.join(D, "appendonly.aof.1.incr.aof"), incr1)
write_manifest([("appendonly.aof.1.base.rdb", 1, "b"), ("appendonly.aof.1.incr.aof", 1, "i")])
assert load() == live

# BGREWRITEAOF: the parent opens incr #2 at once; the child writes base #2 from its snapshot
snapshot = dict(live)
write_manifest([("appendonly.aof.1.base.rdb", 1, "b"), ("appendonly.aof.1.incr.aof", 1, "i"),
                ("appendonly.aof.2.incr.aof", 2, "i")])
incr2 = b""
for cmd in (["SET", "during", "rewrite"], ["INCR", "n"]):     # writes while the child runs
    apply(live, cmd)
    incr2 += resp(*cmd)
write_file(os.path.join(D, "appendonly.aof.2.incr.aof"), incr2)
write_file(os.path.join(D, "appendonly.aof.2.base.rdb"), b"TOYRDB" + json.dumps(snapshot).encode())
write_manifest([("appendonly.aof.2.base.rdb", 2, "b"), ("appendonly.aof.2.incr.aof", 2, "i")])
for old in ("appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof"):   # now history: delete
    os.remove(os.path.join(D, old))
assert load() == live == {"n": "51", "during": "rewrite"}
print("multi-part AOF after rewrite:", sorted(os.listdir(D)))
print("load(manifest -> base #2 -> incr #2) == live state:", load())
