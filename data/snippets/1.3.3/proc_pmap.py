# caption: 读本进程的 /proc/self/maps 和 smaps，按映射汇总 Rss，与 VmRSS、smaps_rollup 以及 pmap -x 的合计对比
# point: 监控进程的内存使用情况pmap
"""Reproduce `pmap -x <pid>` for this very process from /proc.

/proc/self/maps lists the mappings (address range, perms, offset, device,
inode, path); /proc/self/smaps adds per-mapping counters such as Rss, Pss,
Shared/Private Clean/Dirty, Swap.  Summing Rss must agree with VmRSS in
/proc/self/status and with /proc/self/smaps_rollup (Linux 4.14+), and, where
procps is installed, with the total line of `pmap -x`.
"""
import os
import re
import shutil
import subprocess
import sys

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


# -------------------------------------------------------------------- pmap
maps = read("/proc/self/maps").splitlines()
rss = {}
current = None
for line in read("/proc/self/smaps").splitlines():
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        f = line.split()
        current = f[5] if len(f) > 5 else "[anon]"
        current = os.path.basename(current) if current.startswith("/") else current
    elif line.startswith("Rss:"):
        rss[current] = rss.get(current, 0) + int(line.split()[1])
rss_total = sum(rss.values())
vm_rss = int(re.search(r"VmRSS:\s+(\d+)", read("/proc/self/status")).group(1))
top3 = sorted(rss.items(), key=lambda kv: -kv[1])[:3]
print(f"[pmap]   {len(maps)} mappings; sum of smaps Rss = {rss_total} kB; VmRSS = {vm_rss} kB")
print(f"[pmap]   largest: " + ", ".join(f"{k} {v} kB" for k, v in top3))
assert abs(rss_total - vm_rss) <= max(1024, 0.05 * vm_rss), (rss_total, vm_rss)
if os.path.exists("/proc/self/smaps_rollup"):
    rollup = int(re.search(r"^Rss:\s+(\d+)", read("/proc/self/smaps_rollup"), re.M).group(1))
    assert abs(rollup - rss_total) <= max(1024, 0.05 * rss_total)
out = tool("pmap", "-x", str(os.getpid()))
if out:
    last = [l for l in out.splitlines() if l.startswith("total")][-1].split()
    p_rss = int(last[3])                              # total kB <Kbytes> <RSS> <Dirty>
    assert abs(p_rss - rss_total) <= max(2048, 0.10 * rss_total), (p_rss, rss_total)
    print(f"[pmap]   real tool: pmap -x {os.getpid()} total RSS {p_rss} kB -> matches")
print("all pmap checks passed")
