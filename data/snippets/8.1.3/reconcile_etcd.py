# caption: Kubernetes 的控制器模式对着真实的 etcd 3.4 跑：期望状态（ReplicaSet）与实际状态（Pod）都存为 etcd 键，控制器 watch 变化后对账补齐或删减副本，调度器先过滤再打分，用 txn 比较 mod_revision 绑定节点（乐观并发）
# point: k8s核心组件APIServer,scheduler,controller manager,kubelet,kube-proxy
# timeout: 60
# needs: etcd
import base64, json, os, queue, threading, time, urllib.request

EP = os.environ["ATLAS_ETCD_ENDPOINTS"].split(",")[0]
P = f"/atlas{os.getpid()}/registry/"                 # private prefix; real k8s uses /registry/<kind>/<ns>/<name>
enc = lambda s: base64.b64encode(s.encode()).decode()
dec = lambda s: base64.b64decode(s).decode()
def api(path, body):
    req = urllib.request.Request(EP + "/v3/" + path, json.dumps(body).encode())
    return json.loads(urllib.request.urlopen(req, timeout=10).read())
def put(k, v):
    api("kv/put", {"key": enc(P + k), "value": enc(json.dumps(v))})
def get_prefix(k):                                   # -> {key: (value, mod_revision)}
    end = P + k[:-1] + chr(ord(k[-1]) + 1)
    r = api("kv/range", {"key": enc(P + k), "range_end": enc(end)})
    return {dec(kv["key"])[len(P):]: (json.loads(dec(kv["value"])), int(kv["mod_revision"])) for kv in r.get("kvs", [])}
def delete(k):
    api("kv/deleterange", {"key": enc(P + k)})
def cas_put(k, v, rev):                              # write only if nobody changed k since rev
    r = api("kv/txn", {"compare": [{"key": enc(P + k), "target": "MOD", "result": "EQUAL", "mod_revision": str(rev)}],
                       "success": [{"request_put": {"key": enc(P + k), "value": enc(json.dumps(v))}}]})
    return bool(r.get("succeeded"))

events = queue.Queue()
def watcher():                                       # one watch stream over the whole prefix
    body = {"create_request": {"key": enc(P), "range_end": enc(P[:-1] + "0")}}
    stream = urllib.request.urlopen(urllib.request.Request(EP + "/v3/watch", json.dumps(body).encode()), timeout=60)
    for line in stream:
        for ev in json.loads(line)["result"].get("events", []):
            events.put((ev.get("type", "PUT"), dec(ev["kv"]["key"])[len(P):]))
threading.Thread(target=watcher, daemon=True).start()

stats = {"created": 0, "deleted": 0, "bound": 0}
def reconcile():                                     # replicaset controller: make actual == desired
    found = get_prefix("replicasets/default/web")
    if not found:
        return                                       # nothing desired yet
    rs = found["replicasets/default/web"][0]
    found = get_prefix("pods/default/")
    pods = sorted(found, key=lambda k: (found[k][0]["node"] is None, k))  # scale-down drops unscheduled pods first
    for i in range(len(pods), rs["replicas"]):
        name = f"web-{int(time.monotonic() * 1e6) % 10**8:08d}{i}"
        put(f"pods/default/{name}", {"owner": "web", "cpu": rs["cpu"], "node": None})
        stats["created"] += 1
    for name in pods[rs["replicas"]:]:
        delete(name)
        stats["deleted"] += 1
def schedule():                                      # filter, score, bind
    nodes = {k.split("/")[1]: v for k, (v, _) in get_prefix("minions/").items()}
    for key, (pod, rev) in get_prefix("pods/default/").items():
        if pod["node"]:
            continue
        pods = [p for p, _ in get_prefix("pods/default/").values()]
        used = {n: sum(p["cpu"] for p in pods if p["node"] == n) for n in nodes}
        feasible = [n for n, v in nodes.items() if not v["tainted"] and v["cpu"] - used[n] >= pod["cpu"]]
        if not feasible:
            continue                                 # stays Pending
        score = {n: (nodes[n]["cpu"] - used[n] - pod["cpu"]) / nodes[n]["cpu"] for n in feasible}  # least allocated
        best = max(sorted(feasible), key=score.get)
        if cas_put(key, dict(pod, node=best), rev):
            stats["bound"] += 1
