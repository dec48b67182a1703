"""The interview questions as an Anki deck (.apkg): one note per question, tagged with its unit, chapter and topic.

Built with genanki, the maintained library for writing Anki packages. Identical input gives identical bytes: the
model and deck ids and every note's GUID are derived from the data, the timestamps genanki writes into the
collection are one fixed instant, the collection is an in-memory SQLite database, and the zip entries carry a
fixed date. A note's GUID comes from its card id (topic and question text), so re-importing a newer deck updates
the notes a reader already has instead of adding copies.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import sqlite3
import zipfile

import genanki

from ..ground.model import SiteInfo
from ..views.cards import Card

FIXED_TIME = 1_767_225_600  # 2026-01-01T00:00:00Z: the "created/modified" time of every row
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CSS = """.card { font-family: "Noto Sans CJK SC", sans-serif; font-size: 18px; text-align: left; line-height: 1.6; }
.topic { color: #777; font-size: 14px; }
code { background: rgba(127, 127, 127, .15); padding: 0 .2em; border-radius: 3px; }"""


def _id(*parts: str) -> int:
    """A stable id in the range genanki recommends (2^30 .. 2^31)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def deck(site: SiteInfo, cards: list[Card]) -> genanki.Deck:
    name = f"{site.title} {site.title_en}".strip()
    model = genanki.Model(
        _id(name, "model"), f"{name} · 面试题",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Topic"}, {"name": "CardId"}],
        templates=[{"name": "问答", "qfmt": '<div class="topic">{{Topic}}</div>\n{{Question}}',
                    "afmt": '{{FrontSide}}\n<hr id="answer">\n{{Answer}}'}],
        css=CSS, sort_field_index=3)
    result = genanki.Deck(_id(name, "deck"), f"{name}::面试题")
    for card in cards:
        result.add_note(genanki.Note(
            model=model, guid=genanki.guid_for(name, card.id),
            fields=[card.question_html, card.answer_html, html.escape(f"{card.topic_id} {card.topic_title}"), card.id],
            tags=[f"unit::{card.unit_id}", f"chapter::{card.chapter_id}", f"topic::{card.topic_id}"]))
    return result


def apkg_bytes(site: SiteInfo, cards: list[Card]) -> bytes:
    """The .apkg file: a zip holding the SQLite collection and an empty media map."""
    conn = sqlite3.connect(":memory:")
    genanki.Package(deck(site, cards)).write_to_db(conn.cursor(), FIXED_TIME,
                                                   itertools.count(FIXED_TIME * 1000))
    conn.commit()
    collection = conn.serialize()
    conn.close()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("collection.anki2", collection), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()
