# caption: 连接池对比"每次请求新建连接"：8 个工作线程共用 4 条 MariaDB 连接，比较每次查询的平均耗时，并看服务器上的连接数
# point: 池化技术的使用
# timeout: 40
# needs: mariadb
import os
import queue
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


class DBPool:
    """Fixed set of connections; get() blocks while all are lent out (like TeamTalk's CDBPool)."""

    def __init__(self, size):
        self.free = queue.Queue()
        for _ in range(size):
            self.free.put(connect())

    def query(self, sql):
        conn = self.free.get(timeout=10)
        try:
            with conn.cursor() as c:
                c.execute(sql)
                return c.fetchall()
        finally:
            self.free.put(conn)


def one_shot(sql):
    conn = connect()                         # TCP + handshake + auth every time
    try:
        with conn.cursor() as c:
            c.execute(sql)
            return c.fetchall()
    finally:
        conn.close()


THREADS, POOL = 8, 4
SQL = "SELECT 1"


def run(do, per_thread):
    """Average wall time per query with THREADS threads each running per_thread queries."""
    def worker():
        for _ in range(per_thread):
            assert do(SQL)[0][0] == 1
    ts = [threading.Thread(target=worker) for _ in range(THREADS)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return (time.perf_counter() - t0) / (THREADS * per_thread)


admin = connect()
peak = [0]
stop = threading.Event()


def watch():   # sample how many client connections the server sees
    with admin.cursor() as c:
        while not stop.is_set():
            c.execute("SHOW STATUS LIKE 'Threads_connected'")
            peak[0] = max(peak[0], int(c.fetchone()[1]))
            time.sleep(0.005)


pool = DBPool(POOL)
w = threading.Thread(target=watch)
w.start()
t_pool = run(pool.query, 50)
stop.set()
w.join()
t_new = run(one_shot, 4)                 # connecting is slow: fewer rounds give the same average
print(f"{THREADS} threads, per query: pool of {POOL} {t_pool * 1e3:.2f} ms, new connection each {t_new * 1e3:.2f} ms "
      f"({t_new / t_pool:.0f}x)")
print(f"server-side connections seen while pooled: at most {peak[0]} (pool {POOL} + 1 monitor + others)")
assert t_new > 1.5 * t_pool, "connecting per query should cost clearly more than reusing"
assert peak[0] <= POOL + 3
