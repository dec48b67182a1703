"""Shared fixtures. The real site is built once per session and everything reuses it (its Atlas, its pages, its PDF
and the PDF's text). Tests write nothing into the checkout: the cache `make site` left in `.cache/` is copied into
a temporary folder first, so a test run after `make site` reruns no snippet and lays out no PDF again."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.atlas import Sources
from generator.site.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cache") / "cache"
    if (ROOT / ".cache").is_dir():
        shutil.copytree(ROOT / ".cache", folder)
    else:
        folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def options(cache_dir):
    def make(site_dir: Path, **kw) -> BuildOptions:
        return BuildOptions(site_dir=site_dir, cache_dir=cache_dir, jobs=os.cpu_count() or 2,
                            require_services=bool(os.environ.get("ATLAS_REQUIRE_SERVICES")), **kw)
    return make


@pytest.fixture(scope="session")
def built(tmp_path_factory, options):
    """The real site, built once: (site folder, the Atlas it was built from, with snippet results)."""
    site_dir = tmp_path_factory.mktemp("real") / "site"
    atlas = build(Sources.default(ROOT), options(site_dir))
    return site_dir, atlas


@pytest.fixture(scope="session")
def site(built) -> Path:
    return built[0]


@pytest.fixture(scope="session")
def atlas(built):
    return built[1]


@pytest.fixture(scope="session")
def guide_text(site) -> str:
    """The whole guide's text in content order (`-raw`: a table-like output line stays one line), extracted once."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    guide = site / "study-guide.pdf"
    info = subprocess.run(["pdfinfo", str(guide)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    cpus = os.cpu_count() or 1
    bounds = [(1 + pages * i // cpus, pages * (i + 1) // cpus) for i in range(cpus)]

    def text(first: int, last: int) -> str:  # pdftotext reads about 30 pages a second here: a share per CPU
        return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-f", str(first), "-l", str(last), str(guide),
                               "-"], capture_output=True, text=True, check=True).stdout

    with ThreadPoolExecutor(cpus) as pool:
        return "".join(pool.map(text, *zip(*bounds)))


@pytest.fixture
def mini(tmp_path) -> Path:
    """A tiny syllabus of our own with no content, snippets or graph files: the 'any syllabus' case."""
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "syllabus.txt").write_text(
        "1 基础\n1.1 数据结构\n1.1.1 链表\n- 单链表\n- 双链表\n1.1.2 栈与队列\n- 栈\n2 进阶\n2.1 算法\n- 排序\n",
        encoding="utf-8")
    return folder / "syllabus.txt"
