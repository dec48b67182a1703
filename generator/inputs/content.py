"""Topic content files (YAML front matter + one `##` section per point) -> TopicContent. Pure."""

from __future__ import annotations

import re

from ..ground.model import AtlasError, Question, Reference, Section, TopicContent
from ..ground.yamldata import load, require

FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
# `[[4.3.3]]` or `[[4.3.3|零拷贝]]` in written Markdown: a link to another topic, resolved per output (a page link on
# the site, an anchor in the PDF) and checked against the outline, so an overview can point at the details.
TOPIC_LINK_RE = re.compile(r"\[\[(\d+(?:\.\d+)+)(?:\|([^\]\n]+))?\]\]")


def parse_content(text: str, path: str, ident: str, *, full: bool = True) -> TopicContent:
    """Parse one content file. `full` asks for the topic fields (hours, questions, references) too."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise AtlasError(path, 1, "expected YAML front matter starting with `---`")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise AtlasError(path, 1, "front matter is not closed by a `---` line") from None
    meta, positions = load("\n".join(lines[1:end]), path, first_line=2)
    if not isinstance(meta, dict):
        raise AtlasError(path, 2, "front matter must be a mapping")
    title_en = require(meta, "title_en", str, path, 2).strip()
    summary = " ".join(require(meta, "summary", str, path, 2).split())
    hours, questions, references = None, (), ()
    if full:
        hours = meta.get("hours")
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
            raise AtlasError(path, 2, "`hours` must be a positive number")
        questions = tuple(
            Question(require(q, "q", str, path, positions.get(id(q))).strip(),
                     require(q, "a", str, path, positions.get(id(q))).strip())
            for q in _list(meta, "questions", path, positions)
        )
        references = tuple(
            Reference(require(r, "title", str, path, positions.get(id(r))).strip(),
                      _url(require(r, "url", str, path, positions.get(id(r))), path, positions.get(id(r))))
            for r in _list(meta, "references", path, positions)
        )
    intro, sections = split_sections(lines[end + 1:], end + 2)
    return TopicContent(ident, path, title_en, summary, float(hours) if hours else None, questions, references,
                        sections, intro)


def split_sections(lines: list[str], first_line: int) -> tuple[str, tuple[Section, ...]]:
    """Split Markdown at `## ` headings outside fenced code; text before the first heading is the intro."""
    intro: list[str] = []
    sections: list[tuple[str, int, list[str]]] = []
    fence = None
    for offset, line in enumerate(lines):
        m = FENCE_RE.match(line.lstrip())
        if m:
            marker = m[1]
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):].strip():
                fence = None
        if fence is None and line.startswith("## "):
            sections.append((line[3:].strip(), first_line + offset, []))
        elif sections:
            sections[-1][2].append(line)
        else:
            intro.append(line)
    return "\n".join(intro).strip(), tuple(_section(t, n, body) for t, n, body in sections)


def _section(title: str, line: int, body: list[str]) -> Section:
    blank = next((i for i, text in enumerate(body) if text.strip()), 0)
    return Section(title, "\n".join(body).strip(), line, line + 1 + blank)


def topic_refs(content: TopicContent) -> list[tuple[str, int | None]]:
    """Every `[[id]]` a content file links to, with the line it stands on where known (sections), for checking.
    The summary is plain text (it is the page's meta description and the map's hover): a link there is an error."""
    if TOPIC_LINK_RE.search(content.summary):
        raise AtlasError(content.path, 2, "the summary is plain text: write topic links ([[id]]) in the sections")
    refs = [(m[1], None) for text in (content.intro, *(q.a for q in content.questions))
            for m in TOPIC_LINK_RE.finditer(text)]
    for section in content.sections:
        for m in TOPIC_LINK_RE.finditer(section.body):
            refs.append((m[1], section.body_line + section.body.count("\n", 0, m.start())))
    return refs


def _list(meta: dict, key: str, path: str, positions: dict[int, int]) -> list:
    value = meta.get(key) or []
    if not isinstance(value, list):
        raise AtlasError(path, positions.get(id(value), 2), f"`{key}` must be a list")
    return value


def _url(url: str, path: str, line: int | None) -> str:
    if not re.match(r"^https?://\S+$", url.strip()):
        raise AtlasError(path, line, f"reference url {url!r} is not an http(s) address")
    return url.strip()


def normalize_heading(text: str) -> str:
    """Compare headings with white space folded, so that a wrapped or spaced heading still matches its point."""
    return re.sub(r"\s+", "", text)
