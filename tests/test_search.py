"""Search: the segmentation of index and query (Python and the browser's client alike), the index (clean text,
written content only, compact), the ranking on the real atlas against the queries readers type
(tests/data/search-queries.txt), and the search box in a real browser typed key by key, from file:// and http."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.atlas import Sources, load_atlas
from generator.outputs.search import build_index, index_json, index_script, query_terms, read_terms, search
from generator.site.build import search_terms
from generator.views.searchtext import chunks, normalize, parts, pattern, plain_text, segment_cjk, tex_plain

from .browser import browser, remote, serve
from .conftest import ROOT

QUERIES = [tuple(line.split("\t")) for line in (Path(__file__).parent / "data" / "search-queries.txt")
           .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
MUST = [("红黑树", "1.1.2"), ("黑树", "1.1.2"), ("时间轮", "3.2.3"), ("零拷贝", "4.3.3 4.3.5 2.4.1"),
        ("最左匹配", "4.1.2"), ("B+树", "1.1.3 4.1.2"), ("B+ 树", "1.1.3 4.1.2"), ("b+tree", "1.1.3 4.1.2"),
        ("epoll", "2.1.1"), ("一致性哈希", "1.1.4 4.1.5"), ("redis 持久化", "4.2.5"), ("hhs", "1.1.2")]
VOCAB = frozenset(["最左匹配", "最左", "匹配", "红黑树", "旋转", "持久化", "时间轮"])


# ---- segmentation: the same rules for the index and the query -------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("B+树", ["b+树"]), ("B+ 树", ["b+", "树"]), ("b+tree", ["b+tree"]), ("C++", ["c++"]),
    ("TIME_WAIT", ["time_wait"]), ("-O2", ["-o2"]), ("redis 持久化", ["redis", "持久化"]),
    ("零拷贝", ["零拷贝"]), ("ｅｐｏｌｌ　模型", ["epoll", "模型"]), ("红黑树，旋转。", ["红黑树", "旋转"]),
    ("  -- x. ", ["x"]), ("“回表”", ["回表"])])
def test_a_query_splits_on_spaces_and_punctuation_only(query, expected):
    assert chunks(query) == expected


@pytest.mark.parametrize("chunk, expected", [
    ("最左前缀匹配", ["最左", "前缀", "匹配"]), ("红黑树的旋转", ["红黑树", "旋转"]),
    ("redis持久化", ["redis", "持久化"]), ("b+树", ["b+", "树"]), ("最左匹配", []), ("黑树", []), ("epoll", [])])
def test_a_term_falls_back_to_its_dictionary_words(chunk, expected):
    vocab = VOCAB | {"前缀"}
    assert parts(chunk, vocab) == expected


def test_dictionary_words_beat_single_characters():
    assert segment_cjk("最左匹配原则", frozenset({"最左", "匹配", "最左匹配", "原则"})) == ["最左匹配", "原则"]
    assert segment_cjk("未知字", frozenset()) == ["未", "知", "字"]


@pytest.mark.parametrize("term, text, found", [
    ("b+tree", "b+ tree", True), ("b+树", "b+ 树", True), ("b+树", "b+树", True), ("黑树", "随处可见的红黑树", True),
    ("io", "ratio", False), ("io", "网络 io 模型", True), ("epoll", "epoll_wait", True), ("c++", "c++17", True),
    ("-o2", "cc -o2 -wall", True), ("time_wait", "进入 time_wait 状态", True), ("零拷贝", "零 拷贝", False)])
def test_a_term_matches_the_text_the_index_holds(term, text, found):
    assert bool(re.search(pattern(term), normalize(text))) == found


def test_normalize_keeps_every_character_in_place():
    text = "Ｂ＋树　ＥＰＯＬＬ，红黑树"
    assert normalize(text) == "b+树 epoll,红黑树" and len(normalize(text)) == len(text)


def test_plain_text_has_no_markup_and_no_tex():
    md = ('**红黑树**的高度是 $O(\\log n)$，栈深 $O(\\text{栈深})$，见 [rbtree.h](https://x.org/a.h)。\n\n'
          '```dot\ndigraph { a -> b }\n```\n\n```c\nepoll_wait(fd);\n```\n\n'
          '!!! note "提示"\n    `TIME_WAIT` &lt;2MSL&gt;\n\n'
          '| 操作 | 复杂度 |\n|---|---|\n| 插入 | $W$ |\n\n<div class="x">块</div>')
    text = plain_text(md)
    assert text == ("红黑树的高度是 O(log n)，栈深 O(栈深)，见 rbtree.h。 epoll_wait(fd); 提示 TIME_WAIT <2MSL> "
                    "操作 复杂度 插入 W 块")
    assert plain_text("`$(MAKE) -C $@` 与 `#include <stdio.h>`") == "$(MAKE) -C $@ 与 #include <stdio.h>"
    assert tex_plain(r"2\log_2(n+1) \le W") == "2 log_2(n+1) ≤ W"


def test_synonyms_from_the_dictionary_join_one_term():
    words, synonyms = read_terms("# comment\n红黑树 2000 n\n零拷贝 = zero copy | zerocopy\nB+树 = b+tree\n")
    assert words == ["红黑树", "零拷贝", "B+树"]
    assert query_terms("Zero Copy 原理", tuple(synonyms)) == [("零拷贝", "zero copy", "zerocopy"), ("原理",)]
    assert query_terms("b+tree", tuple(synonyms)) == [("b+tree", "b+树")]


# ---- the index --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_index():
    sources = Sources.default(ROOT)
    return build_index(load_atlas(sources), search_terms(sources))


def test_unwritten_topics_are_not_indexed(mini):
    index = build_index(load_atlas(Sources.for_syllabus(ROOT, mini)))
    assert index.pages == () and index.docs == ()


def test_unwritten_points_are_not_indexed(tmp_path, mini):
    (mini.parent / "topics").mkdir()
    (mini.parent / "topics" / "1.1.1.md").write_text(
        "---\ntitle_en: Lists\nsummary: 链表的概要。\nhours: 1\n---\n\n## 单链表\n\n单链表的讲解，$O(n)$ 查找。\n",
        encoding="utf-8")
    index = build_index(load_atlas(Sources.for_syllabus(ROOT, mini)))
    assert [p.url for p in index.pages] == ["topics/1.1.1.html"]
    assert [(d.anchor, d.heading, d.text) for d in index.docs] == [
        ("", "概要", "链表的概要。"), ("point-1", "单链表", "单链表的讲解，O(n) 查找。")]
    assert "双链表" not in index_script(index)
    assert [h.topic_id for h in search(index, "lb")] == ["1.1.1"]  # 链表 by its initials


def test_the_index_is_utf8_clean_text_and_inert_in_a_script(real_index):
    script = index_script(real_index)
    assert script.startswith("window.__atlasSearch={") and "红黑树" in script and "\\u7ea2" not in script
    assert "<" not in script and "</script" not in script.lower()
    data = json.loads(script[len("window.__atlasSearch="):-2])
    assert data == json.loads(json.dumps(index_json(real_index)))
    texts = [d[4] for d in data["docs"]] + [d[2] for d in data["docs"]]
    assert not [t for t in texts if re.search(r"\\[a-z]+\{|\\\(|\\log|\\frac|\$O\(|```|\{#", t)]
    rbtree = next(d[4] for d in data["docs"] if d[2] == "概要" and data["pages"][d[0]][1].startswith("1.1.2 "))
    assert "O(log n)" in rbtree
    # every written topic (100 of the source, 22 of the supplement) and the two written preface sections
    assert len(data["pages"]) == 122 + 2


@pytest.mark.parametrize("query, expected", QUERIES)
def test_terminal_search_finds_the_page_that_teaches_it(real_index, query, expected):
    top = [h.topic_id for h in search(real_index, query, 3)]
    assert set(top) & set(expected.split()), (query, top)


def test_pages_with_every_term_come_first(real_index):
    hits = search(real_index, "redis 持久化", 30)
    full = [h for h in hits if not h.missing]
    assert full and hits[: len(full)] == full
    assert all(not h.missing for h in hits[:5])
    assert search(real_index, "redis 量子纠缠")[0].missing == ("量子纠缠",)


# ---- the search box in a real browser, typed key by key ---------------------------------------------------------

DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
BOX = "input.md-search__input"
RESULTS = "[data-atlas-search-result]"


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.fixture(scope="module")
def box_page(chromium, site):
    """One topic page whose search box every query of the list is typed into, one after another."""
    page = chromium.new_page(viewport=DESKTOP)
    page.goto((site / "topics" / "1.1.1.html").as_uri())
    yield page
    page.close()


def type_query(page, query: str) -> list[str]:
    """Clear the box, type the query key by key, wait for the list that answers it; the top pages' hrefs."""
    box = page.locator(BOX)
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    box.press_sequentially(query, delay=20)
    page.wait_for_function("q => document.querySelector('[data-atlas-search-result]')"
                           ".getAttribute('data-atlas-query') === q", arg=query, timeout=10000)
    return [a.get_attribute("href") for a in page.locator(f"{RESULTS} .md-search-result__item > a:first-child").all()]


