"""SVG labels for print, placed where they start instead of centred.

Graphviz centres every label (`text-anchor="middle"`). WeasyPrint draws such a text into a group of its own, to
measure it before placing it, and each group carries its own copy of the page's font resources. PDF readers parse
those again for every label: poppler took 5.1 s to read the text of a 17-page guide with two maps, 0.2 s once no
label (and no faded node, see studyguide) was a group of its own; WeasyPrint lays the maps out 8% faster too.
Here a label's width, from its font's advance widths, moves its x to where the text starts. A label in a font that
is not installed, or with a character its font lacks, stays centred. Pure, but for `font_advances`, which reads
the font once per process.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

ANCHORED_RE = re.compile(r'<text\b([^>]*?) text-anchor="(middle|end)"([^>]*)>([^<]*)</text>')


@dataclass(frozen=True)
class Advances:
    """A font's horizontal advance per code point, in font units (`units` to the em)."""
    widths: dict[int, int]
    units: int


def start_anchored(svg: str, advances: Callable[[str], Advances | None]) -> str:
    """Every centred or end-anchored label of `svg` moved to start at its left edge (the anchor dropped: `start` is
    SVG's default); `advances(family)` gives the font's widths, or None when it is not known."""
    def moved(m: re.Match) -> str:
        attributes = m[1] + m[3]
        family = re.search(r' font-family="([^"]*)"', attributes)
        size = re.search(r' font-size="([\d.]+)"', attributes)
        x = re.search(r' x="(-?[\d.]+)"', attributes)
        font = advances(html.unescape(family[1])) if family else None
        text = " ".join(html.unescape(m[4]).split())  # as SVG lays it out: white space collapsed and trimmed
        if font is None or size is None or x is None or any(ord(c) not in font.widths for c in text):
            return m[0]
        width = sum(font.widths[ord(c)] for c in text) * float(size[1]) / font.units
        start = float(x[1]) - (width / 2 if m[2] == "middle" else width)
        return f'<text{attributes[: x.start()]} x="{start:.2f}"{attributes[x.end():]}>{m[4]}</text>'

    return ANCHORED_RE.sub(moved, svg)


@functools.cache
def font_advances(family: str) -> Advances | None:
    """The advance widths of the font fontconfig gives for `family`, or None if that family is not installed."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency, loaded only when a label is measured

    try:
        found = subprocess.run(["fc-match", "--format", "%{file}\n%{index}\n%{family}", family],
                               capture_output=True, text=True, timeout=60).stdout.split("\n")
    except FileNotFoundError:
        return None
    if len(found) < 3 or family not in found[2].split(","):
        return None
    font = TTFont(found[0], fontNumber=int(found[1] or 0), lazy=True)
    metrics = font["hmtx"]
    return Advances({code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()},
                    font["head"].unitsPerEm)
