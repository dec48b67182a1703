# caption: 代理模式：惰性连接（虚拟代理）、带 TTL 的缓存代理、xmlrpc 远程代理，以及 __getattr__ 代理拦不住魔术方法的坑
# point: 代理模式
# timeout: 15
"""Proxy: same interface as the real subject, controls access to it.

1. Virtual proxy: LazyConnection connects only on first real use.
2. Caching proxy: same find_user() interface, answers repeats from a TTL cache.
3. Remote proxy: xmlrpc.client.ServerProxy turns method calls into HTTP
   requests to a server on 127.0.0.1 (port chosen by the OS).
4. Pitfall: __getattr__ delegation does not catch len(), iter(), with ...,
   because special methods are looked up on the type, not the instance.
"""
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer


# ---------------------------------------------------------- 1. virtual proxy
class DBConnection:
    opened = 0

    def __init__(self, dsn):
        DBConnection.opened += 1          # imagine TCP + TLS + auth here
        self.dsn = dsn

    def query(self, sql):
        return f"rows for {sql!r}"


class LazyConnection:
    def __init__(self, dsn):
        self._dsn = dsn
        self._real = None

    def __getattr__(self, name):          # only called for missing attributes
        if self._real is None:
            self._real = DBConnection(self._dsn)
        return getattr(self._real, name)


conn = LazyConnection("mysql://db-primary/app")
assert DBConnection.opened == 0
print(f"virtual proxy created, connections opened: {DBConnection.opened}")
conn.query("SELECT 1")
conn.query("SELECT 2")
assert DBConnection.opened == 1 and conn.dsn == "mysql://db-primary/app"
print(f"after two queries, connections opened: {DBConnection.opened}")


# ---------------------------------------------------------- 2. caching proxy
class UserRepo:
    def __init__(self):
        self.calls = 0

    def find_user(self, uid):
        self.calls += 1
        return {"uid": uid, "name": f"user{uid}"}


class CachingUserRepo:
    """Same interface as UserRepo; the caller cannot tell them apart."""

    def __init__(self, real, ttl_s, clock):
        self._real, self._ttl, self._clock = real, ttl_s, clock
        self._cache = {}

    def find_user(self, uid):
        hit = self._cache.get(uid)
        if hit and hit[0] > self._clock():
            return dict(hit[1])           # hand out a copy, keep ours intact
        value = self._real.find_user(uid)
        self._cache[uid] = (self._clock() + self._ttl, value)
        return dict(value)


now = [0.0]
real = UserRepo()
repo = CachingUserRepo(real, ttl_s=30, clock=lambda: now[0])
for _ in range(5):
    repo.find_user(42)
assert real.calls == 1
now[0] = 31.0
repo.find_user(42)
assert real.calls == 2
print(f"caching proxy: 5 reads at t=0 + 1 at t=31 -> {real.calls} backend calls")


# ----------------------------------------------------------- 3. remote proxy
class QuietHandler(SimpleXMLRPCRequestHandler):
    def log_message(self, *args):
        pass


server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=QuietHandler,
                            logRequests=False, allow_none=True)
server.register_function(lambda a, b: a + b, "add")
server.register_function(lambda uid: {"uid": uid, "plan": "pro"}, "get_account")
port = server.server_address[1]
t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
t.start()
try:
    with xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/", allow_none=True) as remote:
        assert remote.add(2, 3) == 5
        acct = remote.get_account(7)
        assert acct == {"uid": 7, "plan": "pro"}
        print(f"remote proxy: remote.add(2, 3) = {remote.add(2, 3)}, "
              f"remote.get_account(7) = {acct}  (HTTP to 127.0.0.1:<port>)")
        try:
            remote.drop_database()
            raise AssertionError("unknown remote method must fail")
        except xmlrpc.client.Fault as e:
            print(f"remote.drop_database() -> Fault {e.faultCode}: {e.faultString}")
finally:
    server.shutdown()
    server.server_close()
    t.join()


# ---------------------------------------------- 4. pitfall: special methods
class ListProxy:
    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        return getattr(self._target, name)


p = ListProxy([1, 2, 3])
assert p.count(2) == 1                   # normal method: delegated
try:
    len(p)
    raise AssertionError("len() should bypass __getattr__")
except TypeError as e:
    print(f"len(proxy) -> TypeError: {e}")


class FullListProxy(ListProxy):
    def __len__(self):
        return len(self._target)

    def __iter__(self):
        return iter(self._target)


fp = FullListProxy([1, 2, 3])
assert len(fp) == 3 and list(fp) == [1, 2, 3]
print("explicit __len__/__iter__ on the proxy class fix it")
print("all proxy checks passed")
