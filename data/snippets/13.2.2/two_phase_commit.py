# caption: 两阶段提交：本程序另起一个开了 binlog 的私有 MariaDB（sync_binlog=1），对比共享服务器（--skip-log-bin）——每次提交 Handler_prepare 是否加一、binlog 里一笔事务的事件（MIXED 记语句、ROW 记行）；然后在持续提交中 kill -9 服务器、重启，看崩溃恢复按 binlog 处理 prepared 事务，表里的计数与 binlog 里的提交数一致
# point: redo log 与 binlog 的两阶段提交
# timeout: 90
# needs: mariadb
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time

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


def status(cur, *names):
    cur.execute("SHOW SESSION STATUS WHERE Variable_name IN (%s)" % ",".join(["%s"] * len(names)), names)
    return {k: int(v) for k, v in cur.fetchall()}


def start(datadir, sock, err):
    proc = subprocess.Popen(
        [shutil.which("mariadbd", path="/usr/sbin:/usr/bin:" + os.environ.get("PATH", "")), "--no-defaults",
         f"--datadir={datadir}", f"--socket={sock}", "--skip-networking", "--user=root",
         "--log-bin=binlog", "--sync-binlog=1", "--innodb-flush-log-at-trx-commit=1", "--server-id=1",
         "--innodb-buffer-pool-size=32M", f"--log-error={err}", f"--pid-file={datadir}/p.pid"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            return proc, pymysql.connect(unix_socket=sock, user="root", autocommit=True)
        except pymysql.err.OperationalError:
            assert proc.poll() is None, open(err).read()[-500:]
            time.sleep(0.1)
    raise RuntimeError("private mariadbd did not start")


work = tempfile.mkdtemp(prefix="atlas-2pc-")
datadir, sock, err = f"{work}/data", f"{work}/s.sock", f"{work}/err.log"
proc = None
try:
    subprocess.run([shutil.which("mariadb-install-db") or "mysql_install_db", "--no-defaults", f"--datadir={datadir}",
                    "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"],
                   check=True, capture_output=True)
    proc, priv = start(datadir, sock, err)
    shared = connect()
    for conn in (priv, shared):
        c = conn.cursor()
        c.execute("CREATE DATABASE IF NOT EXISTS atlas")
        c.execute("DROP TABLE IF EXISTS atlas.c_1322")
        c.execute("CREATE TABLE atlas.c_1322 (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB")
        c.execute("INSERT INTO atlas.c_1322 VALUES (1, 0)")
    # 1. prepare is a real phase only when a second participant (the binlog) must agree with InnoDB
    for name, conn in (("private, log_bin=ON ", priv), ("shared, --skip-log-bin", shared)):
        c = conn.cursor()
        before = status(c, "Handler_prepare", "Handler_commit")
        for _ in range(20):
            c.execute("UPDATE atlas.c_1322 SET n = n + 1 WHERE id = 1")
        after = status(c, "Handler_prepare", "Handler_commit")
        d = {k: after[k] - before[k] for k in after}
        print(f"{name}: 20 autocommit UPDATEs -> Handler_prepare +{d['Handler_prepare']},"
              f" Handler_commit +{d['Handler_commit']}")
        # with the binlog on, both participants (InnoDB and the binlog) count a prepare and a commit
        assert d["Handler_prepare"] == (40 if conn is priv else 0) and d["Handler_commit"] >= 20
    shared.cursor().execute("DROP TABLE atlas.c_1322")
    shared.close()

    # 2. what one transaction leaves in the binlog: statement (MIXED, MariaDB's default) or row images
    c = priv.cursor()
    for fmt in ("MIXED", "ROW"):
        c.execute(f"SET SESSION binlog_format = '{fmt}'")
        c.execute("SHOW MASTER STATUS")
        f, pos = c.fetchone()[:2]
        c.execute("UPDATE atlas.c_1322 SET n = n + 1 WHERE id = 1")
        c.execute(f"SHOW BINLOG EVENTS IN '{f}' FROM {pos}")
        events = [(r[2], r[5][:44]) for r in c.fetchall()]
        print(f"binlog_format={fmt}:", " | ".join(f"{t}: {i}" if t != "Update_rows_v1" else t for t, i in events))
        kinds = [t for t, _ in events]
        assert kinds[0] == "Gtid" and kinds[-1] == "Xid"  # BEGIN GTID ... COMMIT /* xid=N */
        assert ("Query" in kinds) if fmt == "MIXED" else ("Update_rows_v1" in kinds and "Table_map" in kinds)
    c.execute("SELECT n FROM atlas.c_1322")
    base = c.fetchone()[0]

    # 3. kill -9 in the middle of a stream of commits, restart, compare the engine with the binlog
    acked = 0

    def writer():
        global acked
        w = pymysql.connect(unix_socket=sock, user="root", autocommit=True)
        try:
            for _ in range(100000):
                w.cursor().execute("UPDATE atlas.c_1322 SET n = n + 1 WHERE id = 1")
                acked += 1
        except pymysql.err.MySQLError:
            pass  # the server died under us

    t = threading.Thread(target=writer)
    t.start()
    time.sleep(1.0)
    proc.kill()
    proc.wait()
    t.join()
    priv.close()
    proc, priv = start(datadir, sock, err)
    c = priv.cursor()
    c.execute("SELECT n FROM atlas.c_1322")
    n = c.fetchone()[0] - base
    c.execute("SHOW BINARY LOGS")
    logged = 0
    for (name, *_rest) in c.fetchall():
        c.execute(f"SHOW BINLOG EVENTS IN '{name}'")
        logged += sum(1 for r in c.fetchall() if r[2] == "Query" and "SET n = n + 1" in r[5])
    logged -= 20 + 1  # part 1 and the MIXED statement of part 2 (the ROW one is not a Query event)
    recovery = [l.split("[Note] ", 1)[-1].strip() for l in open(err)
                if "crash" in l.lower() or "prepared" in l.lower() or "recover" in l.lower()]
    print(f"acknowledged before the kill: {acked}; after restart: table +{n}, binlog commits +{logged}")
    for line in recovery[:7]:
        print("  err.log:", line[:110])
    assert acked > 0 and n >= acked and n == logged  # engine and binlog agree; nothing acknowledged was lost
    assert any("crash" in l.lower() for l in recovery)
    print("ok: every acknowledged commit survived, InnoDB and the binlog agree")
finally:
    if proc and proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=30)
    shutil.rmtree(work, ignore_errors=True)
