"""The knowledge graph as downloadable files: node-link JSON and GraphML. Pure: graph in, text out."""

from __future__ import annotations

import json

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
