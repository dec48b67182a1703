# caption: 部署时的故障域设计：手写 3 机架 × 2 主机 × 2 OSD 的 CRUSH 文本图，用 crushtool -c 编译；副本规则每机架一份，EC 4+2 规则每机架两块；整个机架下线后各剩几份；monmaptool 生成 3 个 monitor 的 monmap
# point: ceph的集群部署
# timeout: 60
import re
import subprocess

NONE = 2147483647                                     # CRUSH_ITEM_NONE: a hole in an indep mapping


def run(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout + r.stderr


def bucket(kind, name, bid, items):
    body = "".join(f"\titem {i} weight {w:.1f}\n" for i, w in items)
    return f"{kind} {name} {{\n\tid {bid}\n\talg straw2\n\thash 0\n{body}}}\n"


text = ["tunable choose_total_tries 50\ntunable chooseleaf_descend_once 1\ntunable chooseleaf_vary_r 1\n"
        "tunable chooseleaf_stable 1\ntunable straw_calc_version 1\n"]
text += [f"device {i} osd.{i}\n" for i in range(12)]
text += ["type 0 osd\ntype 1 host\ntype 2 rack\ntype 3 root\n"]
bid = -1
for h in range(6):                                    # host h holds osd.2h, osd.2h+1; rack = h // 2
    text.append(bucket("host", f"host{h}", bid, [(f"osd.{2 * h}", 1), (f"osd.{2 * h + 1}", 1)]))
    bid -= 1
for r in range(3):
    text.append(bucket("rack", f"rack{r}", bid, [(f"host{2 * r}", 2), (f"host{2 * r + 1}", 2)]))
    bid -= 1
text.append(bucket("root", "default", bid, [(f"rack{r}", 4) for r in range(3)]))
rule = "rule {name} {{\n\tid {id}\n\ttype {type}\n\tmin_size 1\n\tmax_size 10\n\tstep take default\n{steps}\tstep emit\n}}\n"
text.append(rule.format(name="rep_by_rack", id=0, type="replicated", steps="\tstep chooseleaf firstn 0 type rack\n"))
text.append(rule.format(name="ec_2_per_rack", id=1, type="erasure",
                        steps="\tstep choose indep 3 type rack\n\tstep chooseleaf indep 2 type host\n"))
with open("racks.txt", "w") as f:
    f.write("".join(text))
run("crushtool", "-c", "racks.txt", "-o", "racks.map")


def maps(rule, n, *extra):
    out = run("crushtool", "-i", "racks.map", "--test", "--rule", str(rule), "--num-rep", str(n),
              "--min-x", "0", "--max-x", "255", "--show-mappings", *extra)
    return [[int(o) for o in m.split(",")] for m in re.findall(r"x \d+ \[([\d,]+)\]", out)]


rack = lambda o: o // 4
rep, ec = maps(0, 3), maps(1, 6)
assert all(sorted(map(rack, m)) == [0, 1, 2] for m in rep)                    # one replica per rack
assert all(sorted(map(rack, m)) == [0, 0, 1, 1, 2, 2] and len({o // 2 for o in m}) == 6 for m in ec)
print(f"256 PGs: 3x replica -> one copy per rack, e.g. {rep[0]}; EC 4+2 -> two chunks per rack "
      f"on different hosts, e.g. {ec[0]}")

down = [a for o in range(8, 12) for a in ("--weight", str(o), "0")]         # rack2 (osd.8-11) is lost
rep2, ec2 = maps(0, 3, *down), maps(1, 6, *down)
left_rep = {len(m) for m in rep2}
left_ec = {sum(o != NONE for o in m) for m in ec2}
print(f"rack2 down: replica PGs keep {left_rep} copies (size 3 wants 3 racks, only 2 exist: undersized); "
      f"EC PGs keep {left_ec} of 6 chunks (k=4 can rebuild data, below the default min_size k+1=5)")
assert left_rep == {2} and left_ec == {4}

run("monmaptool", "--create", "--fsid", "8f4e1c52-0000-4000-8000-000000000001", "--add", "a", "10.0.0.1:6789",
    "--add", "b", "10.0.0.2:6789", "--add", "c", "10.0.0.3:6789", "monmap")
mons = re.findall(r"mon\.(\w+)", run("monmaptool", "--print", "monmap"))
print(f"monmaptool: monmap with monitors {mons}; a Paxos majority is {len(mons) // 2 + 1}")
assert mons == ["a", "b", "c"]
