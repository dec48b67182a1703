"""The build: run snippets, render the MkDocs project into a temporary folder, build it while the PDF is laid out
(or taken from its cache) alongside, then swap the new site into place.

Nothing is half-written: a failure anywhere leaves the previous site as it was.
"""

from __future__ import annotations

import functools
import gzip
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyvis

from ..atlas import Atlas, Sources, guide_selection, load_atlas
from ..inputs.runner import run_snippets
from ..outputs import anki, export, studydata
from ..outputs.pages import Extras, render_pages
from ..outputs.pdf import check_cjk_font, write_pdfs_cached
from ..outputs.search import build_index, index_script
from ..outputs.studyguide import guide_html
from ..outputs.topicmap import map_page
from ..views import paths
from ..views.cards import cards
from ..views.diagrams import render_dot
from ..views.maps import neighbourhood_svgs, whole_map_dot
from . import mkdocs

COMPRESSED = (".html", ".js", ".css", ".json", ".svg", ".xml", ".graphml", ".txt")  # text a server may send gzipped
COMPRESS_FROM = 8 * 1024  # bytes; smaller files gain little
VIS_NETWORK = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    cache_dir: Path | None
    jobs: int = 2
    require_services: bool = False
    run_snippets: bool = True
    pdf: bool = True


def load_with_results(sources: Sources, options: BuildOptions, progress: Progress) -> Atlas:
    progress(f"reading {sources.rel(sources.syllabus)}")
    atlas = load_atlas(sources)
    if not options.run_snippets:
        return atlas
    return atlas.with_results(run_snippets(atlas.specs(), options.cache_dir, options.jobs,
                                           options.require_services, progress))


def _render(cache_dir: Path | None) -> Callable[..., str]:
    return functools.partial(render_dot, cache_dir=cache_dir and cache_dir / "diagrams")


def site_files(atlas: Atlas, sources: Sources, cache_dir: Path | None, pdf: bool) -> dict[str, str]:
    """Every generated page and file of the site, by path under docs/ (hand-written docs/ not included)."""
    render = _render(cache_dir)
    downloads = {"知识图谱 JSON": paths.GRAPH_JSON, "知识图谱 GraphML": paths.GRAPH_GRAPHML,
                 "全图 SVG": paths.GRAPH_SVG}
    if pdf:
        downloads = {"PDF 学习手册": paths.PDF, **downloads}
    downloads["面试题 Anki 卡组"] = paths.ANKI_DECK
    topic_ids = [t.id for t in atlas.outline.topics]
    extras = Extras(neighbourhood_svgs(atlas.graph, topic_ids, render), downloads,
                    track_pdfs=frozenset(t.id for t in atlas.spec.tracks) if pdf else frozenset())
    files = dict(render_pages(atlas, render, extras))
    files[paths.GRAPH_JSON] = export.to_json(atlas.graph)
    files[paths.GRAPH_GRAPHML] = export.to_graphml(atlas.graph)
    files[paths.GRAPH_SVG] = render(whole_map_dot(atlas.graph))
    files[paths.MAP] = map_page(atlas)
    files[paths.VIS_NETWORK] = VIS_NETWORK.read_text(encoding="utf-8")
    for spec in atlas.specs():
        files[paths.snippet_file(spec)] = spec.code
        result = atlas.results.get(spec.key)
        for name, svg in result.figures if result else ():
            files[paths.figure_file(spec, name)] = svg
    return files


def carried_files(atlas: Atlas, sources: Sources) -> dict[str, bytes]:
    """Files the site carries as they are (MkDocs copies them untouched), so `atlas build` makes them while MkDocs
    builds the pages: the search index, the reader-side study data (progress, what next, flashcards) and the Anki
    deck, from one set of cards."""
    deck = cards(atlas, mkdocs.markdown_extensions(sources.root))
    return {paths.SEARCH_INDEX: index_script(build_index(atlas, search_terms(sources))).encode("utf-8"),
            paths.STUDY_DATA: studydata.script("atlasStudyData", studydata.study_data(atlas, deck)).encode("utf-8"),
            paths.STUDY_CARDS: studydata.script("atlasStudyCards", studydata.cards_data(deck)).encode("utf-8"),
            paths.ANKI_DECK: anki.apkg_bytes(atlas.site, deck)}


def search_terms(sources: Sources) -> str:
    """The domain dictionary of search (data/search-terms.txt), empty when a syllabus has none."""
    path = sources.data_dir / "search-terms.txt"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def project_files(atlas: Atlas, sources: Sources, project: Path, cache_dir: Path | None,
                  pdf: bool, carried: bool = True) -> dict[str, bytes]:
    """A complete MkDocs project by path under `project`: mkdocs.yml, and docs/ with the hand-written pages and
    assets and every generated page and file (without the carried files when `carried` is false: the build adds
    them to the built site itself)."""
    docs = sources.root / "docs"
    files = {f"docs/{p.relative_to(docs).as_posix()}": p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}
    files.update({f"docs/{k}": v.encode("utf-8") for k, v in site_files(atlas, sources, cache_dir, pdf).items()})
    if carried:
        files.update({f"docs/{k}": v for k, v in carried_files(atlas, sources).items()})
    files.update(mkdocs.theme_overrides())
    config = mkdocs.project_config(sources.root, atlas, _guides(sources))
    files[mkdocs.CONFIG] = config.encode("utf-8")
    return files


