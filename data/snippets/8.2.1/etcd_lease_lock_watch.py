# caption: 在运行器的三节点 etcd 上：endpoint status 读出 leader 与 raft term，watch 收到修订号递增的事件，租约到期键消失，锁持有者被杀后下一个等待者拿到锁
# point: etcd的分布式锁实现
# timeout: 60
# needs: etcd
import json
import os
import subprocess
import time

EPS = os.environ["ATLAS_ETCD_ENDPOINTS"]
CTL = os.environ["ATLAS_ETCDCTL"]
ENV = {**os.environ, "ETCDCTL_API": "3"}


def ctl(*args, check=True):
    r = subprocess.run([CTL, "--endpoints", EPS, *args], capture_output=True, text=True, env=ENV, timeout=15)
    assert not check or r.returncode == 0, r.stderr
    return r.stdout


st = json.loads(ctl("endpoint", "status", "-w", "json"))
leaders = {r["Status"]["leader"] for r in st}
print(f"members={len(st)} agreed leader={len(leaders) == 1} raft_term={st[0]['Status']['raftTerm']}")
assert len(st) == 3 and len(leaders) == 1

# watch: a background watcher sees every change, in revision order
w = subprocess.Popen([CTL, "--endpoints", EPS, "watch", "/cfg/", "--prefix", "-w", "json"],
                     stdout=subprocess.PIPE, text=True, env=ENV)
time.sleep(1.0)
for v in ("1", "2"):
    ctl("put", "/cfg/limit", v)
ctl("del", "/cfg/limit")
events = []
while len(events) < 3:
    resp = json.loads(w.stdout.readline())
    events += [(("PUT", "DELETE")[e.get("type", 0)], e["kv"]["mod_revision"]) for e in resp["Events"]]
w.kill()
w.wait()
print("watch events (type, mod_revision):", events)
assert [t for t, _ in events] == ["PUT", "PUT", "DELETE"] and events[0][1] < events[1][1] < events[2][1]

# lease: a key bound to a 2 s lease disappears when nobody keeps the lease alive
lease = ctl("lease", "grant", "2").split()[1]
ctl("put", "/svc/node1", "10.0.0.1:8080", "--lease", lease)
assert ctl("get", "/svc/node1", "--print-value-only").strip() == "10.0.0.1:8080"
time.sleep(3.5)
print("after the 2 s lease expired: /svc/node1 =", repr(ctl("get", "/svc/node1", "--print-value-only").strip()))
assert ctl("get", "/svc/node1", "--print-value-only").strip() == ""

# distributed lock: holder A (lease TTL 2 s) is SIGKILLed; waiter B gets the lock once A's lease expires
a = subprocess.Popen([CTL, "--endpoints", EPS, "lock", "--ttl=2", "job"], stdout=subprocess.PIPE, text=True, env=ENV)
assert a.stdout.readline().startswith("job/")            # A holds: prints its key job/<lease id>
b = subprocess.Popen([CTL, "--endpoints", EPS, "lock", "--ttl=2", "job"], stdout=subprocess.PIPE, text=True, env=ENV)
time.sleep(1.0)
queue = ctl("get", "job/", "--prefix", "-w", "json")
kvs = sorted(json.loads(queue)["kvs"], key=lambda kv: kv["create_revision"])
print("lock queue (by create_revision):", [kv["create_revision"] for kv in kvs])
assert len(kvs) == 2 and b.poll() is None                 # B waits on the key just before its own
a.kill()
a.wait()
t0 = time.monotonic()
line = b.stdout.readline()
print(f"A killed; B acquired {line.split('/')[0]} after {time.monotonic() - t0:.1f}s")
assert line.startswith("job/") and time.monotonic() - t0 < 10
b.kill()
b.wait()
