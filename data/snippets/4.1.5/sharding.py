# caption: 按用户 ID 分 4 张分表：路由写入与查询、订单号嵌入用户基因、扩容到 5 片时取模与一致性哈希各要搬多少行
# point: 分库分表:水平分库,垂直分库,水平分表,垂直分表
# timeout: 30
# needs: mariadb
import bisect
from collections import Counter
import hashlib
import os
import random

import pymysql

N = 4
PREFIX = "orders_415_"
GENE_BITS = 4                     # low 4 bits of user_id are copied into every order_id


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


def shard_of_user(user_id, n=N):
    return user_id % n


def make_order_id(seq, user_id):
    # order id = sequence number + user "gene": routing by order id lands on the user's shard
    return (seq << GENE_BITS) | (user_id & ((1 << GENE_BITS) - 1))


def shard_of_order(order_id, n=N):
    assert (1 << GENE_BITS) % n == 0           # gene routing needs n to divide 2^GENE_BITS
    return (order_id & ((1 << GENE_BITS) - 1)) % n


conn = connect()
cur = conn.cursor()
for i in range(N):
    cur.execute(f"DROP TABLE IF EXISTS {PREFIX}{i}")
    cur.execute(f"""CREATE TABLE {PREFIX}{i} (order_id BIGINT PRIMARY KEY, user_id INT NOT NULL,
                    amount INT NOT NULL, KEY idx_user (user_id)) ENGINE=InnoDB""")

rnd = random.Random(415)
rows = [[] for _ in range(N)]
for seq in range(1, 8001):
    uid = rnd.randrange(1, 2001)
    oid = make_order_id(seq, uid)
    rows[shard_of_user(uid)].append((oid, uid, rnd.randrange(1, 500)))
for i in range(N):
    cur.executemany(f"INSERT INTO {PREFIX}{i} VALUES (%s,%s,%s)", rows[i])

counts = []
for i in range(N):
    cur.execute(f"SELECT COUNT(*), COUNT(DISTINCT user_id) FROM {PREFIX}{i}")
    counts.append(cur.fetchone())
print("rows / users per shard:", [f"{c}/{u}" for c, u in counts])
assert sum(c for c, _ in counts) == 8000 and min(c for c, _ in counts) > 1800

# every row sits on the shard its user id routes to
for i in range(N):
    cur.execute(f"SELECT COUNT(*) FROM {PREFIX}{i} WHERE MOD(user_id, {N}) <> {i}")
    assert cur.fetchone()[0] == 0


def orders_of_user(uid):
    t = f"{PREFIX}{shard_of_user(uid)}"                 # one shard, no scatter
    cur.execute(f"SELECT order_id FROM {t} WHERE user_id = %s ORDER BY order_id", (uid,))
    return [r[0] for r in cur.fetchall()]


def order_by_id(oid):
    t = f"{PREFIX}{shard_of_order(oid)}"                # routed by the gene in the order id
    cur.execute(f"SELECT user_id, amount FROM {t} WHERE order_id = %s", (oid,))
    return cur.fetchone()


uid = Counter(u for part in rows for _, u, _ in part).most_common(1)[0][0]   # a busy user
mine = orders_of_user(uid)
print(f"user {uid}: {len(mine)} orders, all read from {PREFIX}{shard_of_user(uid)}")
assert len(mine) >= 5 and all(order_by_id(o)[0] == uid for o in mine)

# without a routable key the query must scatter to every shard and merge
total = 0
for i in range(N):
    cur.execute(f"SELECT COUNT(*) FROM {PREFIX}{i} WHERE amount > 450")
    total += cur.fetchone()[0]
print(f"scatter-gather: amount > 450 needs all {N} shards -> {total} rows")

# ---- resharding 4 -> 5: how many rows have to move? ----
all_rows = [r for part in rows for r in part]
moved_mod = sum(1 for _, u, _ in all_rows if u % N != u % (N + 1))
cur.execute(" UNION ALL ".join(f"SELECT COUNT(*) FROM {PREFIX}{i} WHERE MOD(user_id, {N + 1}) <> {i}"
                               for i in range(N)))
moved_sql = sum(r[0] for r in cur.fetchall())           # same figure, measured in the database
assert moved_sql == moved_mod


class Ring:
    def __init__(self, nodes, vnodes=160):
        self.points = sorted((self.h(f"{n}#{v}"), n) for n in nodes for v in range(vnodes))
        self.keys = [p for p, _ in self.points]

    @staticmethod
    def h(s):
        return int.from_bytes(hashlib.md5(str(s).encode()).digest()[:8], "big")

    def node(self, key):
        i = bisect.bisect(self.keys, self.h(key)) % len(self.keys)
        return self.points[i][1]


before, after = Ring(range(N)), Ring(range(N + 1))
moved_ring = sum(1 for _, u, _ in all_rows if before.node(u) != after.node(u))
to_new = sum(1 for _, u, _ in all_rows if before.node(u) != after.node(u) and after.node(u) == N)
n = len(all_rows)
print(f"4 -> 5 shards, modulo      : {moved_mod:>5} of {n} rows move ({moved_mod / n:.0%}; theory 1 - 1/5 = 80%)")
print(f"4 -> 5 shards, consistent  : {moved_ring:>5} of {n} rows move ({moved_ring / n:.0%}; theory 1/5 = 20%)")
print(f"consistent hashing: rows moving somewhere other than the new shard = {moved_ring - to_new}")
assert 0.75 < moved_mod / n < 0.85
assert 0.12 < moved_ring / n < 0.28 and moved_ring == to_new   # only old -> new moves

# doubling 4 -> 8 with modulo moves exactly the rows whose user_id % 8 >= 4: half, each to a fixed partner
moved_double = sum(1 for _, u, _ in all_rows if u % 4 != u % 8)
print(f"4 -> 8 shards, modulo      : {moved_double:>5} of {n} rows move ({moved_double / n:.0%}), shard i -> i or i+4")
assert 0.45 < moved_double / n < 0.55

for i in range(N):
    cur.execute(f"DROP TABLE {PREFIX}{i}")
conn.close()
print("routing and resharding figures asserted")
