# caption: 直接读 /proc/uptime、/proc/loadavg、/proc/meminfo 复现 uptime 与 free 的数字，装有真实工具时做宽松比对
# point: Linux系统运行时长 uptime
"""Reproduce what `uptime` and `free` print, straight from /proc.

uptime <- /proc/uptime (seconds since boot, idle seconds summed over CPUs)
          /proc/loadavg (1/5/15-minute load, runnable/total tasks, last pid)
free   <- /proc/meminfo; procps-ng 4.x computes used = MemTotal - MemAvailable
          and buff/cache = Buffers + Cached + SReclaimable.
Where the real tools are installed their output is compared loosely: memory
and load move between two reads, so only tolerances are asserted.
"""
import os
import re
import shutil
import subprocess
import sys
import time

if not os.path.exists("/proc/self/smaps"):
    print("note: needs Linux /proc; skipping")
    sys.exit(0)

ENV = dict(os.environ, LC_ALL="C")


def tool(*cmd):
    if shutil.which(cmd[0]) is None:
        return None
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=10)
    return r.stdout if r.returncode == 0 else None


def read(path):
    with open(path) as f:
        return f.read()


# ------------------------------------------------------------------ uptime
up_s, idle_s = map(float, read("/proc/uptime").split())
la = read("/proc/loadavg").split()
load = tuple(map(float, la[:3]))
running, total_tasks = map(int, la[3].split("/"))
ncpu = os.cpu_count() or 1
print(f"[uptime] up {up_s / 3600:.2f} h; idle {idle_s:.0f} s summed over {ncpu} CPUs "
      f"({idle_s / (up_s * ncpu):.0%} idle since boot)")
print(f"[uptime] load average: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; "
      f"runnable/total tasks {running}/{total_tasks}")
assert up_s > 0 and all(x >= 0 for x in load) and 1 <= running <= total_tasks
out = tool("uptime")
if out:
    m = re.search(r"load average: ([\d.]+), ([\d.]+), ([\d.]+)", out)
    theirs = tuple(float(x) for x in m.groups())
    assert all(abs(a - b) <= 1.0 + 0.2 * max(a, b) for a, b in zip(load, theirs)), (load, theirs)
    boot = tool("uptime", "-s")
    if boot:
        boot_ts = time.mktime(time.strptime(boot.strip(), "%Y-%m-%d %H:%M:%S"))
        assert abs((time.time() - boot_ts) - up_s) < 5, (boot, up_s)
    print(f"[uptime] real tool says load {theirs} -> matches within tolerance")

# -------------------------------------------------------------------- free
mi = {}
for line in read("/proc/meminfo").splitlines():
    key, val = line.split(":", 1)
    mi[key] = int(val.split()[0])                     # kB
total = mi["MemTotal"]
avail = mi.get("MemAvailable", mi["MemFree"])        # MemAvailable: Linux 3.14+
used = total - avail
buff_cache = mi["Buffers"] + mi["Cached"] + mi.get("SReclaimable", 0)
print(f"[free]   total {total} kB  used {used}  free {mi['MemFree']}  "
      f"shared {mi.get('Shmem', 0)}  buff/cache {buff_cache}  available {avail}")
print(f"[free]   MemFree is {mi['MemFree'] / total:.0%} of RAM but MemAvailable is "
      f"{avail / total:.0%}: page cache is reclaimable")
assert 0 < avail <= total and mi["MemFree"] <= avail + buff_cache
out = tool("free", "-k")
if out:
    row = next(l for l in out.splitlines() if l.startswith("Mem:")).split()
    f_total, f_used, f_free, f_shared, f_bc, f_avail = map(int, row[1:7])
    slack = 0.02 * total                              # memory moves between reads
    assert f_total == total
    assert abs(f_used - used) < slack and abs(f_avail - avail) < slack, (row, used, avail)
    assert abs(f_bc - buff_cache) < slack, (f_bc, buff_cache)
    print(f"[free]   real tool: used {f_used}, buff/cache {f_bc}, available {f_avail} -> match")

print("all uptime/free checks passed")
