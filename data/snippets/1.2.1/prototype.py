# caption: 原型模式：copy 与 deepcopy 的差别、自定义 __deepcopy__ 处理锁和正则、memo 保住环形引用，以及原型注册表
# point: 原型模式
"""Prototype: build new objects by cloning a configured one.

* copy.copy is shallow: the clone shares nested dicts/lists with the original.
* copy.deepcopy recurses, and its memo dict keeps shared and cyclic references
  shared/cyclic inside the clone.
* Objects that hold OS resources (locks, sockets) cannot be deep-copied as-is;
  __deepcopy__ decides what to share (immutable compiled regex) and what to
  recreate (a fresh lock).
* A registry of named prototypes + dataclasses.replace gives cheap variants.
"""
import copy
import dataclasses
import re
import threading


class RequestTemplate:
    """A pre-configured outgoing HTTP request, expensive to assemble."""

    def __init__(self, base_url, headers, retry_on):
        self.base_url = base_url
        self.headers = headers                      # nested, mutable
        self.retry_on = retry_on                    # nested, mutable
        self.path_re = re.compile(r"^/api/v\d+/")   # immutable, share it
        self._lock = threading.Lock()               # cannot be copied
        self.sent = 0

    def __deepcopy__(self, memo):
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone                      # register before recursing
        for name, value in self.__dict__.items():
            if name == "_lock":
                value = threading.Lock()            # fresh lock per clone
            elif name == "path_re":
                pass                                # share: patterns are immutable
            else:
                value = copy.deepcopy(value, memo)
            setattr(clone, name, value)
        return clone


base = RequestTemplate("https://pay.internal", {"Accept": "application/json"}, [502, 503])

# 1. shallow copy shares the nested dict -> a mutation leaks to the original
shallow = copy.copy(base)
shallow.headers["X-Tenant"] = "acme"
assert base.headers.get("X-Tenant") == "acme" and shallow._lock is base._lock
print(f"copy.copy: clone added X-Tenant, original now has {sorted(base.headers)}")
del base.headers["X-Tenant"]

# 2. deepcopy through __deepcopy__: independent data, new lock, shared regex
deep = copy.deepcopy(base)
deep.headers["X-Tenant"] = "acme"
deep.retry_on.append(504)
assert "X-Tenant" not in base.headers and base.retry_on == [502, 503]
assert deep._lock is not base._lock and deep.path_re is base.path_re
print(f"deepcopy:  original headers {sorted(base.headers)}, retry_on {base.retry_on}")
print(f"           clone has its own lock: {deep._lock is not base._lock}, "
      f"shares compiled regex: {deep.path_re is base.path_re}")

# 3. without __deepcopy__ the lock makes deepcopy fail
class NaiveTemplate:
    def __init__(self):
        self.lock = threading.Lock()


try:
    copy.deepcopy(NaiveTemplate())
    raise AssertionError("deepcopy of a lock should fail")
except TypeError as e:
    print(f"deepcopy(object with Lock) -> TypeError: {e}")


# 4. memo keeps cycles and shared references intact
class Route:
    def __init__(self, name, parent=None):
        self.name, self.parent, self.children = name, parent, []
        if parent is not None:
            parent.children.append(self)


root = Route("/api")
users = Route("/api/users", root)
limits = {"rps": 100}
root.limits = users.limits = limits                 # one shared dict
root2 = copy.deepcopy(root)
u2 = root2.children[0]
assert u2.parent is root2 and u2 is not users
assert root2.limits is u2.limits and root2.limits is not limits
print("deepcopy(route tree): child.parent is the cloned root, shared dict stays shared")


# 5. prototype registry with frozen dataclasses: clone + override
@dataclasses.dataclass(frozen=True)
class PoolConfig:
    host: str
    port: int = 3306
    size: int = 10
    timeout_s: float = 3.0
    options: tuple = ("charset=utf8mb4",)


PROTOTYPES = {
    "mysql-primary": PoolConfig(host="db-primary"),
    "mysql-replica": PoolConfig(host="db-replica", size=30),
}


def new_config(kind, **overrides):
    return dataclasses.replace(PROTOTYPES[kind], **overrides)


batch = new_config("mysql-replica", timeout_s=30.0)
assert batch.size == 30 and batch.timeout_s == 30.0
assert PROTOTYPES["mysql-replica"].timeout_s == 3.0
assert batch.options is PROTOTYPES["mysql-replica"].options   # replace() is shallow
print(f"registry: {batch}")
print("all prototype checks passed")
