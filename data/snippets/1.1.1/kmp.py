# caption: KMP：打印模式串的前缀函数（失配表），查找所有出现位置，比较次数不超过 2n，与 str.find 随机对拍
# point: 字符串匹配KMP算法
import random


def prefix_function(p):
    """pi[i] = length of the longest proper prefix of p[:i+1] that is also its suffix."""
    pi = [0] * len(p)
    k = 0                              # length of the current border
    for i in range(1, len(p)):
        while k > 0 and p[i] != p[k]:
            k = pi[k - 1]              # fall back to the next shorter border
        if p[i] == p[k]:
            k += 1
        pi[i] = k
    return pi


def kmp_search(text, p, stats=None):
    """All start positions of p in text (overlapping matches included)."""
    if not p:
        return list(range(len(text) + 1))
    pi = prefix_function(p)
    out, k = [], 0                     # k = number of pattern chars matched so far
    for i, c in enumerate(text):
        while True:
            if stats is not None:
                stats["cmp"] += 1
            if c == p[k]:
                k += 1
                break
            if k == 0:
                break
            k = pi[k - 1]              # text pointer i never moves back
        if k == len(p):
            out.append(i - len(p) + 1)
            k = pi[k - 1]              # keep going to find overlapping matches
    return out


def find_all(text, p):
    """Reference: repeated str.find, stepping by one to allow overlaps."""
    out, start = [], 0
    while True:
        j = text.find(p, start)
        if j < 0:
            return out
        out.append(j)
        start = j + 1


def brute_prefix_function(p):
    return [max(k for k in range(i + 1) if p[:k] == p[i + 1 - k:i + 1])
            for i in range(len(p))]


def main():
    p = "ABABCABAB"
    pi = prefix_function(p)
    print("pattern :", "  ".join(p))
    print("index   :", "  ".join(str(i) for i in range(len(p))))
    print("pi      :", "  ".join(str(v) for v in pi))
    assert pi == [0, 0, 1, 2, 0, 1, 2, 3, 4]

    text = "ABABDABABCABABCABABX"
    st = {"cmp": 0}
    hits = kmp_search(text, p, st)
    print(f"text    : {text}\nmatches at {hits}, char comparisons={st['cmp']} (n={len(text)}, 2n={2 * len(text)})")
    assert hits == find_all(text, p) == [5, 10]

    # worst case for naive search: text a^n, pattern a^(m-1)b
    n, m = 20000, 200
    text, pat = "a" * n, "a" * (m - 1) + "b"
    st = {"cmp": 0}
    assert kmp_search(text, pat, st) == []
    naive = (n - m + 1) * m
    print(f"text a^{n}, pattern a^{m - 1}b: KMP comparisons={st['cmp']}, naive would do {naive}")
    assert st["cmp"] <= 2 * n

    rng = random.Random(1977)
    total = 0
    for _ in range(3000):
        alpha = rng.choice(["ab", "abc", "acgt"])
        t = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 200)))
        q = "".join(rng.choice(alpha) for _ in range(rng.randint(1, 6)))
        st = {"cmp": 0}
        got = kmp_search(t, q, st)
        assert got == find_all(t, q)
        assert (got[0] if got else -1) == t.find(q)
        assert st["cmp"] <= 2 * len(t)
        assert prefix_function(q) == brute_prefix_function(q)
        total += len(got)
    print(f"3000 random texts: positions match str.find ({total} matches), cmp <= 2n every time")


if __name__ == "__main__":
    main()
