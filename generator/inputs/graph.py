"""The knowledge graph: graph/*.yaml + the outline -> a validated networkx DiGraph, and plain functions over it.

Node ids are typed: `unit:1`, `chapter:1.1`, `topic:1.1.1`, `point:1.1.1:3`. Edges carry `kind`
(`contains` or `prerequisite`); prerequisites also carry `origin` (`curated` or `inferred`) and `reason`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import networkx as nx

from ..ground.model import AtlasError, Concept, GraphSpec, Outline, PrefaceLink, PrerequisiteSpec, Track
from ..ground.yamldata import load, require


def topic_node(topic_id: str) -> str:
    return f"topic:{topic_id}"


def topic_hours(g: nx.DiGraph, topic_id: str) -> float | None:
    """The estimated hours of a written topic; None while it is unwritten."""
    return g.nodes[topic_node(topic_id)]["hours"]


def node_topic(node: str) -> str:
    return node.split(":", 1)[1]


# ---- reading graph/*.yaml ---------------------------------------------------------------------------------------

def _items(text: str, path: str, key: str) -> tuple[list, dict[int, int]]:
    data, lines = load(text, path)
    if data is None:
        return [], lines
    if not isinstance(data, dict) or not isinstance(data.get(key, []), list):
        raise AtlasError(path, 1, f"expected a mapping with a list `{key}`")
    return data.get(key) or [], lines


def _topic_id(value: object, path: str, line: int | None, field: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"\d+(\.\d+)+", text):
        raise AtlasError(path, line, f"`{field}` must be a topic id like 1.1.2, found {value!r}")
    return text


def parse_prerequisites(text: str, path: str) -> list[PrerequisiteSpec]:
    items, lines = _items(text, path, "prerequisites")
    result = []
    for item in items:
        at = lines.get(id(item))
        reason = require(item, "reason", str, path, at)
        targets = item.get("to")
        targets = targets if isinstance(targets, list) else [targets]
        source = _topic_id(item.get("from"), path, at, "from")
        for target in targets:
            result.append(PrerequisiteSpec(source, _topic_id(target, path, at, "to"), reason.strip(), "curated",
                                           path, at))
    return result


def parse_concepts(text: str, path: str) -> list[Concept]:
    items, lines = _items(text, path, "concepts")
    result = []
    for item in items:
        at = lines.get(id(item))
        terms = require(item, "terms", list, path, at)
        result.append(Concept(require(item, "id", str, path, at), require(item, "name", str, path, at),
                              _topic_id(item.get("taught_by"), path, at, "taught_by"),
                              tuple(str(t) for t in terms), path, at))
    return result


def parse_tracks(text: str, path: str) -> list[Track]:
    items, lines = _items(text, path, "tracks")
    result = []
    for item in items:
        at = lines.get(id(item))
        goals = require(item, "goals", list, path, at)
        result.append(Track(require(item, "id", str, path, at), require(item, "title", str, path, at),
                            tuple(_topic_id(g, path, at, "goals") for g in goals),
                            str(item.get("description", "")).strip(), path, at))
    return result


def parse_preface_links(text: str, path: str) -> list[PrefaceLink]:
    items, lines = _items(text, path, "preface")
    result = []
    for item in items:
        at = lines.get(id(item))
        topics = require(item, "topics", list, path, at)
        result.append(PrefaceLink(require(item, "section", str, path, at), require(item, "item", int, path, at),
                                  tuple(_topic_id(t, path, at, "topics") for t in topics), path, at))
    return result


# ---- building ---------------------------------------------------------------------------------------------------

def build_graph(outline: Outline, spec: GraphSpec, hours: dict[str, float] | None = None) -> nx.DiGraph:
    """Outline tree + curated prerequisites (checked) + `related` edges inferred from the concept lexicon (never
    where a curated edge already joins the two topics)."""
    hours = hours or {}
    topic_order = {t.id: i for i, t in enumerate(outline.topics)}
    g = nx.DiGraph()
    for order, unit in enumerate(outline.units):
        g.add_node(f"unit:{unit.id}", kind="unit", label=unit.title, unit=unit.id, order=order,
                   supplement=unit.supplement)
        for chapter in unit.chapters:
            g.add_node(f"chapter:{chapter.id}", kind="chapter", label=chapter.title, unit=unit.id)
            g.add_edge(f"unit:{unit.id}", f"chapter:{chapter.id}", kind="contains")
            for topic in chapter.topics:
                node = topic_node(topic.id)
                g.add_node(node, kind="topic", label=topic.title, unit=unit.id, chapter=chapter.id,
                           order=topic_order[topic.id], hours=hours.get(topic.id, 0.0), supplement=topic.supplement)
                g.add_edge(f"chapter:{chapter.id}", node, kind="contains")
                for point in topic.points:
                    pnode = f"point:{topic.id}:{point.index}"
                    g.add_node(pnode, kind="point", label=point.title, unit=unit.id)
                    g.add_edge(node, pnode, kind="contains")
    known = {t.id for t in outline.topics}
    for edge in spec.prerequisites:
        for end in (edge.source, edge.target):
            if end not in known:
                raise AtlasError(edge.path, edge.line, f"unknown topic {end} in a prerequisite")
        if edge.source == edge.target:
            raise AtlasError(edge.path, edge.line, f"topic {edge.source} cannot be its own prerequisite")
        u, v = topic_node(edge.source), topic_node(edge.target)
        if g.has_edge(u, v):
            raise AtlasError(edge.path, edge.line, f"prerequisite {edge.source} → {edge.target} is listed twice")
        g.add_edge(u, v, kind="prerequisite", origin="curated", reason=edge.reason, source_file=edge.path,
                   source_line=edge.line or 0)
    _check_acyclic(g)
    for concept in spec.concepts:
        if concept.taught_by not in known:
            raise AtlasError(concept.path, concept.line, f"concept {concept.id}: unknown topic {concept.taught_by}")
    for edge in infer_prerequisites(outline, spec.concepts):
        u, v = topic_node(edge.source), topic_node(edge.target)
        if g.has_edge(u, v) or g.has_edge(v, u):
            continue
        # A shared word is a hint, not a dependency: shown as a related topic, never in paths, tracks or hours.
        g.add_edge(u, v, kind="related", origin="inferred", reason=edge.reason, source_file="", source_line=0)
    for track in spec.tracks:
        for goal in track.goals:
            if goal not in known:
                raise AtlasError(track.path, track.line, f"track {track.id}: unknown topic {goal}")
    return nx.freeze(g)


def infer_prerequisites(outline: Outline, concepts: Iterable[Concept]) -> list[PrerequisiteSpec]:
    """A topic whose syllabus text names a concept taught by another topic depends on that topic."""
    texts = {t.id: " ".join([t.title, *(p.title for p in t.points)]).lower() for t in outline.topics}
    result = []
    for concept in sorted(concepts, key=lambda c: c.id):
        for topic_id, text in texts.items():
            if topic_id == concept.taught_by:
                continue
            hit = next((term for term in concept.terms if term.lower() in text), None)
            if hit:
                reason = f"用到“{concept.name}”（出现“{hit}”），该概念在 {concept.taught_by} 讲授"
                result.append(PrerequisiteSpec(concept.taught_by, topic_id, reason, "inferred"))
    return result


def _check_acyclic(g: nx.DiGraph) -> None:
    view = prerequisite_view(g)
    try:
        cycle = nx.find_cycle(view)
    except nx.NetworkXNoCycle:
        return
    steps = []
    for u, v in cycle:
        data = g.edges[u, v]
        steps.append(f"{node_topic(u)} → {node_topic(v)} ({data['source_file']}:{data['source_line']})")
    first = g.edges[cycle[0][0], cycle[0][1]]
    raise AtlasError(first["source_file"], first["source_line"],
                     "prerequisites form a cycle: " + "; ".join(steps))


# ---- derived views (pure functions over the graph) -------------------------------------------------------------

def prerequisite_view(g: nx.DiGraph) -> nx.DiGraph:
    """Topics and prerequisite edges only."""
    return nx.subgraph_view(g, filter_node=lambda n: n.startswith("topic:"),
                            filter_edge=lambda u, v: g.edges[u, v]["kind"] == "prerequisite")


def _cached(g: nx.DiGraph, key: str, make):
    """Derived graphs are made once per finished (frozen) graph: walking a filtered view is slow, and every page
    asks for paths. A graph still being built gets a fresh one each time."""
    if not nx.is_frozen(g):
        return make()
    if key not in g.graph:
        g.graph[key] = make()
    return g.graph[key]


def prerequisites(g: nx.DiGraph) -> nx.DiGraph:
    """A concrete copy of the prerequisite view."""
    return _cached(g, "_prerequisites", lambda: nx.DiGraph(prerequisite_view(g)))


def _ordered(g: nx.DiGraph, nodes: Iterable[str]) -> list[str]:
    """Topological order of `nodes`, ties broken by syllabus order, so paths are stable and read naturally."""
    sub = prerequisites(g).subgraph(nodes)
    return list(nx.lexicographical_topological_sort(sub, key=lambda n: g.nodes[n]["order"]))


def learning_path(g: nx.DiGraph, topic_id: str) -> list[str]:
    """Every topic to learn before `topic_id`, in a valid order, ending with the topic itself (topic ids)."""
    node = topic_node(topic_id)
    nodes = nx.ancestors(prerequisites(g), node) | {node}
    return [node_topic(n) for n in _ordered(g, nodes)]


def path_to_goals(g: nx.DiGraph, goals: Iterable[str]) -> list[str]:
    view = prerequisites(g)
    nodes: set[str] = set()
    for goal in goals:
        nodes |= nx.ancestors(view, topic_node(goal)) | {topic_node(goal)}
    return [node_topic(n) for n in _ordered(g, nodes)]


def path_hours(g: nx.DiGraph, topic_ids: Iterable[str]) -> float:
    return round(sum(g.nodes[topic_node(t)]["hours"] for t in topic_ids), 1)


def prerequisites_of(g: nx.DiGraph, topic_id: str) -> list[tuple[str, dict]]:
    """Direct prerequisites with their edge data, in syllabus order."""
    view = prerequisites(g)
    preds = sorted(view.predecessors(topic_node(topic_id)), key=lambda n: g.nodes[n]["order"])
    return [(node_topic(n), g.edges[n, topic_node(topic_id)]) for n in preds]


def unlocks(g: nx.DiGraph, topic_id: str) -> list[tuple[str, dict]]:
    """Topics that list this one as a direct prerequisite, in syllabus order."""
    view = prerequisites(g)
    succs = sorted(view.successors(topic_node(topic_id)), key=lambda n: g.nodes[n]["order"])
    return [(node_topic(n), g.edges[topic_node(topic_id), n]) for n in succs]


def reduced(g: nx.DiGraph) -> nx.DiGraph:
    """Transitive reduction of the prerequisite graph: the edges worth drawing."""

    def make() -> nx.DiGraph:
        view = prerequisites(g)
        result = nx.transitive_reduction(view)
        result.add_nodes_from(view.nodes(data=True))
        for u, v in result.edges:
            result.edges[u, v].update(g.edges[u, v])
        return result

    return _cached(g, "_reduced", make)


def fringe(g: nx.DiGraph, learned: Iterable[str]) -> list[str]:
    """Topics not yet learned whose prerequisites are all learned: what to study next."""
    done = {topic_node(t) for t in learned}
    view = prerequisites(g)
    ready = [n for n in view if n not in done and all(p in done for p in view.predecessors(n))]
    return [node_topic(n) for n in sorted(ready, key=lambda n: g.nodes[n]["order"])]


def related(g: nx.DiGraph, topic_id: str) -> list[tuple[str, dict]]:
    """Topics the concept lexicon links to this one (either direction), in syllabus order: worth a look, not
    required before or after."""
    node = topic_node(topic_id)
    links = [(v, g.edges[node, v]) for v in g.successors(node) if g.edges[node, v]["kind"] == "related"]
    links += [(u, g.edges[u, node]) for u in g.predecessors(node) if g.edges[u, node]["kind"] == "related"]
    return [(node_topic(n), d) for n, d in sorted(links, key=lambda x: g.nodes[x[0]]["order"])]


def lint(g: nx.DiGraph) -> tuple[list[tuple[str, str]], list[str]]:
    """Curated edges a longer path already implies (redundant for learning order, though their reason may still
    be worth reading), and topics with no prerequisite and no dependant (orphans)."""
    view = prerequisites(g)
    red = reduced(g)
    redundant = sorted((node_topic(u), node_topic(v)) for u, v in view.edges if not red.has_edge(u, v))
    orphans = [node_topic(n) for n in sorted(view, key=lambda n: g.nodes[n]["order"]) if view.degree(n) == 0]
    return redundant, orphans


def neighbourhood(g: nx.DiGraph, topic_id: str, radius: int = 2) -> nx.DiGraph:
    """Prerequisites and unlocks up to `radius` steps away, on the reduced graph (for the small maps)."""
    red = reduced(g)
    centre = topic_node(topic_id)
    keep = {centre}
    frontier_up, frontier_down = {centre}, {centre}
    for _ in range(radius):
        frontier_up = {p for n in frontier_up for p in red.predecessors(n)}
        frontier_down = {s for n in frontier_down for s in red.successors(n)}
        keep |= frontier_up | frontier_down
    return red.subgraph(keep).copy()
