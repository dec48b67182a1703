# caption: 一条 UPDATE 在真实 MariaDB 里经过的每一站：连接器（线程与连接 ID）、解析器（1064）、名字解析（1054）、优化器（EXPLAIN 与 optimizer trace 选主键范围扫描、无索引则全表扫描）、执行器（Handler_read_key/Handler_update，值没变就不写引擎）
# point: 连接器、解析器、优化器与执行器
# timeout: 30
# needs: mariadb
import json
import os

import pymysql

T = "acc_1322"


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


def status(cur, *names):
    cur.execute("SHOW SESSION STATUS WHERE Variable_name IN (%s)" % ",".join(["%s"] * len(names)), names)
    return {k: int(v) for k, v in cur.fetchall()}


def error_code(cur, sql):
    try:
        cur.execute(sql)
    except pymysql.MySQLError as e:
        return e.args[0]
    return 0


conn = connect()
cur = conn.cursor()
cur.execute(f"DROP TABLE IF EXISTS {T}")
cur.execute(f"CREATE TABLE {T} (id INT PRIMARY KEY, name VARCHAR(20), bal INT NOT NULL) ENGINE=InnoDB")
cur.executemany(f"INSERT INTO {T} VALUES (%s, %s, %s)", [(i, f"u{i}", 100) for i in range(1, 1001)])
cur.execute(f"ANALYZE TABLE {T}")
cur.fetchall()

# connector: one server thread per connection unless the thread pool is configured
cur.execute("SELECT CONNECTION_ID(), @@thread_handling")
cid, handling = cur.fetchone()
cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s", (cid,))
print(f"connector: connection {cid}, thread_handling={handling}, in PROCESSLIST: {cur.fetchone()[0]}")

# parser, then name resolution: the syntax error wins even though the table does not exist either
e1 = error_code(cur, "UPDAT no_such_table SET x = 1")
e2 = error_code(cur, f"UPDATE {T} SET no_such_col = 1 WHERE id = 2")
print(f"parser: 'UPDAT ...' -> {e1} (syntax); resolver: unknown column -> {e2}")
assert (e1, e2) == (1064, 1054)

# optimizer: a primary-key range of one row, or a full scan when the WHERE has no index
cur.execute(f"EXPLAIN UPDATE {T} SET bal = bal + 1 WHERE id = 2")
cols = [d[0] for d in cur.description]
pk = dict(zip(cols, cur.fetchone()))
cur.execute(f"EXPLAIN UPDATE {T} SET bal = bal + 1 WHERE name = 'u2'")
scan = dict(zip(cols, cur.fetchone()))
print(f"optimizer: WHERE id=2 -> type={pk['type']} key={pk['key']} rows={pk['rows']};"
      f" WHERE name='u2' (no index) -> type={scan['type']} key={scan['key']} rows={scan['rows']} (whole table)")
assert pk["key"] == "PRIMARY" and int(pk["rows"]) == 1 and scan["type"] in ("ALL", "index") and int(scan["rows"]) >= 900
cur.execute("SET optimizer_trace = 'enabled=on'")
cur.execute(f"UPDATE {T} SET bal = bal + 1 WHERE id = 2")
cur.execute("SELECT TRACE FROM information_schema.OPTIMIZER_TRACE")
trace = json.loads(cur.fetchone()[0])
cur.execute("SET optimizer_trace = 'enabled=off'")
summary = trace["steps"][0]["range_analysis"]["chosen_range_access_summary"]["range_access_plan"]
print(f"optimizer trace: table scan considered, chosen {summary['type']} on {summary['index']} {summary['ranges']}")
assert summary["index"] == "PRIMARY"

# executor: it calls the engine (handler API); the counters are those calls
before = status(cur, "Handler_read_key", "Handler_update")
changed = cur.execute(f"UPDATE {T} SET bal = bal + 1 WHERE id = 3")
mid = status(cur, "Handler_read_key", "Handler_update")
same = cur.execute(f"UPDATE {T} SET bal = bal WHERE id = 3")  # matched, but nothing to change
info = conn._result.message.decode() if conn._result.message else ""
after = status(cur, "Handler_read_key", "Handler_update")
print(f"executor: bal+1 -> affected {changed}, Handler_read_key +{mid['Handler_read_key'] - before['Handler_read_key']},"
      f" Handler_update +{mid['Handler_update'] - before['Handler_update']}")
print(f"executor: bal=bal -> affected {same} {info.strip()}, Handler_update +{after['Handler_update'] - mid['Handler_update']}")
assert changed == 1 and mid["Handler_update"] - before["Handler_update"] == 1
assert same == 0 and after["Handler_update"] == mid["Handler_update"] and "Rows matched: 1" in info
cur.execute(f"DROP TABLE {T}")
conn.close()
print("ok")
