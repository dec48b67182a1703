"""Syllabus text (+ errata) -> Outline. Pure: text in, objects out; every non-blank line is accounted for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..ground.model import (
    AtlasError,
    Chapter,
    Correction,
    LineRecord,
    Outline,
    Point,
    PrefaceItem,
    PrefaceSection,
    Topic,
    Unit,
)
from ..ground.yamldata import load, require

UNIT_RE = re.compile(r"^(\d+)\s+(\S.*)$")
CHAPTER_RE = re.compile(r"^(\d+)\.(\d+)\s*(\S.*)$")
TOPIC_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)\s*(\S.*)$")
ITEM_RE = re.compile(r"^(\d+)\)\s*(\S.*)$")
BULLET_RE = re.compile(r"^[-–—•*]\s*(\S.*)$")

# General slips every hand-written outline has. The parser fixes them by itself, shows each fix (check --lines, the
# errata page, the topic page), and `strict` turns them back into errors. Particular cases stay in errata.yaml.
RULES = {
    "full-width-numbering": "编号里的全角数字、句点或空格改为半角（如 3。1 → 3.1）",
    "stray-dash": "列表符号后多余的“一”或破折号",
    "doubled-punctuation": "重复的标点只留一个",
    "renumbered": "编号与上一项重复，按顺序改为下一个编号（其后同一层级的编号随之顺延）",
}
PREAMBLE = "text before the outline (no unit, chapter or numbered preface item): a preamble, not curriculum"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９。．", "0123456789..")
_NUMBERING_RE = re.compile(r"^([0-9０-９]+(?:[ \u3000]*[.。．][ \u3000]*[0-9０-９]+)*)([ \u3000]*)(.*)$")
_STRAY_DASH_RE = re.compile(r"^([-–—•*])\s*(?:[一—－–][ \u3000]+|[—－–](?=\S))(\S.*)$")
_DOUBLED_RE = re.compile(r"([，,、；;。])\1+")


def autocorrect(line: str) -> tuple[str, list[str]]:
    """The line with the general slips fixed, and the rules that fired. Pure."""
    rules = []
    m = _NUMBERING_RE.match(line)
    if m:
        fixed = re.sub(r"[ \u3000]", "", m[1]).translate(_FULL_WIDTH) + (" " if m[2] else "") + m[3]
        if fixed != line:
            line, rules = fixed, ["full-width-numbering"]
    m = _STRAY_DASH_RE.match(line)
    if m:
        line = f"{m[1]} {m[2]}"
        rules.append("stray-dash")
    fixed = _DOUBLED_RE.sub(r"\1", line)
    if fixed != line:
        line = fixed
        rules.append("doubled-punctuation")
    return line, rules


def errata_hint(number: int, original: str, correction: str | None) -> str:
    """An errata.yaml entry that would fix a line, ready to paste (the reason is for the author to write)."""
    quoted = "null" if correction is None else _yaml_quote(correction)
    return (f"\n  {number} | {original}\nto read it differently, add to errata.yaml:\n"
            f"- line: {number}\n  original: {_yaml_quote(original)}\n  correction: {quoted}"
            f"{'  # null skips the line' if correction is None else ''}\n  reason: \"…\"")


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def decode(data: bytes, path: str) -> str:
    """UTF-8 text, or an error naming the first line that is not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AtlasError(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})") from None


def parse_errata(text: str, path: str, syllabus_lines: list[str]) -> dict[int, Correction]:
    """Errata entries keyed by syllabus line; each entry's `original` must match the line as it stands."""
    data, lines = load(text, path)
    if data is None:
        return {}
    if not isinstance(data, list):
        raise AtlasError(path, 1, "expected a list of corrections")
    result: dict[int, Correction] = {}
    for entry in data:
        at = lines.get(id(entry))
        number = require(entry, "line", int, path, at)
        original = require(entry, "original", str, path, at)
        reason = require(entry, "reason", str, path, at)
        correction = entry.get("correction")
        if correction is not None and not isinstance(correction, str):
            raise AtlasError(path, at, "`correction` must be text, or null to skip the line")
        if not 1 <= number <= len(syllabus_lines):
            raise AtlasError(path, at, f"line {number} is outside the syllabus (1–{len(syllabus_lines)})")
        actual = syllabus_lines[number - 1]
        if actual.strip() != original.strip():
            raise AtlasError(path, at, f"syllabus line {number} reads {actual!r}, not {original!r}")
        if number in result:
            raise AtlasError(path, at, f"a second correction for syllabus line {number}")
        result[number] = Correction(number, original, correction, reason)
    return result


@dataclass
class _Draft:
    """Mutable builder for one level of the outline; frozen into model objects at the end."""

    id: str
    title: str
    line: int
    correction: Correction | None = None
    children: list = field(default_factory=list)
    corrections: list = field(default_factory=list)
    implicit: bool = False


