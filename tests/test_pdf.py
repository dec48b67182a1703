"""The PDF study guide: every unit, chapter and topic is in the text and the bookmarks, snippet output is printed,
Chinese is drawn with an embedded CJK font (never boxes), and a learning-path guide holds only its path."""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.atlas import Sources, load_atlas
from generator.ground.model import AtlasError, SnippetResult
from generator.inputs.graph import learning_path
from generator.outputs import pdf as pdfout
from generator.outputs import pdfparts, printcode, studyguide, svgtext
from generator.outputs.tex import tex_html
from generator.site.mkdocs import markdown_extensions
from generator.views.diagrams import render_dot

from .conftest import ROOT

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in ("pdftotext", "pdffonts", "pdftohtml")),
                                reason="poppler-utils (pdftotext, pdffonts, pdftohtml) is not installed")

FAKE_OUTPUT = "ATLAS-PDF-TEST-OUTPUT"
# Guides laid out here use topics with little code (a 1.1.x topic holds 700-1,000 lines, 10 s of layout): 6.3.1 has
# three snippets, and 6.3.3 needs only 6.3.1.
LIGHT, LIGHT_GOAL = "6.3.1", "6.3.3"
DIALECT = markdown_extensions(ROOT)


def squash(text: str) -> str:
    """PDF text breaks lines wherever the layout did: compare without white space."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def bookmarks(pdf: Path) -> list[tuple[int, str]]:
    """(level, title) of every PDF outline entry, in order, read with poppler's pdftohtml (no pip dependency)."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-f", "1", "-l", "1", str(pdf)],
                         capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(xml)
    found: list[tuple[int, str]] = []

    def walk(outline: ET.Element, level: int) -> None:
        for child in outline:
            if child.tag == "item":
                found.append((level, " ".join("".join(child.itertext()).split())))
            elif child.tag == "outline":
                walk(child, level + 1)

    top = root.find("outline")
    if top is not None:
        walk(top, 1)
    return found


class Collect(logging.Handler):
    """WeasyPrint's warnings, kept: a `.notdef glyph` warning means a box was printed."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def render(cache_dir):
    return functools.partial(render_dot, cache_dir=cache_dir / "diagrams")


@pytest.fixture(scope="module")
def guide(render):
    def make(atlas, **kw) -> str:
        return studyguide.guide_html(atlas, render, dialect=DIALECT, **kw)
    return make


@pytest.fixture(scope="module")
def guide_atlas():
    """The real atlas, snippets not run, except three (LIGHT's) with a known fake output."""
    atlas = load_atlas(Sources.default(ROOT))
    specs = [s for s in atlas.specs() if s.topic_id == LIGHT][:3]
    return atlas.with_results({s.key: SnippetResult(s.key, "ok", 0, f"{FAKE_OUTPUT} {i} <&> 中文\n", "", 0.01)
                               for i, s in enumerate(specs)})


@pytest.fixture(scope="module")
def small_guide(guide_atlas, guide, tmp_path_factory) -> tuple[Path, list[logging.LogRecord]]:
    """A two-topic guide (LIGHT with the fake outputs, then one whose snippets did not run), laid out here with
    WeasyPrint's warnings kept."""
    html = guide(guide_atlas, topic_ids=[LIGHT, LIGHT_GOAL])
    target = tmp_path_factory.mktemp("pdf") / "guide.pdf"
    handler = Collect()
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        pdfout.write_pdf(html, target)
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    return target, handler.records


def test_every_unit_and_topic_is_in_the_text(atlas, guide_text):
    """The session build's guide: every unit and topic; written points have their text, unwritten are listed."""
    text = squash(guide_text)
    for unit in atlas.outline.units:
        assert squash(f"{unit.id} {unit.title}") in text
    missing = [t.id for t in atlas.outline.topics if squash(f"{t.id} {t.title}") not in text]
    assert not missing, f"topics missing from the PDF text: {missing}"
    assert squash("后台开发知识图谱") in text
    if len(atlas.contents) < len(atlas.outline.topics):
        assert squash("本章尚未撰写的主题") in text


def test_real_snippet_output_is_printed(atlas, guide_text):
    text = squash(guide_text)
    printed = [r for r in atlas.results.values() if r.status == "ok" and r.stdout.strip()]
    assert printed
    missing = [r.key for r in printed if squash(r.stdout.strip().split("\n")[0]) not in text]
    assert not missing, missing


def test_fake_output_and_a_snippet_not_run_are_printed_as_such(guide_atlas, small_guide):
    text = pdf_text(small_guide[0])
    shown = [i for i in range(3) if f"{FAKE_OUTPUT} {i} <&> 中文" in text]
    assert shown and "本次构建没有运行这段代码" in text


def test_chinese_is_drawn_with_an_embedded_cjk_font(small_guide):
    target, records = small_guide
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in re.sub(r"[ -]", "", line)]
    assert cjk and all(" yes " in line for line in cjk), fonts
    text = pdf_text(target)
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 2000
    assert "\ufffd" not in text and "□" not in text
    notdef = [r.getMessage() for r in records if ".notdef" in r.getMessage()]
    assert not notdef, notdef


