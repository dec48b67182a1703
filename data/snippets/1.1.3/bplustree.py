# caption: B+ 树：数据只在叶子、叶子以 next/prev 双向链接；插入分裂、删除借位与合并，正向/反向范围扫描与有序列表对拍
# point: B+树的定义与实现
# timeout: 30
import random
from bisect import bisect_left, bisect_right


class Leaf:
    __slots__ = ("keys", "vals", "next", "prev")

    def __init__(self):
        self.keys, self.vals = [], []
        self.next = self.prev = None


class Inner:
    __slots__ = ("keys", "children")

    def __init__(self):
        self.keys, self.children = [], []      # children[i] holds keys in [keys[i-1], keys[i])


class BPlusTree:
    def __init__(self, m):
        assert m >= 3
        self.m = m                              # max keys per node (leaf or inner)
        self.min = m // 2                       # min keys per non-root node
        self.root = Leaf()
        self.size = 0
        self.reads = 0                          # nodes touched, like page reads
        self.events = dict.fromkeys(["leaf split (copy up)", "inner split (push up)",
                                     "root split", "leaf borrow", "leaf merge",
                                     "inner borrow", "inner merge", "root shrink"], 0)

    # ---- lookup -------------------------------------------------------------
    def _find_leaf(self, k):
        x = self.root
        self.reads += 1
        while isinstance(x, Inner):
            x = x.children[bisect_right(x.keys, k)]
            self.reads += 1
        return x

    def get(self, k):
        leaf = self._find_leaf(k)
        i = bisect_left(leaf.keys, k)
        return leaf.vals[i] if i < len(leaf.keys) and leaf.keys[i] == k else None

    def range(self, lo, hi):
        """All (key, value) with lo <= key <= hi, ascending, following next pointers."""
        leaf, out = self._find_leaf(lo), []
        i = bisect_left(leaf.keys, lo)
        while leaf:
            while i < len(leaf.keys):
                if leaf.keys[i] > hi:
                    return out
                out.append((leaf.keys[i], leaf.vals[i]))
                i += 1
            leaf, i = leaf.next, 0
            if leaf:
                self.reads += 1
        return out

    def range_desc(self, lo, hi):
        """Same range, descending, following prev pointers (ORDER BY ... DESC)."""
        leaf, out = self._find_leaf(hi), []
        i = bisect_right(leaf.keys, hi) - 1
        while leaf:
            while i >= 0:
                if leaf.keys[i] < lo:
                    return out
                out.append((leaf.keys[i], leaf.vals[i]))
                i -= 1
            leaf = leaf.prev
            if leaf:
                self.reads += 1
                i = len(leaf.keys) - 1
        return out

    # ---- insert -------------------------------------------------------------
    def insert(self, k, v):
        split = self._insert(self.root, k, v)
        if split:                                # root split: tree grows by one level
            sep, right = split
            r = Inner()
            r.keys, r.children = [sep], [self.root, right]
            self.root = r
            self.events["root split"] += 1

    def _insert(self, x, k, v):
        if isinstance(x, Leaf):
            i = bisect_left(x.keys, k)
            if i < len(x.keys) and x.keys[i] == k:
                x.vals[i] = v                    # update in place
                return None
            x.keys.insert(i, k)
            x.vals.insert(i, v)
            self.size += 1
            if len(x.keys) <= self.m:
                return None
            mid = len(x.keys) // 2
            right = Leaf()
            right.keys, x.keys = x.keys[mid:], x.keys[:mid]
            right.vals, x.vals = x.vals[mid:], x.vals[:mid]
            right.next, right.prev = x.next, x  # splice into the leaf list
            if x.next:
                x.next.prev = right
            x.next = right
            self.events["leaf split (copy up)"] += 1
            return right.keys[0], right          # separator is COPIED: the key stays in the leaf
        i = bisect_right(x.keys, k)
        split = self._insert(x.children[i], k, v)
        if not split:
            return None
        sep, right = split
        x.keys.insert(i, sep)
        x.children.insert(i + 1, right)
        if len(x.keys) <= self.m:
            return None
        mid = (len(x.keys)) // 2
        up = x.keys[mid]                         # middle separator is MOVED up
        r = Inner()
        r.keys, x.keys = x.keys[mid + 1:], x.keys[:mid]
        r.children, x.children = x.children[mid + 1:], x.children[:mid + 1]
        self.events["inner split (push up)"] += 1
        return up, r

    # ---- delete -------------------------------------------------------------
    def delete(self, k):
        found = self._delete(self.root, k)
        if isinstance(self.root, Inner) and not self.root.keys:
            self.root = self.root.children[0]    # tree shrinks by one level
            self.events["root shrink"] += 1
        return found

    def _delete(self, x, k):
        if isinstance(x, Leaf):
            i = bisect_left(x.keys, k)
            if i == len(x.keys) or x.keys[i] != k:
                return False
            x.keys.pop(i)
            x.vals.pop(i)
            self.size -= 1
            return True
        i = bisect_right(x.keys, k)
        found = self._delete(x.children[i], k)
        if found and len(x.children[i].keys) < self.min:
            self._rebalance(x, i)
        return found

    def _rebalance(self, x, i):
        c = x.children[i]
        left = x.children[i - 1] if i > 0 else None
        right = x.children[i + 1] if i + 1 < len(x.children) else None
        if isinstance(c, Leaf):
            if left and len(left.keys) > self.min:
                c.keys.insert(0, left.keys.pop())
                c.vals.insert(0, left.vals.pop())
                x.keys[i - 1] = c.keys[0]
                self.events["leaf borrow"] += 1
            elif right and len(right.keys) > self.min:
                c.keys.append(right.keys.pop(0))
                c.vals.append(right.vals.pop(0))
                x.keys[i] = right.keys[0]
                self.events["leaf borrow"] += 1
            else:
                j = i - 1 if left else i         # merge children j and j+1
                a, b = x.children[j], x.children[j + 1]
                a.keys += b.keys
                a.vals += b.vals
                a.next = b.next                  # unlink b from the leaf list
                if b.next:
                    b.next.prev = a
                x.keys.pop(j)
                x.children.pop(j + 1)
                self.events["leaf merge"] += 1
        else:
            if left and len(left.keys) > self.min:
                c.keys.insert(0, x.keys[i - 1])
                x.keys[i - 1] = left.keys.pop()
                c.children.insert(0, left.children.pop())
                self.events["inner borrow"] += 1
            elif right and len(right.keys) > self.min:
                c.keys.append(x.keys[i])
                x.keys[i] = right.keys.pop(0)
                c.children.append(right.children.pop(0))
                self.events["inner borrow"] += 1
            else:
                j = i - 1 if left else i
                a, b = x.children[j], x.children[j + 1]
                a.keys += [x.keys.pop(j)] + b.keys
                a.children += b.children
                x.children.pop(j + 1)
                self.events["inner merge"] += 1

    # ---- invariants ---------------------------------------------------------
    def check(self):
        leaves, depths = [], set()

        def walk(x, lo, hi, depth):
            assert len(x.keys) <= self.m, "node overflow"
            if x is not self.root:
                assert len(x.keys) >= self.min, "node underflow"
            ks = x.keys
            assert ks == sorted(set(ks)), "sorted, distinct keys"
            if ks:      # sorted, so checking both ends covers every key
                assert (lo is None or lo <= ks[0]) and (hi is None or ks[-1] < hi), \
                    "keys inside separator range"
            if isinstance(x, Leaf):
                assert len(x.vals) == len(x.keys)
                leaves.append(x)
                depths.add(depth)
                return
            assert len(x.children) == len(x.keys) + 1
            b = [lo] + x.keys + [hi]
            for j, c in enumerate(x.children):
                walk(c, b[j], b[j + 1], depth + 1)

        walk(self.root, None, None, 0)
        assert len(depths) == 1, "all leaves on one level"
        # the next/prev chain must visit exactly the leaves, in tree order, both ways
        assert leaves[0].prev is None and leaves[-1].next is None
        for a, b in zip(leaves, leaves[1:]):
            assert a.next is b and b.prev is a, "leaf links"
        assert sum(len(l.keys) for l in leaves) == self.size
        return depths.pop()

    def leaf_chain(self):
        x = self.root
        while isinstance(x, Inner):
            x = x.children[0]
        out = []
        while x:
            out.append("[" + " ".join(map(str, x.keys)) + "]")
            x = x.next
        return " <-> ".join(out)


