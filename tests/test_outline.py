"""The parser against the real syllabus (counts, every anomaly) and against malformed inputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.ground.model import AtlasError
from generator.inputs.outline import autocorrect, decode, parse_errata, parse_outline

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "000_7702591c8417e7a9.txt"
SYLLABUS = ROOT / "data" / "syllabus.txt"


@pytest.fixture(scope="module")
def real():
    text = SYLLABUS.read_text(encoding="utf-8")
    errata = parse_errata((ROOT / "data" / "errata.yaml").read_text(encoding="utf-8"), "data/errata.yaml",
                          text.split("\n"))
    return parse_outline(text, "data/syllabus.txt", errata)


def test_syllabus_is_the_seed_from_the_mysql_line_on():
    if not SEED.exists():
        pytest.skip("shared seed not beside the checkout")
    seed = SEED.read_text(encoding="utf-8").split("\n")
    assert SYLLABUS.read_text(encoding="utf-8").split("\n") == seed[seed.index("MySQL"):]


def test_counts(real):
    assert len(real.units) == 9
    assert len(real.chapters) == 28
    explicit = [t for t in real.topics if not t.implicit]
    source_topics = re.findall(r"^\d+\.\d+\.\d+ ", SYLLABUS.read_text(encoding="utf-8"), re.M)
    assert len(explicit) == len(source_topics) == 97
    assert [t.id for t in real.topics if t.implicit] == ["7.1.0", "7.2.0", "7.3.0"]
    assert sum(len(t.points) for t in real.topics) == 519
    assert [u.title for u in real.units][0] == "软件基石"


def test_every_non_blank_line_is_accounted_for(real):
    lines = SYLLABUS.read_text(encoding="utf-8").split("\n")
    non_blank = [i for i, line in enumerate(lines, 1) if line.strip()]
    assert [r.line for r in real.records] == non_blank
    assert {r.status for r in real.records} == {"parsed", "corrected", "auto-corrected", "skipped"}
    auto = {r.line: r.detail for r in real.records if r.status == "auto-corrected"}
    assert sorted(auto) == [165, 614, 625, 630, 635, 640]  # general slips: no errata entry needed
    assert "9.1 互联网并发云盘" in auto[614] and "9.1.6 产品上云公网发布/测试用例" in auto[640]
    for r in real.records:
        assert r.what
        if r.status != "parsed":
            assert r.detail


def test_bullets_map_to_their_lines(real):
    lines = SYLLABUS.read_text(encoding="utf-8").split("\n")
    for topic in real.topics:
        for point in topic.points:
            if point.correction is None:
                assert lines[point.line - 1].lstrip("- ").strip() == point.title


def test_preface_sections(real):
    assert [s.title for s in real.preface] == ["MySQL", "Redis"]
    mysql, redis = real.preface
    assert [i.number for i in mysql.items] == [1, 2, 3, 4, 5, 6]
    assert [e.title for e in mysql.items[4].entries] == [
        "myisam 和 innodb的区别吗?", "B树和B+树的区别?", "MyISAM和InnoDB存储引擎使用的锁?"]
    assert redis.items[4].title == "Redis面试题"  # erratum: the source calls it 相关视频
    assert len(redis.items[3].entries) == 5


@pytest.mark.parametrize("topic_id, title", [
    ("1.2.2", "结构型设计模式"),
    ("9.1.3", "分布式fastdfs存储集群部署"),
    ("9.1.6", "产品上云公网发布/测试用例"),
])
def test_corrected_headings(real, topic_id, title):
    assert next(t for t in real.topics if t.id == topic_id).title == title


def test_anomalies(real):
    topics = {t.id: t for t in real.topics}
    sorts = [p.title for p in topics["1.1.1"].points]
    assert sorts.count("插入排序") == 1 and "冒泡排序与选择排序" in sorts
    assert [p.title for p in topics["5.2.2"].points] == ["消息模型", "消息传递模式", "消息分帧", "中间层代理",
                                                          "消息丢失处理"]
    assert [p.marker for p in topics["5.2.2"].points] == ["", "", "-", "-", ""]
    assert topics["4.2.2"].points[2].title == "手撕异步redis协议"
    assert topics["9.2.2"].points[2].title == "reactor百万并发模型"
    assert topics["5.3.5"].points[0].title.startswith("OvS三大组件")
    assert topics["3.3.4"].points[3].title == "抽象IO BIO的具体实现"
    assert topics["2.3.1"].points[3].title.startswith("协程切换的三种实现方式")
    assert next(c for c in real.chapters if c.id == "9.1").title == "互联网并发云盘"
    assert all(p.title for t in real.topics for p in t.points)


def parse(text: str):
    return parse_outline(text, "s.txt")


@pytest.mark.parametrize("text, line, message", [
    ("", 1, "empty"),
    ("   \n\n", 1, "empty"),
    ("1 A\n1.1 B\n1.1.1 C\n- x\n1.1.3 D\n", 5, "out of order"),
    ("1 A\n1.1 B\n1.1.1 C\n1.1.2 D\n1.1.1 E\n", 5, "duplicate topic 1.1.1"),
    ("1 A\n2 B\n2.1 C\n2.1.1 D\n1.2 E\n", 5, "not inside unit 1"),
    ("1 A\n3 B\n", 2, "expected 2"),
    ("1 A\n- floating\n", 2, "outside any chapter"),
    ("hello\n- world\n", 1, "no unit headings"),
    ("just prose\n", 1, "no unit headings"),
])
def test_malformed(text, line, message):
    with pytest.raises(AtlasError) as err:
        parse(text)
    assert err.value.line == line
    assert message in err.value.message
    assert str(err.value).startswith(f"s.txt:{line}:")


def test_bad_utf8_names_the_line():
    with pytest.raises(AtlasError) as err:
        decode(b"1 A\n1.1 B\n" + b"1.1.1 \xff\xfe\n", "s.txt")
    assert err.value.line == 3 and "UTF-8" in err.value.message


def test_errata_must_match_the_line():
    lines = ["1 A", "1.1 B"]
    with pytest.raises(AtlasError) as err:
        parse_errata("- line: 2\n  original: '1.1 X'\n  correction: '1.1 Y'\n  reason: r\n", "e.yaml", lines)
    assert err.value.path == "e.yaml" and err.value.line == 1 and "reads" in err.value.message
    with pytest.raises(AtlasError) as err:
        parse_errata("- line: 9\n  original: x\n  correction: null\n  reason: r\n", "e.yaml", lines)
    assert "outside" in err.value.message
    with pytest.raises(AtlasError) as err:
        parse_errata("- line: 1\n  original: 1 A\n\treason: r\n", "e.yaml", lines)
    assert err.value.line == 3 and "invalid YAML" in err.value.message


def test_errata_correction_and_skip():
    text = "Intro prose\n1 A\n1.1 B\n1.1.1 C\n- tpyo\n"
    errata = parse_errata("- {line: 1, original: Intro prose, correction: null, reason: not curriculum}\n"
                          "- {line: 5, original: '- tpyo', correction: '- typo', reason: spelling}\n",
                          "e.yaml", text.split("\n"))
    outline = parse_outline(text, "s.txt", errata)
    assert outline.topics[0].points[0].title == "typo"
    assert outline.topics[0].corrections[0].reason == "spelling"
    assert [r.status for r in outline.records] == ["skipped", "parsed", "parsed", "parsed", "corrected"]


@pytest.mark.parametrize("line, fixed, rules", [
    ("3。1 互联网并发云盘", "3.1 互联网并发云盘", ["full-width-numbering"]),
    ("１.２ 章节", "1.2 章节", ["full-width-numbering"]),
    ("2 . 1 . 3 主题", "2.1.3 主题", ["full-width-numbering"]),
    ("- 一 负载均衡", "- 负载均衡", ["stray-dash"]),
    ("- —负载均衡", "- 负载均衡", ["stray-dash"]),
    ("- connect,,listen", "- connect,listen", ["doubled-punctuation"]),
    ("3。1 A，，B", "3.1 A，B", ["full-width-numbering", "doubled-punctuation"]),
    # what must stay as written: words that start with 一, C++ scopes, ellipses, ordinary ids
    ("- 一致性哈希", "- 一致性哈希", []),
    ("- std::call_once 与 ...", "- std::call_once 与 ...", []),
    ("1.1.2 红黑树", "1.1.2 红黑树", []),
    ("5)Redis面试题", "5)Redis面试题", []),
])
def test_autocorrect_rules(line, fixed, rules):
    assert autocorrect(line) == (fixed, rules)


SLIPS = ("前言：这是我整理的大纲，希望对大家有帮助。\n- 适合一到三年经验\n"
         "1 基础\n1.1 数据结构\n1.1.1 链表\n- 单链表\n1.1.2 树\n- 红黑树\n1.1.2 堆\n- 二叉堆\n- 一 小顶堆\n"
         "1。2 架构\n- 一 负载均衡\n- 限流，，熔断\n")


def test_an_outline_with_the_usual_slips_parses_and_shows_each_fix():
    outline = parse(SLIPS)
    assert [t.id for t in outline.topics] == ["1.1.1", "1.1.2", "1.1.3", "1.2.0"]
    assert [p.title for p in outline.topics[2].points] == ["二叉堆", "小顶堆"]
    assert [p.title for p in outline.topics[3].points] == ["负载均衡", "限流，熔断"]
    status = {r.line: r.status for r in outline.records}
    assert status[1] == status[2] == "skipped"  # the preamble
    assert {n for n, s in status.items() if s == "auto-corrected"} == {9, 11, 12, 13, 14}
    rules = {c.line: c.rule for c in outline.corrections}
    assert rules == {9: "renumbered", 11: "stray-dash", 12: "full-width-numbering", 13: "stray-dash",
                     14: "doubled-punctuation"}
    assert outline.topics[2].corrections[0].correction == "1.1.3 堆"


def test_strict_outline_turns_fixes_into_errors_with_a_ready_entry():
    with pytest.raises(AtlasError) as err:
        parse_outline(SLIPS, "s.txt", strict=True)
    assert err.value.line == 9 and "repeats the previous number" in err.value.message
    assert '- line: 9\n  original: "1.1.2 堆"\n  correction: "1.1.3 堆"' in err.value.message
    # an entry like that one makes the strict parse go on to the next slip
    errata = parse_errata('- line: 9\n  original: "1.1.2 堆"\n  correction: "1.1.3 堆"\n  reason: 编号重复\n',
                          "e.yaml", SLIPS.split("\n"))
    with pytest.raises(AtlasError) as err:
        parse_outline(SLIPS, "s.txt", errata, strict=True)
    assert err.value.line == 11 and "stray-dash" in err.value.message


def test_a_remaining_error_shows_the_line_and_the_entry_that_would_fix_it():
    with pytest.raises(AtlasError) as err:
        parse("1 A\n1.1 B\n1.1.1 C\n1.1.4 D\n")
    assert err.value.line == 4 and "expected 1.1.2" in err.value.message
    assert "  4 | 1.1.4 D" in err.value.message
    assert 'original: "1.1.4 D"\n  correction: "1.1.2 D"' in err.value.message


SUPPLEMENT = ROOT / "data" / "supplement.txt"


def test_supplement_continues_the_numbering_and_is_marked(real):
    text = SUPPLEMENT.read_text(encoding="utf-8")
    supplement = parse_outline(text, "data/supplement.txt", first_unit=len(real.units) + 1)
    merged = real.with_supplement(supplement)
    assert [u.id for u in supplement.units][0] == "10"
    assert [u.id for u in merged.units] == [str(n) for n in range(1, len(merged.units) + 1)]
    assert all(u.supplement for u in supplement.units) and not any(u.supplement for u in real.units)
    assert all(t.supplement == (t.unit_id in {u.id for u in supplement.units}) for t in merged.topics)
    source_topics = re.findall(r"^\d+\.\d+\.\d+ ", text, re.M)
    assert len(supplement.topics) == len(source_topics)
    # the source is read exactly as without the supplement: records and corrections are the source's own
    assert merged.records == real.records and merged.corrections == real.corrections
    assert merged.path_of("1") == "data/syllabus.txt" and merged.path_of("10") == "data/supplement.txt"


@pytest.mark.parametrize("text, line, message", [
    ("前言\n10 补充\n", 1, "a supplement starts with its first unit (`10 Title`)"),
    ("1 补充\n1.1 章\n- 点\n", 1, "unit 1 is out of order: expected 10"),
    ("10 补充\n10.1 章\n10.1.1 主题\n- 点\n12 跳号\n", 5, "unit 12 is out of order: expected 11"),
])
def test_supplement_errors_name_the_line(text, line, message):
    with pytest.raises(AtlasError) as err:
        parse_outline(text, "supplement.txt", first_unit=10)
    assert err.value.line == line and message in err.value.message
