"""The interview questions as flashcards: one card per question, for the site's review mode and the Anki deck.

Both read these objects, so a card says on the site what it says in Anki. Question and answer are the topic's own
Markdown rendered in the site's dialect, so math stays `\\(…\\)` in an `arithmatex` span (KaTeX draws it on the
site, Anki's MathJax in the deck) and no raw Markdown reaches a reader.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import markdown

from ..atlas import Atlas

# Heading ids and permalinks mean nothing inside a card; formulas stay TeX for Anki's MathJax and the site's KaTeX.
NOT_IN_CARDS = {"toc", "generator.site.katex"}


@dataclass(frozen=True)
class Card:
    id: str  # "<topic id>#<8 hex of the question>": stays with its question when questions are reordered
    topic_id: str
    topic_title: str
    unit_id: str
    chapter_id: str
    question_html: str
    answer_html: str


def card_id(topic_id: str, question: str, taken: set[str]) -> str:
    """A stable id from the question's text; a repeated question in one topic gets a numbered suffix."""
    base = f"{topic_id}#{hashlib.sha256(question.encode('utf-8')).hexdigest()[:8]}"
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    return ident


def cards(atlas: Atlas, dialect: tuple[list[str], dict]) -> list[Card]:
    """Every question of every written topic, in syllabus order."""
    names, configs = dialect
    md = markdown.Markdown(extensions=[n for n in names if n not in NOT_IN_CARDS],
                           extension_configs={k: v for k, v in configs.items() if k not in NOT_IN_CARDS})

    def html(text: str) -> str:
        md.reset()
        return md.convert(text).strip()

    result: list[Card] = []
    for topic in atlas.outline.topics:
        content = atlas.contents.get(topic.id)
        if content is None:
            continue
        taken: set[str] = set()
        for q in content.questions:
            ident = card_id(topic.id, q.q, taken)
            taken.add(ident)
            question = re.sub(r"^<p>(.*)</p>$", r"\1", html(q.q), flags=re.S)
            result.append(Card(ident, topic.id, topic.title, topic.unit_id, topic.chapter_id, question, html(q.a)))
    return result
