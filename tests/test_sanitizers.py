"""The C and C++ snippets of units 1-4 (the curriculum's own C labs) run clean under AddressSanitizer and UBSan.

The build keeps plain `-O2`; here each one is compiled again with `-fsanitize=address,undefined` and run through the
real runner, with the servers it needs. Any sanitizer report aborts the program, and so fails this test."""

from __future__ import annotations

import os
import shutil

import pytest

from generator.atlas import Sources, load_atlas
from generator.inputs import services
from generator.inputs.runner import snippet_env
from generator.inputs.snippets import failure_message, run_all

from .conftest import ROOT

UNITS = {"1", "2", "3", "4"}


@pytest.mark.skipif(shutil.which("cc") is None or shutil.which("c++") is None, reason="no C/C++ compiler")
def test_c_snippets_of_units_1_to_4_run_clean_under_asan_and_ubsan():
    atlas = load_atlas(Sources.default(ROOT))
    specs = [s for s in atlas.specs() if s.language in ("c", "cpp") and s.topic_id.split(".")[0] in UNITS]
    assert len(specs) >= 30
    with services.pool() as pool:
        results = run_all(specs, None, snippet_env(), pool.provide, os.cpu_count() or 2, sanitize=True)
    by_key = {s.key: s for s in specs}
    failed = [failure_message(by_key[k], r) for k, r in sorted(results.items()) if r.status in ("failed", "timeout")]
    assert not failed, "\n".join(failed)
    skipped = [k for k, r in results.items() if r.status == "skipped"]
    if os.environ.get("ATLAS_REQUIRE_SERVICES"):
        assert not skipped, skipped
