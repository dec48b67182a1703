# caption: 手写 B 树（最小度数 t）：插入的两种分裂、删除的左借/右借/合并、查找与中序遍历，每步后检查全部不变式
# point: 手撕B树的插入,删除,遍历,查找
# timeout: 30
import math
import random
from bisect import bisect_left


class BNode:
    __slots__ = ("keys", "children")

    def __init__(self):
        self.keys = []          # sorted keys
        self.children = []      # empty for a leaf, else len(keys) + 1 subtrees

    @property
    def leaf(self):
        return not self.children


class BTree:
    def __init__(self, t):
        assert t >= 2
        self.t = t
        self.root = BNode()
        self.size = 0
        self.stats = dict.fromkeys([
            "split: non-root leaf", "split: non-root internal node",
            "split: root (height + 1)", "delete: key in leaf",
            "delete: internal key -> predecessor", "delete: internal key -> successor",
            "delete: internal key -> merge children", "fill child: borrow from left",
            "fill child: borrow from right", "fill child: merge with sibling",
            "root emptied (height - 1)"], 0)

    # ---- search and traversal --------------------------------------------
    def search(self, k):
        """Return (node, index) holding k, or None. One node = one disk page read."""
        x = self.root
        while True:
            i = bisect_left(x.keys, k)
            if i < len(x.keys) and x.keys[i] == k:
                return x, i
            if x.leaf:
                return None
            x = x.children[i]

    def inorder(self, x=None):
        x = x or self.root
        if x.leaf:
            return list(x.keys)
        out = []
        for i, k in enumerate(x.keys):
            out += self.inorder(x.children[i])
            out.append(k)
        return out + self.inorder(x.children[-1])

    # ---- insert ------------------------------------------------------------
    def _split_child(self, x, i):
        """x.children[i] is full (2t-1 keys): its median moves up into x."""
        t, y, z = self.t, x.children[i], BNode()
        median = y.keys[t - 1]
        z.keys, y.keys = y.keys[t:], y.keys[:t - 1]           # t-1 keys each
        if not y.leaf:
            z.children, y.children = y.children[t:], y.children[:t]
        x.keys.insert(i, median)
        x.children.insert(i + 1, z)

    def insert(self, k):
        if self.search(k):
            return False
        r = self.root
        if len(r.keys) == 2 * self.t - 1:                       # full root: grow upward
            s = BNode()
            s.children = [r]
            self.root = s
            self._split_child(s, 0)
            self.stats["split: root (height + 1)"] += 1
        x = self.root
        while not x.leaf:                                       # split full nodes on the way down,
            i = bisect_left(x.keys, k)                          # so a parent always has room
            if len(x.children[i].keys) == 2 * self.t - 1:
                leaf = x.children[i].leaf
                self._split_child(x, i)
                self.stats["split: non-root leaf" if leaf else "split: non-root internal node"] += 1
                if k > x.keys[i]:
                    i += 1
            x = x.children[i]
        x.keys.insert(bisect_left(x.keys, k), k)
        self.size += 1
        return True

    # ---- delete ------------------------------------------------------------
    def _merge(self, x, i):
        """children[i] + separator keys[i] + children[i+1] -> one node of 2t-1 keys."""
        left, right = x.children[i], x.children[i + 1]
        left.keys += [x.keys.pop(i)] + right.keys
        left.children += right.children
        x.children.pop(i + 1)

    def _fill(self, x, i):
        """Make sure x.children[i] has at least t keys before we descend into it.
        Returns the index of the child to descend into (it moves left after a merge)."""
        t, c = self.t, x.children[i]
        if i > 0 and len(x.children[i - 1].keys) >= t:
            left = x.children[i - 1]                            # rotate right through the parent
            c.keys.insert(0, x.keys[i - 1])
            x.keys[i - 1] = left.keys.pop()
            if not left.leaf:
                c.children.insert(0, left.children.pop())
            self.stats["fill child: borrow from left"] += 1
        elif i < len(x.keys) and len(x.children[i + 1].keys) >= t:
            right = x.children[i + 1]                           # rotate left through the parent
            c.keys.append(x.keys[i])
            x.keys[i] = right.keys.pop(0)
            if not right.leaf:
                c.children.append(right.children.pop(0))
            self.stats["fill child: borrow from right"] += 1
        else:
            if i == len(x.keys):                                # last child merges with left sibling
                i -= 1
            self._merge(x, i)
            self.stats["fill child: merge with sibling"] += 1
        return i

    def _delete(self, x, k):
        t = self.t
        i = bisect_left(x.keys, k)
        if i < len(x.keys) and x.keys[i] == k:
            if x.leaf:
                x.keys.pop(i)
                self.stats["delete: key in leaf"] += 1
                return
            y, z = x.children[i], x.children[i + 1]
            if len(y.keys) >= t:                                # replace by predecessor
                p = y
                while not p.leaf:
                    p = p.children[-1]
                x.keys[i] = p.keys[-1]
                self.stats["delete: internal key -> predecessor"] += 1
                self._delete(y, x.keys[i])
            elif len(z.keys) >= t:                              # replace by successor
                s = z
                while not s.leaf:
                    s = s.children[0]
                x.keys[i] = s.keys[0]
                self.stats["delete: internal key -> successor"] += 1
                self._delete(z, x.keys[i])
            else:                                               # both minimal: merge, recurse
                self._merge(x, i)
                self.stats["delete: internal key -> merge children"] += 1
                self._delete(y, k)
            return
        if len(x.children[i].keys) == t - 1:
            i = self._fill(x, i)
        self._delete(x.children[i], k)

    def delete(self, k):
        if not self.search(k):
            return False
        self._delete(self.root, k)
        if not self.root.keys and not self.root.leaf:           # root lost its last key
            self.root = self.root.children[0]
            self.stats["root emptied (height - 1)"] += 1
        self.size -= 1
        return True

    # ---- invariants --------------------------------------------------------
    def check(self):
        t, leaf_depths, count = self.t, set(), 0

        def walk(x, lo, hi, depth):
            nonlocal count
            count += len(x.keys)
            assert len(x.keys) <= 2 * t - 1, "at most 2t-1 keys"
            if x is not self.root:
                assert len(x.keys) >= t - 1, "non-root node has at least t-1 keys"
            ks = x.keys
            assert ks == sorted(set(ks)), "keys sorted and distinct in node"
            if ks:      # sorted, so checking both ends covers every key
                assert (lo is None or lo < ks[0]) and (hi is None or ks[-1] < hi), \
                    "keys lie between the parent's separators"
            if x.leaf:
                leaf_depths.add(depth)
                return
            assert len(x.children) == len(x.keys) + 1, "children = keys + 1"
            bounds = [lo] + x.keys + [hi]
            for j, c in enumerate(x.children):
                walk(c, bounds[j], bounds[j + 1], depth + 1)

        walk(self.root, None, None, 0)
        assert len(leaf_depths) <= 1, "all leaves at the same depth"
        assert count == self.size
        h = leaf_depths.pop() if leaf_depths else 0
        if self.size:
            assert h <= math.log((self.size + 1) / 2, t) + 1e-9, "h <= log_t((n+1)/2)"
        return h

    def levels(self):
        out, level = [], [self.root]
        while level:
            out.append("  ".join("[" + " ".join(map(str, x.keys)) + "]" for x in level))
            level = [c for x in level for c in x.children]
        return out


