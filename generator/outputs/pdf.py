"""HTML -> PDF with WeasyPrint: the font checks, characters no font can draw, and an atomic write."""

from __future__ import annotations

import bisect
import functools
import hashlib
import shutil
import subprocess
import unicodedata
from pathlib import Path

from ..ground.model import AtlasError

TEMPLATES = Path(__file__).parent.parent / "templates"  # the guide's stylesheet and images resolve from here


def check_cjk_font() -> None:
    """Without a CJK font WeasyPrint prints every Chinese character as an empty box: refuse instead."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                               timeout=60).stdout.strip()
    except FileNotFoundError:
        found = ""
    if not found:
        raise AtlasError("fc-list :lang=zh", None, "no font with Chinese characters is installed, the PDF would "
                         "show empty boxes; install one with `apt-get install fonts-noto-cjk`")


@functools.cache
def _font_ranges() -> tuple[tuple[int, int], ...]:
    """Code point ranges that some installed font draws: the fonts WeasyPrint can fall back through (asked once
    per process: both the PDF cache key and the layout need them)."""
    listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True,
                             timeout=60).stdout
    ranges = sorted((int(lo, 16), int(hi or lo, 16)) for lo, _, hi in (t.partition("-") for t in listing.split()))
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def without_tofu(html: str, ranges: list[tuple[int, int]]) -> str:
    """Characters no installed font can draw (say 𝄞 in a Unicode example) print as `[U+1D11E]`, never as a box."""
    starts = [lo for lo, _ in ranges]

    def drawable(ch: str) -> bool:
        at = bisect.bisect_right(starts, ord(ch)) - 1
        return at >= 0 and ranges[at][1] >= ord(ch)

    for ch in sorted(c for c in set(html) if ord(c) > 0x7F and unicodedata.category(c) not in _INVISIBLE
                     and not drawable(c)):
        html = html.replace(ch, f"[U+{ord(ch):04X}]")
    return html


_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def write_pdf(html: str, target: Path) -> None:
    """Lay the guide out and write it; a temporary file is renamed into place, so no half-written PDF is left."""
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a second the rest of the CLI need not pay

    check_cjk_font()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    HTML(string=without_tofu(html, _font_ranges()),
         base_url=str(TEMPLATES)).write_pdf(partial)
    partial.replace(target)


def write_pdf_cached(html: str, target: Path, cache_dir: Path | None) -> bool:
    """`write_pdf`, reusing an earlier layout of the very same HTML (the guide embeds its CSS and figures, so the
    HTML is all its input but the fonts and WeasyPrint). True when the PDF came from the cache."""
    if cache_dir is None:
        write_pdf(html, target)
        return False
    from weasyprint import __version__ as weasyprint_version

    key = hashlib.sha256("\0".join([weasyprint_version, repr(_font_ranges()), html]).encode("utf-8")).hexdigest()
    cached = cache_dir / f"{key}.pdf"
    hit = cached.is_file()
    if not hit:
        write_pdf(html, cached)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    return hit
