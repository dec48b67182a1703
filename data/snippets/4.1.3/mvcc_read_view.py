# caption: 一致性快照（read view）：另一会话提交后，快照读仍读旧版本，当前读和新事务读到新版本
# point: MVCC原理剖析
# timeout: 20
# needs: mariadb
import os

import pymysql

TABLE = "mvcc_demo_413"


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


def val(cur, suffix=""):
    cur.execute(f"SELECT balance FROM {TABLE} WHERE id = 1 {suffix}")
    return cur.fetchone()[0]


admin = connect()
acur = admin.cursor()
acur.execute(f"DROP TABLE IF EXISTS {TABLE}")
acur.execute(f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB")
acur.execute(f"INSERT INTO {TABLE} VALUES (1, 100)")

a, b, c = connect(), connect(), connect()
ca, cb, cc = a.cursor(), b.cursor(), c.cursor()
ca.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
ca.execute("SHOW VARIABLES LIKE 'innodb_snapshot_isolation'")
HAS_SI = ca.fetchone() is not None          # MariaDB >= 10.6.18 / 10.11.8; default ON from 11.6.2
if HAS_SI:
    ca.execute("SET SESSION innodb_snapshot_isolation = OFF")   # classic MySQL/InnoDB behaviour first
cc.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")

ca.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")   # A: read view created now
cc.execute("BEGIN")                                         # C: RC, a new view per statement
print("A(RR) snapshot sees", val(ca), "| C(RC) sees", val(cc))

for new in (200, 300):                                      # B commits two new versions
    cb.execute(f"UPDATE {TABLE} SET balance = %s WHERE id = 1", (new,))
    print(f"B committed balance={new}: A(RR) sees {val(ca)}, C(RC) sees {val(cc)}")
assert val(ca) == 100          # A walks the undo chain 300 -> 200 -> 100 back to its view
assert val(cc) == 300

# A current read (locking read) ignores the snapshot and reads the latest committed version
locked = val(ca, "LOCK IN SHARE MODE")
print("A current read (LOCK IN SHARE MODE) sees", locked, "; A snapshot read still sees", val(ca))
assert locked == 300 and val(ca) == 100

# A's own write is visible to A, built on the latest version (no lost update of B's 300)
ca.execute(f"UPDATE {TABLE} SET balance = balance + 1 WHERE id = 1")
mine = val(ca)
print("A updates balance+1 inside its snapshot and reads", mine)
assert mine == 301

ca.execute("COMMIT")
cc.execute("COMMIT")
ca.execute("BEGIN")
fresh = val(ca)
ca.execute("COMMIT")
print("A in a new transaction sees", fresh)
assert fresh == 301

if HAS_SI:
    # MariaDB's snapshot isolation: writing a row that changed after the read view was taken
    # is a write-write conflict -> ER_CHECKREAD (1020) and the transaction is rolled back
    ca.execute("SET SESSION innodb_snapshot_isolation = ON")
    ca.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
    val(ca)
    cb.execute(f"UPDATE {TABLE} SET balance = 500 WHERE id = 1")
    try:
        ca.execute(f"UPDATE {TABLE} SET balance = balance + 1 WHERE id = 1")
        raise AssertionError("expected ER_CHECKREAD")
    except pymysql.err.MySQLError as e:
        assert e.args[0] == 1020, e
        print("innodb_snapshot_isolation=ON: A's update of a row changed after its snapshot -> error 1020")
    ca.execute("ROLLBACK")
    assert val(cb) == 500

acur.execute(f"DROP TABLE {TABLE}")
for x in (a, b, c, admin):
    x.close()
print("read view semantics confirmed")
