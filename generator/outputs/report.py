"""`atlas check` reports: how every source line was used, and how complete each topic's content is. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from ..atlas import Atlas, section_for
from ..ground.model import Outline
from ..inputs.content import normalize_heading
from ..inputs.graph import lint

MIN_QUESTIONS, MIN_REFERENCES = 3, 2


@dataclass(frozen=True)
class Coverage:
    topic_id: str
    unit_id: str
    points: int
    written: int
    snippets: int
    questions: int
    references: int
    has_content: bool

    @property
    def complete(self) -> bool:
        return (self.has_content and self.written == self.points and self.snippets >= 1
                and self.questions >= MIN_QUESTIONS and self.references >= MIN_REFERENCES)

    def missing(self) -> list[str]:
        if not self.has_content:
            return ["no content file"]
        gaps = []
        if self.written < self.points:
            gaps.append(f"{self.points - self.written} point(s) without a section")
        if self.snippets < 1:
            gaps.append("no snippet")
        if self.questions < MIN_QUESTIONS:
            gaps.append(f"{self.questions} question(s), want {MIN_QUESTIONS}+")
        if self.references < MIN_REFERENCES:
            gaps.append(f"{self.references} reference(s), want {MIN_REFERENCES}+")
        return gaps


def coverage(atlas: Atlas) -> list[Coverage]:
    rows = []
    for topic in atlas.outline.topics:
        content = atlas.contents.get(topic.id)
        rows.append(Coverage(
            topic.id, topic.unit_id, len(topic.points),
            sum(1 for p in topic.points if section_for(content, p.title)), len(atlas.snippets.get(topic.id, [])),
            len(content.questions) if content else 0, len(content.references) if content else 0,
            content is not None))
    return rows


@dataclass(frozen=True)
class PrefaceCoverage:
    section_id: str
    items: int
    written_items: int
    entries: int
    written_entries: int

    @property
    def complete(self) -> bool:
        return self.written_items == self.items and self.written_entries == self.entries


def preface_coverage(atlas: Atlas) -> list[PrefaceCoverage]:
    """Each preface item wants a `##` section, and each of its entries a `###` heading inside it."""
    rows = []
    for section in atlas.outline.preface:
        content = atlas.preface.get(section.id)
        items = entries = 0
        for item in section.items:
            written = section_for(content, item.title)
            items += written is not None
            if written:
                headings = {normalize_heading(line[4:]) for line in written.body.split("\n")
                            if line.startswith("### ")}
                entries += sum(normalize_heading(e.title) in headings for e in item.entries)
        rows.append(PrefaceCoverage(section.id, len(section.items), items,
                                    sum(len(i.entries) for i in section.items), entries))
    return rows


def line_report(outline: Outline) -> str:
    """One line per non-blank source line: parsed, corrected by an erratum or auto-corrected by a rule (and how),
    or skipped (and why). The supplement's lines follow, accounted apart."""
    out = []
    for part in (outline, outline.supplement):
        if part is None:
            continue
        out.append(f"{part.path}: {len(part.records)} non-blank lines")
        for r in part.records:
            detail = f"  ({r.detail})" if r.detail else ""
            out.append(f"{r.line:5d}  {r.status:<14} {r.what}{detail}")
    return "\n".join(out)


def summary(outline: Outline, rows: list[Coverage]) -> str:
    """Counts per file: the source syllabus and the site's supplement are accounted apart."""
    out = []
    for part in (outline, outline.supplement):
        if part is None:
            continue
        own = {u.id for u in part.units} if part is outline.supplement else {
            u.id for u in outline.units if not u.supplement}
        units = [u for u in outline.units if u.id in own]
        chapters = [c for u in units for c in u.chapters]
        topics = [t for c in chapters for t in c.topics]
        mine = [r for r in rows if r.unit_id in own]
        statuses = {s: sum(1 for r in part.records if r.status == s)
                    for s in ("parsed", "corrected", "auto-corrected", "skipped")}
        out += [
            f"{part.path}: units {len(units)}, chapters {len(chapters)}, topics {len(topics)}, "
            f"points {sum(len(t.points) for t in topics)}"
            + (f", preface sections {len(part.preface)}" if part is outline else ""),
            "  lines: " + ", ".join(f"{k} {v}" for k, v in statuses.items()),
            f"  content: {sum(r.has_content for r in mine)}/{len(mine)} topics written, "
            f"{sum(r.complete for r in mine)} complete",
        ]
    return "\n".join(out)


def preface_table(rows: list[PrefaceCoverage]) -> str:
    return "\n".join(f"preface {r.section_id}: items {r.written_items}/{r.items}, entries "
                     f"{r.written_entries}/{r.entries}{'  complete' if r.complete else ''}" for r in rows)


def coverage_table(rows: list[Coverage]) -> str:
    out = ["topic     points  written  snippets  questions  refs  status"]
    for r in rows:
        status = "complete" if r.complete else "; ".join(r.missing())
        out.append(f"{r.topic_id:<9} {r.points:>6}  {r.written:>7}  {r.snippets:>8}  {r.questions:>9}  "
                   f"{r.references:>4}  {status}")
    return "\n".join(out)


def incomplete(atlas: Atlas, rows: list[Coverage], units: set[str], preface: list[PrefaceCoverage] | None) -> list[str]:
    """`file:line: …` for each topic of the required units that is not complete, and each incomplete preface."""
    problems = [f"{atlas.outline.path_of(r.unit_id)}:{atlas.topic(r.topic_id).line}: topic {r.topic_id} is not "
                f"complete: {'; '.join(r.missing())}" for r in rows if r.unit_id in units and not r.complete]
    problems += [f"{atlas.outline.path}: preface {r.section_id} is not complete: items {r.written_items}/{r.items}, "
                 f"entries {r.written_entries}/{r.entries}" for r in preface or [] if not r.complete]
    return problems


def graph_report(g) -> str:
    """The graph lint: curated edges a longer path implies, and topics joined to nothing."""
    redundant, orphans = lint(g)
    kinds = [d["kind"] for _, _, d in g.edges(data=True)]
    lines = [f"graph: {kinds.count('prerequisite')} curated prerequisites, {kinds.count('related')} related pairs "
             f"(inferred from the concept lexicon, not prerequisites)"]
    lines.append(f"redundant curated edges (a longer path implies them): {len(redundant)}"
                 + (": " + ", ".join(f"{u}→{v}" for u, v in redundant) if redundant else ""))
    lines.append(f"orphan topics (no prerequisite, no dependant): {len(orphans)}"
                 + (": " + ", ".join(orphans) if orphans else ""))
    return "\n".join(lines)
