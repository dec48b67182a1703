# caption: 自建三成员 etcd 3.4：每次 put 让 raft 提交索引加 1；move-leader 转移领导权使 term 加 1；SIGSTOP 冻结 leader（模拟长停顿），其余两台以更大的 term 选出新 leader，旧 leader 恢复后自动降为 follower，并已带上冻结期间提交的写入
# point: 在 etcd 集群上观察 Raft
# timeout: 120
# needs: etcd
import json
import os
import shutil
import signal
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


def ctl(eps, *args, timeout="3s"):
    return subprocess.run([CTL, "--endpoints", ",".join(eps), "--dial-timeout=1s", f"--command-timeout={timeout}",
                           *args], capture_output=True, text=True, env=ENV, timeout=30)


def status(eps):
    """endpoint -> (member id, leader id, term, commit index, applied index); silent members are left out"""
    rows = json.loads(ctl(eps, "endpoint", "status", "-w", "json", timeout="1s").stdout or "[]")
    return {r["Endpoint"]: (r["Status"]["header"]["member_id"], r["Status"].get("leader", 0), r["Status"]["raftTerm"],
                            r["Status"]["raftIndex"], r["Status"].get("raftAppliedIndex", 0)) for r in rows}


def wait_leader(eps, min_term=0):
    for _ in range(100):
        st = status(eps)
        lead = {v[1] for v in st.values()}
        if len(st) == len(eps) and len(lead) == 1 and 0 not in lead and min(v[2] for v in st.values()) > min_term:
            ep = next(e for e, v in st.items() if v[0] == v[1])
            return ep, st[ep][2]
        time.sleep(0.2)
    raise AssertionError(f"no agreed leader among {eps}")


def signal_member(ep, sig):
    os.kill(procs[ep].pid, sig)


def start(n):
    procs[client[n]] = subprocess.Popen(
        [ETCD, "--name", n, "--data-dir", f"{scratch}/{n}", "--listen-peer-urls", peer[n],
         "--initial-advertise-peer-urls", peer[n], "--listen-client-urls", client[n],
         "--advertise-client-urls", client[n], "--initial-cluster", cluster, "--initial-cluster-state", "new",
         "--heartbeat-interval", "100", "--election-timeout", "1000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


scratch = tempfile.mkdtemp(prefix="raft-")
names = ["a", "b", "c"]
peer = {n: f"http://127.0.0.1:{free_port()}" for n in names}
client = {n: f"http://127.0.0.1:{free_port()}" for n in names}
cluster = ",".join(f"{n}={peer[n]}" for n in names)
procs = {}
try:
    for n in names:
        start(n)
    eps = list(client.values())
    leader, term = wait_leader(eps)
    print(f"1) leader={leader[-5:]} term={term}")

    before = status(eps)
    for i in range(20):                               # each put is one raft log entry
        assert ctl(eps, "put", "k", f"v{i}").returncode == 0
    time.sleep(0.5)                                   # let followers learn the new commit index
    after = status(eps)
    deltas = sorted(after[e][3] - before[e][3] for e in eps)
    print(f"2) 20 puts: commit index grew by {deltas} on the 3 members; "
          f"applied==commit everywhere: {all(v[3] == v[4] for v in after.values())}")
    assert deltas[0] >= 20 and deltas[-1] <= 22

    target_id = next(v[0] for e, v in after.items() if e != leader)
    mv = ctl([leader], "move-leader", format(target_id, "x"))
    leader2, term2 = wait_leader(eps, min_term=term)
    print(f"3) move-leader: leader {leader[-5:]} -> {leader2[-5:]}, term {term} -> {term2} ({mv.returncode == 0})")
    assert mv.returncode == 0 and leader2 != leader and term2 > term

    signal_member(leader2, signal.SIGSTOP)            # a frozen leader: like a long GC pause
    rest = [e for e in eps if e != leader2]
    leader3, term3 = wait_leader(rest, min_term=term2)
    assert ctl(rest, "put", "k", "after-freeze").returncode == 0
    signal_member(leader2, signal.SIGCONT)
    wait_leader(eps, min_term=term2)
    time.sleep(0.5)
    st = status(eps)
    print(f"4) leader {leader2[-5:]} frozen: {leader3[-5:]} elected at term {term3}; after SIGCONT the old leader "
          f"says leader={st[leader2][1] == st[leader3][0]} term={st[leader2][2]}")
    assert leader3 != leader2 and term3 > term2 and st[leader2][1] == st[leader3][0] and st[leader2][2] >= term3
    got = ctl([leader2], "get", "k", "--consistency=s", "--print-value-only").stdout.strip()
    print(f"5) the old leader's own copy of k: {got!r}")
    assert got == "after-freeze"

finally:
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGCONT)
            p.kill()
            p.wait()
    shutil.rmtree(scratch, ignore_errors=True)
