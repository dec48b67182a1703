# caption: 两次采样 /proc/stat 与 /proc/diskstats 求差，复现 iostat 的 avg-cpu 百分比和每块盘的 r/s、w/s、kB/s、%util
# point: CPU平均负载和磁盘活动iostat
# timeout: 20
"""Reproduce `iostat` from /proc, the way sysstat does it.

/proc/stat first line: cumulative CPU ticks (USER_HZ) per state; guest time is
already included in user, so it is not added again.  iostat's %system is
system + irq + softirq.
/proc/diskstats: per device cumulative counters; sectors are always 512 bytes;
statistics field 10 (ms spent doing I/O, 13th column of the line) divided by
the interval gives %util.
The snippet writes 2 MiB with fsync and burns a little CPU between samples.
If iostat (package sysstat) is installed, its since-boot kB_read for the
disk with most sectors read must equal sectors_read / 2 read around the same moment.
"""
import os
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


# ------------------------------------------------------------------ iostat
CPU_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def cpu_ticks():
    parts = read("/proc/stat").splitlines()[0].split()
    vals = dict(zip(CPU_FIELDS, map(int, parts[1:9])))
    return vals                # guest/guest_nice are already inside user/nice


def disks():
    out = {}
    for line in read("/proc/diskstats").splitlines():
        f = line.split()
        name = f[2]
        if not os.path.exists(f"/sys/block/{name}") or name.startswith(("loop", "ram", "zram")):
            continue           # whole disks only
        out[name] = {"reads": int(f[3]), "rsect": int(f[5]), "writes": int(f[7]),
                     "wsect": int(f[9]), "io_ms": int(f[12])}
    return out


c0, d0, t0 = cpu_ticks(), disks(), time.monotonic()
with open("iostat_probe.bin", "wb") as f:            # generate a little I/O and CPU
    for _ in range(8):
        f.write(os.urandom(256 * 1024))
        f.flush()
        os.fsync(f.fileno())
end = time.monotonic() + 0.3
while time.monotonic() < end:
    sum(range(10000))
time.sleep(0.2)
c1, d1, t1 = cpu_ticks(), disks(), time.monotonic()
os.remove("iostat_probe.bin")

delta = {k: c1[k] - c0[k] for k in CPU_FIELDS}
ticks = sum(delta.values()) or 1
pct = {k: 100.0 * v / ticks for k, v in delta.items()}
print(f"[iostat] avg-cpu over {t1 - t0:.2f} s: %user {pct['user']:.1f} %nice {pct['nice']:.1f} "
      f"%system {pct['system'] + pct['irq'] + pct['softirq']:.1f} %iowait {pct['iowait']:.1f} "
      f"%steal {pct['steal']:.1f} %idle {pct['idle']:.1f}")
assert abs(sum(pct.values()) - 100.0) < 0.01
elapsed = t1 - t0
for name in sorted(set(d0) & set(d1)):
    a, b = d0[name], d1[name]
    r_s, w_s = (b["reads"] - a["reads"]) / elapsed, (b["writes"] - a["writes"]) / elapsed
    rkb, wkb = (b["rsect"] - a["rsect"]) / 2 / elapsed, (b["wsect"] - a["wsect"]) / 2 / elapsed
    util = 100.0 * (b["io_ms"] - a["io_ms"]) / (elapsed * 1000)
    assert min(r_s, w_s, rkb, wkb, util) >= 0
    print(f"[iostat] {name:8} r/s {r_s:7.1f}  w/s {w_s:7.1f}  rkB/s {rkb:8.1f}  "
          f"wkB/s {wkb:8.1f}  %util {util:5.1f}")
if d1:
    dev = max(d1, key=lambda n: d1[n]["rsect"])
    before = d1[dev]["rsect"] // 2
    out = tool("iostat", "-d", "-k", dev)             # first report: totals since boot
    after = disks()[dev]["rsect"] // 2
    if out:
        lines = [l.split() for l in out.splitlines() if l.strip()]
        head = next(l for l in lines if l[0].startswith("Device"))
        row = next(l for l in lines if l[0] == dev)
        kb_read = int(float(row[head.index("kB_read")]))
        assert before - 1 <= kb_read <= after + 1, (before, kb_read, after)
        print(f"[iostat] real tool: {dev} kB_read since boot {kb_read} == sectors_read/2 from /proc")
else:
    print("[iostat] no whole-disk devices visible in /proc/diskstats (container?)")

print("all iostat checks passed")
