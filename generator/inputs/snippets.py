"""Snippets: parse their header, run each in its own process and scratch folder, cache results by content hash."""

from __future__ import annotations

import functools
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
from contextlib import AbstractContextManager
from dataclasses import asdict
from pathlib import Path

from ..ground.model import AtlasError, SnippetResult, SnippetSpec

LANGUAGES = {".py": ("python", "#"), ".c": ("c", "//"), ".cpp": ("cpp", "//")}
KNOWN_NEEDS = ("etcd", "mariadb", "nginx", "redis", "root")
HEADER_KEYS = ("caption", "point", "timeout", "needs", "libs", "exclusive")
DEFAULT_TIMEOUT, MAX_TIMEOUT = 10.0, 120.0
CFLAGS = ["-O2", "-pthread", "-Wall", "-Wextra", "-Werror"]
COMPILERS = {"c": ("cc", []), "cpp": ("c++", ["-std=c++17"])}
# The test suite also runs C and C++ under AddressSanitizer and UBSan: slower, so timeouts stretch by this factor.
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", "-g"]
SANITIZE_ENV = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1", "UBSAN_OPTIONS": "print_stacktrace=1"}
SANITIZE_SLOWDOWN = 4
# A snippet may draw SVG figures (a flame graph, say) into $ATLAS_FIGURES; the page shows them as images.
MAX_FIGURE_BYTES = 2_000_000
# Bump when the way snippets are run changes, so that cached results are not reused across it.
RUNNER_VERSION = "2"


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
        if key not in HEADER_KEYS:
            raise AtlasError(path, number, f"unknown snippet header `{key}` ({', '.join(HEADER_KEYS)})")
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
    needs = _names(header.get("needs"))
    unknown = [n for n in needs if n not in KNOWN_NEEDS]
    if unknown:
        raise AtlasError(path, header["needs"][1], f"unknown need {unknown[0]!r} (known: {', '.join(KNOWN_NEEDS)})")
    libs = _names(header.get("libs"))
    if libs and language == "python":
        raise AtlasError(path, header["libs"][1], "`libs` (pkg-config names to link) is for C and C++ snippets")
    exclusive = False
    if "exclusive" in header:
        value, number = header["exclusive"]
        if value not in ("yes", "no"):
            raise AtlasError(path, number, f"exclusive must be `yes` or `no`, not {value!r}")
        exclusive = value == "yes"
    point = header["point"][0] if "point" in header else None
    return SnippetSpec(topic_id, Path(path).name, path, language, code, header["caption"][0], point or None,
                       timeout, needs, libs, exclusive)


def _names(entry: tuple[str, int] | None) -> tuple[str, ...]:
    """A comma- or space-separated header value as a sorted tuple of names."""
    return tuple(sorted({n for n in re.split(r"[,\s]+", entry[0]) if n})) if entry else ()


def run_hint(spec: SnippetSpec) -> str:
    """The command a reader types to run the snippet on their own machine."""
    if spec.language == "python":
        return f"python3 {spec.name}"
    compiler, extra = COMPILERS[spec.language]
    libs = f" $(pkg-config --cflags --libs {' '.join(spec.libs)})" if spec.libs else ""
    return " ".join([compiler, *extra, "-O2 -pthread", spec.name]) + libs + " -lm && ./a.out"


def cache_key(spec: SnippetSpec) -> str:
    """Everything that can change a snippet's output: its code, language, services and the runner itself."""
    material = "\0".join([RUNNER_VERSION, spec.language, ",".join(spec.needs), ",".join(spec.libs),
                           str(spec.timeout), spec.code])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def run_all(
    specs: Iterable[SnippetSpec],
    cache_dir: Path | None,
    env: Mapping[str, str],
    provide: Callable[[tuple[str, ...]], AbstractContextManager[tuple[Mapping[str, str], list[str]]]],
    jobs: int = 2,
    progress: Callable[[SnippetResult, bool], None] | None = None,
    sanitize: bool = False,
) -> dict[str, SnippetResult]:
    """Run snippets in parallel; reuse cached `ok` results.

    `provide(needs)` is entered only for a snippet that really runs, so a build served from the cache starts no
    server; it gives the variables to add and why any need cannot be met (the snippet is then skipped), and what it
    started for this snippet alone stops when the snippet ends.
    """
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
        with provide(spec.needs) as (extra, missing):
            missing = missing + _missing_libs(spec.libs)
            if missing:
                result = SnippetResult(spec.key, "skipped", None, "", "", 0.0, "; ".join(missing))
            else:
                result = run_one(spec, {**env, **extra}, sanitize)
        if result.status == "ok":
            _write_cache(cache_dir, spec, result)
        if progress:
            progress(result, False)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for result in pool.map(one, [s for s in todo if not s.exclusive]):
            results[result.key] = result
    for spec in (s for s in todo if s.exclusive):  # timings and CPU hogs: nothing else runs beside them
        results[spec.key] = one(spec)
    return results


