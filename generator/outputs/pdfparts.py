"""Splitting the whole guide's HTML into documents that can be laid out side by side, and joining what they say.

The whole guide is one HTML document (its hash keys the PDF cache), with markers the template writes: the cover and
contents end at `<!--atlas:maps-->`, the maps at `<!--atlas:front-end-->`, each unit starts at
`<!--atlas:part UNIT-->`, and the units end at `<!--atlas:parts-end-->`. The maps (`图 3`) and each unit (`4-12`)
number their own pages, so no part waits for the page count of another; the contents, laid out last, prints the
labels the parts reported.
Pure: text in, text out.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

MAPS, FRONT_END, PARTS_END = "<!--atlas:maps-->", "<!--atlas:front-end-->", "<!--atlas:parts-end-->"
PART_RE = re.compile(r"<!--atlas:part (\S+)-->")
ID_RE = re.compile(r'\bid="([^"]+)"')
HREF_RE = re.compile(r'href="#([^"]+)"')
UNIT_ANCHOR = "unit-{}"  # the id the template gives a unit's title: where the unit's own page numbers start
ELSEWHERE = "atlas-dest:"  # a link to an anchor laid out in another document; the join makes it internal again


@dataclass(frozen=True)
class Split:
    head: str  # from `<!DOCTYPE` to the end of the `<body …>` tag
    front: str  # cover and contents
    maps: str
    units: tuple[tuple[str, str], ...]  # (unit id, its HTML), in order
    opening: str  # what wraps the units (`<main …>`)
    closing: str  # `</main>` and anything after the last unit, up to `</body>`

    def front_document(self) -> str:
        return self.head + self.front + "\n</body>\n</html>\n"

    def maps_document(self) -> str:
        return self.head + self.maps + "\n</body>\n</html>\n"

    def part_document(self, unit_ids: list[str]) -> str:
        body = "".join(text for uid, text in self.units if uid in unit_ids)
        return self.head + self.opening + body + self.closing + "\n</body>\n</html>\n"


def split(document: str) -> Split | None:
    """The guide cut at its markers, or None for a document without them (a learning path's guide)."""
    if not all(marker in document for marker in (MAPS, FRONT_END, PARTS_END)):
        return None
    body_open = re.search(r"<body\b[^>]*>", document)
    head, rest = document[: body_open.end()], document[body_open.end():]
    front, rest = rest.split(MAPS, 1)
    maps, rest = rest.split(FRONT_END, 1)
    units_text, tail = rest.split(PARTS_END, 1)
    pieces = PART_RE.split(units_text)
    opening, pairs = pieces[0], pieces[1:]
    units = tuple((pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))
    closing = tail[: tail.rindex("</body>")]
    return Split(head, front, maps, units, opening, closing)


def cost(text: str) -> int:
    """A rough layout cost: text is what WeasyPrint spends its time on (a drawing counts as a few hundred
    characters), code and program output much less than prose."""
    drawings = text.count("<svg")
    text = re.sub(r"<svg\b.*?</svg>", "", text, flags=re.S)
    code = sum(len(m) for m in re.findall(r"<pre\b.*?</pre>", text, flags=re.S))
    plain = len(re.sub(r"<[^>]+>", "", text))
    return plain - code * 2 // 3 + 400 * drawings


def groups(units: tuple[tuple[str, str], ...], count: int) -> list[list[str]]:
    """Consecutive runs of units with about the same cost each: one document per run, laid out in parallel."""
    costs = [cost(text) for _, text in units]
    total, runs, acc = sum(costs) or 1, [[] for _ in range(max(1, min(count, len(units))))], 0
    for (uid, _), c in zip(units, costs):
        runs[min(len(runs) - 1, (acc + c // 2) * len(runs) // total)].append(uid)
        acc += c
    return [r for r in runs if r]


def external_links(document: str) -> str:
    """Links to anchors this document does not hold point elsewhere (WeasyPrint would drop them)."""
    ids = set(ID_RE.findall(document))
    return HREF_RE.sub(lambda m: m[0] if m[1] in ids else f'href="{ELSEWHERE}{m[1]}"', document)


def with_labels(document: str, labels: dict[str, str]) -> str:
    """Each link to a labelled anchor carries its page label (`data-page="4-12"`) for the contents to print."""
    def add(m: re.Match) -> str:
        label = labels.get(m[1].removeprefix(ELSEWHERE))
        return m[0] if label is None else f'{m[0]} data-page="{html_lib.escape(label)}"'
    return re.sub(r'href="(?:#|' + ELSEWHERE + r')([^"]+)"', add, document)


def unit_starts(anchors: list[list[str]], unit_ids: list[str]) -> list[tuple[str, int]]:
    """(unit id, index of its first page) for each unit of a laid-out part, from the anchors on each page."""
    where = {a: i for i, names in enumerate(anchors) for a in names}
    return [(uid, where[UNIT_ANCHOR.format(uid)]) for uid in unit_ids]


def page_labels(anchors: list[list[str]], starts: list[tuple[str, int]]) -> dict[str, str]:
    """`4-12` for every anchor of a part, from its runs of pages: (label prefix such as `4-`, first page)."""
    labels = {}
    for index, names in enumerate(anchors):
        prefix, first = max((s for s in starts if s[1] <= index), key=lambda s: s[1])
        labels.update({a: f"{prefix}{index - first + 1}" for a in names})
    return labels
