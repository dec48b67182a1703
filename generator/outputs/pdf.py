"""HTML -> PDF with WeasyPrint: the font checks, characters no font can draw, layout of the whole guide's units in
parallel processes joined into one file, and an atomic write."""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import hashlib
import multiprocessing
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from ..ground.model import AtlasError
from . import pdfparts

TEMPLATES = Path(__file__).parent.parent / "templates"  # the guide's stylesheet and images resolve from here


def check_cjk_font() -> None:
    """Without a CJK font WeasyPrint prints every Chinese character as an empty box: refuse instead."""
    try:
        found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                               timeout=60).stdout.strip()
    except FileNotFoundError:
        found = ""
    if not found:
        raise AtlasError("fc-list :lang=zh", None, "no font with Chinese characters is installed, the PDF would "
                         "show empty boxes; install one with `apt-get install fonts-noto-cjk`")


@functools.cache
def _font_ranges() -> tuple[tuple[int, int], ...]:
    """Code point ranges that some installed font draws: the fonts WeasyPrint can fall back through (asked once
    per process: both the PDF cache key and the layout need them)."""
    listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True,
                             timeout=60).stdout
    ranges = sorted((int(lo, 16), int(hi or lo, 16)) for lo, _, hi in (t.partition("-") for t in listing.split()))
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def without_tofu(html: str, ranges: list[tuple[int, int]]) -> str:
    """Characters no installed font can draw (say 𝄞 in a Unicode example) print as `[U+1D11E]`, never as a box."""
    starts = [lo for lo, _ in ranges]

    def drawable(ch: str) -> bool:
        at = bisect.bisect_right(starts, ord(ch)) - 1
        return at >= 0 and ranges[at][1] >= ord(ch)

    for ch in sorted(c for c in set(html) if ord(c) > 0x7F and unicodedata.category(c) not in _INVISIBLE
                     and not drawable(c)):
        html = html.replace(ch, f"[U+{ord(ch):04X}]")
    return html


_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def write_pdf(html: str, target: Path, workers: int = 1) -> None:
    """Lay the guide out and write it; a temporary file is renamed into place, so no half-written PDF is left.
    A whole guide (with the template's part markers) is laid out unit by unit in `workers` processes and joined."""
    check_cjk_font()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    html = without_tofu(html, _font_ranges())
    parts = pdfparts.split(html)
    if parts is None:
        lay_out(html, str(partial))
    else:
        _write_parts(parts, partial, workers)
    partial.replace(target)


def lay_out(document: str, path: str) -> list[list[str]]:
    """One HTML document laid out and written; the anchors on each page, for the page labels of the contents."""
    return _laid_out(document, path)[0]


_KEPT: list = []  # in a worker process: the documents it laid out, dropped with the process


def _lay_out_and_keep(document: str, path: str) -> list[list[str]]:
    """lay_out for a worker process. The laid-out document (millions of objects) is kept until the process exits:
    freeing it object by object took a second before the worker could answer. It is also frozen out of the cycle
    collector, whose first pass after the layout walked all of it again: 2-3 s of the whole guide."""
    anchors, doc = _laid_out(document, path, freeze=True)
    _KEPT.append(doc)
    return anchors


def _laid_out(document: str, path: str, freeze: bool = False):
    """Python's cycle collector is paused meanwhile: WeasyPrint makes millions of long-lived objects that the
    collector kept walking, for a fifth of the layout time, though nothing can be freed before the document is
    dropped. The cycles it leaves are collected later as usual, unless `freeze` keeps them for good."""
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a second the rest of the CLI need not pay

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        doc = HTML(string=document, base_url=str(TEMPLATES)).render()
        doc.write_pdf(path)
        if freeze:
            gc.freeze()
        return [sorted(page.anchors) for page in doc.pages], doc
    finally:
        if was_enabled:
            gc.enable()


def _write_parts(parts: pdfparts.Split, target: Path, workers: int) -> None:
    """Maps and units first (in parallel, each numbering its own pages), then the cover and contents with the
    labels they reported, then one file: bookmarks, links across parts and page labels (`iii`, `图 2`, `4-12`).
    The parts are joined while the contents are being laid out."""
    runs = pdfparts.groups(parts.units, workers)
    documents = [pdfparts.external_links(d) for d in [parts.maps_document()] + [parts.part_document(run)
                                                                               for run in runs]]
    with tempfile.TemporaryDirectory(prefix="atlas-pdf-") as tmp, _pool(workers) as (pool, lay):
        files = [str(Path(tmp) / f"part-{i}.pdf") for i in range(len(documents))]
        anchors = list(pool.map(lay, documents[::-1], files[::-1]))[::-1]  # the maps, shortest, last
        starts = [[("图 ", 0)]] + [[(f"{uid}-", first) for uid, first in pdfparts.unit_starts(pages, run)]
                                   for run, pages in zip(runs, anchors[1:])]
        labels = {a: label for pages, part in zip(anchors, starts)
                  for a, label in pdfparts.page_labels(pages, part).items()}
        front = str(Path(tmp) / "front.pdf")
        contents = pool.submit(lay, pdfparts.with_labels(pdfparts.external_links(parts.front_document()), labels),
                               front)
        ranges, count = [], 0
        for pages, part in zip(anchors, starts):
            ranges += [(count + first, prefix) for prefix, first in part]
            count += len(pages)

        def laid_out_front() -> str:
            contents.result()
            return front

        _join(laid_out_front, files, target, ranges)


