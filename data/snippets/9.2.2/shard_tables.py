# caption: 消息分表在真实 MariaDB 上：应用层按 relate_id % 8 选表，对比 PARTITION BY HASH 的分区裁剪，再算一算从 8 张扩到 16 张要搬多少数据
# point: 数据库分表设计
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


db = connect()
cur = db.cursor()
NT = 8
COLS = """(id BIGINT AUTO_INCREMENT, relate_id INT NOT NULL, from_id INT NOT NULL, msg_id INT NOT NULL,
           content VARCHAR(100) NOT NULL, created INT NOT NULL"""


def q(sql, *args):
    cur.execute(sql, args or None)
    return cur.fetchall()


for i in range(NT):   # application-level sharding: eight ordinary tables
    cur.execute(f"DROP TABLE IF EXISTS shard_msg_{i}")
    cur.execute(f"CREATE TABLE shard_msg_{i} {COLS}, PRIMARY KEY (id), KEY idx_rel (relate_id, msg_id))")
cur.execute("DROP TABLE IF EXISTS part_msg")  # the same split done by the server: hash partitions
cur.execute(f"CREATE TABLE part_msg {COLS}, PRIMARY KEY (id, relate_id), KEY idx_rel (relate_id, msg_id)) "
            f"PARTITION BY HASH (relate_id) PARTITIONS {NT}")

rows = [(rid, 1000 + rid % 7, n, f"m{n}", 1700000000 + n) for rid in range(1, 41) for n in range(1, 21)]
for i in range(NT):
    cur.executemany(f"INSERT INTO shard_msg_{i} (relate_id, from_id, msg_id, content, created) VALUES (%s,%s,%s,%s,%s)",
                    [r for r in rows if r[0] % NT == i])
cur.executemany("INSERT INTO part_msg (relate_id, from_id, msg_id, content, created) VALUES (%s,%s,%s,%s,%s)", rows)

sizes = [q(f"SELECT COUNT(*) FROM shard_msg_{i}")[0][0] for i in range(NT)]
print(f"{len(rows)} messages of 40 conversations -> rows per table {sizes}")
assert sum(sizes) == len(rows) and all(s == 100 for s in sizes)
for i in range(NT):
    assert all(r % NT == i for (r,) in q(f"SELECT DISTINCT relate_id FROM shard_msg_{i}"))

# history of one conversation: the app picks the one table; the server prunes to one partition
rid = 13
hist = q(f"SELECT msg_id FROM shard_msg_{rid % NT} WHERE relate_id=%s AND msg_id > 15 ORDER BY msg_id", rid)
assert [m for (m,) in hist] == [16, 17, 18, 19, 20]
cur.execute("EXPLAIN PARTITIONS SELECT msg_id FROM part_msg WHERE relate_id=13 AND msg_id > 15")
cols = [d[0] for d in cur.description]
one = cur.fetchone()[cols.index("partitions")]
cur.execute("EXPLAIN PARTITIONS SELECT msg_id FROM part_msg WHERE from_id=1006")
every = cur.fetchone()[cols.index("partitions")]
print(f"relate_id=13 -> app table shard_msg_{rid % NT}; PARTITION BY HASH reads partitions: {one}")
print(f"WHERE from_id=1006 (not the shard key) -> partitions: {every}")
assert one == f"p{rid % NT}" and len(every.split(",")) == NT

# a query without the shard key has to visit every table
per_user = sum(q(f"SELECT COUNT(*) FROM shard_msg_{i} WHERE from_id=1006")[0][0] for i in range(NT))
assert per_user == q("SELECT COUNT(*) FROM part_msg WHERE from_id=1006")[0][0]
print(f"messages sent by user 1006: {per_user}, found only by asking all {NT} tables")

# growing from 8 to 16 tables with modulo: which conversations change table?
moved = sum(1 for r in range(1, 41) if r % 8 != r % 16)
print(f"resharding 8 -> 16 by modulo moves {moved} of 40 conversations ({moved * 100 // 40}%)")
assert 0.4 <= moved / 40 <= 0.6   # about half: every id whose bit 3 is set
for i in range(NT):
    cur.execute(f"DROP TABLE shard_msg_{i}")
cur.execute("DROP TABLE part_msg")
