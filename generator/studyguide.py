"""The PDF study guide: the atlas as one printable HTML document (our own template), laid out by WeasyPrint.

WeasyPrint runs no JavaScript, so everything the site draws in the browser is static here: Graphviz SVG for the
maps and diagrams, and TeX turned into readable text because KaTeX cannot run.
"""

from __future__ import annotations

import bisect
import posixpath
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterable
from html import escape, unescape
from pathlib import Path

import jinja2
import markdown
from markupsafe import Markup

from .atlas import Atlas, section_for
from .content import normalize_heading
from .diagrams import embed_diagrams
from .graph import path_hours, prerequisites_of, unlocks
from .markup import fence, hours
from .model import AtlasError, SnippetSpec, Topic
from .smallmaps import neighbourhood_dot, whole_map_dot
from .snippets import run_hint

TITLE = "后台开发知识图谱"
DIAGRAM_SCALE = 0.75  # Graphviz draws at 14 pt by default; in print that is larger than the 9.5 pt text around it

# The site's own Markdown dialect (mkdocs.yml), minus `toc`: heading ids would collide across topics in one file.
MD_EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables",
                 "pymdownx.arithmatex", "pymdownx.details", "pymdownx.highlight", "pymdownx.inlinehilite",
                 "pymdownx.superfences"]
# No Pygments colouring: its thousands of spans made WeasyPrint's parse, layout and PDF writing 2.4 times slower.
MD_CONFIG = {"pymdownx.arithmatex": {"generic": True}, "pymdownx.highlight": {"use_pygments": False}}


# ---- TeX -> readable text -----------------------------------------------------------------------------------

