# caption: 分布式缓存加分库分表的最小版本，用真实的 MariaDB 和 Redis：按 crc32(uid) 把用户路由到两张分表，读走“先查 Redis、未命中回源再回填”，写走 DCache 式的先写缓存、批量异步落库（写合并）
# point: 分布式MySQL与分布式Cache
# timeout: 60
# needs: mariadb, redis
import os, socket, subprocess, zlib

E = os.environ
TAG = f"t{os.getpid()}"
SHARDS = [f"user_{TAG}_{i}" for i in range(2)]
MYSQL = ["mysql", "-h", E["ATLAS_MYSQL_HOST"], "-P", E["ATLAS_MYSQL_PORT"], "-u", E["ATLAS_MYSQL_USER"],
         f"-p{E['ATLAS_MYSQL_PASSWORD']}" if E["ATLAS_MYSQL_PASSWORD"] else "--skip-password", "-N", "-B"]
db_queries = 0
def sql(q, check=True):                              # the real mysql client; one process per statement
    global db_queries
    db_queries += 1
    out = subprocess.run(MYSQL + ["-e", q, E["ATLAS_MYSQL_DATABASE"]], check=check, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines()]

rs = socket.create_connection((E["ATLAS_REDIS_HOST"], int(E["ATLAS_REDIS_PORT"])), timeout=5)
rf = rs.makefile("rb")
def redis(*args):                                    # RESP: an array of bulk strings out, one reply back
    rs.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in (str(x).encode() for x in args)))
    line = rf.readline()
    if line[:1] == b"$":
        n = int(line[1:])
        return None if n < 0 else rf.read(n + 2)[:-2].decode()
    if line[:1] == b"-":
        raise RuntimeError(line.decode())
    return line[1:].strip().decode()

def shard(uid):                                      # the router: which table holds this user
    return SHARDS[zlib.crc32(str(uid).encode()) % len(SHARDS)]
def read(uid):                                       # cache-aside read
    v = redis("GET", f"{TAG}:user:{uid}")
    if v is None:
        v = sql(f"SELECT name FROM {shard(uid)} WHERE uid = {uid}")[0][0]
        redis("SET", f"{TAG}:user:{uid}", v, "EX", 60)
    return v
dirty = set()
def write(uid, name):                                # write-behind: cache now, database later
    redis("SET", f"{TAG}:user:{uid}", name, "EX", 60)
    dirty.add(uid)
def flush():                                         # one statement per shard for all dirty keys
    for t in SHARDS:
        rows = [(u, redis("GET", f"{TAG}:user:{u}")) for u in sorted(dirty) if shard(u) == t]
        if rows:
            sql(f"INSERT INTO {t} (uid, name) VALUES " + ",".join(f"({u}, '{n}')" for u, n in rows)
                + " ON DUPLICATE KEY UPDATE name = VALUES(name)")
    dirty.clear()

try:
    for t in SHARDS:
        sql(f"CREATE TABLE {t} (uid INT PRIMARY KEY, name VARCHAR(32))")
    for t in SHARDS:
        sql(f"INSERT INTO {t} VALUES " + ",".join(f"({u}, 'user{u}')" for u in range(100) if shard(u) == t))
    counts = [int(sql(f"SELECT COUNT(*) FROM {t}")[0][0]) for t in SHARDS]
    print("100 users split over two shard tables:", counts)
    assert sum(counts) == 100 and min(counts) > 30
    db_queries = 0
    for i in range(200):                             # 200 reads over 20 hot users
        assert read(i % 20) == f"user{i % 20}"
    print(f"200 reads of 20 hot keys -> {db_queries} database queries (one per first miss), {200 - db_queries} cache hits")
    assert db_queries == 20
    db_queries = 0
    for i in range(50):
        write(7, f"rename{i}")                       # 50 writes to one key ...
    write(8, "bob")
    before = sql(f"SELECT name FROM {shard(7)} WHERE uid = 7")[0][0]
    flush()
    after = sql(f"SELECT name FROM {shard(7)} WHERE uid = 7")[0][0]
    print(f"51 writes -> DB before flush {before!r}, after flush {after!r}; read sees {read(7)!r}")
    assert before == "user7" and after == "rename49" and read(7) == "rename49"
    assert db_queries <= 4                          # 2 SELECTs + at most one INSERT per shard
finally:
    for t in SHARDS:
        sql(f"DROP TABLE IF EXISTS {t}", check=False)
    for u in range(100):
        redis("DEL", f"{TAG}:user:{u}")
print("OK: routing by hash, cache-aside reads hit the DB once per key, write-behind coalesces 51 writes into one flush")
