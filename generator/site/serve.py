"""`atlas serve`: live preview for authors. The project is rendered once; when an input changes, the atlas is read
again (snippets from the cache, so only an edited one runs) and only the files whose bytes changed are rewritten,
which `mkdocs serve --dirty` rebuilds and reloads in the open browser. The PDF is left out of the preview."""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path

from ..atlas import Sources
from ..ground.model import AtlasError
from . import mkdocs
from .build import BuildOptions, Progress, load_with_results, write_project


def stamp(sources: Sources) -> tuple:
    """What is on disk: every input file's path, size and modification time."""
    roots = [sources.syllabus, sources.data_dir, sources.graph_dir, sources.root / "docs", sources.root / "mkdocs.yml"]
    files = sorted(p for r in roots if r.exists() for p in ([r] if r.is_file() else r.rglob("*")) if p.is_file())
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def refresh(sources: Sources, options: BuildOptions, project: Path) -> list[str]:
    """Read every input again and rewrite what changed in the rendered project."""
    return write_project(load_with_results(sources, options, lambda _: None), sources, project, options.cache_dir,
                         False)


def _stop_on_sigterm(_signum, _frame) -> None:
    raise SystemExit(0)  # so that `finally` stops the MkDocs server too


def serve(sources: Sources, options: BuildOptions, address: str, progress: Progress) -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="atlas-serve-") as tmp:
        project = Path(tmp)
        write_project(load_with_results(sources, options, progress), sources, project, options.cache_dir, False)
        server = mkdocs.serve(project, address)
        progress(f"serving on http://{address}/ (Ctrl-C stops)")
        seen = stamp(sources)
        try:
            while server.poll() is None:
                time.sleep(0.1)
                now = stamp(sources)
                if now == seen:
                    continue
                seen = now
                try:
                    for rel in refresh(sources, options, project):
                        progress(f"updated {rel}")
                except AtlasError as exc:  # keep serving the last good pages; say what is wrong
                    progress(f"error: {exc}")
        except KeyboardInterrupt:
            pass
        finally:
            server.terminate()
            server.wait()