def write_project(atlas: Atlas, sources: Sources, project: Path, cache_dir: Path | None, pdf: bool,
                  carried: bool = True) -> list[str]:
    """Write the project into `project`, leaving files whose bytes are already right untouched (so a live
    preview rebuilds only what changed); returns the paths written."""
    written = []
    for rel, data in project_files(atlas, sources, project, cache_dir, pdf, carried).items():
        target = project / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(rel)
    return written


def _guides(sources: Sources) -> list:
    """Hand-written pages in docs/ (other than the home page), titled by their first heading."""
    items = []
    for path in sorted((sources.root / "docs").glob("*.md")):
        first = next((ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.startswith("# ")), "")
        items.append({first[2:].strip() or path.stem: path.name})
    return items


def guide_documents(atlas: Atlas, sources: Sources, cache_dir: Path | None) -> dict[str, str]:
    """The HTML of every PDF the site offers, by file name: the whole guide and one per learning track."""
    render, dialect = _render(cache_dir), mkdocs.markdown_extensions(sources.root)
    documents = {paths.PDF: guide_html(atlas, render, dialect=dialect)}
    for track in atlas.spec.tracks:
        topic_ids, goal = guide_selection(atlas, track=track.id)
        documents[paths.track_pdf(track.id)] = guide_html(atlas, render, dialect=dialect, topic_ids=topic_ids,
                                                          goal=goal, title=f"学习路线：{goal}")
    return documents


def make_pdfs(atlas: Atlas, sources: Sources, cache_dir: Path | None, folder: Path, progress: Progress) -> list[str]:
    """Every guide into `folder`; each laid out only when its HTML changed since its last layout. Returns the
    file names."""
    documents = guide_documents(atlas, sources, cache_dir)
    cached = write_pdfs_cached({folder / name: html for name, html in documents.items()},
                               cache_dir and cache_dir / "pdf", os.cpu_count() or 1)
    progress(f"PDF study guides: {len(documents) - cached} laid out, {cached} taken from the cache")
    return list(documents)


def render(sources: Sources, options: BuildOptions, out: Path, progress: Progress = lambda _: None) -> Atlas:
    """`atlas render`: the MkDocs project, PDF included, that `mkdocs build` and `mkdocs serve` take as it is."""
    atlas = load_with_results(sources, options, progress)
    if options.pdf:
        check_cjk_font()
    out.mkdir(parents=True, exist_ok=True)
    write_project(atlas, sources, out, options.cache_dir, options.pdf)
    if options.pdf:
        make_pdfs(atlas, sources, options.cache_dir, out / "docs", progress)
    progress(f"MkDocs project written to {out}")
    return atlas


def build(sources: Sources, options: BuildOptions, progress: Progress = lambda _: None) -> Atlas:
    atlas = load_with_results(sources, options, progress)
    if options.pdf:
        check_cjk_font()  # before the long steps: say which package to install
    site_dir = options.site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".atlas-build-", dir=site_dir.parent) as tmp:
        project = Path(tmp)
        progress("rendering pages")
        write_project(atlas, sources, project, options.cache_dir, options.pdf, carried=False)
        guides = project / "guides"
        with ThreadPoolExecutor(max_workers=2) as pool:  # while MkDocs builds the pages in its own process
            carried = pool.submit(carried_files, atlas, sources)
            laid_out = options.pdf and pool.submit(make_pdfs, atlas, sources, options.cache_dir, guides, progress)
            built = mkdocs.build(project, progress)
            for rel, data in carried.result().items():
                (built / rel).parent.mkdir(parents=True, exist_ok=True)
                (built / rel).write_bytes(data)
            for name in laid_out.result() if laid_out else []:
                (guides / name).replace(built / name)
        precompress(built)
        _replace(built, site_dir)
    progress(f"site written to {site_dir}")
    return atlas


def precompress(site: Path) -> list[Path]:
    """A `.gz` copy beside every large text file, for servers that send precompressed files (nginx gzip_static).
    Deterministic: no name and mtime 0 in the gzip header, so the same site gives the same bytes. zlib releases the
    GIL, so the files are compressed on every CPU at once."""
    paths = [p for p in sorted(site.rglob("*"))
             if p.suffix in COMPRESSED and p.is_file() and p.stat().st_size >= COMPRESS_FROM]

    def one(path: Path) -> Path:
        target = path.with_name(path.name + ".gz")
        with target.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                     compresslevel=6) as out:
            out.write(path.read_bytes())
        return target

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(one, paths))


def _replace(new: Path, target: Path) -> None:
    """Swap the new site into place; the old one is removed only after the new one is there."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)