def parse_outline(text: str, path: str, errata: dict[int, Correction] | None = None, *,
                  strict: bool = False, first_unit: int = 1) -> Outline:
    """Parse the outline. Numbering must run 1, 2, 3 at every level; a repeated number is renumbered onward and
    other general slips are fixed (`strict`: they are errors); any other break is an error with the line.
    A supplement (`first_unit` after the source's last unit) is read the same way but has no preface: its units
    are marked as the site's own."""
    supplement = first_unit > 1
    errata = errata or {}
    raw_lines = text.split("\n")
    if not text.strip():
        raise AtlasError(path, 1, "the syllabus is empty")
    records: list[LineRecord] = []
    stream: list[tuple[int, str, Correction | None]] = []
    for number, raw in enumerate(raw_lines, 1):
        if not raw.strip():
            continue
        corr = errata.get(number)
        if corr and corr.correction is None:
            records.append(LineRecord(number, raw, "skipped", "nothing", corr.reason))
            continue
        line = (corr.correction if corr else raw).strip()
        if not corr:
            fixed, rules = autocorrect(line)
            if rules:
                corr = _auto(number, raw.strip(), fixed, rules)
                line = fixed
        stream.append((number, line, corr))

    preface: list[_Draft] = []
    applied: dict[int, Correction] = dict(errata)  # every line read differently, errata and the parser's own fixes
    units: list[_Draft] = []
    seen: dict[str, int] = {}
    unit = chapter = topic = item = None

    def record(number: int, raw_text: str, corr: Correction | None, what: str, detail: str = "") -> None:
        status = "parsed"
        if corr:
            applied[number] = corr
            status = "auto-corrected" if corr.rule else "corrected"
            detail = f"corrected to {corr.correction!r}: {corr.reason}" + (f"; {detail}" if detail else "")
        records.append(LineRecord(number, raw_text, status, what, detail))

    def claim(kind: str, ident: str, number: int, line: str) -> None:
        if ident in seen:
            raise AtlasError(path, number, f"duplicate {kind} {ident} (first at line {seen[ident]})"
                             + errata_hint(number, line, None))
        seen[ident] = number

    def expect(kind: str, found: str, expected: str, number: int, line: str) -> str:
        """The id to use: `found`, or `expected` when `found` repeats the previous number (renumbered onward)."""
        if found == expected:
            return found
        head, _, last = found.rpartition(".")
        want_head, _, want_last = expected.rpartition(".")
        repeat = head == want_head and last.isdigit() and want_last.isdigit() and int(last) == int(want_last) - 1
        hint = errata_hint(number, line, line.replace(found, expected, 1))
        if repeat and not strict:
            return expected
        if repeat:
            raise AtlasError(path, number, f"{kind} {found} repeats the previous number (--strict-outline)" + hint)
        claim(kind, found, number, line)
        raise AtlasError(path, number, f"{kind} {found} is out of order: expected {expected}" + hint)

    def renumbered(number: int, raw_text: str, corr: Correction | None, line: str, found: str,
                   used: str) -> tuple[str, Correction | None]:
        if found == used:
            return line, corr
        fixed = line.replace(found, used, 1)
        if corr and not corr.rule:  # an erratum's own text is what it says
            return line, corr
        rules = (corr.rule.split(",") if corr else []) + ["renumbered"]
        return fixed, _auto(number, raw_text.strip(), fixed, rules)

    for pos, (number, line, corr) in enumerate(stream):
        raw_text = raw_lines[number - 1]
        if strict and corr and corr.rule:
            rule = corr.rule.split(",")[0]
            raise AtlasError(path, number, f"{rule}: {RULES[rule]} (--strict-outline)"
                             + errata_hint(number, raw_text.strip(), corr.correction))
        if not units and not UNIT_RE.match(line):
            if supplement:
                raise AtlasError(path, number, f"a supplement starts with its first unit (`{first_unit} Title`)")
            m_item, m_bullet = ITEM_RE.match(line), BULLET_RE.match(line)
            next_is_item = pos + 1 < len(stream) and ITEM_RE.match(stream[pos + 1][1])
            if m_item:
                if not preface:
                    raise AtlasError(path, number, "numbered item before any section heading")
                section = preface[-1]
                expect("item", f"{section.title} {m_item[1]})", f"{section.title} {len(section.children) + 1})",
                       number, line)
                item = _Draft(m_item[1], m_item[2].strip(), number, corr)
                section.children.append(item)
                record(number, raw_text, corr, f"preface item {section.title} {m_item[1]})")
            elif not m_bullet and (next_is_item or item is None):
                preface.append(_Draft(_slug(line, len(preface) + 1), line, number, corr))
                item = None
                record(number, raw_text, corr, f"preface section {line}")
            elif item is None:  # text before the outline that is no numbered preface: a preamble, not curriculum
                records.append(LineRecord(number, raw_text, "skipped", "nothing", PREAMBLE))
            else:
                item.children.append(_point(item, line, number, corr, m_bullet))
                record(number, raw_text, corr, f"entry {len(item.children)} of preface item {item.title}",
                       "" if m_bullet else "no list marker; read as an entry")
            continue

        if m := TOPIC_RE.match(line):
            c, found = f"{m[1]}.{m[2]}", f"{m[1]}.{m[2]}.{m[3]}"
            if chapter is None or chapter.id != c:
                raise AtlasError(path, number, f"topic {found} is not inside chapter {c}"
                                 + errata_hint(number, line, None))
            explicit = [x for x in chapter.children if not x.implicit]
            t = expect("topic", found, f"{c}.{len(explicit) + 1}", number, line)
            line, corr = renumbered(number, raw_text, corr, line, found, t)
            claim("topic", t, number, line)
            topic = _Draft(t, m[4].strip(), number, corr)
            if corr:
                topic.corrections.append(corr)
            chapter.children.append(topic)
            record(number, raw_text, corr, f"topic {t}")
        elif m := CHAPTER_RE.match(line):
            found = f"{m[1]}.{m[2]}"
            if unit is None or unit.id != m[1]:
                raise AtlasError(path, number, f"chapter {found} is not inside unit {m[1]}"
                                 + errata_hint(number, line, None))
            c = expect("chapter", found, f"{unit.id}.{len(unit.children) + 1}", number, line)
            line, corr = renumbered(number, raw_text, corr, line, found, c)
            claim("chapter", c, number, line)
            chapter, topic = _Draft(c, m[3].strip(), number, corr), None
            unit.children.append(chapter)
            record(number, raw_text, corr, f"chapter {c}")
        elif m := UNIT_RE.match(line):
            u = expect("unit", m[1], str(len(units) + first_unit), number, line)
            line, corr = renumbered(number, raw_text, corr, line, m[1], u)
            claim("unit", u, number, line)
            unit, chapter, topic = _Draft(u, m[2].strip(), number, corr), None, None
            units.append(unit)
            record(number, raw_text, corr, f"unit {u}")
        else:
            if chapter is None:
                raise AtlasError(path, number, "a point outside any chapter (expected a heading like `1.1 Title`)"
                                 + errata_hint(number, line, None))
            if topic is None:
                topic = _Draft(f"{chapter.id}.0", chapter.title, chapter.line, implicit=True)
                chapter.children.append(topic)
            bullet = BULLET_RE.match(line)
            point = _point(topic, line, number, corr, bullet)
            topic.children.append(point)
            if corr:
                topic.corrections.append(corr)
            note = "" if bullet else "no list marker; read as a point"
            if topic.implicit and len(topic.children) == 1:
                note = (note + "; " if note else "") + f"chapter {chapter.id} lists points directly: topic {topic.id}"
            record(number, raw_text, corr, f"point {point.index} of topic {topic.id}", note)

    if not units:
        raise AtlasError(path, 1, "no unit headings found (expected a line like `1 Title`)")
    bare = {s.line for s in preface if not s.children}  # a "section" with no numbered item was preamble text too
    records = [LineRecord(r.line, r.text, "skipped", "nothing", PREAMBLE) if r.line in bare else r for r in records]
    preface = [s for s in preface if s.children]
    return Outline(
        path=path,
        units=tuple(_freeze_unit(u, supplement) for u in units),
        preface=tuple(_freeze_section(s) for s in preface),
        records=tuple(sorted(records, key=lambda r: r.line)),
        corrections=tuple(applied[n] for n in sorted(applied)),
    )


