"""Where every page and file of the site lives, and the relative links between them: the only owner of site paths.

Paths are the Markdown sources (`topics/1.1.2.md`); the built site has the same path with `.html`
(`use_directory_urls: false`), so a page opened from `file://` links to its neighbours by relative path.
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath

from ..ground.model import SnippetSpec

INDEX, MAP, TRACKS, ERRATA = "index.md", "map.md", "tracks.md", "errata.md"
PDF = "study-guide.pdf"
GRAPH_JSON, GRAPH_GRAPHML, GRAPH_SVG = "graph/atlas.json", "graph/atlas.graphml", "graph/atlas-map.svg"
VIS_NETWORK = "assets/vendor/vis-network/vis-network.min.js"
SEARCH_INDEX = "search/search_index.js"  # loaded by assets/search.js on the first focus of the search box
FLASHCARDS, PROGRESS = "flashcards.md", "progress.md"
STUDY_DATA, STUDY_CARDS, ANKI_DECK = "assets/study-data.js", "assets/study-cards.js", "interview-questions.apkg"


def track_pdf(track_id: str) -> str:
    """A track's own study guide, beside the whole one."""
    return f"study-guide-{track_id}.pdf"


def topic_page(topic_id: str) -> str:
    return f"topics/{topic_id}.md"


def chapter_page(chapter_id: str) -> str:
    return f"chapters/{chapter_id}.md"


def unit_page(unit_id: str) -> str:
    return f"units/{unit_id}.md"


def preface_page(section_id: str) -> str:
    return f"preface/{section_id}.md"


def snippet_file(spec: SnippetSpec) -> str:
    return f"snippets/{spec.topic_id}/{spec.name}"


def figure_file(spec: SnippetSpec, name: str) -> str:
    """Where a figure a snippet drew is published: beside the snippet's own file."""
    return f"snippets/{spec.topic_id}/{PurePosixPath(spec.name).stem}-{name}"


def link(from_page: str, to_path: str) -> str:
    """A relative link from one page to another page or file, as Markdown writes it (`../topics/1.1.2.md`)."""
    return posixpath.relpath(to_path, posixpath.dirname(from_page))


def html(path: str) -> str:
    """The built file of a Markdown source: where a link outside Markdown (SVG, JS, HTML) must point."""
    return path[: -len(".md")] + ".html" if path.endswith(".md") else path


def html_link(from_page: str, to_path: str) -> str:
    return html(link(from_page, to_path))
