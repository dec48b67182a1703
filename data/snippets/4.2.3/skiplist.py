# caption: 按 Redis t_zset.c 的参数（p = 0.25、最高 32 层、每层记录 span）手写跳表，ZRANK/按排名取值/按分数区间与排序列表逐一比对
# point: 跳表的实现与数据论证
# timeout: 30
import bisect
import math
import random

MAXLEVEL = 32       # ZSKIPLIST_MAXLEVEL
P = 0.25            # ZSKIPLIST_P

rng = random.Random(2024)


def random_level():
    """Same shape as zslRandomLevel(): keep adding a level with probability 1/4."""
    level = 1
    while (rng.getrandbits(16) & 0xFFFF) < P * 0xFFFF:
        level += 1
    return min(level, MAXLEVEL)


class Node:
    __slots__ = ("member", "score", "forward", "span", "backward")

    def __init__(self, level, score, member):
        self.member, self.score = member, score
        self.forward = [None] * level     # level[i].forward
        self.span = [0] * level           # level[i].span: how many nodes the link jumps over
        self.backward = None


def before(node, score, member):
    """Order used by Redis: by score, then by member bytes."""
    return node.score < score or (node.score == score and node.member < member)


class SkipList:
    def __init__(self):
        self.header = Node(MAXLEVEL, float("-inf"), "")
        self.tail = None
        self.level = 1
        self.length = 0
        self.steps = 0                     # forward moves, for the cost measurement

    def insert(self, score, member):
        update, rank = [None] * MAXLEVEL, [0] * MAXLEVEL
        x = self.header
        for i in range(self.level - 1, -1, -1):
            rank[i] = 0 if i == self.level - 1 else rank[i + 1]
            while x.forward[i] and before(x.forward[i], score, member):
                rank[i] += x.span[i]
                x = x.forward[i]
            update[i] = x
        lvl = random_level()
        if lvl > self.level:
            for i in range(self.level, lvl):
                rank[i], update[i] = 0, self.header
                update[i].span[i] = self.length
            self.level = lvl
        x = Node(lvl, score, member)
        for i in range(lvl):
            x.forward[i] = update[i].forward[i]
            update[i].forward[i] = x
            x.span[i] = update[i].span[i] - (rank[0] - rank[i])
            update[i].span[i] = (rank[0] - rank[i]) + 1
        for i in range(lvl, self.level):   # untouched higher levels now jump one more node
            update[i].span[i] += 1
        x.backward = None if update[0] is self.header else update[0]
        if x.forward[0]:
            x.forward[0].backward = x
        else:
            self.tail = x
        self.length += 1

    def delete(self, score, member):
        update = [None] * MAXLEVEL
        x = self.header
        for i in range(self.level - 1, -1, -1):
            while x.forward[i] and before(x.forward[i], score, member):
                x = x.forward[i]
            update[i] = x
        x = x.forward[0]
        if not x or x.score != score or x.member != member:
            return False
        for i in range(self.level):
            if update[i].forward[i] is x:
                update[i].span[i] += x.span[i] - 1
                update[i].forward[i] = x.forward[i]
            else:
                update[i].span[i] -= 1
        if x.forward[0]:
            x.forward[0].backward = x.backward
        else:
            self.tail = x.backward
        while self.level > 1 and self.header.forward[self.level - 1] is None:
            self.level -= 1
        self.length -= 1
        return True

    def rank(self, score, member):
        """0-based rank like ZRANK: sum the spans walked over."""
        r, x = 0, self.header
        for i in range(self.level - 1, -1, -1):
            while x.forward[i] and (before(x.forward[i], score, member) or
                                    (x.forward[i].score == score and x.forward[i].member == member)):
                r += x.span[i]
                x = x.forward[i]
                self.steps += 1
            if x is not self.header and x.member == member and x.score == score:
                return r - 1
        return None

    def by_rank(self, rank):
        """Element at 0-based rank, like ZRANGE key rank rank: follow spans."""
        traversed, x = 0, self.header
        for i in range(self.level - 1, -1, -1):
            while x.forward[i] and traversed + x.span[i] <= rank + 1:
                traversed += x.span[i]
                x = x.forward[i]
            if traversed == rank + 1:
                return (x.score, x.member)
        return None

    def range_by_score(self, lo, hi):
        x = self.header
        for i in range(self.level - 1, -1, -1):
            while x.forward[i] and x.forward[i].score < lo:
                x = x.forward[i]
        out, x = [], x.forward[0]
        while x and x.score <= hi:
            out.append((x.score, x.member))
            x = x.forward[0]
        return out

    def items(self):
        x, out = self.header.forward[0], []
        while x:
            out.append((x.score, x.member))
            x = x.forward[0]
        return out


# ---- random operations checked against a sorted Python list -------------------------
sl, ref = SkipList(), []
scores = {}
for step in range(6000):
    m = "m%d" % rng.randrange(3000)
    if m in scores and rng.random() < 0.4:
        assert sl.delete(scores[m], m)
        ref.remove((scores.pop(m), m))
    elif m not in scores:
        s = rng.randrange(1000)            # many equal scores: tie-break by member
        sl.insert(s, m)
        bisect.insort(ref, (s, m))
        scores[m] = s
assert sl.items() == ref and sl.length == len(ref)
for i in range(0, len(ref), 7):
    s, m = ref[i]
    assert sl.rank(s, m) == i
    assert sl.by_rank(i) == ref[i]
assert sl.range_by_score(100, 200) == [e for e in ref if 100 <= e[0] <= 200]
assert sl.by_rank(len(ref)) is None and sl.tail and (sl.tail.score, sl.tail.member) == ref[-1]
assert sl.delete(-1, "nope") is False
print("6000 random ops: %d members, items/rank/by_rank/range all match sorted list" % len(ref))

# ---- the numbers behind the design ---------------------------------------------------
big = SkipList()
N = 50000
for i in range(N):
    big.insert(rng.random(), "k%d" % i)
levels = []
x = big.header.forward[0]
while x:
    levels.append(len(x.forward))
    x = x.forward[0]
mean = sum(levels) / N
print("N=%d  mean level = %.3f (theory 1/(1-p) = %.3f)  max level = %d" % (N, mean, 1 / (1 - P), max(levels)))
for k in range(1, 6):
    frac = sum(1 for lv in levels if lv >= k) / N
    print("  P(level >= %d) = %.4f   theory p^(k-1) = %.4f" % (k, frac, P ** (k - 1)))
    assert abs(frac - P ** (k - 1)) < 0.01
assert abs(mean - 1 / (1 - P)) < 0.02        # pointers per node ~1.33 (balanced tree: 2)

big.steps = 0
sample = [(e[0], e[1]) for e in big.items()[::500]]
for s, m in sample:
    big.rank(s, m)
avg = big.steps / len(sample)
bound = math.log(N, 1 / P) / P               # expected forward moves ~ log_{1/p}(N)/p
print("avg forward moves per ZRANK = %.1f, log_4(N)/p = %.1f, log2(N) = %.1f" % (avg, bound, math.log2(N)))
assert avg < 2 * bound
