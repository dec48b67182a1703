"""`[[id]]` links between topics: checked against the outline, a page link on the site, an anchor in the PDF, plain
text where the target is not in a track's guide; and a supplement outline built beside another syllabus."""

from __future__ import annotations

import html
import re

import pytest

from generator.atlas import Sources, load_atlas
from generator.ground.model import AtlasError
from generator.outputs import studyguide
from generator.site.build import build
from generator.site.mkdocs import markdown_extensions

from .conftest import ROOT

TOPIC = """---
title_en: Lists
summary: 链表的概述。
hours: 1
questions:
  - q: 链表和栈有何关系？
    a: 见 [[1.1.2]]。
---

## 单链表

单链表的细节见 [[1.1.2|栈与队列那一页]]，对比见 [[2.1.0]]。

## 双链表

双链表。
"""


@pytest.fixture
def linked(mini):
    folder = mini.parent
    (folder / "topics").mkdir()
    (folder / "topics" / "1.1.1.md").write_text(TOPIC, encoding="utf-8")
    (folder / "supplement.txt").write_text("3 补充\n3.1 对比\n3.1.1 横向对比\n- 链表与数组\n", encoding="utf-8")
    return mini


def test_links_become_page_links_and_the_supplement_is_marked(linked, tmp_path, options):
    site = tmp_path / "site"
    atlas = build(Sources.for_syllabus(ROOT, linked), options(site, pdf=False))
    assert [u.id for u in atlas.outline.units] == ["1", "2", "3"] and atlas.outline.units[-1].supplement
    page = html.unescape((site / "topics" / "1.1.1.html").read_text(encoding="utf-8"))
    assert '<a href="1.1.2.html">栈与队列那一页</a>' in page
    assert '<a href="2.1.0.html">2.1.0 算法</a>' in page  # the id and the title when no text is given
    assert '<a href="1.1.2.html">1.1.2 栈与队列</a>' in page  # in an answer too
    assert "[[" not in page
    supplement = (site / "topics" / "3.1.1.html").read_text(encoding="utf-8")
    assert '<span class="atlas-supplement"' in supplement and "本站补充" in supplement
    assert "本站补充" not in page.split('class="md-content"')[1]  # a source topic is not marked
    assert "本单元不在原大纲里" in (site / "units" / "3.html").read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r">3 补充</a> <span class=\"atlas-supplement\"[^>]*>本站补充</span>", home)
    assert re.search(r"3 补充 · 本站补充", home)  # in the navigation


def test_in_the_pdf_links_are_anchors_or_plain_text_outside_the_guide(linked):
    atlas = load_atlas(Sources.for_syllabus(ROOT, linked))
    dialect = markdown_extensions(ROOT)
    whole = html.unescape(studyguide.guide_html(atlas, lambda *a, **k: "<svg></svg>", dialect=dialect))
    assert '<a href="#topic-1.1.2">栈与队列那一页</a>' in whole
    part = html.unescape(studyguide.guide_html(atlas, lambda *a, **k: "<svg></svg>", dialect=dialect,
                                               topic_ids=["1.1.1"]))
    assert "#topic-1.1.2" not in part and "栈与队列那一页" in part and "2.1.0 算法" in part


@pytest.mark.parametrize("bad, line, message", [
    ("对比见 [[2.1.0]]", 12, "[[9.9.9]] links to no topic of the outline"),
    ("summary: 链表的概述。", 3, "the summary is plain text"),
])
def test_a_link_to_no_topic_names_the_file_and_line(linked, bad, line, message):
    good = "summary: 链表的概述。"
    text = TOPIC.replace(bad, "对比见 [[9.9.9]]" if bad != good else "summary: 见 [[1.1.2]]。")
    (linked.parent / "topics" / "1.1.1.md").write_text(text, encoding="utf-8")
    with pytest.raises(AtlasError) as err:
        load_atlas(Sources.for_syllabus(ROOT, linked))
    assert message in err.value.message
    assert err.value.path.endswith("topics/1.1.1.md") and err.value.line == (line if bad != good else 2)
