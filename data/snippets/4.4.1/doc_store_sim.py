# caption: 无 MongoDB 环境下的模拟：内存文档集合上的 CRUD（$gt/$in/$set/$inc/upsert）、聚合管道（$match/$group/$sort/$limit）、TTL 过期扫描与 GridFS 255 KiB 分块
# point: 文档/集合/聚合函数操作
import copy
import datetime as dt
import hashlib
import random


class Collection:
    def __init__(self):
        self.docs = []
        self.next_id = 1

    # --- query language subset ------------------------------------------
    @staticmethod
    def _get(doc, path):
        for part in path.split("."):
            if not isinstance(doc, dict) or part not in doc:
                return None
            doc = doc[part]
        return doc

    def _match(self, doc, q):
        for k, cond in q.items():
            if k == "$and":
                if not all(self._match(doc, c) for c in cond):
                    return False
                continue
            if k == "$or":
                if not any(self._match(doc, c) for c in cond):
                    return False
                continue
            v = self._get(doc, k)
            if isinstance(cond, dict) and cond and all(op.startswith("$") for op in cond):
                for op, arg in cond.items():
                    ok = {"$eq": lambda: v == arg, "$ne": lambda: v != arg,
                          "$gt": lambda: v is not None and v > arg,
                          "$gte": lambda: v is not None and v >= arg,
                          "$lt": lambda: v is not None and v < arg,
                          "$lte": lambda: v is not None and v <= arg,
                          "$in": lambda: v in arg,
                          "$exists": lambda: (v is not None) == arg}[op]()
                    if not ok:
                        return False
            elif isinstance(v, list):                  # array field: any element
                if cond not in v:
                    return False
            elif v != cond:
                return False
        return True

    # --- CRUD -------------------------------------------------------------
    def insert_one(self, doc):
        doc = copy.deepcopy(doc)
        doc.setdefault("_id", self.next_id)
        self.next_id += 1
        self.docs.append(doc)
        return doc["_id"]

    def find(self, q=None, sort=None, limit=0):
        out = [d for d in self.docs if self._match(d, q or {})]
        for key, direction in reversed(list((sort or {}).items())):
            out.sort(key=lambda d: self._get(d, key), reverse=direction < 0)
        return out[:limit] if limit else out

    def update_one(self, q, upd, upsert=False):
        hit = self.find(q, limit=1)
        if not hit:
            if not upsert:
                return 0
            base = {k: v for k, v in q.items() if not k.startswith("$")}
            self.insert_one(base)
            hit = [self.docs[-1]]
        d = hit[0]
        for k, v in upd.get("$set", {}).items():
            d[k] = v
        for k, v in upd.get("$inc", {}).items():
            d[k] = d.get(k, 0) + v
        for k, v in upd.get("$push", {}).items():
            d.setdefault(k, []).append(v)
        return 1

    def delete_many(self, q):
        keep = [d for d in self.docs if not self._match(d, q)]
        n = len(self.docs) - len(keep)
        self.docs = keep
        return n

    # --- aggregation --------------------------------------------------------
    def aggregate(self, pipeline):
        rows = [copy.deepcopy(d) for d in self.docs]
        for stage in pipeline:
            (op, arg), = stage.items()
            if op == "$match":
                rows = [r for r in rows if self._match(r, arg)]
            elif op == "$group":
                groups = {}
                for r in rows:
                    key = self._get(r, arg["_id"][1:]) if arg["_id"] else None
                    g = groups.setdefault(key, {"_id": key})
                    for field, acc in arg.items():
                        if field == "_id":
                            continue
                        (aop, expr), = acc.items()
                        val = expr if not isinstance(expr, str) else self._get(r, expr[1:])
                        if aop == "$sum":
                            g[field] = g.get(field, 0) + val
                        elif aop == "$max":
                            g[field] = max(g.get(field, val), val)
                        elif aop == "$avg":
                            s, n = g.get("__" + field, (0, 0))
                            g["__" + field] = (s + val, n + 1)
                            g[field] = (s + val) / (n + 1)
                rows = [{k: v for k, v in g.items() if not k.startswith("__")}
                        for g in groups.values()]
            elif op == "$sort":
                for key, direction in reversed(list(arg.items())):
                    rows.sort(key=lambda r: r[key], reverse=direction < 0)
            elif op == "$limit":
                rows = rows[:arg]
            else:
                raise ValueError("stage %s not simulated" % op)
        return rows


rng = random.Random(44)
orders = Collection()
cities = ["beijing", "shanghai", "shenzhen"]
for i in range(300):
    orders.insert_one({"user": "u%d" % rng.randint(1, 40), "city": rng.choice(cities),
                       "amount": rng.randint(1, 500), "status": rng.choice(["paid", "new"]),
                       "tags": rng.sample(["vip", "app", "web", "promo"], 2)})

