"""Offline search: the index the site's search box loads, and the same ranking for `atlas search` in the terminal.

The index holds the plain text of every written section (no markup, no TeX), so a Chinese word is found wherever
it stands, whole or in part (黑树 inside 红黑树), with no segmentation of the text at all; a query is split only on
spaces and punctuation, so `B+树`, `C++` and `TIME_WAIT` stay whole. A term that does not occur whole falls back to
its dictionary words (最左匹配 -> 最左, 匹配), from a vocabulary shipped in the index. Pinyin and initials cover titles
and points only. Ranking favours the page that teaches a term (title, point, heading) over one that mentions it.
docs/assets/search.js implements `search` below rule for rule; tests hold the two to the same answers.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..atlas import Atlas, section_for
from ..views import paths
from ..views.searchtext import chunks, headings, normalize, parts, pattern, plain_text, syllables, vocabulary
from ..views.style import pinyin_keys

# What a term earns where it stands (a page's title > its English title > pinyin > a point > a sub-heading > text).
TITLE, EN, PINYIN, INITIALS, HEAD, SUB, HEAD_PINYIN = 100, 70, 60, 50, 50, 30, 25
SHARE = 20  # up to this much more where the term is most of the title
PARTIAL = 0.5  # a term found only through its words counts half


@dataclass(frozen=True)
class Page:
    url: str  # the built page, relative to the site root
    title: str
    title_en: str
    pinyin: str
    initials: str
    syllables: tuple[str, ...] = ()  # the pinyin of each character of the title


@dataclass(frozen=True)
class Doc:
    """One stretch of a page a result can point to: a syllabus point, the summary, the interview questions."""

    page: int
    anchor: str
    heading: str
    subheadings: str
    text: str
    pinyin: str = ""
    initials: str = ""


@dataclass(frozen=True)
class Index:
    pages: tuple[Page, ...]
    docs: tuple[Doc, ...]
    vocabulary: tuple[str, ...]
    synonyms: tuple[tuple[str, ...], ...]  # a domain word, then what else readers type or pages write for it


@dataclass(frozen=True)
class Hit:
    topic_id: str
    title: str
    score: float
    why: str
    url: str = ""
    words: tuple[str, ...] = ()  # what to highlight on the opened page
    missing: tuple[str, ...] = ()


def read_terms(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """data/search-terms.txt: one domain word a line (`零拷贝`; jieba's `2000 n` after it is allowed), then, after
    `=` and separated by `|`, other ways to say it (`零拷贝 = zero copy | zero-copy | sendfile`)."""
    words, synonyms = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, rest = line.partition("=")
        word = head.split()[0]
        words.append(word)
        others = [normalize(a.strip()) for a in rest.split("|") if a.strip()]
        if others:
            synonyms.append((normalize(word), *others))
    return words, synonyms


def _page(url: str, title: str, title_en: str) -> Page:
    full, initials = pinyin_keys(re.sub(r"^[\d.]+\s*", "", title))
    return Page(url, title, title_en, full, initials, tuple(syllables(title)))


def build_index(atlas: Atlas, terms: str = "") -> Index:
    """Every written topic (title, summary, each written point, interview questions) and written preface; unwritten
    topics and points are left out: a result must lead to something to read."""
    pages: list[Page] = []
    docs: list[Doc] = []
    for topic in atlas.outline.topics:
        content = atlas.contents.get(topic.id)
        if content is None:
            continue
        n = len(pages)
        pages.append(_page(paths.html(paths.topic_page(topic.id)), f"{topic.id} {topic.title}", content.title_en))
        docs.append(Doc(n, "", "概要", "", plain_text(content.summary)))
        for point in topic.points:
            section = section_for(content, point.title)
            if section is None or not section.body.strip():
                continue
            full, initials = pinyin_keys(point.title)
            docs.append(Doc(n, f"point-{point.index}", point.title, " · ".join(headings(section.body)),
                            plain_text(section.body), full, initials))
        if content.questions:
            docs.append(Doc(n, "questions", "面试题", " · ".join(plain_text(q.q) for q in content.questions),
                            " ".join(plain_text(f"{q.q} {q.a}") for q in content.questions)))
    for section in atlas.outline.preface:
        content = atlas.preface.get(section.id)
        if content is None:
            continue
        n = len(pages)
        pages.append(_page(paths.html(paths.preface_page(section.id)), f"导读：{section.title}", content.title_en))
        docs.append(Doc(n, "", "概要", "", plain_text(f"{content.summary}\n\n{content.intro}")))
        docs += [Doc(n, "", s.title, " · ".join(headings(s.body)), plain_text(s.body)) for s in content.sections]
    words, synonyms = read_terms(terms)
    heads = [p.title for p in pages] + [d.heading for d in docs] + [d.subheadings for d in docs]
    return Index(tuple(pages), tuple(docs), vocabulary(tuple(words), tuple(heads)), tuple(synonyms))


def index_json(index: Index) -> dict:
    """Compact lists rather than objects: the client reads them by position."""
    return {"pages": [[p.url, p.title, p.title_en, p.pinyin, p.initials, " ".join(p.syllables)]
                      for p in index.pages],
            "docs": [[d.page, d.anchor, d.heading, d.subheadings, d.text, d.pinyin, d.initials] for d in index.docs],
            "vocabulary": list(index.vocabulary), "synonyms": [list(g) for g in index.synonyms]}


def index_script(index: Index) -> str:
    """The index as a script that assigns a global: a page opened from file:// cannot fetch() JSON, but it can
    add a <script>. UTF-8 as it is (no \\uXXXX for Chinese); `<`, `>` and `&` escaped so it stays inert anywhere."""
    text = json.dumps(index_json(index), ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.__atlasSearch={text};\n"


# ---- ranking (the same rules as docs/assets/search.js) -------------------------------------------------------


@lru_cache(maxsize=4096)
def _regex(term: str) -> re.Pattern:
    return re.compile(pattern(term))


def _has(term: str, text: str) -> bool:
    return bool(text) and _regex(term).search(text) is not None


def _count(term: str, text: str) -> int:
    return len(_regex(term).findall(text)) if text else 0


def _body(count: int) -> float:
    return 0 if not count else 8 + 4 * math.sqrt(min(count, 25))


def _pinyin_term(term: str) -> bool:
    return bool(re.fullmatch(r"[a-z]{2,}", term))


@dataclass
class _Norm:
    """The normalized fields of the index, made once."""

    pages: list[tuple[str, str, str, str]]
    docs: list[tuple[int, str, str, str, str, str]]
    by_page: dict[int, list[int]]
    vocabulary: frozenset[str]
    synonyms: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=2)  # made once per index, not per query
def _normalized(index: Index) -> _Norm:
    by_page: dict[int, list[int]] = {}
    for i, d in enumerate(index.docs):
        by_page.setdefault(d.page, []).append(i)
    return _Norm([(normalize(p.title), normalize(p.title_en), p.pinyin, p.initials) for p in index.pages],
                 [(d.page, normalize(d.heading), normalize(d.subheadings), normalize(d.text), d.pinyin, d.initials)
                  for d in index.docs], by_page, frozenset(index.vocabulary), index.synonyms)


def alias_pattern(alias: str) -> str:
    """A synonym of several words (`zero copy`) as a regular expression: spaces or dashes between its words."""
    words = re.split(r"[\s\-]+", alias)
    tail = "(?![a-z0-9])" if re.search(r"[a-z0-9]$", alias) else ""
    return r"[\s\-]*".join(pattern(w) for w in words) + tail


def query_terms(query: str, synonyms: tuple[tuple[str, ...], ...]) -> list[tuple[str, ...]]:
    """The query's terms, each with the other ways to say it: a synonym of several words (`zero copy`) is
    replaced by its domain word first, so that it forms one term."""
    q = normalize(query)
    for group in synonyms:
        for alias in group[1:]:
            if re.search(r"[\s\-]", alias):
                q = re.sub(alias_pattern(alias), " " + group[0] + " ", q)
    terms = []
    for chunk in chunks(q):
        group = next((g for g in synonyms if chunk in g), None)
        terms.append((chunk, *(g for g in group if g != chunk)) if group else (chunk,))
    return terms


def _share(term: str, whole: str) -> float:
    """How much of a title the term is: 红黑树 is more of 随处可见的红黑树 than of 定时器方案红黑树时间轮最小堆."""
    return min(1.0, len(term) / max(1, len(whole)))


def _title_score(norm: _Norm, page: int, term: str) -> float:
    title, en, full, initials = norm.pages[page]
    if _has(term, title):
        return TITLE + SHARE * _share(term, title)
    if _has(term, en):
        return EN + SHARE * _share(term, en)
    if _pinyin_term(term) and term in full:
        return PINYIN + SHARE * _share(term, full)
    if _pinyin_term(term) and term in initials:
        return INITIALS + SHARE * _share(term, initials)
    return 0


def _head_score(doc: tuple, term: str) -> float:
    _, heading, subs, _, full, initials = doc
    if _has(term, heading):
        return HEAD
    if _has(term, subs):
        return SUB
    if _pinyin_term(term) and len(term) >= 3 and (term in full or term in initials):
        return HEAD_PINYIN
    return 0


def _term_on_page(norm: _Norm, page: int, forms: tuple[str, ...]) -> float:
    """A term (with its synonyms) on one page: where it stands best in the title, in the headings, and how often
    the text says it."""
    title = max(_title_score(norm, page, f) for f in forms)
    docs = [norm.docs[i] for i in norm.by_page[page]]
    head = max((_head_score(d, f) for d in docs for f in forms), default=0)
    count = sum(_count(f, d[3]) for d in docs for f in forms)
    return title + head + _body(count)


def _on_page(norm: _Norm, page: int, form: str) -> bool:
    """Whether the page shows this very form (what the opened page can highlight)."""
    return _term_on_page(norm, page, (form,)) > 0


def _phrase(norm: _Norm, page: int, terms: list[str]) -> float:
    """Terms typed apart that the page writes together (`B+ 树` as B+树, `redis 持久化` as Redis 持久化) count once
    more, as one term."""
    return _term_on_page(norm, page, ("".join(terms),)) if len(terms) > 1 else 0


def _page_id(url: str) -> str:
    """`topics/1.1.2.html` -> `1.1.2`; other pages by their path (`preface/mysql`)."""
    stem = url.rsplit(".", 1)[0]
    return stem.split("/", 1)[1] if stem.startswith("topics/") else stem


def search(index: Index, query: str, limit: int = 10) -> list[Hit]:
    """Pages matching the most terms first, then by score, syllabus order breaking ties. A term that is not on a
    page whole may count through its dictionary words, at half weight."""
    n = _normalized(index)
    terms = query_terms(query, n.synonyms)
    if not terms:
        return []
    hits = []
    for page in range(len(n.pages)):
        matched, score, words, missing = 0.0, 0.0, [], []
        for forms in terms:
            s = _term_on_page(n, page, forms)
            if s:
                matched, score = matched + 1, score + s
                words += [f for f in forms if _on_page(n, page, f)]
                continue
            pieces = parts(forms[0], n.vocabulary)
            found = [(p, s) for p, s in ((p, _term_on_page(n, page, (p,))) for p in pieces) if s]
            if pieces and len(found) * 2 >= len(pieces):
                matched += len(found) / len(pieces)
                score += PARTIAL * sum(s for _, s in found) / len(pieces)
                words += [p for p, _ in found]
            else:
                missing.append(forms[0])
        if not matched:
            continue
        score += _phrase(n, page, [f[0] for f in terms])
        p = index.pages[page]
        hits.append((-matched, -score, page, Hit(_page_id(p.url), p.title, round(score, 1),
                                                 " ".join(words), p.url, tuple(words), tuple(missing))))
    hits.sort(key=lambda h: h[:3])
    return [h[-1] for h in hits[:limit]]
