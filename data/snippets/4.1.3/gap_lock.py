# caption: REPEATABLE READ 下 next-key 锁挡住另一会话向间隙插入（1205 超时），READ COMMITTED 下则不挡
# point: 记录锁,间隙锁,next-key lock
# timeout: 30
# needs: mariadb
import os
import threading
import time

import pymysql

TABLE = "gap_demo_413"


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


def try_insert(cur, row_id, k):
    try:
        cur.execute(f"INSERT INTO {TABLE} VALUES (%s, %s)", (row_id, k))
        return "inserted"
    except pymysql.err.OperationalError as e:
        assert e.args[0] == 1205, e             # ER_LOCK_WAIT_TIMEOUT
        return "1205 lock wait timeout"


admin = connect()
acur = admin.cursor(pymysql.cursors.DictCursor)


def run(level):
    acur.execute(f"DROP TABLE IF EXISTS {TABLE}")
    # k has a NON-unique secondary index: locking k=20 must also protect the gaps around it
    acur.execute(f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, k INT NOT NULL, KEY idx_k (k)) ENGINE=InnoDB")
    acur.execute(f"INSERT INTO {TABLE} VALUES (1, 10), (2, 20), (3, 30)")
    a, b = connect(), connect()
    ca, cb = a.cursor(), b.cursor()
    ca.execute(f"SET SESSION TRANSACTION ISOLATION LEVEL {level}")
    cb.execute("SET SESSION innodb_lock_wait_timeout = 2")   # first insert: time to look at the locks
    ca.execute("BEGIN")
    ca.execute(f"SELECT id FROM {TABLE} WHERE k = 20 FOR UPDATE")     # session A: locking read
    ca.execute("SELECT trx_id FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID()")
    a_trx = ca.fetchone()[0]

    # session B tries k=15 in a thread while we look at the lock tables from a third session
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", try_insert(cb, 15, 15)))
    t.start()
    locks = []
    # the INNODB_* tables are served from a cache that only refreshes after 0.1 s without
    # readers, so poll slowly (bounded: 8 x 0.15 s, inside B's 2 s lock wait)
    for _ in range(8):
        time.sleep(0.15)
        acur.execute("SELECT l.lock_trx_id, l.lock_mode, l.lock_index, l.lock_data "
                     "FROM information_schema.INNODB_LOCKS l "
                     f"WHERE l.lock_table LIKE '%{TABLE}%' ORDER BY l.lock_mode")
        locks = [dict(lk, who="A" if lk["lock_trx_id"] == a_trx else "B") for lk in acur.fetchall()]
        if len(locks) == 2:
            break
    t.join()
    results = {15: box["r"]}
    cb.execute("SET SESSION innodb_lock_wait_timeout = 1")
    for row_id, k in ((25, 25), (35, 35), (5, 5)):
        results[k] = try_insert(cb, row_id, k)
    ca.execute("COMMIT")
    a.close(), b.close()
    return results, locks


rr, rr_locks = run("REPEATABLE READ")
print("REPEATABLE READ, A holds SELECT ... WHERE k=20 FOR UPDATE; index k = 10, 20, 30")
for k, r in rr.items():
    print(f"  B inserts k={k:<3} -> {r}")
print("  INNODB_LOCKS while B waited for k=15:")
for lk in rr_locks:
    print(f"    session {lk['who']} mode={lk['lock_mode']:<6} index={lk['lock_index']} on record ({lk['lock_data']})")

# next-key lock (10,20] on the record k=20 plus the gap (20,30) before k=30
assert rr[15].startswith("1205") and rr[25].startswith("1205")
assert rr[35] == "inserted" and rr[5] == "inserted"          # outside (10,30): free
# B's insert-intention lock (shown as X,GAP) waits for A's next-key lock (X) on record k=20
modes = sorted((lk["who"], lk["lock_mode"]) for lk in rr_locks)
assert modes == [("A", "X"), ("B", "X,GAP")], modes
assert all(lk["lock_data"].startswith("20") for lk in rr_locks)

rc, _ = run("READ COMMITTED")
print("READ COMMITTED, same locking read:")
for k, r in rc.items():
    print(f"  B inserts k={k:<3} -> {r}")
assert all(r == "inserted" for r in rc.values())              # RC takes no gap locks

acur.execute(f"DROP TABLE {TABLE}")
admin.close()
print("gap locking behaves as documented")
