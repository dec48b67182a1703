# caption: 模型：三副本与纠删码 4+2 的存储开销、每次读写的 IO 数、坏一块盘时的恢复流量；PG 分布来自真实 crushtool（firstn 与 indep 两条规则）
# point: ceph性能调优与benchmark
# timeout: 60
import re
import subprocess

K, M, REP, PGS = 4, 2, 3, 512
OBJ = 4 << 20                      # RADOS default object size for RBD/CephFS: 4 MiB
SMALL = 4 << 10                    # a 4 KiB overwrite


def run(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout + r.stderr


def mappings(rule, n):
    out = run("crushtool", "-i", "map", "--test", "--rule", str(rule), "--num-rep", str(n),
              "--min-x", "0", "--max-x", str(PGS - 1), "--show-mappings")
    return [[int(o) for o in osds.split(",")] for osds in re.findall(r"x \d+ \[([\d,]+)\]", out)]


# 6 hosts x 2 OSDs; rule 0 = replicated (firstn), rule 1 = erasure (indep keeps chunk positions stable)
run("crushtool", "--build", "--num_osds", "12", "host", "straw2", "2", "root", "straw2", "0", "-o", "map")
run("crushtool", "-i", "map", "--create-simple-rule", "ec", "root", "host", "indep", "-o", "map")
rep, ec = mappings(0, REP), mappings(1, K + M)
assert all(len({o // 2 for o in p}) == len(p) for p in rep + ec)      # one copy/chunk per host

model = {
    "3x replica": dict(overhead=REP, write_ios=REP, write_bytes=REP * OBJ, read_ios=1,
                       small_ios=REP, tolerate=REP - 1),
    "EC 4+2": dict(overhead=(K + M) / K, write_ios=K + M, write_bytes=(K + M) * OBJ // K, read_ios=K,
                   # partial overwrite: read old data chunk + M parities, write them back
                   small_ios=2 * (1 + M), tolerate=M),
}
# osd.0 dies: every PG that had a copy/chunk there must be rebuilt elsewhere
pg_data = 64 << 20                                   # logical bytes per PG in this model
lost_rep = sum(0 in p for p in rep) * pg_data        # a full replica per affected PG
read_rep = lost_rep                                  # copy it from one survivor
lost_ec = sum(0 in p for p in ec) * pg_data // K     # one chunk per affected PG
read_ec = lost_ec * K                                # decoding needs K surviving chunks
model["3x replica"].update(lost=lost_rep, recovery_read=read_rep)
model["EC 4+2"].update(lost=lost_ec, recovery_read=read_ec)

MiB = 1 << 20
print(f"{'layout':<11} {'overhead':>8} {'wr IOs':>6} {'wr MiB':>6} {'rd IOs':>6} {'4K ovw IOs':>10} "
      f"{'lost MiB':>8} {'recov rd MiB':>12} {'survives':>8}")
for name, v in model.items():
    print(f"{name:<11} {v['overhead']:>8.2f} {v['write_ios']:>6} {v['write_bytes'] // MiB:>6} {v['read_ios']:>6} "
          f"{v['small_ios']:>10} {v['lost'] // MiB:>8} {v['recovery_read'] // MiB:>12} {v['tolerate']:>8}")
r, e = model["3x replica"], model["EC 4+2"]
assert e["overhead"] * 2 == r["overhead"] and e["tolerate"] == r["tolerate"]   # half the space, same failures
assert e["write_bytes"] < r["write_bytes"] and e["read_ios"] > r["read_ios"]
assert e["small_ios"] > r["small_ios"]                                         # read-modify-write
assert e["recovery_read"] / e["lost"] == K and r["recovery_read"] / r["lost"] == 1
