"""The build: run snippets, render every output into a temporary folder, run MkDocs there, then move into place.

This is the only module besides the CLI that touches the file system for outputs. Nothing is half-written:
a failure anywhere leaves the previous site as it was.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyvis
import yaml

from . import export, services, snippets
from .atlas import Atlas, Sources, load_atlas
from .diagrams import render_dot
from .model import AtlasError, SnippetResult
from .pages import Extras, nav, render_pages, snippet_file, topic_page
from .smallmaps import neighbourhood_svgs, whole_map_dot
from .studyguide import check_cjk_font, guide_html, write_pdf
from .topicmap import map_page

PDF_NAME = "study-guide.pdf"
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


def run_snippets(atlas: Atlas, options: BuildOptions, progress: Progress,
                 topics: set[str] | None = None) -> dict[str, SnippetResult]:
    """Run every snippet (or those of `topics`); servers start only for snippets that are not cached."""
    specs = [s for tid, specs in atlas.snippets.items() if topics is None or tid in topics for s in specs]
    total = len(specs)
    done = []

    def report(result: SnippetResult, cached: bool) -> None:
        done.append(result)
        progress(f"[{len(done)}/{total}] {result.key}: {'cached' if cached else result.status}")

    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}
    with services.pool() as pool:
        results = snippets.run_all(specs, options.cache_dir and options.cache_dir / "snippets", env,
                                   pool.provide, options.jobs, report)
    by_key = {s.key: s for s in specs}
    skipped = [(by_key[k], r) for k, r in sorted(results.items()) if r.status == "skipped"]
    if options.require_services and skipped:
        raise AtlasError(skipped[0][0].path, None, f"{len(skipped)} snippet(s) could not run here: "
                         + skipped[0][1].note)
    failed = [(by_key[k], r) for k, r in sorted(results.items()) if r.status in ("failed", "timeout")]
    if failed:
        messages = [snippets.failure_message(spec, r) for spec, r in failed]
        raise AtlasError(failed[0][0].path, None, f"{len(failed)} snippet(s) failed:\n" + "\n".join(messages))
    return results


def generate(atlas: Atlas, sources: Sources, docs_dir: Path, cache_dir: Path | None, pdf: bool = True) -> None:
    """Write the hand-written docs, generated pages, snippet files, graph exports and the PDF into `docs_dir`."""
    shutil.copytree(sources.root / "docs", docs_dir, dirs_exist_ok=True)
    render = functools.partial(render_dot, cache_dir=cache_dir and cache_dir / "diagrams")
    topic_ids = [t.id for t in atlas.outline.topics]
    downloads = {"知识图谱 JSON": "graph/atlas.json", "知识图谱 GraphML": "graph/atlas.graphml",
                 "全图 SVG": "graph/atlas-map.svg"}
    if pdf:
        downloads = {"PDF 学习手册": PDF_NAME, **downloads}
    extras = Extras(neighbourhood_svgs(atlas.graph, topic_ids, render, topic_page), downloads)
    files = dict(render_pages(atlas, render, extras))
    files["graph/atlas.json"] = export.to_json(atlas.graph)
    files["graph/atlas.graphml"] = export.to_graphml(atlas.graph)
    files["graph/atlas-map.svg"] = render(whole_map_dot(atlas.graph))
    files["map.md"] = map_page(atlas)
    files["assets/vendor/vis-network/vis-network.min.js"] = VIS_NETWORK.read_text(encoding="utf-8")
    for specs in atlas.snippets.values():
        for spec in specs:
            files[snippet_file(spec)] = spec.code
    for rel, text in files.items():
        target = docs_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if pdf:
        write_pdf(guide_html(atlas, render), docs_dir / PDF_NAME)


def mkdocs_config(atlas: Atlas, sources: Sources, docs_dir: Path, site_dir: Path) -> str:
    config = yaml.safe_load((sources.root / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(docs_dir=str(docs_dir), site_dir=str(site_dir), nav=nav(atlas, _guides(sources)))
    terms = sources.data_dir / "search-terms.txt"
    if terms.is_file():  # a jieba user dictionary: domain words the segmenter must keep whole (红黑树, 时间轮)
        for plugin in config.get("plugins", []):
            if isinstance(plugin, dict) and "search" in plugin:
                plugin["search"]["jieba_dict_user"] = str(terms.resolve())
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def _guides(sources: Sources) -> list:
    """Hand-written pages in docs/ (other than the home page), titled by their first heading."""
    items = []
    for path in sorted((sources.root / "docs").glob("*.md")):
        first = next((ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.startswith("# ")), "")
        items.append({first[2:].strip() or path.stem: path.name})
    return items


def run_mkdocs(config_file: Path, progress: Progress) -> None:
    progress("mkdocs build --strict")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config_file)],
                          capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if proc.returncode != 0:
        raise AtlasError(str(config_file.name), None, "mkdocs build failed:\n" + (proc.stderr or proc.stdout)[-4000:])


def build(sources: Sources, options: BuildOptions, progress: Progress = lambda _: None) -> Atlas:
    progress(f"reading {sources.rel(sources.syllabus)}")
    atlas = load_atlas(sources)
    if options.run_snippets:
        atlas.results = run_snippets(atlas, options, progress)
    if options.pdf:
        check_cjk_font()  # before the long steps: say which package to install
    site_dir = options.site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".atlas-build-", dir=site_dir.parent) as tmp:
        work = Path(tmp)
        progress("rendering pages" + (" and the PDF study guide" if options.pdf else ""))
        generate(atlas, sources, work / "docs", options.cache_dir, options.pdf)
        config = work / "mkdocs.yml"
        config.write_text(mkdocs_config(atlas, sources, work / "docs", work / "site"), encoding="utf-8")
        run_mkdocs(config, progress)
        _replace(work / "site", site_dir)
    progress(f"site written to {site_dir}")
    return atlas


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
