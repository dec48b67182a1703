"""Print how long the generator's stages take: parse, graph, render (real syllabus and a synthetic 2,000-topic one),
and a cold and a warm build of the real site. Run: .venv/bin/python benchmarks/stages.py [--no-build]"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.atlas import Atlas, Sources, load_atlas  # noqa: E402
from generator.build import BuildOptions, build  # noqa: E402
from generator.graph import build_graph, parse_prerequisites  # noqa: E402
from generator.model import GraphSpec  # noqa: E402
from generator.outline import parse_errata, parse_outline  # noqa: E402
from generator.pages import Extras, render_pages  # noqa: E402


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - start:8.3f} s")
    return result


def synthetic(topics: int = 2000, seed: int = 1) -> tuple[str, str]:
    """An outline in the same style: 20 units x 10 chapters x 10 topics x 5 points, and random forward edges."""
    rng = random.Random(seed)
    lines, ids = [], []
    per_unit, per_chapter = topics // 20, 10
    for u in range(1, 21):
        lines.append(f"{u} 单元{u}")
        for c in range(1, per_unit // per_chapter + 1):
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


def stages(label: str, text: str, prereq_text: str, errata_text: str = "") -> None:
    print(label)
    outline = timed("parse (+ errata)", lambda: parse_outline(
        text, "syllabus.txt", parse_errata(errata_text, "errata.yaml", text.split("\n")) if errata_text else None))
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
           (ROOT / "data" / "errata.yaml").read_text(encoding="utf-8"))
    print("real atlas, render with content:")
    timed("render pages (content)", lambda: render_pages(real, lambda s, where=None: "<svg/>", Extras({}, {})))
    stages("synthetic syllabus:", *synthetic())
    if "--no-build" in sys.argv:
        return
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        print("real site build:")
        timed("cold (empty cache)", lambda: build(Sources.default(ROOT), BuildOptions(Path(tmp) / "site", cache)))
        timed("warm (cached snippets)", lambda: build(Sources.default(ROOT), BuildOptions(Path(tmp) / "site", cache)))
        shutil.rmtree(cache)


if __name__ == "__main__":
    main()