def controllers():                                   # level-triggered: any event means "look again"
    while True:
        try:
            batch = [events.get(timeout=1.0)]
        except queue.Empty:
            batch = []                               # periodic resync even without events
        while not events.empty():
            batch.append(events.get())               # coalesce a burst into one pass
        if any(key == "stop" for _, key in batch):
            return
        reconcile()
        schedule()
def wait_for(pred, what):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        pods = {k: v for k, (v, _) in get_prefix("pods/default/").items()}
        if pred(pods):
            return pods
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)
def placement(pods):
    return {n: sum(1 for p in pods.values() if p["node"] == n) for n in ("node-a", "node-b", "node-c")}

try:
    time.sleep(0.3)                                  # let the watch get created
    threading.Thread(target=controllers, daemon=True).start()
    put("minions/node-a", {"cpu": 2000, "tainted": False})   # room for 4 pods of 500m
    put("minions/node-b", {"cpu": 1000, "tainted": False})   # room for 2
    put("minions/node-c", {"cpu": 8000, "tainted": True})   # NoSchedule: filtered out
    put("replicasets/default/web", {"replicas": 3, "cpu": 500})
    pods = wait_for(lambda ps: len(ps) == 3 and all(p["node"] for p in ps.values()), "3 bound pods")
    print("replicas=3 ->", placement(pods))
    assert placement(pods)["node-c"] == 0 and placement(pods)["node-a"] >= 2  # more free CPU scores higher
    victim = sorted(pods)[0]
    delete(victim)                                   # a pod dies
    pods = wait_for(lambda ps: len(ps) == 3 and victim not in ps and all(p["node"] for p in ps.values()), "repair")
    print(f"deleted {victim.split('/')[-1]} -> controller recreated it:", placement(pods))
    put("replicasets/default/web", {"replicas": 6, "cpu": 500})
    pods = wait_for(lambda ps: len(ps) == 6 and sum(placement(ps).values()) == 6, "scale to 6")
    print("replicas=6 ->", placement(pods), "(node-a and node-b are now full)")
    assert placement(pods) == {"node-a": 4, "node-b": 2, "node-c": 0}
    put("replicasets/default/web", {"replicas": 7, "cpu": 500})
    pods = wait_for(lambda ps: len(ps) == 7, "a 7th pod")
    time.sleep(1.5)                                  # a resync or two: still nowhere to go
    pending = [k for k, p in get_prefix("pods/default/").items() if not p[0]["node"]]
    print("replicas=7 -> pending (no node fits, node-c is tainted):", len(pending))
    assert len(pending) == 1
    bound_before = stats["bound"]
    put("replicasets/default/web", {"replicas": 2, "cpu": 500})
    pods = wait_for(lambda ps: len(ps) == 2 and all(p["node"] for p in ps.values()), "scale to 2")
    print("replicas=2 ->", placement(pods), "(the pending pod was deleted first)")
    assert pending[0] not in pods and stats["bound"] == bound_before
    key, (pod, rev) = next(iter(get_prefix("pods/default/").items()))
    first = cas_put(key, dict(pod, note="scheduler A"), rev)
    second = cas_put(key, dict(pod, note="scheduler B"), rev)  # same stale revision
    print(f"two writers with the same mod_revision: first {first}, second {second}")
    assert first and not second
    print("stats:", stats)
finally:
    events.put(("STOP", "stop"))
    api("kv/deleterange", {"key": enc(P), "range_end": enc(P[:-1] + "0")})
print("OK: desired state in etcd, watch-driven reconcile repairs and scales, filter/score/bind with compare-and-swap")
