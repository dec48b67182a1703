"""The built site: pages, links and anchors, escaping, determinism, any-syllabus builds, failing snippets."""

from __future__ import annotations

import html as html_lib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.atlas import Sources
from generator.ground.model import AtlasError
from generator.site.build import build
from generator.site.serve import refresh

from .conftest import ROOT
from .test_outline import SLIPS


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "canonical":
            return  # where the page is hosted, never loaded
        if "id" in a:
            self.ids.add(a["id"])
        if "name" in a and tag == "a":
            self.ids.add(a["name"])
        for key in ("href", "src", "xlink:href"):
            if a.get(key):
                self.refs.append((tag, a[key]))


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_every_page_exists(site, atlas):
    for topic in atlas.outline.topics:
        assert (site / "topics" / f"{topic.id}.html").is_file()
    for chapter in atlas.outline.chapters:
        assert (site / "chapters" / f"{chapter.id}.html").is_file()
    for name in ["index.html", "tracks.html", "errata.html", "preface/mysql.html", "preface/redis.html",
                 "graph/atlas.json", "graph/atlas.graphml", "graph/atlas-map.svg", "search/search_index.js"]:
        assert (site / name).is_file(), name


def test_no_broken_internal_link_or_anchor(site):
    pages = {p: parse(p) for p in site.rglob("*.html")}
    broken = []
    for page, links in pages.items():
        for tag, ref in links.refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("//", "mailto:", "data:", "javascript:")):
                if tag in ("script", "link", "img") and parts.scheme in ("http", "https"):
                    broken.append((page, ref, "remote resource"))
                continue
            base = site if parts.path.startswith("/") else page.parent  # 404.html links from the site root
            target = (base / unquote(parts.path).lstrip("/")).resolve() if parts.path else page
            if not target.exists():
                broken.append((page.relative_to(site), ref, "missing file"))
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append((page.relative_to(site), ref, "missing anchor"))
    assert not broken, broken[:20]


def test_topic_page_anatomy(site, atlas):
    html = html_lib.unescape((site / "topics" / "1.1.1.html").read_text(encoding="utf-8"))
    assert "1.1.1 面试必聊的排序与KMP" in html
    assert atlas.contents["1.1.1"].title_en in html
    assert 'href="1.1.2.html"' in html  # unlocks 1.1.2
    assert "完整学习路径" in html and "<details" in html
    for point in atlas.topic("1.1.1").points:
        assert point.title in html
    assert "冒泡排序与选择排序" in html and "勘误" in html and "第 39 行" in html
    for ref in atlas.contents["1.1.1"].references:
        assert ref.url in html
    questions = re.findall(r'<details class="question"', html)
    assert len(questions) == len(atlas.contents["1.1.1"].questions)
    assert "<svg" in html  # the neighbourhood map


def test_pages_carry_the_real_snippet_output(site, atlas):
    """The first output line of every snippet that ran is printed on its topic page."""
    results = {k: r for k, r in atlas.results.items() if r.status == "ok"}
    assert results, "the session build ran no snippet"
    for key, result in results.items():
        topic_id = key.split("/")[0]
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", (site / "topics" / f"{topic_id}.html").read_text(
            encoding="utf-8")))
        first = next((line for line in result.stdout.split("\n") if line.strip()), "")
        assert " ".join(first.split()) in " ".join(text.split()), (key, first)  # Markdown expands tabs


def test_home_counts_and_tracks(site, atlas):
    html = (site / "index.html").read_text(encoding="utf-8")
    # topics and points: 100 and 519 of the source, 22 and 82 of the supplement
    assert "<strong>122/122</strong> 主题已撰写" in html and "<strong>601</strong> 要点" in html
    tracks = (site / "tracks.html").read_text(encoding="utf-8")
    for track in atlas.spec.tracks:
        assert track.title in tracks


def test_render_writes_the_project_mkdocs_builds_as_it_is_and_the_same_input_gives_the_same_site(
        site, cache_dir, tmp_path):
    """`atlas render` in another process with another hash seed, then plain `mkdocs build`: the very same site."""
    project = tmp_path / "project"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "NO_MKDOCS_2_WARNING": "1"}
    rendered = subprocess.run([sys.executable, "-m", "generator", "--cache-dir", str(cache_dir), "render", "--out",
                               str(project)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert rendered.returncode == 0, rendered.stderr
    assert (project / "mkdocs.yml").is_file() and (project / "docs" / "topics" / "1.1.2.md").is_file()
    assert (project / "docs" / "study-guide.pdf").is_file()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=env,
                   check=True, capture_output=True, timeout=600)
    again = project / "site"
    kinds = (".html", ".json", ".js", ".svg", ".graphml", ".pdf")
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.suffix in kinds}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.suffix in kinds}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_any_syllabus_builds_and_says_what_is_missing(mini, tmp_path, options):
    site = tmp_path / "site"
    build(Sources.for_syllabus(ROOT, mini), options(site))
    page = (site / "topics" / "1.1.1.html").read_text(encoding="utf-8")
    assert "本主题尚未撰写" in page and "单链表" in page
    assert (site / "topics" / "2.1.0.html").is_file()  # chapter 2.1 lists a point directly
    assert "还没有定义学习路线" in (site / "tracks.html").read_text(encoding="utf-8")


