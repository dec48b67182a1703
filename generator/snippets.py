"""Snippets: parse their header, run each in its own process and scratch folder, cache results by content hash."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from .model import AtlasError, SnippetResult, SnippetSpec

LANGUAGES = {".py": ("python", "#"), ".c": ("c", "//")}
KNOWN_SERVICES = ("redis", "mariadb")
DEFAULT_TIMEOUT, MAX_TIMEOUT = 10.0, 60.0
CFLAGS = ["-O2", "-pthread", "-Wall", "-Wextra", "-Werror"]
# Bump when the way snippets are run changes, so that cached results are not reused across it.
RUNNER_VERSION = "1"


def parse_snippet(code: str, path: str, topic_id: str) -> SnippetSpec:
    """Read the `key: value` comment header at the top of a snippet."""
    suffix = Path(path).suffix
    if suffix not in LANGUAGES:
        raise AtlasError(path, None, f"unknown snippet language {suffix!r} (use .py or .c)")
    language, comment = LANGUAGES[suffix]
    header: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(code.split("\n"), 1):
        if number == 1 and line.startswith("#!"):
            continue
        m = re.match(rf"^{re.escape(comment)}\s*([a-z_]+)\s*:\s*(.*)$", line)
        if not m:
            break
        key, value = m[1], m[2].strip()
        if key not in ("caption", "point", "timeout", "needs"):
            raise AtlasError(path, number, f"unknown snippet header `{key}` (caption, point, timeout, needs)")
        header[key] = (value, number)
    if "caption" not in header or not header["caption"][0]:
        raise AtlasError(path, 1, f"snippet header needs a `{comment} caption: ...` line")
    timeout = DEFAULT_TIMEOUT
    if "timeout" in header:
        value, number = header["timeout"]
        try:
            timeout = float(value)
        except ValueError:
            raise AtlasError(path, number, f"timeout {value!r} is not a number of seconds") from None
        if not 0 < timeout <= MAX_TIMEOUT:
            raise AtlasError(path, number, f"timeout must be between 0 and {MAX_TIMEOUT:g} seconds")
    needs: tuple[str, ...] = ()
    if "needs" in header:
        value, number = header["needs"]
        needs = tuple(sorted({n.strip() for n in value.split(",") if n.strip()}))
        unknown = [n for n in needs if n not in KNOWN_SERVICES]
        if unknown:
            raise AtlasError(path, number, f"unknown service {unknown[0]!r} (known: {', '.join(KNOWN_SERVICES)})")
    point = header["point"][0] if "point" in header else None
    return SnippetSpec(topic_id, Path(path).name, path, language, code, header["caption"][0], point or None,
                       timeout, needs)


def cache_key(spec: SnippetSpec) -> str:
    """Everything that can change a snippet's output: its code, language, services and the runner itself."""
    material = "\0".join([RUNNER_VERSION, spec.language, ",".join(spec.needs), str(spec.timeout), spec.code])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def run_all(
    specs: Iterable[SnippetSpec],
    cache_dir: Path | None,
    env: Mapping[str, str],
    unavailable: Mapping[str, str],
    jobs: int = 2,
    progress: Callable[[SnippetResult, bool], None] | None = None,
) -> dict[str, SnippetResult]:
    """Run snippets in parallel; reuse cached `ok` results. `unavailable` maps a service to why it is missing."""
    specs = sorted(specs, key=lambda s: s.key)
    results: dict[str, SnippetResult] = {}
    todo = []
    for spec in specs:
        cached = _read_cache(cache_dir, spec)
        if cached:
            results[spec.key] = cached
            if progress:
                progress(cached, True)
        else:
            todo.append(spec)

    def one(spec: SnippetSpec) -> SnippetResult:
        missing = [f"{n}: {unavailable[n]}" for n in spec.needs if n in unavailable]
        if missing:
            result = SnippetResult(spec.key, "skipped", None, "", "", 0.0, "; ".join(missing))
        else:
            result = run_one(spec, env)
        if result.status == "ok":
            _write_cache(cache_dir, spec, result)
        if progress:
            progress(result, False)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for result in pool.map(one, todo):
            results[result.key] = result
    return results


def run_one(spec: SnippetSpec, env: Mapping[str, str]) -> SnippetResult:
    """Run one snippet in a fresh scratch folder with its timeout; C is compiled first with the system `cc`."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="atlas-snippet-") as scratch:
        source = Path(scratch) / spec.name
        source.write_text(spec.code, encoding="utf-8")
        if spec.language == "c":
            cc = shutil.which("cc")
            if cc is None:
                return SnippetResult(spec.key, "skipped", None, "", "", 0.0,
                                     "no C compiler (`cc`) on this machine; install gcc to run it")
            binary = Path(scratch) / "a.out"
            compiled = subprocess.run([cc, *CFLAGS, str(source), "-o", str(binary), "-lm"], cwd=scratch,
                                      capture_output=True, text=True, env=dict(env), timeout=120)
            if compiled.returncode != 0:
                return SnippetResult(spec.key, "failed", compiled.returncode, compiled.stdout,
                                     "compile error:\n" + compiled.stderr, time.monotonic() - start)
            command = [str(binary)]
        else:
            command = [sys.executable, str(source)]
        proc = subprocess.Popen(command, cwd=scratch, env=dict(env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=spec.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return SnippetResult(spec.key, "timeout", None, _text(out), _text(err), time.monotonic() - start)
        finally:
            _kill_group(proc.pid)
        status = "ok" if proc.returncode == 0 else "failed"
        return SnippetResult(spec.key, status, proc.returncode, _text(out), _text(err), time.monotonic() - start)


def failure_message(spec: SnippetSpec, result: SnippetResult, tail: int = 15) -> str:
    """What a reader needs to fix a failed snippet: topic, snippet, what happened, the end of its stderr."""
    what = f"timed out after {spec.timeout:g} s" if result.status == "timeout" else f"exited {result.exit_code}"
    lines = (result.stderr or result.stdout).rstrip().split("\n")[-tail:]
    return f"snippet {spec.name} of topic {spec.topic_id} {what}:\n    " + "\n    ".join(lines)


def _kill_group(pid: int) -> None:
    """Leftover children (a server a snippet forked, say) must not outlive it."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _cache_file(cache_dir: Path, spec: SnippetSpec) -> Path:
    return cache_dir / f"{cache_key(spec)}.json"


def _read_cache(cache_dir: Path | None, spec: SnippetSpec) -> SnippetResult | None:
    if cache_dir is None:
        return None
    try:
        data = json.loads(_cache_file(cache_dir, spec).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    data["key"] = spec.key
    return SnippetResult(**data)


def _write_cache(cache_dir: Path | None, spec: SnippetSpec, result: SnippetResult) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = _cache_file(cache_dir, spec)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(result), ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(target)
