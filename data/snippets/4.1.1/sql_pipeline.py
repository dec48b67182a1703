# caption: SQL 执行流程：解析器、预处理、权限检查、优化器、执行器各自报出的错误，以及优化器在执行前就做的决定
# point: MySQL体系结构,SQL执行流程
# timeout: 20
# needs: mariadb
import os

import pymysql

T = "flow_411"
USER = "atlas_flow_411"
# 'localhost' as well as '%': a default install may have an anonymous ''@'localhost' account,
# and the most specific host wins when the server matches a login to an account
HOSTS = ("%", "localhost")


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


def stage_error(cur, sql):
    """Run sql; return (errno, message) or None if it succeeded."""
    try:
        cur.execute(sql)
        cur.fetchall()
        return None
    except pymysql.err.MySQLError as e:
        return e.args[0], e.args[1]


root = connect()
cur = root.cursor()
db = os.environ.get("ATLAS_MYSQL_DATABASE", "atlas")
cur.execute(f"DROP TABLE IF EXISTS {T}")
cur.execute(f"CREATE TABLE {T} (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, qty TINYINT NOT NULL)")
cur.execute(f"INSERT INTO {T} VALUES (1,'a',1),(2,'b',2),(3,'c',3)")
cur.execute("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'")
for h in HOSTS:
    cur.execute(f"DROP USER IF EXISTS '{USER}'@'{h}'")
    cur.execute(f"CREATE USER '{USER}'@'{h}' IDENTIFIED BY 'flow-pass-411'")
    cur.execute(f"GRANT SELECT ON `{db}`.`{T}` TO '{USER}'@'{h}'")

cases = [
    ("parser: syntax", f"SELEC id FROM {T}", 1064),
    ("parser: syntax", f"SELECT id FROM {T} WHERE", 1064),
    ("resolve: table", "SELECT id FROM no_such_table_411", 1146),
    ("resolve: column", f"SELECT no_such_col FROM {T}", 1054),
    ("executor: runtime", f"SELECT * FROM {T} WHERE id = (SELECT id FROM {T})", 1242),
    ("executor: runtime", f"INSERT INTO {T} VALUES (4, 'd', 1000)", 1264),  # TINYINT max 127
]
print("stage              errno  message")
for stage, sql, want in cases:
    err = stage_error(cur, sql)
    print(f"{stage:<18} {err[0]:<6} {err[1][:52]}")
    assert err[0] == want, (sql, err)

# the parser runs before name resolution: a statement with BOTH problems reports the syntax error
assert stage_error(cur, "SELEC no_such_col FROM no_such_table_411")[0] == 1064

# privilege check happens after parsing, before optimization/execution
ro = connect(USER, "flow-pass-411")
rcur = ro.cursor()
rcur.execute(f"SELECT COUNT(*) FROM {T}")
assert rcur.fetchone()[0] == 3
err = stage_error(rcur, f"DELETE FROM {T} WHERE id = 1")
print(f"{'privilege':<18} {err[0]:<6} {err[1][:52]}")
assert err[0] == 1142                      # DELETE command denied
assert stage_error(rcur, f"DELET FROM {T}")[0] == 1064   # parse error still comes first
ro.close()

# the optimizer decides before the executor reads a single row
cur.execute(f"EXPLAIN SELECT * FROM {T} WHERE 1 = 0")
extra = cur.fetchone()[-1]
print(f"{'optimizer':<18} EXPLAIN ... WHERE 1=0 -> Extra: {extra}")
assert extra == "Impossible WHERE"
cur.execute(f"EXPLAIN SELECT * FROM {T} WHERE id = 2")
row = cur.fetchone()
print(f"{'optimizer':<18} EXPLAIN ... WHERE id=2 -> type={row[3]}, key={row[5]}")
assert row[3] == "const" and row[5] == "PRIMARY"

# executor: rows examined vs rows sent (Handler counters are incremented by the executor)
cur.execute("FLUSH STATUS")
cur.execute(f"SELECT name FROM {T} WHERE qty >= 2")
sent = len(cur.fetchall())
cur.execute("SHOW SESSION STATUS LIKE 'Handler_read_rnd_next'")
examined = int(cur.fetchone()[1])
print(f"{'executor':<18} full scan read {examined} rows via handler API, sent {sent}")
assert sent == 2 and examined >= 3

# MariaDB keeps a query cache (off by default); MySQL 8.0 removed it
cur.execute("SHOW VARIABLES LIKE 'query_cache_type'")
qc = cur.fetchone()
print(f"{'query cache':<18} {qc[0]}={qc[1]}")

for h in HOSTS:
    cur.execute(f"DROP USER '{USER}'@'{h}'")
cur.execute(f"DROP TABLE {T}")
root.close()
print("each stage reported its own class of error")
