"""Build the whole PDF study guide and print what it costs: HTML rendering, WeasyPrint, pages, file size.

Snippet outputs come from the snippet cache (.cache/snippets, filled by `atlas build`); snippets are not run here.
Usage: .venv/bin/python benchmarks/pdf_bench.py [--to TOPIC] [--out FILE]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from generator.atlas import Sources, load_atlas
from generator.ground.model import SnippetResult
from generator.inputs.graph import learning_path
from generator.inputs.snippets import cache_key
from generator.outputs import pdf, studyguide
from generator.site.mkdocs import markdown_extensions
from generator.views.diagrams import render_dot

ROOT = Path(__file__).resolve().parent.parent


def cached_results(atlas, cache_dir: Path) -> dict[str, SnippetResult]:
    """Results an earlier build cached, so the guide shows real output without running anything."""
    results = {}
    for specs in atlas.snippets.values():
        for spec in specs:
            path = cache_dir / f"{cache_key(spec)}.json"
            if path.is_file():
                data = json.loads(path.read_text(encoding="utf-8"))
                results[spec.key] = SnippetResult(**{**data, "key": spec.key})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--to", help="only the learning path to this topic")
    parser.add_argument("--out", help="keep the PDF here (default: a temporary file)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes laying out the whole guide's parts (default: one per CPU)")
    args = parser.parse_args()

    atlas = load_atlas(Sources.default(ROOT))
    atlas = atlas.with_results(cached_results(atlas, ROOT / ".cache" / "snippets"))
    render = functools.partial(render_dot, cache_dir=ROOT / ".cache" / "diagrams")
    topic_ids = learning_path(atlas.graph, args.to) if args.to else None

    start = time.perf_counter()
    html = studyguide.guide_html(atlas, render, dialect=markdown_extensions(ROOT), topic_ids=topic_ids)
    html_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(args.out) if args.out else Path(tmp) / "guide.pdf"
        start = time.perf_counter()
        pdf.write_pdf_cached(html, target, Path(tmp) / "cache", args.workers)  # cold: an empty cache, a full layout
        pdf_seconds = time.perf_counter() - start
        start = time.perf_counter()
        pdf.write_pdf_cached(html, Path(tmp) / "again.pdf", Path(tmp) / "cache")  # warm: the same HTML again
        cached_seconds = time.perf_counter() - start
        info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
        size = target.stat().st_size

    topics = len(topic_ids) if topic_ids else len(atlas.outline.topics)
    print(f"topics:            {topics} ({sum(1 for t in (topic_ids or atlas.contents) if t in atlas.contents)} "
          f"written), snippet outputs: {len(atlas.results)}")
    print(f"HTML:              {html_seconds:6.1f} s  ({len(html.encode('utf-8')) / 1e6:.1f} MB)")
    print(f"WeasyPrint:        {pdf_seconds:6.1f} s  ({pages / pdf_seconds:.1f} pages/s, {args.workers} processes)")
    print(f"warm (cached):     {cached_seconds:6.2f} s  (the same HTML: copied from the cache)")
    print(f"pages:             {pages}")
    print(f"PDF size:          {size / 1e6:.1f} MB")
    print(f"load average:      {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
