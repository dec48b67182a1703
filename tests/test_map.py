"""The interactive topic map in a real browser: nodes, click navigation, highlight, search, escaping, offline; how it
opens (readable on a desktop, the units first on a phone), zoom by buttons and keys, refit after filtering, palettes,
tooltips, written and unwritten topics, and what it offers other scripts."""

from __future__ import annotations

import re

import pytest

from generator.atlas import Sources
from generator.site.build import build

from .browser import browser, remote, serve
from .conftest import ROOT


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def open_map(chromium, url: str, viewport: dict | None = None, **context):
    page = chromium.new_page(viewport=viewport or {"width": 1280, "height": 1000}, **context)
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
    assert sorted(ids) == sorted(f"topic:{t.id}" for t in atlas.outline.topics)  # the graph's own node ids
    assert remote(requests, "file://") == []
    html = (site / "map.html").read_text(encoding="utf-8")
    html = re.sub(r'<link rel="canonical" href="[^"]*">', "", html)  # where the page is hosted: never fetched
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    page.close()


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_click_opens_the_topic_page(chromium, site, scheme):
    with serve(site) as base:
        url = (site / "map.html").as_uri() if scheme == "file" else f"{base}/map.html"
        page, requests = open_map(chromium, url)
        click_node(page, "topic:1.1.2")
        page.wait_for_url("**/topics/1.1.2.html")
        assert "随处可见的红黑树" in page.title()
        assert remote(requests, base if scheme == "http" else "file://") == []
        page.close()


def test_selection_highlights_the_chain_and_lists_the_path(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    page.uncheck("#atlas-map-open")
    click_node(page, "topic:4.1.2")
    panel = page.inner_text("#atlas-map-panel")
    assert panel.startswith("4.1.2 MySQL索引原理以及SQL优化：学习路径")
    assert "1.1.3 磁盘存储链式的B树与B+树" in panel
    opacity = page.evaluate("Object.fromEntries(window.atlasMap.nodes.get().map(n => [n.id, n.opacity]))")
    assert opacity["topic:1.1.3"] == 1  # a prerequisite stays lit
    assert opacity["topic:5.3.1"] < 0.5  # an unrelated topic fades
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
    assert sorted(hidden) == sorted(f"topic:{t.id}" for t in atlas.outline.topics if t.unit_id == "6")
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
    point = page.evaluate("() => { const n = window.atlasMap.network; return n.canvasToDOM(n.getPositions("
                          "['topic:1.1.1'])['topic:1.1.1']); }")
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


IN_VIEW = """() => { const m = window.atlasMap, n = m.network, c = document.querySelector('#atlas-map');
  const pos = n.getPositions(); return Object.keys(pos).filter(id => { const p = n.canvasToDOM(pos[id]);
  return !m.nodes.get(id).hidden && p.x >= 0 && p.y >= 0 && p.x <= c.clientWidth && p.y <= c.clientHeight; }); }"""
FONT_PX = "window.atlasMap.network.getScale() * window.atlasMap.nodes.get('topic:1.1.1').font.size"


def test_opens_with_readable_topic_names_on_a_desktop(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri(), {"width": 1366, "height": 900})
    assert page.evaluate(FONT_PX) >= 11
    shown = page.evaluate(IN_VIEW)
    assert {f"topic:{t.id}" for t in atlas.outline.topics if t.unit_id == "1"} <= set(shown)
    frame = page.locator("#atlas-map").bounding_box()
    assert frame["width"] >= 1300  # the whole width: no sidebars beside the map
    page.close()


def test_a_phone_starts_from_the_units_and_a_tap_zooms_into_one(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri(), {"width": 390, "height": 844})
    assert set(page.evaluate(IN_VIEW)) == {f"topic:{t.id}" for t in atlas.outline.topics}  # every unit in view
    assert page.evaluate(FONT_PX) < 8  # topic names are not drawn this far out, unit names are
    region = page.evaluate("window.atlasMap.network.canvasToDOM({x: -20, y: 0})")  # inside unit 1's region
    box = page.locator("#atlas-map canvas").bounding_box()
    page.mouse.click(box["x"] + region["x"], box["y"] + region["y"])
    page.wait_for_timeout(400)
    assert page.evaluate(FONT_PX) >= 11
    assert "topic:1.1.1" in page.evaluate(IN_VIEW)
    page.close()


def test_unit_names_seen_from_far_stay_inside_their_units(chromium, site, atlas):
    """On a phone's first view every unit's name plate lies inside its own region and over no other plate (long
    titles are shortened with "…" instead), at 11 px or more on screen."""
    page, _ = open_map(chromium, (site / "map.html").as_uri(), {"width": 390, "height": 844})
    plates = page.evaluate("window.atlasMap.plates")
    assert sorted(p["unit"] for p in plates) == sorted(u.id for u in atlas.outline.units)
    for p in plates:
        (x0, y0, x1, y1), (r0, s0, r1, s1) = p["box"], p["region"]
        assert r0 <= x0 and x1 <= r1 and s0 <= y0 and y1 <= s1, p
        assert p["px"] >= 11 and p["label"].startswith(p["unit"] + " ")
    for i, a in enumerate(plates):
        for b in plates[i + 1:]:
            ax0, ay0, ax1, ay1 = a["box"]
            bx0, by0, bx1, by1 = b["box"]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a["label"], b["label"])
    assert any(p["label"].endswith("…") for p in plates)  # a phone is too narrow for some titles
    page.close()