# db.orders.find({status: "paid", amount: {$gt: 400}}).sort({amount: -1}).limit(3)
top = orders.find({"status": "paid", "amount": {"$gt": 400}}, sort={"amount": -1}, limit=3)
assert [d["amount"] for d in top] == sorted((d["amount"] for d in top), reverse=True)
assert all(d["status"] == "paid" and d["amount"] > 400 for d in top)
print("find paid & amount>400, top 3:", [(d["_id"], d["amount"]) for d in top])

# array field matches any element: {tags: "vip"}
vip = orders.find({"tags": "vip"})
assert vip and all("vip" in d["tags"] for d in vip)

# db.orders.updateOne({_id: 7}, {$set: {status: "paid"}, $inc: {amount: 10}})
before = copy.deepcopy(orders.find({"_id": 7})[0])
assert orders.update_one({"_id": 7}, {"$set": {"status": "paid"}, "$inc": {"amount": 10}}) == 1
assert orders.find({"_id": 7})[0] == dict(before, amount=before["amount"] + 10, status="paid")
# upsert creates the document from the equality part of the filter
orders.update_one({"user": "new-user", "city": "hangzhou"}, {"$inc": {"amount": 1}}, upsert=True)
assert orders.find({"city": "hangzhou"})[0]["amount"] == 1
print("updateOne $set/$inc ok; upsert inserted _id", orders.find({"city": "hangzhou"})[0]["_id"])

# db.orders.aggregate([{$match: {status: "paid"}},
#   {$group: {_id: "$city", total: {$sum: "$amount"}, n: {$sum: 1}, avg: {$avg: "$amount"}}},
#   {$sort: {total: -1}}, {$limit: 2}])
agg = orders.aggregate([
    {"$match": {"status": "paid"}},
    {"$group": {"_id": "$city", "total": {"$sum": "$amount"}, "n": {"$sum": 1},
                "avg": {"$avg": "$amount"}}},
    {"$sort": {"total": -1}}, {"$limit": 2}])
for row in agg:                                  # cross-check with plain Python
    paid = [d["amount"] for d in orders.docs if d.get("status") == "paid" and d["city"] == row["_id"]]
    assert row["total"] == sum(paid) and row["n"] == len(paid)
    assert abs(row["avg"] - sum(paid) / len(paid)) < 1e-9
    print("  group %-9s total=%5d n=%3d avg=%.1f" % (row["_id"], row["total"], row["n"], row["avg"]))
assert agg[0]["total"] >= agg[1]["total"]

removed = orders.delete_many({"status": "new", "amount": {"$lt": 50}})
assert not orders.find({"status": "new", "amount": {"$lt": 50}})
print("deleteMany status=new & amount<50 removed", removed)

# TTL index {createdAt: 1}, expireAfterSeconds: 3600; the monitor runs every 60 s
sessions = Collection()
now = dt.datetime(2024, 1, 1, 12, 0, 0)
for minutes_ago in (10, 59, 61, 200, 5000):
    sessions.insert_one({"createdAt": now - dt.timedelta(minutes=minutes_ago)})
expired = sessions.delete_many({"createdAt": {"$lt": now - dt.timedelta(seconds=3600)}})
assert expired == 3 and len(sessions.docs) == 2
print("TTL pass at %s removed %d of 5 sessions" % (now.time(), expired))

# GridFS: split a file into 255 KiB chunks -> fs.files + fs.chunks
CHUNK = 255 * 1024
blob = bytes(rng.randrange(256) for _ in range(1_000_000))
files, chunks = Collection(), Collection()
fid = files.insert_one({"filename": "video.bin", "length": len(blob), "chunkSize": CHUNK})
for n in range(0, (len(blob) + CHUNK - 1) // CHUNK):
    chunks.insert_one({"files_id": fid, "n": n, "data": blob[n * CHUNK:(n + 1) * CHUNK]})
parts = chunks.find({"files_id": fid}, sort={"n": 1})
assert b"".join(p["data"] for p in parts) == blob
assert len(parts) == 4 and len(parts[-1]["data"]) == len(blob) - 3 * CHUNK
# range read: bytes 600000..600099 touch only chunk n = 600000 // CHUNK
n = 600000 // CHUNK
piece = chunks.find({"files_id": fid, "n": n})[0]["data"][600000 - n * CHUNK:600100 - n * CHUNK]
assert piece == blob[600000:600100]
print("GridFS: %d bytes -> %d chunks of %d B (last %d B); range read hits chunk n=%d; sha256 %s..."
      % (len(blob), len(parts), CHUNK, len(parts[-1]["data"]), n,
         hashlib.sha256(blob).hexdigest()[:12]))
