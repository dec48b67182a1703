"""Print the topic map's size and the time from navigation (file://) until it is drawn and ready for input in
headless Chromium: ours (positions computed in Python, physics off; "atlas:map-ready") against pyvis's default physics
layout of the same graph, side by side in one run, with their ratio (the target: at most 0.15, and within 300 ms).
Run: .venv/bin/python benchmarks/map_bench.py"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from generator.atlas import Sources  # noqa: E402
from generator.outputs.topicmap import network  # noqa: E402
from generator.site.build import BuildOptions, build  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
RUNS = 5


def pyvis_default(atlas, target: Path) -> None:
    """pyvis's own page with physics on; its CDN Bootstrap tags removed so it loads offline too."""
    html = network(atlas, physics=True).generate_html()
    html = re.sub(r"<link[^>]*bootstrap[^>]*/>|<script[^>]*bootstrap[^>]*></script>", "", html, flags=re.S)
    hook = 'network.once("afterDrawing", function () { window.__drawnAt = performance.now(); });'
    html = html.replace("network = new vis.Network(container, data, options);",
                        "network = new vis.Network(container, data, options);\n" + hook)
    target.write_text(html, encoding="utf-8")


def drawn_at(browser, url: str, expression: str) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.wait_for_function(expression, timeout=60000)
    value = page.evaluate(expression)
    page.close()
    return value


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        atlas = build(Sources.default(ROOT), BuildOptions(site, ROOT / ".cache", run_snippets=False, pdf=False))
        default = Path(tmp) / "pyvis-default.html"
        pyvis_default(atlas, default)
        ours_size = (site / "map.html").stat().st_size
        vis_size = (site / "assets" / "vendor" / "vis-network" / "vis-network.min.js").stat().st_size
        print(f"map page HTML: {ours_size / 1024:.0f} KiB (+ vis-network {vis_size / 1024:.0f} KiB, shared file)")
        print(f"pyvis default page (vis-network inlined): {default.stat().st_size / 1024:.0f} KiB")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            ours = [drawn_at(browser, (site / "map.html").as_uri(), "window.atlasMap && window.atlasMap.drawnAt")
                    for _ in range(RUNS)]
            shown = [drawn_at(browser, (site / "map.html").as_uri(), "window.atlasMap && window.atlasMap.shownAt")
                     for _ in range(RUNS)]
            theirs = [drawn_at(browser, default.as_uri(), "window.__drawnAt") for _ in range(RUNS)]
            browser.close()
    print(f"drawn after navigation start, median of {RUNS} (ms): ours {statistics.median(ours):.0f} "
          f"(min {min(ours):.0f}, max {max(ours):.0f}); pyvis default physics {statistics.median(theirs):.0f} "
          f"(min {min(theirs):.0f}, max {max(theirs):.0f})")
    print(f"ours, first animation frame after drawing (on screen, taking input), median of {RUNS} (ms): "
          f"{statistics.median(shown):.0f} (min {min(shown):.0f}, max {max(shown):.0f})")
    print(f"ratio ours / pyvis default (medians): {statistics.median(ours) / statistics.median(theirs):.3f} drawn, "
          f"{statistics.median(shown) / statistics.median(theirs):.3f} on screen")


if __name__ == "__main__":
    main()
