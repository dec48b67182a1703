"""Graph invariants on the real data, and the errors bad graph files must give."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from generator.ground.model import AtlasError, GraphSpec
from generator.inputs.graph import (
    build_graph,
    fringe,
    learning_path,
    lint,
    parse_concepts,
    parse_prerequisites,
    path_hours,
    path_to_goals,
    prerequisite_view,
    reduced,
    topic_node,
)
from generator.inputs.outline import parse_outline
from generator.outputs import export


def curated(g):
    return [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "prerequisite" and d["origin"] == "curated"]


def test_curated_edge_counts(atlas):
    g = atlas.graph
    edges = curated(g)
    assert len(edges) >= 80
    assert sum(g.nodes[u]["unit"] != g.nodes[v]["unit"] for u, v in edges) >= 30
    assert all(g.edges[e]["reason"] for e in edges)


@pytest.mark.parametrize("source, target", [
    ("1.1.3", "4.1.2"), ("1.1.2", "3.2.3"), ("1.1.2", "6.1.2"), ("1.1.2", "4.3.4"), ("2.1.1", "2.1.2"),
    ("2.1.2", "2.1.3"), ("2.1.2", "2.1.4"), ("2.2.2", "4.2.2"), ("1.1.4", "4.2.5"), ("1.1.4", "4.1.5"),
    ("8.2.1", "8.1.3"), ("3.3.3", "9.2.2"),
])
def test_named_edges(atlas, source, target):
    data = atlas.graph.edges[topic_node(source), topic_node(target)]
    assert data["kind"] == "prerequisite" and data["origin"] == "curated"


def test_contains_tree(atlas):
    g = atlas.graph
    contains = nx.DiGraph([(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "contains"])
    assert nx.is_tree(contains.to_undirected()) is False  # several units: a forest
    assert nx.is_forest(contains.to_undirected())
    assert sum(1 for n in g if n.startswith("point:")) == sum(len(t.points) for t in atlas.outline.topics)
    assert sum(1 for t in atlas.outline.topics if not t.supplement for _ in t.points) == 519
    assert all(contains.in_degree(n) == 1 for n in contains if not n.startswith("unit:"))


def test_prerequisites_are_a_dag_and_inferred_links_are_only_related(atlas):
    g = atlas.graph
    assert nx.is_directed_acyclic_graph(prerequisite_view(g))
    inferred = [(u, v, d) for u, v, d in g.edges(data=True) if d.get("origin") == "inferred"]
    assert inferred, "the concept lexicon should infer some related topics"
    assert all(d["kind"] == "related" for _, _, d in inferred)  # never a prerequisite
    assert all(d["origin"] == "curated" for _, _, d in prerequisite_view(g).edges(data=True))
    curated_pairs = {(e.source, e.target) for e in atlas.spec.prerequisites}
    assert not {(u[6:], v[6:]) for u, v, _ in inferred} & (curated_pairs | {(b, a) for a, b in curated_pairs})
    # the word "mysql" in a line about design patterns made them MySQL prerequisites once
    assert all(t not in learning_path(g, "4.1.5") for t in ("1.2.1", "1.2.2", "1.2.3", "2.1.3", "4.3.1"))


# What a track must never hold: topics that share a word with its goal but are not needed to reach it.
NEVER_IN_TRACK = {
    # units 10+ are the supplement: its topics are held to the same rule
    "mysql": ["1.2.1", "1.2.2", "1.2.3", "2.1.3", "4.3.1", "4.3.2", "4.2.1", "5.1.1", "6.1.1", "12.2.1", "10.2.2"],
    "redis": ["4.1.3", "4.1.4", "4.1.5", "1.2.1", "1.2.2", "4.3.1", "6.2.2", "11.2.1", "13.2.2", "10.1.1"],
    "network": ["4.1.1", "4.2.1", "4.3.1", "1.2.1", "8.2.1", "11.1.3", "13.2.2"],
    "kernel": ["4.1.1", "4.2.1", "4.3.1", "1.2.1", "9.2.1", "8.1.1", "7.2.0", "11.1.1", "12.2.2"],
    "architecture": ["1.2.2", "4.4.1", "5.3.4", "5.1.1", "10.1.1"],
    "components": ["4.1.5", "4.2.5", "4.3.1", "5.1.1", "8.2.1", "9.1.1", "11.1.3"],
}


@pytest.mark.parametrize("track_id", sorted(NEVER_IN_TRACK))
def test_tracks_hold_only_what_their_goals_need(atlas, track_id):
    track = next(t for t in atlas.spec.tracks if t.id == track_id)
    path = path_to_goals(atlas.graph, track.goals)
    assert set(track.goals) <= set(path)
    unexpected = [t for t in NEVER_IN_TRACK[track_id] if t in path]
    assert not unexpected, f"track {track_id} holds {unexpected}"


def test_lint_finds_redundant_edges_and_orphans():
    outline = parse_outline("1 A\n1.1 B\n1.1.1 C\n- x\n1.1.2 D\n- y\n1.1.3 E\n- z\n1.1.4 F\n- w\n", "s.txt")
    spec = GraphSpec(tuple(parse_prerequisites(
        "prerequisites:\n  - {from: 1.1.1, to: [1.1.2, 1.1.3], reason: r}\n  - {from: 1.1.2, to: 1.1.3, reason: r}\n",
        "p.yaml")))
    redundant, orphans = lint(build_graph(outline, spec))
    assert redundant == [("1.1.1", "1.1.3")] and orphans == ["1.1.4"]


def test_learning_path_is_a_valid_order(atlas):
    g = atlas.graph
    path = learning_path(g, "4.2.5")
    assert path[-1] == "4.2.5"
    position = {t: i for i, t in enumerate(path)}
    view = prerequisite_view(g)
    for t in path:
        for pred in view.predecessors(topic_node(t)):
            assert position[pred[6:]] < position[t]
    assert set(path) == {n[6:] for n in nx.ancestors(view, topic_node("4.2.5"))} | {"4.2.5"}


def test_path_hours_are_the_hours_written_in_the_topics():
    """A small graph whose hours are known by hand: unwritten topics (None) count nothing, halves add up."""
    spec = GraphSpec(tuple(parse_prerequisites(
        "prerequisites:\n  - {from: 1.1.1, to: 1.1.2, reason: r}\n  - {from: 1.1.2, to: 1.1.3, reason: r}\n",
        "p.yaml")))
    g = build_graph(OUTLINE, spec, {"1.1.1": 2.5, "1.1.3": 4})
    assert learning_path(g, "1.1.3") == ["1.1.1", "1.1.2", "1.1.3"]
    assert path_hours(g, ["1.1.1", "1.1.2", "1.1.3"]) == 6.5
    assert path_hours(g, ["1.1.2"]) == 0


def test_tracks_and_fringe(atlas):
    g = atlas.graph
    for track in atlas.spec.tracks:
        path = path_to_goals(g, track.goals)
        assert set(track.goals) <= set(path)
    first = fringe(g, [])
    assert "1.1.1" in first and "4.2.5" not in first
    assert "1.1.2" in fringe(g, ["1.1.1"])


def test_transitive_reduction_keeps_reachability(atlas):
    g = atlas.graph
    red = reduced(g)
    view = prerequisite_view(g)
    assert red.number_of_edges() < view.number_of_edges()
    assert nx.transitive_closure(red).edges == nx.transitive_closure(nx.DiGraph(view)).edges


def test_exports_read_back_as_the_same_graph(atlas, tmp_path):
    """Both downloads, read back with networkx, hold every node and edge with the attributes that carry data."""
    g = atlas.graph
    written = export.write_exports(g, tmp_path, lambda: "<svg/>")
    assert [p.name for p in written] == ["atlas.json", "atlas.graphml", "atlas-map.svg"]
    from_json = nx.node_link_graph(json.loads((tmp_path / "atlas.json").read_text(encoding="utf-8")), edges="links")
    from_graphml = nx.read_graphml(tmp_path / "atlas.graphml")
    for back in (from_json, from_graphml):
        assert set(back.nodes) == set(g.nodes) and set(back.edges) == set(g.edges)
        for n, data in g.nodes(data=True):
            assert {k: v for k, v in back.nodes[n].items()} == {k: v for k, v in data.items() if v is not None}, n
        for u, v, data in g.edges(data=True):
            assert back.edges[u, v] == {k: x for k, x in data.items() if x is not None}, (u, v)


OUTLINE = parse_outline("1 A\n1.1 B\n1.1.1 C\n- x\n1.1.2 D\n- y\n1.1.3 E\n- z\n", "s.txt")


def test_cycle_is_an_error_that_prints_the_cycle():
    text = ("prerequisites:\n  - {from: 1.1.1, to: 1.1.2, reason: a}\n  - {from: 1.1.2, to: 1.1.3, reason: b}\n"
            "  - {from: 1.1.3, to: 1.1.1, reason: c}\n")
    spec = GraphSpec(tuple(parse_prerequisites(text, "graph/prerequisites.yaml")))
    with pytest.raises(AtlasError) as err:
        build_graph(OUTLINE, spec)
    message = str(err.value)
    assert message.startswith("graph/prerequisites.yaml:")
    assert "cycle" in message and "1.1.1 → 1.1.2" in message and "1.1.3 → 1.1.1" in message


def test_unknown_topic_names_file_and_line():
    text = "prerequisites:\n  - {from: 1.1.1, to: 1.1.2, reason: a}\n  - {from: 1.1.1, to: 7.7.7, reason: b}\n"
    with pytest.raises(AtlasError) as err:
        build_graph(OUTLINE, GraphSpec(tuple(parse_prerequisites(text, "p.yaml"))))
    assert (err.value.path, err.value.line) == ("p.yaml", 3) and "7.7.7" in err.value.message


def test_inferred_edges_never_close_a_cycle():
    prereq = parse_prerequisites("prerequisites:\n  - {from: 1.1.2, to: 1.1.1, reason: a}\n", "p.yaml")
    concepts = parse_concepts("concepts:\n  - {id: x, name: X, taught_by: 1.1.1, terms: [y]}\n", "c.yaml")
    g = build_graph(OUTLINE, GraphSpec(tuple(prereq), tuple(concepts)))
    assert not g.has_edge("topic:1.1.1", "topic:1.1.2")  # would close 1.1.2 -> 1.1.1 -> 1.1.2
    assert nx.is_directed_acyclic_graph(prerequisite_view(g))


def test_bad_prerequisite_fields():
    with pytest.raises(AtlasError) as err:
        parse_prerequisites("prerequisites:\n  - {from: 1.1.1, to: 1.1.2}\n", "p.yaml")
    assert err.value.line == 2 and "reason" in err.value.message
    with pytest.raises(AtlasError) as err:
        parse_prerequisites("prerequisites:\n  - {from: redis, to: 1.1.2, reason: r}\n", "p.yaml")
    assert "topic id" in err.value.message


def test_unknown_topics_in_concepts_and_tracks_name_file_and_line():
    from generator.inputs.graph import parse_tracks
    concepts = parse_concepts("concepts:\n  - {id: x, name: X, taught_by: 1.1.1, terms: [a]}\n"
                              "  - {id: y, name: Y, taught_by: 4.4.4, terms: [b]}\n", "c.yaml")
    with pytest.raises(AtlasError) as err:
        build_graph(OUTLINE, GraphSpec(concepts=tuple(concepts)))
    assert (err.value.path, err.value.line) == ("c.yaml", 3)
    tracks = parse_tracks("tracks:\n  - {id: t, title: T, goals: [1.1.3, 9.9.9]}\n", "t.yaml")
    with pytest.raises(AtlasError) as err:
        build_graph(OUTLINE, GraphSpec(tracks=tuple(tracks)))
    assert (err.value.path, err.value.line) == ("t.yaml", 2) and "9.9.9" in err.value.message
