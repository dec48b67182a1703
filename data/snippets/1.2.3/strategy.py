# caption: 策略模式：负载均衡算法即可互换的函数（轮询、最少连接、源地址哈希、加权随机），按配置名选择
# point: 策略模式
"""Strategy: a family of interchangeable algorithms behind one call signature.

In Python a strategy is usually just a callable: pick(backends, client_ip).
The balancer holds one and never branches on the algorithm's name.
Pitfall shown: built-in hash() of a str is salted per process
(PYTHONHASHSEED), so sticky routing must use a stable hash such as crc32.
"""
import itertools
import random
import subprocess
import sys
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Callable, List

@dataclass
class Backend:
    name: str
    weight: int = 1
    active: int = 0           # open connections right now


Strategy = Callable[[List[Backend], str], Backend]


def round_robin() -> Strategy:
    counter = itertools.count()               # state lives in the closure
    return lambda backends, ip: backends[next(counter) % len(backends)]


def least_connections() -> Strategy:
    return lambda backends, ip: min(backends, key=lambda b: (b.active, b.name))


def source_ip_hash() -> Strategy:
    return lambda backends, ip: backends[zlib.crc32(ip.encode()) % len(backends)]


def weighted_random(seed=42) -> Strategy:
    rng = random.Random(seed)
    return lambda backends, ip: rng.choices(backends, weights=[b.weight for b in backends])[0]


STRATEGIES = {
    "round_robin": round_robin,
    "least_conn": least_connections,
    "ip_hash": source_ip_hash,
    "weighted": weighted_random,
}


class LoadBalancer:
    def __init__(self, backends, strategy: str):
        self.backends = backends
        self.pick = STRATEGIES[strategy]()      # chosen once, from config

    def route(self, client_ip):
        b = self.pick(self.backends, client_ip)
        b.active += 1
        return b


def fresh():
    return [Backend("app-1", 5), Backend("app-2", 3), Backend("app-3", 2)]


ips = [f"10.1.{i // 250}.{i % 250}" for i in range(1000)]

lb = LoadBalancer(fresh(), "round_robin")
rr = Counter(lb.route(ip).name for ip in ips[:9])
assert rr == {"app-1": 3, "app-2": 3, "app-3": 3}
print(f"round_robin  9 requests -> {dict(sorted(rr.items()))}")

backends = fresh()
backends[0].active, backends[1].active, backends[2].active = 7, 2, 4
lb = LoadBalancer(backends, "least_conn")
first = lb.route("10.0.0.1").name
assert first == "app-2"
seq = [lb.route("10.0.0.1").name for _ in range(3)]
print(f"least_conn   active=(7,2,4) -> {first}, then {seq}")
assert seq == ["app-2", "app-2", "app-3"]

lb = LoadBalancer(fresh(), "ip_hash")
sticky = {ip: lb.route(ip).name for ip in ips[:50]}
assert all(lb.route(ip).name == sticky[ip] for ip in ips[:50])
print(f"ip_hash      10.1.0.7 -> {sticky['10.1.0.7']} on every request (crc32 is stable)")

lb = LoadBalancer(fresh(), "weighted")
w = Counter(lb.route(ip).name for ip in ips)
share = {k: round(v / len(ips), 2) for k, v in sorted(w.items())}
assert abs(share["app-1"] - 0.5) < 0.06 and abs(share["app-3"] - 0.2) < 0.06
print(f"weighted     weights 5:3:2, 1000 requests -> {share}")

# Why not hash(): two interpreter processes disagree about hash("10.1.0.7").
code = "print(hash('10.1.0.7'))"
outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
assert len(outs) == 2
print("hash('10.1.0.7') under PYTHONHASHSEED=1 vs 2: different -> never shard with hash()")
print("all strategy checks passed")