def main():
    t = BPlusTree(3)
    for k in [5, 15, 25, 35, 45, 55, 65, 75, 85]:
        t.insert(k, f"row{k}")
        t.check()
    print("m=3, inner keys (root):", t.root.keys, "| height", t.check())
    print("leaf chain:", t.leaf_chain())
    print("range [20, 60] ascending :", [k for k, _ in t.range(20, 60)])
    print("range [20, 60] descending:", [k for k, _ in t.range_desc(20, 60)])
    assert [k for k, _ in t.range(20, 60)] == [25, 35, 45, 55]
    for k in (25, 35, 45):
        t.delete(k)
        t.check()
    print("after deleting 25, 35, 45:", t.leaf_chain())

    rng = random.Random(1979)
    print("random runs; after every op: node sizes, separators, equal leaf depth, next/prev chain")
    for m in (3, 4, 7):
        tree, model = BPlusTree(m), {}
        for step in range(2000):
            k = rng.randrange(400)
            if rng.random() < 0.6:
                tree.insert(k, step)
                model[k] = step
            else:
                assert tree.delete(k) == (k in model)
                model.pop(k, None)
            tree.check()
            if step % 50 == 0:
                keys = sorted(model)
                lo, hi = sorted(rng.randrange(-10, 410) for _ in range(2))
                want = [(kk, model[kk]) for kk in keys[bisect_left(keys, lo):bisect_right(keys, hi)]]
                assert tree.range(lo, hi) == want
                assert tree.range_desc(lo, hi) == want[::-1]
                assert tree.get(k) == model.get(k)
        for k in list(model):
            tree.delete(k)
            tree.check()
        assert tree.size == 0 and isinstance(tree.root, Leaf)
        e = list(tree.events.values())
        print(f"m={m}: 2000 ops + drain ok | splits leaf/inner/root {e[0]}/{e[1]}/{e[2]}"
              f" | borrows leaf/inner {e[3]}/{e[5]} | merges leaf/inner {e[4]}/{e[6]}"
              f" | root shrinks {e[7]}")
        assert all(tree.events.values()), "every split/borrow/merge path exercised"

    big = BPlusTree(100)
    keys = rng.sample(range(10 ** 7), 40000)
    for k in keys:
        big.insert(k, None)
    h = big.check()
    keys.sort()
    lo = keys[20000]
    big.reads = 0
    rows = big.range(lo, keys[20999])
    print(f"m=100, n=40000: height {h}; range scan of {len(rows)} rows touched {big.reads} nodes "
          f"({h} inner + {big.reads - h} leaves); one point lookup touches {h + 1}")
    assert [k for k, _ in rows] == keys[20000:21000]


if __name__ == "__main__":
    main()