def test_a_link_can_open_the_map_on_one_unit(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri() + "#unit-4", {"width": 1366, "height": 900})
    shown = set(page.evaluate(IN_VIEW))
    assert "topic:4.1.1" in shown and "topic:1.1.1" not in shown
    page.close()


def test_zoom_by_buttons_and_keys_and_tab_reaches_every_control(chromium, site):
    page, _ = open_map(chromium, (site / "map.html").as_uri(), {"width": 1366, "height": 900})
    scale = lambda: page.evaluate("window.atlasMap.network.getScale()")  # noqa: E731
    before = scale()
    page.click("#atlas-map-zoom-in")
    page.wait_for_timeout(300)
    assert scale() > before * 1.2
    page.click("#atlas-map-fit")
    page.wait_for_timeout(400)
    assert scale() < before / 2
    page.keyboard.press("Escape")
    focused = []
    page.focus("#atlas-map-search")
    for _ in range(20):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("(e => e.id || (e.dataset.unit ? 'unit-' + e.dataset.unit : "
                                     "e.classList.contains('vis-network') ? 'vis-network' : e.tagName))"
                                     "(document.activeElement)"))
    assert "atlas-map-open" in focused and "unit-1" in focused and "unit-9" in focused
    assert focused.index("unit-9") < focused.index("vis-network") < focused.index("atlas-map-zoom-in")
    page.focus("#atlas-map .vis-network")
    before, position = scale(), page.evaluate("window.atlasMap.network.getViewPosition().x")
    page.keyboard.press("+")
    page.wait_for_timeout(300)
    assert scale() > before
    page.keyboard.press("ArrowRight")
    assert page.evaluate("window.atlasMap.network.getViewPosition().x") > position
    page.close()


def test_filtering_refits_to_what_is_left(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri(), {"width": 1366, "height": 900})
    for unit in atlas.outline.units:
        if unit.id != "6":
            page.uncheck(f'#atlas-map-units input[data-unit="{unit.id}"]')
    page.wait_for_timeout(400)
    assert {f"topic:{t.id}" for t in atlas.outline.topics if t.unit_id == "6"} <= set(page.evaluate(IN_VIEW))
    assert page.evaluate(FONT_PX) >= 11
    page.close()


def test_each_unit_filter_has_its_swatch_inside_its_own_label(chromium, site, atlas):
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    labels = page.evaluate("[...document.querySelectorAll('.atlas-map-unit')].map(l => [l.querySelectorAll("
                           "'.atlas-map-swatch').length, l.innerText.trim()])")
    assert [n for n, _ in labels] == [1] * len(atlas.outline.units)
    assert [t.split()[0] for _, t in labels] == [u.id for u in atlas.outline.units]
    page.close()