def test_bookmarks_are_units_chapters_topics(atlas, site):
    expected = []
    for unit in atlas.outline.units:
        expected.append((1, f"{unit.id} {unit.title}"))
        for chapter in unit.chapters:
            expected.append((2, f"{chapter.id} {chapter.title}"))
            written = [t for t in chapter.topics if t.id in atlas.contents]
            expected += [(3, f"{t.id} {t.title}") for t in written]
            expected += [(3, f"{t.id} {t.title}") for t in chapter.topics if t.id not in atlas.contents]
    found = bookmarks(site / "study-guide.pdf")
    assert [(level, squash(title)) for level, title in found] == [(level, squash(t)) for level, t in expected]


def test_learning_path_guide_holds_only_its_path_in_order(guide_atlas, guide, tmp_path):
    path = learning_path(guide_atlas.graph, LIGHT_GOAL)
    assert len(path) > 1
    html = guide(guide_atlas, topic_ids=path, title="学习路径")
    target = tmp_path / "path.pdf"
    pdfout.write_pdf(html, target)
    titles = [f"{t} {guide_atlas.topic(t).title}" for t in path]
    assert [(level, squash(t)) for level, t in bookmarks(target)] == [(1, squash(t)) for t in titles]
    text = squash(pdf_text(target))
    goal = guide_atlas.topic(LIGHT_GOAL)
    assert squash(f"为了学会 {LIGHT_GOAL} {goal.title}，需要按顺序学习以下 {len(path)} 个主题") in text


def test_unknown_topic_is_an_error(guide_atlas, guide):
    with pytest.raises(AtlasError, match="no topic 99.9.9"):
        guide(guide_atlas, topic_ids=["1.1.1", "99.9.9"])


def test_html_is_deterministic_and_escaped(guide_atlas, guide):
    first = guide(guide_atlas, topic_ids=["1.1.1"], title="<b>标题</b> & co")
    assert first == guide(guide_atlas, topic_ids=["1.1.1"], title="<b>标题</b> & co")
    assert "&lt;b&gt;标题&lt;/b&gt; &amp; co" in first and "<b>标题</b>" not in first
    assert "xlink:href" not in first  # no site links left in the neighbourhood map


def test_pdf_is_byte_identical_and_cached_by_its_html(guide_atlas, guide, tmp_path):
    html = guide(guide_atlas, topic_ids=[LIGHT, LIGHT_GOAL])
    for name in ("a.pdf", "b.pdf"):
        pdfout.write_pdf(html, tmp_path / name)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert not list(tmp_path.glob("*.part"))
    assert pdfout.write_pdf_cached(html, tmp_path / "c.pdf", tmp_path / "cache") is False
    assert pdfout.write_pdf_cached(html, tmp_path / "d.pdf", tmp_path / "cache") is True
    assert (tmp_path / "c.pdf").read_bytes() == (tmp_path / "d.pdf").read_bytes() == (tmp_path / "a.pdf").read_bytes()


