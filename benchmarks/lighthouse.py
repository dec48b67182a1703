"""Audit the built site as a hosted reader gets it: Lighthouse (mobile) scores for the home page, a topic page and the
map, with what costs performance most, and the W3C Nu HTML validator's errors on those pages and the 404 page, ours
apart from the theme's.

Lighthouse 12 (it runs on Node 20; 13 needs Node 22) and vnu-jar are installed with npm into a cache folder outside
the project (ATLAS_AUDIT_TOOLS, default ~/.cache/atlas-audit); Lighthouse drives /usr/bin/chromium against a loopback
HTTP server (it does not audit file://). Java 17+ runs the validator.
Run: .venv/bin/python benchmarks/lighthouse.py [--site DIR] [--runs N] [--block '*search_index*']"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.atlas import Sources  # noqa: E402
from generator.site.build import BuildOptions, build  # noqa: E402
from tests.browser import serve  # noqa: E402

LIGHTHOUSE, VNU = "lighthouse@12.8.2", "vnu-jar@26.9.27"
TOOLS = Path(os.environ.get("ATLAS_AUDIT_TOOLS", Path.home() / ".cache" / "atlas-audit"))
AUDITED = ["index.html", "topics/1.1.2.html", "map.html"]  # --page limits the run to some of them
VALIDATED = AUDITED + ["404.html"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# Errors the validator reports in Material's own markup (not in anything the generator writes).
THEME = [re.compile(r"Attribute “autocomplete” is only allowed when the input type is")]


def tools() -> tuple[Path, Path]:
    lighthouse = TOOLS / "node_modules" / ".bin" / "lighthouse"
    jar = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not lighthouse.exists() or not jar.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", str(TOOLS),
                        LIGHTHOUSE, VNU], check=True, stdout=subprocess.DEVNULL)
    return lighthouse, jar


def lighthouse_run(binary: Path, url: str, out: Path, blocked: list[str]) -> dict:
    subprocess.run([str(binary), url, "--quiet", "--output=json", f"--output-path={out}",
                    *[f"--blocked-url-patterns={b}" for b in blocked],
                    f"--only-categories={','.join(CATEGORIES)}",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                   check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
    return json.loads(out.read_text(encoding="utf-8"))


def report_page(reports: list[dict]) -> None:
    scores = {c: [round(r["categories"][c]["score"] * 100) for r in reports] for c in CATEGORIES}
    print("  " + "  ".join(f"{c} {statistics.median(v):.0f} {v}" for c, v in scores.items()))
    audits = reports[-1]["audits"]
    metrics = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
               "speed-index"]
    print("  " + ", ".join(f"{m} {audits[m]['displayValue']}" for m in metrics if m in audits))
    weight = audits.get("total-byte-weight", {})
    items = sorted(weight.get("details", {}).get("items", []), key=lambda i: -i.get("totalBytes", 0))[:4]
    print(f"  transferred {weight.get('displayValue', '?')}; largest: " +
          ", ".join(f"{i['url'].rsplit('/', 1)[-1]} {i['totalBytes'] / 1024:.0f} KiB" for i in items))
    for category in CATEGORIES:
        refs = [r["id"] for r in reports[-1]["categories"][category]["auditRefs"] if r.get("weight")]
        failing = [audits[r] for r in refs if audits[r].get("score") is not None and audits[r]["score"] < 0.9]
        for audit in sorted(failing, key=lambda a: a["score"])[:5]:
            print(f"    {category}: {audit['id']} {audit['score']} {audit.get('displayValue', '')}")
    for audit in [a for a in audits.values() if a.get("details", {}).get("type") == "opportunity"
                  and (a.get("score") or 1) < 0.9][:5]:
        print(f"    opportunity: {audit['id']} {audit.get('displayValue', '')}")


def validate(jar: Path, site: Path) -> None:
    proc = subprocess.run(["java", "-jar", str(jar), "--format", "json", "--errors-only",
                           *[str(site / p) for p in VALIDATED]], capture_output=True, text=True)
    messages = json.loads(proc.stderr or '{"messages": []}')["messages"]
    ours: Counter = Counter()
    theirs: Counter = Counter()
    for m in messages:
        page = m.get("url", "").split(str(site) + "/", 1)[-1]
        (theirs if any(t.search(m["message"]) for t in THEME) else ours)[(page, m["message"])] += 1
    print(f"Nu validator errors on {', '.join(VALIDATED)}: ours {sum(ours.values())}, "
          f"the theme's {sum(theirs.values())}")
    for (page, message), n in sorted(ours.items()):
        print(f"  ours   {page}: {n} × {message}")
    for (page, message), n in sorted(theirs.items()):
        print(f"  theme  {page}: {n} × {message}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path, help="a built site (default: build one, without the PDF)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (scores vary run to run)")
    parser.add_argument("--page", action="append", choices=AUDITED, help="audit only this page (repeatable)")
    parser.add_argument("--block", action="append", default=[], metavar="PATTERN",
                        help="URLs Lighthouse must not load, e.g. '*search_index*' to see a page as it would be with "
                             "a search index loaded only when the reader searches")
    parser.add_argument("--plain", action="store_true",
                        help="send every file as it is, ignoring the precompressed .gz copies a static host would send")
    args = parser.parse_args()
    lighthouse, jar = tools()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(Sources.default(ROOT), BuildOptions(site, ROOT / ".cache", run_snippets=False, pdf=False))
        with serve(site, gzip_static=not args.plain) as base:
            for page in args.page or AUDITED:
                blocked = f", blocking {', '.join(args.block)}" if args.block else ""
                print(f"Lighthouse (mobile) {page}, {args.runs} runs{blocked}:")
                report_page([lighthouse_run(lighthouse, f"{base}/{page}", Path(tmp) / f"lh{i}.json", args.block)
                             for i in range(args.runs)])
        if not args.page:
            validate(jar, site)


if __name__ == "__main__":
    main()
