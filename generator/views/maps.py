"""Static SVG maps drawn by Graphviz: each topic's neighbourhood, and the whole prerequisite map.

They work without JavaScript and print, so the PDF and readers without scripts see the same relations.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import networkx as nx

from ..ground.markup import attr
from ..inputs.graph import neighbourhood, node_topic, reduced, topic_node
from .diagrams import inline_svg
from .paths import html_link, topic_page
from .style import shorten, unit_colour


def _escape(text: str) -> str:
    """Text inside a dot double-quoted string: backslashes and quotes escaped, newlines kept out."""
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _q(text: str) -> str:
    return f'"{_escape(text)}"'


def _label(g: nx.DiGraph, node: str, width: int = 10) -> str:
    return f"{node_topic(node)}\\n" + _escape(shorten(g.nodes[node]["label"], width))


def _wrapped(title: str, width: int = 12, lines: int = 3) -> list[str]:
    """A title broken into lines of about `width` columns (a CJK character counts two), never inside an ASCII
    word; cut with an ellipsis only past `lines` lines."""
    tokens = re.findall(r"[A-Za-z0-9_.+#/-]+|\s+|.", title)
    result, line = [], ""
    for token in tokens:
        cols = sum(2 if ord(c) > 0x2E7F else 1 for c in line + token)
        if line.strip() and cols > width:
            result.append(line.strip())
            line = token.lstrip()
        else:
            line += token
    result.append(line.strip())
    result = [x for x in result if x]
    return result if len(result) <= lines else result[: lines - 1] + [shorten("".join(result[lines - 1:]), width // 2)]


def neighbourhood_dot(g: nx.DiGraph, topic_id: str, href: Callable[[str], str] | None) -> str:
    """The neighbourhood as dot; nodes link to `href(topic_id)` when given (the site's picture has no links: it is
    an image for screen readers, and the list under it carries the links)."""
    sub = neighbourhood(g, topic_id)
    centre = topic_node(topic_id)
    lines = ["digraph N {", "rankdir=TB; bgcolor=transparent; nodesep=0.25; ranksep=0.35;",
             'node [shape=box style="rounded,filled" fontsize=10 fontcolor=white margin="0.08,0.04"];',
             "edge [color=\"#888888\" arrowsize=0.6];"]
    for n in sorted(sub, key=lambda n: g.nodes[n]["order"]):
        data = g.nodes[n]
        extra = " penwidth=3 color=black" if n == centre else ""
        label = "\\n".join([node_topic(n)] + [_escape(x) for x in _wrapped(data["label"])])
        link = f' URL={_q(href(node_topic(n)))} tooltip={_q(node_topic(n) + " " + data["label"])}' if href else ""
        lines.append(f'{_q(n)} [label="{label}" fillcolor="{unit_colour(data["unit"])}"{link}{extra}];')
    for u, v in sorted(sub.edges):
        lines.append(f"{_q(u)} -> {_q(v)};")
    lines.append("}")
    return "\n".join(lines)


def whole_map_dot(g: nx.DiGraph, href: Callable[[str], str] | None = None) -> str:
    """Every topic, grouped in one cluster per unit, with the reduced prerequisite edges."""
    red = reduced(g)
    lines = ["digraph Atlas {", "rankdir=LR; bgcolor=white; nodesep=0.12; ranksep=0.6; newrank=true;",
             'node [shape=box style="rounded,filled" fontsize=9 fontcolor=white margin="0.06,0.03"];',
             'edge [color="#9e9e9e" arrowsize=0.5];']
    units = [n for n in g if g.nodes[n].get("kind") == "unit"]
    for u in sorted(units, key=lambda n: g.nodes[n]["order"]):
        uid = g.nodes[u]["unit"]
        lines.append(f"subgraph cluster_{uid} {{ label={_q(uid + ' ' + g.nodes[u]['label'])}; "
                     f'color="{unit_colour(uid)}"; fontcolor="{unit_colour(uid)}"; fontsize=12;')
        for n in sorted((n for n in red if g.nodes[n]["unit"] == uid), key=lambda n: g.nodes[n]["order"]):
            url = f" URL={_q(href(node_topic(n)))}" if href else ""
            lines.append(f'  {_q(n)} [label="{_label(g, n, 8)}" fillcolor="{unit_colour(uid)}"{url} '
                         f'tooltip={_q(node_topic(n) + " " + g.nodes[n]["label"])}];')
        lines.append("}")
    for u, v in sorted(red.edges):
        cross = g.nodes[u]["unit"] != g.nodes[v]["unit"]
        lines.append(f"{_q(u)} -> {_q(v)}" + (' [color="#d32f2f" penwidth=1.2];' if cross else ";"))
    lines.append("}")
    return "\n".join(lines)


def neighbourhood_svgs(g: nx.DiGraph, topic_ids: list[str], render: Callable[..., str]) -> dict[str, str]:
    """Per topic, for its page: the neighbourhood as an image (leaves staggered so it stays narrow enough to read on
    a phone; role="img" with a label) and under it the same topics as a list of links, relative to that page."""
    result = {}
    for topic_id in topic_ids:
        page = topic_page(topic_id)
        sub = neighbourhood(g, topic_id)
        centre = topic_node(topic_id)
        before = nx.ancestors(sub, centre)
        after = set(sub) - before - {centre}
        label = (f"{topic_id} {g.nodes[centre]['label']} 的邻域图：两步以内的 {len(before)} 个前置主题在上，"
                 f"{len(after)} 个后续主题在下（图下的列表列出同样的主题）")
        svg = inline_svg(render(neighbourhood_dot(g, topic_id, None), unflatten=3), "nb-", label)
        lists = []
        for heading, nodes in (("前置", before), ("后续", after)):
            if nodes:
                items = "".join(f'<li><a href="{attr(html_link(page, topic_page(node_topic(n))))}">'
                                f"{node_topic(n)} {attr(g.nodes[n]['label'])}</a></li>"
                                for n in sorted(nodes, key=lambda n: g.nodes[n]["order"]))
                lists.append(f"<p>{heading}</p><ul>{items}</ul>")
        # On a phone the picture keeps its drawn size and scrolls sideways: the keyboard can reach and scroll it too.
        result[topic_id] = (f'<div class="atlas-diagram" tabindex="0" role="region" '
                            f'aria-label="{attr(topic_id)} 的邻域图（可左右滚动）">\n'
                            f'{svg}\n</div>\n'
                            f'<nav class="atlas-neighbours" aria-label="邻域中的主题">{"".join(lists)}</nav>')
    return result


def unit_map_dot(g: nx.DiGraph, unit_id: str, chapter_id: str | None = None) -> str:
    """One unit's topics (or one chapter's), grouped by chapter, with the reduced prerequisite edges among them and,
    in grey, the topics elsewhere they come from or lead to: the whole map split so its labels stay legible in print."""
    red = reduced(g)
    own = sorted((n for n in red if g.nodes[n]["unit"] == unit_id and chapter_id in (None, g.nodes[n]["chapter"])),
                 key=lambda n: g.nodes[n]["order"])
    edges = sorted((u, v) for u, v in red.edges if u in own or v in own)
    others = sorted({n for edge in edges for n in edge} - set(own), key=lambda n: g.nodes[n]["order"])
    lines = ["digraph Unit {", "rankdir=LR; bgcolor=white; nodesep=0.15; ranksep=0.45; newrank=true;",
             'node [shape=box style="rounded,filled" fontsize=11 fontcolor=white margin="0.08,0.04"];',
             'edge [color="#9e9e9e" arrowsize=0.6];']
    colour = unit_colour(unit_id)
    chapters = sorted({g.nodes[n]["chapter"] for n in own}, key=lambda c: [int(x) for x in c.split(".")])
    for number, chapter in enumerate(chapters):
        title = g.nodes[f"chapter:{chapter}"]["label"]
        lines.append(f'subgraph cluster_{number} {{ label={_q(chapter + " " + title)}; color="{colour}"; '
                     f'fontcolor="{colour}"; fontsize=11;')
        for n in (n for n in own if g.nodes[n]["chapter"] == chapter):
            lines.append(f'  {_q(n)} [label="{_label(g, n, 12)}" fillcolor="{colour}"];')
        lines.append("}")
    for n in others:
        lines.append(f'{_q(n)} [label="{_label(g, n, 12)}" fillcolor="#e0e0e0" fontcolor="#424242"];')
    for u, v in edges:
        lines.append(f"{_q(u)} -> {_q(v)}" + (' [style=dashed];' if u in others or v in others else ";"))
    lines.append("}")
    return "\n".join(lines)
