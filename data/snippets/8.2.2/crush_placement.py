# caption: 用真实的 crushtool/osdmaptool：12 个 OSD、4 台主机的 CRUSH 图，对 1024 个 PG 求映射；踢出一个 OSD、加入一个 OSD 各迁移多少 PG，对比取模哈希
# point: monitor与OSD
# timeout: 60
import re
import subprocess
import zlib

PGS, REP = 1024, 3


def run(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout + r.stderr


def mappings(mapfile, *extra):
    out = run("crushtool", "-i", mapfile, "--test", "--rule", "0", "--num-rep", str(REP),
              "--min-x", "0", "--max-x", str(PGS - 1), "--show-mappings", *extra)
    return {int(x): [int(o) for o in osds.split(",")]
            for x, osds in re.findall(r"CRUSH rule 0 x (\d+) \[([\d,]+)\]", out)}


# 12 OSDs, 3 per host, 4 hosts under one root; straw2 buckets; default rule: chooseleaf firstn 0 type host
run("crushtool", "--build", "--num_osds", "12", "host", "straw2", "3", "root", "straw2", "0", "-o", "map")
rule = run("crushtool", "-d", "map")
assert "step chooseleaf firstn 0 type host" in rule
base = mappings("map")
assert len(base) == PGS
assert all(len({o // 3 for o in osds}) == REP for osds in base.values())   # 3 replicas on 3 different hosts
load = [sum(o in v for v in base.values()) for o in range(12)]
print(f"{PGS} PGs x {REP} replicas: every PG on 3 distinct hosts; per-OSD load min={min(load)} max={max(load)} "
      f"(ideal {PGS * REP // 12})")
assert max(load) < 1.4 * min(load)

# mark osd.5 out (weight 0): only PGs that had osd.5 should move, and only that one replica
out5 = mappings("map", "--weight", "5", "0")
had5 = [x for x in base if 5 in base[x]]
changed = [x for x in base if base[x] != out5[x]]
copies = sum(len(set(out5[x]) - set(base[x])) for x in base)     # replicas that must be copied
print(f"osd.5 out: PGs holding osd.5={len(had5)}, PGs changed={len(changed)}, new replica copies={copies}")
assert set(changed) == set(had5) and copies == len(had5) and all(5 not in v for v in out5.values())

# add osd.12 (weight 1) to host3: ~1/13 of replicas should move onto it
run("crushtool", "-i", "map", "--add-item", "12", "1.0", "osd.12", "--loc", "host", "host3",
    "--loc", "root", "root", "-o", "map13")
grown = mappings("map13")
moved = sum(len(set(grown[x]) - set(base[x])) for x in base)
onto12 = sum(12 in v for v in grown.values())
print(f"osd.12 added: replica copies={moved} of {PGS * REP} ({moved / (PGS * REP):.1%}), PGs now on osd.12={onto12}")
assert moved < 0.25 * PGS * REP

# the naive alternative: replica i of PG x on osd (hash(x)+i) % N
def naive(n):
    return {x: [(zlib.crc32(str(x).encode()) + i) % n for i in range(REP)] for x in range(PGS)}
a, b = naive(12), naive(13)
naive_moved = sum(len(set(b[x]) - set(a[x])) for x in a)
print(f"hash mod N, 12 -> 13 OSDs: replica copies={naive_moved} ({naive_moved / (PGS * REP):.1%})")
assert naive_moved > 5 * moved

# the full path in a real OSDMap: object name -> PG (rjenkins hash, stable_mod) -> CRUSH -> up set
run("osdmaptool", "--createsimple", "12", "--with-default-pool", "om")
line = run("osdmaptool", "om", "--import-crush", "map", "--mark-up-in", "--test-map-object", "hello.txt",
           "--pool", "1")
m = re.search(r"object 'hello.txt' -> (\S+) -> \[([\d,]+)\]", line)
print(f"osdmaptool: object 'hello.txt' -> pg {m.group(1)} -> osds [{m.group(2)}] (first is the primary)")
assert len(m.group(2).split(",")) == REP
