"""The PDF study guide: the atlas as one printable HTML document (our own template), laid out by WeasyPrint.

WeasyPrint runs no JavaScript, so everything the site draws in the browser is static here: Graphviz SVG for the
maps and diagrams, and TeX turned into readable text because KaTeX cannot run.
"""

from __future__ import annotations

import base64
import functools
import json
import posixpath
import re
from collections.abc import Callable, Iterable

import jinja2
import markdown
from markupsafe import Markup

from ..atlas import Atlas
from ..ground.markup import fence, hours
from ..ground.model import AtlasError, Topic
from ..inputs.graph import path_hours
from ..views.diagrams import embed_diagrams
from ..views.maps import neighbourhood_dot, unit_map_dot, whole_map_dot
from ..views.style import SUPPLEMENT, SUPPLEMENT_NOTE
from ..views.topicview import Neighbour, SnippetView, topic_view
from .printcode import colour_blocks
from .svgtext import font_advances, start_anchored
from .tex import math_html

DIAGRAM_SCALE = 0.75  # Graphviz draws at 14 pt by default; in print that is larger than the 9.5 pt text around it

# The site's Markdown dialect is read from mkdocs.yml by the caller; these are the print changes to it.
# Heading ids would collide across topics in one file; formulas are printed as text (tex.py), not drawn by KaTeX.
NOT_IN_PRINT = {"toc", "generator.site.katex"}
# No Pygments HTML: its thousands of spans made WeasyPrint's parse, layout and PDF writing 2.4 times slower; code is
# coloured by printcode instead, with a span per run of one kind.
PRINT_CONFIG = {"pymdownx.highlight": {"use_pygments": False}}


# ---- Markdown and SVG for print ---------------------------------------------------------------------------

class _Converter:
    """Markdown as the site reads it, with math as text and headings pushed below the topic's own levels."""

    def __init__(self, render_dot: Callable[..., str], dialect: tuple[list[str], dict]):
        names, configs = dialect
        configs = {k: {**v, **PRINT_CONFIG.get(k, {})} for k, v in configs.items()}
        configs.update({k: v for k, v in PRINT_CONFIG.items() if k not in configs})
        self.md = markdown.Markdown(extensions=[n for n in names if n not in NOT_IN_PRINT],
                                    extension_configs={k: v for k, v in configs.items() if k not in NOT_IN_PRINT})
        self.render_dot = render_dot
        self.done: dict[tuple[str, str, int], Markup] = {}

    def __call__(self, text: str, path: str = "", first_line: int = 1) -> Markup:
        """Converted once per build: the track guides print the same topics again."""
        key = (text, path, first_line)
        if key not in self.done:
            self.done[key] = self._convert(text, path, first_line)
        return self.done[key]

    def _convert(self, text: str, path: str, first_line: int) -> Markup:
        text = embed_diagrams(text, path, first_line, self.render_dot)
        self.md.reset()
        rendered = self.md.convert(text)
        # A body's `###` would be an h3 (a topic) in the PDF outline; points are h4, so bodies start at h5.
        rendered = re.sub(r"<(/?)h([1-6])\b", lambda m: f"<{m[1]}h{min(6, int(m[2]) + 2)}", rendered)
        return Markup(_print_svg(_scaled(math_html(colour_blocks(rendered)), DIAGRAM_SCALE)))


@functools.lru_cache(maxsize=2)
def _converter(render_dot: Callable[..., str], dialect: str) -> _Converter:
    """One converter per build (its render function and dialect), shared by the whole guide and the track guides."""
    return _Converter(render_dot, tuple(json.loads(dialect)))