@pytest.mark.parametrize("tex, text", [
    (r"O(n\log n)", "O(n log n)"),
    (r"0 \le m < n", "0 ≤ m &lt; n"),
    (r"\lceil\log_2 n\rceil", "⌈log<sub>2</sub> n⌉"),
    (r"n^2 \cdot \frac{1}{1-p}", "n<sup>2</sup> · 1/(1-p)"),
    (r"\alpha \times \beta \ge \infty", "α × β ≥ ∞"),
    (r"\sum_{i=1}^{h} x_i", "∑<sub>i=1</sub><sup>h</sup> x<sub>i</sub>"),
])
def test_tex_becomes_readable_text(tex, text):
    assert tex_html(tex) == f'<span class="math">{text}</span>'


def test_unreadable_tex_is_shown_as_written():
    assert tex_html(r"\begin{aligned} a &= b \end{aligned}") == \
        r'<code class="tex">\begin{aligned} a &amp;= b \end{aligned}</code>'


def test_characters_no_font_has_print_as_code_points():
    assert pdfout.without_tofu("a中𝄞b", [(0x20, 0x7E), (0x4E00, 0x9FFF)]) == "a中[U+1D11E]b"


def test_missing_cjk_font_names_the_debian_package(monkeypatch):
    def no_fonts(*args, **kwargs):
        return subprocess.CompletedProcess(args[0], 0, stdout="", stderr="")

    monkeypatch.setattr(pdfout.subprocess, "run", no_fonts)
    with pytest.raises(AtlasError) as info:
        pdfout.check_cjk_font()
    assert str(info.value) == ("fc-list :lang=zh: no font with Chinese characters is installed, the PDF would show "
                               "empty boxes; install one with `apt-get install fonts-noto-cjk`")

    def no_fc_list(*args, **kwargs):
        raise FileNotFoundError("fc-list")

    monkeypatch.setattr(pdfout.subprocess, "run", no_fc_list)
    with pytest.raises(AtlasError, match="apt-get install fonts-noto-cjk"):
        pdfout.check_cjk_font()


def test_unwritten_topics_of_a_chapter_are_one_table_not_a_page_each(mini, guide):
    html = guide(load_atlas(Sources.for_syllabus(ROOT, mini)))
    assert html.count('<table class="unwritten-topics">') == 2  # chapters 1.1 and 2.1 have no written topic
    assert '<th class="topic-ref" id="topic-1.1.1">1.1.1 链表</th><td>单链表；双链表</td>' in html
    assert '<article class="topic' not in html


@pytest.fixture
def split_guide(mini, guide, tmp_path) -> Path:
    """A whole guide of three units (the third from a supplement) laid out unit by unit in two processes."""
    (mini.parent / "supplement.txt").write_text("3 补充\n3.1 对比\n3.1.1 横向对比\n- 链表与数组\n", encoding="utf-8")
    html = guide(load_atlas(Sources.for_syllabus(ROOT, mini)))
    assert len(pdfparts.split(html).units) == 3
    target = tmp_path / "whole.pdf"
    pdfout.write_pdf(html, target, workers=2)
    return target


def test_a_guide_laid_out_in_parts_keeps_labels_bookmarks_and_links(split_guide):
    import pikepdf

    with pikepdf.open(split_guide) as pdf:
        labels = [page.label for page in pdf.pages]
        assert labels[0] == "i" and labels[-2:] == ["3-1", "3-2"]
        assert [label for label in labels if "-" in label] == ["1-1", "1-2", "2-1", "2-2", "3-1", "3-2"]
        # every internal link lands on the page its anchor is on, across the parts too (the contents link them all)
        dests = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        page_of = {page.objgen: i for i, page in enumerate(pdf.pages)}
        annots = [a for page in pdf.pages for a in page.obj.get("/Annots") or []]
        targets = [str(a.Dest) for a in annots if "/Dest" in a]
        assert {"unit-1", "unit-2", "unit-3", "topic-3.1.1"} <= set(targets)
        assert all(t in dests for t in targets)
        assert not [a for a in annots if "/A" in a and "/URI" in a.A]  # no link left pointing at another part
        assert labels[page_of[dests["topic-3.1.1"][0].objgen]] == "3-2"
        assert str(pdf.docinfo.Title) and str(pdf.Root.Lang) == "zh-Hans"
    assert [(level, squash(t)) for level, t in bookmarks(split_guide)] == [
        (1, "1基础"), (2, "1.1数据结构"), (3, "1.1.1链表"), (3, "1.1.2栈与队列"), (1, "2进阶"), (2, "2.1算法"),
        (3, "2.1.0算法"), (1, "3补充"), (2, "3.1对比"), (3, "3.1.1横向对比")]
    contents = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-l", "2", str(split_guide), "-"],
                              capture_output=True, text=True, check=True).stdout  # each entry's row as printed
    assert re.search(r"^ *2 进阶 {2,}2-1$", contents, re.M)
    assert re.search(r"^ *3\.1\.1\s+横向对比 {2,}3-2$", contents, re.M)


