"""TeX -> readable text for print: WeasyPrint runs no KaTeX, so formulas become Unicode with <sup>/<sub>. Pure."""

from __future__ import annotations

import re
from html import escape, unescape

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


def math_html(rendered: str) -> str:
    """Arithmatex output (`\\(…\\)`, `\\[…\\]`) with each formula as readable text."""
    def replace(m: re.Match) -> str:
        if m[1] is not None:
            return tex_html(unescape(m[1]))
        return f'<div class="math-block">{tex_html(unescape(m[2]), display=True)}</div>'

    return _MATH_RE.sub(replace, rendered)