def test_hostile_titles_are_escaped(mini, tmp_path, options):
    mini.write_text("1 <script>alert(1)</script>\n1.1 *bold* [x](javascript:alert(1))\n"
                    "1.1.1 <img src=x onerror=alert(1)>\n- `code` & <b>b</b> $x$\n", encoding="utf-8")
    site = tmp_path / "site"
    build(Sources.for_syllabus(ROOT, mini), options(site))
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<img src=x" not in html and "<script>alert" not in html and "<b>b</b>" not in html, page
        assert 'href="javascript:' not in html, page
    topic = (site / "topics" / "1.1.1.html").read_text(encoding="utf-8")
    assert "&lt;img src" in topic and "<img src=x onerror=alert(1)>" in html_lib.unescape(topic)


def test_failing_snippet_fails_the_build_and_keeps_the_old_site(mini, tmp_path, options):
    folder = mini.parent / "snippets" / "1.1.1"
    folder.mkdir(parents=True)
    (folder / "broken.py").write_text("# caption: 坏的\nimport sys\nsys.exit('the invariant broke')\n",
                                      encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(AtlasError) as err:
        build(Sources.for_syllabus(ROOT, mini), options(site))
    assert "broken.py of topic 1.1.1" in str(err.value) and "the invariant broke" in str(err.value)
    assert (site / "index.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini", "site"]  # no temporary folder left


def test_an_outline_with_the_usual_slips_builds_with_no_errata_file(tmp_path, options):
    """Another curriculum as a new user would bring it: a preamble, `3。1`, a repeated id, `- 一 …` points, a chapter
    with points directly under it. No errata, no code change: it builds, and every fix is shown."""
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "syllabus.txt").write_text(SLIPS, encoding="utf-8")
    site = tmp_path / "site"
    build(Sources.for_syllabus(ROOT, folder / "syllabus.txt"), options(site, pdf=False))
    errata = html_lib.unescape((site / "errata.html").read_text(encoding="utf-8"))
    assert "自动更正" in errata and "1.1.2 堆" in errata and "1.1.3 堆" in errata and "1。2 架构" in errata
    assert "前言：这是我整理的大纲" in errata  # the preamble, listed as not used
    assert f"本站的大纲来自 <code>{folder / 'syllabus.txt'}</code>" in errata  # the path as it is, no `&#46;`
    assert "没有人工勘误" in errata and "<td></td>" not in errata  # no errata file: a sentence, not an empty table
    topic = html_lib.unescape((site / "topics" / "1.1.3.html").read_text(encoding="utf-8"))
    assert "小顶堆" in topic and "1.1.2 堆" in topic  # the page shows the fix of its own heading
    assert (site / "topics" / "1.2.0.html").is_file()
    assert f"<code>{folder / 'topics' / '1.1.3.md'}</code> 不存在" in topic  # where to write it, as it is


def test_data_text_in_a_code_span_shows_as_it_is():
    from generator.ground.markup import code

    assert code("data/syllabus.txt") == "`data/syllabus.txt`"
    assert code("a `b` c") == "``a `b` c``" and code("`x`") == "`` `x` ``"
    assert code("two\nlines") == "`two lines`"


def test_live_preview_rewrites_only_the_pages_an_edit_changes(mini, tmp_path, options):
    """`atlas serve` keeps a rendered project and, after an edit, rewrites only files whose bytes changed."""
    sources = Sources.for_syllabus(ROOT, mini)
    opts = options(tmp_path / "unused", pdf=False)
    project = tmp_path / "project"
    first = refresh(sources, opts, project)
    assert "mkdocs.yml" in first and "docs/topics/1.1.2.md" in first and "docs/index.md" in first
    assert refresh(sources, opts, project) == []  # nothing changed, nothing written
    mini.write_text(mini.read_text(encoding="utf-8").replace("- 栈\n", "- 栈与单调栈\n"), encoding="utf-8")
    changed = refresh(sources, opts, project)
    assert "docs/topics/1.1.2.md" in changed and "docs/topics/1.1.1.md" not in changed
    assert "单调栈" in (project / "docs" / "topics" / "1.1.2.md").read_text(encoding="utf-8")


def test_the_flame_graph_drawn_at_build_time_is_on_its_page(site, atlas):
    result = atlas.results["7.3.0/flamegraph.py"]
    assert [name for name, _ in result.figures] == ["flame.svg"]
    page = (site / "topics" / "7.3.0.html").read_text(encoding="utf-8")
    assert '<img src="../snippets/7.3.0/flamegraph-flame.svg"' in page
    drawn = (site / "snippets" / "7.3.0" / "flamegraph-flame.svg").read_text(encoding="utf-8")
    assert drawn == result.figures[0][1] and "compress_reply" in drawn


def test_every_topic_page_describes_itself_from_its_summary(site, atlas):
    descriptions = set()
    for topic in atlas.outline.topics:
        page = (site / "topics" / f"{topic.id}.html").read_text(encoding="utf-8")
        found = re.findall(r'<meta name="description" content="([^"]*)"', page)
        assert len(found) == 1, topic.id
        descriptions.add(found[0])
        assert "$" not in found[0] and "`" not in found[0] and "\\" not in found[0], (topic.id, found[0])
    assert len(descriptions) == len(atlas.outline.topics)  # one of its own per page, not the site's
    page = html_lib.unescape((site / "topics" / "1.1.2.html").read_text(encoding="utf-8"))
    assert "O(log n)" in re.findall(r'<meta name="description" content="([^"]*)"', page)[0]


def test_question_titles_escape_html_but_not_code_twice():
    from generator.ground.markup import title

    assert title('为什么写 `cd dir && make`？<b>x</b> & "y"') == \
        '为什么写 `cd dir && make`？&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;'
