"""Graphviz `dot` text -> static SVG, so diagrams show without JavaScript and print in the PDF."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from ..ground.model import AtlasError

FONT = "Noto Sans CJK SC"
DOT_FENCE_RE = re.compile(r"^```dot[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def render_dot(source: str, cache_dir: Path | None = None, where: tuple[str, int | None] = ("<diagram>", None),
               unflatten: int = 0) -> str:
    """SVG markup for a dot graph, without the XML prolog, cached by the source's hash. `unflatten` > 0 first
    staggers fan-outs of leaves over that many ranks (Graphviz `unflatten -f -l N`): narrower, for phones."""
    key = hashlib.sha256((f"2\0{unflatten}\0" + source).encode("utf-8")).hexdigest()
    cached = cache_dir / f"{key}.svg" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_text(encoding="utf-8")
    dot = shutil.which("dot")
    if dot is None:
        raise AtlasError(where[0], where[1], "Graphviz `dot` is needed to draw diagrams: apt-get install graphviz")
    if unflatten:
        source = subprocess.run([shutil.which("unflatten") or "unflatten", "-f", "-l", str(unflatten)], input=source,
                                capture_output=True, text=True, timeout=60, check=True).stdout
    proc = subprocess.run([dot, "-Tsvg", f"-Gfontname={FONT}", f"-Nfontname={FONT}", f"-Efontname={FONT}"],
                          input=source, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise AtlasError(where[0], where[1], "diagram does not render: " + proc.stderr.strip())
    svg = _strip_prolog(proc.stdout)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(svg, encoding="utf-8")
    return svg


def _strip_prolog(svg: str) -> str:
    """Drop the XML declaration, doctype and comments so the SVG can sit inline in HTML; no blank lines."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return "\n".join(line for line in svg.split("\n") if line.strip())


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """An SVG ready to sit inline among others on one page: its ids made unique with `prefix` (Graphviz numbers
    every drawing `graph0`, `node1` …), Graphviz's <title> elements dropped (they show internal node names such as
    `topic:1.1.2` or `n10` as tooltips; a link's own tooltip stays), links as plain `href`, and role="img" with a
    label for screen readers."""
    svg = re.sub(r"<title>.*?</title>\n?", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]*)"', lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r"url\(#([^)]*)\)", lambda m: f"url(#{prefix}{m[1]})", svg)
    svg = svg.replace("<a xlink:href=", "<a href=")  # SVG 2's plain href: a link crawlers and audits recognise
    return re.sub(r"<svg\b", f'<svg role="img" aria-label="{html.escape(label, quote=True)}"', svg, count=1)


def embed_diagrams(markdown: str, path: str, first_line: int, render: Callable[..., str]) -> str:
    """Replace every ```dot fence in Markdown by its SVG in a figure block."""

    def replace(m: re.Match) -> str:
        line = first_line + markdown.count("\n", 0, m.start())
        prefix = "d" + hashlib.sha256(m[1].encode("utf-8")).hexdigest()[:8] + "-"
        svg = inline_svg(render(m[1], where=(path, line)), prefix, _graph_label(m[1]))
        return f'\n<div class="atlas-diagram">\n{svg}\n</div>\n'

    return DOT_FENCE_RE.sub(replace, markdown)


def _graph_label(source: str) -> str:
    """A diagram's name for screen readers: its graph label if it has one."""
    m = re.search(r'^\s*(?:graph\s*\[\s*)?label\s*=\s*"((?:[^"\\]|\\.)*)"', source, re.M)
    return "示意图：" + m[1].replace("\\n", " ") if m else "示意图"
