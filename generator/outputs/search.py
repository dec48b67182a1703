"""Offline search over topics and points for the terminal: Chinese substrings, English terms, pinyin.

Chinese needs no segmentation here: a substring test finds 黑树 inside 红黑树, which the site's word-start
index cannot. Pinyin (full or initials, `hhs` -> 红黑树) comes from pypinyin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..atlas import Atlas
from ..views.style import pinyin_keys


@dataclass(frozen=True)
class Entry:
    topic_id: str
    title: str
    title_en: str
    points: tuple[str, ...]
    summary: str
    body: str
    pinyin: str
    initials: str
    order: int


@dataclass(frozen=True)
class Hit:
    topic_id: str
    title: str
    score: float
    why: str




def build_index(atlas: Atlas) -> list[Entry]:
    entries = []
    for order, topic in enumerate(atlas.outline.topics):
        content = atlas.contents.get(topic.id)
        full, initials = pinyin_keys(topic.title)
        entries.append(Entry(
            topic.id, topic.title, content.title_en if content else "", tuple(p.title for p in topic.points),
            content.summary if content else "",
            "\n".join(s.body for s in content.sections) if content else "", full, initials, order))
    return entries


def _score(entry: Entry, word: str) -> tuple[float, str]:
    """Points for each place the word occurs (title > pinyin > English title > points > summary > body)."""
    w = word.lower()
    if w == entry.topic_id:
        return 100, "编号"
    found: list[tuple[float, str]] = []
    if w in entry.title.lower():
        found.append((50, "标题"))
    elif re.fullmatch(r"[a-z0-9]+", w) and len(w) >= 2 and w in entry.pinyin:
        found.append((30, "拼音"))
    elif re.fullmatch(r"[a-z0-9]+", w) and len(w) >= 2 and w in entry.initials:
        found.append((25, "拼音首字母"))
    if w in entry.title_en.lower():
        found.append((40, "英文标题"))
    point = next((p for p in entry.points if w in p.lower()), None)
    if point:
        found.append((20, f"要点：{point}"))
    if w in entry.summary.lower():
        found.append((10, "概要"))
    count = entry.body.lower().count(w)
    if count:
        found.append((2 * min(count, 5), f"正文 {count} 处"))
    return sum(s for s, _ in found), (max(found)[1] if found else "")


def search(index: list[Entry], query: str, limit: int = 10) -> list[Hit]:
    """Every word must match somewhere; the best-matching topics first, syllabus order breaking ties."""
    words = [w for w in query.split() if w]
    hits = []
    for entry in index:
        scores = [_score(entry, w) for w in words]
        if words and all(s for s, _ in scores):
            hits.append((-sum(s for s, _ in scores), entry.order,
                         Hit(entry.topic_id, entry.title, sum(s for s, _ in scores), "；".join(w for _, w in scores))))
    return [h for *_, h in sorted(hits, key=lambda t: (t[0], t[1]))][:limit]
