# caption: 同一套 Redis 7 主从，CAP 的取舍由配置决定：切断复制链路后，默认配置下主库照收写入、从库照答旧值（选 A）；replica-serve-stale-data no 让从库拒绝读（MASTERDOWN），min-replicas-to-write 1 让主库拒绝写（NOREPLICAS）（选 C）；链路恢复后从库收敛到主库的值
# point: CAP 定理的准确含义
# timeout: 40
# needs: redis
import os
import shutil
import socket
import subprocess
import tempfile
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


def wait_link(replica, state):
    for _ in range(100):
        if f"master_link_status:{state}" in replica("INFO", "replication"):
            return
        time.sleep(0.1)
    raise AssertionError(f"replication link never went {state}")


def wait_online(master, port):
    """The master lists the replica by its port once a whole handshake went through."""
    for _ in range(100):
        if f"port={port},state=online" in master("INFO", "replication"):
            return
        time.sleep(0.1)
    raise AssertionError("the replica never came online at the master")


scratch = tempfile.mkdtemp(prefix="cap-")
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    rport = s.getsockname()[1]
mport = PORT
rep_proc = subprocess.Popen(["redis-server", "--port", str(rport), "--dir", scratch, "--save", "", "--appendonly", "no",
                             "--replicaof", "127.0.0.1", str(mport)], stdout=subprocess.DEVNULL)
try:
    master = Redis(mport)
    for _ in range(50):
        try:
            replica = Redis(rport)
            break
        except OSError:
            time.sleep(0.1)
    wait_link(replica, "up")
    master("SET", "k", "v1")
    assert master("WAIT", 1, 10000) == 1 and replica("GET", "k") == "v1"
    print("connected: master k=v1, replica k=v1")

    master("CONFIG", "SET", "requirepass", "pw")      # the partition: the replica can no longer authenticate
    master("AUTH", "pw")
    master("CLIENT", "KILL", "TYPE", "replica")
    wait_link(replica, "down")
    print("partition, default config (AP): master SET k v2 ->", master("SET", "k", "v2"),
          "| replica GET k ->", replica("GET", "k"), "(stale)")
    assert replica("GET", "k") == "v1" and master("GET", "k") == "v2"

    replica("CONFIG", "SET", "replica-serve-stale-data", "no")
    master("CONFIG", "SET", "min-replicas-to-write", "1")
    master("CONFIG", "SET", "min-replicas-max-lag", "2")
    r_read, m_write = replica("GET", "k"), master("SET", "k", "v3")
    print("partition, CP-leaning config: replica GET ->", r_read.split()[0], "| master SET ->", m_write.split()[0])
    assert isinstance(r_read, RespError) and r_read.startswith("MASTERDOWN") and m_write.startswith("NOREPLICAS")

    master("CONFIG", "SET", "requirepass", "")        # heal
    # A reconnection begun during the partition can finish after the heal with its REPLCONF steps refused: the
    # master then keeps a replica without its port whose acks it never counts. Drop such a connection, whether its
    # handshake is done (a replica) or not (still a normal client): the next one starts after the heal.
    master("CLIENT", "KILL", "TYPE", "normal")          # every client but this one
    master("CLIENT", "KILL", "TYPE", "replica")
    wait_online(master, rport)
    master("SET", "k", "v4")                          # one good replica again: writes accepted
    assert master("WAIT", 1, 10000) == 1
    print("healed: master SET k v4 accepted, replica GET k ->", replica("GET", "k"), "(converged)")
    assert replica("GET", "k") == "v4"
finally:
    rep_proc.kill()
    rep_proc.wait()
    shutil.rmtree(scratch, ignore_errors=True)