@pytest.mark.parametrize("scheme, dark", [("light", False), ("dark", True)])
def test_the_map_follows_the_palette(chromium, site, scheme, dark):
    page, _ = open_map(chromium, (site / "map.html").as_uri(), color_scheme=scheme)
    background = page.evaluate("getComputedStyle(document.querySelector('#atlas-map .vis-network')).backgroundColor")
    channels = [int(x) for x in background[background.index("(") + 1:background.index(")")].split(",")[:3]]
    assert (sum(channels) < 200) == dark
    page.close()


def test_tooltips_are_narrow_plain_text(chromium, site):
    page, _ = open_map(chromium, (site / "map.html").as_uri(), {"width": 1366, "height": 900})
    point = page.evaluate("() => { const n = window.atlasMap.network; return n.canvasToDOM(n.getPositions("
                          "['topic:1.1.2'])['topic:1.1.2']); }")
    box = page.locator("#atlas-map canvas").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    tip = page.wait_for_selector("div.vis-tooltip", state="visible")
    text = tip.inner_text()
    assert text.startswith("1.1.2 随处可见的红黑树") and "O(log n)" in text
    assert "$" not in text and "\\log" not in text
    assert tip.bounding_box()["width"] <= 360
    frame, shown = page.locator("#atlas-map").bounding_box(), tip.bounding_box()
    assert frame["y"] <= shown["y"] and shown["y"] + shown["height"] <= frame["y"] + frame["height"]  # over the map
    page.close()


def test_cross_unit_edges_are_faded_until_a_topic_is_selected(chromium, site):
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    alpha = ("id => { const c = window.atlasMap.edges.get(id).color.color; "
             "return c.startsWith('rgba') ? parseFloat(c.split(',')[3]) : 1; }")
    cross = page.evaluate("window.atlasMap.edges.get().filter(e => e.cross && e.to === 'topic:4.1.2')[0].id")
    inner = page.evaluate("window.atlasMap.edges.get().filter(e => !e.cross)[0].id")
    assert page.evaluate(alpha, cross) < 0.3 and page.evaluate(alpha, inner) == 1
    page.evaluate("window.atlasMap.select('topic:4.1.2')")
    assert page.evaluate(alpha, cross) == 1 and page.evaluate(f"window.atlasMap.edges.get('{cross}').width") > 2
    page.close()


def test_other_scripts_get_the_network_once_it_is_drawn(chromium, site):
    page = chromium.new_page()
    page.add_init_script("document.addEventListener('atlas:map-ready', () => { window.__ready = "
                         "[!!window.atlasMap.network, window.atlasMap.nodes.get('topic:1.1.2').id, "
                         "window.atlasMap.edges.length > 0]; });")
    page.goto((site / "map.html").as_uri())
    page.wait_for_function("window.__ready")
    assert page.evaluate("window.__ready") == [True, "topic:1.1.2", True]
    page.evaluate("window.atlasMap.nodes.update({id: 'topic:1.1.2', color: {border: '#00ff00'}, borderWidth: 4})")
    page.evaluate("window.atlasMap.select('topic:1.1.1')")  # the map restyles; another script's border stays
    assert page.evaluate("window.atlasMap.nodes.get('topic:1.1.2').color.border") == "#00ff00"
    page.close()


def test_unwritten_topics_are_pale(chromium, mini, tmp_path, options):
    site = tmp_path / "site"
    build(Sources.for_syllabus(ROOT, mini), options(site))
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    written = page.evaluate("Object.values(window.atlasMap.topics).map(t => t.written)")
    assert set(written) == {False}
    fill = page.evaluate("window.atlasMap.nodes.get('topic:1.1.1').color.background")
    assert fill.lower() not in ("#3f51b5",)  # not the unit's own colour: a pale tint of it
    assert sum(int(fill[i:i + 2], 16) for i in (1, 3, 5)) > 3 * 200
    nav = (site / "topics" / "1.1.2.html").read_text(encoding="utf-8")
    assert "1.1.1 链表（未撰写）" in nav  # and the navigation says so too
    page.close()


def test_written_topics_have_their_units_colour(chromium, site):
    page, _ = open_map(chromium, (site / "map.html").as_uri())
    assert page.evaluate("window.atlasMap.nodes.get('topic:1.1.1').color.background") == "#3f51b5"
    page.close()
