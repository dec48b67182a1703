# caption: 用原始 socket 假扮从库：PSYNC 全量同步收到 RDB，再跟踪复制流与偏移量；断线后凭 replid+offset 从积压缓冲区部分重同步
# point: 对象共享对象空转时长
# timeout: 30
# needs: redis
import os
import socket
import time

HOST = os.environ.get("ATLAS_REDIS_HOST", "127.0.0.1")
PORT = int(os.environ.get("ATLAS_REDIS_PORT", "6379"))
P = "replica_psync:"


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Stream:
    """Buffered reader over a socket that counts every byte consumed (the repl offset)."""

    def __init__(self, sock):
        self.sock, self.buf, self.consumed = sock, b"", 0

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed")
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        self.consumed += len(ln) + 2
        return ln

    def exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        self.consumed += n
        return data

    def command(self):
        """One propagated command: an array of bulk strings."""
        head = self.line()
        assert head[:1] == b"*", head
        args = []
        for _ in range(int(head[1:])):
            n = int(self.line()[1:])
            args.append(self.exact(n + 2)[:-2].decode(errors="replace"))
        return args


def client():
    s = socket.create_connection((HOST, PORT), timeout=5)
    return s, Stream(s)


def call(pair, *args):
    pair[0].sendall(encode(*args))
    return pair[1].line()


w = client()                                       # an ordinary client that writes
call(w, "DEL", P + "k", P + "n", P + "t")

# 1. full resynchronisation: PSYNC ? -1 -> +FULLRESYNC <replid> <offset>, then an RDB
r1 = client()
assert call(r1, "REPLCONF", "capa", "psync2") == b"+OK"     # no 'capa eof': disk-based RDB
reply = call(r1, "PSYNC", "?", -1).decode().lstrip("\n")   # skip keep-alive newlines
kind, replid, offset = (reply[1:].split() + ["", "", ""])[:3]
assert kind == "FULLRESYNC" and len(replid) == 40, reply
offset = int(offset)
st = r1[1]
deadline = time.monotonic() + 20
while st.buf[:1] != b"$":                          # '\n' keep-alives while BGSAVE runs
    assert time.monotonic() < deadline
    if st.buf[:1] == b"\n":
        st.buf = st.buf[1:]
    else:
        st._fill()
rdb_len = int(st.line()[1:])
rdb = st.exact(rdb_len)                            # no CRLF after the RDB payload
assert rdb.startswith(b"REDIS00")
print("PSYNC ? -1 -> +FULLRESYNC %s... %d, then RDB %s (%d bytes)"
      % (replid[:8], offset, rdb[:9].decode(), rdb_len))

# 2. the command stream: every byte advances the replica's offset
st.consumed = 0
call(w, "SET", P + "k", "v1", "EX", 100)
call(w, "INCR", P + "n")
seen = []
for _ in range(200):                               # other clients' writes may be interleaved
    cmd = st.command()
    if any(a.startswith(P) for a in cmd):
        seen.append(cmd)
    if len(seen) == 2:
        break
my_offset = offset + st.consumed
print("propagated:", [c[:3] + (["..."] if len(c) > 3 else []) for c in seen])
assert seen[0][:3] == ["SET", P + "k", "v1"] and seen[1] == ["INCR", P + "n"]
assert [a.upper() for a in seen[0][3:4]] == ["PXAT"]   # 7.0 propagates EX as absolute PXAT
print("replica offset after these commands = %d" % my_offset)

# 3. link drops; the master keeps writing into its replication backlog
r1[0].close()
call(w, "SET", P + "k", "v2")
call(w, "SET", P + "t", "while-offline")
r2 = client()
call(r2, "REPLCONF", "capa", "psync2")
reply = call(r2, "PSYNC", replid, my_offset + 1).decode().lstrip("\n")   # next byte wanted
assert reply.split()[0] == "+CONTINUE", reply
missed = []
for _ in range(200):
    cmd = r2[1].command()
    if any(a.startswith(P) for a in cmd):
        missed.append(cmd)
    if len(missed) == 2:
        break
assert missed == [["SET", P + "k", "v2"], ["SET", P + "t", "while-offline"]]
print("PSYNC <replid> %d -> %s ; backlog replayed only the missed writes:" % (my_offset + 1, reply.split()[0]))
print("  ", missed)
r2[0].close()

# 4. an unknown replication ID cannot continue: full resync again
r3 = client()
call(r3, "REPLCONF", "capa", "psync2")
reply = call(r3, "PSYNC", "f" * 40, my_offset + 1).decode().lstrip("\n")   # skip keep-alive newlines
assert reply.startswith("+FULLRESYNC")
print("PSYNC with a foreign replid -> +FULLRESYNC")
r3[0].close()

w[0].sendall(encode("INFO", "replication"))
n = int(w[1].line()[1:])
info = dict(l.split(":", 1) for l in w[1].exact(n + 2).decode().split("\r\n") if ":" in l)
assert info["role"] == "master" and info["repl_backlog_active"] == "1"
print("master: repl_backlog_size=%s, backlog holds offsets %s..%s"
      % (info["repl_backlog_size"], info["repl_backlog_first_byte_offset"], info["master_repl_offset"]))
call(w, "DEL", P + "k", P + "n", P + "t")
