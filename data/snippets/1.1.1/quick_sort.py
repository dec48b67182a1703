# caption: 快速排序：随机枢轴 + 三路划分 + 只递归较小一侧，对比有序输入下固定末尾枢轴的 O(n^2) 退化
# point: 快速排序
import math
import random


def partition3(a, lo, hi, pivot, stats):
    """Dutch-flag partition of a[lo..hi]: < pivot | == pivot | > pivot.
    Returns (lt, gt) so that a[lt..gt] all equal the pivot."""
    lt, i, gt = lo, lo, hi
    while i <= gt:
        stats["cmp"] += 1
        if a[i] < pivot:
            a[lt], a[i] = a[i], a[lt]
            lt += 1
            i += 1
        elif a[i] > pivot:
            a[i], a[gt] = a[gt], a[i]
            gt -= 1
        else:
            i += 1
    return lt, gt


def quick_sort(a, rng, stats):
    """Random pivot, 3-way partition; recurse on the smaller side and loop on
    the larger one, so the recursion depth stays O(log n) even in bad cases."""
    def sort(lo, hi, depth):
        stats["depth"] = max(stats["depth"], depth)
        while lo < hi:
            pivot = a[rng.randint(lo, hi)]
            lt, gt = partition3(a, lo, hi, pivot, stats)
            if lt - lo < hi - gt:
                sort(lo, lt - 1, depth + 1)
                lo = gt + 1
            else:
                sort(gt + 1, hi, depth + 1)
                hi = lt - 1
    sort(0, len(a) - 1, 1)
    return a


def naive_quick_sort(a, stats):
    """Textbook Lomuto partition with the LAST element as pivot (no safeguards)."""
    def sort(lo, hi, depth):
        stats["depth"] = max(stats["depth"], depth)
        if lo >= hi:
            return
        p = a[hi]
        i = lo
        for j in range(lo, hi):
            stats["cmp"] += 1
            if a[j] < p:
                a[i], a[j] = a[j], a[i]
                i += 1
        a[i], a[hi] = a[hi], a[i]
        sort(lo, i - 1, depth + 1)
        sort(i + 1, hi, depth + 1)
    sort(0, len(a) - 1, 1)
    return a


def main():
    rng = random.Random(42)
    demo = [3, 8, 1, 8, 5, 3, 9, 3]
    st = {"cmp": 0, "depth": 0}
    a = demo[:]
    lt, gt = partition3(a, 0, len(a) - 1, 3, st)
    print("partition", demo, "around 3 ->", a[:lt], a[lt:gt + 1], a[gt + 1:])
    assert all(x < 3 for x in a[:lt]) and all(x == 3 for x in a[lt:gt + 1])
    assert all(x > 3 for x in a[gt + 1:])

    n = 600
    sorted_input = list(range(n))
    s_naive = {"cmp": 0, "depth": 0}
    naive_quick_sort(sorted_input[:], s_naive)
    s_rand = {"cmp": 0, "depth": 0}
    quick_sort(sorted_input[:], rng, s_rand)
    print(f"n={n} already sorted: fixed last pivot cmp={s_naive['cmp']} depth={s_naive['depth']}"
          f" | random pivot, 3-way, smaller side first: cmp={s_rand['cmp']} depth={s_rand['depth']}")
    assert s_naive["cmp"] == n * (n - 1) // 2 and s_naive["depth"] == n
    assert s_rand["depth"] <= math.log2(n) + 1

    n = 20000
    data = [rng.random() for _ in range(n)]
    st = {"cmp": 0, "depth": 0}
    assert quick_sort(data[:], rng, st) == sorted(data)
    print(f"n={n} random floats: cmp={st['cmp']}  2n*ln(n)={2 * n * math.log(n):.0f}"
          f"  n*log2(n)={n * math.log2(n):.0f}  max depth={st['depth']}")

    many_dups = [rng.randint(0, 3) for _ in range(n)]
    st = {"cmp": 0, "depth": 0}
    assert quick_sort(many_dups[:], rng, st) == sorted(many_dups)
    print(f"n={n} only 4 distinct keys: cmp={st['cmp']} (each 3-way pass retires every copy of its pivot)")
    assert st["cmp"] <= 4 * n

    for _ in range(2000):
        data = [rng.randint(-15, 15) for _ in range(rng.randint(0, 50))]
        st = {"cmp": 0, "depth": 0}
        assert quick_sort(data[:], rng, st) == sorted(data)
        assert naive_quick_sort(data[:], {"cmp": 0, "depth": 0}) == sorted(data)
    print("2000 random lists: both versions match sorted()")


if __name__ == "__main__":
    main()
