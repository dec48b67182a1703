# caption: 事务里改 2000 行、提交之前：INNODB_TRX 记着改了几行，另一个会话的快照读仍看到旧值（undo 里的旧版本），LSN 已经前进（redo 先写），缓冲池里这张表的页被标脏（INNODB_BUFFER_PAGE 的 NEWEST_MODIFICATION）；ROLLBACK 用 undo 把值改回来；再提交一次看 SHOW ENGINE INNODB STATUS
# point: Buffer Pool 与 undo log
# timeout: 30
# needs: mariadb
import os

import pymysql

T = "bp_1322"


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


def one(cur, sql, *args):
    cur.execute(sql, args or None)
    return cur.fetchone()[0]


def lsn(cur):
    return int(one(cur, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
                        " WHERE VARIABLE_NAME = 'INNODB_LSN_CURRENT'"))


def pages(cur, since):
    """Pages of our table in the buffer pool: all, changed after LSN `since`, and still dirty (not yet written)."""
    cur.execute("SELECT COUNT(*), SUM(NEWEST_MODIFICATION > %s), SUM(OLDEST_MODIFICATION > 0)"
                " FROM information_schema.INNODB_BUFFER_PAGE WHERE TABLE_NAME LIKE %s", (since, f"%{T}%"))
    return tuple(int(x or 0) for x in cur.fetchone())


conn, other = connect(), connect()
cur, ocur = conn.cursor(), other.cursor()
cur.execute(f"DROP TABLE IF EXISTS {T}")
cur.execute(f"CREATE TABLE {T} (id INT PRIMARY KEY, pad CHAR(200) NOT NULL, bal INT NOT NULL) ENGINE=InnoDB")
cur.executemany(f"INSERT INTO {T} VALUES (%s, 'x', 100)", [(i,) for i in range(1, 2001)])
total = one(cur, f"SELECT SUM(bal) FROM {T}")

lsn0 = lsn(cur)
cur.execute("BEGIN")
cur.execute(f"UPDATE {T} SET bal = bal + 1")
cur.execute("SELECT trx_id, trx_rows_modified FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID()")
trx_id, modified = cur.fetchone()
lsn1 = lsn(cur)
in_pool, changed, dirty = pages(cur, lsn0)
seen_by_other = one(ocur, f"SELECT SUM(bal) FROM {T}")  # consistent read: rebuilt from undo
mine = one(cur, f"SELECT SUM(bal) FROM {T}")
print(f"before COMMIT: trx {trx_id} rows_modified={modified}; LSN advanced {lsn1 - lsn0} (redo written first)")
print(f"buffer pool: {in_pool} pages of {T}, {changed} changed in memory since the UPDATE began, {dirty} still dirty")
print(f"SUM(bal): this session {int(mine)}, other session {int(seen_by_other)} (old versions from undo)")
assert modified == 2000 and lsn1 > lsn0 and changed >= 1 and mine == total + 2000 and seen_by_other == total

cur.execute("ROLLBACK")  # undo records applied in reverse
assert one(cur, f"SELECT SUM(bal) FROM {T}") == total
print(f"after ROLLBACK: SUM(bal) back to {int(total)}")

cur.execute(f"UPDATE {T} SET bal = bal + 1 WHERE id <= 10")  # autocommit
cur.execute("SHOW ENGINE INNODB STATUS")
status = cur.fetchone()[2]
wanted = ("Log sequence number", "Log flushed up to", "Pages flushed up to", "History list length", "Modified db pages")
lines = [l.strip() for l in status.splitlines() if l.strip().startswith(wanted)]
print("SHOW ENGINE INNODB STATUS:")
for l in lines:
    print("   ", l)
assert len(lines) >= 4
assert one(ocur, f"SELECT SUM(bal) FROM {T}") == total + 10  # a new statement sees the commit
cur.execute(f"DROP TABLE {T}")
conn.close()
other.close()
print("ok")
