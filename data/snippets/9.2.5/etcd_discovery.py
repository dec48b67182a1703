# caption: 用真实 etcd 集群做 IM 服务注册与发现：msg_server 带租约注册并续约，login_server 按前缀发现并 watch；一台停止续约后，租约到期、键被删、watch 收到 DELETE
# point: etcd微服务注册与发现
# timeout: 40
# needs: etcd
import base64
import http.client
import json
import os
import threading
import time
import urllib.parse

ENDPOINTS = os.environ.get("ATLAS_ETCD_ENDPOINTS", "http://127.0.0.1:2379").split(",")
PREFIX = "/im/msg_server/"


def b64(s):
    return base64.b64encode(s.encode()).decode()


def unb64(s):
    return base64.b64decode(s).decode()


def call(path, body, endpoint=0):
    """etcd v3 through its gRPC gateway: JSON over HTTP, keys and values base64."""
    u = urllib.parse.urlparse(ENDPOINTS[endpoint])
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = json.loads(resp.read())
    conn.close()
    assert resp.status == 200, data
    return data


def prefix_end(p):   # the smallest key greater than every key with this prefix
    return p[:-1] + chr(ord(p[-1]) + 1)


def discover(endpoint=0):
    r = call("/v3/kv/range", {"key": b64(PREFIX), "range_end": b64(prefix_end(PREFIX))}, endpoint)
    return {unb64(kv["key"]): json.loads(unb64(kv["value"])) for kv in r.get("kvs", [])}


class MsgServer:
    def __init__(self, name, port, ttl):
        self.key = PREFIX + name
        lease = call("/v3/lease/grant", {"TTL": ttl})
        self.lease, self.ttl = lease["ID"], int(lease["TTL"])
        call("/v3/kv/put", {"key": b64(self.key), "value": b64(json.dumps({"ip": "127.0.0.1", "port": port})),
                            "lease": self.lease})
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.keepalive)
        self.t.start()

    def keepalive(self):   # renew at a third of the TTL, as etcd clients do
        while True:
            call("/v3/lease/keepalive", {"ID": self.lease})
            if self.stop.wait(self.ttl / 3):
                return

    def crash(self):   # stop renewing without revoking: what a killed process looks like
        self.stop.set()
        self.t.join()


events = []


def watch(stop_after):
    """login_server side: one streaming HTTP request, one JSON object per line."""
    u = urllib.parse.urlparse(ENDPOINTS[2])
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
    conn.request("POST", "/v3/watch", json.dumps({"create_request": {
        "key": b64(PREFIX), "range_end": b64(prefix_end(PREFIX))}}))
    resp = conn.getresponse()
    while len(events) < stop_after:
        line = resp.readline()
        if not line:
            break
        for ev in json.loads(line).get("result", {}).get("events", []):
            events.append((time.monotonic(), ev.get("type", "PUT"), unb64(ev["kv"]["key"])))
    conn.close()


w = threading.Thread(target=watch, args=(3,))
w.start()
time.sleep(0.5)                       # let the watch be created before the first put
a, b = MsgServer("ms-a", 8000, 2), MsgServer("ms-b", 8001, 2)
print(f"registered ms-a, ms-b with leases of {a.ttl}s (granted by etcd)")
seen = discover(endpoint=1)           # written through member 0, read from member 1
print("discovered via another member:", {k: v["port"] for k, v in seen.items()})
assert set(seen) == {PREFIX + "ms-a", PREFIX + "ms-b"}

time.sleep(1.5 * b.ttl)               # both keep renewing past their TTL: nothing expires
assert len(discover()) == 2
b.crash()
t_crash = time.monotonic()            # its last renewal was at most TTL/3 before this
print(f"ms-b stops renewing at t=0; ms-a keeps going")
w.join(timeout=20)
a.crash()
kinds = [(k, key.rsplit("/", 1)[1]) for _, k, key in events]
gone = [t for t, k, key in events if k == "DELETE"]
print("watch events:", kinds)
assert kinds[:2] == [("PUT", "ms-a"), ("PUT", "ms-b")] and kinds[2] == ("DELETE", "ms-b")
delay = gone[0] - t_crash
print(f"DELETE arrived {delay:.1f}s after ms-b stopped (lease TTL {b.ttl}s); left: {list(discover())}")
assert 0.3 * b.ttl <= delay <= b.ttl + 5
assert list(discover()) == [PREFIX + "ms-a"]
call("/v3/kv/deleterange", {"key": b64(PREFIX), "range_end": b64(prefix_end(PREFIX))})
