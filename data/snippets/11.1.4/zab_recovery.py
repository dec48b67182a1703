# caption: ZAB 崩溃恢复（按论文与 ZooKeeper 源码写的模型，不是 ZooKeeper）：zxid 高 32 位是 epoch、低 32 位是计数；选举按 (epoch, zxid, sid) 取最大，新 leader 以 DIFF/TRUNC 同步 follower，旧 leader 未提交的提案被截掉；若只按 sid 选主，已提交的事务会丢
# point: ZAB 与 ZooKeeper
# timeout: 10


def zxid(epoch, counter):
    return epoch << 32 | counter


def show(z):
    return f"0x{z:x}({z >> 32},{z & 0xffffffff})"


def recover(elect_by):
    # epoch 1, leader S1 (5 servers, quorum 3). 1..3 committed on a quorum; 4 reached S1, S2; 5 only S1. S1 crashes.
    hist = {1: [zxid(1, c) for c in (1, 2, 3, 4, 5)], 2: [zxid(1, c) for c in (1, 2, 3, 4)],
            3: [zxid(1, c) for c in (1, 2, 3)], 4: [zxid(1, c) for c in (1, 2)], 5: [zxid(1, c) for c in (1, 2)]}
    committed = [zxid(1, c) for c in (1, 2, 3)]
    alive = [2, 3, 4, 5]
    # fast leader election: the vote order in FastLeaderElection.totalOrderPredicate is (epoch, last zxid, sid)
    key = (lambda s: (hist[s][-1] >> 32, hist[s][-1], s)) if elect_by == "zxid" else (lambda s: s)
    leader = max(alive, key=key)
    new_epoch = max(hist[s][-1] >> 32 for s in alive) + 1             # discovery: a new, larger epoch
    lead_hist = hist[leader]
    trace = []
    for s in alive + [1]:                                             # synchronisation; S1 comes back last
        if s == leader:
            continue
        mine = hist[s]
        common = max((z for z in mine if z in lead_hist), default=0)
        cut = [z for z in mine if z > common]
        if cut:
            trace.append(f"S{s} TRUNC to {show(common)} (drops {', '.join(map(show, cut))})")
        missing = [z for z in lead_hist if z > common]
        if missing:
            trace.append(f"S{s} DIFF +{', '.join(map(show, missing))}")
        hist[s] = list(lead_hist)
    for s in hist:                                                    # broadcast in the new epoch: one proposal
        hist[s].append(zxid(new_epoch, 1))
    lost = [show(z) for z in committed if z not in hist[leader]]
    return leader, new_epoch, trace, lost, hist


for rule in ("zxid", "sid"):
    leader, epoch, trace, lost, hist = recover(rule)
    print(f"elect by {rule}: leader S{leader}, new epoch {epoch}; committed transactions lost: {lost or 'none'}")
    for t in trace:
        print("   ", t)
    assert len({tuple(h) for h in hist.values()}) == 1                 # everybody ends with the leader's history
    if rule == "zxid":
        assert leader == 2 and not lost and zxid(1, 4) in hist[1] and zxid(1, 5) not in hist[1]
    else:
        assert leader == 5 and lost == [show(zxid(1, 3))]
