# caption: 自建三节点 etcd：杀掉 leader，看 term 增大、新 leader 当选；剩 2 个节点仍能写，剩 1 个节点写入超时（失去多数派）
# point: 强一致性raft算法原理
# timeout: 90
# needs: etcd
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

ETCD, CTL = os.environ["ATLAS_ETCD"], os.environ["ATLAS_ETCDCTL"]
ENV = {**os.environ, "ETCDCTL_API": "3"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ctl(endpoints, *args, timeout="3s"):
    return subprocess.run([CTL, "--endpoints", ",".join(endpoints), "--dial-timeout=1s",
                           f"--command-timeout={timeout}", *args], capture_output=True, text=True, env=ENV)


def status(endpoints):
    """member id -> (is_leader, raft_term) as each live member reports it"""
    out = ctl(endpoints, "endpoint", "status", "-w", "json")
    rows = json.loads(out.stdout or "[]")
    return {r["Endpoint"]: (r["Status"].get("leader", 0) == r["Status"]["header"]["member_id"],
                            r["Status"].get("raftTerm", 0)) for r in rows}


def wait_leader(endpoints, min_term=0, limit=20):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        st = status(endpoints)
        leaders = [ep for ep, (lead, term) in st.items() if lead and term > min_term]
        if len(st) == len(endpoints) and leaders:
            return leaders[0], max(t for _, t in st.values())
        time.sleep(0.2)
    raise AssertionError(f"no leader among {endpoints}")


scratch = tempfile.mkdtemp(prefix="raft-")
names = ["a", "b", "c"]
peer = {n: free_port() for n in names}
client = {n: f"http://127.0.0.1:{free_port()}" for n in names}
cluster = ",".join(f"{n}=http://127.0.0.1:{peer[n]}" for n in names)
procs = {}
try:
    for n in names:
        procs[client[n]] = subprocess.Popen(
            [ETCD, "--name", n, "--data-dir", f"{scratch}/{n}",
             "--listen-peer-urls", f"http://127.0.0.1:{peer[n]}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer[n]}",
             "--listen-client-urls", client[n], "--advertise-client-urls", client[n],
             "--initial-cluster", cluster, "--initial-cluster-state", "new",
             "--heartbeat-interval", "100", "--election-timeout", "1000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    alive = list(client.values())
    leader, term1 = wait_leader(alive)
    print(f"3 members up: leader={leader} term={term1}")
    assert ctl(alive, "put", "k", "v1").returncode == 0

    procs[leader].kill()                          # crash the leader: no graceful transfer
    procs[leader].wait()
    alive.remove(leader)
    t0 = time.monotonic()
    leader2, term2 = wait_leader(alive, min_term=term1)
    print(f"leader killed; new leader={leader2} term={term2} after {time.monotonic() - t0:.1f}s")
    assert leader2 != leader and term2 > term1

    put = ctl(alive, "put", "k", "v2")             # 2 of 3 is still a majority
    get = ctl(alive, "get", "k", "--print-value-only")
    print(f"2 of 3 alive: put rc={put.returncode} get={get.stdout.strip()}")
    assert put.returncode == 0 and get.stdout.strip() == "v2"

    victim = alive.pop(0)                         # now only 1 of 3: no quorum
    procs[victim].kill()
    procs[victim].wait()
    t0 = time.monotonic()
    put = ctl(alive, "put", "k", "v3", timeout="3s")
    took = time.monotonic() - t0
    why = "deadline exceeded" if "deadline exceeded" in put.stderr else put.stderr.strip()[-60:]
    print(f"1 of 3 alive: put rc={put.returncode} after {took:.1f}s ({why})")
    assert put.returncode != 0 and took >= 2.5    # blocked until the client timeout, never committed
    lin = ctl(alive, "get", "k", timeout="2s")     # linearizable read needs the quorum too
    ser = ctl(alive, "get", "k", "--consistency=s", "--print-value-only")
    print(f"linearizable get rc={lin.returncode}; serializable (local, maybe stale) get={ser.stdout.strip()}")
    assert lin.returncode != 0 and ser.stdout.strip() == "v2"
finally:
    for p in procs.values():
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(scratch, ignore_errors=True)
