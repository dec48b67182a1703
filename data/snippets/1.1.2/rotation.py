# caption: 手写左旋与右旋：只改 3 对父子指针，中序序列不变，左旋后再右旋恢复原树
# point: 手撕红黑树的左旋与右旋
import random


class Node:
    __slots__ = ("key", "left", "right", "parent")

    def __init__(self, key):
        self.key = key
        self.left = self.right = self.parent = None


class Tree:
    def __init__(self):
        self.root = None

    def insert(self, key):                 # plain BST insert, only to build examples
        z, p, x = Node(key), None, self.root
        while x:
            p, x = x, (x.left if key < x.key else x.right)
        z.parent = p
        if p is None:
            self.root = z
        elif key < p.key:
            p.left = z
        else:
            p.right = z
        return z

    def _replace_child(self, old, new):
        """Make new take old's place under old's parent (or as the root)."""
        new.parent = old.parent
        if old.parent is None:
            self.root = new
        elif old is old.parent.left:
            old.parent.left = new
        else:
            old.parent.right = new

    def left_rotate(self, x):
        #     x                y
        #    / \              / \
        #   a   y     ->     x   c
        #      / \          / \
        #     b   c        a   b
        y = x.right
        assert y is not None, "left rotation needs a right child"
        x.right = y.left                    # 1) b moves from y to x
        if y.left:
            y.left.parent = x
        self._replace_child(x, y)           # 2) y takes x's place under x's parent
        y.left = x                          # 3) x becomes y's left child
        x.parent = y

    def right_rotate(self, y):
        x = y.left
        assert x is not None, "right rotation needs a left child"
        y.left = x.right
        if x.right:
            x.right.parent = y
        self._replace_child(y, x)
        x.right = y
        y.parent = x

    def find(self, key):
        x = self.root
        while x and x.key != key:
            x = x.left if key < x.key else x.right
        return x


def inorder(x):
    return inorder(x.left) + [x.key] + inorder(x.right) if x else []


def shape(x):
    """Nested tuple of keys: equal shapes mean identical trees."""
    return (x.key, shape(x.left), shape(x.right)) if x else None


def check_parents(x, parent=None):
    if x is None:
        return 0
    assert x.parent is parent, f"bad parent pointer at {x.key}"
    return 1 + check_parents(x.left, x) + check_parents(x.right, x)


def height(x):
    return 1 + max(height(x.left), height(x.right)) if x else 0


def show(x):
    if x is None:
        return "."
    if not x.left and not x.right:
        return str(x.key)
    return f"{x.key}({show(x.left)} {show(x.right)})"


def main():
    t = Tree()
    for k in (20, 10, 40, 30, 50):        # x=20, a=10, y=40, b=30, c=50
        t.insert(k)
    print("start            :", show(t.root))
    t.left_rotate(t.find(20))
    print("left_rotate(20)  :", show(t.root))
    assert show(t.root) == "40(20(10 30) 50)"
    t.right_rotate(t.find(40))
    print("right_rotate(40) :", show(t.root))
    assert show(t.root) == "20(10 40(30 50))"

    # a right-leaning chain becomes balanced with rotations alone
    chain = Tree()
    for k in range(1, 8):
        chain.insert(k)
    print("chain 1..7       :", show(chain.root), "height", height(chain.root))
    for k in (1, 3, 5):
        chain.left_rotate(chain.find(k))
    chain.left_rotate(chain.find(2))
    print("after 4 rotations:", show(chain.root), "height", height(chain.root))
    assert height(chain.root) == 3 and inorder(chain.root) == list(range(1, 8))

    rng = random.Random(6)
    rotations = 0
    for _ in range(300):
        t = Tree()
        for k in rng.sample(range(1000), rng.randint(1, 60)):
            t.insert(k)
        before_keys, n = inorder(t.root), check_parents(t.root)
        for _ in range(50):
            x = t.find(rng.choice(before_keys))
            if rng.random() < 0.5 and x.right:
                before = shape(t.root)
                t.left_rotate(x)
                assert inorder(t.root) == before_keys   # BST order survives
                assert check_parents(t.root) == n        # parent pointers consistent
                t.right_rotate(x.parent)                 # undo: back to the same tree
                assert shape(t.root) == before
                t.left_rotate(x)                         # keep the rotation
                rotations += 3
            elif x.left:
                t.right_rotate(x)
                rotations += 1
            assert inorder(t.root) == before_keys
            assert check_parents(t.root) == n
    print(f"{rotations} random rotations on 300 random BSTs: in-order sequence and "
          "parent pointers always intact; left then right rotation restores the tree")


if __name__ == "__main__":
    main()
