# caption: 同一组随机定时器交给分层时间轮、最小堆、红黑树三种实现，触发顺序逐个对照排序后的参考答案
# point: 定时器的使用场景
# timeout: 20
"""Three timer implementations driven by the same seeded script of add/cancel.

Every implementation exposes:
    add(tid, seq, expire)   -> arm a timer that must fire at tick `expire`
    cancel(tid)             -> True if the timer was still pending
    advance(now)            -> fire every timer with expire <= now, in (expire, seq) order,
                               returning [(fire_tick, tid), ...]
The script is generated once; the expected order is computed independently by
sorting the surviving timers by (expire, seq).
"""
import random

# ---------------------------------------------------------------- hierarchical wheel
class HierarchicalWheel:
    """Classic cascading wheel (like Linux before 4.8): LEVELS levels of 2**BITS slots.

    Level 0 has 1-tick resolution; level k slots are 2**(BITS*k) ticks wide.
    When level 0 wraps, the next slot of level 1 is emptied and its timers are
    re-inserted ("cascaded") at finer levels, so every timer fires on its exact tick.
    """
    BITS, LEVELS = 4, 4                       # 16 slots per level, range 16**4 = 65536 ticks

    def __init__(self):
        self.size = 1 << self.BITS
        self.mask = self.size - 1
        self.slots = [[dict() for _ in range(self.size)] for _ in range(self.LEVELS)]
        self.where = {}                       # tid -> (level, slot)  gives O(1) cancel
        self.items = {}                       # tid -> (expire, seq)
        self.now = 0
        self.cascaded = 0

    def _place(self, tid):
        expire, _ = self.items[tid]
        delta = expire - self.now
        assert 0 <= delta < self.size ** self.LEVELS, "timer beyond wheel range"
        level = 0
        while delta >= self.size ** (level + 1):
            level += 1
        slot = (expire >> (self.BITS * level)) & self.mask
        self.slots[level][slot][tid] = None   # dict = O(1) insert/remove, keeps insertion order
        self.where[tid] = (level, slot)

    def add(self, tid, seq, expire):
        assert expire > self.now
        self.items[tid] = (expire, seq)
        self._place(tid)

    def cancel(self, tid):
        pos = self.where.pop(tid, None)
        if pos is None:
            return False
        del self.slots[pos[0]][pos[1]][tid]
        del self.items[tid]
        return True

    def _cascade(self, level):
        # Called when all lower levels just wrapped: pull down the current slot of `level`.
        slot = (self.now >> (self.BITS * level)) & self.mask
        bucket = self.slots[level][slot]
        self.slots[level][slot] = {}
        for tid in bucket:
            self.cascaded += 1
            self._place(tid)
        return slot

    def _tick(self):
        self.now += 1
        # if level-0 index wrapped to 0, cascade level 1; if that also wrapped, level 2 ...
        level = 1
        while level < self.LEVELS and (self.now & ((1 << (self.BITS * level)) - 1)) == 0:
            level += 1
        for lv in range(level - 1, 0, -1):   # higher levels first, then finer ones
            self._cascade(lv)
        slot = self.now & self.mask
        due = self.slots[0][slot]
        self.slots[0][slot] = {}
        fired = []
        # a bucket is unordered w.r.t. seq after cascading; sort to break ties deterministically
        for tid in sorted(due, key=lambda t: self.items[t][1]):
            expire, _ = self.items.pop(tid)
            del self.where[tid]
            assert expire == self.now, (tid, expire, self.now)
            fired.append((self.now, tid))
        return fired

    def advance(self, now):
        fired = []
        while self.now < now:
            fired += self._tick()
        return fired


# ---------------------------------------------------------------- min-heap
class MinHeapTimer:
    """Binary min-heap on (expire, seq) with each node's index tracked (like libevent's
    min_heap_idx) so cancel is O(log n) instead of a linear search."""

    def __init__(self):
        self.a = []                 # list of [expire, seq, tid]
        self.idx = {}               # tid -> position in self.a
        self.max_size = 0

    def _swap(self, i, j):
        a = self.a
        a[i], a[j] = a[j], a[i]
        self.idx[a[i][2]] = i
        self.idx[a[j][2]] = j

    def _up(self, i):
        while i > 0:
            p = (i - 1) // 2
            if self.a[i][:2] < self.a[p][:2]:
                self._swap(i, p)
                i = p
            else:
                break

    def _down(self, i):
        n = len(self.a)
        while True:
            l, r, m = 2 * i + 1, 2 * i + 2, i
            if l < n and self.a[l][:2] < self.a[m][:2]:
                m = l
            if r < n and self.a[r][:2] < self.a[m][:2]:
                m = r
            if m == i:
                return
            self._swap(i, m)
            i = m

    def add(self, tid, seq, expire):
        self.a.append([expire, seq, tid])
        self.idx[tid] = len(self.a) - 1
        self._up(len(self.a) - 1)
        self.max_size = max(self.max_size, len(self.a))

    def _remove_at(self, i):
        last = len(self.a) - 1
        if i != last:
            self._swap(i, last)
        node = self.a.pop()
        del self.idx[node[2]]
        if i < len(self.a):          # the moved-in element may need to go up or down
            moved = self.a[i][2]
            self._up(i)
            self._down(self.idx[moved])
        return node

    def cancel(self, tid):
        i = self.idx.get(tid)
        if i is None:
            return False
        self._remove_at(i)
        return True

    def advance(self, now):
        fired = []
        while self.a and self.a[0][0] <= now:
            expire, _, tid = self._remove_at(0)
            fired.append((expire, tid))
        return fired


