# caption: 真实的网络分区：三个 etcd 3.4 成员分在两个自建网络命名空间（a、b | c，veth 相连），c 先当 leader；拔掉 veth 后多数派一侧以更大的 term 选出新 leader 并继续写，少数派一侧的 c 写入超时、线性一致读失败、serializable 读返回过期值；恢复连接后 c 的日志落后，赢不了选举，追上后读到新值
# point: 在 etcd 集群上观察 Raft
# timeout: 120
# needs: etcd, root
import json
import os
import re
import signal
import shutil
import subprocess
import tempfile
import time

ETCD, CTL = os.environ["ATLAS_ETCD"], os.environ["ATLAS_ETCDCTL"]
ENV = {**os.environ, "ETCDCTL_API": "3"}
NS1, NS2 = f"raft{os.getpid()}x", f"raft{os.getpid()}y"    # a, b live in NS1; c lives alone in NS2
MEMBERS = {"a": (NS1, "10.77.0.1", 2380), "b": (NS1, "10.77.0.1", 2390), "c": (NS2, "10.77.0.2", 2380)}
URL = {n: (f"http://{ip}:{p}", f"http://{ip}:{p + 1}") for n, (_, ip, p) in MEMBERS.items()}   # peer, client


def sh(*cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def ctl(n, *args, timeout="3s"):
    return subprocess.run(["ip", "netns", "exec", MEMBERS[n][0], CTL, "--endpoints", URL[n][1], "--dial-timeout=1s",
                           f"--command-timeout={timeout}", *args], capture_output=True, text=True, env=ENV, timeout=30)


def status(n):
    """(member id, leader id as this member believes, raft term); None if the member does not answer"""
    rows = json.loads(ctl(n, "endpoint", "status", "-w", "json", timeout="1s").stdout or "[]")
    return (rows[0]["Status"]["header"]["member_id"], rows[0]["Status"].get("leader", 0), rows[0]["Status"]["raftTerm"]) \
        if rows else None


def leader_of(names, min_term=0):
    for _ in range(100):
        st = {n: status(n) for n in names}
        ids = {n: s[0] for n, s in st.items() if s}
        lead = {s[1] for s in st.values() if s}
        if len(ids) == len(names) and len(lead) == 1 and min(s[2] for s in st.values()) > min_term:
            lid = lead.pop()
            if lid in ids.values():
                return next(n for n, i in ids.items() if i == lid), max(s[2] for s in st.values()), ids
        time.sleep(0.2)
    raise AssertionError(f"no agreed leader among {names}")


scratch, procs = tempfile.mkdtemp(prefix="raftp-"), []
try:
    sh("ip", "netns", "add", NS1)
    sh("ip", "netns", "add", NS2)
    sh("ip", "link", "add", "va", "netns", NS1, "type", "veth", "peer", "name", "vc", "netns", NS2)
    for ns, dev, ip in ((NS1, "va", "10.77.0.1"), (NS2, "vc", "10.77.0.2")):
        sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    cluster = ",".join(f"{n}={URL[n][0]}" for n in MEMBERS)
    for n, (ns, _, _) in MEMBERS.items():
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", ns, ETCD, "--name", n, "--data-dir", f"{scratch}/{n}",
             "--listen-peer-urls", URL[n][0], "--initial-advertise-peer-urls", URL[n][0],
             "--listen-client-urls", URL[n][1], "--advertise-client-urls", URL[n][1],
             "--initial-cluster", cluster, "--initial-cluster-state", "new"],
            stdout=subprocess.DEVNULL, stderr=open(f"{scratch}/{n}.log", "w")))
    lead, term, ids = leader_of("abc")
    if lead != "c":                                   # make the member that will be cut off the leader
        assert ctl(lead, "move-leader", format(ids["c"], "x")).returncode == 0
        lead, term, ids = leader_of("abc", min_term=term)
    assert lead == "c" and ctl("c", "put", "k", "v1").returncode == 0
    print(f"1) a,b | c connected: leader=c term={term}, k=v1 committed")

    sh("ip", "-n", NS2, "link", "set", "vc", "down")  # the partition: c is alone
    lead2, term2, _ = leader_of("ab", min_term=term)
    assert ctl("a", "put", "k", "v2").returncode == 0
    print(f"2) partitioned: majority side elected {lead2} at term {term2}; put k=v2 there succeeded")
    t0 = time.monotonic()
    put = ctl("c", "put", "k", "v3", timeout="3s")
    took = time.monotonic() - t0
    lin = ctl("c", "get", "k", "--print-value-only", timeout="2s")
    ser = ctl("c", "get", "k", "--print-value-only", "--consistency=s").stdout.strip()
    c_st = status("c")
    print(f"3) minority side c: put rc={put.returncode} after {took:.1f}s, linearizable get rc={lin.returncode}, "
          f"serializable get={ser!r} (stale), c sees leader={c_st[1] or 'none'}, last applied term={c_st[2]}")
    assert put.returncode != 0 and took >= 2.5 and lin.returncode != 0 and ser == "v1" and c_st[1] != ids["c"]

    time.sleep(3)
    # c keeps campaigning alone and its raft term climbs (no pre-vote in 3.4); endpoint status cannot show this,
    # its raftTerm is the term of the last *applied* entry (etcdserver/server.go setTerm), so read c's raft log lines
    c_term = max(map(int, re.findall(r"became candidate at term (\d+)", open(f"{scratch}/c.log").read())))
    sh("ip", "-n", NS2, "link", "set", "vc", "up")    # heal
    lead3, term3, _ = leader_of("abc", min_term=term2 - 1)
    time.sleep(0.5)
    got = ctl("c", "get", "k", "--print-value-only").stdout.strip()
    print(f"4) c campaigned alone up to term {c_term}; healed: leader={lead3} term={term3} (>= c's, c forced an election "
          f"but could not win it), c now reads k={got!r}; v3 was never committed")
    assert c_term > term2 and term3 >= c_term and lead3 != "c" and got == "v2"
finally:
    for p in procs:
        p.send_signal(signal.SIGKILL)
        p.wait()
    for ns in (NS1, NS2):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    shutil.rmtree(scratch, ignore_errors=True)
