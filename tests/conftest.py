"""Shared fixtures: the real site is built once per session (snippets cached in .cache/ like a normal build)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.atlas import Sources, load_atlas
from generator.site.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent


def options(site_dir: Path, **kw) -> BuildOptions:
    return BuildOptions(site_dir=site_dir, cache_dir=ROOT / ".cache", jobs=os.cpu_count() or 2,
                        require_services=bool(os.environ.get("ATLAS_REQUIRE_SERVICES")), **kw)


@pytest.fixture(scope="session")
def atlas():
    return load_atlas(Sources.default(ROOT))


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("real") / "site"
    build(Sources.default(ROOT), options(site_dir))
    return site_dir


@pytest.fixture
def mini(tmp_path) -> Path:
    """A tiny syllabus of our own with no content, snippets or graph files: the 'any syllabus' case."""
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "syllabus.txt").write_text(
        "1 基础\n1.1 数据结构\n1.1.1 链表\n- 单链表\n- 双链表\n1.1.2 栈与队列\n- 栈\n2 进阶\n2.1 算法\n- 排序\n",
        encoding="utf-8")
    return folder / "syllabus.txt"
