"""The interactive topic map: a pyvis network with positions computed here, embedded in a site page.

Physics is off and every position is computed in Python: each unit is a region of its own (a block of its topics,
prerequisites flowing left to right inside it by their depth within the unit), and the blocks are packed in rows in
syllabus order, so the map is about as wide as a screen, the same input always gives the same picture and the
browser draws it at once. Colours are chosen by the page's script, which knows the reader's palette.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
from pyvis.network import Network

from ..atlas import Atlas
from ..ground.markup import attr, plain
from ..inputs.graph import node_topic, prerequisites, reduced
from ..views.style import SUPPLEMENT, pinyin_keys, shorten, unit_colour
from ..views.topicview import topic_view

X_STEP, Y_STEP = 200, 56          # one depth step, one row inside a unit's block
MAX_ROWS = 6                      # a depth column taller than this wraps into another column
GAP_X, GAP_Y, PAD, HEAD = 110, 90, 30, 56  # between blocks; a region's padding and the band for its title
ASPECT = 1.7                      # the packed map's width : height, about a landscape screen's
TOOLTIP_SUMMARY = 110             # characters of the summary in a node's hover text


@dataclass(frozen=True)
class Layout:
    positions: dict[str, tuple[int, int]]          # graph node id -> centre
    regions: dict[str, tuple[int, int, int, int]]  # unit id -> (left, top, right, bottom) around its topics


def _unit_block(red: nx.DiGraph, g: nx.DiGraph, members: list[str]) -> dict[str, tuple[int, int]]:
    """Positions inside one unit, from (0, 0): x by depth within the unit, a column at most MAX_ROWS tall."""
    sub = red.subgraph(members)
    depth: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(sub, key=lambda n: g.nodes[n]["order"]):
        depth[node] = max((depth[p] + 1 for p in sub.predecessors(node)), default=0)
    columns: list[list[str]] = []
    for d in sorted(set(depth.values())):
        cell = [n for n in members if depth[n] == d]  # members come in syllabus order
        columns += [cell[i:i + MAX_ROWS] for i in range(0, len(cell), MAX_ROWS)]
    height = max(len(c) for c in columns)
    return {node: (x * X_STEP, (height - len(col)) * Y_STEP // 2 + y * Y_STEP)
            for x, col in enumerate(columns) for y, node in enumerate(col)}


def layout(g: nx.DiGraph) -> Layout:
    """Deterministic positions: one block per unit, blocks packed into rows about ASPECT times wider than tall."""
    red = reduced(g)
    members: dict[str, list[str]] = defaultdict(list)
    for node in sorted(red, key=lambda n: g.nodes[n]["order"]):
        members[g.nodes[node]["unit"]].append(node)
    units = sorted(members, key=lambda u: (0, int(u)) if u.isdigit() else (1, u))
    blocks = {u: _unit_block(red, g, members[u]) for u in units}
    size = {u: (max(x for x, _ in b.values()) + X_STEP, max(y for _, y in b.values()) + Y_STEP)
            for u, b in blocks.items()}
    area = sum((w + GAP_X) * (h + GAP_Y + HEAD) for w, h in size.values())
    row_width = max(max(w for w, _ in size.values()), math.sqrt(area * ASPECT))
    positions: dict[str, tuple[int, int]] = {}
    regions: dict[str, tuple[int, int, int, int]] = {}
    x = top = row_height = 0
    for unit in units:
        w, h = size[unit]
        if x and x + w > row_width:
            x, top, row_height = 0, top + row_height + GAP_Y, 0
        for node, (bx, by) in blocks[unit].items():
            positions[node] = (x + bx, top + HEAD + by)
        left, right = x - X_STEP // 2 - PAD, x + w - X_STEP // 2 + PAD
        regions[unit] = (left, top - PAD, right, top + HEAD + h - Y_STEP // 2 + PAD)
        x += w + GAP_X
        row_height = max(row_height, HEAD + h)
    return Layout(positions, regions)


def _hover(atlas: Atlas, topic_id: str) -> str:
    """Plain text (the map shows it as text, never as HTML): what the topic page and the PDF say, in short."""
    view = topic_view(atlas, topic_id)
    hours = f"{view.hours:g} 小时" if view.hours else "尚未撰写"
    lines = [f"{topic_id} {view.topic.title}", view.content.title_en if view.content else "",
             f"{view.chapter.id} {view.chapter.title} · {hours}",
             plain(view.content.summary, TOOLTIP_SUMMARY) if view.content else ""]
    return "\n".join(x for x in lines if x)


def network(atlas: Atlas, physics: bool = False) -> Network:
    """The pyvis network: topics as boxes, reduced prerequisites as arrows; node ids are the graph's node ids."""
    g = atlas.graph
    red = reduced(g)
    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    positions = layout(g).positions if not physics else {}
    for node in sorted(red, key=lambda n: g.nodes[n]["order"]):
        data = g.nodes[node]
        options = {"x": positions[node][0], "y": positions[node][1], "physics": False} if positions else {}
        net.add_node(node, label=f"{node_topic(node)}\n{shorten(data['label'], 12)}",
                     title=_hover(atlas, node_topic(node)), shape="box", color=unit_colour(data["unit"]), **options)
    for u, v in sorted(red.edges):
        net.add_edge(u, v, arrows="to", cross=g.nodes[u]["unit"] != g.nodes[v]["unit"])
    return net


