# caption: 视图、触发器、存储过程与 GRANT：只授权视图的账号能查汇总、不能碰底表
# point: 视图,触发器,存储过程MySQL权限管理
# timeout: 20
# needs: mariadb
import os

import pymysql

ACC, LOG = "acct_411", "acct_log_411"
VIEW, PROC, TRG = "v_rich_411", "transfer_411", "trg_acct_audit_411"
USER, PWD = "atlas_report_411", "report-pass-411"
HOSTS = ("%", "localhost")   # 'localhost' too: beats an anonymous ''@'localhost' on default installs
DB = os.environ.get("ATLAS_MYSQL_DATABASE", "atlas")


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


conn = connect()
cur = conn.cursor()
for stmt in (f"DROP VIEW IF EXISTS {VIEW}", f"DROP PROCEDURE IF EXISTS {PROC}",
             f"DROP TABLE IF EXISTS {LOG}", f"DROP TABLE IF EXISTS {ACC}"):
    cur.execute(stmt)
cur.execute(f"CREATE TABLE {ACC} (id INT PRIMARY KEY, owner VARCHAR(20) NOT NULL, balance INT NOT NULL)")
cur.execute(f"""CREATE TABLE {LOG} (id INT PRIMARY KEY AUTO_INCREMENT, acct_id INT NOT NULL,
                old_balance INT NOT NULL, new_balance INT NOT NULL)""")
cur.execute(f"INSERT INTO {ACC} VALUES (1, 'ann', 100), (2, 'bob', 20), (3, 'cat', 500)")

# trigger: every balance change writes an audit row, inside the same transaction
cur.execute(f"""CREATE TRIGGER {TRG} AFTER UPDATE ON {ACC} FOR EACH ROW
                INSERT INTO {LOG} (acct_id, old_balance, new_balance)
                VALUES (OLD.id, OLD.balance, NEW.balance)""")

# stored procedure: an atomic transfer that refuses overdrafts; OUT parameter reports the result
cur.execute(f"""
CREATE PROCEDURE {PROC}(IN src INT, IN dst INT, IN amt INT, OUT ok INT)
BEGIN
  DECLARE bal INT;
  START TRANSACTION;
  SELECT balance INTO bal FROM {ACC} WHERE id = src FOR UPDATE;
  IF bal < amt THEN
    ROLLBACK; SET ok = 0;
  ELSE
    UPDATE {ACC} SET balance = balance - amt WHERE id = src;
    UPDATE {ACC} SET balance = balance + amt WHERE id = dst;
    COMMIT; SET ok = 1;
  END IF;
END""")

# view: a saved query; here it also hides columns the reporting account must not see
cur.execute(f"CREATE VIEW {VIEW} AS SELECT owner, balance FROM {ACC} WHERE balance >= 100")


def call(src, dst, amt):
    cur.execute(f"CALL {PROC}(%s, %s, %s, @ok)", (src, dst, amt))
    cur.execute("SELECT @ok")
    return cur.fetchone()[0]


assert call(1, 2, 30) == 1          # ann 100 -> 70, bob 20 -> 50
assert call(2, 1, 999) == 0         # overdraft refused, nothing changed
cur.execute(f"SELECT id, balance FROM {ACC} ORDER BY id")
balances = cur.fetchall()
print("balances after two CALLs:", balances)
assert balances == ((1, 70), (2, 50), (3, 500))
cur.execute(f"SELECT acct_id, old_balance, new_balance FROM {LOG} ORDER BY id")
log = cur.fetchall()
print("audit rows written by the trigger:", log)
assert log == ((1, 100, 70), (2, 20, 50))   # the refused transfer left no audit row

cur.execute(f"SELECT owner, balance FROM {VIEW} ORDER BY owner")
print("view v_rich (balance >= 100):", cur.fetchall())

# least privilege: the reporting account may read the view only
for h in HOSTS:
    cur.execute(f"DROP USER IF EXISTS '{USER}'@'{h}'")
    cur.execute(f"CREATE USER '{USER}'@'{h}' IDENTIFIED BY '{PWD}'")
    cur.execute(f"GRANT SELECT ON `{DB}`.`{VIEW}` TO '{USER}'@'{h}'")
cur.execute(f"SHOW GRANTS FOR '{USER}'@'%'")
for (g,) in cur.fetchall():
    print("  ", g.split(" IDENTIFIED")[0])

rep = connect(USER, PWD)
rc = rep.cursor()
rc.execute(f"SELECT owner FROM {VIEW} ORDER BY owner")
assert rc.fetchall() == (("cat",),)
for sql, errno in ((f"SELECT * FROM {ACC}", 1142),            # base table: SELECT denied
                   (f"UPDATE {VIEW} SET balance = 0", 1142),   # view: UPDATE denied
                   (f"CALL {PROC}(3, 1, 1, @x)", 1370)):       # no EXECUTE on the routine
    try:
        rc.execute(sql)
        raise AssertionError("should be denied: " + sql)
    except pymysql.err.MySQLError as e:
        print(f"report user: {sql[:34]:<34} -> {e.args[0]}")
        assert e.args[0] == errno, e
rep.close()

# REVOKE takes effect for new statements immediately (no FLUSH PRIVILEGES needed with GRANT/REVOKE)
for h in HOSTS:
    cur.execute(f"REVOKE SELECT ON `{DB}`.`{VIEW}` FROM '{USER}'@'{h}'")
try:   # no privilege left anywhere in the database: even selecting it as default schema fails
    connect(USER, PWD).close()
    raise AssertionError("revoked")
except pymysql.err.MySQLError as e:
    assert e.args[0] == 1044, e
    print("after REVOKE the account cannot even USE the database:", e.args[0])

for h in HOSTS:
    cur.execute(f"DROP USER '{USER}'@'{h}'")
for stmt in (f"DROP VIEW {VIEW}", f"DROP PROCEDURE {PROC}", f"DROP TABLE {LOG}", f"DROP TABLE {ACC}"):
    cur.execute(stmt)
conn.close()
print("view, trigger, procedure and grants behave as asserted")
