# caption: 红黑树插入与删除（含左旋、右旋），每步后检查全部性质，并统计插入三种情况、删除四种情况各命中几次
# point: 红黑树删除的实现与删除四种情况的证明
# timeout: 30
import math
import random

RED, BLACK = "R", "B"


class Node:
    __slots__ = ("key", "color", "left", "right", "parent")

    def __init__(self, key, color, nil):
        self.key, self.color = key, color
        self.left = self.right = self.parent = nil


class RBTree:
    def __init__(self):
        self.nil = Node(None, BLACK, None)     # shared black sentinel leaf
        self.nil.left = self.nil.right = self.nil.parent = self.nil
        self.root = self.nil
        self.size = 0
        self.cases = {"insert-1 uncle red: recolor, go up": 0,
                      "insert-2 uncle black, inner child: rotate parent": 0,
                      "insert-3 uncle black, outer child: rotate grandparent": 0,
                      "delete-1 sibling red: rotate parent": 0,
                      "delete-2 sibling black, both nephews black: recolor, go up": 0,
                      "delete-3 sibling black, near nephew red: rotate sibling": 0,
                      "delete-4 sibling black, far nephew red: rotate parent, done": 0}
        self.rotations = 0

    def _hit(self, prefix):
        for k in self.cases:
            if k.startswith(prefix):
                self.cases[k] += 1
                return

    # ---- rotations -------------------------------------------------------
    def left_rotate(self, x):
        """x's right child y moves up; y's left subtree becomes x's right."""
        y = x.right
        x.right = y.left
        if y.left is not self.nil:
            y.left.parent = x
        y.parent = x.parent
        if x.parent is self.nil:
            self.root = y
        elif x is x.parent.left:
            x.parent.left = y
        else:
            x.parent.right = y
        y.left = x
        x.parent = y
        self.rotations += 1

    def right_rotate(self, y):
        """Mirror image of left_rotate."""
        x = y.left
        y.left = x.right
        if x.right is not self.nil:
            x.right.parent = y
        x.parent = y.parent
        if y.parent is self.nil:
            self.root = x
        elif y is y.parent.right:
            y.parent.right = x
        else:
            y.parent.left = x
        x.right = y
        y.parent = x
        self.rotations += 1

    # ---- search ----------------------------------------------------------
    def find(self, key):
        x = self.root
        while x is not self.nil and x.key != key:
            x = x.left if key < x.key else x.right
        return x

    def minimum(self, x):
        while x.left is not self.nil:
            x = x.left
        return x

    # ---- insert ----------------------------------------------------------
    def insert(self, key):
        parent, x = self.nil, self.root
        while x is not self.nil:
            parent = x
            if key == x.key:
                return False                  # keys are unique
            x = x.left if key < x.key else x.right
        z = Node(key, RED, self.nil)          # new nodes are red: black heights unchanged
        z.parent = parent
        if parent is self.nil:
            self.root = z
        elif key < parent.key:
            parent.left = z
        else:
            parent.right = z
        self.size += 1
        self._insert_fixup(z)
        return True

    def _insert_fixup(self, z):
        # only possible violation: z and z.parent both red
        while z.parent.color == RED:
            p = z.parent
            g = p.parent                      # exists and is black, since p is red
            if p is g.left:
                u = g.right
                if u.color == RED:            # case 1
                    self._hit("insert-1")
                    p.color = u.color = BLACK
                    g.color = RED
                    z = g                     # the red-red problem moves two levels up
                    continue
                if z is p.right:              # case 2 -> turn into case 3
                    self._hit("insert-2")
                    z = p
                    self.left_rotate(z)
                    p = z.parent
                self._hit("insert-3")         # case 3
                p.color = BLACK
                g.color = RED
                self.right_rotate(g)
            else:                             # mirror image
                u = g.left
                if u.color == RED:
                    self._hit("insert-1")
                    p.color = u.color = BLACK
                    g.color = RED
                    z = g
                    continue
                if z is p.left:
                    self._hit("insert-2")
                    z = p
                    self.right_rotate(z)
                    p = z.parent
                self._hit("insert-3")
                p.color = BLACK
                g.color = RED
                self.left_rotate(g)
        self.root.color = BLACK

    # ---- delete ----------------------------------------------------------
    def _transplant(self, u, v):
        if u.parent is self.nil:
            self.root = v
        elif u is u.parent.left:
            u.parent.left = v
        else:
            u.parent.right = v
        v.parent = u.parent                   # may write the sentinel's parent: intended

    def delete(self, key):
        z = self.find(key)
        if z is self.nil:
            return False
        y = z
        y_color = y.color
        if z.left is self.nil:
            x = z.right
            self._transplant(z, z.right)
        elif z.right is self.nil:
            x = z.left
            self._transplant(z, z.left)
        else:
            y = self.minimum(z.right)         # successor takes z's place and color
            y_color = y.color
            x = y.right
            if y.parent is z:
                x.parent = y
            else:
                self._transplant(y, y.right)
                y.right = z.right
                y.right.parent = y
            self._transplant(z, y)
            y.left = z.left
            y.left.parent = y
            y.color = z.color
        self.size -= 1
        if y_color == BLACK:                  # a black node left its path: fix "double black"
            self._delete_fixup(x)
        self.nil.parent = self.nil
        return True

    def _delete_fixup(self, x):
        while x is not self.root and x.color == BLACK:
            if x is x.parent.left:
                w = x.parent.right            # sibling; cannot be nil (black-height argument)
                if w.color == RED:            # case 1 -> sibling becomes black
                    self._hit("delete-1")
                    w.color = BLACK
                    x.parent.color = RED
                    self.left_rotate(x.parent)
                    w = x.parent.right
                if w.left.color == BLACK and w.right.color == BLACK:   # case 2
                    self._hit("delete-2")
                    w.color = RED
                    x = x.parent
                    continue
                if w.right.color == BLACK:    # case 3 -> far nephew becomes red
                    self._hit("delete-3")
                    w.left.color = BLACK
                    w.color = RED
                    self.right_rotate(w)
                    w = x.parent.right
                self._hit("delete-4")         # case 4: terminal
                w.color = x.parent.color
                x.parent.color = BLACK
                w.right.color = BLACK
                self.left_rotate(x.parent)
                x = self.root
            else:                             # mirror image
                w = x.parent.left
                if w.color == RED:
                    self._hit("delete-1")
                    w.color = BLACK
                    x.parent.color = RED
                    self.right_rotate(x.parent)
                    w = x.parent.left
                if w.right.color == BLACK and w.left.color == BLACK:
                    self._hit("delete-2")
                    w.color = RED
                    x = x.parent
                    continue
                if w.left.color == BLACK:
                    self._hit("delete-3")
                    w.right.color = BLACK
                    w.color = RED
                    self.left_rotate(w)
                    w = x.parent.left
                self._hit("delete-4")
                w.color = x.parent.color
                x.parent.color = BLACK
                w.left.color = BLACK
                self.right_rotate(x.parent)
                x = self.root
        x.color = BLACK

    # ---- invariant checker ----------------------------------------------
    def check(self):
        """Verify every red-black property.
        Returns (black height = black nodes on any root-to-leaf path, NIL not
        counted; height = nodes on the longest root-to-leaf path)."""
        assert self.nil.color == BLACK, "sentinel leaf must be black"
        assert self.root.color == BLACK, "root must be black"
        if self.root is not self.nil:
            assert self.root.parent is self.nil, "root has no parent"
        count = 0

        def walk(x, lo, hi):
            nonlocal count
            if x is self.nil:
                return 0, 0                   # NIL leaves are black, not counted
            count += 1
            assert (lo is None or lo < x.key) and (hi is None or x.key < hi), "BST order"
            for c in (x.left, x.right):
                if c is not self.nil:
                    assert c.parent is x, "parent pointer"
            if x.color == RED:
                assert x.left.color == BLACK and x.right.color == BLACK, "red node with red child"
            else:
                assert x.color == BLACK, "color is red or black"
            bl, hl = walk(x.left, lo, x.key)
            br, hr = walk(x.right, x.key, hi)
            assert bl == br, "equal black height on every path"
            return bl + (x.color == BLACK), 1 + max(hl, hr)

        bh, h = walk(self.root, None, None)
        assert count == self.size, "size"
        assert 2 * bh >= h, "at least half the nodes on the longest path are black"
        assert h <= 2 * math.log2(self.size + 1) + 1e-9, "height bound h <= 2 log2(n+1)"
        return bh, h

    def inorder(self):
        out, stack, x = [], [], self.root
        while stack or x is not self.nil:
            while x is not self.nil:
                stack.append(x)
                x = x.left
            x = stack.pop()
            out.append(x.key)
            x = x.right
        return out

    def render(self, x=None, prefix="", is_right=True, lines=None):
        """Sideways drawing: right subtree on top, root on the left."""
        if lines is None:
            lines, x = [], self.root
        if x is self.nil:
            return lines
        self.render(x.right, prefix + ("    " if is_right else "|   "), True, lines)
        lines.append(prefix + ("/-- " if is_right else "\\-- ") + f"{x.key}{x.color}")
        self.render(x.left, prefix + ("|   " if is_right else "    "), False, lines)
        return lines


