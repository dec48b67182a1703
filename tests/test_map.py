"""The interactive topic map in a real browser: nodes, click navigation, highlight, search, escaping, offline."""

from __future__ import annotations

import pytest

from generator.atlas import Sources
from generator.site.build import build

from .browser import browser, remote, serve
from .conftest import ROOT


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def open_map(chromium, url: str):
    page = chromium.new_page(viewport={"width": 1280, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_function("window.atlasMap && window.atlasMap.drawn", timeout=10000)
    return page, requests


def click_node(page, topic_id: str) -> None:
    box = page.locator("#atlas-map canvas").bounding_box()
    point = page.evaluate(
        "id => { const n = window.atlasMap.network; n.focus(id, {scale: 1.2, animation: false});"
        " return n.canvasToDOM(n.getPositions([id])[id]); }", topic_id)
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_every_topic_is_a_node_and_nothing_is_fetched(chromium, site, atlas):
    page, requests = open_map(chromium, (site / "map.html").as_uri())
    ids = page.evaluate("window.atlasMap.nodes.getIds()")
    assert sorted(i for i in ids if not i.startswith("unit:")) == sorted(t.id for t in atlas.outline.topics)
    assert sorted(i for i in ids if i.startswith("unit:")) == sorted(f"unit:{u.id}" for u in atlas.outline.units)
    assert remote(requests, "file://") == []
    html = (site / "map.html").read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    page.close()


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_click_opens_the_topic_page(chromium, site, scheme):
    with serve(site) as base:
        url = (site / "map.html").as_uri() if scheme == "file" else f"{base}/map.html"
        page, requests = open_map(chromium, url)
        click_node(page, "1.1.2")
        page.wait_for_url("**/topics/1.1.2.html")
        assert "随处可见的红黑树" in page.title()
        assert remote(requests, base if scheme == "http" else "file://") == []
        page.close()


def test_selection_highlights_the_chain_and_lists_the_path(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    page.uncheck("#atlas-map-open")
    click_node(page, "4.1.2")
    panel = page.inner_text("#atlas-map-panel")
    assert panel.startswith("4.1.2 MySQL索引原理以及SQL优化：学习路径")
    assert "1.1.3 磁盘存储链式的B树与B+树" in panel
    colours = page.evaluate("Object.fromEntries(window.atlasMap.nodes.get().map(n => [n.id, n.color]))")
    assert colours["1.1.3"] != "#d6d6d6"  # a prerequisite stays lit
    assert colours["5.3.1"] == "#d6d6d6"  # an unrelated topic is greyed out
    assert page.url.endswith("map.html")
    page.close()


@pytest.mark.parametrize("query, first", [("hhs", "1.1.2"), ("hongheishu", "1.1.2"), ("红黑", "1.1.2"),
                                          ("DPDK", "5.3.1"), ("时间轮", "3.2.3")])
def test_search_finds_topics(chromium, site, query, first):
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    page.fill("#atlas-map-search", query)
    page.press("#atlas-map-search", "End")
    assert page.locator(".atlas-map-hit").first.get_attribute("data-topic") == first
    page.close()


def test_units_can_be_hidden(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    page.uncheck('#atlas-map-units input[data-unit="6"]')
    hidden = page.evaluate("window.atlasMap.nodes.get().filter(n => n.hidden).map(n => n.id)")
    assert "unit:6" in hidden and all(h.startswith("6.") for h in hidden if h != "unit:6")
    assert len(hidden) == 1 + sum(1 for t in atlas.outline.topics if t.unit_id == "6")
    page.close()


def test_hostile_titles_show_as_text(chromium, mini, tmp_path, options):
    mini.write_text("1 <b>unit</b>\n1.1 章\n1.1.1 <img src=x onerror=alert(1)>\n- 点\n1.1.2 后续\n- 点\n",
                    encoding="utf-8")
    (mini.parent / "graph").mkdir()
    (mini.parent / "graph" / "prerequisites.yaml").write_text(
        "prerequisites:\n  - {from: 1.1.1, to: 1.1.2, reason: '<script>alert(2)</script>'}\n", encoding="utf-8")
    site = tmp_path / "site"
    build(Sources.for_syllabus(ROOT, mini), options(site))
    dialogs: list[str] = []
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    point = page.evaluate("() => { const n = window.atlasMap.network; return n.canvasToDOM(n.getPositions(['1.1.1'])"
                          "['1.1.1']); }")
    box = page.locator("#atlas-map canvas").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible")
    assert "<img src=x onerror=alert(1)>" in page.inner_text("div.vis-tooltip")
    page.uncheck("#atlas-map-open")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert "<img src=x onerror=alert(1)>" in page.inner_text("#atlas-map-panel")
    for url in [(site / "topics" / "1.1.1.html").as_uri(), (site / "topics" / "1.1.2.html").as_uri()]:
        page.goto(url)
        page.wait_for_timeout(200)
        assert page.locator("img[src=x]").count() == 0
    assert page.locator("text=<script>alert(2)</script>").count() >= 1
    assert dialogs == []
    page.close()
