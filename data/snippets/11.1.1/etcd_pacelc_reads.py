# caption: PACELC 的 “ELC” 在 etcd 3.4 上量出来：没有分区时，从 follower 做线性一致读要先经 leader 确认 ReadIndex，比本地的 serializable 读慢；写入要等多数派落盘，比两种读都慢
# point: PACELC：没有分区时的取舍
# timeout: 60
# needs: etcd
import base64
import http.client
import json
import os
import statistics
import subprocess
import time

EPS = os.environ["ATLAS_ETCD_ENDPOINTS"].split(",")
ENV = {**os.environ, "ETCDCTL_API": "3"}
st = json.loads(subprocess.run([os.environ["ATLAS_ETCDCTL"], "--endpoints", ",".join(EPS), "endpoint", "status",
                                "-w", "json"], capture_output=True, text=True, env=ENV, check=True).stdout)
follower = next(r["Endpoint"] for r in st if r["Status"].get("leader", 0) != r["Status"]["header"]["member_id"])
host, port = follower.split("//")[1].split(":")
conn = http.client.HTTPConnection(host, int(port), timeout=10)     # one keep-alive connection, JSON gateway
KEY = base64.b64encode(f"/pacelc/{os.getpid()}".encode()).decode()


def call(path, body):
    t0 = time.perf_counter()
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    resp = json.loads(conn.getresponse().read())
    return time.perf_counter() - t0, resp


call("/v3/kv/put", {"key": KEY, "value": base64.b64encode(b"v").decode()})
lat = {"linearizable": [], "serializable": [], "put": []}
for i in range(150):                                  # interleave so that load changes hit all three alike
    lat["linearizable"].append(call("/v3/kv/range", {"key": KEY})[0])
    dt, resp = call("/v3/kv/range", {"key": KEY, "serializable": True})
    lat["serializable"].append(dt)
    assert base64.b64decode(resp["kvs"][0]["value"]) == b"v"
    if i % 3 == 0:
        lat["put"].append(call("/v3/kv/put", {"key": KEY, "value": base64.b64encode(b"v").decode()})[0])
call("/v3/kv/deleterange", {"key": KEY})
med = {k: statistics.median(v) for k, v in lat.items()}
for k, v in med.items():
    print(f"{k:13} on a follower: median {v * 1e3:6.2f} ms over {len(lat[k])} requests "
          f"({v / med['serializable']:.1f}x serializable)")
assert med["serializable"] < med["linearizable"] < med["put"] * 1.5
