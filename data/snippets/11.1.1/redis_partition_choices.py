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


class Redis:
    """a minimal RESP client: enough for commands that return a status, an error, a bulk string or an integer"""
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.f = self.s.makefile("rb")

    def __call__(self, *args):
        self.s.sendall(b"".join([f"*{len(args)}\r\n".encode()] +
                                [f"${len(str(a).encode())}\r\n{a}\r\n".encode() for a in args]))
        line = self.f.readline().rstrip(b"\r\n").decode()
        if line[0] == "$":
            return None if line == "$-1" else self.f.read(int(line[1:]) + 2)[:-2].decode()
        return line[1:] if line[0] in "+:" else "ERR " + line[1:]


def wait_link(replica, state):
    for _ in range(100):
        if f"master_link_status:{state}" in replica("INFO", "replication"):
            return
        time.sleep(0.1)
    raise AssertionError(f"replication link never went {state}")


scratch = tempfile.mkdtemp(prefix="cap-")
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    rport = s.getsockname()[1]
mport = int(os.environ["ATLAS_REDIS_PORT"])
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
    assert master("WAIT", 1, 10000) == "1" and replica("GET", "k") == "v1"
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
    print("partition, CP-leaning config: replica GET ->", r_read.split()[1], "| master SET ->", m_write.split()[1])
    assert r_read.startswith("ERR MASTERDOWN") and m_write.startswith("ERR NOREPLICAS")

    master("CONFIG", "SET", "requirepass", "")        # heal
    wait_link(replica, "up")
    master("SET", "k", "v4")                          # one good replica again: writes accepted
    assert master("WAIT", 1, 10000) == "1"
    print("healed: master SET k v4 accepted, replica GET k ->", replica("GET", "k"), "(converged)")
    assert replica("GET", "k") == "v4"
finally:
    rep_proc.kill()
    rep_proc.wait()
    shutil.rmtree(scratch, ignore_errors=True)
