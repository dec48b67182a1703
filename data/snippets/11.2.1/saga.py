# caption: 编排式 Saga：下单、扣库存、扣款三个本地事务；扣款失败时按相反顺序补偿；补偿前另一个读者已看见被扣的库存（Saga 不提供隔离性）
# point: Saga 与补偿
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

ORD, STK, PAY = "saga_orders", "saga_stock", "saga_wallet"
db, reader = connect(), connect()
cur, rcur = db.cursor(), reader.cursor()
for t in (ORD, STK, PAY):
    cur.execute(f"DROP TABLE IF EXISTS {t}")
cur.execute(f"CREATE TABLE {ORD} (id INT PRIMARY KEY, state VARCHAR(12) NOT NULL)")
cur.execute(f"CREATE TABLE {STK} (sku VARCHAR(8) PRIMARY KEY, qty INT NOT NULL CHECK (qty >= 0))")
cur.execute(f"CREATE TABLE {PAY} (uid VARCHAR(8) PRIMARY KEY, money INT NOT NULL CHECK (money >= 0))")
cur.execute(f"INSERT INTO {STK} VALUES ('book', 10)")
cur.execute(f"INSERT INTO {PAY} VALUES ('u1', 50)")
seen = []


def step(sql, *args):
    cur.execute(sql, args)          # autocommit: every step commits on its own, as in separate services
    assert cur.rowcount == 1


def saga(order_id, price):
    # (forward action, compensation): each is an idempotent local transaction keyed by the order id
    steps = [
        (lambda: step(f"INSERT INTO {ORD} VALUES (%s, 'PENDING')", order_id),
         lambda: step(f"UPDATE {ORD} SET state = 'CANCELLED' WHERE id = %s", order_id)),
        (lambda: step(f"UPDATE {STK} SET qty = qty - 1 WHERE sku = 'book'"),
         lambda: step(f"UPDATE {STK} SET qty = qty + 1 WHERE sku = 'book'")),
        (lambda: step(f"UPDATE {PAY} SET money = money - %s WHERE uid = 'u1'", price),
         None),                                                 # the last step needs no compensation
    ]
    done = []
    for i, (action, compensate) in enumerate(steps, 1):
        try:
            action()
        except pymysql.err.OperationalError as e:               # CHECK constraint: wallet would go negative
            print(f"  order {order_id}: T{i} failed ({e.args[0]}), compensating", [f"C{j}" for j, _ in done][::-1])
            rcur.execute(f"SELECT qty FROM {STK}")
            seen.append(rcur.fetchone()[0])                     # what another transaction sees meanwhile
            for j, comp in reversed(done):
                comp()
            return "compensated"
        done.append((i, compensate))
    step(f"UPDATE {ORD} SET state = 'PAID' WHERE id = %s", order_id)
    return "paid"


def state():
    cur.execute(f"SELECT (SELECT qty FROM {STK}), (SELECT money FROM {PAY}), "
                f"(SELECT GROUP_CONCAT(CONCAT(id, ':', state) ORDER BY id) FROM {ORD})")
    return cur.fetchone()


for oid, price in ((1, 30), (2, 30)):
    r = saga(oid, price)
    print(f"order {oid} price {price}: {r:<12} stock, wallet, orders = {state()}")

assert state() == (9, 20, "1:PAID,2:CANCELLED")
assert seen == [8]          # before C2 ran, a reader saw stock 8: the reservation of a saga that later failed
print("reader between T3's failure and compensation saw stock", seen[0], "(no isolation between sagas)")
for t in (ORD, STK, PAY):
    cur.execute(f"DROP TABLE {t}")
db.close(), reader.close()