def _missing_libs(libs: tuple[str, ...]) -> list[str]:
    if not libs:
        return []
    if shutil.which("pkg-config") is None:
        return ["pkg-config is not installed (Debian package pkg-config)"]
    return [f"library {name} is not installed (pkg-config does not know it)" for name in libs
            if not _pkg_known(name)]


# What pkg-config says does not change during a run; many snippets ask about the same few libraries.
@functools.cache
def _pkg_known(name: str) -> bool:
    return subprocess.run(["pkg-config", "--exists", name]).returncode == 0


@functools.cache
def _pkg_flags(libs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(subprocess.run(["pkg-config", "--cflags", "--libs", *libs], capture_output=True, text=True,
                                check=True).stdout.split())


def _compile(spec: SnippetSpec, scratch: str, env: Mapping[str, str],
             sanitize: bool) -> tuple[list[str] | None, SnippetResult | None]:
    """Build a C or C++ snippet: the command to run it, or the result that says why it cannot run."""
    name, extra = COMPILERS[spec.language]
    compiler = shutil.which(name)
    if compiler is None:
        return None, SnippetResult(spec.key, "skipped", None, "", "", 0.0,
                                   f"no compiler (`{name}`) on this machine; install gcc and g++ to run it")
    flags = _pkg_flags(spec.libs) if spec.libs else ()
    binary = Path(scratch) / "a.out"
    checks = SANITIZE if sanitize else []
    compiled = subprocess.run([compiler, *extra, *CFLAGS, *checks, spec.name, "-o", str(binary), *flags, "-lm"],
                              cwd=scratch, capture_output=True, text=True, env=dict(env), timeout=180)
    if compiled.returncode != 0:
        return None, SnippetResult(spec.key, "failed", compiled.returncode, compiled.stdout,
                                   "compile error:\n" + compiled.stderr, 0.0)
    return [str(binary)], None


def run_one(spec: SnippetSpec, env: Mapping[str, str], sanitize: bool = False) -> SnippetResult:
    """Run one snippet in a fresh scratch folder with its timeout; C and C++ are compiled first (with `sanitize`,
    under AddressSanitizer and UBSan, which abort on the first error)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="atlas-snippet-") as scratch, \
            tempfile.TemporaryDirectory(prefix="atlas-figures-") as drawn:
        source = Path(scratch) / spec.name
        source.write_text(spec.code, encoding="utf-8")
        if spec.language == "python":
            command = [sys.executable, str(source)]
        else:
            command, failed = _compile(spec, scratch, env, sanitize)
            if failed:
                return failed
        if sanitize:
            env = {**env, **SANITIZE_ENV}
        figures = Path(drawn)  # outside the working folder, which stays the snippet's own
        env = {**env, "ATLAS_FIGURES": str(figures)}
        proc = subprocess.Popen(command, cwd=scratch, env=dict(env), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=spec.timeout * (SANITIZE_SLOWDOWN if sanitize else 1))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return SnippetResult(spec.key, "timeout", None, _text(out), _text(err), time.monotonic() - start)
        finally:
            _kill_group(proc.pid)
        status = "ok" if proc.returncode == 0 else "failed"
        return SnippetResult(spec.key, status, proc.returncode, _text(out), _text(err), time.monotonic() - start,
                             figures=_figures(figures))


def _figures(folder: Path) -> tuple[tuple[str, str], ...]:
    """The SVG files a snippet left in its figures folder, by name; anything else (or too large) is ignored."""
    return tuple((p.name, p.read_text(encoding="utf-8", errors="replace")) for p in sorted(folder.glob("*.svg"))
                 if p.is_file() and p.stat().st_size <= MAX_FIGURE_BYTES and re.fullmatch(r"[\w.-]+", p.name))


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
    data["figures"] = tuple(tuple(f) for f in data.get("figures", ()))
    return SnippetResult(**data)


def _write_cache(cache_dir: Path | None, spec: SnippetSpec, result: SnippetResult) -> None:
    if cache_dir is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = _cache_file(cache_dir, spec)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(result), ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(target)
