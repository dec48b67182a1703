# caption: TCC 的账户参与者：Try 冻结、Confirm/Cancel 幂等、Cancel 先于 Try 到达时的空回滚，以及防悬挂——迟到的 Try 被拒绝
# point: TCC
# timeout: 20
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

ACCT, BR = "tcc_acct", "tcc_branch"
db = connect()
cur = db.cursor()
for t in (ACCT, BR):
    cur.execute(f"DROP TABLE IF EXISTS {t}")
cur.execute(f"CREATE TABLE {ACCT} (name VARCHAR(16) PRIMARY KEY, balance INT NOT NULL, frozen INT NOT NULL)")
cur.execute(f"CREATE TABLE {BR} (xid VARCHAR(32) PRIMARY KEY, amount INT NOT NULL, state VARCHAR(8) NOT NULL)")
cur.execute(f"INSERT INTO {ACCT} VALUES ('alice', 100, 0)")


def tx(body):
    """Each TCC phase is one LOCAL transaction on the participant: branch record and balance change together."""
    cur.execute("BEGIN")
    try:
        result = body()
        cur.execute("COMMIT")
        return result
    except Exception:
        cur.execute("ROLLBACK")
        raise


def branch(xid):
    cur.execute(f"SELECT state, amount FROM {BR} WHERE xid = %s FOR UPDATE", (xid,))
    return cur.fetchone()


def try_(xid, amount):
    def body():
        row = branch(xid)
        if row:                       # repeated Try -> no-op; Try after Cancel -> refuse (anti-hanging)
            return "dup" if row[0] == "TRY" else "refused: " + row[0]
        cur.execute(f"UPDATE {ACCT} SET balance = balance - %s, frozen = frozen + %s "
                    "WHERE name = 'alice' AND balance >= %s", (amount, amount, amount))
        if cur.rowcount != 1:
            raise ValueError("insufficient balance")
        cur.execute(f"INSERT INTO {BR} VALUES (%s, %s, 'TRY')", (xid, amount))
        return "frozen"
    return tx(body)


def confirm(xid):
    def body():
        row = branch(xid)
        if not row or row[0] != "TRY":
            return "no-op"            # already confirmed: idempotent
        cur.execute(f"UPDATE {ACCT} SET frozen = frozen - %s WHERE name = 'alice'", (row[1],))
        cur.execute(f"UPDATE {BR} SET state = 'CONFIRM' WHERE xid = %s", (xid,))
        return "confirmed"
    return tx(body)


def cancel(xid):
    def body():
        row = branch(xid)
        if row is None:               # empty rollback: Try never arrived; remember it so a late Try is refused
            cur.execute(f"INSERT INTO {BR} VALUES (%s, 0, 'CANCEL')", (xid,))
            return "empty rollback"
        if row[0] != "TRY":
            return "no-op"
        cur.execute(f"UPDATE {ACCT} SET balance = balance + %s, frozen = frozen - %s WHERE name = 'alice'",
                    (row[1], row[1]))
        cur.execute(f"UPDATE {BR} SET state = 'CANCEL' WHERE xid = %s", (xid,))
        return "unfrozen"
    return tx(body)


def acct():
    cur.execute(f"SELECT balance, frozen FROM {ACCT}")
    return cur.fetchone()


steps = [("g1", try_, 30), ("g1", try_, 30), ("g1", confirm, None), ("g1", confirm, None),
         ("g2", try_, 20), ("g2", cancel, None), ("g2", cancel, None),
         ("g3", cancel, None), ("g3", try_, 40)]          # g3: Try delayed in the network, Cancel came first
trace = []
for xid, fn, amount in steps:
    r = fn(xid, amount) if amount else fn(xid)
    trace.append(r)
    print(f"{xid} {fn.__name__.rstrip('_'):<8} -> {r:<16} balance, frozen = {acct()}")

assert trace == ["frozen", "dup", "confirmed", "no-op", "frozen", "unfrozen", "no-op",
                 "empty rollback", "refused: CANCEL"]
assert acct() == (70, 0)              # only g1's 30 left the account, nothing stays frozen
for t in (ACCT, BR):
    cur.execute(f"DROP TABLE {t}")
db.close()
