# caption: 幂等键：8 个线程同时重放同一个支付请求，唯一索引让只有一个执行、其余拿到同一份已存结果；对照没有幂等键时扣了 8 次；状态机条件更新的重复执行影响 0 行
# point: 幂等设计
# timeout: 20
# needs: mariadb
import os
import threading
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

ACCT, REQ, ORD = "idem_acct", "idem_request", "idem_order"
admin = connect()
ac = admin.cursor()
for t in (ACCT, REQ, ORD):
    ac.execute(f"DROP TABLE IF EXISTS {t}")
ac.execute(f"CREATE TABLE {ACCT} (uid INT PRIMARY KEY, balance INT NOT NULL)")
ac.execute(f"CREATE TABLE {REQ} (idem_key CHAR(36) PRIMARY KEY, response VARCHAR(64))")
ac.execute(f"CREATE TABLE {ORD} (id INT PRIMARY KEY, state VARCHAR(8) NOT NULL)")
ac.execute(f"INSERT INTO {ACCT} VALUES (1, 1000)")


def pay(cur, key, amount):
    """Charge once per idempotency key; a replay returns the response stored by the first execution."""
    cur.execute("BEGIN")
    try:
        # a concurrent duplicate blocks here on the key's lock until the first one commits, then gets 1062
        cur.execute(f"INSERT INTO {REQ} (idem_key) VALUES (%s)", (key,))
    except pymysql.err.IntegrityError:
        cur.execute("ROLLBACK")
        cur.execute(f"SELECT response FROM {REQ} WHERE idem_key = %s", (key,))
        return "replayed: " + cur.fetchone()[0]
    cur.execute(f"UPDATE {ACCT} SET balance = balance - %s WHERE uid = 1", (amount,))
    cur.execute(f"SELECT balance FROM {ACCT} WHERE uid = 1")
    response = f"paid {amount}, balance {cur.fetchone()[0]}"
    cur.execute(f"UPDATE {REQ} SET response = %s WHERE idem_key = %s", (response, key))
    cur.execute("COMMIT")                      # effect and stored response become visible together
    return response


def balance():
    ac.execute(f"SELECT balance FROM {ACCT}")
    return ac.fetchone()[0]


# 1. a client times out and retries, a gateway retries too: 8 copies of one request arrive at once
key = str(uuid.uuid4())                        # the client makes the key once, before the first attempt
answers = []
lock = threading.Lock()


def client(k):
    c = connect()
    r = pay(c.cursor(), k, 100)
    with lock:
        answers.append(r)
    c.close()


threads = [threading.Thread(target=client, args=(key,)) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join(15)
firsts = [a for a in answers if not a.startswith("replayed")]
print(f"8 concurrent copies of key {key[:8]}…: executed {len(firsts)}, replayed {len(answers) - len(firsts)}")
print("  every caller got:", sorted(set(a.replace("replayed: ", "") for a in answers)))
assert len(firsts) == 1 and len(answers) == 8 and balance() == 900

# 2. the same 8 retries without a key: every one charges
for _ in range(8):
    ac.execute(f"UPDATE {ACCT} SET balance = balance - 100 WHERE uid = 1")
print("8 retries without a key: balance 900 ->", balance())
assert balance() == 100

# 3. state-machine update: only the transition UNPAID -> PAID changes a row; repeating it is harmless
ac.execute(f"INSERT INTO {ORD} VALUES (7, 'UNPAID')")
rows = [ac.execute(f"UPDATE {ORD} SET state = 'PAID' WHERE id = 7 AND state = 'UNPAID'") for _ in range(3)]
print("UPDATE ... WHERE state='UNPAID' three times -> rows affected", rows)
assert rows == [1, 0, 0]
for t in (ACCT, REQ, ORD):
    ac.execute(f"DROP TABLE {t}")
admin.close()
