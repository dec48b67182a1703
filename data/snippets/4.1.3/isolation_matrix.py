# caption: 两个真实会话在四种隔离级别下复现脏读、不可重复读、幻读，并打印出现矩阵
# point: 事务隔离级别
# timeout: 40
# needs: mariadb
import os

import pymysql

TABLE = "iso_demo_413"
LEVELS = ["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"]


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


def reset(cur):
    cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cur.execute(f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, k INT NOT NULL, val INT NOT NULL, "
                f"KEY idx_k (k)) ENGINE=InnoDB")
    cur.execute(f"INSERT INTO {TABLE} VALUES (1, 10, 100), (2, 30, 300)")


def one(cur, sql):
    """Run a statement; return its first column, or 'BLOCKED' on lock wait timeout (1205)."""
    try:
        cur.execute(sql)
        return cur.fetchone()[0]
    except pymysql.err.OperationalError as e:
        if e.args[0] == 1205:
            return "BLOCKED"
        raise


def write(cur, sql):
    try:
        cur.execute(sql)
        return "OK"
    except pymysql.err.OperationalError as e:
        if e.args[0] == 1205:
            return "BLOCKED"
        raise


def sessions(level):
    a, b = connect(), connect()
    ca, cb = a.cursor(), b.cursor()
    for c in (ca, cb):
        c.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {level}")
        c.execute("SET SESSION innodb_lock_wait_timeout = 1")   # seconds; error 1205 after that
    return a, b, ca, cb


def dirty_read(level):
    a, b, ca, cb = sessions(level)
    cb.execute("BEGIN")
    write(cb, f"UPDATE {TABLE} SET val = 999 WHERE id = 1")        # B: not committed
    ca.execute("BEGIN")
    seen = one(ca, f"SELECT val FROM {TABLE} WHERE id = 1")        # A reads
    ca.execute("COMMIT")
    cb.execute("ROLLBACK")                                          # 999 never existed
    a.close(), b.close()
    return seen == 999, seen


def non_repeatable_read(level):
    a, b, ca, cb = sessions(level)
    ca.execute("BEGIN")
    first = one(ca, f"SELECT val FROM {TABLE} WHERE id = 1")
    w = write(cb, f"UPDATE {TABLE} SET val = val + 1 WHERE id = 1")  # B autocommits
    second = one(ca, f"SELECT val FROM {TABLE} WHERE id = 1")
    ca.execute("COMMIT")
    a.close(), b.close()
    return first != second, f"{first}->{second} (B update {w})"


def phantom(level):
    a, b, ca, cb = sessions(level)
    ca.execute("BEGIN")
    first = one(ca, f"SELECT COUNT(*) FROM {TABLE} WHERE k BETWEEN 10 AND 20")
    w = write(cb, f"INSERT INTO {TABLE} VALUES (3, 15, 150)")       # B autocommits a new match
    second = one(ca, f"SELECT COUNT(*) FROM {TABLE} WHERE k BETWEEN 10 AND 20")
    ca.execute("COMMIT")
    a.close(), b.close()
    return first != second, f"{first}->{second} (B insert {w})"


admin = connect()
acur = admin.cursor()
matrix, details = {}, {}
for level in LEVELS:
    row = []
    for test in (dirty_read, non_repeatable_read, phantom):
        reset(acur)
        appeared, detail = test(level)
        row.append(appeared)
        details[(level, test.__name__)] = str(detail)
        print(f"{level:<17} {test.__name__:<20} {'APPEARS' if appeared else 'no':<8} {detail}")
    matrix[level] = tuple(row)

print()
print(f"{'level':<17} | dirty | non-repeatable | phantom")
for level in LEVELS:
    d, n, p = ("yes" if x else "-" for x in matrix[level])
    print(f"{level:<17} | {d:^5} | {n:^14} | {p:^7}")

# InnoDB: RU shows all three; RC fixes dirty reads; RR's snapshot also hides the phantom
# for plain SELECT; SERIALIZABLE turns SELECT into locking reads so B's write blocks.
assert matrix == {
    "READ UNCOMMITTED": (True, True, True),
    "READ COMMITTED": (False, True, True),
    "REPEATABLE READ": (False, False, False),
    "SERIALIZABLE": (False, False, False),
}
# ...and the way SERIALIZABLE prevents them is blocking, not versioning:
assert details[("SERIALIZABLE", "dirty_read")] == "BLOCKED"
assert "BLOCKED" in details[("SERIALIZABLE", "non_repeatable_read")]
assert "BLOCKED" in details[("SERIALIZABLE", "phantom")]
assert "OK" in details[("REPEATABLE READ", "phantom")]     # RR let B insert, A just did not see it

acur.execute(f"DROP TABLE {TABLE}")
admin.close()
print("isolation matrix matches InnoDB semantics")
