"""Print how long the generator's stages take: parse, graph, render (real syllabus and a synthetic 2,000-topic one);
a warm `atlas build` against a plain `mkdocs build` of the very project `atlas render` writes (the ratio); and
end-to-end builds of synthetic outlines of 100, 500 and 2,000 topics (no snippets, no PDF) with time and site size.
Run: .venv/bin/python benchmarks/stages.py [--no-build]"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.atlas import Atlas, Sources, load_atlas  # noqa: E402
from generator.ground.model import GraphSpec  # noqa: E402
from generator.inputs.graph import build_graph, parse_prerequisites  # noqa: E402
from generator.inputs.outline import parse_errata, parse_outline  # noqa: E402
from generator.outputs.pages import Extras, render_pages  # noqa: E402
from generator.site.build import BuildOptions, build, render  # noqa: E402

_last = 0.0  # seconds the last `timed` call took


def timed(label: str, fn):
    global _last
    start = time.perf_counter()
    result = fn()
    _last = time.perf_counter() - start
    print(f"  {label:<28} {_last:8.3f} s")
    return result


def synthetic(topics: int = 2000, seed: int = 1) -> tuple[str, str]:
    """An outline in the same style: units of 10 chapters x 10 topics x 5 points, and random forward edges."""
    rng = random.Random(seed)
    lines, ids = [], []
    per_chapter = 10
    for u in range(1, topics // 100 + 1):
        lines.append(f"{u} 单元{u}")
        for c in range(1, 11):
            lines.append(f"{u}.{c} 章节{u}.{c}")
            for t in range(1, per_chapter + 1):
                lines.append(f"{u}.{c}.{t} 主题 红黑树 epoll {u}.{c}.{t}")
                ids.append(f"{u}.{c}.{t}")
                lines.extend(f"- 要点{p} 与 reactor 和 B+树" for p in range(1, 6))
    edges = ["prerequisites:"]
    for i, target in enumerate(ids[1:], 1):
        for source in rng.sample(ids[:i], min(2, i)):
            edges.append(f"  - {{from: {source}, to: {target}, reason: 合成}}")
    return "\n".join(lines) + "\n", "\n".join(edges) + "\n"


def stages(label: str, text: str, prereq_text: str, errata_text: str = "", supplement: str = "") -> None:
    print(label)

    def parse():
        outline = parse_outline(text, "syllabus.txt",
                                parse_errata(errata_text, "errata.yaml", text.split("\n")) if errata_text else None)
        return outline.with_supplement(parse_outline(supplement, "supplement.txt", first_unit=len(outline.units) + 1)) \
            if supplement else outline

    outline = timed("parse (+ errata, supplement)", parse)
    spec = GraphSpec(tuple(parse_prerequisites(prereq_text, "prerequisites.yaml")))
    graph = timed("graph (build + checks)", lambda: build_graph(outline, spec))
    atlas = Atlas(outline, {}, {}, {}, spec, graph)
    pages = timed("render pages", lambda: render_pages(atlas, lambda s, where=None: "<svg/>", Extras({}, {})))
    print(f"  {len(outline.topics)} topics, {graph.number_of_edges()} edges, {len(pages)} pages")


def main() -> None:
    real = load_atlas(Sources.default(ROOT))
    text = (ROOT / "data" / "syllabus.txt").read_text(encoding="utf-8")
    stages("real syllabus (curated prerequisites only):", text,
           (ROOT / "graph" / "prerequisites.yaml").read_text(encoding="utf-8"),
           (ROOT / "data" / "errata.yaml").read_text(encoding="utf-8"),
           (ROOT / "data" / "supplement.txt").read_text(encoding="utf-8"))
    print("real atlas, render with content:")
    timed("render pages (content)", lambda: render_pages(real, lambda s, where=None: "<svg/>", Extras({}, {})))
    stages("synthetic syllabus:", *synthetic())
    if "--no-build" in sys.argv:
        return
    cache = ROOT / ".cache"  # the warm case: what `make site` left
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("real site, warm (snippets, diagrams and PDF from the cache):")
        build(Sources.default(ROOT), BuildOptions(tmp / "site", cache))  # make sure the cache is warm
        timed("atlas build", lambda: build(Sources.default(ROOT), BuildOptions(tmp / "site", cache)))
        atlas_s = _last
        render(Sources.default(ROOT), BuildOptions(tmp / "site", cache), tmp / "project")
        timed("mkdocs build (same project)", lambda: subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp / "project", check=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}))
        print(f"  ratio atlas build / mkdocs build: {atlas_s / _last:.2f}")
        print("synthetic outlines, end to end (no snippets, no PDF):")
        for topics in (100, 500, 2000):
            folder = tmp / f"syn{topics}"
            (folder / "graph").mkdir(parents=True)
            text, prereqs = synthetic(topics)
            (folder / "syllabus.txt").write_text(text, encoding="utf-8")
            (folder / "graph" / "prerequisites.yaml").write_text(prereqs, encoding="utf-8")
            site = folder / "site"
            timed(f"{topics} topics", lambda folder=folder, site=site: build(
                Sources.for_syllabus(ROOT, folder / "syllabus.txt"), BuildOptions(site, None, run_snippets=False,
                                                                                  pdf=False)))
            size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
            print(f"    site {size / 1e6:.1f} MB, {_last / topics * 1000:.1f} ms and {size / topics / 1e3:.0f} KB "
                  "per topic")


if __name__ == "__main__":
    main()