def main():
    t = RBTree()
    for k in range(1, 11):                    # ascending keys: worst case for a plain BST
        t.insert(k)
        t.check()
    print("insert 1..10 (R = red, B = black), drawn sideways, root at the left:")
    print("\n".join(t.render()))
    bh, h = t.check()
    print(f"n=10 height={h} black-height={bh} bound 2*log2(n+1)={2 * math.log2(11):.2f}"
          " (a plain BST would have height 10 here)")
    for k in (4, 1, 2):
        t.delete(k)
        t.check()
    print("after deleting 4, 1, 2:", t.inorder())

    # the checker is not vacuous: corrupt fresh trees and make sure each is rejected
    def corrupted(how):
        c = RBTree()
        for k in range(1, 11):
            c.insert(k)
        how(c)
        try:
            c.check()
        except AssertionError as e:
            return str(e)
        raise SystemExit("checker missed a corruption")
    msgs = [corrupted(lambda c: setattr(c.root, "color", RED)),
            corrupted(lambda c: setattr(c.find(9), "color", RED)),
            corrupted(lambda c: setattr(c.find(1), "color", RED)),
            corrupted(lambda c: setattr(c.find(3), "key", 99)),
            corrupted(lambda c: setattr(c.find(7), "parent", c.root))]
    print("checker rejects corrupted trees:", "; ".join(msgs))

    rng = random.Random(2024)
    t = RBTree()
    model = set()
    ops = 6000
    max_rot = {"insert": 0, "delete": 0}
    for i in range(ops):
        k = rng.randrange(400)
        r0 = t.rotations
        if rng.random() < 0.55:
            assert t.insert(k) == (k not in model)
            model.add(k)
            op = "insert"
        else:
            assert t.delete(k) == (k in model)
            model.discard(k)
            op = "delete"
        max_rot[op] = max(max_rot[op], t.rotations - r0)
        t.check()                             # all invariants after every operation
        if i % 500 == 0:
            assert t.inorder() == sorted(model)
    assert t.inorder() == sorted(model)
    for k in list(model):                     # drain: many deletions on a shrinking tree
        r0 = t.rotations
        t.delete(k)
        max_rot["delete"] = max(max_rot["delete"], t.rotations - r0)
        t.check()
    assert t.size == 0 and t.root is t.nil
    print(f"{ops} random insert/delete ops + drain: invariants held after every step")

    big = RBTree()
    for k in rng.sample(range(10 ** 6), 20000):
        big.insert(k)
    bh, h = big.check()
    print(f"n=20000 random keys: height={h}, black-height={bh}, "
          f"log2(n+1)={math.log2(20001):.1f}, bound={2 * math.log2(20001):.1f}")

    print("case counts over the random run (left and mirror cases added together):")
    for name, c in t.cases.items():
        print(f"  {c:6d}  {name}")
        assert c > 0, "every case must be exercised"
    print(f"  rotations: {t.rotations} in total; at most {max_rot['insert']} per insert,"
          f" at most {max_rot['delete']} per delete")
    assert max_rot["insert"] <= 2 and max_rot["delete"] <= 3


if __name__ == "__main__":
    main()
