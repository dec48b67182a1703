# caption: 云盘的表设计与业务流程跑在真实 MariaDB 上（标准库 + mariadb 命令行客户端）：注册登录、MD5 秒传、8 个并发上传同一文件只留一行且引用计数为 8、分页列表、下载计 PV、删除到引用归零才删 FastDFS 文件
# point: 云盘数据库设计
# timeout: 60
# needs: mariadb
import hashlib
import hmac
import json
import os
import subprocess
import time

DB = ["mariadb", "-h", os.environ.get("ATLAS_MYSQL_HOST", "127.0.0.1"), "-P", os.environ.get("ATLAS_MYSQL_PORT", "3306"),
      "-u", os.environ.get("ATLAS_MYSQL_USER", "root"), os.environ.get("ATLAS_MYSQL_DATABASE", "atlas"),
      "--batch", "--raw", "-N"] + ([f"-p{os.environ['ATLAS_MYSQL_PASSWORD']}"] if os.environ.get("ATLAS_MYSQL_PASSWORD") else [])
SECRET = os.urandom(16)


def q(s):                                          # quote a string literal for SQL (the CLI has no parameters)
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


def sql(script):
    out = subprocess.run(DB, input=script, capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()]


sql("""DROP TABLE IF EXISTS user_file, file_info, user_info;
CREATE TABLE user_info (
  id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE,
  pw_salt BINARY(16) NOT NULL, pw_hash BINARY(32) NOT NULL, created DATETIME NOT NULL DEFAULT NOW());
CREATE TABLE file_info (                      -- one row per distinct content
  md5 CHAR(32) PRIMARY KEY, fdfs_id VARCHAR(128) NOT NULL, size BIGINT NOT NULL, refs INT NOT NULL);
CREATE TABLE user_file (                      -- one row per file in someone's disk
  id INT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, md5 CHAR(32) NOT NULL, name VARCHAR(255) NOT NULL,
  pv INT NOT NULL DEFAULT 0, created DATETIME(6) NOT NULL DEFAULT NOW(6),
  UNIQUE KEY uk_user_name (user_id, name), KEY idx_user_created (user_id, created),
  FOREIGN KEY (user_id) REFERENCES user_info(id), FOREIGN KEY (md5) REFERENCES file_info(md5)) ENGINE=InnoDB;""")


def register(name, pw):
    salt = os.urandom(16)
    h = hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, 10_000)
    sql(f"INSERT INTO user_info (name, pw_salt, pw_hash) VALUES ({q(name)}, UNHEX('{salt.hex()}'), UNHEX('{h.hex()}'))")


def login(name, pw):                               # -> a signed token: user id, expiry, HMAC
    uid, salt, h = sql(f"SELECT id, HEX(pw_salt), HEX(pw_hash) FROM user_info WHERE name={q(name)}")[0]
    ok = hmac.compare_digest(hashlib.pbkdf2_hmac("sha256", pw.encode(), bytes.fromhex(salt), 10_000).hex().upper(), h)
    body = f"{uid}.{int(time.time()) + 3600}"
    return ok and body + "." + hmac.new(SECRET, body.encode(), "sha256").hexdigest()


def auth(token):
    uid, exp, sig = token.split(".")
    assert hmac.compare_digest(sig, hmac.new(SECRET, f"{uid}.{exp}".encode(), "sha256").hexdigest()) and int(exp) > time.time()
    return int(uid)


def api_md5(token, md5, name):                     # POST /api/md5: instant upload if the content is known
    uid = auth(token)
    rows = sql(f"""START TRANSACTION;
UPDATE file_info SET refs = refs + 1 WHERE md5 = {q(md5)};
INSERT INTO user_file (user_id, md5, name) SELECT {uid}, {q(md5)}, {q(name)} FROM file_info WHERE md5 = {q(md5)};
SELECT ROW_COUNT(); COMMIT;""")
    return {"code": 0, "instant": True} if rows[0][0] == "1" else {"code": 1, "instant": False}


def api_upload(token, data, name):                 # POST /api/upload: store in FastDFS, then record it
    uid, md5 = auth(token), hashlib.md5(data).hexdigest()
    fdfs_id = f"group1/M00/00/00/{md5[:22]}.bin"   # stands in for the id FastDFS would return
    sql(f"""START TRANSACTION;
INSERT INTO file_info VALUES ({q(md5)}, {q(fdfs_id)}, {len(data)}, 1) ON DUPLICATE KEY UPDATE refs = refs + 1;
INSERT INTO user_file (user_id, md5, name) VALUES ({uid}, {q(md5)}, {q(name)}); COMMIT;""")
    return {"code": 0, "md5": md5}


