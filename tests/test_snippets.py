"""The snippet runner: success, failure, timeout, cache, C compilation, and header errors."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket

import pytest

from generator.ground.model import AtlasError
from generator.inputs import services
from generator.inputs.snippets import failure_message, parse_snippet, run_all, run_hint, run_one

from .conftest import ROOT

ENV = dict(os.environ)


@contextlib.contextmanager
def no_needs(needs):
    yield {}, []


def spec(code: str, name: str = "demo.py", **kw):
    return parse_snippet(code, f"data/snippets/9.9.9/{name}", "9.9.9")


def test_header():
    s = spec("# caption: 演示\n# point: 插入排序\n# timeout: 3\n# needs: redis, mariadb\nprint(1)\n")
    assert (s.caption, s.point, s.timeout, s.needs) == ("演示", "插入排序", 3.0, ("mariadb", "redis"))
    assert spec("// caption: c\nint main(void){return 0;}\n", "x.c").language == "c"


@pytest.mark.parametrize("code, line, message", [
    ("print(1)\n", 1, "caption"),
    ("# caption: x\n# timeout: soon\n", 2, "not a number"),
    ("# caption: x\n# timeout: 999\n", 2, "between"),
    ("# caption: x\n# needs: postgres\n", 2, "unknown need"),
    ("# caption: x\n# libs: libzmq\n", 2, "for C and C++ snippets"),
    ("# caption: x\n# colour: red\n", 2, "unknown snippet header"),
])
def test_header_errors(code, line, message):
    with pytest.raises(AtlasError) as err:
        spec(code)
    assert err.value.line == line and message in err.value.message


def test_success_runs_in_a_scratch_dir():
    result = run_one(spec("# caption: x\nimport os\nopen('f','w').write('1')\nprint(sorted(os.listdir('.')))\n"),
                     ENV)
    assert result.status == "ok" and result.exit_code == 0
    assert result.stdout.strip() == "['demo.py', 'f']"


def test_failure_reports_topic_snippet_and_stderr():
    s = spec("# caption: x\nimport sys\nprint('before')\nassert 1 + 1 == 3, 'arithmetic is broken'\n")
    result = run_one(s, ENV)
    assert result.status == "failed" and result.exit_code == 1
    message = failure_message(s, result)
    assert "demo.py of topic 9.9.9 exited 1" in message and "arithmetic is broken" in message


def test_timeout_kills_the_process_group():
    s = spec("# caption: x\n# timeout: 1\nimport subprocess, time\n"
             "subprocess.Popen(['sleep', '30'])\nprint('started', flush=True)\ntime.sleep(30)\n")
    result = run_one(s, ENV)
    assert result.status == "timeout" and "started" in result.stdout
    assert "timed out after 1 s" in failure_message(s, result)


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_c_snippet_compiles_and_runs():
    code = '// caption: c\n#include <stdio.h>\nint main(void) { printf("%d\\n", 6 * 7); return 0; }\n'
    assert run_one(spec(code, "x.c"), ENV).stdout == "42\n"
    broken = run_one(spec("// caption: c\nint main(void) { return undefined; }\n", "y.c"), ENV)
    assert broken.status == "failed" and "compile error" in broken.stderr


def test_cache_reuses_ok_results_only(tmp_path):
    good = spec("# caption: x\nimport random\nprint(random.random())\n", "good.py")
    bad = spec("# caption: x\nraise SystemExit(3)\n", "bad.py")
    seen = []
    first = run_all([good, bad], tmp_path, ENV, no_needs, 2, lambda r, cached: seen.append((r.key, cached)))
    second = run_all([good, bad], tmp_path, ENV, no_needs, 2, lambda r, cached: seen.append((r.key, cached)))
    assert first["9.9.9/good.py"].stdout == second["9.9.9/good.py"].stdout  # not rerun: same random number
    assert ("9.9.9/good.py", True) in seen and ("9.9.9/bad.py", True) not in seen
    assert second["9.9.9/bad.py"].status == "failed"
    changed = spec("# caption: x\nimport random\nprint(random.random())  # edited\n", "good.py")
    third = run_all([changed], tmp_path, ENV, no_needs, 1)
    assert third["9.9.9/good.py"].stdout != first["9.9.9/good.py"].stdout


def test_missing_service_is_a_visible_skip(tmp_path):
    s = spec("# caption: x\n# needs: redis\nprint(1)\n")
    asked = []

    @contextlib.contextmanager
    def provide(needs):
        asked.append(needs)
        yield {}, ["redis: redis-server is not installed"]

    result = run_all([s], tmp_path, ENV, provide, 1)["9.9.9/demo.py"]
    assert result.status == "skipped" and "not installed" in result.note and asked == [("redis",)]


def test_services_are_asked_for_only_when_a_snippet_runs(tmp_path):
    s = spec("# caption: x\n# needs: redis\nimport os\nprint(os.environ['ATLAS_REDIS_PORT'])\n")
    asked = []

    @contextlib.contextmanager
    def provide(needs):
        asked.append(needs)
        yield {"ATLAS_REDIS_PORT": "6390"}, []

    assert run_all([s], tmp_path, ENV, provide, 1)["9.9.9/demo.py"].stdout == "6390\n"
    assert run_all([s], tmp_path, ENV, provide, 1)["9.9.9/demo.py"].stdout == "6390\n"  # from the cache
    assert asked == [("redis",)]


@pytest.mark.skipif(shutil.which("c++") is None or shutil.which("pkg-config") is None, reason="no C++ compiler")
def test_cpp_snippet_links_the_libraries_it_names():
    code = ('// caption: c++\n// libs: zlib\n#include <zlib.h>\n#include <iostream>\n'
            'int main() { std::cout << (zlibVersion()[0] != 0) << "\\n"; }\n')
    s = spec(code, "z.cpp")
    assert s.libs == ("zlib",) and "pkg-config --cflags --libs zlib" in run_hint(s)
    assert run_one(s, ENV).stdout == "1\n"
    missing = run_all([spec("// caption: c\n// libs: no-such-lib\nint main(void){return 0;}\n", "m.c")], None,
                      ENV, no_needs, 1)["9.9.9/m.c"]
    assert missing.status == "skipped" and "no-such-lib" in missing.note


# Snippets stay single files a reader can run alone, so the helpers they share are copied. Each copy of a shared helper
# must be the same text, or a fix made in one would not reach the others.
SHARED = {"the RESP client (class Redis)": (r"^class Redis\b", "redis"),
          "the MariaDB connection (def connect)": (r"^def connect\(", "mariadb")}


def top_level_block(text: str, start: str) -> str | None:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if re.match(start, line):
            j = i + 1
            while j < len(lines) and (lines[j][:1] in (" ", "\t") or not lines[j].strip()):
                j += 1
            return "\n".join(lines[i:j]).rstrip()
    return None


@pytest.mark.parametrize("helper", sorted(SHARED))
def test_copies_of_a_shared_helper_are_identical(helper):
    start, need = SHARED[helper]
    copies = {}
    for path in sorted((ROOT / "data" / "snippets").glob("*/*.py")):
        text = path.read_text(encoding="utf-8")
        block = top_level_block(text, start)
        header = "\n".join(line for line in text.split("\n") if line.startswith("# needs:"))
        if block and need in header:
            copies[str(path.relative_to(ROOT))] = block
    assert len(copies) >= 2, copies.keys()
    first = next(iter(copies.values()))
    differing = [p for p, b in copies.items() if b != first]
    assert not differing, f"{helper} differs from {next(iter(copies))} in: {differing}"


def test_exclusive_snippets_run_alone_after_the_others(tmp_path):
    alone = spec("# caption: x\n# exclusive: yes\nprint('alone')\n", "a_alone.py")
    others = [spec(f"# caption: x\nprint({i})\n", f"b{i}.py") for i in range(3)]
    order = []
    run_all([alone, *others], None, ENV, no_needs, 2, lambda r, cached: order.append(r.key))
    assert alone.exclusive and order[-1] == "9.9.9/a_alone.py" and len(order) == 4
    with pytest.raises(AtlasError, match="exclusive must be"):
        spec("# caption: x\n# exclusive: maybe\n")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_each_redis_snippet_gets_a_server_of_its_own():
    """A snippet's FLUSHALL or CONFIG SET must not reach another snippet running beside it."""
    with services.pool() as pool, pool.provide(("redis",)) as (a, _), pool.provide(("redis",)) as (b, _):
        assert a["ATLAS_REDIS_PORT"] != b["ATLAS_REDIS_PORT"]
        for env in (a, b):
            with socket.create_connection((env["ATLAS_REDIS_HOST"], int(env["ATLAS_REDIS_PORT"])), timeout=5) as s:
                s.sendall(b"PING\r\n")
                assert s.recv(16) == b"+PONG\r\n"


def test_a_snippet_can_draw_figures_for_its_page(tmp_path):
    code = ("# caption: x\nimport os\nopen(os.path.join(os.environ['ATLAS_FIGURES'], 'plot.svg'), 'w')"
            ".write('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')\nopen(os.path.join(os.environ['ATLAS_FIGURES'], "
            "'notes.txt'), 'w').write('not a figure')\nprint('drawn')\n")
    first = run_all([spec(code)], tmp_path, ENV, no_needs, 1)["9.9.9/demo.py"]
    assert first.figures == (("plot.svg", '<svg xmlns="http://www.w3.org/2000/svg"/>'),)
    assert run_all([spec(code)], tmp_path, ENV, no_needs, 1)["9.9.9/demo.py"].figures == first.figures  # cached
