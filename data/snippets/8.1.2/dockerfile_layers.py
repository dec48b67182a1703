# caption: 用 overlayfs 复刻 Dockerfile 的分层构建：每条指令在前面各层之上挂一个新的 upper 目录执行，结果就是一层；缓存键=父层键+指令+COPY 内容，改动只让其后的层失效；删除文件留下 whiteout；按 OCI 规范算 diffID 和 chainID
# point: Dockerfile的容器构建
# timeout: 60
# needs: root
import hashlib, io, os, shutil, stat, subprocess, tarfile

def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()

def layer_tar(diff):                       # deterministic tar; overlay whiteouts become OCI ".wh." files
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w") as t:
        for root, dirs, files in sorted(os.walk(diff)):
            for name in sorted(dirs + files):
                full, rel = os.path.join(root, name), os.path.relpath(os.path.join(root, name), diff)
                st = os.lstat(full)
                if stat.S_ISCHR(st.st_mode) and st.st_rdev == 0:
                    rel = os.path.join(os.path.dirname(rel), ".wh." + name)
                info = tarfile.TarInfo(rel)
                info.mtime, info.mode = 0, 0o755 if os.path.isdir(full) else 0o644
                if os.path.isdir(full):
                    info.type = tarfile.DIRTYPE
                    t.addfile(info)
                elif stat.S_ISREG(st.st_mode):
                    info.size = st.st_size
                    t.addfile(info, open(full, "rb"))
                else:
                    t.addfile(info)
    return bio.getvalue()

def overlay(lowers, upper, work, merged):
    opts = "lowerdir=" + ":".join(reversed(lowers))   # leftmost lowerdir is the top layer
    if upper:
        opts += f",upperdir={upper},workdir={work}"
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o", opts, merged], check=True)

os.makedirs("store", exist_ok=True)
os.makedirs("empty", exist_ok=True)             # "FROM scratch": an empty bottom layer
os.makedirs("merged", exist_ok=True)
runs = 0
def build(dockerfile):
    global runs
    key, layers, log = "", ["empty"], []
    for line in dockerfile.strip().splitlines()[1:]:
        op, arg = line.split(" ", 1)
        extra = open(arg.split()[0], "rb").read() if op == "COPY" else b""
        key = hashlib.sha256(f"{key}|{line}|".encode() + extra).hexdigest()[:16]
        diff = f"store/{key}"
        if os.path.isdir(diff):
            log.append("hit ")
        else:
            log.append("MISS")
            os.makedirs(diff + ".tmp")
            if op == "COPY":
                src, dst = arg.split()
                os.makedirs(diff + ".tmp" + os.path.dirname(dst), exist_ok=True)
                shutil.copy(src, diff + ".tmp" + dst)
            else:                              # RUN: a container from the layers so far, then keep its upper dir
                shutil.rmtree("work", ignore_errors=True)
                os.makedirs("work")
                overlay(layers, os.path.abspath(diff + ".tmp"), os.path.abspath("work"), "merged")
                try:
                    subprocess.run(["sh", "-c", arg], cwd="merged", check=True)
                    runs += 1
                finally:
                    subprocess.run(["umount", "merged"], check=True)
            os.rename(diff + ".tmp", diff)
        layers.append(diff)
    return layers[1:], " ".join(log)

DOCKERFILE = """FROM scratch
COPY app.conf /etc/app.conf
RUN echo built > build.txt && echo junk > junk.txt
RUN rm junk.txt
RUN echo {v} > version"""
open("app.conf", "w").write("port=8080\n")
try:
    layers, log = build(DOCKERFILE.format(v="v1")); n1 = runs
    print(f"build 1 (fresh)          : {log}   RUN executed {n1}")
    wh = os.lstat(f"{layers[2]}/junk.txt")
    assert stat.S_ISCHR(wh.st_mode) and wh.st_rdev == 0            # the delete is a 0/0 char device
    _, log = build(DOCKERFILE.format(v="v1"))
    print(f"build 2 (no change)      : {log}   RUN executed {runs - n1}")
    assert log == "hit  hit  hit  hit " and runs == n1
    _, log = build(DOCKERFILE.format(v="v2"))
    print(f"build 3 (last RUN edited): {log}")
    assert log == "hit  hit  hit  MISS"
    open("app.conf", "w").write("port=9090\n")
    final, log = build(DOCKERFILE.format(v="v2"))
    print(f"build 4 (app.conf edited): {log}   (a COPY change invalidates every later layer)")
    assert log == "MISS MISS MISS MISS"
    overlay(["empty"] + final, None, None, "merged")                  # the image, read-only
    try:
        files = sorted(os.path.relpath(os.path.join(r, f), "merged") for r, _, fs in os.walk("merged") for f in fs)
        version = open("merged/version").read().strip()
    finally:
        subprocess.run(["umount", "merged"], check=True)
    print("image view:", files, "version", version)
    assert files == ["build.txt", "etc/app.conf", "version"] and version == "v2"
    chain = None
    for i, l in enumerate(final):
        tar = layer_tar(l)
        diff_id = sha(tar)
        chain = diff_id if chain is None else sha(f"{chain} {diff_id}".encode())
        names = tarfile.open(fileobj=io.BytesIO(tar)).getnames()
        print(f"layer {i}: diffID {diff_id[:19]}… chainID {chain[:19]}… {names}")
    assert ".wh.junk.txt" in tarfile.open(fileobj=io.BytesIO(layer_tar(final[2]))).getnames()
finally:
    subprocess.run(["umount", "merged"], stderr=subprocess.DEVNULL)   # in case a step failed mid-mount
print("OK: one overlay upper dir per instruction, cache keyed by parent+instruction+content, whiteouts for deletes")