def _auto(number: int, original: str, fixed: str, rules: list[str]) -> Correction:
    return Correction(number, original, fixed, "；".join(RULES[r] for r in rules), ",".join(rules))


def _point(parent: _Draft, line: str, number: int, corr: Correction | None, bullet: re.Match | None) -> Point:
    title = bullet[1].strip() if bullet else line
    return Point(len(parent.children) + 1, title, number, corr, "-" if bullet else "")


def _slug(title: str, position: int) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return ascii_part or f"section-{position}"


def _freeze_unit(u: _Draft, supplement: bool) -> Unit:
    chapters = tuple(
        Chapter(c.id, c.title, c.line, tuple(_freeze_topic(t, u.id, c.id, supplement) for t in c.children),
                c.correction)
        for c in u.children
    )
    return Unit(u.id, u.title, u.line, chapters, u.correction, supplement)


def _freeze_topic(t: _Draft, unit_id: str, chapter_id: str, supplement: bool) -> Topic:
    return Topic(t.id, t.title, t.line, unit_id, chapter_id, tuple(t.children), tuple(t.corrections), t.implicit,
                 supplement)


def _freeze_section(s: _Draft) -> PrefaceSection:
    items = tuple(PrefaceItem(int(i.id), i.title, i.line, tuple(i.children), i.correction) for i in s.children)
    return PrefaceSection(s.id, s.title, s.line, items, s.correction)
