# caption: 桶排序：均匀分布时每桶约 1 个元素、总代价线性；分布倾斜时退化，随机对拍 sorted()
# point: 桶排序
import random


def insertion_sort(a, stats):
    for i in range(1, len(a)):
        x, j = a[i], i - 1
        while j >= 0:
            stats["cmp"] += 1
            if a[j] <= x:
                break
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = x
    return a


def bucket_sort(a, nbuckets=None, stats=None):
    """Bucket sort for numbers: bucket i covers [lo + i*w, lo + (i+1)*w)."""
    if stats is None:
        stats = {"cmp": 0}
    if len(a) <= 1:
        return a[:]
    lo, hi = min(a), max(a)
    if lo == hi:
        return a[:]
    k = nbuckets or len(a)
    buckets = [[] for _ in range(k)]
    for x in a:
        i = int((x - lo) / (hi - lo) * k)
        buckets[min(i, k - 1)].append(x)        # x == hi goes to the last bucket
    stats["sizes"] = [len(b) for b in buckets]
    out = []
    for b in buckets:                           # buckets are already in key order
        out.extend(insertion_sort(b, stats))
    return out


def main():
    rng = random.Random(3)
    demo = [0.42, 0.32, 0.73, 0.12, 0.94, 0.52, 0.37, 0.47, 0.51, 0.06]
    st = {"cmp": 0}
    res = bucket_sort(demo, 5, st)
    print("input:", demo)
    print("5 buckets, sizes:", st["sizes"], "->", res)
    assert res == sorted(demo)

    n = 20000
    uniform = [rng.random() for _ in range(n)]
    st_u = {"cmp": 0}
    assert bucket_sort(uniform, n, st_u) == sorted(uniform)
    sizes = st_u["sizes"]
    hist = {s: sizes.count(s) for s in range(max(sizes) + 1)}
    print(f"n={n} uniform: comparisons={st_u['cmp']} ({st_u['cmp'] / n:.2f} per element)")
    print("   bucket size histogram {size: buckets}:", hist)
    assert st_u["cmp"] < 2 * n                       # expected O(n) work

    m = 3000                                         # keep the quadratic case small
    skewed = [rng.random() ** 40 for _ in range(m)]  # almost all values near 0
    st_s = {"cmp": 0}
    assert bucket_sort(skewed, m, st_s) == sorted(skewed)
    print(f"n={m} skewed (x^40): biggest bucket={max(st_s['sizes'])}, comparisons="
          f"{st_s['cmp']} ({st_s['cmp'] / m:.1f} per element)")
    assert st_s["cmp"] > 50 * m                      # degenerated towards n^2/4

    for _ in range(2000):
        size = rng.randint(0, 60)
        ints = [rng.randint(-100, 100) for _ in range(size)]
        floats = [rng.uniform(-1, 1) for _ in range(size)]
        assert bucket_sort(ints, rng.randint(1, 20)) == sorted(ints)
        assert bucket_sort(floats) == sorted(floats)
    print("2000 random int and float lists: match sorted()")


if __name__ == "__main__":
    main()
