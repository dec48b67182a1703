# caption: 抽象工厂：一个数据库驱动“家族”同时产出连接和 SQL 方言，保证两者配套；混用家族会在 SQLite 上直接报语法错误
# point: 抽象工厂模式
"""Abstract factory: a family of products that must match.

A database driver family produces (a) a connection and (b) a dialect that
knows the driver's placeholder style and upsert syntax.  The repository asks
one family for both, so it can never pair a SQLite connection with MySQL SQL.
PEP 249 modules are this pattern already: each exposes connect(), paramstyle
and its own exception classes as one consistent family.
"""
import sqlite3
from typing import Protocol, Sequence


class Dialect(Protocol):
    def upsert(self, table: str, key: str, cols: Sequence[str]) -> str: ...


class DriverFamily(Protocol):
    name: str
    def connect(self): ...
    def dialect(self) -> Dialect: ...


# ---------------------------------------------------------- family 1: SQLite
class SQLiteDialect:
    def upsert(self, table, key, cols):
        names = ", ".join(cols)
        marks = ", ".join("?" for _ in cols)            # qmark paramstyle
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols if c != key)
        return (f"INSERT INTO {table} ({names}) VALUES ({marks}) "
                f"ON CONFLICT({key}) DO UPDATE SET {sets}")


class SQLiteFamily:
    name = "sqlite"

    def connect(self):
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, plan TEXT)")
        return conn

    def dialect(self):
        return SQLiteDialect()


# --------------------------------------------- family 2: MySQL (recorded)
class MySQLDialect:
    def upsert(self, table, key, cols):
        names = ", ".join(cols)
        marks = ", ".join("%s" for _ in cols)           # format paramstyle
        sets = ", ".join(f"{c} = VALUES({c})" for c in cols if c != key)
        return (f"INSERT INTO {table} ({names}) VALUES ({marks}) "
                f"ON DUPLICATE KEY UPDATE {sets}")


class RecordingMySQLConnection:
    """Stands in for a real MySQL connection; checks what it is sent."""

    def __init__(self):
        self.sent = []

    def execute(self, sql, params=()):
        if "?" in sql:
            raise ValueError("MySQL drivers use %s placeholders, not ?")
        assert sql.count("%s") == len(params)
        self.sent.append((sql, tuple(params)))

    def commit(self):
        pass


class MySQLFamily:
    name = "mysql"

    def connect(self):
        return RecordingMySQLConnection()

    def dialect(self):
        return MySQLDialect()


# ------------------------------------------------------------------- client
class UserRepo:
    def __init__(self, family: DriverFamily):
        self.conn = family.connect()
        self.sql = family.dialect()

    def save(self, uid, name, plan):
        stmt = self.sql.upsert("users", "id", ["id", "name", "plan"])
        self.conn.execute(stmt, (uid, name, plan))
        self.conn.commit()


sqlite_repo = UserRepo(SQLiteFamily())
sqlite_repo.save(1, "alice", "free")
sqlite_repo.save(1, "alice", "pro")                 # upsert, not duplicate
rows = sqlite_repo.conn.execute("SELECT id, name, plan FROM users").fetchall()
assert rows == [(1, "alice", "pro")], rows
print(f"sqlite family: rows after two saves = {rows}")

mysql_repo = UserRepo(MySQLFamily())
mysql_repo.save(1, "alice", "pro")
sql, params = mysql_repo.conn.sent[0]
assert "ON DUPLICATE KEY UPDATE" in sql and "%s" in sql
head, _, tail = sql.partition(" ON DUPLICATE")
print(f"mysql family sent: {head}")
print(f"                   ON DUPLICATE{tail}  params={params}")

# What the pattern prevents: products from two different families.
mixed = UserRepo(SQLiteFamily())
mixed.sql = MySQLDialect()
try:
    mixed.save(2, "bob", "free")
    raise AssertionError("mixing families must fail")
except sqlite3.OperationalError as e:
    print(f"sqlite connection + mysql dialect -> OperationalError: {e}")

assert sqlite3.paramstyle == "qmark"
print(f"PEP 249: sqlite3.paramstyle = {sqlite3.paramstyle!r} (module = family)")
print("all abstract-factory checks passed")
