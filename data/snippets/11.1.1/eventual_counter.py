# caption: 最终一致性的模型：分区期间各副本各自接受“点赞 +1”，恢复后靠随机两两 gossip（反熵）收敛；最后写者胜（LWW）的寄存器收敛到一个值但丢了并发的加一，按副本分槽取最大值合并的 G-Counter 收敛到正确总数；收敛轮数随副本数大约按对数增长
# point: BASE 与最终一致性
# timeout: 20
import random


def lww_merge(a, b):                  # state: (timestamp, replica id, value); the later write wins
    return max(a, b)


def gc_merge(a, b):                   # state: one slot per replica; merge is the element-wise maximum
    return [max(x, y) for x, y in zip(a, b)]


def simulate(n, seed):
    r = random.Random(seed)
    lww = [(0, i, 0) for i in range(n)]
    gc = [[0] * n for _ in range(n)]
    total = 0
    for t in range(1, 200):                       # partitioned: every replica serves its own clients
        i = r.randrange(n)
        lww[i] = (t, i, lww[i][2] + 1)            # read-modify-write of a register
        gc[i][i] += 1                             # bump only my own slot
        total += 1
    rounds = 0
    while len({s for s in lww}) > 1 or len({tuple(s) for s in gc}) > 1:   # healed: anti-entropy rounds
        rounds += 1
        for i in range(n):                        # each replica push-pulls with one random peer
            j = r.randrange(n)
            lww[i] = lww[j] = lww_merge(lww[i], lww[j])
            gc[i] = gc[j] = gc_merge(gc[i], gc[j])
        assert rounds < 100
    return total, lww[0][2], sum(gc[0]), rounds


for n in (3, 10, 50, 200):
    res = [simulate(n, seed) for seed in range(5)]
    total, lww_value, gc_value, _ = res[0]
    print(f"{n:4} replicas: {total} increments; converged LWW value {lww_value}, G-Counter value {gc_value}; "
          f"gossip rounds to converge (5 seeds): {[x[3] for x in res]}")
    assert all(x[2] == x[0] for x in res) and all(x[1] < x[0] for x in res)
small = max(x[3] for x in [simulate(10, s) for s in range(5)])
big = max(x[3] for x in [simulate(200, s) for s in range(5)])
assert big < 4 * small                            # 20x the replicas, a few more rounds: about log n
