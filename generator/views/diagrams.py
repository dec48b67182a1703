"""Graphviz `dot` text -> static SVG, so diagrams show without JavaScript and print in the PDF."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from ..ground.model import AtlasError

FONT = "Noto Sans CJK SC"
DOT_FENCE_RE = re.compile(r"^```dot[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def render_dot(source: str, cache_dir: Path | None = None, where: tuple[str, int | None] = ("<diagram>", None)) -> str:
    """SVG markup for a dot graph, without the XML prolog, cached by the source's hash."""
    key = hashlib.sha256(("2\0" + source).encode("utf-8")).hexdigest()
    cached = cache_dir / f"{key}.svg" if cache_dir else None
    if cached and cached.is_file():
        return cached.read_text(encoding="utf-8")
    dot = shutil.which("dot")
    if dot is None:
        raise AtlasError(where[0], where[1], "Graphviz `dot` is needed to draw diagrams: apt-get install graphviz")
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


def embed_diagrams(markdown: str, path: str, first_line: int, render: Callable[..., str]) -> str:
    """Replace every ```dot fence in Markdown by its SVG in a figure block."""

    def replace(m: re.Match) -> str:
        line = first_line + markdown.count("\n", 0, m.start())
        svg = render(m[1], where=(path, line))
        return f'\n<div class="atlas-diagram">\n{svg}\n</div>\n'

    return DOT_FENCE_RE.sub(replace, markdown)
