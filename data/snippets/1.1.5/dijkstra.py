# caption: 堆优化 Dijkstra（惰性删除）与路径还原，随机图上与 Bellman-Ford、Floyd 对拍，并演示负权边下的错误结果
# point: dijkstra的实现
import heapq
import random

INF = float("inf")


def dijkstra(n, adj, s, stats=None):
    """adj[u] = [(v, w), ...] with w >= 0. Returns (dist, parent)."""
    dist, parent = [INF] * n, [-1] * n
    dist[s] = 0
    heap = [(0, s)]
    done = [False] * n
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:                      # stale entry: u was already settled with a smaller d
            continue
        done[u] = True                   # d is final: every other path is at least as long
        if stats is not None:
            stats["settled"] += 1
        for v, w in adj[u]:
            nd = d + w
            if nd < dist[v]:             # relax; push a new entry instead of decrease-key
                dist[v], parent[v] = nd, u
                heapq.heappush(heap, (nd, v))
                if stats is not None:
                    stats["pushes"] += 1
    return dist, parent


def bellman_ford(n, edges, s):
    dist = [INF] * n
    dist[s] = 0
    for _ in range(n - 1):
        changed = False
        for u, v, w in edges:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
                changed = True
        if not changed:
            break
    return dist


def floyd(n, edges):
    d = [[0 if i == j else INF for j in range(n)] for i in range(n)]
    for u, v, w in edges:
        d[u][v] = min(d[u][v], w)
    for k in range(n):
        for i in range(n):
            dik = d[i][k]
            for j in range(n):
                if dik + d[k][j] < d[i][j]:
                    d[i][j] = dik + d[k][j]
    return d


def path_to(parent, t):
    p = []
    while t != -1:
        p.append(t)
        t = parent[t]
    return p[::-1]


def main():
    names = "ABCDEF"
    edges = [(0, 1, 7), (0, 2, 9), (0, 5, 14), (1, 2, 10), (1, 3, 15), (2, 3, 11),
             (2, 5, 2), (3, 4, 6), (4, 5, 9)]
    both = edges + [(v, u, w) for u, v, w in edges]          # undirected road map
    adj = [[] for _ in range(6)]
    for u, v, w in both:
        adj[u].append((v, w))
    dist, parent = dijkstra(6, adj, 0)
    for t in range(6):
        print(f"A -> {names[t]}: {dist[t]:2d} via {'-'.join(names[x] for x in path_to(parent, t))}")
    assert dist == [0, 7, 9, 20, 20, 11]

    rng = random.Random(1959)
    for trial in range(200):
        n = rng.randint(1, 30)
        m = rng.randint(0, n * 4)
        es = [(rng.randrange(n), rng.randrange(n), rng.randint(0, 20)) for _ in range(m)]
        g = [[] for _ in range(n)]
        for u, v, w in es:
            g[u].append((v, w))
        fl = floyd(n, es)
        for s in range(min(n, 4)):
            st = {"settled": 0, "pushes": 0}
            d, par = dijkstra(n, g, s, st)
            assert d == bellman_ford(n, es, s) == fl[s]
            assert st["pushes"] <= len(es)   # at most one push per successful relaxation
            for t in range(n):               # the reconstructed path really has length d[t]
                if d[t] < INF:
                    p = path_to(par, t)
                    cost = sum(min(w for a, b, w in es if a == x and b == y) for x, y in zip(p, p[1:]))
                    assert p[0] == s and cost == d[t]
    print("200 random directed graphs (incl. zero weights, parallel edges, self loops):"
          " Dijkstra == Bellman-Ford == Floyd, paths verified")

    n, m = 20000, 100000
    g = [[] for _ in range(n)]
    for _ in range(m):
        g[rng.randrange(n)].append((rng.randrange(n), rng.randint(1, 100)))
    st = {"settled": 0, "pushes": 0}
    dijkstra(n, g, 0, st)
    print(f"V={n}, E={m}: settled {st['settled']} vertices, {st['pushes']} heap pushes"
          f" (lazy deletion: pushes <= E), O((V+E) log V)")

    # a negative edge breaks the greedy argument
    # A->B 2, A->C 5, C->B -4, B->D 1: B is settled (2) before C lowers it to 1,
    # so B's edge to D is never relaxed again and D keeps a stale distance
    neg = [(0, 1, 2), (0, 2, 5), (2, 1, -4), (1, 3, 1)]
    g = [[] for _ in range(4)]
    for u, v, w in neg:
        g[u].append((v, w))
    d, _ = dijkstra(4, g, 0)
    bf = bellman_ford(4, neg, 0)
    print(f"negative edge C->B=-4: Dijkstra says dist(D)={d[3]}, Bellman-Ford says {bf[3]} (correct)")
    assert d[3] == 3 and bf[3] == 2


if __name__ == "__main__":
    main()
