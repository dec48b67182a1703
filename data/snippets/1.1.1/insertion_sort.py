# caption: 插入排序：逐个插入有序前缀，移动次数等于逆序对数，与 sorted() 随机对拍
# point: 插入排序
import random


def insertion_sort(a, stats=None, trace=None):
    """Sort list a in place; stats counts comparisons and element moves."""
    for i in range(1, len(a)):
        x = a[i]
        j = i - 1
        while j >= 0:
            if stats is not None:
                stats["cmp"] += 1
            if a[j] <= x:          # '<=' keeps equal keys in order: stable
                break
            a[j + 1] = a[j]        # shift the larger element one slot right
            if stats is not None:
                stats["move"] += 1
            j -= 1
        a[j + 1] = x
        if trace:
            trace(i, a)
    return a


def inversions(a):
    return sum(1 for i in range(len(a)) for j in range(i + 1, len(a)) if a[i] > a[j])


class Key:
    """Compares by k only, carries the original index i to check stability."""
    __slots__ = ("k", "i")

    def __init__(self, k, i):
        self.k, self.i = k, i

    def __le__(self, other):
        return self.k <= other.k

    def __lt__(self, other):
        return self.k < other.k

    def __gt__(self, other):
        return self.k > other.k


def main():
    demo = [5, 2, 4, 6, 1, 3]
    print("input      :", demo)
    insertion_sort(demo[:], trace=lambda i, a: print(
        f"insert a[{i}] :", a[: i + 1], "|", a[i + 1:]))

    n = 200
    for name, data in [("sorted", list(range(n))),
                       ("reversed", list(range(n, 0, -1))),
                       ("random", random.Random(1).sample(range(n), n))]:
        st = {"cmp": 0, "move": 0}
        insertion_sort(data[:], st)
        inv = inversions(data)
        assert st["move"] == inv, "moves must equal the number of inversions"
        print(f"n={n} {name:8s}: comparisons={st['cmp']:6d} moves={st['move']:6d} inversions={inv}")
        if name == "sorted":
            assert st["cmp"] == n - 1
        if name == "reversed":
            assert st["cmp"] == n * (n - 1) // 2

    rng = random.Random(2024)
    for _ in range(2000):
        n = rng.randint(0, 40)
        data = [rng.randint(-20, 20) for _ in range(n)]
        assert insertion_sort(data[:]) == sorted(data)
        # stability: sort (key, original index) pairs by key only
        pairs = [(k, i) for i, k in enumerate(data)]
        keyed = [Key(k, i) for k, i in pairs]
        insertion_sort(keyed)
        assert [(x.k, x.i) for x in keyed] == sorted(pairs, key=lambda p: p[0])
    print("2000 random lists match sorted(); equal keys keep their input order (stable)")


if __name__ == "__main__":
    main()
