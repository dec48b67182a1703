# caption: 适配器：把接口和单位都不同的旧缓存客户端包装成业务代码期望的 Cache 协议，另附标准库的 LoggerAdapter
# point: 适配器模式
"""Adapter: make an existing class fit the interface your code expects.

The service is written against Cache.get(key) / Cache.set(key, value, ttl_s).
A legacy client speaks fetch()/store() with an ABSOLUTE expiry in
MILLISECONDS and returns a sentinel instead of None.  The adapter converts
names, units and the "missing" convention, so neither side changes.
logging.LoggerAdapter is the standard library's own adapter: it keeps the
Logger interface and injects per-request context.
"""
import io
import logging
from typing import Optional, Protocol


class Cache(Protocol):
    def get(self, key: str) -> Optional[bytes]: ...
    def set(self, key: str, value: bytes, ttl_s: float) -> None: ...


class FakeClock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


# ------------------------------------------------ the legacy, third-party API
class LegacyKVClient:
    MISSING = b"<<nil>>"

    def __init__(self, clock):
        self._clock = clock
        self._rows = {}

    def store(self, name: str, blob: bytes, expire_at_ms: int) -> str:
        self._rows[name] = (blob, expire_at_ms)
        return "STORED"

    def fetch(self, name: str) -> bytes:
        blob, expire_at_ms = self._rows.get(name, (self.MISSING, 0))
        if blob is not self.MISSING and self._clock() * 1000 >= expire_at_ms:
            del self._rows[name]
            return self.MISSING
        return blob


# ---------------------------------------------------------------- the adapter
class LegacyKVCacheAdapter:
    """Object adapter: wraps (has-a) the legacy client, exposes Cache."""

    def __init__(self, client: LegacyKVClient, clock):
        self._client = client
        self._clock = clock

    def get(self, key):
        blob = self._client.fetch(key)
        return None if blob == LegacyKVClient.MISSING else blob

    def set(self, key, value, ttl_s):
        if ttl_s <= 0:
            raise ValueError("ttl_s must be positive")
        expire_at_ms = int((self._clock() + ttl_s) * 1000)   # relative s -> absolute ms
        if self._client.store(key, value, expire_at_ms) != "STORED":
            raise RuntimeError("legacy store failed")


# --------------------------------------------- service code: knows only Cache
def get_profile(cache: Cache, uid: int, load_from_db) -> bytes:
    key = f"profile:{uid}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = load_from_db(uid)
    cache.set(key, value, ttl_s=60)
    return value


clock = FakeClock()
cache = LegacyKVCacheAdapter(LegacyKVClient(clock), clock)
db_reads = []


def load_from_db(uid):
    db_reads.append(uid)
    return f'{{"uid": {uid}}}'.encode()


get_profile(cache, 7, load_from_db)
get_profile(cache, 7, load_from_db)
assert db_reads == [7], "second call should be a cache hit"
print(f"t=0s   two reads of profile:7 -> {len(db_reads)} DB read (hit via adapter)")
clock.now += 59.9
get_profile(cache, 7, load_from_db)
assert db_reads == [7]
clock.now += 0.2                                   # now 60.1 s after set
get_profile(cache, 7, load_from_db)
assert db_reads == [7, 7], "entry must expire after 60 s"
print(f"t=60.1s entry expired -> {len(db_reads)} DB reads (ttl seconds -> absolute ms ok)")
assert cache.get("nope") is None
print(f"missing key -> {cache.get('nope')!r} (legacy sentinel {LegacyKVClient.MISSING!r} hidden)")

# ---------------------------------------------- stdlib: logging.LoggerAdapter
stream = io.StringIO()
base = logging.getLogger("adapter_demo")
base.propagate = False
handler = logging.StreamHandler(stream)
handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
base.addHandler(handler)
base.setLevel(logging.INFO)


class RequestLogger(logging.LoggerAdapter):
    def process(self, msg, kwargs):
        return f"[req={self.extra['request_id']}] {msg}", kwargs


log = RequestLogger(base, {"request_id": "9f2c"})
log.info("GET /users/7 -> 200")
line = stream.getvalue().strip()
assert line == "INFO [req=9f2c] GET /users/7 -> 200", line
print(f"LoggerAdapter output: {line}")
print("all adapter checks passed")
