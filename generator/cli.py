"""`atlas …`: the command-line face. Errors go to stderr as `file:line: message` with exit status 1."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from . import export
from .atlas import Sources, load_atlas
from .build import BuildOptions, build, run_snippets
from .diagrams import render_dot
from .graph import learning_path, path_hours, path_to_goals
from .model import AtlasError
from .report import coverage, coverage_table, line_report, preface_coverage, preface_table, summary
from .search import build_index, search
from .smallmaps import whole_map_dot
from .studyguide import TITLE, check_cjk_font, guide_html, write_pdf

ROOT = Path(__file__).resolve().parent.parent


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sources(args: argparse.Namespace) -> Sources:
    return Sources.for_syllabus(ROOT, Path(args.syllabus)) if args.syllabus else Sources.default(ROOT)


def cmd_build(args: argparse.Namespace) -> int:
    options = BuildOptions(site_dir=Path(args.site_dir), cache_dir=None if args.no_cache else ROOT / ".cache",
                           jobs=args.jobs, require_services=args.require_services,
                           run_snippets=not args.skip_snippets, pdf=not args.no_pdf)
    build(_sources(args), options, _progress)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    rows = coverage(atlas)
    if args.lines:
        print(line_report(atlas.outline))
    print(summary(atlas.outline, rows))
    print(coverage_table(rows))
    prefaces = preface_coverage(atlas)
    if prefaces:
        print(preface_table(prefaces))
    status = 0
    if args.snippets:
        options = BuildOptions(site_dir=Path(args.site_dir), cache_dir=ROOT / ".cache", jobs=args.jobs,
                               require_services=args.require_services)
        topics = {t.strip() for t in args.topics.split(",")} if args.topics else None
        results = run_snippets(atlas, options, _progress, topics)
        print(f"snippets: {sum(r.status == 'ok' for r in results.values())} ok, "
              f"{sum(r.status == 'skipped' for r in results.values())} skipped")
    required = {u.strip() for u in (args.require_units or "").split(",") if u.strip()}
    for row in rows:
        if row.unit_id in required and not row.complete:
            print(f"{atlas.outline.path}:{atlas.topic(row.topic_id).line}: "
                  f"topic {row.topic_id} is not complete: {'; '.join(row.missing())}", file=sys.stderr)
            status = 1
    if args.require_preface:
        for row in prefaces:
            if not row.complete:
                print(f"{atlas.outline.path}: preface {row.section_id} is not complete: items "
                      f"{row.written_items}/{row.items}, entries {row.written_entries}/{row.entries}", file=sys.stderr)
                status = 1
    return status


def cmd_pdf(args: argparse.Namespace) -> int:
    """A study guide for one goal (a track or a topic): only its learning path, in learning order."""
    check_cjk_font()
    atlas = load_atlas(_sources(args))
    topic_ids, goal, title = None, None, TITLE
    if args.track:
        track = next((t for t in atlas.spec.tracks if t.id == args.track), None)
        if track is None:
            known = ", ".join(t.id for t in atlas.spec.tracks) or "none"
            raise AtlasError("graph/tracks.yaml", None, f"no track {args.track!r} (tracks: {known})")
        topic_ids, goal, title = path_to_goals(atlas.graph, track.goals), track.title, f"学习路线：{track.title}"
    elif args.to:
        if args.to not in {t.id for t in atlas.outline.topics}:
            raise AtlasError(atlas.outline.path, None, f"no topic {args.to}")
        topic_ids = learning_path(atlas.graph, args.to)
        title = f"学习路径：{args.to} {atlas.topic(args.to).title}"
    if not args.skip_snippets:
        options = BuildOptions(site_dir=ROOT / "site", cache_dir=ROOT / ".cache", jobs=args.jobs)
        if topic_ids is not None:  # run only what the guide prints
            atlas.snippets = {k: v for k, v in atlas.snippets.items() if k in topic_ids}
        atlas.results = run_snippets(atlas, options, _progress)
    _progress("laying out the PDF")
    render = functools.partial(render_dot, cache_dir=ROOT / ".cache" / "diagrams")
    out = Path(args.out)
    write_pdf(guide_html(atlas, render, topic_ids=topic_ids, goal=goal, title=title), out)
    print(f"wrote {out} ({len(topic_ids) if topic_ids is not None else len(atlas.outline.topics)} topics)")
    return 0


def cmd_path(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    known = {t.id for t in atlas.outline.topics}
    if args.topic not in known:
        raise AtlasError(atlas.outline.path, None, f"no topic {args.topic}")
    steps = learning_path(atlas.graph, args.topic)
    for i, topic_id in enumerate(steps, 1):
        hours = atlas.graph.nodes[f"topic:{topic_id}"]["hours"]
        print(f"{i:3d}. {topic_id:<8} {atlas.topic(topic_id).title}  {hours:g} h" if hours else
              f"{i:3d}. {topic_id:<8} {atlas.topic(topic_id).title}  (not written yet)")
    print(f"total: {len(steps)} topics, {path_hours(atlas.graph, steps):g} hours")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    hits = search(build_index(atlas), " ".join(args.query), args.limit)
    for hit in hits:
        print(f"{hit.topic_id:<8} {hit.title}  [{hit.why}]")
    if not hits:
        print("no match", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    atlas = load_atlas(_sources(args))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "atlas.json").write_text(export.to_json(atlas.graph), encoding="utf-8")
    (out / "atlas.graphml").write_text(export.to_graphml(atlas.graph), encoding="utf-8")
    (out / "atlas-map.svg").write_text(render_dot(whole_map_dot(atlas.graph)), encoding="utf-8")
    print(f"wrote {out}/atlas.json, atlas.graphml, atlas-map.svg")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="atlas", description="Backend Atlas: syllabus -> knowledge graph -> site")
    p.add_argument("--syllabus", help="another syllabus; its errata, topics/, snippets/ and graph/ sit beside it")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="run the snippets, generate the pages and build the site with MkDocs")
    b.add_argument("--site-dir", default=str(ROOT / "site"))
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    b.add_argument("--no-cache", action="store_true", help="rerun every snippet")
    b.add_argument("--skip-snippets", action="store_true", help="do not run snippets (pages say so)")
    b.add_argument("--no-pdf", action="store_true", help="leave out the PDF study guide")
    b.add_argument("--require-services", action="store_true",
                   help="fail when Redis or MariaDB is missing instead of marking their snippets as not run")
    b.set_defaults(func=cmd_build)
    c = sub.add_parser("check", help="validate inputs; report source lines and content coverage")
    c.add_argument("--lines", action="store_true", help="print how every source line was accounted for")
    c.add_argument("--require-units", help="comma-separated unit ids that must be fully covered")
    c.add_argument("--require-preface", action="store_true", help="every preface item and entry must be written")
    c.add_argument("--snippets", action="store_true", help="also run every snippet")
    c.add_argument("--topics", help="with --snippets: only the snippets of these comma-separated topic ids")
    c.add_argument("--require-services", action="store_true")
    c.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    c.add_argument("--site-dir", default=str(ROOT / "site"), help=argparse.SUPPRESS)
    c.set_defaults(func=cmd_check)
    pdf = sub.add_parser("pdf", help="a PDF study guide: the whole atlas, or the learning path to one goal")
    goal = pdf.add_mutually_exclusive_group()
    goal.add_argument("--track", help="a learning track from graph/tracks.yaml, e.g. redis")
    goal.add_argument("--to", help="a topic id: the guide holds its learning path")
    pdf.add_argument("--out", default="study-guide.pdf")
    pdf.add_argument("--skip-snippets", action="store_true", help="do not run snippets (the guide says so)")
    pdf.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
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
    except BrokenPipeError:  # `atlas check | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