def _scaled(text: str, factor: float) -> str:
    """Scale every drawing's printed size (its viewBox keeps the content)."""
    def size(m: re.Match) -> str:
        return f'<svg width="{float(m[1]) * factor:.0f}pt" height="{float(m[2]) * factor:.0f}pt"'

    return re.sub(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', size, text)


def _print_svg(text: str) -> str:
    """Graphviz links point at site pages that do not exist in print, and its group ids (`node1`) repeat from one
    drawing to the next: keep the drawings, drop both. Labels are placed where they start (see svgtext)."""
    def clean(m: re.Match) -> str:
        return start_anchored(re.sub(r'(<g) id="[^"]*"', r"\1", re.sub(r"</?a\b[^>]*>", "", m[0])), font_advances)

    return re.sub(r"<svg\b.*?</svg>", clean, text, flags=re.S)


# The whole map split per unit (per chapter where a unit is too large), each on a page of the orientation that prints
# its labels largest: Graphviz sets them at 11 pt; at least 6.5 pt must remain after fitting the page.
MAP_LABEL_PT, MAP_MIN_PT = 11, 6.5
MAP_PAGES = {"landscape": (774, 470), "portrait": (499, 700)}  # drawing area in pt, below the title


def _fit(svg: str) -> tuple[str, str, float]:
    """The SVG sized for the page that prints it largest: (svg, page orientation, label size in pt)."""
    m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if m is None:  # not Graphviz's: printed as it comes
        return svg, "landscape", MAP_LABEL_PT
    width, height = float(m[1]), float(m[2])
    page, scale = max(((name, min(1.0, w / width, h / height)) for name, (w, h) in MAP_PAGES.items()),
                      key=lambda x: x[1])
    sized = f'<svg width="{width * scale:.0f}pt" height="{height * scale:.0f}pt"'
    return svg[: m.start()] + sized + svg[m.end():], page, MAP_LABEL_PT * scale


def unit_maps(atlas: Atlas, render_dot: Callable[..., str], unit_ids: list[str], keep: set[str] | None) -> list[dict]:
    maps = []
    for unit in (u for u in atlas.outline.units if u.id in unit_ids):
        whole = _fit(render_dot(unit_map_dot(atlas.graph, unit.id)))
        pieces = [(f"{unit.id} {unit.title}", unit.id, whole)] if whole[2] >= MAP_MIN_PT else [
            (f"{c.id} {c.title}", c.id, _fit(render_dot(unit_map_dot(atlas.graph, unit.id, c.id))))
            for c in unit.chapters]
        for title, key, (svg, page, label) in pieces:
            svg = _dim_outside(_print_svg(svg), keep)
            maps.append({"title": title, "key": key, "svg": Markup(svg), "page": page, "label_pt": label})
    return maps


def _dim_outside(svg: str, keep: set[str] | None) -> str:
    """Fade a map's topics that a learning-path guide does not include (`keep`; None, the whole guide: none). Each
    shape and label is faded (fill and stroke opacity, inherited): an `opacity` on the node's group would make
    WeasyPrint draw the node as a group of its own, which PDF readers are slow to draw (see svgtext). Expects the
    SVG after `_print_svg`, which drops the node ids Graphviz writes before `class`."""
    def replace(m: re.Match) -> str:
        faded = ' fill-opacity="0.25" stroke-opacity="0.25"'
        return m[0] if m[2] in keep else m[1] + faded + m[0][len(m[1]):]

    return svg if keep is None else re.sub(r'(<g class="node")>\s*<title>topic:([\d.]+)</title>', replace, svg)


# ---- the document -------------------------------------------------------------------------------------------

def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("generator", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(hours=hours)
    env.globals.update(SUPPLEMENT=SUPPLEMENT, SUPPLEMENT_NOTE=SUPPLEMENT_NOTE)
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


def guide_html(atlas: Atlas, render_dot: Callable[..., str], *, dialect: tuple[list[str], dict],
               topic_ids: Iterable[str] | None = None, title: str | None = None, goal: str | None = None) -> str:
    """The whole guide as one HTML document for WeasyPrint. Pure and deterministic: no dates, sorted data.

    `topic_ids` picks topics in the order given (a learning path); `goal` names what that path leads to
    (default: its last topic). `render_dot` is `diagrams.render_dot` or a cached partial of it; `dialect` is the
    site's Markdown dialect (extension names and their options).
    """
    env = _env()
    convert = _converter(render_dot, json.dumps(dialect, sort_keys=True))
    order = _selected(atlas, topic_ids)
    included = set(order)
    topics = {t: _topic(atlas, atlas.topic(t), convert, render_dot, included, topic_ids is not None) for t in order}
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
    maps = unit_maps(atlas, render_dot, [u["unit"].id for u in units], None if topic_ids is None else included)
    return env.get_template("studyguide.html.j2").render(
        site=atlas.site, title=title or atlas.site.title, css=_css(env), units=units, steps=[topics[t] for t in order],
        path=path, whole_map=Markup(whole), unit_maps=maps, counts=_counts(atlas, order),
        inputs=_inputs(atlas, order))


def _topic(atlas: Atlas, topic: Topic, convert: _Converter, render_dot: Callable[..., str],
           included: set[str], neighbourhood: bool) -> dict:
    """`neighbourhood`: draw the topic's small map (a path guide; the whole guide has a map per unit instead, and
    drawing 120 more figures would cost a third of its layout time)."""
    view = topic_view(atlas, topic.id, lambda t: f"#topic-{t}" if t in included else None)
    content = view.content

    def ref(n: Neighbour) -> dict:
        return {"id": n.id, "title": n.title, "reason": n.reason, "here": n.id in included}

    figure = ""
    if neighbourhood and (view.prereqs or view.unlocks):
        figure = Markup(_print_svg(render_dot(neighbourhood_dot(atlas.graph, topic.id, lambda t: f"#topic-{t}"))))
    points = [{"point": pv.point,
               "body": convert(pv.section.body, content.path, pv.section.body_line) if pv.section else None,
               "snippets": [_snippet(sv, convert) for sv in pv.snippets]} for pv in view.points]
    questions = [{"q": q.q, "a": convert(q.a, content.path)} for q in content.questions] if content else []
    return {"topic": topic, "unit": view.unit, "chapter": view.chapter, "content": content, "hours": view.hours,
            "prereqs": [ref(n) for n in view.prereqs], "unlocks": [ref(n) for n in view.unlocks],
            "figure": figure, "points": points, "loose": [_snippet(sv, convert) for sv in view.loose],
            "questions": questions, "summary": convert(content.summary, content.path) if content else None}


def _snippet(view: SnippetView, convert: _Converter) -> dict:
    figures = [{"name": name, "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode()}
               for name, svg in view.figures]
    return {"spec": view.spec, "code": convert(fence(view.spec.code, view.spec.language)), "result": view.result,
            "run": view.run, "figures": figures}


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
    edges = [d for _, _, d in atlas.graph.edges(data=True) if d["kind"] in ("prerequisite", "related")]
    content_dirs = sorted({posixpath.dirname(c.path) for c in atlas.contents.values()})
    return {"syllabus": atlas.outline.path, "corrections": len(atlas.outline.corrections),
            "content_dirs": content_dirs, "ok": statuses.count("ok"), "skipped": statuses.count("skipped"),
            "not_run": statuses.count("not run"),
            "failed": len(statuses) - statuses.count("ok") - statuses.count("skipped") - statuses.count("not run"),
            "curated": sum(1 for d in edges if d["kind"] == "prerequisite"),
            "related": sum(1 for d in edges if d["kind"] == "related"),
            "tracks": len(atlas.spec.tracks)}
