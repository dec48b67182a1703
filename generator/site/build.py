"""The build: run snippets, render the MkDocs project into a temporary folder, build it while the PDF is laid out
(or taken from its cache) alongside, then swap the new site into place.

Nothing is half-written: a failure anywhere leaves the previous site as it was.
"""

from __future__ import annotations

import functools
import gzip
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyvis

from ..atlas import Atlas, Sources, load_atlas
from ..inputs.runner import run_snippets
from ..outputs import export
from ..outputs.pages import Extras, render_pages
from ..outputs.pdf import check_cjk_font, write_pdf_cached
from ..outputs.studyguide import guide_html
from ..outputs.topicmap import map_page
from ..views import paths
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
    topic_ids = [t.id for t in atlas.outline.topics]
    extras = Extras(neighbourhood_svgs(atlas.graph, topic_ids, render), downloads)
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


def project_files(atlas: Atlas, sources: Sources, project: Path, cache_dir: Path | None,
                  pdf: bool) -> dict[str, bytes]:
    """A complete MkDocs project by path under `project`: mkdocs.yml, and docs/ with the hand-written pages and
    assets and every generated page and file."""
    docs = sources.root / "docs"
    files = {f"docs/{p.relative_to(docs).as_posix()}": p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}
    files.update({f"docs/{k}": v.encode("utf-8") for k, v in site_files(atlas, sources, cache_dir, pdf).items()})
    files.update(mkdocs.theme_overrides())
    terms = sources.data_dir / "search-terms.txt"
    if terms.is_file():
        files["search-terms.txt"] = terms.read_bytes()
    config = mkdocs.project_config(sources.root, atlas, _guides(sources),
                                   (project / "search-terms.txt").resolve() if terms.is_file() else None)
    files[mkdocs.CONFIG] = config.encode("utf-8")
    return files


def write_project(atlas: Atlas, sources: Sources, project: Path, cache_dir: Path | None, pdf: bool) -> list[str]:
    """Write the project into `project`, leaving files whose bytes are already right untouched (so a live
    preview rebuilds only what changed); returns the paths written."""
    written = []
    for rel, data in project_files(atlas, sources, project, cache_dir, pdf).items():
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


def make_pdf(atlas: Atlas, sources: Sources, cache_dir: Path | None, target: Path, progress: Progress) -> None:
    """The whole study guide; laid out only when its HTML changed since the last layout."""
    html = guide_html(atlas, _render(cache_dir), dialect=mkdocs.markdown_extensions(sources.root))
    if write_pdf_cached(html, target, cache_dir and cache_dir / "pdf"):
        progress("PDF study guide taken from the cache")
    else:
        progress("PDF study guide laid out")


def render(sources: Sources, options: BuildOptions, out: Path, progress: Progress = lambda _: None) -> Atlas:
    """`atlas render`: the MkDocs project, PDF included, that `mkdocs build` and `mkdocs serve` take as it is."""
    atlas = load_with_results(sources, options, progress)
    if options.pdf:
        check_cjk_font()
    out.mkdir(parents=True, exist_ok=True)
    write_project(atlas, sources, out, options.cache_dir, options.pdf)
    if options.pdf:
        make_pdf(atlas, sources, options.cache_dir, out / "docs" / paths.PDF, progress)
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
        write_project(atlas, sources, project, options.cache_dir, options.pdf)
        pdf = project / paths.PDF
        with ThreadPoolExecutor(max_workers=1) as pool:  # the layout runs while MkDocs builds in its own process
            laid_out = pool.submit(make_pdf, atlas, sources, options.cache_dir, pdf, progress) if options.pdf else None
            built = mkdocs.build(project, progress)
            if laid_out:
                laid_out.result()
                pdf.replace(built / paths.PDF)
        precompress(built)
        _replace(built, site_dir)
    progress(f"site written to {site_dir}")
    return atlas


def precompress(site: Path) -> list[Path]:
    """A `.gz` copy beside every large text file, for servers that send precompressed files (nginx gzip_static).
    Deterministic: no name and mtime 0 in the gzip header, so the same site gives the same bytes."""
    written = []
    for path in sorted(site.rglob("*")):
        if path.suffix in COMPRESSED and path.is_file() and path.stat().st_size >= COMPRESS_FROM:
            target = path.with_name(path.name + ".gz")
            with target.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
                out.write(path.read_bytes())
            written.append(target)
    return written


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
