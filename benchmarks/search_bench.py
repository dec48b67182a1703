"""Print what search costs: index size and build time, query latency in Python (`atlas search`) and in Chromium
(the site's client), time from the first focus of the search box to the first answer on file://, and what a topic
page transfers before the box is used. For the real atlas and for a synthetic syllabus of 2,000 written topics
(benchmarks/stages.py's outline, each topic given the text of a real one).
Run: .venv/bin/python benchmarks/search_bench.py [--no-site]"""

from __future__ import annotations

import dataclasses
import gzip
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stages import synthetic  # noqa: E402

from generator.atlas import Atlas, Sources, load_atlas  # noqa: E402
from generator.ground.model import Section  # noqa: E402
from generator.inputs.outline import parse_outline  # noqa: E402
from generator.outputs.search import Index, build_index, index_script, search  # noqa: E402
from generator.site.build import BuildOptions, build, search_terms  # noqa: E402

QUERIES = ["红黑树", "黑树", "时间轮", "零拷贝", "最左匹配", "B+树", "b+tree", "epoll", "一致性哈希", "redis 持久化",
           "hhs", "TIME_WAIT", "红黑树的旋转"]


def synthetic_atlas(real: Atlas, topics: int = 2000) -> Atlas:
    """The synthetic outline with every topic written: topic k takes the front matter and section texts of real
    topic k mod 100, under its own point titles."""
    outline = parse_outline(synthetic(topics)[0], "syllabus.txt")
    written = [real.contents[t.id] for t in real.outline.topics if t.id in real.contents]
    contents = {}
    for k, topic in enumerate(outline.topics):
        model = written[k % len(written)]
        bodies = [s.body for s in model.sections] or [model.summary]
        sections = tuple(Section(p.title, bodies[i % len(bodies)], 0) for i, p in enumerate(topic.points))
        contents[topic.id] = dataclasses.replace(model, id=topic.id, sections=sections)
    return dataclasses.replace(real, outline=outline, contents=contents, preface={}, snippets={})


def python_latency(index: Index) -> list[float]:
    search(index, "预热")
    times = []
    for q in QUERIES:
        start = time.perf_counter()
        search(index, q)
        times.append((time.perf_counter() - start) * 1000)
    return times


HARNESS = """<!doctype html><meta charset="utf-8"><title>search bench</title>
<script src="search.js"></script>
<script>
window.bench = function (queries) {
  return new Promise(function (resolve) {
    var t0 = performance.now(), tag = document.createElement("script");
    tag.src = "search_index.js";
    tag.onload = function () {
      var t1 = performance.now(), engine = new atlasSearchText.Engine(window.__atlasSearch), t2 = performance.now();
      engine.search(queries[0]);
      var t3 = performance.now(), each = queries.map(function (q) {
        var s = performance.now(); engine.search(q); return performance.now() - s;
      });
      resolve({load: t1 - t0, prepare: t2 - t1, first: t3 - t0, each: each});
    };
    document.head.appendChild(tag);
  });
};
</script>"""


def browser_latency(script: str) -> dict:
    """The client alone in Chromium from file://: load the index script, prepare it, answer the queries."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, FLAGS

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        (folder / "search_index.js").write_text(script, encoding="utf-8")
        shutil.copy(ROOT / "docs" / "assets" / "search.js", folder / "search.js")
        (folder / "bench.html").write_text(HARNESS, encoding="utf-8")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        runs = []
        for _ in range(3):  # a fresh page each time: nothing cached in the page
            page = browser.new_page()
            page.goto((folder / "bench.html").as_uri())
            runs.append(page.evaluate("q => window.bench(q)", QUERIES))
            page.close()
        browser.close()
    best = min(runs, key=lambda r: r["first"])
    best["each"] = [statistics.median(r["each"][i] for r in runs) for i in range(len(QUERIES))]
    return best


def report(label: str, index: Index, seconds: float) -> None:
    script = index_script(index)
    raw = script.encode("utf-8")
    print(f"{label}: {len(index.pages)} pages, {len(index.docs)} sections, {len(index.vocabulary)} dictionary words")
    print(f"  index build                {seconds:8.2f} s")
    print(f"  search_index.js            {len(raw) / 1e3:8.0f} KB ({len(gzip.compress(raw)) / 1e3:.0f} KB gzipped)")
    py = python_latency(index)
    print(f"  query, Python              {statistics.median(py):8.1f} ms median, {max(py):.1f} ms slowest")
    js = browser_latency(script)
    print(f"  load index script (file://) {js['load']:7.1f} ms, prepare {js['prepare']:.1f} ms")
    print(f"  first answer after load start {js['first']:5.1f} ms")
    print(f"  query, Chromium            {statistics.median(js['each']):8.1f} ms median, "
          f"{max(js['each']):.1f} ms slowest")


def site_figures() -> None:
    """The built real site: what a topic page transfers before search is used, and focus-to-answer on file://."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, FLAGS

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        site = Path(tmp) / "site"
        build(Sources.default(ROOT), BuildOptions(site, ROOT / ".cache", pdf=False), lambda _: None)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        print("real site from file://:")
        for name in ["topics/1.1.2.html", "topics/4.1.2.html", "topics/2.1.1.html", "topics/4.3.2.html"]:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r, requests=requests: requests.append(r.url))
            page.goto((site / name).as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            sizes = {r: (site / unquote(urlsplit(r).path).removeprefix(str(site)).lstrip("/")).stat().st_size
                     for r in requests if r.startswith("file://")}
            search_kb = sum(v for k, v in sizes.items() if "/assets/search." in k) / 1e3
            katex_kb = sum(v for k, v in sizes.items() if "/katex/" in k) / 1e3
            html_kb = sizes.get((site / name).as_uri(), 0) / 1e3
            ms = page.evaluate("""() => new Promise(resolve => {
                const box = document.querySelector('input.md-search__input'), start = performance.now();
                const out = document.querySelector('[data-atlas-search-result]');
                new MutationObserver(() => { if (out.getAttribute('data-atlas-query') === '零拷贝')
                  resolve(performance.now() - start); }).observe(out, {attributes: true});
                box.focus(); box.value = '零拷贝'; box.dispatchEvent(new Event('input'));
            })""")
            print(f"  {name:<20} before search {sum(sizes.values()) / 1e3:5.0f} KB in {len(sizes)} files "
                  f"(page {html_kb:.0f} KB, KaTeX {katex_kb:.0f} KB, search {search_kb:.0f} KB); "
                  f"focus to first answer {ms:.0f} ms")
            page.close()
        browser.close()


def main() -> None:
    sources = Sources.default(ROOT)
    real = load_atlas(sources)
    terms = search_terms(sources)
    start = time.perf_counter()
    index = build_index(real, terms)
    report("real atlas", index, time.perf_counter() - start)
    big = synthetic_atlas(real)
    start = time.perf_counter()
    index = build_index(big, terms)
    report("synthetic 2,000 written topics", index, time.perf_counter() - start)
    if "--no-site" not in sys.argv:
        site_figures()


if __name__ == "__main__":
    main()
