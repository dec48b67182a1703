# caption: 访问频率统计 handler 的核心：仿 ngx_rbtree 的红黑树（哨兵节点 + 自定义 insert 函数），按“哈希 + 字符串”处理哈希冲突，逐次校验红黑性质
# point: ngx_rbtree自定义添加方法
# timeout: 10
import math
import random
import zlib
from collections import Counter

RED, BLACK = 1, 0


class Node:                                       # ngx_rbtree_node_t + our payload
    __slots__ = ("key", "left", "right", "parent", "color", "ip", "count")

    def __init__(self, key=0, ip=b""):
        self.key, self.ip, self.count = key, ip, 0
        self.left = self.right = self.parent = None
        self.color = BLACK


class RBTree:                                     # ngx_rbtree_t: root, sentinel, insert fn
    def __init__(self, insert):
        self.sentinel = Node()                    # one black leaf shared by all nodes
        self.root = self.sentinel
        self.insert_value = insert

    def _rotate_left(self, x):
        y = x.right
        x.right = y.left
        if y.left is not self.sentinel:
            y.left.parent = x
        y.parent = x.parent
        if x is self.root:
            self.root = y
        elif x is x.parent.left:
            x.parent.left = y
        else:
            x.parent.right = y
        y.left, x.parent = x, y

    def _rotate_right(self, x):
        y = x.left
        x.left = y.right
        if y.right is not self.sentinel:
            y.right.parent = x
        y.parent = x.parent
        if x is self.root:
            self.root = y
        elif x is x.parent.right:
            x.parent.right = y
        else:
            x.parent.left = y
        y.right, x.parent = x, y

    def insert(self, node):
        """ngx_rbtree_insert(): place via the custom function, then rebalance."""
        s = self.sentinel
        if self.root is s:
            node.parent, node.left, node.right, node.color = None, s, s, BLACK
            self.root = node
            return
        self.insert_value(self.root, node, s)     # the only type-specific part
        while node is not self.root and node.parent.color == RED:
            gp = node.parent.parent
            if node.parent is gp.left:
                uncle = gp.right
                if uncle.color == RED:            # case 1: recolour, move up
                    node.parent.color = uncle.color = BLACK
                    gp.color, node = RED, gp
                else:
                    if node is node.parent.right:  # case 2: rotate into case 3
                        node = node.parent
                        self._rotate_left(node)
                    node.parent.color, gp.color = BLACK, RED   # case 3
                    self._rotate_right(gp)
            else:
                uncle = gp.left
                if uncle.color == RED:
                    node.parent.color = uncle.color = BLACK
                    gp.color, node = RED, gp
                else:
                    if node is node.parent.left:
                        node = node.parent
                        self._rotate_right(node)
                    node.parent.color, gp.color = BLACK, RED
                    self._rotate_left(gp)
        self.root.color = BLACK


def str_insert_value(temp, node, sentinel):
    """Like ngx_str_rbtree_insert_value(): order by hash key; on a hash tie
    order by length, then by bytes. Equal hashes therefore still get a place."""
    while True:
        if node.key != temp.key:
            go_left = node.key < temp.key
        elif len(node.ip) != len(temp.ip):
            go_left = len(node.ip) < len(temp.ip)
        else:
            go_left = node.ip < temp.ip
        nxt = temp.left if go_left else temp.right
        if nxt is sentinel:
            break
        temp = nxt
    if go_left:
        temp.left = node
    else:
        temp.right = node
    node.parent, node.left, node.right, node.color = temp, sentinel, sentinel, RED


def lookup(tree, ip, h):
    """Like ngx_str_rbtree_lookup(): hash first, then length, then memcmp."""
    node, s = tree.root, tree.sentinel
    while node is not s:
        if h != node.key:
            node = node.left if h < node.key else node.right
            continue
        if len(ip) != len(node.ip):
            node = node.left if len(ip) < len(node.ip) else node.right
            continue
        if ip == node.ip:
            return node
        node = node.left if ip < node.ip else node.right
    return None


def weak_hash(ip):
    return zlib.crc32(ip) % 64                    # deliberately tiny: forces collisions


def count_access(tree, ip):
    """The body of the handler: find or create the IP's node, bump its counter."""
    h = weak_hash(ip)
    node = lookup(tree, ip, h)
    if node is None:
        node = Node(h, ip)                        # nginx: ngx_slab_alloc in shared memory
        tree.insert(node)
    node.count += 1
    return node.count


def check(tree):
    """Red-black properties; returns (black height, node count, max depth)."""
    s = tree.sentinel
    assert tree.root.color == BLACK and s.color == BLACK

    def walk(n, depth):
        if n is s:
            return 1, 0, depth
        if n.color == RED:
            assert n.left.color == BLACK and n.right.color == BLACK, "red node with red child"
        lb, lc, ld = walk(n.left, depth + 1)
        rb, rc, rd = walk(n.right, depth + 1)
        assert lb == rb, "black heights differ"
        return lb + (n.color == BLACK), lc + rc + 1, max(ld, rd)
    return walk(tree.root, 0)


def inorder(tree):
    out, stack, n = [], [], tree.root
    while stack or n is not tree.sentinel:
        while n is not tree.sentinel:
            stack.append(n)
            n = n.left
        n = stack.pop()
        out.append(n)
        n = n.right
    return out


rng = random.Random(8)
clients = [("10.0.%d.%d" % (rng.randrange(256), rng.randrange(256))).encode() for _ in range(600)]
hot = clients[:5]                                 # a few clients send most requests
tree, ref = RBTree(str_insert_value), Counter()
for i in range(20000):
    ip = rng.choice(hot) if rng.random() < 0.5 else rng.choice(clients)
    c = count_access(tree, ip)
    ref[ip] += 1
    assert c == ref[ip]
    if i % 997 == 0:
        check(tree)
bh, n, depth = check(tree)
nodes = inorder(tree)
assert n == len(ref) and all(x.count == ref[x.ip] for x in nodes)
assert [(x.key, len(x.ip), x.ip) for x in nodes] == sorted((weak_hash(ip), len(ip), ip) for ip in ref)
collisions = sum(v - 1 for v in Counter(x.key for x in nodes).values() if v > 1)
print("20000 requests from %d IPs -> %d tree nodes, counts match Counter()" % (len(ref), n))
print("hash has only 64 values: %d nodes share a hash with another, all kept apart" % collisions)
print("black height %d, max depth %d <= 2*log2(n+1) = %.1f" % (bh, depth, 2 * math.log2(n + 1)))
assert depth <= 2 * math.log2(n + 1)
print("top 3:", [(ip.decode(), c) for ip, c in ref.most_common(3)])

# the default insert (ngx_rbtree_insert_value) compares keys only: with equal
# hashes, lookups by key alone would find the wrong IP
a, b = next((x, y) for x in clients for y in clients if x != y and weak_hash(x) == weak_hash(y))
assert lookup(tree, a, weak_hash(a)).ip == a and lookup(tree, b, weak_hash(b)).ip == b
print("collision pair %s / %s (hash %d): lookup returns the right node for each"
      % (a.decode(), b.decode(), weak_hash(a)))