@contextlib.contextmanager
def _pool(workers: int):
    """An executor and the layout function its workers run: one thread beside this one for a single worker,
    otherwise processes that keep what they laid out (see _lay_out_and_keep)."""
    if workers <= 1:
        with ThreadPoolExecutor(1) as pool:
            yield pool, lay_out
        return
    # fork: the workers start at once with WeasyPrint already imported (spawn would import it again, and re-run the
    # caller's main module). The build's other thread only waits on MkDocs' process.
    import weasyprint  # noqa: F401

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool, _lay_out_and_keep


def _join(front: Callable[[], str], parts: list[str], target: Path, ranges: list[tuple[int, str]]) -> None:
    """The parts' pages in one file, with their bookmarks and named destinations, then the cover and contents put
    before them (`front()` waits for their file, so the parts are joined meanwhile); links to another part's anchor
    become links inside the file. `ranges` is (first page after the front, prefix) of each run of page labels; the
    front is numbered in roman. Done with qpdf, through pikepdf: pure-Python pypdf took 1.9 s for this."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, NameTree, String

    with pikepdf.new() as out:
        dests: dict[str, Array] = {}
        for path in parts:
            with pikepdf.open(path) as part:
                first = len(out.pages)
                out.add_pages_from(part, forms="strip", layers="ignore")
                dests.update(_destinations(part, out.pages[first:]))
        with pikepdf.open(front()) as cover:
            for page in reversed(cover.pages):
                out.pages.insert(0, page)
            count = len(cover.pages)
            dests.update(_destinations(cover, out.pages[:count]))
            for key, value in cover.docinfo.items():
                out.docinfo[key] = value
            out.Root.Lang = cover.Root.Lang
        tree = NameTree.new(out)
        for name in sorted(dests):
            tree[name] = dests[name]
        out.Root.Names = Dictionary(Dests=tree.obj)
        for page in out.pages:
            for annot in page.obj.get("/Annots") or []:
                uri = str(annot.get("/A", {}).get("/URI", ""))
                if uri.startswith(pdfparts.ELSEWHERE):
                    del annot["/A"]
                    annot.Dest = String(uri[len(pdfparts.ELSEWHERE):])
        nums: list = [0, Dictionary(S=Name.r)]
        for first, prefix in ranges:
            nums += [count + first, Dictionary(S=Name.D, P=String(prefix))]
        out.Root.PageLabels = Dictionary(Nums=Array(nums))
        out.save(target, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _destinations(source, copies: list) -> dict:
    """A document's named destinations, pointing at the copies of its pages."""
    from pikepdf import Array, NameTree

    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return {}
    index = {page.objgen: i for i, page in enumerate(source.pages)}
    return {name: Array([copies[index[dest[0].objgen]].obj, *dest[1:]])
            for name, dest in NameTree(source.Root.Names.Dests).items()}


def write_pdfs_cached(documents: dict[Path, str], cache_dir: Path | None, workers: int) -> int:
    """Several guides, each hashed once: the whole one laid out in parts, the others (learning paths) side by side,
    one per process. Returns how many came from the cache."""
    keys = {target: _key(html) for target, html in documents.items()}
    missing = {t: h for t, h in documents.items() if not _from_cache(keys[t], t, cache_dir)}
    laid_out = {t: cache_dir / f"{keys[t]}.pdf" if cache_dir else t for t in missing}
    paths_ = [t for t, h in missing.items() if pdfparts.split(h) is None]
    for target in (t for t in missing if t not in paths_):
        write_pdf(missing[target], laid_out[target], workers)
    if workers > 1 and len(paths_) > 1:
        import weasyprint  # noqa: F401  (see _write_parts: the forked workers share it)

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(write_pdf, [missing[t] for t in paths_], [laid_out[t] for t in paths_]))
    else:
        for target in paths_:
            write_pdf(missing[target], laid_out[target])
    for target in missing:
        _from_cache(keys[target], target, cache_dir)
    return len(documents) - len(missing)


def _key(html: str) -> str:
    from weasyprint import __version__ as weasyprint_version

    return hashlib.sha256("\0".join([weasyprint_version, repr(_font_ranges()), html]).encode("utf-8")).hexdigest()


def _from_cache(key: str, target: Path, cache_dir: Path | None) -> bool:
    """Copy an earlier layout of the same HTML to `target`, if the cache has one."""
    cached = cache_dir / f"{key}.pdf" if cache_dir else None
    if cached is None or not cached.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    return True


def write_pdf_cached(html: str, target: Path, cache_dir: Path | None, workers: int = 1) -> bool:
    """`write_pdf`, reusing an earlier layout of the very same HTML (the guide embeds its CSS and figures, so the
    HTML is all its input but the fonts and WeasyPrint). True when the PDF came from the cache."""
    return write_pdfs_cached({target: html}, cache_dir, workers) == 1