def test_the_map_is_split_per_unit_with_labels_printed_large_enough(guide_atlas, render):
    maps = studyguide.unit_maps(guide_atlas, render, [u.id for u in guide_atlas.outline.units], None)
    assert {m["key"].split(".")[0] for m in maps} == {u.id for u in guide_atlas.outline.units}
    small = [(m["key"], round(m["label_pt"], 1)) for m in maps if m["label_pt"] < studyguide.MAP_MIN_PT]
    assert not small, small


def test_a_path_guide_fades_the_topics_outside_its_path_on_every_map(guide_atlas, guide, render):
    faded = re.compile(r'<g class="node" fill-opacity="0\.25" stroke-opacity="0\.25">\s*<title>topic:([\d.]+)<')
    kept = re.compile(r'<g class="node">\s*<title>topic:([\d.]+)<')
    maps = studyguide.unit_maps(guide_atlas, render, ["6"], {LIGHT, LIGHT_GOAL})
    assert sorted(kept.findall(maps[0]["svg"])) == [LIGHT, LIGHT_GOAL]
    assert len(faded.findall(maps[0]["svg"])) > 10 and "6.1.1" in faded.findall(maps[0]["svg"])
    whole = guide(guide_atlas, topic_ids=[LIGHT, LIGHT_GOAL]).split('class="whole-map-svg"')[1].split("</svg>")[0]
    assert sorted(kept.findall(whole)) == [LIGHT, LIGHT_GOAL]
    assert len(faded.findall(whole)) == len(guide_atlas.outline.topics) - 2
    assert ' opacity="' not in whole  # a group opacity: each node a form XObject of its own (see svgtext)


def test_code_is_marked_for_print_with_few_spans():
    code = '#include <stdio.h>\nstatic const int n = 3; /* a <b> */\nint main(void) { puts("hi"); return 0; }\n'
    html = printcode.colour(code, "c")
    assert html.startswith('<span class="p">#include &lt;stdio.h&gt;\n</span>static const int n = 3; <span class="c">')
    assert '<span class="c">/* a &lt;b&gt; */\n</span>' in html
    assert html.endswith('int main(void) { puts("hi"); return 0; }\n')  # keywords and strings stay plain text
    assert html.count("<span") == 2
    assert re.sub(r"<[^>]+>", "", html) == code.replace("<", "&lt;").replace(">", "&gt;")
    assert printcode.colour("a <b>", "no-such-language") == "a &lt;b&gt;"
    block = '<pre class="highlight"><code class="language-python">x = 1  # one &lt;</code></pre>'
    assert printcode.colour_blocks(block) == '<pre class="highlight">x = 1  <span class="c"># one &lt;</span></pre>'
    assert printcode.colour_blocks('<pre class="highlight"><code>a &lt; b</code></pre>') == \
        '<pre class="highlight">a &lt; b</pre>'  # a block without a language: text, and no <code> either