def topic_ids(hrefs: list[str]) -> list[str]:
    return [urlsplit(h).path.rsplit("/", 1)[-1].removesuffix(".html") for h in hrefs]


@pytest.mark.parametrize("query, expected", MUST + QUERIES)
def test_typed_query_puts_a_right_page_in_the_top_three(box_page, query, expected):
    top = topic_ids(type_query(box_page, query))[:3]
    assert set(top) & set(expected.split()), (query, top)


def test_the_browser_segments_and_ranks_as_the_index_build_does(box_page, real_index):
    """The client's rules against the generator's: same terms, same fallback words, same patterns, same order."""
    type_query(box_page, "红黑树")  # loads the index
    vocab = sorted(real_index.vocabulary)
    inputs = ["B+树", "B+ 树", "b+tree", "C++", "TIME_WAIT", "-O2", "ｅｐｏｌｌ　模型", "红黑树的旋转",
              "最左前缀匹配原则", "redis持久化", "zero copy", "“回表”", "  -- x. ", "io_uring", "2PC 两阶段提交"]
    js = box_page.evaluate("""([inputs, vocab]) => { const t = window.atlasSearchText, v = new Set(vocab);
        return inputs.map(q => ({chunks: t.chunks(q), parts: t.chunks(q).map(c => t.parts(c, v)),
                                 patterns: t.chunks(q).map(t.pattern), normalized: t.normalize(q)})); }""",
                           [inputs, vocab])
    vocabulary = frozenset(vocab)
    assert js == [{"chunks": chunks(q), "parts": [parts(c, vocabulary) for c in chunks(q)],
                   "patterns": [pattern(c) for c in chunks(q)], "normalized": normalize(q)} for q in inputs]
    queries = [q for q, _ in MUST + QUERIES] + ["红黑树的旋转", "redis 量子纠缠", "mysql 事务 隔离"]
    ranked = box_page.evaluate("qs => qs.map(q => window.atlasSearch.search(q).slice(0, 8)"
                               ".map(h => [h.page.url, h.score, h.missing]))", queries)
    assert ranked == [[[h.url, h.score, list(h.missing)] for h in search(real_index, q, 8)] for q in queries]


