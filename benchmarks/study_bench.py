"""Print what the study features cost: the size of the study data every page loads, of the flashcards page's card
file and of the Anki deck, and the time to make the cards (Markdown rendering) and the deck.
Run: .venv/bin/python benchmarks/study_bench.py"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.atlas import Sources, load_atlas  # noqa: E402
from generator.outputs import anki, studydata  # noqa: E402
from generator.site import mkdocs  # noqa: E402
from generator.views.cards import cards  # noqa: E402

RUNS = 5


def timed(fn) -> tuple[object, float]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def main() -> None:
    warnings.simplefilter("ignore")  # genanki's note about unknown HTML tags in a few answers
    atlas = load_atlas(Sources.default(ROOT))
    dialect = mkdocs.markdown_extensions(ROOT)
    deck, t_cards = timed(lambda: cards(atlas, dialect))
    data = studydata.script("atlasStudyData", studydata.study_data(atlas, deck)).encode("utf-8")
    shown = studydata.script("atlasStudyCards", studydata.cards_data(deck)).encode("utf-8")
    apkg, t_deck = timed(lambda: anki.apkg_bytes(atlas.site, deck))
    print(f"cards: {len(deck)} from {len(atlas.contents)} topics,"
          f" rendered in {t_cards * 1000:.0f} ms (median of {RUNS})")
    print(f"assets/study-data.js (every page): {len(data) / 1024:.1f} KiB")
    print(f"assets/study-cards.js (flashcards page only): {len(shown) / 1024:.1f} KiB")
    print(f"Anki deck: {len(apkg) / 1024:.1f} KiB, written in {t_deck * 1000:.0f} ms (median of {RUNS})")


if __name__ == "__main__":
    main()
