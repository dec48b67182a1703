"""What the reader-side study scripts read: the graph, hours, tracks and cards as two small JS files.

`assets/study-data.js` (every page loads it: progress, what next, cards due) holds topics with their curated
prerequisites, hours, unit, chapter, pages and card ids; `assets/study-cards.js` (only the flashcards page loads it)
holds each card's question and answer as the page shows them. Both are made from the Atlas at build time, so
there is no second copy of the questions or the graph to keep in step.
"""

from __future__ import annotations

import json

from ..atlas import Atlas
from ..inputs.graph import path_to_goals, prerequisites_of, topic_hours
from ..views import paths
from ..views.cards import Card


def study_data(atlas: Atlas, cards: list[Card]) -> dict:
    g = atlas.graph
    by_topic: dict[str, list[str]] = {}
    for card in cards:
        by_topic.setdefault(card.topic_id, []).append(card.id)
    topics = [{"id": t.id, "title": t.title, "unit": t.unit_id, "chapter": t.chapter_id,
               "written": t.id in atlas.contents, "hours": topic_hours(g, t.id) or 0,
               "page": paths.html(paths.topic_page(t.id)),
               "prereqs": [p for p, _ in prerequisites_of(g, t.id)], "cards": by_topic.get(t.id, [])}
              for t in atlas.outline.topics]
    units = [{"id": u.id, "title": u.title, "page": paths.html(paths.unit_page(u.id))} for u in atlas.outline.units]
    tracks = [{"id": t.id, "title": t.title, "page": f"{paths.html(paths.TRACKS)}#track-{t.id}",
               "path": path_to_goals(g, t.goals)} for t in atlas.spec.tracks]
    pages = {"flashcards": paths.html(paths.FLASHCARDS), "progress": paths.html(paths.PROGRESS),
             "anki": paths.ANKI_DECK}
    return {"topics": topics, "units": units, "tracks": tracks, "pages": pages}


def cards_data(cards: list[Card]) -> list[dict]:
    return [{"id": c.id, "topic": c.topic_id, "q": c.question_html, "a": c.answer_html} for c in cards]


def script(variable: str, data: object) -> str:
    """`window.<variable> = <JSON>;` that is safe as a script file and inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.{variable} = {text};\n"
