# caption: 组合模式：健康检查树，叶子（单个依赖）与分组（all/any 策略）实现同一接口，状态与耗时逐层汇总
# point: 组合模式
"""Composite: treat a single object and a group of objects uniformly.

A /healthz endpoint checks many dependencies.  Leaf = one check (MySQL,
Redis, disk).  Group = a node that holds children and combines their results:
"all" for hard dependencies, "any" for a replica set where one healthy
replica is enough.  Groups nest; the caller calls .check() on the root only.
"""
from dataclasses import dataclass, field
from typing import Callable, List, Protocol


@dataclass
class Result:
    name: str
    ok: bool
    latency_ms: float
    children: List["Result"] = field(default_factory=list)


class HealthCheck(Protocol):
    name: str
    def check(self) -> Result: ...


class Probe:
    """Leaf: wraps one callable that returns (ok, latency_ms)."""

    def __init__(self, name: str, fn: Callable[[], tuple]):
        self.name, self.fn = name, fn

    def check(self):
        try:
            ok, ms = self.fn()
        except Exception:            # a crashing probe is an unhealthy probe
            ok, ms = False, 0.0
        return Result(self.name, ok, ms)


class Group:
    """Composite: holds HealthChecks (leaves or groups) and combines them."""

    def __init__(self, name, policy="all", children=()):
        if policy not in ("all", "any"):
            raise ValueError(policy)
        self.name, self.policy = name, policy
        self.children: List[HealthCheck] = list(children)

    def add(self, child: HealthCheck):
        self.children.append(child)
        return self

    def check(self):
        results = [c.check() for c in self.children]
        combine = all if self.policy == "all" else any
        ok = combine(r.ok for r in results) if results else True
        # children run one after another here, so latencies add up
        return Result(self.name, ok, sum(r.latency_ms for r in results), results)


def render(r: Result, depth=0):
    mark = "UP  " if r.ok else "DOWN"
    yield f"{'   ' * depth}{mark} {r.name} ({r.latency_ms:g} ms)"
    for c in r.children:
        yield from render(c, depth + 1)


def boom():
    raise ConnectionRefusedError("127.0.0.1:6379")


replicas = Group("mysql-replicas", "any", [
    Probe("replica-1", lambda: (False, 3.0)),
    Probe("replica-2", lambda: (True, 4.0)),
])
root = Group("service", "all", [
    Group("mysql", "all", [Probe("primary", lambda: (True, 2.0)), replicas]),
    Probe("redis", lambda: (True, 1.0)),
    Probe("disk-free>10%", lambda: (True, 0.5)),
])

res = root.check()
for line in render(res):
    print(line)
assert res.ok and res.latency_ms == 10.5
assert res.children[0].children[1].ok          # any(): one replica is enough

print("-- redis goes away --")
root.children[1] = Probe("redis", boom)
res = root.check()
for line in render(res):
    print(line)
assert not res.ok and not res.children[1].ok and res.children[0].ok

# Uniform interface: a leaf and a whole subtree are used the same way.
for node in (Probe("alone", lambda: (True, 1.0)), replicas, root):
    assert isinstance(node.check(), Result)
assert Group("empty").check().ok               # an empty group is vacuously UP
print("all composite checks passed")
