# caption: 跨数据中心复制平台的模拟：抓取幂等 oplog、按命名空间分离与订阅、路由到异地副本/缓存，断点续传与重放安全，oplog 被覆盖时要求全量重同步
# point: 抓取Oplog操作日志
import copy
import random

rng = random.Random(2023)


class Primary:
    """A collection plus a capped oplog of idempotent entries."""

    def __init__(self, oplog_cap):
        self.data = {}                         # ns -> {_id: doc}
        self.oplog, self.cap = [], oplog_cap
        self.clock = (1700000000, 0)

    def _ts(self):
        sec, inc = self.clock
        self.clock = (sec, inc + 1) if rng.random() < 0.7 else (sec + 1, 0)
        return self.clock

    def _log(self, entry):
        entry["ts"] = self._ts()
        self.oplog.append(entry)
        if len(self.oplog) > self.cap:         # capped: oldest entries fall off
            self.oplog.pop(0)

    def insert(self, ns, doc):
        self.data.setdefault(ns, {})[doc["_id"]] = copy.deepcopy(doc)
        self._log({"op": "i", "ns": ns, "o": copy.deepcopy(doc)})

    def inc(self, ns, _id, field, by):
        doc = self.data[ns][_id]
        doc[field] += by
        # the oplog records the RESULT ($set), not the $inc: replaying is safe
        self._log({"op": "u", "ns": ns, "o2": {"_id": _id}, "o": {"$set": {field: doc[field]}}})

    def delete(self, ns, _id):
        del self.data[ns][_id]
        self._log({"op": "d", "ns": ns, "o": {"_id": _id}})


def apply(store, e):
    coll = store.setdefault(e["ns"], {})
    if e["op"] == "i":
        coll[e["o"]["_id"]] = copy.deepcopy(e["o"])         # upsert semantics
    elif e["op"] == "u":
        if e["o2"]["_id"] in coll:
            coll[e["o2"]["_id"]].update(e["o"]["$set"])
    elif e["op"] == "d":
        coll.pop(e["o"]["_id"], None)                          # deleting twice is fine


class ResyncRequired(Exception):
    pass


class Fetcher:
    """Tails the oplog from a resume timestamp, in batches."""

    def __init__(self, primary, resume_ts):
        self.p, self.resume_ts = primary, resume_ts

    def next_batch(self, n):
        log = self.p.oplog
        if self.resume_ts is not None and log and log[0]["ts"] > self.resume_ts:
            # our position was overwritten: like ChangeStreamHistoryLost
            raise ResyncRequired("resume point %s older than oplog start %s"
                                 % (self.resume_ts, log[0]["ts"]))
        batch = [e for e in log if self.resume_ts is None or e["ts"] > self.resume_ts][:n]
        return batch


class Platform:
    """Splits entries by namespace, publishes to topics, routes to sinks."""

    def __init__(self):
        self.checkpoint = None                  # persisted resume timestamp
        self.topics = {}                        # ns -> list of entries (log separation)
        self.dc2 = {}                           # remote data-center copy
        self.cache = {}                         # (ns, _id) -> cached doc
        self.applied = 0

    def run(self, primary, batches, batch_size=25, crash_after=None):
        f = Fetcher(primary, self.checkpoint)
        for b in range(batches):
            batch = f.next_batch(batch_size)
            if not batch:
                return
            for k, e in enumerate(batch):
                self.topics.setdefault(e["ns"], []).append(e)      # subscribe per ns
                if e["ns"] in ("shop.orders", "shop.users"):        # routing rule
                    apply(self.dc2, e)
                key = (e["ns"], (e.get("o2") or e["o"])["_id"])
                self.cache.pop(key, None)                          # cache sync: invalidate
                self.applied += 1
                if crash_after is not None and self.applied == crash_after:
                    raise RuntimeError("crash before checkpoint")
            self.checkpoint = batch[-1]["ts"]                      # commit AFTER applying
            f.resume_ts = self.checkpoint


def workload(p, n):
    for _ in range(n):
        ns = rng.choice(["shop.orders", "shop.users", "shop.clicks"])
        coll = p.data.get(ns, {})
        r = rng.random()
        if r < 0.4 or len(coll) < 3:
            _id = "%s-%d" % (ns.split(".")[1], rng.randrange(10**6))
            p.insert(ns, {"_id": _id, "stock": 10, "v": rng.random()})
        elif r < 0.85:
            p.inc(ns, rng.choice(list(coll)), "stock", rng.choice([-1, 1, 5]))
        else:
            p.delete(ns, rng.choice(list(coll)))


def expected_dc2(p):
    return {ns: copy.deepcopy(docs) for ns, docs in p.data.items()
            if ns in ("shop.orders", "shop.users")}


primary = Primary(oplog_cap=400)
plat = Platform()
workload(primary, 150)

try:
    plat.run(primary, batches=100, crash_after=90)    # dies mid-batch
except RuntimeError as e:
    print("platform:", e, "| applied=%d checkpoint=%s" % (plat.applied, plat.checkpoint))
replayed_from = plat.checkpoint
plat.run(primary, batches=100)                        # restart from the checkpoint
dc2_ok = {ns: d for ns, d in plat.dc2.items() if d or ns in primary.data}
assert dc2_ok == expected_dc2(primary)
print("restart from ts %s: entries after it were re-applied; DC2 equals primary" % (replayed_from,))

# replay safety: re-applying the entire retained oplog twice changes nothing
copy_dc2 = copy.deepcopy(plat.dc2)
for _ in range(2):
    for e in primary.oplog:
        if e["ns"] in ("shop.orders", "shop.users"):
            apply(copy_dc2, e)
assert copy_dc2 == plat.dc2
print("re-applying all %d retained entries twice: state unchanged (idempotent)" % len(primary.oplog))

# log separation / subscription: each topic holds only its namespace, in ts order
for ns, entries in plat.topics.items():
    assert all(e["ns"] == ns for e in entries)
    uniq = sorted({e["ts"] for e in entries})
    print("topic %-12s %3d entries (ts %s .. %s)" % (ns, len(uniq), uniq[0], uniq[-1]))

# readers fill a cache in front of DC2 (read-through)
for ns, docs in primary.data.items():
    for _id in list(docs)[:8]:
        plat.cache[(ns, _id)] = copy.deepcopy(docs[_id])
cached_before = len(plat.cache)

# more writes, then incremental catch-up from the checkpoint
workload(primary, 100)
plat.run(primary, batches=100)
assert {ns: d for ns, d in plat.dc2.items() if d or ns in primary.data} == expected_dc2(primary)
print("incremental catch-up after 100 more writes: DC2 still equals primary")
for (ns, _id), doc in plat.cache.items():             # cache sync: nothing stale
    assert primary.data.get(ns, {}).get(_id) == doc, "stale cache entry"
assert 0 < len(plat.cache) < cached_before
print("cache: %d of %d entries invalidated by the oplog, the %d left are current"
      % (cached_before - len(plat.cache), cached_before, len(plat.cache)))

# the platform is down while 600 writes overflow the 400-entry capped oplog
workload(primary, 600)
try:
    plat.run(primary, batches=100)
    raise AssertionError("gap not detected")
except ResyncRequired as e:
    print("after a long outage:", e, "-> full resync needed")