def map_data(atlas: Atlas, href_prefix: str = "topics/") -> dict:
    """Everything the map's script needs, as plain JSON: vis nodes and edges, unit regions, search and path data."""
    g = atlas.graph
    net = network(atlas)
    full = prerequisites(g)
    topics = {}
    for node in net.nodes:
        node_id = node["id"]
        data = g.nodes[node_id]
        topic_id = node_topic(node_id)
        content = atlas.contents.get(topic_id)
        pinyin, initials = pinyin_keys(data["label"])
        topics[node_id] = {
            "id": topic_id, "title": data["label"], "en": content.title_en if content else "",
            "hours": data["hours"], "written": content is not None, "unit": data["unit"],
            "href": f"{href_prefix}{topic_id}.html", "pinyin": pinyin, "initials": initials, "order": data["order"],
            "prereqs": sorted(full.predecessors(node_id)),
        }
    regions = layout(g).regions
    units = []
    for n in sorted((n for n in g if g.nodes[n].get("kind") == "unit"), key=lambda n: g.nodes[n]["order"]):
        unit_id = g.nodes[n]["unit"]
        in_unit = [t for t in topics.values() if t["unit"] == unit_id]
        units.append({"id": unit_id, "title": g.nodes[n]["label"], "colour": unit_colour(unit_id),
                      "region": regions.get(unit_id), "topics": len(in_unit),
                      "mark": SUPPLEMENT if g.nodes[n].get("supplement") else "",
                      "written": sum(t["written"] for t in in_unit)})
    nodes = [{k: n[k] for k in ("id", "label", "title", "x", "y")} for n in net.nodes]
    edges = [{k: e[k] for k in ("from", "to", "cross")} for e in net.edges]
    return {"nodes": nodes, "edges": edges, "topics": topics, "units": units}


