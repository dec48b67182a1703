# caption: 希尔排序：三种增量序列（Shell、Knuth、Ciura）的比较次数对比，随机对拍 sorted()
# point: 希尔排序
import random


def gaps_shell(n):            # n/2, n/4, ..., 1  (Shell 1959)
    g, out = n // 2, []
    while g > 0:
        out.append(g)
        g //= 2
    return out


def gaps_knuth(n):            # 1, 4, 13, 40, ... (3^k - 1)/2, largest < n/3
    g, out = 1, []
    while g < max(n // 3, 1) or not out:
        out.append(g)
        g = 3 * g + 1
    return out[::-1]


CIURA = [1750, 701, 301, 132, 57, 23, 10, 4, 1]   # empirical (Ciura 2001), 1750 ~ 2.25x extension


def gaps_ciura(n):
    return [g for g in CIURA if g < n] or [1]


def shell_sort(a, gaps, stats=None):
    for h in gaps:
        # gapped insertion sort: every h-th element forms one sub-list
        for i in range(h, len(a)):
            x = a[i]
            j = i
            while j >= h:
                if stats is not None:
                    stats["cmp"] += 1
                if a[j - h] <= x:
                    break
                a[j] = a[j - h]
                j -= h
            a[j] = x
    return a


def main():
    demo = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    a = demo[:]
    print("input        :", a)
    for h in gaps_shell(len(a)):
        shell_sort(a, [h])
        print(f"after gap {h:2d} :", a)
    assert a == sorted(demo)

    rng = random.Random(5)
    print(" n      insertion     Shell n/2^k    Knuth 3h+1    Ciura")
    for n in (500, 2000, 8000):
        data = [rng.randint(0, 10 ** 6) for _ in range(n)]
        row = []
        for gaps in ([1], gaps_shell(n), gaps_knuth(n), gaps_ciura(n)):
            if gaps == [1] and n > 2000:
                row.append(None)
                continue
            st = {"cmp": 0}
            assert shell_sort(data[:], gaps, st) == sorted(data)
            row.append(st["cmp"])
        print(f"{n:5d}  " + "  ".join(f"{c:12d}" if c else f"{'(skipped)':>12s}" for c in row))
        assert row[3] < row[1]          # Ciura's gaps beat Shell's halving here
        if row[0]:
            assert row[3] * 5 < row[0]  # and any of them crush plain insertion sort

    for _ in range(1500):
        data = [rng.randint(-40, 40) for _ in range(rng.randint(0, 120))]
        for gaps in (gaps_shell(len(data)), gaps_knuth(len(data)), gaps_ciura(len(data))):
            assert shell_sort(data[:], gaps) == sorted(data)
    print("1500 random lists x 3 gap sequences: all match sorted()")


if __name__ == "__main__":
    main()
