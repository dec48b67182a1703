# caption: 同样 16 字节的主键，随机 UUIDv4 顺序插入 InnoDB 聚簇索引与按时间递增的 id 相比：页分裂后页面半满，索引占用的页数明显更多
# point: UUID 与雪花算法
# timeout: 60
# needs: mariadb
import os
import time
import uuid

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

N = 30000
db = connect()
cur = db.cursor()


def load(table, keys):
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(f"CREATE TABLE {table} (id BINARY(16) PRIMARY KEY, payload CHAR(100) NOT NULL) ENGINE=InnoDB")
    for i in range(0, N, 1000):                         # batches of 1000 rows, each in its own transaction
        cur.execute("BEGIN")
        cur.executemany(f"INSERT INTO {table} VALUES (%s, REPEAT('x', 100))", keys[i:i + 1000])
        cur.execute("COMMIT")
    cur.execute(f"ANALYZE TABLE {table}")
    cur.fetchall()
    cur.execute("SELECT stat_value FROM mysql.innodb_index_stats WHERE table_name = %s "
                "AND database_name = DATABASE() AND index_name = 'PRIMARY' AND stat_name = 'n_leaf_pages'", (table,))
    leaves = cur.fetchone()[0]
    cur.execute(f"DROP TABLE {table}")
    return leaves


base = int(time.time() * 1000)
ordered = [((base + i) << 64).to_bytes(16, "big") for i in range(N)]   # time-ordered, like a snowflake id
random_ = [uuid.uuid4().bytes for _ in range(N)]
seq_pages = load("uuid_pk_seq", ordered)
rnd_pages = load("uuid_pk_rnd", random_)
rows_per_leaf = N / seq_pages, N / rnd_pages
print(f"{N} rows, BINARY(16) primary key + 100-byte payload")
print(f"  increasing keys: {seq_pages} leaf pages ({rows_per_leaf[0]:.0f} rows/page)")
print(f"  random UUIDv4:   {rnd_pages} leaf pages ({rows_per_leaf[1]:.0f} rows/page), "
      f"{rnd_pages / seq_pages:.2f}x the pages")
assert rnd_pages > 1.2 * seq_pages
print("uuid4 example:", uuid.uuid4(), "- 122 random bits, no order")
db.close()
