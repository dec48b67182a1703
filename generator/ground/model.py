"""Plain data shared by every stage: what the syllabus, content, snippets and graph say, nothing derived."""

from __future__ import annotations

from dataclasses import dataclass, replace


class AtlasError(Exception):
    """Bad input. Carries a `file:line: message` so the reader can go straight to the fault."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class UsageError(Exception):
    """A bad argument (an unknown track or topic id on the command line): not a fault in any file."""


@dataclass(frozen=True)
class Correction:
    """How a source line was read differently: a reviewed erratum (`rule` empty) or a general slip the parser fixed
    by itself (`rule` names it). `correction` None means the line is skipped."""

    line: int
    original: str
    correction: str | None
    reason: str
    rule: str = ""


@dataclass(frozen=True)
class Point:
    """One bullet of a topic: the smallest unit of the syllabus, with the line it came from."""

    index: int  # 1-based position inside its topic
    title: str
    line: int
    correction: Correction | None = None
    marker: str = "-"  # "" when the source gave the line with no list marker


@dataclass(frozen=True)
class Topic:
    id: str  # "1.1.2"; "7.1.0" for the implicit topic of a chapter that lists points directly
    title: str
    line: int
    unit_id: str
    chapter_id: str
    points: tuple[Point, ...]
    corrections: tuple[Correction, ...] = ()
    implicit: bool = False
    supplement: bool = False  # from the site's own supplement outline (本站补充), not the source syllabus


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    line: int
    topics: tuple[Topic, ...]
    correction: Correction | None = None


@dataclass(frozen=True)
class Unit:
    id: str
    title: str
    line: int
    chapters: tuple[Chapter, ...]
    correction: Correction | None = None
    supplement: bool = False


@dataclass(frozen=True)
class PrefaceItem:
    """A numbered item such as `2)MySQL架构图` in a section before unit 1; entries are its bullets."""

    number: int
    title: str
    line: int
    entries: tuple[Point, ...]
    correction: Correction | None = None


@dataclass(frozen=True)
class PrefaceSection:
    id: str  # slug of the heading, e.g. "mysql"
    title: str
    line: int
    items: tuple[PrefaceItem, ...]
    correction: Correction | None = None


@dataclass(frozen=True)
class LineRecord:
    """How one non-blank source line was accounted for: `parsed`, `corrected` (errata), `auto-corrected` (a general
    slip the parser fixed) or `skipped`."""

    line: int
    text: str
    status: str
    what: str  # e.g. "topic 1.1.2", "point 3 of 1.1.2"
    detail: str = ""


@dataclass(frozen=True)
class Outline:
    path: str
    units: tuple[Unit, ...]
    preface: tuple[PrefaceSection, ...]
    records: tuple[LineRecord, ...]
    corrections: tuple[Correction, ...] = ()
    supplement: Outline | None = None  # the site's own units after the source's; its lines are accounted apart

    def with_supplement(self, supplement: Outline) -> Outline:
        """The source's units followed by the supplement's; records and corrections stay the source's own."""
        return replace(self, units=self.units + supplement.units, supplement=supplement)

    def path_of(self, unit_id: str) -> str:
        """The file a unit (and so its chapters' and topics' line numbers) comes from."""
        if self.supplement and any(u.id == unit_id for u in self.supplement.units):
            return self.supplement.path
        return self.path

    @property
    def chapters(self) -> list[Chapter]:
        return [c for u in self.units for c in u.chapters]

    @property
    def topics(self) -> list[Topic]:
        return [t for c in self.chapters for t in c.topics]


@dataclass(frozen=True)
class Question:
    q: str
    a: str


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class Section:
    """A `##` section of a content file; `line` is where its heading stands in that file, `body_line` where the
    (stripped) body starts, so a fault inside the body is reported on its own line."""

    title: str
    body: str
    line: int
    body_line: int = 0


@dataclass(frozen=True)
class TopicContent:
    """The written content of one topic (or one preface section): front matter plus its `##` sections."""

    id: str
    path: str
    title_en: str
    summary: str
    hours: float | None
    questions: tuple[Question, ...]
    references: tuple[Reference, ...]
    sections: tuple[Section, ...]
    intro: str = ""


@dataclass(frozen=True)
class SnippetSpec:
    """A runnable program from data/snippets/<topic>/, with the header that says how to run and show it."""

    topic_id: str
    name: str  # file name, e.g. "rbtree.py"
    path: str
    language: str  # "python", "c" or "cpp"
    code: str
    caption: str
    point: str | None
    timeout: float
    needs: tuple[str, ...] = ()
    libs: tuple[str, ...] = ()  # pkg-config names a C/C++ snippet links against, e.g. ("libzmq",)
    exclusive: bool = False  # measures time or holds CPUs: runs alone, after the others

    @property
    def key(self) -> str:
        return f"{self.topic_id}/{self.name}"


@dataclass(frozen=True)
class SnippetResult:
    key: str
    status: str  # "ok", "failed", "timeout", "skipped"
    exit_code: int | None
    stdout: str
    stderr: str
    seconds: float
    note: str = ""  # why it was skipped, e.g. "no C compiler"
    figures: tuple[tuple[str, str], ...] = ()  # (file name, SVG text) the snippet drew into $ATLAS_FIGURES


@dataclass(frozen=True)
class PrerequisiteSpec:
    """A prerequisite edge as written in graph/*.yaml, or inferred from the concept lexicon."""

    source: str  # learned first
    target: str
    reason: str
    origin: str  # "curated" or "inferred"
    path: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Concept:
    id: str
    name: str
    taught_by: str
    terms: tuple[str, ...]
    path: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    goals: tuple[str, ...]
    description: str = ""
    path: str = ""
    line: int | None = None


@dataclass(frozen=True)
class PrefaceLink:
    """Which topics a preface item belongs to (graph/preface.yaml)."""

    section: str
    item: int
    topics: tuple[str, ...]
    path: str = ""
    line: int | None = None


@dataclass(frozen=True)
class SiteInfo:
    """What the site says about itself (data/site.yaml): the generator holds no words of any one curriculum."""

    title: str = "知识图谱"
    title_en: str = "Atlas"
    tagline_en: str = "a prerequisite map of a syllabus"
    description: str = "由大纲生成的知识图谱：前置关系、可运行代码、面试题与参考资料"
    introduction: str = "把一份大纲整理成前置关系清楚的知识图谱：每个主题有讲解、能直接运行的代码、面试题和参考资料。"
    track_examples: str = ""
    copyright: str = ""
    url: str = ""  # where the site is hosted: canonical links and the sitemap; empty for an offline-only site


@dataclass(frozen=True)
class GraphSpec:
    prerequisites: tuple[PrerequisiteSpec, ...] = ()
    concepts: tuple[Concept, ...] = ()
    tracks: tuple[Track, ...] = ()
    preface_links: tuple[PrefaceLink, ...] = ()
