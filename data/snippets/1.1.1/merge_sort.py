# caption: 归并排序：自顶向下与自底向上两种写法、比较次数上界、顺带统计逆序对、k 路归并模拟外排序
# point: 归并排序
import heapq
import math
import random


def merge(left, right, stats):
    out, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        stats["cmp"] += 1
        if left[i] <= right[j]:        # '<=' takes from the left run first: stable
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            stats["inv"] += len(left) - i   # right[j] jumps over the rest of left
            j += 1
    out.extend(left[i:])
    out.extend(right[j:])
    return out


def merge_sort(a, stats):
    if len(a) <= 1:
        return a[:]
    mid = len(a) // 2
    return merge(merge_sort(a[:mid], stats), merge_sort(a[mid:], stats), stats)


def merge_sort_bottom_up(a, trace=None):
    runs = [[x] for x in a]
    stats = {"cmp": 0, "inv": 0}
    while len(runs) > 1:               # each round merges neighbours: width doubles
        runs = [merge(runs[i], runs[i + 1], stats) if i + 1 < len(runs) else runs[i]
                for i in range(0, len(runs), 2)]
        if trace:
            trace(runs)
    return runs[0] if runs else []


def worst_case_bound(n):
    """Max comparisons of top-down merge sort: n*ceil(lg n) - 2^ceil(lg n) + 1."""
    if n <= 1:
        return 0
    c = math.ceil(math.log2(n))
    return n * c - 2 ** c + 1


class K:
    def __init__(self, k, i):
        self.k, self.i = k, i

    def __le__(self, o):
        return self.k <= o.k


def main():
    demo = [38, 27, 43, 3, 9, 82, 10]
    print("input:", demo)
    merge_sort_bottom_up(demo, trace=lambda runs: print("  runs:", runs))

    rng = random.Random(17)
    for n in (1000, 4096, 10000):
        data = [rng.random() for _ in range(n)]
        st = {"cmp": 0, "inv": 0}
        assert merge_sort(data, st) == sorted(data)
        lower = math.ceil(math.log2(math.factorial(n)))   # information-theoretic bound
        print(f"n={n:5d}: comparisons={st['cmp']}  worst-case bound={worst_case_bound(n)}"
              f"  any comparison sort needs >= {lower} in the worst case")
        assert st["cmp"] <= worst_case_bound(n)

    # inversion counting comes for free; check against the O(n^2) definition
    for _ in range(300):
        data = [rng.randint(0, 20) for _ in range(rng.randint(0, 40))]
        st = {"cmp": 0, "inv": 0}
        merge_sort(data, st)
        brute = sum(1 for i in range(len(data)) for j in range(i + 1, len(data))
                    if data[i] > data[j])
        assert st["inv"] == brute
    print("inversion counts of 300 random lists match the O(n^2) brute force")

    # external-sort style: sort chunks that fit in "memory", then k-way merge with a heap
    big = [rng.randint(0, 10 ** 9) for _ in range(30000)]
    chunks = [sorted(big[i:i + 4000]) for i in range(0, len(big), 4000)]
    merged = list(heapq.merge(*chunks))
    assert merged == sorted(big)
    print(f"k-way merge of {len(chunks)} sorted chunks (4000 each) == sorted(): True")

    for _ in range(2000):
        data = [rng.randint(-25, 25) for _ in range(rng.randint(0, 50))]
        st = {"cmp": 0, "inv": 0}
        assert merge_sort(data, st) == sorted(data)
        assert merge_sort_bottom_up(data) == sorted(data)
        pairs = [(k, i) for i, k in enumerate(data)]
        # stability: merging (key, idx) by key only must equal the stable sorted()
        keyed = merge_sort([K(k, i) for k, i in pairs], {"cmp": 0, "inv": 0})
        assert [(x.k, x.i) for x in keyed] == sorted(pairs, key=lambda p: p[0])
    print("2000 random lists: both versions match sorted(), and the sort is stable")


if __name__ == "__main__":
    main()
