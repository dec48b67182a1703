"""Syllabus text (+ errata) -> Outline. Pure: text in, objects out; every non-blank line is accounted for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import (
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
from .yamldata import load, require

UNIT_RE = re.compile(r"^(\d+)\s+(\S.*)$")
CHAPTER_RE = re.compile(r"^(\d+)\.(\d+)\s*(\S.*)$")
TOPIC_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)\s*(\S.*)$")
ITEM_RE = re.compile(r"^(\d+)\)\s*(\S.*)$")
BULLET_RE = re.compile(r"^[-–—•*]\s*(\S.*)$")


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


def parse_outline(text: str, path: str, errata: dict[int, Correction] | None = None) -> Outline:
    """Parse the outline. Numbering must run 1, 2, 3 at every level; breaks are errors with the line."""
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
        stream.append((number, (corr.correction if corr else raw).strip(), corr))

    preface: list[_Draft] = []
    units: list[_Draft] = []
    seen: dict[str, int] = {}
    unit = chapter = topic = item = None

    def record(number: int, raw_text: str, corr: Correction | None, what: str, detail: str = "") -> None:
        if corr:
            detail = f"corrected to {corr.correction!r}: {corr.reason}" + (f"; {detail}" if detail else "")
        records.append(LineRecord(number, raw_text, "corrected" if corr else "parsed", what, detail))

    def claim(kind: str, ident: str, number: int) -> None:
        if ident in seen:
            raise AtlasError(path, number, f"duplicate {kind} {ident} (first at line {seen[ident]})")
        seen[ident] = number

    def expect(kind: str, found: str, expected: str, number: int) -> None:
        if found != expected:
            claim(kind, found, number)
            raise AtlasError(path, number, f"{kind} {found} is out of order: expected {expected}")

    for pos, (number, line, corr) in enumerate(stream):
        raw_text = raw_lines[number - 1]
        if not units and not UNIT_RE.match(line):
            m_item, m_bullet = ITEM_RE.match(line), BULLET_RE.match(line)
            next_is_item = pos + 1 < len(stream) and ITEM_RE.match(stream[pos + 1][1])
            if m_item:
                if not preface:
                    raise AtlasError(path, number, "numbered item before any section heading")
                section = preface[-1]
                expect("item", f"{section.title} {m_item[1]})", f"{section.title} {len(section.children) + 1})",
                       number)
                item = _Draft(m_item[1], m_item[2].strip(), number, corr)
                section.children.append(item)
                record(number, raw_text, corr, f"preface item {section.title} {m_item[1]})")
            elif not m_bullet and (next_is_item or item is None):
                preface.append(_Draft(_slug(line, len(preface) + 1), line, number, corr))
                item = None
                record(number, raw_text, corr, f"preface section {line}")
            else:
                if item is None:
                    raise AtlasError(path, number, "a list entry before any numbered item")
                item.children.append(_point(item, line, number, corr, m_bullet))
                record(number, raw_text, corr, f"entry {len(item.children)} of preface item {item.title}",
                       "" if m_bullet else "no list marker; read as an entry")
            continue

        if m := TOPIC_RE.match(line):
            c, t = f"{m[1]}.{m[2]}", f"{m[1]}.{m[2]}.{m[3]}"
            if chapter is None or chapter.id != c:
                raise AtlasError(path, number, f"topic {t} is not inside chapter {c}")
            explicit = [x for x in chapter.children if not x.implicit]
            expect("topic", t, f"{c}.{len(explicit) + 1}", number)
            claim("topic", t, number)
            topic = _Draft(t, m[4].strip(), number, corr)
            if corr:
                topic.corrections.append(corr)
            chapter.children.append(topic)
            record(number, raw_text, corr, f"topic {t}")
        elif m := CHAPTER_RE.match(line):
            c = f"{m[1]}.{m[2]}"
            if unit is None or unit.id != m[1]:
                raise AtlasError(path, number, f"chapter {c} is not inside unit {m[1]}")
            expect("chapter", c, f"{unit.id}.{len(unit.children) + 1}", number)
            claim("chapter", c, number)
            chapter, topic = _Draft(c, m[3].strip(), number, corr), None
            unit.children.append(chapter)
            record(number, raw_text, corr, f"chapter {c}")
        elif m := UNIT_RE.match(line):
            expect("unit", m[1], str(len(units) + 1), number)
            claim("unit", m[1], number)
            unit, chapter, topic = _Draft(m[1], m[2].strip(), number, corr), None, None
            units.append(unit)
            record(number, raw_text, corr, f"unit {m[1]}")
        else:
            if chapter is None:
                raise AtlasError(path, number, "a point outside any chapter (expected a heading like `1.1 Title`)")
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
    return Outline(
        path=path,
        units=tuple(_freeze_unit(u) for u in units),
        preface=tuple(_freeze_section(s) for s in preface),
        records=tuple(sorted(records, key=lambda r: r.line)),
        corrections=tuple(errata[n] for n in sorted(errata)),
    )


def _point(parent: _Draft, line: str, number: int, corr: Correction | None, bullet: re.Match | None) -> Point:
    title = bullet[1].strip() if bullet else line
    return Point(len(parent.children) + 1, title, number, corr, "-" if bullet else "")


def _slug(title: str, position: int) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return ascii_part or f"section-{position}"


def _freeze_unit(u: _Draft) -> Unit:
    chapters = tuple(
        Chapter(c.id, c.title, c.line, tuple(_freeze_topic(t, u.id, c.id) for t in c.children), c.correction)
        for c in u.children
    )
    return Unit(u.id, u.title, u.line, chapters, u.correction)


def _freeze_topic(t: _Draft, unit_id: str, chapter_id: str) -> Topic:
    return Topic(t.id, t.title, t.line, unit_id, chapter_id, tuple(t.children), tuple(t.corrections), t.implicit)


def _freeze_section(s: _Draft) -> PrefaceSection:
    items = tuple(PrefaceItem(int(i.id), i.title, i.line, tuple(i.children), i.correction) for i in s.children)
    return PrefaceSection(s.id, s.title, s.line, items, s.correction)
