"""The `atlas` command line: reports, paths, search, export and errors with file:line and exit status."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main

from .test_pdf import bookmarks

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def atlas(capsys, cache_dir):
    """`atlas ARGS…` in this process, through `main(argv)`, with the session's copy of the cache."""
    def run(*args: str) -> Run:
        code = main(["--cache-dir", str(cache_dir), *args])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)
    return run


def test_check_accounts_for_every_line(atlas):
    out = atlas("check", "--lines")
    assert out.returncode == 0, out.stderr
    assert "data/syllabus.txt: units 9, chapters 28, topics 100, points 519" in out.stdout
    assert "lines: parsed 650, corrected 26, auto-corrected 6, skipped 5" in out.stdout
    # the supplement is accounted apart: its own line count, units numbered after the source's
    supplement = (ROOT / "data" / "supplement.txt").read_text(encoding="utf-8")
    lines = [line for line in supplement.split("\n") if line.strip()]
    assert f"data/supplement.txt: {len(lines)} non-blank lines" in out.stdout
    units = re.findall(r"^\d+ ", supplement, re.M)
    assert f"data/supplement.txt: units {len(units)}, " in out.stdout
    assert f"lines: parsed {len(lines)}, corrected 0, auto-corrected 0, skipped 0" in out.stdout
    assert "   80  corrected      topic 1.2.2  (corrected to '1.2.2 结构型设计模式'" in out.stdout
    assert "  614  auto-corrected chapter 9.1  (corrected to '9.1 互联网并发云盘'" in out.stdout
    assert "   34  skipped        nothing  (过渡性的个人叙述" in out.stdout
    assert "point 1 of topic 7.1.0" in out.stdout and "no list marker" in out.stdout
    rows = [line for line in out.stdout.split("\n") if line[:1].isdigit() and "points" not in line]
    assert any(line.startswith("1.1.1 ") and line.endswith("complete") for line in rows)


def test_check_can_require_full_coverage(atlas, mini):
    out = atlas("--syllabus", str(mini), "check", "--require-units", "1")
    assert out.returncode == 1
    assert "topic 1.1.1 is not complete: no content file" in out.stderr
    assert f"{mini}:3:" in out.stderr


def test_path_orders_prerequisites_and_sums_hours(atlas):
    out = atlas("path", "4.1.2")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().split("\n")
    ids = [line.split()[1] for line in lines[:-1]]
    assert ids[-1] == "4.1.2" and ids.index("1.1.3") < ids.index("4.1.1") < ids.index("4.1.2")
    assert lines[-1].startswith(f"total: {len(ids)} topics")


def test_search_chinese_english_pinyin(atlas):
    assert atlas("search", "红黑树").stdout.split()[0] == "1.1.2"
    assert atlas("search", "黑树").stdout.split()[0] == "1.1.2"
    assert atlas("search", "hhs").stdout.split()[0] == "1.1.2"
    assert atlas("search", "hongheishu").stdout.split()[0] == "1.1.2"
    assert atlas("search", "时间轮").stdout.split()[0] == "3.2.3"
    assert atlas("search", "epoll").stdout.split()[0] in ("2.1.1", "2.4.3")
    missing = atlas("search", "量子纠缠色谱")
    assert missing.returncode == 1 and "no match" in missing.stderr


def test_export(atlas, tmp_path):
    out = atlas("export", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    data = json.loads((tmp_path / "atlas.json").read_text(encoding="utf-8"))
    assert any(n["id"] == "topic:1.1.2" for n in data["nodes"])
    assert (tmp_path / "atlas.graphml").read_text(encoding="utf-8").startswith("<graphml")
    assert "<svg" in (tmp_path / "atlas-map.svg").read_text(encoding="utf-8")


def test_errors_name_file_and_line_and_exit_non_zero(atlas, tmp_path):
    bad = tmp_path / "syllabus.txt"
    bad.write_text("1 A\n1.1 B\n1.1.2 C\n", encoding="utf-8")
    out = atlas("--syllabus", str(bad), "check")
    assert out.returncode == 1
    assert out.stderr.startswith(f"error: {bad}:3: topic 1.1.2 is out of order: expected 1.1.1\n  3 | 1.1.2 C\n")
    bad.write_bytes(b"1 A\n\xff\n")
    out = atlas("--syllabus", str(bad), "build", "--site-dir", str(tmp_path / "site"))
    assert out.returncode == 1 and f"{bad}:2: not valid UTF-8" in out.stderr
    assert not (tmp_path / "site").exists()
    (tmp_path / "graph").mkdir()
    bad.write_text("1 A\n1.1 B\n1.1.1 C\n- x\n", encoding="utf-8")
    (tmp_path / "graph" / "prerequisites.yaml").write_text(
        "prerequisites:\n  - {from: 1.1.1, to: 2.2.2, reason: r}\n", encoding="utf-8")
    out = atlas("--syllabus", str(bad), "check")
    assert out.returncode == 1 and "prerequisites.yaml:2: unknown topic 2.2.2" in out.stderr


def test_units_one_to_four_and_the_preface_are_fully_covered(atlas):
    out = atlas("check", "--require-units", "1,2,3,4", "--require-preface")
    assert out.returncode == 0, out.stderr
    assert "preface mysql: items 6/6, entries 6/6  complete" in out.stdout
    assert "preface redis: items 5/5, entries 10/10  complete" in out.stdout


def test_pdf_for_one_goal_holds_its_path_in_learning_order(atlas, tmp_path):
    out = atlas("pdf", "--to", "1.1.2", "--skip-snippets", "--out", str(tmp_path / "g.pdf"))
    assert out.returncode == 0, out.stderr
    titles = [title for _, title in bookmarks(tmp_path / "g.pdf")]
    assert titles == ["1.1.1 面试必聊的排序与KMP", "1.1.2 随处可见的红黑树"]
    bad = atlas("pdf", "--track", "nope", "--out", str(tmp_path / "x.pdf"))
    assert bad.returncode == 2 and "no track 'nope'" in bad.stderr and not (tmp_path / "x.pdf").exists()


def test_a_bad_argument_is_a_usage_error_not_a_data_error(atlas):
    out = atlas("path", "9.9.9")
    message = "atlas: no topic 9.9.9 in data/syllabus.txt or data/supplement.txt"
    assert out.returncode == 2 and out.stderr.strip() == message
    assert "error:" not in out.stderr
