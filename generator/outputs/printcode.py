"""Code colouring for print: the site's Pygments lexers, but only comments and preprocessor lines.

Pygments' own HTML wraps nearly every token in a span; WeasyPrint lays out each span as a box of its own, which
made the guide's layout 2.4 times slower. Here only comments (grey, italic) and preprocessor lines are marked, runs of
one kind share a span, and the rest stays plain text: keywords and strings coloured too made the
whole guide's layout a third slower (47.5 s against 35.4 s, 2 processes), for a page most readers print in black and
white. A block is bare text in its `<pre>`, without the `<code>` inside: one inline box fewer on every line of code
made the layout 6% faster. Pure.
"""

from __future__ import annotations

import functools
import html
import re

from pygments import lex
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment
from pygments.util import ClassNotFound

KINDS = ((Comment.Preproc, "p"), (Comment.PreprocFile, "p"), (Comment, "c"))
BLOCK_RE = re.compile(r'<pre class="highlight"><code(?: class="language-([\w+#-]+)")?>(.*?)</code></pre>', re.S)


@functools.cache
def _kind(token: type) -> str:
    for parent, kind in KINDS:
        if token in parent:
            return kind
    return ""


def colour(code: str, language: str) -> str:
    """HTML for one block of code: escaped text with a span per run of one coloured kind."""
    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return html.escape(code, quote=False)
    runs: list[tuple[str, str]] = []
    for token, text in lex(code, lexer):
        kind = runs[-1][0] if runs and not text.strip() else _kind(token)  # blanks join the run before them
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + text)
        else:
            runs.append((kind, text))
    return "".join(f'<span class="{k}">{html.escape(t, quote=False)}</span>' if k else html.escape(t, quote=False)
                   for k, t in runs)


def colour_blocks(rendered: str) -> str:
    """Every code block of rendered Markdown (`<pre class="highlight"><code …>`), coloured, as text in its `<pre>`."""
    return BLOCK_RE.sub(lambda m: f'<pre class="highlight">{colour(html.unescape(m[2]), m[1] or "text")}</pre>',
                        rendered)
