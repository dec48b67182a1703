# caption: 在真实 MariaDB 上用 EXPLAIN 读出最左前缀、key_len、覆盖索引与四种索引失效
# point: 最左匹配原则以及覆盖索引
# timeout: 30
# needs: mariadb
import json
import os
import random

import pymysql

TABLE = "ix_demo_412"


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


conn = connect(cursorclass=pymysql.cursors.DictCursor)
cur = conn.cursor()
cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
cur.execute(f"""
CREATE TABLE {TABLE} (
  id    INT PRIMARY KEY AUTO_INCREMENT,
  a     INT NOT NULL,
  b     INT NOT NULL,
  c     INT NOT NULL,
  phone VARCHAR(20) NOT NULL,      -- utf8mb4: 20*4 + 2 length bytes = 82
  e     INT NOT NULL,              -- deliberately NOT indexed
  note  VARCHAR(40) NOT NULL,
  KEY idx_abc (a, b, c),
  KEY idx_phone (phone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""")

rnd = random.Random(42)
rows = [(rnd.randrange(100), rnd.randrange(100), rnd.randrange(100),
         "138%08d" % rnd.randrange(10**8), rnd.randrange(1000), "row%d" % i)
        for i in range(5000)]
cur.executemany(f"INSERT INTO {TABLE} (a,b,c,phone,e,note) VALUES (%s,%s,%s,%s,%s,%s)", rows)
cur.execute(f"ANALYZE TABLE {TABLE}")          # refresh statistics for the optimizer
cur.fetchall()


def explain(where, cols="*"):
    sql = f"SELECT {cols} FROM {TABLE} WHERE {where}"
    cur.execute("EXPLAIN " + sql)
    plan = cur.fetchall()
    assert len(plan) == 1, plan
    p = plan[0]
    extra = p["Extra"] or ""
    print(f"{where[:40]:<40} cols={cols[:6]:<6} type={p['type']:<11} key={str(p['key']):<16} "
          f"key_len={str(p['key_len']):<5} Extra={extra}")
    return p["type"], p["key"], p["key_len"], extra


print("-- leftmost prefix on idx_abc(a,b,c); INT NOT NULL = 4 bytes per part")
assert explain("a=5")[:3] == ("ref", "idx_abc", "4")
assert explain("a=5 AND b=7")[:3] == ("ref", "idx_abc", "8")
assert explain("a=5 AND b=7 AND c=9")[:3] == ("ref", "idx_abc", "12")
assert explain("c=9 AND b=7 AND a=5")[:3] == ("ref", "idx_abc", "12")   # order in WHERE is irrelevant
t, k, kl, x = explain("b=7 AND c=9")                                      # no a -> no seek
assert t == "ALL" and k is None
t, k, kl, x = explain("a=5 AND c=9")          # gap at b: seek on a only, c filtered by ICP
assert (t, k, kl) == ("ref", "idx_abc", "4") and "Using index condition" in x
t, k, kl, x = explain("a=5 AND b>90 AND c=9")  # range on b stops the prefix: c is not a seek key
assert (t, k, kl) == ("range", "idx_abc", "8")

print("-- covering index: every selected column lives in idx_abc (+ the PK)")
t, k, kl, x = explain("a=5 AND b=7", cols="id,a,b,c")
assert k == "idx_abc" and "Using index" in x.split(";")[-1] and "condition" not in x
t, k, kl, x = explain("a=5 AND b=7", cols="*")        # needs note/e -> back to the clustered index
assert k == "idx_abc" and "Using index" not in x
t, k, kl, x = explain("b=7", cols="id,a,b")           # no leftmost a, but full index scan is cheaper
assert (t, k) == ("index", "idx_abc") and "Using index" in x

print("-- index invalidation and the rewrite that fixes it")
assert explain("a+1=6")[:2] == ("ALL", None)                        # function/expression on column
assert explain("a=6-1")[:2] == ("ref", "idx_abc")                    # move arithmetic to the constant
assert explain("phone=13812345678")[:2] == ("ALL", None)             # string column vs number: cast per row
assert explain("phone='13812345678'")[:3] == ("ref", "idx_phone", "82")
assert explain("phone LIKE '%5678'")[:2] == ("ALL", None)            # leading wildcard
assert explain("phone LIKE '1381%'")[:2] == ("range", "idx_phone")   # prefix LIKE is a range
assert explain("a=5 OR e=3")[:2] == ("ALL", None)                    # OR with a non-indexed column
t, k, kl, x = explain("a=5 OR phone='13812345678'")                  # both sides indexed
assert t == "index_merge" and "union" in x

print("-- the optimizer is cost based: same index, different selectivity")
assert explain("a>97")[:2] == ("range", "idx_abc")      # ~2% of rows
assert explain("a>50")[:2] == ("ALL", None)             # ~half the rows: scan is cheaper

cur.execute("SET SESSION optimizer_trace='enabled=on'")
cur.execute(f"SELECT * FROM {TABLE} WHERE a>50")
cur.fetchall()
cur.execute("SELECT TRACE FROM information_schema.OPTIMIZER_TRACE")
trace = json.loads(cur.fetchone()["TRACE"])
cur.execute("SET SESSION optimizer_trace='enabled=off'")


def find(node, key):
    if isinstance(node, dict):
        for k2, v in node.items():
            if k2 == key:
                yield v
            yield from find(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from find(v, key)


ranges = [r for lst in find(trace, "range_scan_alternatives") for r in lst]
rejected = [r for r in ranges if r.get("index") == "idx_abc"]
assert rejected and rejected[0]["chosen"] is False and rejected[0]["cause"] == "cost"
print(f"optimizer_trace: range on idx_abc rejected, cause={rejected[0]['cause']}")

# Handler counters: how many rows the engine really touched
for where in ("a+1=6", "a=5"):
    cur.execute("FLUSH STATUS")
    cur.execute(f"SELECT * FROM {TABLE} WHERE {where}")
    n = len(cur.fetchall())
    cur.execute("SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_rnd_next','Handler_read_next')")
    st = {r["Variable_name"]: int(r["Value"]) for r in cur.fetchall()}
    print(f"{where:<6} -> {n} rows returned, rnd_next={st['Handler_read_rnd_next']}, "
          f"read_next={st['Handler_read_next']}")
    if where == "a+1=6":
        assert st["Handler_read_rnd_next"] > 5000        # read every row
    else:
        assert st["Handler_read_rnd_next"] == 0 and st["Handler_read_next"] == n

cur.execute(f"DROP TABLE {TABLE}")
conn.close()
print("all EXPLAIN assertions passed")
