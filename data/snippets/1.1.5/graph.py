# caption: 邻接表建图；BFS 求最少跳数、DFS 找连通分量与环、Kahn 拓扑排序，均与暴力方法随机对拍
# point: 图的构建与需求应用场景
import itertools
import random
from collections import deque


def build(n, edges, directed):
    """Adjacency list: adj[u] = list of neighbours. O(V + E) memory."""
    adj = [[] for _ in range(n)]
    for u, v in edges:
        adj[u].append(v)
        if not directed:
            adj[v].append(u)
    return adj


def bfs(adj, s):
    """Fewest edges from s to every vertex (-1 = unreachable); parent for the path."""
    dist, parent = [-1] * len(adj), [-1] * len(adj)
    dist[s] = 0
    q = deque([s])
    while q:
        u = q.popleft()
        for v in adj[u]:
            if dist[v] < 0:                  # first visit = shortest, since BFS goes level by level
                dist[v], parent[v] = dist[u] + 1, u
                q.append(v)
    return dist, parent


def components(adj):
    """Iterative DFS (no recursion limit) labelling connected components."""
    comp, c = [-1] * len(adj), 0
    for s in range(len(adj)):
        if comp[s] >= 0:
            continue
        stack = [s]
        comp[s] = c
        while stack:
            u = stack.pop()
            for v in adj[u]:
                if comp[v] < 0:
                    comp[v] = c
                    stack.append(v)
        c += 1
    return comp, c


def topo_sort(adj):
    """Kahn's algorithm; returns None if the directed graph has a cycle."""
    indeg = [0] * len(adj)
    for u in range(len(adj)):
        for v in adj[u]:
            indeg[v] += 1
    q = deque(u for u in range(len(adj)) if indeg[u] == 0)
    order = []
    while q:
        u = q.popleft()
        order.append(u)
        for v in adj[u]:
            indeg[v] -= 1
            if indeg[v] == 0:
                q.append(v)
    return order if len(order) == len(adj) else None


def has_cycle_dfs(adj):
    """Directed cycle check with 3 colours: an edge to a GREY vertex is a back edge."""
    WHITE, GREY, BLACK = 0, 1, 2
    color = [WHITE] * len(adj)
    for s in range(len(adj)):
        if color[s] != WHITE:
            continue
        stack = [(s, iter(adj[s]))]
        color[s] = GREY
        while stack:
            u, it = stack[-1]
            v = next(it, None)
            if v is None:
                color[u] = BLACK
                stack.pop()
            elif color[v] == GREY:
                return True
            elif color[v] == WHITE:
                color[v] = GREY
                stack.append((v, iter(adj[v])))
    return False


def main():
    # a tiny service-dependency graph: an edge u -> v means "u must start before v"
    names = ["config", "db", "cache", "auth", "order", "payment", "gateway"]
    deps = [(0, 1), (0, 2), (1, 3), (2, 3), (1, 4), (3, 4), (4, 5), (3, 6), (5, 6)]
    adj = build(len(names), deps, directed=True)
    order = topo_sort(adj)
    print("adjacency list:", {names[u]: [names[v] for v in adj[u]] for u in range(len(adj))})
    print("start order   :", " -> ".join(names[u] for u in order))
    pos = {u: i for i, u in enumerate(order)}
    assert all(pos[u] < pos[v] for u, v in deps)
    dist, parent = bfs(adj, 0)
    path, v = [], 6
    while v != -1:
        path.append(names[v])
        v = parent[v]
    print("fewest hops config -> gateway:", dist[6], "via", " -> ".join(reversed(path)))
    assert dist[6] == 3
    assert topo_sort(build(3, [(0, 1), (1, 2), (2, 0)], True)) is None

    rng = random.Random(11)
    for _ in range(300):
        n = rng.randint(1, 7)
        pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
        edges = rng.sample(pairs, rng.randint(0, len(pairs)))
        und = build(n, edges, directed=False)
        d, _ = bfs(und, 0)
        # brute force: shortest hop count by trying every simple path
        for t in range(n):
            best = -1
            for r in range(n):
                for mid in itertools.permutations([x for x in range(n) if x not in (0, t)], r):
                    p = (0,) + mid + ((t,) if t != 0 else ())
                    if all(b in und[a] for a, b in zip(p, p[1:])):
                        best = len(p) - 1 if best < 0 else min(best, len(p) - 1)
            assert d[t] == best
        comp, c = components(und)
        for u in range(n):              # same component <=> reachable
            du, _ = bfs(und, u)
            assert all((du[v] >= 0) == (comp[u] == comp[v]) for v in range(n))
        dg = build(n, edges, directed=True)
        order = topo_sort(dg)
        assert (order is None) == has_cycle_dfs(dg)
        if order is not None:
            pos = {u: i for i, u in enumerate(order)}
            assert all(pos[u] < pos[v] for u, v in edges)
    print("300 random graphs: BFS = brute-force shortest hops, DFS components = reachability,"
          " Kahn finds a cycle exactly when 3-colour DFS does")


if __name__ == "__main__":
    main()
