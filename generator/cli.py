"""`atlas …`: the command-line face. It parses arguments, calls one function and prints; the policy lives below.

A data error prints `file:line: message` and exits 1; a bad argument prints the usage problem and exits 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import sys
from pathlib import Path

from .atlas import Sources, guide_selection, load_atlas
from .ground.model import AtlasError, UsageError
from .inputs.graph import learning_path, path_hours, topic_hours
from .inputs.runner import run_snippets
from .outputs.export import write_exports
from .outputs.pdf import check_cjk_font, write_pdf_cached
from .outputs.report import (
    coverage,
    coverage_table,
    graph_report,
    incomplete,
    line_report,
    preface_coverage,
    preface_table,
    summary,
)
from .outputs.search import build_index, search
from .outputs.studyguide import guide_html
from .site import mkdocs
from .site.build import BuildOptions, build, render, search_terms
from .site.serve import serve
from .views.diagrams import render_dot
from .views.maps import whole_map_dot

ROOT = Path(__file__).resolve().parent.parent


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sources(args: argparse.Namespace) -> Sources:
    sources = Sources.for_syllabus(ROOT, Path(args.syllabus)) if args.syllabus else Sources.default(ROOT)
    return dataclasses.replace(sources, strict_outline=args.strict_outline)


def _options(args: argparse.Namespace, site_dir: Path | None = None, **kw) -> BuildOptions:
    cache = None if getattr(args, "no_cache", False) else Path(args.cache_dir)
    return BuildOptions(site_dir=site_dir or ROOT / "site", cache_dir=cache, jobs=args.jobs,
                        require_services=getattr(args, "require_services", False), **kw)


def cmd_build(args: argparse.Namespace) -> int:
    build(_sources(args), _options(args, Path(args.site_dir), run_snippets=not args.skip_snippets,
                                   pdf=not args.no_pdf), _progress)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    render(_sources(args), _options(args, run_snippets=not args.skip_snippets, pdf=not args.no_pdf),
           Path(args.out), _progress)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    serve(_sources(args), _options(args), args.address, _progress)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    rows = coverage(atlas)
    if args.lines:
        print(line_report(atlas.outline))
    print(summary(atlas.outline, rows))
    print(graph_report(atlas.graph))
    print(coverage_table(rows))
    prefaces = preface_coverage(atlas)
    if prefaces:
        print(preface_table(prefaces))
    if args.snippets:
        topics = {t.strip() for t in args.topics.split(",")} if args.topics else None
        for topic_id in topics or ():
            atlas.asked_topic(topic_id)
        results = run_snippets(atlas.specs(topics), Path(args.cache_dir), args.jobs, args.require_services, _progress)
        print(f"snippets: {sum(r.status == 'ok' for r in results.values())} ok, "
              f"{sum(r.status == 'skipped' for r in results.values())} skipped")
    units = {u.strip() for u in (args.require_units or "").split(",") if u.strip()}
    problems = incomplete(atlas, rows, units, prefaces if args.require_preface else None)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def cmd_pdf(args: argparse.Namespace) -> int:
    """A study guide for one goal (a track or a topic): only its learning path, in learning order."""
    check_cjk_font()
    cache = Path(args.cache_dir)
    sources = _sources(args)
    atlas = load_atlas(sources)
    topic_ids, goal = guide_selection(atlas, args.track, args.to)
    title = None if topic_ids is None else (f"学习路线：{goal}" if goal else
                                            f"学习路径：{args.to} {atlas.asked_topic(args.to).title}")
    if not args.skip_snippets:  # run only what the guide prints
        atlas = atlas.with_results(run_snippets(atlas.specs(set(topic_ids) if topic_ids else None), cache,
                                                args.jobs, False, _progress))
    _progress("laying out the PDF")
    html = guide_html(atlas, functools.partial(render_dot, cache_dir=cache / "diagrams"),
                      dialect=mkdocs.markdown_extensions(sources.root), topic_ids=topic_ids, goal=goal, title=title)
    write_pdf_cached(html, Path(args.out), cache / "pdf", os.cpu_count() or 1)
    print(f"wrote {args.out} ({len(topic_ids) if topic_ids is not None else len(atlas.outline.topics)} topics)")
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    steps = learning_path(atlas.graph, atlas.asked_topic(args.topic).id)
    for i, topic_id in enumerate(steps, 1):
        hours = topic_hours(atlas.graph, topic_id)
        print(f"{i:3d}. {topic_id:<8} {atlas.topic(topic_id).title}  {hours:g} h" if hours else
              f"{i:3d}. {topic_id:<8} {atlas.topic(topic_id).title}  (not written yet)")
    print(f"total: {len(steps)} topics, {path_hours(atlas.graph, steps):g} hours")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    hits = search(build_index(atlas, search_terms(_sources(args))), " ".join(args.query), args.limit)
    for hit in hits:
        print(f"{hit.topic_id:<8} {hit.title}  [{hit.why}]")
    if not hits:
        print("no match", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    written = write_exports(atlas.graph, Path(args.out), lambda: render_dot(whole_map_dot(atlas.graph)))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def parser() -> argparse.ArgumentParser:
    jobs = os.cpu_count() or 2
    p = argparse.ArgumentParser(prog="atlas", description="syllabus -> knowledge graph -> site, PDF and map")
    p.add_argument("--syllabus", help="another syllabus; its errata, topics/, snippets/ and graph/ sit beside it")
    p.add_argument("--cache-dir", default=str(ROOT / ".cache"),
                   help="where snippet results, diagrams and laid-out PDFs are kept between runs")
    p.add_argument("--strict-outline", action="store_true",
                   help="general slips in the outline (full-width numbering, repeated numbers …) are errors")
    sub = p.add_subparsers(dest="command", required=True)

    def runs_snippets(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--jobs", type=int, default=jobs)
        cmd.add_argument("--no-cache", action="store_true", help="rerun every snippet")
        cmd.add_argument("--skip-snippets", action="store_true", help="do not run snippets (pages say so)")
        cmd.add_argument("--require-services", action="store_true",
                         help="fail when a snippet cannot run here (a server, library or root it needs is missing)")

    b = sub.add_parser("build", help="run the snippets, render the pages and the PDF, build the site with MkDocs")
    b.add_argument("--site-dir", default=str(ROOT / "site"))
    b.add_argument("--no-pdf", action="store_true", help="leave out the PDF study guide")
    runs_snippets(b)
    b.set_defaults(func=cmd_build)
    r = sub.add_parser("render", help="write the MkDocs project (mkdocs.yml, docs/) that `mkdocs build` takes as it is")
    r.add_argument("--out", required=True)
    r.add_argument("--no-pdf", action="store_true", help="leave out the PDF study guide")
    runs_snippets(r)
    r.set_defaults(func=cmd_render)
    sv = sub.add_parser("serve", help="live preview: edits to topics, snippets and graph/ reload the open page")
    sv.add_argument("--address", default="127.0.0.1:8000")
    runs_snippets(sv)
    sv.set_defaults(func=cmd_serve)
    c = sub.add_parser("check", help="validate inputs; report source lines and content coverage")
    c.add_argument("--lines", action="store_true", help="print how every source line was accounted for")
    c.add_argument("--require-units", help="comma-separated unit ids that must be fully covered")
    c.add_argument("--require-preface", action="store_true", help="every preface item and entry must be written")
    c.add_argument("--snippets", action="store_true", help="also run every snippet")
    c.add_argument("--topics", help="with --snippets: only the snippets of these comma-separated topic ids")
    c.add_argument("--require-services", action="store_true")
    c.add_argument("--jobs", type=int, default=jobs)
    c.set_defaults(func=cmd_check)
    pdf = sub.add_parser("pdf", help="a PDF study guide: the whole atlas, or the learning path to one goal")
    goal = pdf.add_mutually_exclusive_group()
    goal.add_argument("--track", help="a learning track from graph/tracks.yaml, e.g. redis")
    goal.add_argument("--to", help="a topic id: the guide holds its learning path")
    pdf.add_argument("--out", default="study-guide.pdf")
    pdf.add_argument("--skip-snippets", action="store_true", help="do not run snippets (the guide says so)")
    pdf.add_argument("--jobs", type=int, default=jobs)
    pdf.set_defaults(func=cmd_pdf)
    pa = sub.add_parser("path", help="ordered prerequisites of a topic, with hours")
    pa.add_argument("topic")
    pa.set_defaults(func=cmd_path)
    s = sub.add_parser("search", help="search topics and points (Chinese, English, pinyin)")
    s.add_argument("query", nargs="+")
    s.add_argument("--limit", type=int, default=10)
    s.set_defaults(func=cmd_search)
    e = sub.add_parser("export", help="write the graph as JSON, GraphML and SVG")
    e.add_argument("--out", default="graph-export")
    e.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"atlas: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `atlas check | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
