# caption: LSD 基数排序：每一位用稳定的计数排序，演示十进制逐位过程与 256 进制处理负数，随机对拍 sorted()
# point: 基数排序
import random


def counting_pass(a, digit_of, base):
    """One stable counting-sort pass on the digit chosen by digit_of."""
    count = [0] * base
    for x in a:
        count[digit_of(x)] += 1
    pos = 0
    for d in range(base):              # prefix sums: start index of each digit
        count[d], pos = pos, pos + count[d]
    out = [None] * len(a)
    for x in a:                        # left-to-right keeps equal digits in order
        d = digit_of(x)
        out[count[d]] = x
        count[d] += 1
    return out


def radix_sort(a, base=256, trace=None):
    """LSD radix sort for integers; returns (sorted list, number of passes).
    Negative inputs are shifted by -min so that every key is >= 0."""
    if not a:
        return [], 0
    lo = min(min(a), 0)
    vals = [x - lo for x in a]         # now all >= 0
    hi = max(vals)
    shift, passes = 1, 0
    while True:
        vals = counting_pass(vals, lambda x: (x // shift) % base, base)
        passes += 1
        if trace:
            trace(passes, [v + lo for v in vals])
        shift *= base
        if shift > hi:
            break
    return [v + lo for v in vals], passes


def main():
    demo = [170, 45, 75, 90, 802, 24, 2, 66]
    print("input      :", demo)
    res, passes = radix_sort(demo, 10, trace=lambda p, a: print(
        f"by 10^{p - 1} digit:", a))
    assert res == sorted(demo) and passes == 3

    rng = random.Random(8)
    n = 50000
    data = [rng.getrandbits(32) for _ in range(n)]
    res, passes = radix_sort(data, 256)
    assert res == sorted(data)
    print(f"n={n} random 32-bit keys, base 256: {passes} passes, each O(n + 256)")
    assert passes == 4

    # stability matters: sort records by key, equal keys must keep input order
    records = [(rng.randint(0, 9), i) for i in range(200)]
    by_key = counting_pass(records, lambda r: r[0], 10)
    assert by_key == sorted(records, key=lambda r: r[0])
    print("counting pass on (key, index) records keeps equal keys in input order")

    for _ in range(2000):
        data = [rng.randint(-10 ** 6, 10 ** 6) for _ in range(rng.randint(0, 60))]
        base = rng.choice([2, 10, 16, 256])
        assert radix_sort(data, base)[0] == sorted(data)
    print("2000 random lists (with negatives, bases 2/10/16/256): match sorted()")


if __name__ == "__main__":
    main()