def test_centred_labels_are_moved_to_start_at_their_left_edge():
    font = svgtext.Advances({ord("A"): 600, ord("中"): 1000, ord("&"): 500, ord(" "): 250}, 1000)
    fonts = {"F": font}.get
    svg = ('<text text-anchor="middle" x="100" y="-5" font-family="F" font-size="10.00">A中</text>'
           '<text text-anchor="end" x="50.5" y="1" font-family="F" font-size="20">A &amp; A</text>'
           '<text text-anchor="middle" x="7" font-family="F" font-size="10">A😀</text>'  # a glyph the font lacks
           '<text text-anchor="middle" x="7" font-family="G" font-size="10">A</text>'  # a font not installed
           '<text x="3" font-family="F" font-size="10">A</text>')
    assert svgtext.start_anchored(svg, fonts) == (
        '<text x="92.00" y="-5" font-family="F" font-size="10.00">A中</text>'  # 16 units wide, centred on 100
        '<text x="6.50" y="1" font-family="F" font-size="20">A &amp; A</text>'  # 44 units wide, ending at 50.5
        '<text text-anchor="middle" x="7" font-family="F" font-size="10">A😀</text>'
        '<text text-anchor="middle" x="7" font-family="G" font-size="10">A</text>'
        '<text x="3" font-family="F" font-size="10">A</text>')
    installed = svgtext.font_advances("Noto Sans CJK SC")  # the guide's font: its widths are read from the file
    assert installed.units == 1000 and installed.widths[ord("中")] == 1000 and installed.widths[ord("i")] < 500
    assert svgtext.font_advances("No Such Family Anywhere") is None


def test_map_labels_are_drawn_on_the_page_not_in_a_group_each(guide_atlas, small_guide):
    """A centred SVG label, or a faded node, would be a form XObject of its own, each with the page's fonts, which
    PDF readers parse again one by one: pdftotext took 5.1 s for this guide instead of 0.2 s."""
    import pikepdf

    whole_map = next(i for i, text in enumerate(pdf_text(small_guide[0]).split("\f")) if "全图" in text)
    with pikepdf.open(small_guide[0]) as pdf:
        forms = [name for page in pdf.pages for name, x in (page.obj.Resources.get("/XObject") or {}).items()
                 if x.get("/Subtype") == "/Form"]
        assert not forms, forms
        labels = pdf.pages[whole_map].obj.Contents.read_bytes().count(b"\nBT\n")  # a text object per label
        assert labels >= len(guide_atlas.outline.topics)


def test_the_guide_splits_at_its_markers_and_parts_link_each_other():
    doc = ('<!DOCTYPE html><html><head></head><body class="full-guide"><nav><a href="#unit-1">1</a></nav>'
           '<!--atlas:maps--><section id="whole-map"></section><!--atlas:front-end--><main class="units">'
           '<!--atlas:part 1--><section><h1 id="unit-1">1</h1><a href="#topic-2.1.1">x</a></section>'
           '<!--atlas:part 2--><section><h1 id="unit-2">2</h1><p id="topic-2.1.1"></p></section>'
           '<!--atlas:parts-end--></main></body></html>')
    parts = pdfparts.split(doc)
    assert [u for u, _ in parts.units] == ["1", "2"]
    first = pdfparts.external_links(parts.part_document(["1"]))
    assert 'href="atlas-dest:topic-2.1.1"' in first and first.startswith("<!DOCTYPE html>")
    assert first.count("<main") == 1 and first.rstrip().endswith("</html>")
    assert 'id="unit-2"' not in first and 'id="whole-map"' in parts.maps_document()
    labels = pdfparts.page_labels([["unit-2"], [], ["topic-2.1.1"]], [("2-", 0)])
    assert labels == {"unit-2": "2-1", "topic-2.1.1": "2-3"}
    assert pdfparts.unit_starts([["a"], ["unit-2"]], ["2"]) == [("2", 1)]
    front = pdfparts.with_labels(pdfparts.external_links(parts.front_document()), labels)
    assert '<a href="atlas-dest:unit-1">' in front  # no label known for it: left as it is
    assert 'data-page' not in front
    assert pdfparts.with_labels('<a href="#unit-2">', labels) == '<a href="#unit-2" data-page="2-1">'
    assert pdfparts.split("<html><body><main class=\"steps\"></main></body></html>") is None  # a path guide


def test_units_are_grouped_into_runs_of_about_equal_cost():
    units = tuple((str(i), "字" * size) for i, size in enumerate([100, 100, 100, 500, 100, 100], 1))
    runs = pdfparts.groups(units, 2)
    assert [u for run in runs for u in run] == [u for u, _ in units]  # consecutive, in order, none lost
    assert runs == [["1", "2", "3"], ["4", "5", "6"]]
    assert pdfparts.groups(units[:1], 2) == [["1"]]
