"""How things look wherever they are drawn: unit colours, shortened labels, pinyin keys for search."""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin

PALETTE = ["#3f51b5", "#e65100", "#2e7d32", "#c2185b", "#00838f", "#6d4c41", "#7b1fa2", "#546e7a", "#9e9d24",
           "#d84315", "#1565c0", "#558b2f"]


# How a unit, chapter or topic of the site's own supplement outline is marked wherever a reader meets it.
SUPPLEMENT = "本站补充"
SUPPLEMENT_NOTE = "原大纲没有、本站为面试补充的内容"


def unit_colour(unit_id: str) -> str:
    return PALETTE[(int(unit_id) - 1) % len(PALETTE)] if unit_id.isdigit() else PALETTE[0]


def shorten(title: str, width: int) -> str:
    """A title cut to `width` characters with an ellipsis, for node labels."""
    return title if len(title) <= width else title[: width - 1] + "…"


def pinyin_keys(text: str) -> tuple[str, str]:
    """Full pinyin and initials (`hongheishu`, `hhs`), so readers can type either for 红黑树."""
    syllables = [s.lower() for s in lazy_pinyin(text) if s.strip()]
    return "".join(re.sub(r"[^a-z0-9]", "", s) for s in syllables), "".join(s[0] for s in syllables if s[0].isalnum())
