"""Helpers for the browser tests: Debian's Chromium driven by Playwright, and a loopback HTTP server."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"]


@contextlib.contextmanager
def browser() -> Iterator:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()


@contextlib.contextmanager
def serve(root: Path, gzip_static: bool = False) -> Iterator[str]:
    """The site over HTTP on a free loopback port. With `gzip_static`, a file's precompressed `.gz` copy is sent to a
    client that accepts gzip, as nginx's gzip_static and most static hosts do."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            packed = path.with_name(path.name + ".gz")
            if not (gzip_static and "gzip" in self.headers.get("Accept-Encoding", "") and packed.is_file()):
                return super().send_head()
            body = packed.open("rb")
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(packed.stat().st_size))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return body

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def remote(requests: list[str], base: str) -> list[str]:
    """Requests to anything but the site itself."""
    return [r for r in requests if not r.startswith(base) and not r.startswith("data:")]
