"""Text for search: Markdown and TeX turned into the plain text a result shows, and the one segmentation that both
the index and a query go through.

The browser's search client (docs/assets/search.js) implements `normalize`, `chunks`, `parts` and `pattern` the
same way, rule for rule; tests/test_search.py runs both on the same inputs and compares.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{CJK}]")
# A Latin term keeps the operators engineers type inside words: b+, c++, time_wait, -o2, io_uring, 2pc.
_PART = re.compile(rf"-?[a-z0-9][a-z0-9+#_.\-]*|[{CJK}]+")
_SPLIT = re.compile(r"[\s,;，。、；：？！（）()“”\"'《》|]+")
_TRIM = re.compile(r"^(?:[._]|-(?![a-z0-9]))+|[._\-]+$")
_SYNTAX = frozenset("\\^$.|?*+()[]{}/")
STOP = frozenset("的了和与及是在中之或把被")
MAX_WORD = 8

_FENCE = re.compile(r"^[ \t]*(```|~~~)[ \t]*([\w+-]*)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.M | re.S)
_CODE = re.compile(r"(`+)(.+?)\1")
_KEPT = re.compile("\ue000(\\d+)\ue001")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
_TEX_TEXT = re.compile(r"\\(?:text|mathrm|mathit|mathbf|operatorname|textbf|texttt)\s*\{([^{}]*)\}")
_TEX_CMD = re.compile(r"\\([A-Za-z]+|.)")
DIAGRAMS = frozenset({"dot", "graphviz", "mermaid"})  # their sources are not text anyone reads
TEX_SYMBOLS = {"le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "times": "×", "cdot": "·",
               "to": "→", "rightarrow": "→", "leftarrow": "←", "infty": "∞", "ldots": "…", "dots": "…",
               "cdots": "…", "approx": "≈", "sim": "~", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
               "rfloor": "⌋", "in": "∈", "sum": "∑", "alpha": "α", "beta": "β", "lambda": "λ", "mu": "μ",
               "sigma": "σ", "rho": "ρ", "pi": "π", "Theta": "Θ", "Omega": "Ω", "ll": "≪", "gg": "≫",
               "%": "%", "{": "{", "}": "}", "_": "_", "$": "$", "#": "#", "&": "&"}
_SPACE_CMDS = frozenset(",;:! quad qquad".split())


def tex_plain(tex: str) -> str:
    """Readable text for a formula: `O(\\log n)` -> `O(log n)`, `\\text{栈深}` -> `栈深`, `\\le` -> `≤`."""
    text = _TEX_TEXT.sub(r"\1", tex)
    text = re.sub(r"(?<=[A-Za-z0-9])\\(?=[A-Za-z])", r" \\", text)  # 2\log n -> 2 log n

    def command(m: re.Match) -> str:
        name = m.group(1)
        if name in _SPACE_CMDS:
            return " "
        return TEX_SYMBOLS.get(name, name if name.isalpha() and name not in ("left", "right", "frac") else "")

    text = _TEX_CMD.sub(command, text)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _math(m: re.Match) -> str:
    return tex_plain(m.group(1) or m.group(2))


def _code_body(block: str) -> str:
    lines = block.strip("\n").split("\n")
    return "\n".join(lines[1:-1])


def headings(markdown: str) -> list[str]:
    """The `###` (and deeper) headings inside a section: what a section teaches, after its own title."""
    text = _FENCE.sub("", markdown)
    return [plain_text(m.group(1)) for m in re.finditer(r"^#{2,6}\s+(.+?)\s*(?:\{[^}]*\})?\s*$", text, re.M)]


def plain_text(markdown: str) -> str:
    """What a reader sees of Markdown, as one line of text: no markup, no HTML, no TeX, no diagram sources. Code
    keeps its text as it is (a reader searches for epoll_wait, and `$(MAKE)` is no formula)."""
    kept: list[str] = []

    def keep(text: str) -> str:
        kept.append(text)
        return f"\ue000{len(kept) - 1}\ue001"

    text = _FENCE.sub(lambda m: "" if m.group(2) in DIAGRAMS else "\n" + keep(_code_body(m.group(0))) + "\n",
                      markdown)
    text = _CODE.sub(lambda m: keep(m.group(2).strip()), text)
    text = _MATH.sub(_math, text)
    text = re.sub(r"<[^>\n]+>", " ", text)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\{[#.:][^}\n]*\}", "", text)  # attr lists
    text = re.sub(r"^\s*(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+\"([^\"]*)\")?", r"\1", text, flags=re.M)
    text = re.sub(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+\.\s+)", "", text, flags=re.M)
    text = re.sub(r"^\s*\|?[\s:|-]+\|[\s:|-]*$", " ", text, flags=re.M)  # table rules
    text = text.replace("|", " ")
    text = re.sub(r"(\*\*|__|~~)", "", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)\*(?!\w)", r"\1", text)
    text = html.unescape(text)
    text = _KEPT.sub(lambda m: kept[int(m.group(1))], text)
    return re.sub(r"\s+", " ", text).strip()


_WIDE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalize(text: str) -> str:
    """One form for index and query: full-width letters, digits and spaces as ASCII, lower case. It keeps every
    character in place (unlike NFKC), so a match in the normalized text marks the same span of the shown text."""
    return text.translate(_WIDE).lower()


def chunks(query: str) -> list[str]:
    """The terms a reader typed: split on spaces and punctuation, nothing else (`B+树`, `TIME_WAIT` stay whole)."""
    return [t for t in (_trim(c) for c in _SPLIT.split(normalize(query))) if t]


def _trim(term: str) -> str:
    """No dots, dashes or underscores at the ends, except a dash before a flag (`-o2`)."""
    return _TRIM.sub("", term)


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def segment_cjk(run: str, vocabulary: frozenset[str]) -> list[str]:
    """Dictionary words of a run of Chinese characters: the split whose words cover the most (long words count
    more: the sum of squared lengths), an unknown character standing alone."""
    best: list[tuple[int, int]] = [(0, 0)] * (len(run) + 1)  # (score, start of the last piece)
    for end in range(1, len(run) + 1):
        options = [(best[end - 1][0] + 1, end - 1)]
        for start in range(max(0, end - MAX_WORD), end - 1):
            if run[start:end] in vocabulary:
                options.append((best[start][0] + (end - start) ** 2, start))
        best[end] = max(options)
    pieces, end = [], len(run)
    while end:
        start = best[end][1]
        pieces.append(run[start:end])
        end = start
    return pieces[::-1]


def parts(chunk: str, vocabulary: frozenset[str]) -> list[str]:
    """What a term falls back to where it does not occur whole: its Latin words and the dictionary words of its
    Chinese (runs of unknown characters kept together, stop characters such as 的 dropped)."""
    out: list[str] = []
    for m in _PART.finditer(chunk):
        piece = m.group(0)
        if not is_cjk(piece):
            out.append(_trim(piece))
            continue
        loose = ""
        for word in segment_cjk(piece, vocabulary):
            if len(word) == 1 and word not in vocabulary:
                loose += word
                continue
            if loose:
                out.append(loose)
                loose = ""
            out.append(word)
        if loose:
            out.append(loose)
    result = [p for p in out if p and p not in STOP and p != chunk]
    return result if len(result) > 1 else []


def _kind(ch: str) -> str:
    if _CJK.match(ch):
        return "c"
    return "w" if "a" <= ch <= "z" or "0" <= ch <= "9" else "p"


def pattern(term: str) -> str:
    """A regular expression (the same source in Python and JavaScript) that finds a normalized term in normalized
    text: spaces may stand where the script changes or beside an operator (`b+tree` finds `B+ tree`, `B+树` finds
    `B+ 树`), and a Latin term must start a word (`io` does not match inside `ratio`)."""
    out = "(?<![a-z0-9])" if _kind(term[0]) == "w" else ""
    for i, ch in enumerate(term):
        if i and (_kind(ch) != _kind(term[i - 1]) or _kind(ch) == "p"):
            out += r"\s*"
        out += "\\" + ch if ch in _SYNTAX else ch
    return out


def syllables(text: str) -> list[str]:
    """The pinyin of each character of a text ("" for all but Chinese characters), so a pinyin query can mark the
    characters it stands for (`hhs` marks 红黑树 in 随处可见的红黑树)."""
    from pypinyin import lazy_pinyin

    pieces = re.findall(f"[{CJK}]|[^{CJK}]+", text)
    sounds = lazy_pinyin(text)  # read as a phrase: 重传 is chong chuan
    if len(sounds) != len(pieces):
        sounds = lazy_pinyin(pieces)
    out: list[str] = []
    for piece, sound in zip(pieces, sounds, strict=True):
        out += [sound.lower()] if is_cjk(piece) else [""] * len(piece)
    return out


@lru_cache(maxsize=2)  # a live preview rebuilds the index on every edit; the headings seldom change
def vocabulary(words: tuple[str, ...], texts: tuple[str, ...]) -> tuple[str, ...]:
    """The words a query may be split into: the domain dictionary plus jieba's words (2+ characters) of the
    headings readers search for: titles and points."""
    import jieba  # imported here: loading its dictionary takes a second, and only the index build needs it

    jieba.setLogLevel(60)
    found = {normalize(w) for w in words}
    for w in sorted(found):
        jieba.add_word(w, 2000)
    for text in texts:
        for w in jieba.cut_for_search(normalize(text)):
            if len(w) >= 2 and len(w) <= MAX_WORD and all(_CJK.match(c) for c in w):
                found.add(w)
    return tuple(sorted(w for w in found if is_cjk(w)))
