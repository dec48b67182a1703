"""Escaping for each place data text lands: Markdown text, HTML, attribute values, URLs."""

from __future__ import annotations

import html
import json
import re

# Characters Markdown or its extensions give meaning to. They become numeric character references, which every
# extension passes through as text (a backslash escape would not do: arithmatex reads `\(` and `\[` as math).
_MD_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|$~^=:]")


def md(text: object) -> str:
    """Data text as literal Markdown inline text: no HTML, no emphasis, no links, no math."""
    escaped = html.escape(str(text), quote=False).replace("\n", " ")
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m[0])};", escaped)


def code(text: object) -> str:
    """Data text as a Markdown code span, shown as it is. `md` cannot be used inside one: a code span decodes no
    character reference, so `data/syllabus.txt` showed as `data/syllabus&#46;txt`. The backtick run is longer than
    any in the text."""
    text = str(text).replace("\n", " ")
    ticks = _backticks(text, 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def attr(text: object) -> str:
    return html.escape(str(text), quote=True)


def title(text: object) -> str:
    """A collapsible block's title (`??? question "…"`): HTML-escaped outside `code` spans, left to Markdown inside
    them (which escapes code itself: escaping it here too would show `&amp;&amp;` for `&&`)."""
    parts = re.split(r"(`[^`\"]*`)", str(text))
    return "".join(part if i % 2 else attr(part) for i, part in enumerate(parts))


def plain(text: object, limit: int = 0) -> str:
    """Markdown text as plain text for places that show no markup (meta descriptions, tooltips): marks and math
    delimiters dropped (`$O(\\log n)$` -> `O(log n)`), whitespace collapsed, cut at `limit` characters if given."""
    result = re.sub(r"\$([^$]*)\$", r"\1", str(text))
    result = re.sub(r"\\([a-zA-Z]+)", r"\1", re.sub(r"[`*_#\[\]{}]", "", result))
    result = " ".join(result.split())
    return result[: limit - 1] + "…" if limit and len(result) > limit else result


def description(text: object, limit: int = 150) -> str:
    """A page's meta description as a YAML front-matter value: plain text, HTML-escaped (the theme prints it as it
    is), cut at `limit` characters, quoted as JSON (which YAML reads)."""
    return json.dumps(html.escape(plain(text, limit), quote=True), ensure_ascii=False)


def url(text: str) -> str:
    """A validated http(s) address made safe inside Markdown link parentheses."""
    return text.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def fence(code: str, info: str = "") -> str:
    """A fenced block whose fence is longer than any backtick run in the code, so no code can close it early."""
    ticks = _backticks(code, 3)
    return f"{ticks}{info}\n{code.rstrip()}\n{ticks}"


def _backticks(text: str, least: int) -> str:
    """A run of backticks longer than any in `text`, and at least `least` long: a code delimiter it cannot close."""
    return "`" * max(least, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)


def hours(value: float) -> str:
    return f"{value:g}"