# ---------------------------------------------------------------- red-black tree
RED, BLACK = True, False


class _Node:
    __slots__ = ("key", "tid", "left", "right", "color")

    def __init__(self, key, tid):
        self.key, self.tid = key, tid
        self.left = self.right = None
        self.color = RED


def _red(h):
    return h is not None and h.color == RED


class RBTreeTimer:
    """Left-leaning red-black tree (Sedgewick 2008) keyed by (expire, seq).
    nginx keeps ngx_event_timer_rbtree the same way: min() gives the next deadline,
    delete() cancels. Height stays <= 2*log2(n+1)."""

    def __init__(self):
        self.root = None
        self.keys = {}              # tid -> key, so cancel can find the node

    # -- rotations and colour flip
    @staticmethod
    def _rotl(h):
        x = h.right
        h.right, x.left = x.left, h
        x.color, h.color = h.color, RED
        return x

    @staticmethod
    def _rotr(h):
        x = h.left
        h.left, x.right = x.right, h
        x.color, h.color = h.color, RED
        return x

    @staticmethod
    def _flip(h):
        h.color = not h.color
        h.left.color = not h.left.color
        h.right.color = not h.right.color

    def _fix(self, h):
        if _red(h.right) and not _red(h.left):
            h = self._rotl(h)
        if _red(h.left) and _red(h.left.left):
            h = self._rotr(h)
        if _red(h.left) and _red(h.right):
            self._flip(h)
        return h

    # -- insert
    def _ins(self, h, key, tid):
        if h is None:
            return _Node(key, tid)
        if key < h.key:
            h.left = self._ins(h.left, key, tid)
        else:
            h.right = self._ins(h.right, key, tid)
        return self._fix(h)

    def add(self, tid, seq, expire):
        key = (expire, seq)
        self.keys[tid] = key
        self.root = self._ins(self.root, key, tid)
        self.root.color = BLACK

    # -- delete
    def _move_red_left(self, h):
        self._flip(h)
        if _red(h.right.left):
            h.right = self._rotr(h.right)
            h = self._rotl(h)
            self._flip(h)
        return h

    def _move_red_right(self, h):
        self._flip(h)
        if _red(h.left.left):
            h = self._rotr(h)
            self._flip(h)
        return h

    def _del_min(self, h):
        if h.left is None:
            return None
        if not _red(h.left) and not _red(h.left.left):
            h = self._move_red_left(h)
        h.left = self._del_min(h.left)
        return self._fix(h)

    def _del(self, h, key):
        if key < h.key:
            if not _red(h.left) and not _red(h.left.left):
                h = self._move_red_left(h)
            h.left = self._del(h.left, key)
        else:
            if _red(h.left):
                h = self._rotr(h)
            if key == h.key and h.right is None:
                return None
            if not _red(h.right) and not _red(h.right.left):
                h = self._move_red_right(h)
            if key == h.key:
                m = h.right
                while m.left is not None:
                    m = m.left
                h.key, h.tid = m.key, m.tid          # replace with successor
                h.right = self._del_min(h.right)
            else:
                h.right = self._del(h.right, key)
        return self._fix(h)

    def _delete(self, key):
        if not _red(self.root.left) and not _red(self.root.right):
            self.root.color = RED
        self.root = self._del(self.root, key)
        if self.root is not None:
            self.root.color = BLACK

    def cancel(self, tid):
        key = self.keys.pop(tid, None)
        if key is None:
            return False
        self._delete(key)
        return True

    def _min(self):
        h = self.root
        while h.left is not None:
            h = h.left
        return h

    def advance(self, now):
        fired = []
        while self.root is not None:
            m = self._min()
            if m.key[0] > now:
                break
            fired.append((m.key[0], m.tid))
            del self.keys[m.tid]
            self._delete(m.key)
        return fired

    # -- invariant check: returns black height
    def check(self, h=None, top=True):
        if top:
            h = self.root
            assert not _red(h)
        if h is None:
            return 1
        assert not _red(h.right), "right-leaning red link"
        assert not (_red(h) and _red(h.left)), "two reds in a row"
        if h.left:
            assert h.left.key < h.key
        if h.right:
            assert h.right.key > h.key
        bl = self.check(h.left, False)
        br = self.check(h.right, False)
        assert bl == br, "black height differs"
        return bl + (0 if _red(h) else 1)

    def height(self, h=None, top=True):
        if top:
            h = self.root
        if h is None:
            return 0
        return 1 + max(self.height(h.left, False), self.height(h.right, False))


