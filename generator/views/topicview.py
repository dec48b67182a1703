"""One view of a topic for every output that shows it: the pages, the PDF and the map's hover text read the same
frozen objects, so a topic cannot say one thing on the site and another on paper.

What differs per output (Markdown or print HTML, links or page numbers) is left to the output; what the topic *is*
(its points with their written sections and snippets, its neighbours with reasons, its hours) is decided here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..atlas import Atlas, section_for
from ..ground.model import Chapter, Point, Section, SnippetResult, SnippetSpec, Topic, TopicContent, Unit
from ..inputs.content import normalize_heading
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


def topic_view(atlas: Atlas, topic_id: str) -> TopicView:
    topic = atlas.topic(topic_id)
    unit = next(u for u in atlas.outline.units if u.id == topic.unit_id)
    chapter = next(c for c in unit.chapters if c.id == topic.chapter_id)
    content = atlas.contents.get(topic_id)
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
