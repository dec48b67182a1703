# caption: 经典动态规划：0/1 背包（一维逆序）、最长公共子序列（含还原）、编辑距离、最长递增子序列，与暴力枚举对拍
# point: 经典动态规划问题
import itertools
import random
from bisect import bisect_left
from functools import lru_cache


def knapsack(weights, values, cap):
    """dp[c] = best value with capacity c using the items seen so far.
    Iterate c downwards so every item is used at most once (0/1)."""
    dp = [0] * (cap + 1)
    for w, v in zip(weights, values):
        for c in range(cap, w - 1, -1):
            dp[c] = max(dp[c], dp[c - w] + v)
    return dp[cap]


def knapsack_brute(weights, values, cap):
    best = 0
    for mask in range(1 << len(weights)):
        w = sum(weights[i] for i in range(len(weights)) if mask >> i & 1)
        if w <= cap:
            best = max(best, sum(values[i] for i in range(len(weights)) if mask >> i & 1))
    return best


def lcs(a, b):
    """L[i][j] = LCS length of a[:i], b[:j]; then walk back to recover one LCS."""
    L = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            L[i][j] = L[i - 1][j - 1] + 1 if a[i - 1] == b[j - 1] else max(L[i - 1][j], L[i][j - 1])
    out, i, j = [], len(a), len(b)
    while i and j:
        if a[i - 1] == b[j - 1]:
            out.append(a[i - 1])
            i, j = i - 1, j - 1
        elif L[i - 1][j] >= L[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return L[-1][-1], "".join(reversed(out))


def is_subsequence(s, t):
    it = iter(t)
    return all(c in it for c in s)


def lcs_brute(a, b):
    for r in range(len(a), -1, -1):
        for idx in itertools.combinations(range(len(a)), r):
            if is_subsequence("".join(a[i] for i in idx), b):
                return r
    return 0


def edit_distance(a, b):
    """Levenshtein distance with two rolling rows: O(len(a)*len(b)) time, O(len(b)) space."""
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1,                             # delete a[i-1]
                         cur[j - 1] + 1,                          # insert b[j-1]
                         prev[j - 1] + (a[i - 1] != b[j - 1]))    # replace or keep
        prev = cur
    return prev[-1]


def edit_brute(a, b):
    @lru_cache(None)
    def go(i, j):                  # recursion on suffixes straight from the definition
        if i == len(a):
            return len(b) - j
        if j == len(b):
            return len(a) - i
        return min(go(i + 1, j) + 1, go(i, j + 1) + 1, go(i + 1, j + 1) + (a[i] != b[j]))
    return go(0, 0)


def lis_length(xs):
    """tails[k] = smallest possible tail of an increasing subsequence of length k+1."""
    tails = []
    for x in xs:
        i = bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


def lis_brute(xs):
    for r in range(len(xs), 0, -1):
        for idx in itertools.combinations(range(len(xs)), r):
            if all(xs[p] < xs[q] for p, q in zip(idx, idx[1:])):
                return r
    return 0


def main():
    w, v = [2, 3, 4, 5], [3, 4, 5, 6]
    print("knapsack w=[2,3,4,5] v=[3,4,5,6] cap=5 ->", knapsack(w, v, 5), "(take weights 2 and 3)")
    n, s = lcs("ABCBDAB", "BDCABA")
    print(f"LCS('ABCBDAB', 'BDCABA') -> {n}, e.g. {s!r}")
    print("edit_distance('kitten', 'sitting') ->", edit_distance("kitten", "sitting"))
    print("LIS([10, 9, 2, 5, 3, 7, 101, 18]) ->", lis_length([10, 9, 2, 5, 3, 7, 101, 18]))
    assert knapsack(w, v, 5) == 7 and n == 4 and edit_distance("kitten", "sitting") == 3

    rng = random.Random(1953)
    for _ in range(400):
        k = rng.randint(0, 10)
        ws = [rng.randint(1, 10) for _ in range(k)]
        vs = [rng.randint(0, 20) for _ in range(k)]
        cap = rng.randint(0, 30)
        assert knapsack(ws, vs, cap) == knapsack_brute(ws, vs, cap)

        a = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 9)))
        b = "".join(rng.choice("ACGT") for _ in range(rng.randint(0, 9)))
        n, s = lcs(a, b)
        assert n == lcs_brute(a, b) == len(s) and is_subsequence(s, a) and is_subsequence(s, b)
        assert edit_distance(a, b) == edit_brute(a, b) == edit_distance(b, a)
        assert edit_distance(a, b) >= abs(len(a) - len(b))

        xs = [rng.randint(0, 15) for _ in range(rng.randint(0, 10))]
        assert lis_length(xs) == lis_brute(xs)
    print("400 random cases each: knapsack == 2^n subsets, LCS == subsequence search,"
          " edit distance == top-down recursion on suffixes, LIS == brute force")


if __name__ == "__main__":
    main()
