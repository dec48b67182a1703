"""Formulas drawn when the site is built (generator/site/katex.py): KaTeX's HTML and MathML in the pages, its stylesheet
only where there is math, no KaTeX script in the reader's browser, and a formula KaTeX rejects reported."""

from __future__ import annotations

import html
import logging
import re

import markdown
import pytest

from generator.atlas import Sources
from generator.ground.model import AtlasError
from generator.site import katex
from generator.site.build import build

from .browser import browser
from .conftest import ROOT

ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)


def convert(text: str) -> str:
    md = markdown.Markdown(extensions=["pymdownx.arithmatex", "generator.site.katex"],
                           extension_configs={"pymdownx.arithmatex": {"generic": True}})
    return md.convert(text)


def test_inline_and_block_formulas_become_katex_with_their_tex_kept_for_screen_readers():
    out = convert("查找 $O(\\log n)$，且 $a < b$。\n\n$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$\n")
    assert "arithmatex" not in out and "\\(" not in out
    assert [html.unescape(t).strip() for t in ANNOTATION.findall(out)] == [
        "O(\\log n)", "a < b", "\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}"]
    assert out.count('<span class="atlas-math">') == 2 and out.count('<div class="atlas-math">') == 1
    assert out.count('class="katex-display"') == 1 and "katex-error" not in out
    assert '<span class="mop">lo<span' in out  # \log drawn as an operator, not left as text


def test_a_formula_katex_rejects_is_a_warning_that_fails_a_strict_build(caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        out = convert("坏的 $\\frac{1$ 公式")
    assert "katex-error" in out  # the TeX in red on the page…
    assert [r.name for r in caplog.records] == ["mkdocs.atlas.katex"]  # …and a warning MkDocs' --strict counts
    assert "\\frac{1" in caplog.records[0].getMessage() and "KaTeX parse error" in caplog.records[0].getMessage()


def test_input_katex_draws_but_latex_would_not_is_reported_too(caplog):
    """`$upstream_connect_time、$` (two nginx variables outside code) once became one formula on a page."""
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        out = convert("记下 $upstream_connect_time、$upstream_response_time。")
    assert "katex-error" not in out  # KaTeX draws it…
    assert len(caplog.records) == 1 and "unicodeTextInMathMode" in caplog.records[0].getMessage()  # …and says why not


def test_pages_carry_drawn_formulas_and_their_stylesheet_only_where_needed(site, atlas):
    with_math = without = 0
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert 'class="arithmatex"' not in text, path  # every formula drawn…
        assert "katex-error" not in text, path  # …and none rejected
        has_math = 'class="atlas-math"' in text
        assert ("vendor/katex/katex.min.css" in text) == has_math, path
        with_math += has_math
        without += not has_math
    assert with_math >= 40 and without >= 100
    page = (site / "topics" / "1.1.2.html").read_text(encoding="utf-8")
    assert "O(\\log n)" in [html.unescape(t) for t in ANNOTATION.findall(page)]  # 1.1.2's summary, drawn


def test_a_page_with_formulas_runs_no_katex_and_draws_them_with_katex_fonts(site):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((site / "topics" / "1.1.2.html").as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        assert [r for r in requests if r.endswith(".js") and "katex" in r] == []
        box = page.locator(".atlas-math .katex-html").first.bounding_box()
        assert box and box["width"] > 20 and box["height"] > 10
        assert page.evaluate("[...document.fonts].some(f => f.family.includes('KaTeX_Main') && f.status === 'loaded')")
        page.close()


def test_one_node_process_draws_every_page_of_a_build():
    convert("$x^2$")
    engines = dict(katex._engines)
    convert("$$\n\\binom{n}{k}\n$$")
    assert katex._engines == engines and len(engines) == 1


def test_a_build_with_a_formula_katex_rejects_fails_and_keeps_the_old_site(mini, tmp_path, options):
    (mini.parent / "topics").mkdir()
    (mini.parent / "topics" / "1.1.1.md").write_text(
        "---\ntitle_en: Lists\nsummary: 链表的概要。\nhours: 1\n---\n\n## 单链表\n\n长度为 $\\frac{n$ 的链表。\n",
        encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old", encoding="utf-8")
    with pytest.raises(AtlasError) as err:
        build(Sources.for_syllabus(ROOT, mini), options(site, pdf=False))
    assert "KaTeX objects to the formula '\\\\frac{n'" in str(err.value) and "mkdocs build failed" in str(err.value)
    assert (site / "index.html").read_text(encoding="utf-8") == "old"