def main():
    bt = BTree(2)                      # t = 2: every node holds 1..3 keys (a 2-3-4 tree)
    for k in range(1, 11):
        before = dict(bt.stats)
        bt.insert(k)
        bt.check()
        hits = [name for name in bt.stats if bt.stats[name] != before[name]]
        if hits:
            print(f"insert {k:2d}: " + ", ".join(hits))
    print("t=2 after inserting 1..10, level by level:")
    for line in bt.levels():
        print("   ", line)
    for k in (6, 1, 10):
        before = dict(bt.stats)
        bt.delete(k)
        bt.check()
        hits = [name for name in bt.stats if bt.stats[name] != before[name]]
        print(f"delete {k:2d}: " + ", ".join(hits))
    for line in bt.levels():
        print("   ", line)
    assert bt.inorder() == [2, 3, 4, 5, 7, 8, 9]

    rng = random.Random(1972)
    totals = dict.fromkeys(bt.stats, 0)
    for t in (2, 3, 5):
        tree, model = BTree(t), set()
        for step in range(2000):
            k = rng.randrange(300)
            if rng.random() < 0.6:
                assert tree.insert(k) == (k not in model)
                model.add(k)
            else:
                assert tree.delete(k) == (k in model)
                model.discard(k)
            tree.check()                                        # after every operation
            assert (tree.search(k) is not None) == (k in model)
        assert tree.inorder() == sorted(model)
        for k in rng.sample(sorted(model), len(model)):         # drain completely
            tree.delete(k)
            tree.check()
        assert tree.size == 0 and tree.root.leaf and not tree.root.keys
        # height only changes at the root: every level added by a root split
        # was removed again by an emptied root
        assert tree.stats["split: root (height + 1)"] == tree.stats["root emptied (height - 1)"]
        for name, c in tree.stats.items():
            totals[name] += c
    print("random runs for t=2,3,5 (2000 ops each + drain), invariants checked every step:")
    for name, c in totals.items():
        print(f"  {c:6d}  {name}")
        assert c > 0, "every path must be exercised"

    big = BTree(50)
    for k in rng.sample(range(10 ** 6), 30000):
        big.insert(k)
    h = big.check()
    print(f"t=50, n=30000: height {h} (edges root->leaf), bound log_t((n+1)/2) = "
          f"{math.log(30001 / 2, 50):.2f}; a lookup reads {h + 1} nodes")


if __name__ == "__main__":
    main()