def script_json(data: dict) -> str:
    """JSON that is safe inside a <script> element: no `</script>`, no HTML comment openers."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# Opened from disk there is no download to wait for, so the map's scripts run as the page is read and it is drawn
# before the theme's own scripts; over the network they load without holding up the first paint, in order.
_LOADER = ("""["assets/vendor/vis-network/vis-network.min.js", "assets/topicmap.js"].forEach(function (src) {"""
           """ if (location.protocol === "file:") {"""
           """ document.write('<script src="' + src + '"><\\/script>'); return; }"""
           """ var s = document.createElement("script"); s.src = src; s.async = false;"""
           """ document.head.appendChild(s); });""")


def _unit_filters(units: list[dict]) -> str:
    """One checkbox per unit, its colour swatch inside its own label; `id="unit-N"` is what map.html#unit-N opens."""
    return "\n".join(
        f'<label class="atlas-map-unit" id="unit-{attr(u["id"])}"><input type="checkbox" checked '
        f'data-unit="{attr(u["id"])}"><span class="atlas-map-swatch" style="background: {u["colour"]}"></span>'
        f'<span>{attr(u["id"])} {attr(u["title"])}</span>'
        + (f' <span class="atlas-supplement">{attr(u["mark"])}</span>' if u["mark"] else "")
        + f'<span class="atlas-map-count">{u["written"]}/{u["topics"]}'
        "</span></label>" for u in units if u["region"])


def map_page(atlas: Atlas) -> str:
    """The Markdown page (raw HTML inside) that hosts the map, full width; scripts are vendored files in the site.

    How its two scripts load depends on where the page comes from (see _LOADER)."""
    data = map_data(atlas)
    return f"""---
title: 知识地图
description: 全部主题与前置关系的交互地图：按单元分区，可搜索（中文、英文、拼音），选中主题即列出完整学习路径与学时。
hide:
  - navigation
  - toc
---

# 知识地图

<div class="atlas-map-controls">
<input id="atlas-map-search" type="search" placeholder="搜索主题：中文、英文或拼音" autocomplete="off"
  aria-label="搜索主题（中文、英文或拼音首字母，如 hhs）">
<label><input id="atlas-map-open" type="checkbox" checked> 点击节点时打开主题页</label>
</div>
<details class="atlas-map-filter" id="atlas-map-filter" open><summary>单元：勾选显示或隐藏，图随之重新取景</summary>
<div id="atlas-map-units" class="atlas-map-units" role="group" aria-label="显示或隐藏单元">
{_unit_filters(data["units"])}
</div>
</details>
<script>if (matchMedia("(max-width: 700px)").matches) document.getElementById("atlas-map-filter").open = false;</script>
<div id="atlas-map-results" class="atlas-map-results" aria-live="polite"></div>
<div class="atlas-map-frame">
<div id="atlas-map" class="atlas-map" data-label="知识地图：方向键平移，加号和减号缩放，0 显示全图；Tab 离开"></div>
<div class="atlas-map-zoom">
<button type="button" id="atlas-map-zoom-in" aria-label="放大" title="放大（+）">+</button>
<button type="button" id="atlas-map-zoom-out" aria-label="缩小" title="缩小（-）">−</button>
<button type="button" id="atlas-map-fit" aria-label="显示全图" title="显示全图（0）">全图</button>
</div>
</div>
<p class="atlas-map-legend">每个色块是一个单元；远看显示单元名，放大后显示主题名，点击单元区域放大到该单元。
深色方块为已撰写的主题，浅色方块为尚未撰写的主题。箭头从前置指向后续（已做传递归约）；跨单元的箭头平时淡显，选中主题后突出它的整条前置链与后续。
键盘：方向键平移，<kbd>+</kbd>/<kbd>-</kbd> 缩放，<kbd>0</kbd> 显示全图。</p>
<div id="atlas-map-panel" class="atlas-map-panel" aria-live="polite">
选中一个主题（搜索，或取消“点击节点时打开主题页”后点击节点），
这里会列出它的完整学习路径和学时；图中高亮它的全部前置和后续。</div>

<noscript>没有 JavaScript 时可以看<a href="graph/atlas-map.svg">静态全图</a>。</noscript>

也可以下载[静态全图](graph/atlas-map.svg)或图谱数据（[JSON](graph/atlas.json)、[GraphML](graph/atlas.graphml)）。

<script id="atlas-map-data" type="application/json">{script_json(data)}</script>
<script>{_LOADER}</script>
"""
