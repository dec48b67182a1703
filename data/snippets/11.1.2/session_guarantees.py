# caption: 会话保证（模型）：一主两从异步复制，客户端写主库、随机挑副本读；不加约束时读不到自己刚写的（违反读己之写）、后一次读比前一次旧（违反单调读）；客户端带上“见过的最大版本号”、副本没追上就换一个（GTID/revision 等待的思路）后两种违规都为零，代价是部分读被转走
# point: 会话保证：读己之写与单调读
# timeout: 10
import bisect
import random


def run(seed, token):
    r = random.Random(seed)
    apply_at = [[], [], []]                  # replica -> apply time of versions 1, 2, ... (0 = the primary)
    writes = 0
    stats = {"reads": 0, "ryw": 0, "monotonic": 0, "redirected": 0}
    clients = [{"wrote": 0, "read": 0} for _ in range(5)]

    def applied(rep, now):                   # highest version a replica has applied by `now` (in order, like a binlog)
        return bisect.bisect_right(apply_at[rep], now)

    for now in range(2000):
        c = clients[r.randrange(5)]
        if r.random() < 0.1:                 # a write: primary at once, replicas after a random lag, in order
            writes += 1
            apply_at[0].append(now)
            for rep in (1, 2):
                prev = apply_at[rep][-1] if apply_at[rep] else 0
                apply_at[rep].append(max(prev, now + r.randint(1, 20)))
            c["wrote"] = writes
        else:                                # a read from a random replica
            order = r.sample([0, 1, 2], 3)
            rep = order[0]
            if token:                        # the session token: max version this client has written or read
                need = max(c["wrote"], c["read"])
                rep = next(x for x in order + [0] if applied(x, now) >= need)
                stats["redirected"] += rep != order[0]
            v = applied(rep, now)
            stats["reads"] += 1
            stats["ryw"] += v < c["wrote"]
            stats["monotonic"] += v < c["read"]
            c["read"] = max(c["read"], v)
    return stats


for token in (False, True):
    tot = {}
    for seed in range(20):
        for k, v in run(seed, token).items():
            tot[k] = tot.get(k, 0) + v
    print(f"{'with session token' if token else 'any replica':18}: {tot['reads']} reads, read-your-writes violated "
          f"{tot['ryw']}, monotonic reads violated {tot['monotonic']}, reads sent elsewhere {tot['redirected']}")
    if token:
        assert tot["ryw"] == tot["monotonic"] == 0 and tot["redirected"] > 0
    else:
        assert tot["ryw"] > 0 and tot["monotonic"] > 0
