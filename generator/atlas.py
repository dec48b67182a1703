"""Everything the outputs need, loaded from disk and checked for consistency as one Atlas object."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx

from .ground.model import (
    AtlasError,
    GraphSpec,
    Outline,
    SiteInfo,
    SnippetResult,
    SnippetSpec,
    Topic,
    TopicContent,
    UsageError,
)
from .ground.yamldata import load
from .inputs.content import normalize_heading, parse_content, topic_refs
from .inputs.graph import (
    build_graph,
    learning_path,
    parse_concepts,
    parse_preface_links,
    parse_prerequisites,
    parse_tracks,
    path_to_goals,
)
from .inputs.outline import decode, parse_errata, parse_outline
from .inputs.snippets import LANGUAGES, parse_snippet


@dataclass(frozen=True)
class Sources:
    """Where one atlas's inputs live. Another syllabus keeps its errata, topics, snippets and graph beside it."""

    root: Path  # the project: docs/, mkdocs.yml
    syllabus: Path
    data_dir: Path
    graph_dir: Path
    strict_outline: bool = False  # general slips in the outline are errors instead of visible auto-corrections

    @classmethod
    def default(cls, root: Path) -> Sources:
        return cls(root, root / "data" / "syllabus.txt", root / "data", root / "graph")

    @classmethod
    def for_syllabus(cls, root: Path, syllabus: Path) -> Sources:
        syllabus = syllabus.resolve()
        if syllabus == (root / "data" / "syllabus.txt").resolve():
            return cls.default(root)
        return cls(root, syllabus, syllabus.parent, syllabus.parent / "graph")

    @property
    def supplement(self) -> Path:
        """The site's own outline of units the source never names, numbered after it (optional)."""
        return self.data_dir / "supplement.txt"

    def rel(self, path: Path) -> str:
        """Paths in messages are relative to the project when they can be, so they are short and clickable."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


@dataclass(frozen=True)
class Atlas:
    """Everything one build reads, checked and frozen; snippet results are attached with `with_results`."""

    outline: Outline
    contents: dict[str, TopicContent]
    preface: dict[str, TopicContent]
    snippets: dict[str, list[SnippetSpec]]
    spec: GraphSpec
    graph: nx.DiGraph
    results: dict[str, SnippetResult] = field(default_factory=dict)
    site: SiteInfo = SiteInfo()
    topics_dir: str = "data/topics"  # where a topic's content file goes, as the reader of a page should look for it

    def topic(self, topic_id: str) -> Topic:
        return self._topics[topic_id]

    def asked_topic(self, topic_id: str) -> Topic:
        """A topic named on the command line: a usage error, not a data error, when there is none."""
        if topic_id not in self._topics:
            raise UsageError(f"no topic {topic_id} in {self.outline.path}"
                             + (f" or {self.outline.supplement.path}" if self.outline.supplement else ""))
        return self._topics[topic_id]

    def specs(self, topic_ids: set[str] | None = None) -> list[SnippetSpec]:
        """Every snippet, or those of some topics, in topic order."""
        return [s for tid, specs in self.snippets.items() if topic_ids is None or tid in topic_ids for s in specs]

    def with_results(self, results: dict[str, SnippetResult]) -> Atlas:
        return replace(self, results=results)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_topics", {t.id: t for t in self.outline.topics})


def _read(path: Path, sources: Sources) -> str:
    return decode(path.read_bytes(), sources.rel(path))


def load_atlas(sources: Sources) -> Atlas:
    if not sources.syllabus.is_file():
        raise AtlasError(sources.rel(sources.syllabus), None, "syllabus file not found")
    text = _read(sources.syllabus, sources)
    errata_path = sources.data_dir / "errata.yaml"
    errata = {}
    if errata_path.is_file():
        errata = parse_errata(_read(errata_path, sources), sources.rel(errata_path), text.split("\n"))
    outline = parse_outline(text, sources.rel(sources.syllabus), errata, strict=sources.strict_outline)
    if sources.supplement.is_file():
        outline = outline.with_supplement(parse_outline(
            _read(sources.supplement, sources), sources.rel(sources.supplement), strict=sources.strict_outline,
            first_unit=len(outline.units) + 1))
    known = {t.id for t in outline.topics}

    contents = {}
    for path in sorted((sources.data_dir / "topics").glob("*.md")):
        ident = path.stem
        if ident not in known:
            raise AtlasError(sources.rel(path), None, f"no topic {ident} in the syllabus")
        contents[ident] = parse_content(_read(path, sources), sources.rel(path), ident)
    preface = {}
    section_ids = {s.id for s in outline.preface}
    for path in sorted((sources.data_dir / "preface").glob("*.md")):
        if path.stem not in section_ids:
            raise AtlasError(sources.rel(path), None, f"no preface section {path.stem!r} in the syllabus")
        preface[path.stem] = parse_content(_read(path, sources), sources.rel(path), path.stem, full=False)

    snippets: dict[str, list[SnippetSpec]] = {}
    snippet_root = sources.data_dir / "snippets"
    for folder in sorted(p for p in snippet_root.glob("*") if p.is_dir()):
        if folder.name not in known:
            raise AtlasError(sources.rel(folder), None, f"snippets for unknown topic {folder.name}")
        files = sorted(p for p in folder.iterdir() if p.suffix in LANGUAGES)
        snippets[folder.name] = [parse_snippet(_read(p, sources), sources.rel(p), folder.name) for p in files]

    spec = load_graph_spec(sources)
    hours = {k: c.hours for k, c in contents.items() if c.hours}
    atlas = Atlas(outline, contents, preface, snippets, spec, build_graph(outline, spec, hours),
                  site=load_site_info(sources), topics_dir=sources.rel(sources.data_dir / "topics"))
    check_consistency(atlas)
    return atlas


def load_site_info(sources: Sources) -> SiteInfo:
    path = sources.data_dir / "site.yaml"
    if not path.is_file():
        return SiteInfo()
    rel = sources.rel(path)
    data, _ = load(_read(path, sources), rel)
    if not isinstance(data, dict):
        raise AtlasError(rel, 1, "expected a mapping of site fields")
    known = set(SiteInfo.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise AtlasError(rel, None, f"unknown field {unknown[0]!r} (fields: {', '.join(sorted(known))})")
    return SiteInfo(**{k: " ".join(str(v).split()) if k != "introduction" else str(v).strip() for k, v in data.items()})


def load_graph_spec(sources: Sources) -> GraphSpec:
    def read(name: str, parse):
        path = sources.graph_dir / name
        return tuple(parse(_read(path, sources), sources.rel(path))) if path.is_file() else ()

    return GraphSpec(read("prerequisites.yaml", parse_prerequisites), read("concepts.yaml", parse_concepts),
                     read("tracks.yaml", parse_tracks), read("preface.yaml", parse_preface_links))


def check_consistency(atlas: Atlas) -> None:
    """Content headings must be the topic's points in syllabus order; snippet `point`s and `[[id]]` links must
    exist."""
    known = {t.id for t in atlas.outline.topics}
    for ident, content in atlas.contents.items():
        _check_sections(content, [p.title for p in atlas.topic(ident).points], f"topic {ident}")
        for target, line in topic_refs(content):
            if target not in known:
                raise AtlasError(content.path, line, f"[[{target}]] links to no topic of the outline")
    for section in atlas.outline.preface:
        content = atlas.preface.get(section.id)
        if content:
            _check_sections(content, [i.title for i in section.items], f"preface section {section.title}")
    for ident, specs in atlas.snippets.items():
        points = {normalize_heading(p.title) for p in atlas.topic(ident).points}
        for spec in specs:
            if spec.point and normalize_heading(spec.point) not in points:
                raise AtlasError(spec.path, None, f"`point: {spec.point}` is not a point of topic {ident}")
    sections = {s.id: {i.number for i in s.items} for s in atlas.outline.preface}
    for link in atlas.spec.preface_links:
        if link.item not in sections.get(link.section, set()):
            raise AtlasError(link.path, link.line, f"no preface item {link.section} {link.item})")
        for topic_id in link.topics:
            if topic_id not in known:
                raise AtlasError(link.path, link.line, f"unknown topic {topic_id}")


def _check_sections(content: TopicContent, titles: list[str], what: str) -> None:
    wanted = [normalize_heading(t) for t in titles]
    seen: list[int] = []
    for section in content.sections:
        key = normalize_heading(section.title)
        if key not in wanted:
            raise AtlasError(content.path, section.line,
                             f"heading {section.title!r} is not a point of {what}; the points are: "
                             + " | ".join(titles))
        index = wanted.index(key)
        if index in seen:
            raise AtlasError(content.path, section.line, f"heading {section.title!r} appears twice")
        if seen and index < seen[-1]:
            raise AtlasError(content.path, section.line, f"heading {section.title!r} is out of syllabus order")
        seen.append(index)


def section_for(content: TopicContent | None, title: str):
    """The written section for a point title, or None."""
    if content is None:
        return None
    key = normalize_heading(title)
    return next((s for s in content.sections if normalize_heading(s.title) == key), None)


def guide_selection(atlas: Atlas, track: str | None = None,
                    to: str | None = None) -> tuple[list[str] | None, str | None]:
    """The topics a goal's study guide holds, in learning order, and the goal's name (None, None: the whole atlas)."""
    if track:
        chosen = next((t for t in atlas.spec.tracks if t.id == track), None)
        if chosen is None:
            known = ", ".join(t.id for t in atlas.spec.tracks) or "none"
            raise UsageError(f"no track {track!r} (tracks: {known})")
        return path_to_goals(atlas.graph, chosen.goals), chosen.title
    if to:
        return learning_path(atlas.graph, atlas.asked_topic(to).id), None
    return None, None