def page_weight(site: Path, requests: list[str]) -> int:
    return sum((site / unquote(urlsplit(r).path).removeprefix(str(site)).lstrip("/")).stat().st_size
               for r in requests if r.startswith("file://"))


def test_a_topic_page_loads_the_index_only_when_the_box_is_focused(chromium, site):
    page = chromium.new_page(viewport=DESKTOP)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((site / "topics" / "4.1.2.html").as_uri(), wait_until="load")
    page.wait_for_timeout(200)
    assert not [r for r in requests if "search_index" in r]
    own = [r for r in requests if re.search(r"/assets/search\.(js|css)$", r)]
    assert len(own) == 2 and page_weight(site, own) < 40_000  # all that search adds before the box is used
    assert topic_ids(type_query(page, "回表"))[0] == "4.1.2"
    assert len([r for r in requests if r.endswith("search/search_index.js")]) == 1
    assert remote(requests, "file://") == []
    page.close()


def test_search_over_http_makes_no_other_request(chromium, site):
    with serve(site) as base:
        page = chromium.new_page(viewport=DESKTOP)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{base}/topics/2.1.1.html")
        assert topic_ids(type_query(page, "零拷贝"))[:3]
        assert topic_ids(type_query(page, "一致性哈希"))[0] in ("1.1.4", "4.1.5")
        assert remote(requests, base) == []
        page.close()