_SPACED = {  # relations and binary operators: printed with a space either side
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "equiv": "≡",
    "sim": "~", "cdot": "·", "times": "×", "div": "÷", "pm": "±", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "gets": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔", "leftrightarrow": "↔",
    "implies": "⇒", "iff": "⇔", "ll": "≪", "gg": "≫", "oplus": "⊕", "otimes": "⊗", "in": "∈", "notin": "∉",
    "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "land": "∧", "lor": "∨", "wedge": "∧", "vee": "∨",
    "mid": "|", "nmid": "∤", "bmod": "mod", "propto": "∝", "circ": "∘", "mapsto": "↦", "Longrightarrow": "⟹",
    "longrightarrow": "⟶", "Longleftrightarrow": "⟺",
}
_SYMBOLS = {
    "infty": "∞", "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃",
    "neg": "¬", "lnot": "¬", "emptyset": "∅", "varnothing": "∅", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
    "rfloor": "⌋", "langle": "⟨", "rangle": "⟩", "lvert": "|", "rvert": "|", "vert": "|", "lVert": "‖",
    "rVert": "‖", "|": "‖", "dots": "…", "ldots": "…", "cdots": "⋯", "prime": "′", "bullet": "•", "star": "⋆",
    "quad": "\u2003", "qquad": "\u2003\u2003", ",": " ", ";": " ", ":": " ", " ": " ", "!": "", "{": "{", "}": "}",
    "%": "%", "_": "_", "&": "&", "#": "#", "$": "$", "backslash": "\\", "ell": "ℓ", "hbar": "ℏ",
    "left": "", "right": "", "big": "", "Big": "", "bigl": "", "bigr": "", "Bigl": "", "Bigr": "",
    "displaystyle": "", "textstyle": "", "limits": "",
}
_GREEK = dict(zip(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi "
    "omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split(), "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
_GREEK.update(varepsilon="ε", vartheta="ϑ", varphi="φ", varrho="ϱ", varpi="ϖ", varsigma="ς")
_FUNCTIONS = {"log", "ln", "lg", "exp", "max", "min", "gcd", "lcm", "sin", "cos", "tan", "lim", "sup", "inf",
              "arg", "det", "deg", "dim", "ker", "Pr", "mod"}
_TEXT = {"text", "textrm", "textit", "textbf", "texttt", "mathrm", "mathit", "mathbf", "mathtt", "mathsf",
         "operatorname", "mbox"}


class _Unreadable(Exception):
    """TeX we do not turn into text; it is then shown as it was written."""


class _Tex:
    """A small recursive reader for the TeX that backend notes use: symbols, scripts, fractions, text."""

    def __init__(self, source: str):
        self.s, self.i = source, 0

    def run(self) -> str:
        out = re.sub(r" {2,}", " ", self.sequence(closing=None))
        return re.sub(r" +([)\]⌉⌋,])", r"\1", re.sub(r"([(\[⌈⌊]) +", r"\1", out)).strip()

    def sequence(self, closing: str | None) -> str:
        parts = []
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch == closing:
                self.i += 1
                return "".join(parts)
            if ch == "}":
                raise _Unreadable
            parts.append(self.atom())
        if closing:
            raise _Unreadable
        return "".join(parts)

    def argument(self) -> str:
        while self.i < len(self.s) and self.s[self.i] == " ":
            self.i += 1
        if self.i >= len(self.s):
            raise _Unreadable
        return self.atom()

    def raw_group(self) -> str:
        """The text of a `{…}` argument for text commands: spaces kept, only escaped symbols read."""
        m = re.compile(r"\s*\{((?:[^{}\\]|\\.)*)\}").match(self.s, self.i)
        if not m:
            raise _Unreadable
        self.i = m.end()
        return escape(re.sub(r"\\([{}%_&#$ ])", r"\1", m[1]), quote=False)

    def atom(self) -> str:
        ch = self.s[self.i]
        self.i += 1
        if ch == "{":
            return self.sequence("}")
        if ch in "^_":
            tag = "sup" if ch == "^" else "sub"
            return f"<{tag}>{self.argument()}</{tag}>"
        if ch == "\\":
            return self.command()
        if ch == "&":
            raise _Unreadable  # alignment belongs to environments we do not lay out
        if ch in "~\n":
            return " "
        return escape(ch, quote=False)

    def command(self) -> str:
        start = self.i - 1
        m = re.compile(r"[A-Za-z]+|.").match(self.s, self.i)
        if not m:
            raise _Unreadable
        name = m[0]
        self.i = m.end()
        if name == "\\":
            return "<br>"
        if name in _SPACED:
            return f" {_SPACED[name]} "
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _GREEK:
            return _GREEK[name]
        if name in _TEXT:
            return self.raw_group()
        if name in ("mathbin", "mathrel", "mathop"):
            return self.argument()
        # `n\log n` and `2\frac{1}{p}x` need a space or parentheses that TeX's layout gives for free.
        before = self.s[:start].rstrip()
        joined = bool(before) and (before[-1].isalnum() or before[-1] in ")]}") \
            and not re.search(r"\\[A-Za-z]+$", before)
        if name in _FUNCTIONS:
            follows = self.s[self.i:self.i + 1]
            return (" " if joined else "") + name + (" " if follows.isalnum() or follows == "\\" else "")
        if name in ("frac", "tfrac", "dfrac"):
            top, bottom = self.argument(), self.argument()
            text = f"{_wrap(top)}/{_wrap(bottom)}"
            return f"({text})" if joined or self._followed_by_operand() else text
        if name == "sqrt":
            return f"√{_wrap(self.argument())}"
        if name == "pmod":
            return f" (mod {self.argument()})"
        raise _Unreadable


    def _followed_by_operand(self) -> bool:
        """`\\frac12 x` means (1/2)x; before `=`, `\\right)` or a space command no parentheses are needed."""
        m = re.compile(r"(?:\s|\\[,;:! ])*(\\(?:[A-Za-z]+|.)|.)").match(self.s, self.i)
        token = m[1] if m else ""
        if token.startswith("\\"):
            name = token[1:]
            return name == "left" or (name not in _SPACED and bool(_SYMBOLS.get(name, name).strip()))
        return token[:1].isalnum() or token == "("


def _wrap(text: str) -> str:
    """Parentheses around a fraction part or root unless it is one plain word or number."""
    return text if re.fullmatch(r"[\w.′]+", text) else f"({text.strip()})"


def tex_html(tex: str, display: bool = False) -> str:
    """HTML for a formula: readable Unicode with <sup>/<sub>, or the TeX itself in monospace when we cannot read it."""
    try:
        text = _Tex(tex.strip()).run()
        return f'<span class="math{" display" if display else ""}">{text}</span>'
    except _Unreadable:
        return f'<code class="tex{" display" if display else ""}">{escape(tex.strip(), quote=False)}</code>'


_MATH_RE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>|<div class="arithmatex">\\\[(.*?)\\\]</div>',
                      re.S)


def _math(rendered: str) -> str:
    def replace(m: re.Match) -> str:
        if m[1] is not None:
            return tex_html(unescape(m[1]))
        return f'<div class="math-block">{tex_html(unescape(m[2]), display=True)}</div>'

    return _MATH_RE.sub(replace, rendered)


# ---- Markdown and SVG for print ---------------------------------------------------------------------------

class _Converter:
    """Markdown as the site reads it, with math as text and headings pushed below the topic's own levels."""

    def __init__(self, render_dot: Callable[..., str]):
        self.md = markdown.Markdown(extensions=MD_EXTENSIONS, extension_configs=MD_CONFIG)
        self.render_dot = render_dot

    def __call__(self, text: str, path: str = "", first_line: int = 1) -> Markup:
        text = embed_diagrams(text, path, first_line, self.render_dot)
        self.md.reset()
        rendered = self.md.convert(text)
        # A body's `###` would be an h3 (a topic) in the PDF outline; points are h4, so bodies start at h5.
        rendered = re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m[1]}h{min(6, int(m[2]) + 2)}", rendered)
        return Markup(_print_svg(_scaled(_math(rendered), DIAGRAM_SCALE)))


