# caption: 旁路缓存挡在真实 MariaDB 前：击穿、穿透、雪崩各自的数据库命中次数，以及单飞锁、空值缓存/布隆过滤器、TTL 抖动的修复效果
# point: 3种缓存故障,缓存击穿,缓存穿透,缓存雪崩
# timeout: 40
# needs: mariadb
import hashlib
import os
import random
import threading

import pymysql

TABLE = "cache_items_414"
N_ITEMS = 400


def connect(user=None, password=None, **options):
    """A connection to the private MariaDB the build started (ATLAS_MYSQL_*), as root unless told otherwise."""
    return pymysql.connect(
        host=os.environ.get("ATLAS_MYSQL_HOST", "127.0.0.1"),
        port=int(os.environ.get("ATLAS_MYSQL_PORT", "3306")),
        user=user or os.environ.get("ATLAS_MYSQL_USER", "root"),
        password=password if password is not None else os.environ.get("ATLAS_MYSQL_PASSWORD", ""),
        database=os.environ.get("ATLAS_MYSQL_DATABASE", "atlas"),
        autocommit=True,
        **options,
    )


class DB:
    """Real MariaDB reads, one connection per thread, counting every query that reaches the server."""

    def __init__(self, slow=0.0):
        self.local, self.hits, self.lock, self.slow = threading.local(), 0, threading.Lock(), slow

    def get(self, key):
        if not hasattr(self.local, "conn"):
            self.local.conn = connect()
        with self.lock:
            self.hits += 1
        cur = self.local.conn.cursor()
        # SLEEP makes the load slow, like a heavy query, so concurrent misses overlap
        cur.execute(f"SELECT val, SLEEP(%s) FROM {TABLE} WHERE id = %s", (self.slow, key))
        row = cur.fetchone()
        return row[0] if row else None


MISSING = object()   # "not cached" marker; a cached None means "known not to exist"


class Cache:
    """In-process cache with per-key expiry on a logical clock (deterministic)."""

    def __init__(self):
        self.data, self.now = {}, 0.0

    def get(self, key):
        v = self.data.get(key)
        if v is None or v[1] <= self.now:
            return MISSING
        return v[0]

    def set(self, key, value, ttl):
        self.data[key] = (value, self.now + ttl)


def cache_aside(cache, db, key, ttl=60, cache_null=False, flight=None):
    v = cache.get(key)
    if v is not MISSING:
        return v
    if flight is None:                       # plain cache-aside: every miss goes to the DB
        v = db.get(key)
    else:                                    # single-flight: one loader per key, others wait
        with flight["guard"]:
            lk = flight["locks"].setdefault(key, threading.Lock())
        with lk:
            v = cache.get(key)               # double check: someone may have loaded it
            if v is not MISSING:
                return v
            v = db.get(key)
            cache.set(key, v, ttl)
            return v
    if v is not None or cache_null:
        cache.set(key, v, ttl if v is not None else 30)
    return v


class Bloom:
    def __init__(self, m_bits, k):
        self.m, self.k, self.bits = m_bits, k, bytearray(m_bits // 8 + 1)

    def _pos(self, key):
        h = hashlib.sha256(str(key).encode()).digest()
        return [int.from_bytes(h[4 * i:4 * i + 4], "big") % self.m for i in range(self.k)]

    def add(self, key):
        for p in self._pos(key):
            self.bits[p // 8] |= 1 << (p % 8)

    def __contains__(self, key):
        return all(self.bits[p // 8] >> (p % 8) & 1 for p in self._pos(key))


admin = connect()
ac = admin.cursor()
ac.execute(f"DROP TABLE IF EXISTS {TABLE}")
ac.execute(f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, val VARCHAR(20) NOT NULL)")
ac.executemany(f"INSERT INTO {TABLE} VALUES (%s, %s)", [(i, f"item-{i}") for i in range(N_ITEMS)])

# ---- 1. breakdown (击穿): one hot key expires, 16 concurrent requests miss together ----
def hot_key_storm(single_flight):
    db, cache = DB(slow=0.2), Cache()
    flight = {"guard": threading.Lock(), "locks": {}} if single_flight else None
    barrier, results = threading.Barrier(16), []

    def client():
        barrier.wait()
        results.append(cache_aside(cache, db, 7, flight=flight))

    threads = [threading.Thread(target=client) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["item-7"] * 16
    return db.hits


plain, single = hot_key_storm(False), hot_key_storm(True)
print(f"[breakdown] 16 concurrent misses on hot key: plain={plain} DB queries, single-flight={single}")
assert single == 1 and plain > 1

# ---- 2. penetration (穿透): requests for ids that do not exist, twice over ----
ghost_ids = list(range(10_000, 10_300))
for mode in ("plain", "cache-null", "bloom"):
    db, cache = DB(), Cache()
    bloom = Bloom(m_bits=8 * N_ITEMS, k=5)           # 8 bits per key, 5 hashes: about 2% false positives
    for i in range(N_ITEMS):
        bloom.add(i)
    for _ in range(2):
        for g in ghost_ids:
            if mode == "bloom" and g not in bloom:
                continue                              # rejected before cache and DB
            assert cache_aside(cache, db, g, cache_null=(mode != "plain")) is None
    fp = sum(1 for g in ghost_ids if g in bloom)
    print(f"[penetration] {mode:<10} 2 x {len(ghost_ids)} missing ids -> {db.hits:>3} DB queries"
          + (f" (bloom false positives: {fp})" if mode == "bloom" else ""))
    if mode == "plain":
        assert db.hits == 2 * len(ghost_ids)          # every request reaches MariaDB
    elif mode == "cache-null":
        assert db.hits == len(ghost_ids)              # second round served by cached NULLs
    else:
        # only false positives pass the filter; their NULL is cached after the first round
        assert db.hits == fp and fp < len(ghost_ids) * 0.05
    # a real item still works through the bloom path
    assert cache_aside(cache, db, 3) == "item-3"

# ---- 3. avalanche (雪崩): all keys warmed at t=0; traffic for every key each second ----
def avalanche(jitter):
    db, cache = DB(), Cache()
    rnd = random.Random(1)
    for i in range(N_ITEMS):                          # warm-up (not counted)
        cache.set(i, f"item-{i}", 60 + (rnd.uniform(0, 30) if jitter else 0))
    per_second = []
    for second in range(55, 95):
        cache.now = float(second)
        before = db.hits
        for i in range(N_ITEMS):
            v = cache.get(i)
            if v is MISSING:
                v = db.get(i)
                cache.set(i, v, 60 + (rnd.uniform(0, 30) if jitter else 0))
        per_second.append(db.hits - before)
    return max(per_second), db.hits


peak_fixed, total_fixed = avalanche(False)
peak_jit, total_jit = avalanche(True)
print(f"[avalanche] TTL=60s fixed     : peak {peak_fixed:>3} DB queries in one second (total {total_fixed})")
print(f"[avalanche] TTL=60s+U(0,30)s  : peak {peak_jit:>3} DB queries in one second (total {total_jit})")
assert peak_fixed == N_ITEMS                        # everything expires in the same second
assert total_jit == N_ITEMS and peak_jit * 5 < peak_fixed

ac.execute(f"DROP TABLE {TABLE}")
admin.close()
print("all three failure modes reproduced and fixed")
