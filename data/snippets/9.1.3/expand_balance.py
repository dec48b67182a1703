# caption: 模型：tracker 的 store_lookup 选组策略（0 轮询、2 剩余空间最大），reserved_storage_space 保留 20%；新增一个组后新文件流向新组，旧文件一个都不迁移
# point: 线性扩容
# timeout: 30
import random

rnd = random.Random(1)
GB = 1 << 30


class Group:
    def __init__(self, name, total_gb):
        self.name, self.total, self.used, self.files = name, total_gb * GB, 0, []

    @property
    def free(self):
        return self.total - self.used


def pick(groups, lookup, rr=[0]):
    ok = [g for g in groups if g.free - 4 * GB > 0.20 * g.total]   # reserved_storage_space = 20%
    if not ok:
        raise OSError("ENOSPC: every group is inside its reserve")
    if lookup == 0:                                              # round robin
        rr[0] += 1
        return ok[rr[0] % len(ok)]
    return max(ok, key=lambda g: g.free)                         # 2: most free space


def run(lookup, n_before=6000, n_after=6000):
    groups = [Group("group1", 1000), Group("group2", 1000)]
    placed = {}
    for i in range(n_before):
        g = pick(groups, lookup)
        size = rnd.randint(1, 200) << 20
        g.used += size
        g.files.append(i)
        placed[i] = g.name
    groups.append(Group("group3", 2000))                         # linear expansion: just add a group
    for i in range(n_before, n_before + n_after):
        try:
            g = pick(groups, lookup)
        except OSError:
            return groups, placed, i
        g.used += rnd.randint(1, 200) << 20
        g.files.append(i)
        placed[i] = g.name
    return groups, placed, n_before + n_after


spread = {}
for lookup in (0, 2):
    groups, placed, stored = run(lookup)
    moved = sum(1 for g in groups for f in g.files if placed[f] != g.name)
    usage = "  ".join(f"{g.name} {g.used / g.total:4.0%}" for g in groups)
    spread[lookup] = max(g.used / g.total for g in groups) - min(g.used / g.total for g in groups)
    print(f"store_lookup={lookup}: {stored} files; {usage}; old files moved: {moved}")
    assert moved == 0                               # expansion never migrates existing files

assert spread[2] < 0.05 < 0.3 < spread[0]           # most-free-space evens usage out, round robin does not
groups, _, stored = run(2, n_after=100_000)         # keep uploading until every group reaches its reserve
print(f"until ENOSPC: {stored} files; " + "  ".join(f"{g.name} {g.used / g.total:4.0%}" for g in groups))
assert stored < 106_000 and all(0.75 < g.used / g.total <= 0.80 for g in groups)