# ---------------------------------------------------------------- script + driver
def make_script(seed=2024, n_initial=400, n_later=200, n_cancel=150):
    rng = random.Random(seed)
    ops = []                 # (time, kind, tid, delay)
    tid = 0
    for _ in range(n_initial):
        ops.append((0, "add", tid, rng.randint(1, 5000)))
        tid += 1
    for _ in range(n_later):
        ops.append((rng.randint(1, 3000), "add", tid, rng.randint(1, 5000)))
        tid += 1
    for _ in range(n_cancel):
        ops.append((rng.randint(1, 4000), "cancel", rng.randrange(tid), 0))
    ops.sort(key=lambda op: op[0])           # stable: keeps generation order within a tick
    return ops


def reference(ops):
    """Expected firing order, computed without any timer structure."""
    expire, seq_of, cancel_at = {}, {}, {}
    for seq, (t, kind, tid, delay) in enumerate(ops):
        if kind == "add":
            expire[tid], seq_of[tid] = t + delay, seq
        elif tid in expire and t < expire[tid] and tid not in cancel_at:
            cancel_at[tid] = t               # cancel arrives before its expiry and after its add
    alive = [tid for tid in expire if tid not in cancel_at]
    alive.sort(key=lambda x: (expire[x], seq_of[x]))
    return [(expire[x], x) for x in alive], len(cancel_at)


def run(timer, ops):
    fired, cancelled = [], 0
    for seq, (t, kind, tid, delay) in enumerate(ops):
        fired += timer.advance(t)            # the event loop catches up to time t first
        if kind == "add":
            timer.add(tid, seq, t + delay)
        elif timer.cancel(tid):
            cancelled += 1
    fired += timer.advance(10_000)
    return fired, cancelled


def main():
    ops = make_script()
    expected, exp_cancel = reference(ops)
    print(f"script: {sum(o[1] == 'add' for o in ops)} adds, "
          f"{sum(o[1] == 'cancel' for o in ops)} cancel calls "
          f"({exp_cancel} hit a pending timer)")
    print(f"expected: {len(expected)} fires; first 5 (tick, id): {expected[:5]}")

    impls = [("hierarchical wheel", HierarchicalWheel()),
             ("min-heap", MinHeapTimer()),
             ("red-black tree", RBTreeTimer())]
    for name, timer in impls:
        fired, cancelled = run(timer, ops)
        assert cancelled == exp_cancel, (name, cancelled, exp_cancel)
        assert fired == expected, f"{name}: order differs from reference"
        print(f"{name:18s}: {len(fired)} fired in reference order, {cancelled} cancelled")

    wheel, heap, rb = (t for _, t in impls)
    print(f"wheel cascaded {wheel.cascaded} timers down a level "
          f"(16 slots x 4 levels, range {16 ** 4} ticks)")
    print(f"heap peak size {heap.max_size}")

    # red-black invariants after a fresh bulk load + random cancels
    rb2, rng = RBTreeTimer(), random.Random(7)
    for i in range(1000):
        rb2.add(i, i, rng.randint(1, 10_000))
    for i in rng.sample(range(1000), 400):
        assert rb2.cancel(i)
        if i % 50 == 0:
            rb2.check()
    bh = rb2.check()
    h = rb2.height()
    assert h <= 2 * (600 + 1).bit_length()
    print(f"rbtree with 600 timers: height {h}, black height {bh}, invariants hold")
    assert not rb2.cancel(-1) and not heap.cancel(-1) and not wheel.cancel(-1)

    # tiny readable trace on one structure
    demo = HierarchicalWheel()
    for tid, (delay, seq) in enumerate([(5, 0), (3, 1), (300, 2), (5, 3), (17, 4)]):
        demo.add(tid, seq, delay)
    demo.cancel(3)
    print("demo: add ids 0..4 at ticks 5,3,300,5,17; cancel id 3")
    for tick, tid in demo.advance(400):
        print(f"  tick {tick:3d}: timer {tid} fired")
    print("all checks passed")


if __name__ == "__main__":
    main()
