"""The interactive topic map: a pyvis network with positions computed here, embedded in a site page.

Physics is off and every position is computed in Python: prerequisites flow left to right (x is the topic's depth
in the reduced prerequisite graph) and each unit owns a horizontal band (units as regions), so the same input
always gives the same picture and the browser draws it at once.
"""

from __future__ import annotations

import json
from collections import defaultdict

import networkx as nx
from pyvis.network import Network

from ..atlas import Atlas
from ..inputs.graph import node_topic, prerequisites, reduced
from ..views.style import pinyin_keys, shorten, unit_colour
from ..views.topicview import topic_view

X_STEP, Y_STEP, BAND_GAP = 190, 50, 90


def layout(g: nx.DiGraph) -> dict[str, tuple[int, int]]:
    """Deterministic positions: depth (longest prerequisite chain) on x, one band per unit on y.

    Inside a band, topics of one depth stand in syllabus order, so a chapter's topics sit together. Each band's
    label gets the key `unit:<id>`, placed left of the band.
    """
    red = reduced(g)
    depth: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(red, key=lambda n: g.nodes[n]["order"]):
        depth[node] = max((depth[p] + 1 for p in red.predecessors(node)), default=0)
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    for node in sorted(red, key=lambda n: g.nodes[n]["order"]):
        cells[(g.nodes[node]["unit"], depth[node])].append(node)
    units = sorted({g.nodes[n]["unit"] for n in red}, key=lambda u: int(u) if u.isdigit() else 0)
    positions: dict[str, tuple[int, int]] = {}
    top = 0
    for unit in units:
        height = max(len(v) for (u, _), v in cells.items() if u == unit)
        for (u, d), nodes in sorted(cells.items()):
            if u != unit:
                continue
            offset = (height - len(nodes)) * Y_STEP // 2
            for i, node in enumerate(nodes):
                positions[node] = (d * X_STEP, top + offset + i * Y_STEP)
        positions[f"unit:{unit}"] = (-2 * X_STEP, top + (height - 1) * Y_STEP // 2)
        top += height * Y_STEP + BAND_GAP
    return positions


def network(atlas: Atlas, physics: bool = False) -> Network:
    """The pyvis network: topics as nodes coloured by unit, reduced prerequisites as arrows."""
    g = atlas.graph
    red = reduced(g)
    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    positions = layout(g) if not physics else {}
    for node in sorted(red, key=lambda n: g.nodes[n]["order"]):
        data = g.nodes[node]
        topic_id = node_topic(node)
        view = topic_view(atlas, topic_id)  # the hover says what the topic page and the PDF say
        hours = f"{view.hours:g} 小时" if view.hours else "尚未撰写"
        hover = "\n".join(x for x in [f"{topic_id} {view.topic.title}", view.content.title_en if view.content else "",
                                       f"{view.chapter.id} {view.chapter.title} · {hours}",
                                       view.content.summary if view.content else ""] if x)
        options = {"x": positions[node][0], "y": positions[node][1], "physics": False} if positions else {}
        net.add_node(topic_id, label=f"{topic_id}\n{shorten(data['label'], 12)}", title=hover, shape="box",
                     color=unit_colour(data["unit"]), font={"color": "#ffffff", "size": 13},
                     **options)
    for node in sorted((n for n in g if g.nodes[n].get("kind") == "unit"), key=lambda n: g.nodes[n]["order"]):
        if node in positions:  # the band's label: plain text, not a topic
            unit_id = g.nodes[node]["unit"]
            net.add_node(node, label=f"{unit_id} {shorten(g.nodes[node]['label'], 10)}", shape="text",
                         x=positions[node][0], y=positions[node][1], physics=False,
                         font={"color": unit_colour(unit_id), "size": 44, "face": "sans-serif", "align": "right"})
    for u, v in sorted(red.edges):
        cross = g.nodes[u]["unit"] != g.nodes[v]["unit"]
        net.add_edge(node_topic(u), node_topic(v), arrows="to", width=2 if cross else 1,
                     color="#d32f2f" if cross else "#9e9e9e", cross=cross)
    return net


def map_data(atlas: Atlas, href_prefix: str = "topics/") -> dict:
    """Everything the map's script needs, as plain JSON: vis nodes and edges plus search and path data."""
    g = atlas.graph
    net = network(atlas)
    full = prerequisites(g)
    topics = {}
    for node in net.nodes:
        topic_id = node["id"]
        if topic_id.startswith("unit:"):
            continue
        data = g.nodes[f"topic:{topic_id}"]
        content = atlas.contents.get(topic_id)
        pinyin, initials = pinyin_keys(data["label"])
        topics[topic_id] = {
            "title": data["label"], "en": content.title_en if content else "", "hours": data["hours"],
            "unit": data["unit"], "href": f"{href_prefix}{topic_id}.html", "pinyin": pinyin, "initials": initials,
            "order": data["order"],
            "prereqs": sorted(node_topic(p) for p in full.predecessors(f"topic:{topic_id}")),
        }
    units = [{"id": g.nodes[n]["unit"], "title": g.nodes[n]["label"], "colour": unit_colour(g.nodes[n]["unit"])}
             for n in sorted((n for n in g if g.nodes[n].get("kind") == "unit"), key=lambda n: g.nodes[n]["order"])]
    return {"nodes": net.nodes, "edges": net.edges, "topics": topics, "units": units}


def script_json(data: dict) -> str:
    """JSON that is safe inside a <script> element: no `</script>`, no HTML comment openers."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_page(atlas: Atlas) -> str:
    """The Markdown page (raw HTML inside) that hosts the map; scripts are vendored files in the site."""
    return f"""---
title: 知识地图
hide:
  - toc
---

# 知识地图

<div class="atlas-map-controls">
<input id="atlas-map-search" type="search" placeholder="搜索主题：中文、英文或拼音（如 hhs）" autocomplete="off">
<label><input id="atlas-map-open" type="checkbox" checked> 点击节点时打开主题页</label>
<span id="atlas-map-units"></span>
</div>
<div id="atlas-map-results" class="atlas-map-results"></div>
<div id="atlas-map" class="atlas-map"></div>
<div id="atlas-map-panel" class="atlas-map-panel">选中一个主题（搜索，或取消“点击节点时打开主题页”后点击节点），
这里会列出它的完整学习路径和学时；图中高亮它的全部前置和后续。</div>

<noscript>没有 JavaScript 时可以看<a href="graph/atlas-map.svg">静态全图</a>。</noscript>

颜色表示单元，箭头从前置主题指向后续主题（已做传递归约），红色箭头跨单元。
也可以下载[静态全图](graph/atlas-map.svg)或图谱数据（[JSON](graph/atlas.json)、[GraphML](graph/atlas.graphml)）。

<script src="assets/vendor/vis-network/vis-network.min.js"></script>
<script id="atlas-map-data" type="application/json">{script_json(map_data(atlas))}</script>
<script src="assets/topicmap.js"></script>
"""
