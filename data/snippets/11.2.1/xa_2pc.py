# caption: MariaDB XA 两阶段提交：正常提交、一方否决后全部回滚、协调者在 PREPARE 后崩溃——XA RECOVER 仍列出悬而未决的分支，它们继续持有行锁，直到恢复后按决策日志提交
# point: 两阶段提交与三阶段提交
# timeout: 30
# needs: mariadb
import os

import pymysql

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

A, B, LOG = "xa_bank_a", "xa_bank_b", "xa_coord_log"   # two resource managers and the coordinator's log
admin = connect()
ac = admin.cursor()
ac.execute("XA RECOVER")                  # a prepared branch outlives its connection: clear any left by a failed run
for row in ac.fetchall():
    if row[3].startswith(b"x211"):
        ac.execute(f"XA ROLLBACK '{row[3][:row[1]].decode()}', '{row[3][row[1]:].decode()}'")
for t in (A, B, LOG):
    ac.execute(f"DROP TABLE IF EXISTS {t}")
for t, who in ((A, "alice"), (B, "bob")):
    ac.execute(f"CREATE TABLE {t} (name VARCHAR(16) PRIMARY KEY, balance INT NOT NULL CHECK (balance >= 0))"
               " ENGINE=InnoDB")
    ac.execute(f"INSERT INTO {t} VALUES (%s, 100)", (who,))
ac.execute(f"CREATE TABLE {LOG} (gtrid VARCHAR(32) PRIMARY KEY, decision VARCHAR(8)) ENGINE=InnoDB")


def balances():
    ac.execute(f"SELECT (SELECT balance FROM {A}), (SELECT balance FROM {B})")
    return ac.fetchone()


def phase1(gtrid, amount):
    """Run both branches and ask each to PREPARE; returns the open connections and the votes."""
    conns, votes = [], []
    for bq, table, name, delta in (("a", A, "alice", -amount), ("b", B, "bob", amount)):
        c = connect()
        cur = c.cursor()
        cur.execute(f"XA START '{gtrid}', '{bq}'")
        try:
            cur.execute(f"UPDATE {table} SET balance = balance + %s WHERE name = %s", (delta, name))
            cur.execute(f"XA END '{gtrid}', '{bq}'")
            cur.execute(f"XA PREPARE '{gtrid}', '{bq}'")
            votes.append("yes")
        except pymysql.err.OperationalError as e:       # CHECK constraint 4025: this branch votes no
            cur.execute(f"XA END '{gtrid}', '{bq}'")
            cur.execute(f"XA ROLLBACK '{gtrid}', '{bq}'")
            votes.append(f"no ({e.args[0]})")
        conns.append((c, bq))
    return conns, votes


def phase2(gtrid, conns, decision):
    for c, bq in conns:
        try:
            c.cursor().execute(f"XA {decision} '{gtrid}', '{bq}'")
        except pymysql.err.OperationalError as e:
            assert e.args[0] == 1397, e                     # XAER_NOTA: that branch already rolled back
        c.close()


# 1. both vote yes -> commit
conns, votes = phase1("x211t1", 30)
phase2("x211t1", conns, "COMMIT")
assert votes == ["yes", "yes"] and balances() == (70, 130)
print("t1 transfer 30: votes", votes, "-> COMMIT, balances", balances())

# 2. alice has only 70: her branch fails the CHECK and votes no -> everyone rolls back
conns, votes = phase1("x211t2", 500)
phase2("x211t2", conns, "ROLLBACK")
assert votes[0].startswith("no") and votes[1] == "yes" and balances() == (70, 130)
print("t2 transfer 500: votes", votes, "-> ROLLBACK, balances", balances())

# 3. coordinator logs COMMIT, then crashes before phase 2 (its connections just close)
conns, votes = phase1("x211t3", 20)
ac.execute(f"INSERT INTO {LOG} VALUES ('x211t3', 'COMMIT')")
for c, _ in conns:
    c.close()
ac.execute("XA RECOVER")
in_doubt = sorted(row[3].decode() for row in ac.fetchall())
print("coordinator crashed after PREPARE; XA RECOVER lists", in_doubt)
assert in_doubt == ["x211t3a", "x211t3b"]

other = connect()
oc = other.cursor()
oc.execute("SET SESSION innodb_lock_wait_timeout = 1")
try:
    oc.execute(f"UPDATE {A} SET balance = balance + 1 WHERE name = 'alice'")
    raise AssertionError("the prepared branch should still hold alice's row lock")
except pymysql.err.OperationalError as e:
    assert e.args[0] == 1205, e
    print("another client updating alice -> 1205 lock wait timeout (in-doubt branch holds the X lock)")

# recovery: a new coordinator reads its log and finishes phase 2 from any connection
ac.execute(f"SELECT decision FROM {LOG} WHERE gtrid = 'x211t3'")
decision = ac.fetchone()[0]
for bq in in_doubt:
    ac.execute(f"XA {decision} 'x211t3', '{bq[-1]}'")
ac.execute("XA RECOVER")
assert ac.fetchall() == () and balances() == (50, 150)
oc.execute(f"UPDATE {A} SET balance = balance + 0 WHERE name = 'alice'")
print("recovered coordinator sent XA", decision, "-> balances", balances(), "; lock released")
other.close()
for t in (A, B, LOG):
    ac.execute(f"DROP TABLE {t}")
admin.close()
