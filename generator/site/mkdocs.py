"""The MkDocs adapter: the only module that knows MkDocs (its config, its nav, how to run it).

Everything else writes plain Markdown and assets; swapping the engine (Zensical, say) means rewriting this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from ..atlas import Atlas
from ..ground import markup
from ..ground.model import AtlasError
from ..views.paths import (
    ERRATA,
    FLASHCARDS,
    INDEX,
    MAP,
    PROGRESS,
    TRACKS,
    chapter_page,
    preface_page,
    topic_page,
    unit_page,
)
from ..views.style import SUPPLEMENT

CONFIG = "mkdocs.yml"
OVERRIDES = Path(__file__).resolve().parent.parent / "templates" / "overrides"  # theme templates of our own


def theme_overrides() -> dict[str, bytes]:
    """The theme's custom_dir (404 page, language partial …) as project files under `overrides/`."""
    return {f"overrides/{p.relative_to(OVERRIDES).as_posix()}": p.read_bytes()
            for p in sorted(OVERRIDES.rglob("*")) if p.is_file()}


def base_config(root: Path) -> dict:
    return yaml.safe_load((root / CONFIG).read_text(encoding="utf-8"))


def markdown_extensions(root: Path) -> tuple[list[str], dict]:
    """The site's Markdown dialect from mkdocs.yml, for outputs that render Markdown themselves (the PDF)."""
    names, configs = [], {}
    for entry in base_config(root).get("markdown_extensions", []):
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        names.append(name)
        if options:
            configs[name] = options
    return names, configs


def project_config(root: Path, atlas: Atlas, guides: list) -> str:
    """mkdocs.yml for a rendered project: the base config plus the generated nav, with docs/ and the theme's
    overrides (404 page, language, the search box) beside it."""
    config = base_config(root)
    config.update(site_name=f"{atlas.site.title} {atlas.site.title_en}", site_description=atlas.site.description,
                  docs_dir="docs", site_dir="site", nav=nav(atlas, guides))
    if atlas.site.copyright:
        config["copyright"] = atlas.site.copyright
    if atlas.site.url:
        config["site_url"] = atlas.site.url
    config.setdefault("theme", {})["custom_dir"] = "overrides"  # copied into the project: see theme_overrides
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def build(project: Path, progress: Callable[[str], None]) -> Path:
    """`mkdocs build --strict` of a rendered project; returns the folder it built."""
    progress("mkdocs build --strict")
    # Not --quiet: it drops MkDocs' warnings before --strict can count them (a broken link would pass).
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", CONFIG], cwd=project,
                          capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if proc.returncode != 0:
        raise AtlasError(CONFIG, None, "mkdocs build failed:\n" + (proc.stderr or proc.stdout)[-4000:])
    return project / "site"


def serve(project: Path, address: str) -> subprocess.Popen:
    """`mkdocs serve` with live reload, rebuilding only the pages whose files changed (a dirty build warns that
    it is one, so the preview is not strict; `atlas build` is)."""
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "--no-strict", "-a", address,
                             "-f", CONFIG], cwd=project, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def nav(atlas: Atlas, extra: list | None = None) -> list:
    """MkDocs nav in syllabus order: home, guides, preface, units > chapters > topics (unwritten ones say so).

    MkDocs puts nav titles into the HTML as they are, so data text is HTML-escaped here.
    """
    esc = markup.attr
    items: list = [{"首页": INDEX}]
    items += extra or []
    if atlas.outline.preface:
        items.append({"导读": [{esc(s.title): preface_page(s.id)} for s in atlas.outline.preface]})
    for unit in atlas.outline.units:
        chapters = []
        for chapter in unit.chapters:
            entries = [{"本章概览": chapter_page(chapter.id)}]
            entries += [{esc((f"{t.id} {t.title}" if not t.implicit else f"{chapter.id} {t.title}（要点）") +
                             ("" if t.id in atlas.contents else "（未撰写）")): topic_page(t.id)}
                        for t in chapter.topics]
            chapters.append({esc(f"{chapter.id} {chapter.title}"): entries})
        label = f"{unit.id} {unit.title}" + (f" · {SUPPLEMENT}" if unit.supplement else "")
        items.append({esc(label): [{"本单元概览": unit_page(unit.id)}, *chapters]})
    items.append({"知识地图": MAP})
    items.append({"学习路线": TRACKS})
    items.append({"面试题闪卡": FLASHCARDS})
    items.append({"学习进度": PROGRESS})
    items.append({"勘误与来源": ERRATA})
    return items