def api_list(token, start, count):                 # POST /api/myfiles?cmd=normal
    uid = auth(token)
    rows = sql(f"""SELECT u.name, f.size, u.pv FROM user_file u JOIN file_info f USING (md5)
WHERE u.user_id = {uid} ORDER BY u.created DESC, u.id DESC LIMIT {int(count)} OFFSET {int(start)}""")
    total = sql(f"SELECT COUNT(*) FROM user_file WHERE user_id = {uid}")[0][0]
    return {"total": int(total), "files": [{"name": n, "size": int(s), "pv": int(p)} for n, s, p in rows]}


def api_download(token, name):                     # -> URL served by nginx + fastdfs-nginx-module
    uid = auth(token)
    fid = sql(f"""UPDATE user_file SET pv = pv + 1 WHERE user_id = {uid} AND name = {q(name)};
SELECT f.fdfs_id FROM user_file u JOIN file_info f USING (md5) WHERE u.user_id = {uid} AND u.name = {q(name)};""")
    return {"url": "http://storage/" + fid[0][0]}


def api_delete(token, name):                       # returns the FastDFS id to delete when the last ref goes
    uid = auth(token)
    rows = sql(f"""START TRANSACTION;
SELECT md5 INTO @m FROM user_file WHERE user_id = {uid} AND name = {q(name)} FOR UPDATE;
DELETE FROM user_file WHERE user_id = {uid} AND name = {q(name)};
UPDATE file_info SET refs = refs - 1 WHERE md5 = @m;
SELECT fdfs_id FROM file_info WHERE md5 = @m AND refs = 0;
DELETE FROM file_info WHERE md5 = @m AND refs = 0; COMMIT;""")
    return {"code": 0, "fdfs_delete": rows[0][0] if rows else None}


for u in ("alice", "bob"):
    register(u, u + "-pw")
assert login("alice", "wrong") is False
ta, tb = login("alice", "alice-pw"), login("bob", "bob-pw")
photo = os.urandom(50_000)
md5 = hashlib.md5(photo).hexdigest()
print("alice md5 check:", api_md5(ta, md5, "cat.jpg"))
print("alice upload   :", api_upload(ta, photo, "cat.jpg"))
print("bob md5 check  :", api_md5(tb, md5, "kitty.jpg"), "<- no bytes sent")
assert sql(f"SELECT refs FROM file_info WHERE md5={q(md5)}") == [["2"]]

clip = os.urandom(10_000)                          # 8 clients upload the same new file at the same time
m2 = hashlib.md5(clip).hexdigest()
procs = [subprocess.Popen(DB, stdin=subprocess.PIPE, text=True) for _ in range(8)]
for i, p in enumerate(procs):
    p.stdin.write(f"""START TRANSACTION;
INSERT INTO file_info VALUES ({q(m2)}, 'group1/M00/00/00/clip.bin', {len(clip)}, 1) ON DUPLICATE KEY UPDATE refs = refs + 1;
INSERT INTO user_file (user_id, md5, name) VALUES ({auth(ta)}, {q(m2)}, 'clip{i}.mp4'); COMMIT;""")
    p.stdin.close()                                # all eight sessions now run concurrently
assert all(p.wait(20) == 0 for p in procs)
rows = sql(f"SELECT COUNT(*), MAX(refs) FROM file_info WHERE md5={q(m2)}")
print("8 concurrent uploads of one clip -> file_info rows, refs:", rows[0])
assert rows == [["1", "8"]]

page = api_list(ta, 0, 3)
print("alice page 1:", json.dumps(page))
assert page["total"] == 9 and len(page["files"]) == 3
print("bob download :", api_download(tb, "kitty.jpg"))
assert sql(f"SELECT pv FROM user_file WHERE name='kitty.jpg'") == [["1"]]
r1, r2 = api_delete(ta, "cat.jpg"), api_delete(tb, "kitty.jpg")
print("alice deletes:", r1, "| bob deletes:", r2)
assert r1["fdfs_delete"] is None and r2["fdfs_delete"].startswith("group1/M00/")
assert sql(f"SELECT COUNT(*) FROM file_info WHERE md5={q(md5)}") == [["0"]]
sql("DROP TABLE user_file, file_info, user_info")
