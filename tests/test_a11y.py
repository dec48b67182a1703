"""Pages everyone can use, checked on the built site from file://: axe-core (bundled by axe-playwright-python) in
both palettes, the page language, one title and a description of its own per page, the 404 page, inline SVGs that
name themselves and share no ids, canonical links and the precompressed copies for servers."""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import pytest

from .browser import browser, remote

AUDITED = ["index.html", "topics/1.1.2.html", "map.html"]  # the pages issue 11 audits; the 404 page beside them
PAGES = [*AUDITED, "404.html"]


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def axe_script() -> Path:
    axe = pytest.importorskip("axe_playwright_python")
    return Path(axe.__file__).parent / "axe.min.js"


DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
# Each page kind in both palettes and at both widths (a phone is where tables and maps start to scroll sideways);
# the home page, a topic page and the map in every combination.
AXE_RUNS = ([(p, s, DESKTOP) for p in PAGES for s in ("light", "dark")] +
            [(p, "light", PHONE) for p in PAGES] +
            [(p, s, v) for p in ["errata.html", "flashcards.html", "progress.html", "topics/11.2.1.html"]
             for s, v in (("light", DESKTOP), ("dark", PHONE))] +
            [(p, "dark", PHONE) for p in AUDITED])


@pytest.mark.parametrize(("page_path", "scheme", "viewport"), AXE_RUNS)
def test_no_serious_axe_violations(chromium, site, page_path, scheme, viewport):
    page = chromium.new_page(viewport=viewport, color_scheme=scheme)
    page.goto((site / page_path).as_uri())
    if page_path == "map.html":
        page.wait_for_function("window.atlasMap && window.atlasMap.drawn")
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")  # the whole page, search box too
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    page.close()


def test_every_page_says_it_is_simplified_chinese_and_has_one_title(site):
    for path in [site / p for p in PAGES] + sorted((site / "topics").glob("*.html"))[:20]:
        html = path.read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in html, path
        head = html[: html.index("</head>")]
        assert head.count("<title>") == 1, path
    index = (site / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>([^<]*)</title>", index)[1]
    assert len(title.split(" - ")) == 1  # the home page does not repeat the site's name


def test_every_page_describes_itself(site):
    """Only the home page and the 404 page carry the site's own description; every other page has one of its own."""
    seen = Counter()
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        seen[re.search(r'<meta name="description" content="([^"]*)"', html)[1]] += 1
    assert len(seen) > 150 and seen.most_common(2)[1][1] == 1
    assert seen.most_common(1)[0][1] == 2  # index.html and 404.html


def test_inline_svgs_are_named_images_with_ids_of_their_own(site, atlas):
    for topic in atlas.outline.topics:
        html = (site / "topics" / f"{topic.id}.html").read_text(encoding="utf-8")
        body = html[html.index("<body"):]
        svgs = re.findall(r"<svg\b[^>]*>", body)
        inline = [s for s in svgs if re.search(r'\bwidth="[\d.]+pt"', s)]  # Graphviz's, not the theme's icons
        assert inline, topic.id  # every topic page carries its neighbourhood map
        for tag in inline:
            assert 'role="img"' in tag and re.search(r'aria-label="[^"]+"', tag), (topic.id, tag)
        ids = Counter(re.findall(r'\bid="([^"]+)"', html))
        assert [i for i, n in ids.items() if n > 1] == [], topic.id
        graphviz = re.findall(r"<svg\b.*?</svg>", body, flags=re.S)
        assert not any("<title>" in s for s in graphviz), topic.id  # no `topic:1.1.2` or `n10` tooltips
    page = (site / "topics" / "1.1.2.html").read_text(encoding="utf-8")
    assert "随处可见的红黑树 的邻域" in page and "mysql/red…" not in page


def test_the_404_page_is_chinese_styled_and_useful_from_file(chromium, site):
    page = chromium.new_page()
    requests: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto((site / "404.html").as_uri())
    assert page.locator("h1").inner_text() == "页面不存在"
    assert "页面不存在" in page.title()
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"  # styled
    assert page.locator(".md-search__input").count() == 1
    links = page.eval_on_selector_all("article a[href]", "els => els.map(e => e.href)")
    assert any(link.endswith("/index.html") for link in links) and any(link.endswith("/map.html") for link in links)
    assert failed == [] and remote(requests, "file://") == []
    page.goto(next(link for link in links if link.endswith("/map.html")))
    page.wait_for_function("window.atlasMap && window.atlasMap.drawn")
    page.close()


def test_canonical_links_and_sitemap_use_the_configured_site_url(site, atlas):
    base = atlas.site.url
    assert base.startswith("https://")
    html = (site / "topics" / "1.1.2.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}topics/1.1.2.html">' in html
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{base}topics/1.1.2.html</loc>" in sitemap


def test_large_text_files_have_deterministic_gzip_copies(site):
    for path in [site / "topics" / "1.1.2.html", site / "map.html", site / "search" / "search_index.js"]:
        packed = path.with_name(path.name + ".gz").read_bytes()
        assert packed[4:8] == b"\0\0\0\0"  # mtime 0
        assert not packed[3] & 0x08  # no file name stored
        assert gzip.decompress(packed) == path.read_bytes()
    assert not (site / "assets" / "images" / "favicon.png.gz").exists()
