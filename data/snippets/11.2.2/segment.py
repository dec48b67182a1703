# caption: 号段模式：4 个发号实例争用 MariaDB 同一行 max_id，各取 1000 个一段，发出的 2 万个 id 无重叠、每 1000 个才访问一次数据库；双缓冲在用掉 10% 时后台预取下一段，取号线程等数据库的次数明显少于单缓冲
# point: 号段模式
# timeout: 40
# needs: mariadb
import os
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

TABLE, STEP = "seg_alloc", 1000
admin = connect()
ac = admin.cursor()
ac.execute(f"DROP TABLE IF EXISTS {TABLE}")
ac.execute(f"CREATE TABLE {TABLE} (biz_tag VARCHAR(32) PRIMARY KEY, max_id BIGINT NOT NULL, step INT NOT NULL)")
ac.execute(f"INSERT INTO {TABLE} VALUES ('order', 0, {STEP}), ('user', 0, {STEP})")


class SegmentAllocator:
    """One ID-service instance: hands out ids from a segment in memory, fetches segments from the table."""

    def __init__(self, tag, double_buffer):
        self.tag, self.double = tag, double_buffer
        self.db = connect()
        self.mu = threading.Lock()
        self.cur = self.fetch()
        self.next, self.loading = None, False
        self.segments, self.stalls = [self.cur[:]], 0

    def fetch(self):
        """One short transaction: the row lock serialises instances, so segments can never overlap."""
        with self.db.cursor() as c:
            c.execute("BEGIN")
            c.execute(f"UPDATE {TABLE} SET max_id = max_id + step WHERE biz_tag = %s", (self.tag,))
            c.execute(f"SELECT max_id, step FROM {TABLE} WHERE biz_tag = %s", (self.tag,))
            top, step = c.fetchone()
            c.execute("COMMIT")
        return [top - step + 1, top]              # [next value, last value]

    def preload(self):
        seg = self.fetch()
        with self.mu:
            self.next, self.loading = seg, False
            self.segments.append(seg[:])

    def get(self):
        with self.mu:
            seg = self.cur
            if self.double and self.next is None and not self.loading and seg[1] - seg[0] < 0.9 * STEP:
                self.loading = True               # 10% used: fetch the next segment in the background
                threading.Thread(target=self.preload).start()
            if seg[0] > seg[1]:                   # segment used up
                if self.next is None:             # nothing ready: this caller waits for the database
                    self.stalls += 1
                    while self.loading:
                        self.mu.release(), time.sleep(0.0005), self.mu.acquire()
                    if self.next is None:
                        self.next = self.fetch()
                        self.segments.append(self.next[:])
                self.cur, self.next = self.next, None
                seg = self.cur
            seg[0] += 1
            return seg[0] - 1


def run(double):
    ac.execute(f"UPDATE {TABLE} SET max_id = 0")
    allocs = [SegmentAllocator("order", double) for _ in range(4)]
    out = [[] for _ in allocs]

    def work(i):
        for n in range(5000):
            out[i].append(allocs[i].get())
            if n % 50 == 0:
                time.sleep(0.001)                 # the caller's own work between ids
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for a in allocs:                              # let background fetches finish (bounded) before checking
        for _ in range(2000):
            if not a.loading:
                break
            time.sleep(0.005)
    ids = [x for o in out for x in o]
    segs = sorted(s for a in allocs for s in a.segments)
    assert len(ids) == len(set(ids)) == 20000                       # no id handed out twice
    assert all(a[1] < b[0] for a, b in zip(segs, segs[1:]))          # fetched segments never overlap
    for a in allocs:
        a.db.close()
    return ids, out, len(segs), sum(a.stalls for a in allocs)


ids, out, fetched, stalls1 = run(double=False)
print(f"single buffer: 20000 ids, unique, {fetched} segments fetched (1 DB transaction per {STEP} ids), "
      f"callers waited on the DB {stalls1} times")
print("  first ids of instances 0 and 1:", out[0][:2], out[1][:2], "-> increasing per instance, not globally")
_, _, fetched2, stalls2 = run(double=True)
print(f"double buffer: {fetched2} segments fetched, callers waited on the DB {stalls2} times")
assert stalls2 < stalls1
ac.execute(f"SELECT max_id FROM {TABLE} WHERE biz_tag = 'order'")
top = ac.fetchone()[0]
print(f"max_id now {top}: {top - 20000} ids were reserved but not used (lost if the instances restart)")
ac.execute(f"DROP TABLE {TABLE}")
admin.close()
