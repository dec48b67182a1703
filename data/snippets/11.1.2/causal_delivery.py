# caption: 因果一致性的机制（模型）：三个副本互相异步复制，Alice 发帖、Bob 在自己的副本上看到帖子后回复，复制消息随机延迟；直接应用收到的更新，Carol 的副本有时先出现回复、后出现帖子；按向量时钟缓冲到依赖满足再应用，两百个种子里一次也没有
# point: 顺序一致性与因果一致性
# timeout: 10
import heapq
import random

N = 3                                                  # replicas: 0 = Alice's, 1 = Bob's, 2 = Carol's


class Replica:
    def __init__(self, i, causal):
        self.i, self.causal, self.vc, self.items, self.buffer = i, causal, [0] * N, [], []

    def local_write(self, item):
        self.vc[self.i] += 1
        self.items.append(item)
        return (self.i, list(self.vc), item)          # the update carries the writer's vector clock

    def deliverable(self, upd):
        src, vc, _ = upd                               # next from src, and everything src had seen is here
        return vc[src] == self.vc[src] + 1 and all(vc[k] <= self.vc[k] for k in range(N) if k != src)

    def receive(self, upd):
        self.buffer.append(upd)
        progress = True
        while progress:
            progress = False
            for u in list(self.buffer):
                if not self.causal or self.deliverable(u):
                    self.buffer.remove(u)
                    self.vc[u[0]] = max(self.vc[u[0]], u[1][u[0]])
                    self.items.append(u[2])
                    progress = True


def run(seed, causal):
    r = random.Random(seed)
    reps = [Replica(i, causal) for i in range(N)]
    events, seq = [], 0                                # heap of (arrival time, seq, destination, update)

    def broadcast(upd, now):
        nonlocal seq
        for d in range(N):
            if d != upd[0]:
                seq += 1
                heapq.heappush(events, (now + r.uniform(1, 10), seq, d, upd))
    broadcast(reps[0].local_write("post"), 0)
    anomaly = replied = False
    while events:
        t, _, d, upd = heapq.heappop(events)
        reps[d].receive(upd)
        carol = reps[2].items
        anomaly |= "reply" in carol and "post" not in carol
        if d == 1 and not replied and "post" in reps[1].items:    # Bob answers as soon as he sees the post
            replied = True
            broadcast(reps[1].local_write("reply"), t)
    assert all(sorted(x.items) == ["post", "reply"] for x in reps)   # everyone converges either way
    return anomaly


naive = sum(run(s, causal=False) for s in range(200))
vc = sum(run(s, causal=True) for s in range(200))
print(f"200 seeds: Carol saw the reply without the post: apply-on-receipt {naive} times, vector-clock delivery {vc} times")
assert naive > 0 and vc == 0
