# caption: 同一个生成的 C 工程（40 个 .c）分别用 make（-j1/-j2）和 ninja 构建：全量、无改动重建、改一个头文件后只重编依赖它的目标
# point: 高性能代码构建系统 tundra
# timeout: 45
import os, re, shutil, subprocess, time

N, SHARED = 40, 5  # 40 modules; modules 0..4 include shared.h
os.makedirs("proj", exist_ok=True)
os.chdir("proj")
with open("shared.h", "w") as f:
    f.write("#define SHARED 7\n")
for i in range(N):
    with open(f"m{i}.c", "w") as f:
        inc = '#include "shared.h"\n' if i < SHARED else "#define SHARED 1\n"
        f.write(inc + f"int m{i}(int x) {{ int s = 0; for (int k = 0; k < x; k++) s += k * SHARED + {i}; return s; }}\n")
with open("main.c", "w") as f:
    f.write("".join(f"int m{i}(int);\n" for i in range(N)))
    f.write("int main(void) { int s = 0;\n" + "".join(f" s += m{i}(3);\n" for i in range(N)) + " return s == 0; }\n")
srcs = [f"m{i}" for i in range(N)] + ["main"]
objs = " ".join(s + ".o" for s in srcs)
with open("Makefile", "w") as f:  # -MMD writes .d files so header edits are tracked
    f.write(f"app: {objs}\n\tcc -o $@ $^\n%.o: %.c\n\tcc -O1 -MMD -c $< -o $@\n-include $(wildcard *.d)\n")
with open("build.ninja", "w") as f:
    f.write("rule cc\n  command = cc -O1 -MMD -MF $out.d -c $in -o $out\n  depfile = $out.d\n  deps = gcc\n"
            "rule link\n  command = cc -o $out $in\n")
    f.write("".join(f"build n_{s}.o: cc {s}.c\n" for s in srcs))
    f.write("build napp: link " + " ".join(f"n_{s}.o" for s in srcs) + "\n")

def run(cmd):
    t = time.monotonic()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.monotonic() - t, len(re.findall(r"cc -O1", out))

def clean():
    for p in os.listdir("."):
        if p.endswith((".o", ".d")) or p in ("app", "napp", ".ninja_log", ".ninja_deps"):
            os.remove(p)

has_ninja = shutil.which("ninja") is not None
rows = {}
for name, cmd in [("make -j1", ["make", "-j1"]), ("make -j2", ["make", "-j2"])] + \
        ([("ninja -j2", ["ninja", "-j2", "-v", "napp"])] if has_ninja else []):
    clean()
    full = run(cmd)
    noop = run(cmd)
    time.sleep(1.1)  # mtime granularity: make compares timestamps
    os.utime("shared.h")
    touched = run(cmd)
    rows[name] = (full, noop, touched)
    print(f"{name:9s} full {full[0]*1000:6.0f} ms ({full[1]} compiles) | no-op {noop[0]*1000:5.0f} ms "
          f"({noop[1]}) | touch shared.h {touched[0]*1000:5.0f} ms ({touched[1]} compiles)")
for name, (full, noop, touched) in rows.items():
    assert full[1] == N + 1 and noop[1] == 0 and touched[1] == SHARED, name
    assert noop[0] < full[0] and touched[0] < full[0], name
assert subprocess.run(["./napp" if has_ninja else "./app"]).returncode == 0  # the built program runs
print("ninja installed:", has_ninja, "| OK: no-op does nothing, a header edit recompiles only its", SHARED, "users")
