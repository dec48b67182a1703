"""Formulas drawn when the site is built: a Markdown extension that hands every formula pymdownx.arithmatex found to
KaTeX (the site's own vendored katex.min.js, run by Node) and puts KaTeX's HTML and MathML in the page.

A reader's browser then runs no KaTeX (270 KB of script that blocked the main thread for about 300 ms on a phone),
nothing reflows when it would have finished, and formulas read without JavaScript. mkdocs.yml names the extension
after arithmatex; the PDF and the flashcard deck leave it out (print turns TeX into text, Anki draws `\\(…\\)` itself,
and the site's flashcards draw theirs with the same KaTeX on demand).
"""

from __future__ import annotations

import atexit
import html
import json
import logging
import shutil
import subprocess
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..ground.model import AtlasError

RENDERER = Path(__file__).with_name("katex.js")
# Under MkDocs' own logger, so that `mkdocs build --strict` (and so `atlas build`) fails on a formula KaTeX rejects.
log = logging.getLogger("mkdocs.atlas.katex")
_DELIMITERS = {"span": ("\\(", "\\)", False), "div": ("\\[", "\\]", True)}


class Katex:
    """One Node process for the whole build, started at the first formula: KaTeX renders a page's formulas in
    milliseconds, starting Node costs a tenth of a second."""

    def __init__(self, script: Path):
        node = shutil.which("node")
        if node is None:
            raise AtlasError("mkdocs.yml", None, "drawing formulas with KaTeX needs Node.js: apt-get install nodejs")
        if not script.is_file():
            raise AtlasError("mkdocs.yml", None, f"KaTeX not found at {script} (a relative path is taken from the "
                                                 "folder MkDocs runs in: run it beside mkdocs.yml)")
        self.proc = subprocess.Popen([node, str(RENDERER), str(script)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8")
        atexit.register(self.proc.kill)

    def render(self, formulas: list[tuple[str, bool]]) -> list[tuple[str, str | None]]:
        """KaTeX's HTML for each (TeX, display) pair, and what KaTeX objected to, or None: a parse error (then the
        HTML is the TeX in red with the reason as a tooltip, KaTeX's own error rendering) or input that is not valid
        LaTeX although KaTeX draws it (say, a Chinese comma in math mode)."""
        self.proc.stdin.write(json.dumps(formulas) + "\n")
        self.proc.stdin.flush()
        return [tuple(pair) for pair in json.loads(self.proc.stdout.readline())]


_engines: dict[Path, Katex] = {}  # MkDocs makes a new Markdown instance per page: the Node process outlives them


def engine(script: Path) -> Katex:
    script = script.resolve()
    if script not in _engines:
        _engines[script] = Katex(script)
    return _engines[script]


class KatexTreeprocessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, script: Path):
        super().__init__(md)
        self.script = script

    def run(self, root: etree.Element) -> None:
        found = [(el, _tex(el)) for el in root.iter() if el.get("class") == "arithmatex" and el.tag in _DELIMITERS]
        found = [(el, tex) for el, tex in found if tex is not None]
        if not found:
            return
        drawn = engine(self.script).render([(tex, _DELIMITERS[el.tag][2]) for el, tex in found])
        for (el, tex), (drawing, error) in zip(found, drawn, strict=True):
            if error:
                log.warning("KaTeX objects to the formula %r: %s", tex, error)
            el.set("class", "atlas-math")
            el.text = self.md.htmlStash.store(drawing)


def _tex(el: etree.Element) -> str | None:
    """The TeX between arithmatex's generic-mode delimiters, or None if the element holds anything else."""
    left, right, _ = _DELIMITERS[el.tag]
    text = el.text or ""
    if len(el) or not (text.startswith(left) and text.endswith(right)):
        return None
    tex = text[len(left):-len(right)].strip()
    return html.unescape(tex) if el.tag == "div" else tex  # arithmatex escapes block math itself, not inline math


class KatexExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"katex": ["docs/assets/vendor/katex/katex.min.js", "path of katex.min.js"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After arithmatex (an inline pattern) has made its elements, before the tree is serialised.
        md.treeprocessors.register(KatexTreeprocessor(md, Path(self.getConfig("katex"))), "atlas_katex", 5)


def makeExtension(**kwargs) -> KatexExtension:  # noqa: N802 (the name Python-Markdown looks for)
    return KatexExtension(**kwargs)
