# caption: 冒泡排序（带提前结束）与选择排序：比较/交换次数与稳定性对比，随机对拍 sorted()
# point: 冒泡排序与选择排序
import random


def bubble_sort(a, stats=None, trace=None):
    n = len(a)
    for end in range(n - 1, 0, -1):          # after each pass a[end] is final
        swapped = False
        for j in range(end):
            if stats is not None:
                stats["cmp"] += 1
            if a[j] > a[j + 1]:              # strict '>' never swaps equal keys: stable
                a[j], a[j + 1] = a[j + 1], a[j]
                swapped = True
                if stats is not None:
                    stats["swap"] += 1
        if trace:
            trace("bubble", n - end, a)
        if not swapped:                      # no swap in a whole pass: already sorted
            break
    return a


def selection_sort(a, stats=None, trace=None):
    n = len(a)
    for i in range(n - 1):
        m = i
        for j in range(i + 1, n):
            if stats is not None:
                stats["cmp"] += 1
            if a[j] < a[m]:
                m = j
        if m != i:                           # long-distance swap: breaks stability
            a[i], a[m] = a[m], a[i]
            if stats is not None:
                stats["swap"] += 1
        if trace:
            trace("select", i + 1, a)
    return a


class Item:
    """Compares by key only; tag shows where an element came from."""

    def __init__(self, key, tag):
        self.key, self.tag = key, tag

    def __lt__(self, o):
        return self.key < o.key

    def __gt__(self, o):
        return self.key > o.key

    def __repr__(self):
        return f"{self.key}{self.tag}"


def main():
    demo = [5, 1, 4, 2, 8]
    show = lambda name, k, a: print(f"{name} pass {k}: {a}")
    print("input:", demo)
    bubble_sort(demo[:], trace=show)
    selection_sort(demo[:], trace=show)

    n = 100
    cases = [("sorted", list(range(n))), ("reversed", list(range(n, 0, -1))),
             ("random", random.Random(7).sample(range(n), n))]
    for name, data in cases:
        b = {"cmp": 0, "swap": 0}
        s = {"cmp": 0, "swap": 0}
        bubble_sort(data[:], b)
        selection_sort(data[:], s)
        print(f"n={n} {name:8s} bubble cmp={b['cmp']:5d} swap={b['swap']:5d} | "
              f"selection cmp={s['cmp']:5d} swap={s['swap']:3d}")
        assert s["cmp"] == n * (n - 1) // 2      # selection never stops early
        assert s["swap"] <= n - 1                # at most one swap per position
        if name == "sorted":
            assert b["cmp"] == n - 1 and b["swap"] == 0   # one pass, then stop

    # stability: bubble keeps 2a before 2b, selection can reorder them
    items = [Item(2, "a"), Item(2, "b"), Item(1, "c")]
    bs = bubble_sort(items[:])
    ss = selection_sort(items[:])
    print("stability   input:", items, " bubble:", bs, " selection:", ss)
    assert [x.tag for x in bs] == ["c", "a", "b"]
    assert [x.tag for x in ss] == ["c", "b", "a"]

    rng = random.Random(99)
    for _ in range(2000):
        data = [rng.randint(-30, 30) for _ in range(rng.randint(0, 40))]
        assert bubble_sort(data[:]) == sorted(data)
        assert selection_sort(data[:]) == sorted(data)
    print("2000 random lists: both match sorted()")


if __name__ == "__main__":
    main()
