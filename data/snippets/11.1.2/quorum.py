# caption: Quorum 读写（模型）：N 个副本，写只落到随机 W 个就算成功，紧接着从随机 R 个读、取版本号最大的；R+W≤N 时读集合可能与写集合不相交而读到旧值，测得的比例与 C(N−W,R)/C(N,R) 吻合；R+W>N 时一次也没有
# point: Quorum 读写
# timeout: 10
import random
from math import comb


def stale_rate(n, w, r_, trials, rng):
    stale = 0
    for _ in range(trials):
        version = [0] * n                       # every replica has version 0
        for i in rng.sample(range(n), w):       # the write is acknowledged by w replicas; the rest have not got it yet
            version[i] = 1
        read = max(version[i] for i in rng.sample(range(n), r_))
        stale += read < 1
    return stale / trials


rng = random.Random(1)
for n in (3, 5):
    print(f"N={n}: stale-read fraction, rows W=1..{n}, columns R=1..{n} (measured / theory)")
    for w in range(1, n + 1):
        cells = []
        for r_ in range(1, n + 1):
            got, theory = stale_rate(n, w, r_, 4000, rng), comb(n - w, r_) / comb(n, r_)
            cells.append(f"{got:4.2f}/{theory:4.2f}")
            if r_ + w > n:
                assert got == 0 and theory == 0
            else:
                assert theory > 0 and abs(got - theory) < 0.05
        print(f"  W={w}: " + "  ".join(cells))
