"""One view of a topic for every output that shows it: the pages, the PDF and the map's hover text read the same
frozen objects, so a topic cannot say one thing on the site and another on paper.

What differs per output (Markdown or print HTML, links or page numbers) is left to the output; what the topic *is*
(its points with their written sections and snippets, its neighbours with reasons, its hours) is decided here once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..atlas import Atlas, section_for
from ..ground.markup import md
from ..ground.model import (
    Chapter,
    Point,
    Question,
    Section,
    SnippetResult,
    SnippetSpec,
    Topic,
    TopicContent,
    Unit,
)
from ..inputs.content import TOPIC_LINK_RE, normalize_heading
from ..inputs.graph import prerequisites_of, related, topic_hours, unlocks
from ..inputs.services import NEED_HELP
from ..inputs.snippets import run_hint


@dataclass(frozen=True)
class SnippetView:
    spec: SnippetSpec
    result: SnippetResult | None  # None: this build did not run it
    run: str  # the command a reader types to run it
    needs: tuple[str, ...]  # what each need means to a reader running it at home
    figures: tuple[tuple[str, str], ...]  # (name, SVG) it drew, only from a run that succeeded


@dataclass(frozen=True)
class PointView:
    point: Point
    section: Section | None  # None: not written yet
    snippets: tuple[SnippetView, ...]


@dataclass(frozen=True)
class Neighbour:
    """A topic joined to this one, with the reason the graph gives."""

    id: str
    title: str
    reason: str
    hours: float | None
    written: bool


@dataclass(frozen=True)
class TopicView:
    topic: Topic
    unit: Unit
    chapter: Chapter
    content: TopicContent | None  # None: not written yet
    hours: float | None
    points: tuple[PointView, ...]
    loose: tuple[SnippetView, ...]  # snippets whose `point` names no point of the topic
    prereqs: tuple[Neighbour, ...]
    unlocks: tuple[Neighbour, ...]
    related: tuple[Neighbour, ...]

    @property
    def snippet_count(self) -> int:
        return sum(len(p.snippets) for p in self.points) + len(self.loose)


def snippet_view(atlas: Atlas, spec: SnippetSpec) -> SnippetView:
    result = atlas.results.get(spec.key)
    figures = result.figures if result and result.status == "ok" else ()
    return SnippetView(spec, result, run_hint(spec), tuple(NEED_HELP[n] for n in spec.needs), figures)


def topic_view(atlas: Atlas, topic_id: str, href: Callable[[str], str | None] | None = None) -> TopicView:
    """`href` says where a `[[id]]` in the content points in this output (see `linked`); without it the content
    is left as written (the map's hover shows only the summary, which holds no links)."""
    topic = atlas.topic(topic_id)
    unit = next(u for u in atlas.outline.units if u.id == topic.unit_id)
    chapter = next(c for c in unit.chapters if c.id == topic.chapter_id)
    content = atlas.contents.get(topic_id)
    if content and href:
        content = linked(atlas, content, href)
    by_point: dict[str, list[SnippetView]] = {normalize_heading(p.title): [] for p in topic.points}
    loose = []
    for spec in atlas.snippets.get(topic_id, []):
        key = normalize_heading(spec.point) if spec.point else None
        (by_point[key] if key in by_point else loose).append(snippet_view(atlas, spec))
    points = tuple(PointView(p, section_for(content, p.title), tuple(by_point[normalize_heading(p.title)]))
                   for p in topic.points)
    g = atlas.graph

    def neighbours(pairs: list[tuple[str, dict]]) -> tuple[Neighbour, ...]:
        return tuple(Neighbour(t, atlas.topic(t).title, d["reason"], topic_hours(g, t), t in atlas.contents)
                     for t, d in pairs)

    return TopicView(topic, unit, chapter, content, topic_hours(g, topic_id), points, tuple(loose),
                     neighbours(prerequisites_of(g, topic_id)), neighbours(unlocks(g, topic_id)),
                     neighbours(related(g, topic_id)))


def linked(atlas: Atlas, content: TopicContent, href: Callable[[str], str | None]) -> TopicContent:
    """The content with every `[[id]]` written as a Markdown link: `href(id)` is the page (site) or anchor (PDF),
    None where the target is not in this output (a track's guide), which leaves the topic named as plain text."""
    def one(text: str) -> str:
        def sub(m) -> str:
            topic = atlas.topic(m[1])
            label = md(m[2].strip() if m[2] else f"{topic.id} {topic.title}")
            target = href(topic.id)
            return f"[{label}]({target})" if target else label
        return TOPIC_LINK_RE.sub(sub, text)

    return replace(content, intro=one(content.intro),
                   questions=tuple(Question(q.q, one(q.a)) for q in content.questions),
                   sections=tuple(replace(s, body=one(s.body)) for s in content.sections))
