# caption: 手写的一致性检查器（暴力搜索加记忆化）：给定读写寄存器的并发历史（调用/返回时刻），判断它是否线性一致、顺序一致、因果一致；五段历史从“三者都满足”到“三者都不满足”，展示 线性一致 ⊂ 顺序一致 ⊂ 因果一致
# point: 线性一致性
# timeout: 10
from functools import lru_cache
from itertools import product

# an op: (client, kind, key, value, invoke time, response time); every register starts at 0, written values are unique


def search(ops, ready):
    """is there a total order of `ops`, each step picking one op allowed by ready(placed, i), that respects register
    semantics (a read returns the latest write to its key)? brute force over orders, memoized on (placed, state)"""
    keys = sorted({o[2] for o in ops})

    @lru_cache(maxsize=None)
    def go(placed, state):
        if placed == (1 << len(ops)) - 1:
            return True
        mem = dict(zip(keys, state))
        for i, (_, kind, key, val, _, _) in enumerate(ops):
            if placed >> i & 1 or not ready(placed, i) or (kind == "r" and mem[key] != val):
                continue
            nxt = {**mem, key: val} if kind == "w" else mem
            if go(placed | 1 << i, tuple(nxt[k] for k in keys)):
                return True
        return False
    return go(0, tuple(0 for _ in keys))


def linearizable(ops):      # real-time order: an op that returned before another was invoked goes first
    return search(ops, lambda placed, i: all(placed >> j & 1 for j, o in enumerate(ops) if o[5] < ops[i][4]))


def program_order(ops):
    return {(j, i) for i, j in product(range(len(ops)), repeat=2) if ops[j][0] == ops[i][0] and ops[j][4] < ops[i][4]}


def sequential(ops):        # only each client's own order has to be kept
    before = program_order(ops)
    return search(ops, lambda placed, i: all(placed >> j & 1 for j, k in before if k == i))


def causal(ops):            # each client may see the writes in its own order, as long as causes come before effects
    writer = {(o[2], o[3]): j for j, o in enumerate(ops) if o[1] == "w"}
    hb = program_order(ops) | {(writer[o[2], o[3]], i) for i, o in enumerate(ops) if o[1] == "r" and o[3] != 0}
    for _ in ops:           # transitive closure
        hb |= {(a, d) for a, b in hb for c, d in hb if b == c}
    for c in {o[0] for o in ops}:
        view = [o for o in ops if o[0] == c or o[1] == "w"]
        idx = [ops.index(o) for o in view]
        if not search(view, lambda placed, i: all(placed >> j & 1 for j in range(len(view))
                                                  if (idx[j], idx[i]) in hb)):
            return False
    return True


H = {
    "concurrent read sees either value": [("A", "w", "x", 1, 0, 10), ("B", "r", "x", 1, 5, 15), ("C", "r", "x", 0, 2, 6)],
    "stale read after the write returned": [("A", "w", "x", 1, 0, 5), ("B", "r", "x", 0, 6, 8)],
    "quorum without read repair (new, then old)": [("W", "w", "x", 1, 0, 20), ("R1", "r", "x", 1, 2, 5),
                                                   ("R2", "r", "x", 0, 7, 9)],
    "IRIW: readers disagree on write order": [("P1", "w", "x", 1, 0, 1), ("P2", "w", "y", 1, 0, 1),
                                              ("P3", "r", "x", 1, 2, 3), ("P3", "r", "y", 0, 4, 5),
                                              ("P4", "r", "y", 1, 2, 3), ("P4", "r", "x", 0, 4, 5)],
    "reply seen before the post it answers": [("P1", "w", "post", 1, 0, 1), ("P2", "r", "post", 1, 2, 3),
                                              ("P2", "w", "reply", 2, 4, 5), ("P3", "r", "reply", 2, 6, 7),
                                              ("P3", "r", "post", 0, 8, 9)],
}
expect = [(1, 1, 1), (0, 1, 1), (0, 1, 1), (0, 0, 1), (0, 0, 0)]
print(f"{'history':44} linearizable sequential causal")
for (name, ops), exp in zip(H.items(), expect):
    got = (linearizable(ops), sequential(ops), causal(ops))
    print(f"{name:44} {str(got[0]):12} {str(got[1]):10} {got[2]}")
    assert got == tuple(map(bool, exp))
