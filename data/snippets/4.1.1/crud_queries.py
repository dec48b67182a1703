# caption: CRUD 与高级查询：JOIN、GROUP BY/HAVING、子查询、窗口函数、CTE，在真实 MariaDB 上逐条断言结果
# point: SQL CRUD与高级查询
# timeout: 20
# needs: mariadb
import os

import pymysql

U, O = "users_411", "orders_411"


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


def q(sql, *args):
    cur.execute(sql, args or None)
    return [tuple(r) for r in cur.fetchall()]


cur.execute(f"DROP TABLE IF EXISTS {O}")
cur.execute(f"DROP TABLE IF EXISTS {U}")
cur.execute(f"CREATE TABLE {U} (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, city VARCHAR(20) NOT NULL)")
cur.execute(f"""CREATE TABLE {O} (id INT PRIMARY KEY AUTO_INCREMENT, user_id INT NOT NULL,
                amount INT NOT NULL, KEY idx_user (user_id))""")

# C: create
cur.executemany(f"INSERT INTO {U} VALUES (%s,%s,%s)",
                [(1, "ann", "bj"), (2, "bob", "sh"), (3, "cat", "bj"), (4, "dan", "sz")])
cur.executemany(f"INSERT INTO {O} (user_id, amount) VALUES (%s,%s)",
                [(1, 30), (1, 70), (2, 50), (3, 10), (3, 20), (3, 90)])
# R / U / D
assert q(f"SELECT name FROM {U} WHERE id = %s", 2) == [("bob",)]
cur.execute(f"UPDATE {U} SET city = 'gz' WHERE id = 4")
assert cur.rowcount == 1
cur.execute(f"INSERT INTO {U} VALUES (5, 'eve', 'bj') ON DUPLICATE KEY UPDATE city = VALUES(city)")
cur.execute(f"DELETE FROM {U} WHERE id = 5")
assert q(f"SELECT COUNT(*) FROM {U}") == [(4,)]
print("CRUD ok: 4 users, 6 orders")

# INNER JOIN drops users without orders, LEFT JOIN keeps them with NULL
inner = q(f"SELECT u.name, COUNT(*) FROM {U} u JOIN {O} o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id")
left = q(f"SELECT u.name, COUNT(o.id) FROM {U} u LEFT JOIN {O} o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id")
print("INNER JOIN:", inner)
print("LEFT JOIN: ", left)
assert inner == [("ann", 2), ("bob", 1), ("cat", 3)]
assert left[-1] == ("dan", 0)

# WHERE filters rows before grouping, HAVING filters groups after aggregation
having = q(f"""SELECT u.city, SUM(o.amount) AS total FROM {U} u JOIN {O} o ON o.user_id = u.id
               WHERE o.amount >= 20 GROUP BY u.city HAVING total > 60 ORDER BY u.city""")
print("GROUP BY city HAVING total>60 (orders >= 20):", [(c, int(t)) for c, t in having])
assert [(c, int(t)) for c, t in having] == [("bj", 210)]

# subqueries: IN, correlated EXISTS / NOT EXISTS, scalar
assert q(f"SELECT name FROM {U} WHERE id IN (SELECT user_id FROM {O} WHERE amount > 60) ORDER BY id") \
    == [("ann",), ("cat",)]
assert q(f"SELECT name FROM {U} u WHERE NOT EXISTS (SELECT 1 FROM {O} o WHERE o.user_id = u.id)") == [("dan",)]
above = q(f"SELECT id, amount FROM {O} WHERE amount > (SELECT AVG(amount) FROM {O}) ORDER BY id")
print("orders above the average amount:", above)
assert above == [(2, 70), (3, 50), (6, 90)]

# window functions (MySQL 8.0+, MariaDB 10.2+): rank inside each user, running total
win = q(f"""SELECT user_id, amount,
                   ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY amount DESC) AS rn,
                   SUM(amount) OVER (PARTITION BY user_id ORDER BY id) AS running
            FROM {O} ORDER BY user_id, id""")
print("window: (user, amount, rank in user, running total)")
for r in win:
    print("   ", tuple(int(x) for x in r))
assert [int(r[2]) for r in win] == [2, 1, 1, 3, 2, 1]
assert [int(r[3]) for r in win] == [30, 100, 50, 10, 30, 120]

# top-1 order per user: a CTE over a window function (the classic "greatest-n-per-group")
top = q(f"""WITH ranked AS (
              SELECT user_id, amount, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY amount DESC) rn
              FROM {O})
            SELECT user_id, amount FROM ranked WHERE rn = 1 ORDER BY user_id""")
print("largest order per user:", top)
assert top == [(1, 70), (2, 50), (3, 90)]

cur.execute(f"DROP TABLE {O}")
cur.execute(f"DROP TABLE {U}")
conn.close()
print("all query results asserted")
