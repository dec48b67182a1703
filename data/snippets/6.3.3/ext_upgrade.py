# caption: 同一镜像从 ext2 升级到 ext3 再到 ext4（e2fsprogs 的 mkfs/tune2fs/debugfs/dumpe2fs/e2fsck，全程不挂载）：加日志即 ext3，开 extents 后新文件用 extent 树、老文件仍是间接块映射
# point: Ext3文件系统
# timeout: 20
import os
import re
import subprocess


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def features(img):
    out = run("dumpe2fs", "-h", img)
    return re.search(r"Filesystem features:\s+(.*)", out).group(1).split()


def mapping(img, name):
    out = run("debugfs", "-R", f"stat {name}", img)
    kind = "EXTENTS" if "EXTENTS:" in out else "BLOCKS"
    body = out.split(kind + ":", 1)[1].strip().splitlines()[0]
    return kind, body


def fsck_clean(img):
    r = subprocess.run(["e2fsck", "-fn", img], capture_output=True, text=True)
    return r.returncode == 0


with open("payload", "wb") as f:
    f.write(os.urandom(200 * 1024))          # 50 blocks of 4 KiB: needs an indirect block on ext2
img = "fs.img"
run("mkfs.ext2", "-F", "-q", "-b", "4096", img, "32M")
run("debugfs", "-w", "-R", "write payload old", img)
feat = features(img)
kind, body = mapping(img, "old")
print("ext2 features:", " ".join(feat))
print(f"  'old' {kind}: {body}")
assert "has_journal" not in feat and kind == "BLOCKS" and "(IND)" in body

run("tune2fs", "-j", img)                     # ext2 + journal = ext3
feat = features(img)
out = run("debugfs", "-R", "stat <8>", img)
jsize = re.search(r"Size: (\d+)", out).group(1)
print(f"after tune2fs -j: has_journal={'has_journal' in feat}, journal inode 8 size {int(jsize) // 1024} KiB, fsck clean={fsck_clean(img)}")
assert "has_journal" in feat and fsck_clean(img)

run("tune2fs", "-O", "extents", img)          # allow extent-mapped files
run("debugfs", "-w", "-R", "write payload new", img)
feat = features(img)
k_old, b_old = mapping(img, "old")
k_new, b_new = mapping(img, "new")
print("after tune2fs -O extents:", "extent" in feat)
print(f"  'old' {k_old}: {b_old}")
print(f"  'new' {k_new}: {b_new}")
assert k_old == "BLOCKS" and k_new == "EXTENTS" and fsck_clean(img)
for name in ("old", "new"):
    subprocess.run(["debugfs", "-R", f"dump {name} {name}.out", img], check=True, capture_output=True)
    assert open(f"{name}.out", "rb").read() == open("payload", "rb").read()
print("both files dump back identical to the payload; e2fsck -fn reports clean")
