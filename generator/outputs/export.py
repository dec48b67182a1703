"""The knowledge graph as downloadable files: node-link JSON and GraphML (pure), and writing them with a map."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx


def _plain(g: nx.DiGraph) -> nx.DiGraph:
    """A copy whose attribute values are all str/int/float, which both formats can carry."""
    out = nx.DiGraph()
    for n, data in sorted(g.nodes(data=True)):
        out.add_node(n, **{k: v for k, v in sorted(data.items()) if v is not None})
    for u, v, data in sorted(g.edges(data=True)):
        out.add_edge(u, v, **{k: v for k, v in sorted(data.items()) if v is not None})
    return out


def to_json(g: nx.DiGraph) -> str:
    data = nx.node_link_data(_plain(g), edges="links")
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def to_graphml(g: nx.DiGraph) -> str:
    return "\n".join(nx.generate_graphml(_plain(g))) + "\n"


def write_exports(g: nx.DiGraph, out: Path, map_svg: Callable[[], str]) -> list[Path]:
    """`atlas export`: the graph as JSON and GraphML and the whole map as SVG, into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"atlas.json": to_json(g), "atlas.graphml": to_graphml(g), "atlas-map.svg": map_svg()}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]
