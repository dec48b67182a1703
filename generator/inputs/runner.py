"""Run a set of snippets for a build: the environment they see, servers on demand, and the failure policy."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..ground.model import AtlasError, SnippetResult, SnippetSpec
from . import services, snippets


def snippet_env() -> dict[str, str]:
    """What every snippet runs in: this environment, with a fixed hash seed and UTF-8 output."""
    return {**os.environ, "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}


def run_snippets(specs: Iterable[SnippetSpec], cache_dir: Path | None, jobs: int, require_services: bool,
                 progress: Callable[[str], None]) -> dict[str, SnippetResult]:
    """Results by snippet key. Any failure is an error naming every failed snippet; with `require_services`, so is
    a snippet that could not run here (a server, library or root it needs is missing)."""
    specs = list(specs)
    done = []

    def report(result: SnippetResult, cached: bool) -> None:
        done.append(result)
        progress(f"[{len(done)}/{len(specs)}] {result.key}: {'cached' if cached else result.status}")

    with services.pool() as pool:
        results = snippets.run_all(specs, cache_dir and cache_dir / "snippets", snippet_env(), pool.provide, jobs,
                                   report)
    by_key = {s.key: s for s in specs}
    failed = [(by_key[k], r) for k, r in sorted(results.items()) if r.status in ("failed", "timeout")]
    if failed:
        messages = [snippets.failure_message(spec, r) for spec, r in failed]
        raise AtlasError(failed[0][0].path, None, f"{len(failed)} snippet(s) failed:\n" + "\n".join(messages))
    skipped = [(by_key[k], r) for k, r in sorted(results.items()) if r.status == "skipped"]
    if require_services and skipped:
        raise AtlasError(skipped[0][0].path, None, f"{len(skipped)} snippet(s) could not run here: "
                         + skipped[0][1].note)
    return results