@pytest.mark.parametrize("query", ["黑树", "最左匹配", "零拷贝", "O(log n)", "B+树", "hhs"])
def test_results_are_clean_text_with_the_words_marked(box_page, query):
    hrefs = type_query(box_page, query)
    html = box_page.inner_html(RESULTS)
    text = box_page.inner_text(RESULTS)
    assert "<mark>" in html
    assert not re.search(r"\\\(|\\[a-z]+\{|\$[^$]*\\|\*\*|&amp;[a-z]+;", text), text[:300]
    links = box_page.locator(f"{RESULTS} a.md-search-result__link").all()
    assert links and all(parse_qs(urlsplit(a.get_attribute("href")).query).get("h", [""])[0].strip() for a in links)
    assert hrefs


def test_a_pinyin_query_marks_the_characters_it_stands_for(box_page):
    hrefs = type_query(box_page, "hhs")
    assert topic_ids(hrefs)[0] == "1.1.2" and parse_qs(urlsplit(hrefs[0]).query)["h"] == ["hhs 红黑树"]
    assert "<mark>红黑树</mark>" in box_page.inner_html(f"{RESULTS} .md-search-result__item h1")


def test_the_opened_page_scrolls_to_the_marked_words(chromium, site):
    page = chromium.new_page(viewport=DESKTOP)
    page.goto((site / "index.html").as_uri())
    type_query(page, "最左匹配")
    section = page.locator(f"{RESULTS} .md-search-result__item a[href*='#point-']").first
    href = section.get_attribute("href")
    assert "topics/4.1.2.html?h=" in href
    section.click()
    page.wait_for_url(re.compile(r".*/topics/4\.1\.2\.html\?h=.+#point-\d+$"))
    marks = page.locator("mark[data-md-highlight]")
    marks.first.wait_for()
    assert "最左匹配" in [m.inner_text() for m in marks.all()]
    in_view = page.evaluate("""() => [...document.querySelectorAll('mark[data-md-highlight]')]
        .filter(m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })
        .map(m => m.textContent)""")
    assert "最左匹配" in in_view
    page.close()


def test_keyboard_slash_arrows_enter_and_escape(chromium, site):
    page = chromium.new_page(viewport=DESKTOP)
    page.goto((site / "topics" / "1.1.1.html").as_uri())
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type("epoll", delay=20)
    page.wait_for_function("document.querySelector('[data-atlas-search-result]')"
                           ".getAttribute('data-atlas-query') === 'epoll'")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first and "topics/2." in first
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")
    page.keyboard.press("/")
    page.keyboard.press("Enter")  # Enter in the box opens the first result
    page.wait_for_url(re.compile(r".*/topics/2\.\d\.\d\.html\?h=epoll$"))
    page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_search_opens_from_the_header_button(chromium, site, scheme):
    page = chromium.new_page(viewport=PHONE, color_scheme=scheme, is_mobile=True, has_touch=True)
    page.goto((site / "topics" / "3.2.3.html").as_uri())
    assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
    assert not page.evaluate("document.getElementById('__search').checked")
    page.locator("label.md-header__button[for=__search]").click()
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type("时间轮", delay=20)
    page.wait_for_function("document.querySelector('[data-atlas-search-result]')"
                           ".getAttribute('data-atlas-query') === '时间轮'")
    first = page.locator(f"{RESULTS} .md-search-result__item > a").first
    assert first.is_visible() and "topics/3.2.3.html" in first.get_attribute("href")
    page.close()
