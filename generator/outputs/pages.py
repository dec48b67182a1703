"""Atlas -> Markdown pages (jinja2). Pure: objects in, {relative path: text} out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

import jinja2

from ..atlas import Atlas, section_for
from ..ground import markup
from ..ground.model import Topic
from ..inputs.graph import learning_path, path_hours, path_to_goals, topic_hours
from ..views import paths
from ..views.diagrams import embed_diagrams
from ..views.paths import (
    ANKI_DECK,
    FLASHCARDS,
    PROGRESS,
    STUDY_CARDS,
    chapter_page,
    figure_file,
    link,
    preface_page,
    snippet_file,
    topic_page,
    track_pdf,
    unit_page,
)
from ..views.style import SUPPLEMENT, SUPPLEMENT_NOTE, unit_colour
from ..views.topicview import SnippetView, topic_view

LANGUAGE_ORDER = ["c", "cpp", "python"]
LANGUAGE_LABELS = {"c": "C", "cpp": "C++", "python": "Python"}


@dataclass(frozen=True)
class Extras:
    """Things other outputs make that pages embed: small maps by topic id, and the site's download paths."""

    neighbourhood_svg: dict[str, str]
    downloads: dict[str, str]  # label -> site path
    track_pdfs: frozenset[str] = frozenset()  # tracks whose own study guide is in the site


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator", "templates"), autoescape=False,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             comment_start_string="{##", comment_end_string="##}",
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(md=markup.md, code=markup.code, attr=markup.attr, title=markup.title,
                       description=markup.description, url=markup.url, hours=markup.hours)
    env.globals.update(fence=markup.fence, SUPPLEMENT=SUPPLEMENT, SUPPLEMENT_NOTE=SUPPLEMENT_NOTE)
    return env


def render_pages(atlas: Atlas, render_dot: Callable[..., str], extras: Extras) -> dict[str, str]:
    env = _env()
    g = atlas.graph
    pages: dict[str, str] = {}

    def topic_ref(from_page: str, topic_id: str) -> dict:
        topic = atlas.topic(topic_id)
        return {"id": topic.id, "title": topic.title, "href": link(from_page, topic_page(topic.id)),
                "hours": topic_hours(g, topic.id), "written": topic.id in atlas.contents}

    def path_info(from_page: str, ids: list[str]) -> dict:
        refs = [topic_ref(from_page, t) for t in ids]
        return {"steps": refs, "hours": path_hours(g, ids), "unwritten": sum(1 for r in refs if not r["written"])}

    def body(content, section) -> str:
        return embed_diagrams(section.body, content.path, section.body_line, render_dot)

    common = {"downloads": extras.downloads, "site": atlas.site, "topics_dir": atlas.topics_dir}
    preface_links = {(lk.section, lk.item): lk.topics for lk in atlas.spec.preface_links}
    for unit in atlas.outline.units:
        for chapter in unit.chapters:
            for topic in chapter.topics:
                page = topic_page(topic.id)
                view = topic_view(atlas, topic.id, lambda t, page=page: link(page, topic_page(t)))
                points = [{"point": pv.point, "body": body(view.content, pv.section) if pv.section else None,
                           "snippets": _grouped([_snippet(sv, page) for sv in pv.snippets])} for pv in view.points]
                pages[page] = env.get_template("topic.md.j2").render(
                    topic=topic, unit=unit, chapter=chapter, content=view.content, points=points,
                    loose=_grouped([_snippet(sv, page) for sv in view.loose]), hours=view.hours,
                    prereqs=[(topic_ref(page, n.id), n) for n in view.prereqs],
                    unlocks=[(topic_ref(page, n.id), n) for n in view.unlocks],
                    related=[(topic_ref(page, n.id), n) for n in view.related],
                    path=path_info(page, learning_path(g, topic.id)),
                    unit_href=link(page, unit_page(unit.id)), chapter_href=link(page, chapter_page(chapter.id)),
                    map_svg=extras.neighbourhood_svg.get(topic.id, ""),
                    preface=_preface_refs(atlas, preface_links, topic, page, link), **common)
            pages[chapter_page(chapter.id)] = env.get_template("chapter.md.j2").render(
                unit=unit, chapter=chapter, unit_href=link(chapter_page(chapter.id), unit_page(unit.id)),
                topics=[_topic_row(atlas, chapter_page(chapter.id), t, topic_ref) for t in chapter.topics])
        pages[unit_page(unit.id)] = env.get_template("unit.md.j2").render(
            unit=unit, chapters=[{"chapter": c, "href": link(unit_page(unit.id), chapter_page(c.id)),
                                  "topics": [_topic_row(atlas, unit_page(unit.id), t, topic_ref) for t in c.topics]}
                                 for c in unit.chapters])
    for section in atlas.outline.preface:
        page = preface_page(section.id)
        content = atlas.preface.get(section.id)
        items = []
        for item in section.items:
            sec = section_for(content, item.title)
            linked = preface_links.get((section.id, item.number), ())
            items.append({"item": item, "body": body(content, sec) if sec else None,
                          "topics": [topic_ref(page, t) for t in linked]})
        pages[page] = env.get_template("preface.md.j2").render(section=section, content=content, items=items)
    tracks = [{"track": t, "path": path_info("tracks.md", path_to_goals(g, t.goals)),
               "goals": [topic_ref("tracks.md", x) for x in t.goals],
               "pdf": track_pdf(t.id) if t.id in extras.track_pdfs else None} for t in atlas.spec.tracks]
    pages["tracks.md"] = env.get_template("tracks.md.j2").render(tracks=tracks)
    questions = sum(len(c.questions) for c in atlas.contents.values())
    pages[FLASHCARDS] = env.get_template("flashcards.md.j2").render(
        questions=questions, cards_src=link(FLASHCARDS, STUDY_CARDS), anki=link(FLASHCARDS, ANKI_DECK))
    pages[PROGRESS] = env.get_template("progress.md.j2").render(flashcards=link(PROGRESS, FLASHCARDS))
    records = atlas.outline.records
    pages["errata.md"] = env.get_template("errata.md.j2").render(
        outline=atlas.outline, parsed=sum(r.status == "parsed" for r in records),
        corrected=[r for r in records if r.status == "corrected"],
        auto=[r for r in records if r.status == "auto-corrected"],
        skipped=[r for r in records if r.status == "skipped"])
    pages["index.md"] = env.get_template("index.md.j2").render(
        outline=atlas.outline, counts=counts(atlas), tracks=tracks, map_href=paths.html(paths.MAP),
        units=[_unit_coverage(atlas, u) for u in atlas.outline.units],
        preface=[{"section": s, "href": preface_page(s.id)} for s in atlas.outline.preface], **common)
    return pages


def _unit_coverage(atlas: Atlas, unit) -> dict:
    """A unit on the home page: how many of its topics are written, and hours summed over those only."""
    topics = [t for c in unit.chapters for t in c.topics]
    written = [atlas.contents[t.id] for t in topics if t.id in atlas.contents]
    return {"unit": unit, "href": unit_page(unit.id), "page": paths.html(unit_page(unit.id)),
            "on_map": f"{paths.html(paths.MAP)}#unit-{unit.id}", "topics": len(topics), "written": len(written),
            "hours": markup.hours(round(sum(c.hours or 0 for c in written), 1)), "colour": unit_colour(unit.id),
            "percent": round(100 * len(written) / len(topics)) if topics else 0}


def _topic_row(atlas: Atlas, page: str, topic: Topic, topic_ref) -> dict:
    row = topic_ref(page, topic.id)
    content = atlas.contents.get(topic.id)
    written = sum(1 for p in topic.points if section_for(content, p.title))
    row.update(points=len(topic.points), written_points=written, snippets=len(atlas.snippets.get(topic.id, [])),
               title_en=content.title_en if content else "")
    return row


def _snippet(view: SnippetView, page: str) -> dict:
    spec = view.spec
    return {"spec": spec, "result": view.result, "run": view.run, "needs": view.needs,
            "href": link(page, snippet_file(spec)), "lang": spec.language, "label": LANGUAGE_LABELS[spec.language],
            "figures": [{"name": name, "src": link(page, figure_file(spec, name))} for name, _ in view.figures]}


def _grouped(snippets: list[dict]) -> list[list[dict]]:
    """Versions of one program in several languages share a file stem (`pool.c`, `pool.py`): one group, shown as
    tabs, C and C++ first. Groups keep the order of their first file."""
    groups: dict[str, list[dict]] = {}
    for s in snippets:
        groups.setdefault(PurePosixPath(s["spec"].name).stem, []).append(s)
    return [sorted(g, key=lambda s: LANGUAGE_ORDER.index(s["lang"])) for g in groups.values()]


def _preface_refs(atlas: Atlas, preface_links: dict, topic: Topic, page: str, link) -> list[dict]:
    """The preface items that list this topic, in preface order."""
    return [{"section": section, "item": item,
             "href": link(page, preface_page(section.id)) + f"#item-{item.number}"}
            for section in atlas.outline.preface for item in section.items
            if topic.id in preface_links.get((section.id, item.number), ())]


def counts(atlas: Atlas) -> dict:
    topics = atlas.outline.topics
    return {
        "units": len(atlas.outline.units), "chapters": len(atlas.outline.chapters), "topics": len(topics),
        "points": sum(len(t.points) for t in topics), "written": len(atlas.contents),
        "snippets": sum(len(v) for v in atlas.snippets.values()),
        "hours": markup.hours(round(sum(c.hours or 0 for c in atlas.contents.values()), 1)),
        "questions": sum(len(c.questions) for c in atlas.contents.values()),
    }
