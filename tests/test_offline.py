"""The built site from file://: no request leaves the disk on any page; Chinese search; palettes; print."""

from __future__ import annotations

import re

import pytest

from generator.outputs.search import build_index, search

from .browser import browser, remote

QUERIES = [("红黑树", "1.1.2"), ("时间轮", "3.2.3"), ("惊群", "4.3.2"), ("零拷贝", "5.2.3"), ("最左匹配", "4.1.2"),
           ("epoll", "2.1.1 2.4.3"), ("MVCC", "4.1.3"), ("raft", "8.2.1 11.1.3"), ("CAS", "3.2.1")]


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


REMOTE = re.compile(r"""(?:src|href|srcset|data)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|"""
                    r"""import\s*\(?\s*["'](?:https?:)?//""", re.I)


def test_no_page_refers_to_anything_remote_that_it_would_load(site):
    """Statically, every page and script: no resource from the network (links to read elsewhere are fine)."""
    offenders = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".js", ".css"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in REMOTE.finditer(text):
            context = text[max(0, m.start() - 40):m.end() + 60]
            if path.suffix == ".html" and re.search(r"<a\b[^>]*$", text[max(0, m.start() - 300):m.start()]):
                continue  # a link the reader may follow, not something the page loads
            if path.suffix == ".html" and text[max(0, m.start() - 22):m.start()] == '<link rel="canonical" ':
                continue  # where the page is hosted, never loaded
            offenders.append((str(path.relative_to(site)), context))
    assert len(list(site.rglob("*.html"))) > 100
    assert not offenders, offenders[:10]


KINDS = ["index.html", "topics/1.1.2.html", "chapters/1.1.html", "units/1.html", "preface/mysql.html",
         "tracks.html", "errata.html", "map.html", "guide.html", "404.html"]


@pytest.mark.parametrize("name", KINDS)
def test_one_page_of_each_kind_loads_only_local_files(chromium, site, name):
    page = chromium.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((site / name).as_uri(), wait_until="load")
    page.wait_for_timeout(200)
    assert remote(requests, "file://") == []
    page.close()


@pytest.mark.parametrize("query, topic_id", QUERIES)
def test_site_search_puts_the_right_topic_first(chromium, site, query, topic_id):
    page = chromium.new_page()  # a fresh page per query: no stale results from the previous one
    page.goto((site / "index.html").as_uri())
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material reads the query on keyup; fill() fires none
    first = page.locator(".md-search-result__item > a").first
    first.wait_for()
    assert first.get_attribute("href").split("?")[0].rsplit("/", 1)[-1].removesuffix(".html") in topic_id.split()
    page.close()


@pytest.mark.parametrize("query, topic_id", QUERIES)
def test_terminal_search_agrees(atlas, query, topic_id):
    assert search(build_index(atlas), query)[0].topic_id in topic_id.split()


def test_light_and_dark_palettes(chromium, site):
    page = chromium.new_page()
    page.goto((site / "topics" / "1.1.2.html").as_uri())
    before = page.get_attribute("body", "data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    after = page.get_attribute("body", "data-md-color-scheme")
    assert {before, after} == {"default", "slate"}
    page.close()


def test_print_stylesheet_hides_the_chrome_and_opens_answers(chromium, site):
    page = chromium.new_page()
    page.goto((site / "topics" / "1.1.2.html").as_uri())
    page.emulate_media(media="print")
    assert page.locator(".md-header").is_hidden()
    assert page.locator(".md-sidebar--primary").is_hidden()
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("[...document.querySelectorAll('details')].every(d => d.open)")
    page.close()
