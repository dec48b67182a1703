# caption: 真实 etcd 的部署：单机启动、写入、重启后数据仍在（WAL 与快照在 data-dir），再用 member add 在线加入第二个成员（--initial-cluster-state existing），新成员追上同一 revision
# point: 单机部署与集群部署
# timeout: 60
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


def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ctl(eps, *args):
    r = subprocess.run([CTL, "--endpoints", eps, "--dial-timeout=1s", "--command-timeout=3s", *args],
                       capture_output=True, text=True, env=ENV)
    return r.returncode, r.stdout


def start(name, peer, client, cluster, state):
    return subprocess.Popen([ETCD, "--name", name, "--data-dir", f"{d}/{name}",
                             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                             "--listen-client-urls", client, "--advertise-client-urls", client,
                             "--initial-cluster", cluster, "--initial-cluster-state", state],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_healthy(eps):
    for _ in range(100):
        if ctl(eps, "endpoint", "health")[0] == 0:
            return
        time.sleep(0.2)
    raise AssertionError("not healthy: " + eps)


d = tempfile.mkdtemp()
p1, c1 = f"http://127.0.0.1:{port()}", f"http://127.0.0.1:{port()}"
p2, c2 = f"http://127.0.0.1:{port()}", f"http://127.0.0.1:{port()}"
procs = []
try:
    procs.append(start("one", p1, c1, f"one={p1}", "new"))
    wait_healthy(c1)
    assert ctl(c1, "put", "/cfg/db", "10.0.0.5:3306")[0] == 0
    procs[0].terminate()
    procs[0].wait()
    wal = sorted(os.listdir(f"{d}/one/member"))
    procs[0] = start("one", p1, c1, f"one={p1}", "new")  # same data dir: the flags for a new cluster are ignored
    wait_healthy(c1)
    val = ctl(c1, "get", "/cfg/db", "--print-value-only")[1].strip()
    print(f"single node restarted from {d.split('/')[-1]}/one/member {wal}: /cfg/db = {val}")
    assert val == "10.0.0.5:3306"

    rc, out = ctl(c1, "member", "add", "two", f"--peer-urls={p2}")     # tell the cluster first, then start it
    assert rc == 0 and "ETCD_INITIAL_CLUSTER_STATE=\"existing\"" in out
    procs.append(start("two", p2, c2, f"one={p1},two={p2}", "existing"))
    wait_healthy(f"{c1},{c2}")
    members = json.loads(ctl(c1, "member", "list", "-w", "json")[1])["members"]
    st = json.loads(ctl(f"{c1},{c2}", "endpoint", "status", "-w", "json")[1])
    revs = {s["Endpoint"]: s["Status"]["header"]["revision"] for s in st}
    print(f"members: {[m['name'] for m in members]}; revision per endpoint: {list(revs.values())}")
    assert len(members) == 2 and len(set(revs.values())) == 1
    print("2 members: quorum is 2, so this cluster tolerates no failure; run 3 or 5 in production")
finally:
    for p in procs:
        p.kill()
        p.wait()
    shutil.rmtree(d)