def _scaled(text: str, factor: float) -> str:
    """Scale every drawing's printed size (its viewBox keeps the content)."""
    def size(m: re.Match) -> str:
        return f'<svg width="{float(m[1]) * factor:.0f}pt" height="{float(m[2]) * factor:.0f}pt"'

    return re.sub(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', size, text)


def _print_svg(text: str) -> str:
    """Graphviz links point at site pages that do not exist in print, and its group ids (`node1`) repeat from one
    drawing to the next: keep the drawings, drop both."""
    def clean(m: re.Match) -> str:
        return re.sub(r'(<g) id="[^"]*"', r"\1", re.sub(r"</?a\b[^>]*>", "", m[0]))

    return re.sub(r"<svg\b.*?</svg>", clean, text, flags=re.S)


def _dim_outside(svg: str, keep: set[str]) -> str:
    """Fade the whole map's topics that a learning-path guide does not include."""
    def replace(m: re.Match) -> str:
        return m[0] if m[2] in keep else m[1] + ' opacity="0.25"' + m[0][len(m[1]):]

    return re.sub(r'(<g class="node")>\s*<title>topic:([\d.]+)</title>', replace, svg)


# ---- the document -------------------------------------------------------------------------------------------

def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(hours=hours)
    return env


def _css(env: jinja2.Environment) -> Markup:
    return Markup(env.loader.get_source(env, "studyguide.css")[0])


def _selected(atlas: Atlas, topic_ids: Iterable[str] | None) -> list[str]:
    if topic_ids is None:
        return [t.id for t in atlas.outline.topics]
    known = {t.id for t in atlas.outline.topics}
    chosen: list[str] = []
    for topic_id in topic_ids:
        if topic_id not in known:
            raise AtlasError(atlas.outline.path, None, f"no topic {topic_id} for the study guide")
        if topic_id not in chosen:
            chosen.append(topic_id)
    return chosen


def guide_html(atlas: Atlas, render_dot: Callable[..., str], *, topic_ids: Iterable[str] | None = None,
               title: str = TITLE, goal: str | None = None) -> str:
    """The whole guide as one HTML document for WeasyPrint. Pure and deterministic: no dates, sorted data.

    `topic_ids` picks topics in the order given (a learning path); `goal` names what that path leads to
    (default: its last topic). `render_dot` is `diagrams.render_dot` or a cached partial of it.
    """
    env = _env()
    convert = _Converter(render_dot)
    order = _selected(atlas, topic_ids)
    included = set(order)
    topics = {t: _topic(atlas, atlas.topic(t), convert, render_dot, included) for t in order}
    whole = _print_svg(render_dot(whole_map_dot(atlas.graph)))
    path = None
    if topic_ids is not None:
        whole = _dim_outside(whole, included)
        last = atlas.topic(order[-1]) if order else None
        path = {"goal": goal or (f"{last.id} {last.title}" if last else ""),
                "hours": path_hours(atlas.graph, order),
                "unwritten": sum(1 for t in order if t not in atlas.contents)}
    units = []
    for unit in atlas.outline.units:
        chapters = [{"chapter": c, "topics": [topics[t.id] for t in c.topics if t.id in included]}
                    for c in unit.chapters]
        chapters = [c for c in chapters if c["topics"]]
        if chapters:
            ids = [t["topic"].id for c in chapters for t in c["topics"]]
            units.append({"unit": unit, "chapters": chapters, "topic_ids": ids, "hours": path_hours(atlas.graph, ids),
                          "unwritten": sum(1 for t in ids if t not in atlas.contents)})
    return env.get_template("studyguide.html.j2").render(
        title=title, css=_css(env), units=units, steps=[topics[t] for t in order], path=path,
        whole_map=Markup(whole), counts=_counts(atlas, order), inputs=_inputs(atlas, order))


def _topic(atlas: Atlas, topic: Topic, convert: _Converter, render_dot: Callable[..., str],
           included: set[str]) -> dict:
    g = atlas.graph
    content = atlas.contents.get(topic.id)
    unit = next(u for u in atlas.outline.units if u.id == topic.unit_id)
    chapter = next(c for c in unit.chapters if c.id == topic.chapter_id)

    def ref(topic_id: str, edge: dict) -> dict:
        return {"id": topic_id, "title": atlas.topic(topic_id).title, "reason": edge["reason"],
                "inferred": edge["origin"] == "inferred", "here": topic_id in included}

    prereqs = [ref(t, d) for t, d in prerequisites_of(g, topic.id)]
    after = [ref(t, d) for t, d in unlocks(g, topic.id)]
    figure = ""
    if prereqs or after:
        figure = Markup(_print_svg(render_dot(neighbourhood_dot(g, topic.id, lambda t: f"#topic-{t}"))))
    specs = atlas.snippets.get(topic.id, [])
    keys = {normalize_heading(p.title) for p in topic.points}
    points = []
    for point in topic.points:
        section = section_for(content, point.title)
        points.append({"point": point,
                       "body": convert(section.body, content.path, section.line + 1) if section else None,
                       "snippets": [_snippet(atlas, s, convert) for s in specs
                                    if s.point and normalize_heading(s.point) == normalize_heading(point.title)]})
    loose = [_snippet(atlas, s, convert) for s in specs if not (s.point and normalize_heading(s.point) in keys)]
    questions = [{"q": q.q, "a": convert(q.a, content.path)} for q in content.questions] if content else []
    return {"topic": topic, "unit": unit, "chapter": chapter, "content": content,
            "hours": g.nodes[f"topic:{topic.id}"]["hours"], "prereqs": prereqs, "unlocks": after,
            "figure": figure, "points": points, "loose": loose, "questions": questions,
            "summary": convert(content.summary, content.path) if content else None}


def _snippet(atlas: Atlas, spec: SnippetSpec, convert: _Converter) -> dict:
    return {"spec": spec, "code": convert(fence(spec.code, spec.language)), "result": atlas.results.get(spec.key),
            "run": run_hint(spec)}


def _counts(atlas: Atlas, order: list[str]) -> dict:
    topics = [atlas.topic(t) for t in order]
    contents = [atlas.contents[t] for t in order if t in atlas.contents]
    specs = [s for t in order for s in atlas.snippets.get(t, [])]
    return {"units": len({t.unit_id for t in topics}), "chapters": len({t.chapter_id for t in topics}),
            "topics": len(topics), "points": sum(len(t.points) for t in topics), "written": len(contents),
            "snippets": len(specs), "questions": sum(len(c.questions) for c in contents),
            "hours": path_hours(atlas.graph, order)}


def _inputs(atlas: Atlas, order: list[str]) -> dict:
    """What this build read, so a printed copy says where it came from (no dates: the PDF is reproducible)."""
    specs = [s for t in order for s in atlas.snippets.get(t, [])]
    statuses = [atlas.results[s.key].status if s.key in atlas.results else "not run" for s in specs]
    edges = [d for _, _, d in atlas.graph.edges(data=True) if d["kind"] == "prerequisite"]
    content_dirs = sorted({posixpath.dirname(c.path) for c in atlas.contents.values()})
    return {"syllabus": atlas.outline.path, "corrections": len(atlas.outline.corrections),
            "content_dirs": content_dirs, "ok": statuses.count("ok"), "skipped": statuses.count("skipped"),
            "not_run": statuses.count("not run"),
            "failed": len(statuses) - statuses.count("ok") - statuses.count("skipped") - statuses.count("not run"),
            "curated": sum(1 for d in edges if d["origin"] == "curated"),
            "inferred": sum(1 for d in edges if d["origin"] == "inferred"),
            "tracks": len(atlas.spec.tracks)}


# ---- fonts and the PDF file ---------------------------------------------------------------------------------

def check_cjk_font() -> None:
    """Without a CJK font WeasyPrint prints every Chinese character as an empty box: refuse instead."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                               timeout=60).stdout.strip()
    except FileNotFoundError:
        found = ""
    if not found:
        raise AtlasError("fc-list :lang=zh", None, "no font with Chinese characters is installed, the PDF would "
                         "show empty boxes; install one with `apt-get install fonts-noto-cjk`")


def _font_ranges() -> list[tuple[int, int]]:
    """Code point ranges that some installed font draws: the fonts WeasyPrint can fall back through."""
    listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True,
                             timeout=60).stdout
    ranges = sorted((int(lo, 16), int(hi or lo, 16)) for lo, _, hi in (t.partition("-") for t in listing.split()))
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def without_tofu(html: str, ranges: list[tuple[int, int]]) -> str:
    """Characters no installed font can draw (say 𝄞 in a Unicode example) print as `[U+1D11E]`, never as a box."""
    starts = [lo for lo, _ in ranges]

    def drawable(ch: str) -> bool:
        at = bisect.bisect_right(starts, ord(ch)) - 1
        return at >= 0 and ranges[at][1] >= ord(ch)

    for ch in sorted(c for c in set(html) if ord(c) > 0x7F and unicodedata.category(c) not in _INVISIBLE
                     and not drawable(c)):
        html = html.replace(ch, f"[U+{ord(ch):04X}]")
    return html


_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def write_pdf(html: str, target: Path) -> None:
    """Lay the guide out and write it; a temporary file is renamed into place, so no half-written PDF is left."""
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a second the rest of the CLI need not pay

    check_cjk_font()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    HTML(string=without_tofu(html, _font_ranges()),
         base_url=str(Path(__file__).parent / "templates")).write_pdf(partial)
    partial.replace(target)
