"""Study features on the built site, in a real browser from file://: progress kept in localStorage and shown on the
map, the tracks and home pages; what to learn next; flashcards scheduled by SM-2; export / reset / import. And the
Anki deck: it opens with sqlite, holds every question, and has the same bytes for the same input."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile

import pytest

from generator.inputs.graph import fringe, path_to_goals, prerequisites_of
from generator.outputs.anki import apkg_bytes
from generator.outputs.pages import Extras, render_pages
from generator.site import mkdocs
from generator.views.cards import cards

from .browser import browser, remote
from .conftest import ROOT

PREFIX = "atlas:v1:"


def script_data(path) -> object:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.fullmatch(r"window\.\w+ = (.*);\n", text, flags=re.S)[1])


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.fixture
def context(chromium):
    """A fresh profile per test: its own, empty localStorage."""
    ctx = chromium.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    yield ctx
    ctx.close()


def open_page(context, site, name: str):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / name).as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    page.errors = errors
    return page


def stored(page) -> dict:
    return page.evaluate("""p => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith(p))
                            .sort().map(k => [k, localStorage.getItem(k)]))""", PREFIX)


def map_nodes(page) -> dict:
    page.wait_for_function("window.atlasMap && window.atlasMap.drawn")
    return page.evaluate("""Object.fromEntries(window.atlasMap.nodes.get()
                            .map(n => [String(n.id).replace(/^topic:/, ''), n]))""")


def written_prereq_pair(atlas) -> tuple[str, str]:
    """A written topic P with no prerequisite, and a written topic T whose only prerequisite is P."""
    g = atlas.graph
    for t in atlas.outline.topics:
        pre = [p for p, _ in prerequisites_of(g, t.id)]
        if len(pre) == 1 and t.id in atlas.contents and pre[0] in atlas.contents \
                and not prerequisites_of(g, pre[0]):
            return pre[0], t.id
    raise AssertionError("no such pair in the atlas")


# ---- progress ---------------------------------------------------------------------------------------------------

def test_a_topic_marked_done_stays_done_after_reload_and_shows_on_the_map_and_the_tracks_page(context, site, atlas,
                                                                                             tmp_path):
    page = open_page(context, site, "topics/1.1.1.html")
    done = page.locator("[data-study=topic] button[data-state=done]")
    assert done.get_attribute("aria-pressed") == "false"
    page.keyboard.press("d")
    assert done.get_attribute("aria-pressed") == "true"
    page.reload()
    page.wait_for_function("window.atlasStudy !== undefined")
    assert page.locator("[data-study=topic] button[data-state=done]").get_attribute("aria-pressed") == "true"
    assert json.loads(stored(page)[PREFIX + "progress"]) == {"1.1.1": "done"}
    # The navigation marks it too.
    assert page.locator('.md-nav a[data-atlas-state="done"]').count() >= 1
    unit = sum(1 for t in atlas.outline.topics if t.unit_id == "1" and t.id in atlas.contents)
    assert page.locator(f'.md-nav a[data-atlas-count="1/{unit}"]').count() == 1  # the unit's overview link
    moved = tmp_path / "moved-site"  # the same site in another folder: progress is keyed by topic id, not by path
    moved.symlink_to(site, target_is_directory=True)
    page.goto((moved / "topics/1.1.1.html").as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    assert page.locator("[data-study=topic] button[data-state=done]").get_attribute("aria-pressed") == "true"

    page.goto((site / "tracks.html").as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    track = next(t for t in atlas.spec.tracks if "1.1.1" in path_to_goals(atlas.graph, t.goals))
    path = path_to_goals(atlas.graph, track.goals)
    written = [t for t in path if t in atlas.contents]
    hours_left = round(sum(atlas.contents[t].hours or 0 for t in written if t != "1.1.1"), 1)
    box = page.locator(f'[data-study=track][data-track="{track.id}"]')
    assert box.locator(".atlas-study-count").inner_text() == f"已学完 1 / {len(written)}"
    assert float(box.locator(".atlas-study-hours").inner_text()) == hours_left
    assert box.locator(".atlas-study-next").get_attribute("data-topic") == next(t for t in written if t != "1.1.1")
    assert page.locator('.md-content a[href$="topics/1.1.1.html"]').first.get_attribute("data-atlas-state") == "done"

    page.goto((site / "map.html").as_uri())
    nodes = map_nodes(page)
    assert nodes["1.1.1"]["atlasProgress"] == "done"
    assert nodes["1.1.1"]["borderWidth"] == 5 and nodes["1.1.1"]["color"]["border"] == "#00c853"
    assert nodes["1.1.1"]["label"].startswith("✓ ")
    assert nodes["1.1.2"].get("atlasProgress", "") != "done"
    assert "已学完 1" in page.locator("#atlas-study-legend").inner_text()
    assert page.errors == []


def test_keys_do_nothing_while_typing_in_the_search_box(context, site):
    page = open_page(context, site, "topics/1.1.2.html")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search__input").type("ds")
    assert page.locator(".md-search__input").input_value() == "ds"
    assert stored(page) == {}
    page.keyboard.press("Escape")
    page.locator(".md-content h1").first.click()
    page.keyboard.press("s")  # on a topic page `s` is 跳过, not Material's "open search"
    assert page.locator("[data-study=topic] button[data-state=skipped]").get_attribute("aria-pressed") == "true"
    page.keyboard.press("s")  # the same key again clears it
    assert json.loads(stored(page)[PREFIX + "progress"]) == {}


def test_the_fringe_changes_when_a_prerequisite_is_marked_done(context, site, atlas):
    first, then = written_prereq_pair(atlas)
    page = open_page(context, site, "map.html")
    before = map_nodes(page)
    assert before[first]["atlasProgress"] == "next" and before[then].get("atlasProgress", "") == ""
    page.goto((site / f"topics/{first}.html").as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    page.keyboard.press("d")
    page.goto((site / "map.html").as_uri())
    after = map_nodes(page)
    assert after[first]["atlasProgress"] == "done" and after[then]["atlasProgress"] == "next"
    shown = {k for k, n in after.items() if n.get("atlasProgress") == "next"}
    assert shown == {t for t in fringe(atlas.graph, [first]) if t in atlas.contents}

    page.goto((site / "index.html").as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    home = page.locator("[data-study=home]")
    items = home.locator(".atlas-study-fringe li")
    listed = [items.nth(i).get_attribute("data-topic") for i in range(items.count())]
    assert listed and set(listed) <= shown and first not in listed
    opens = [int(m[1]) if (m := re.search(r"通向 (\d+)", items.nth(i).inner_text())) else 0 for i in range(len(listed))]
    assert opens == sorted(opens, reverse=True)  # the topics that open the most come first
    assert home.locator(".atlas-study-count").inner_text() == f"已学完 1 / {len(atlas.contents)}"


def test_export_reset_import_gives_back_the_same_state(context, site, tmp_path):
    page = open_page(context, site, "topics/1.1.2.html")
    page.keyboard.press("l")
    page.goto((site / "topics/1.1.3.html").as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    page.keyboard.press("d")
    page.goto((site / "flashcards.html").as_uri())
    page.wait_for_selector(".atlas-card")
    page.keyboard.press(" ")
    page.keyboard.press("3")
    # A topic this site no longer has (a rebuilt or older site): kept, not lost.
    page.evaluate("""p => { const s = JSON.parse(localStorage.getItem(p + 'progress'));
                     s['99.9.9'] = 'done'; localStorage.setItem(p + 'progress', JSON.stringify(s)); }""", PREFIX)
    page.goto((site / "progress.html").as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    assert "99.9.9" in page.locator(".atlas-study-stale").inner_text()
    before = stored(page)
    assert set(before) == {PREFIX + "progress", PREFIX + "cards"}

    with page.expect_download() as info:
        page.click("#atlas-study-export")
    exported = tmp_path / "export.json"
    info.value.save_as(exported)
    assert json.loads(exported.read_text(encoding="utf-8"))["data"]["progress"]["99.9.9"] == "done"

    page.once("dialog", lambda d: d.accept())
    page.click("#atlas-study-reset")
    page.wait_for_function("document.querySelector('.atlas-study-message').textContent === '已重置。'")
    assert stored(page) == {}
    assert page.locator("[data-study=settings] .atlas-study-count").inner_text().startswith("已学完 0 /")

    page.set_input_files("#atlas-study-import", str(exported))
    page.wait_for_function("document.querySelector('.atlas-study-message').textContent.startsWith('已导入')")
    assert stored(page) == before
    page.goto((site / "topics/1.1.3.html").as_uri())
    page.wait_for_function("window.atlasStudy !== undefined")
    assert page.locator("[data-study=topic] button[data-state=done]").get_attribute("aria-pressed") == "true"


# ---- flashcards -------------------------------------------------------------------------------------------------

def test_a_card_graded_again_comes_back_before_one_graded_easy(context, site, atlas):
    start = 1_800_000_000_000
    page = context.new_page()
    page.clock.install(time=start / 1000)
    page.goto((site / "flashcards.html").as_uri())
    page.wait_for_selector(".atlas-card")
    first = page.locator(".atlas-card").get_attribute("data-card")
    page.keyboard.press(" ")
    assert page.locator(".atlas-card-a").is_visible()
    page.keyboard.press("1")  # again
    second = page.locator(".atlas-card").get_attribute("data-card")
    assert second != first
    page.keyboard.press(" ")
    page.keyboard.press("4")  # easy
    states = json.loads(stored(page)[PREFIX + "cards"])
    assert states[first]["due"] < states[second]["due"]

    # Eleven minutes later, the card answered "again" is due and comes first (before any new card); the easy one is not.
    page.clock.set_system_time((start + 11 * 60_000) / 1000)
    page.reload()
    page.wait_for_selector(".atlas-card")
    assert page.locator(".atlas-card").get_attribute("data-card") == first
    assert "到期 1 ·" in page.locator(".atlas-cards-counts").inner_text()

    # Two days later both are due; the again card (due earlier) still comes first, then the easy one.
    page.clock.set_system_time((start + 2 * 86_400_000) / 1000)
    page.reload()
    page.wait_for_selector(".atlas-card")
    assert page.locator(".atlas-card").get_attribute("data-card") == first
    page.keyboard.press(" ")
    page.keyboard.press("3")
    assert page.locator(".atlas-card").get_attribute("data-card") == second

    page.goto((site / "index.html").as_uri())
    page.wait_for_function("document.querySelector('.atlas-study-due') && "
                           "document.querySelector('.atlas-study-due').dataset.due !== undefined")
    assert page.locator(".atlas-study-due").get_attribute("data-due") == "1"


def test_cards_show_rendered_answers_and_filter_by_unit(context, site, atlas):
    page = open_page(context, site, "flashcards.html")
    page.select_option("#atlas-cards-filter", "unit:2")
    card = page.locator(".atlas-card").get_attribute("data-card")
    assert card.split("#")[0].startswith("2.")
    expected = sum(len(c.questions) for k, c in atlas.contents.items() if atlas.topic(k).unit_id == "2")
    assert page.locator(".atlas-cards-counts").inner_text().endswith(f"共 {expected}")
    page.select_option("#atlas-cards-filter", "all")
    page.keyboard.press(" ")
    answer = page.locator(".atlas-card-a")
    assert answer.locator(".katex").count() >= 1  # 1.1.1's first answer has math: drawn by KaTeX, not raw TeX
    assert "$" not in answer.inner_text() and "\\(" not in answer.inner_text()
    assert page.errors == []


@pytest.mark.parametrize("width", [390, 1366])
def test_the_progress_controls_move_nothing_when_they_appear(chromium, site, width):
    """progress.js draws the controls after the page shows; the room they take is kept from the start, so the
    summary below them stays where it was painted (1.1.2 has an open prerequisite: the note shows too)."""
    tops = []
    for scripts in (False, True):
        context = chromium.new_context(viewport={"width": width, "height": 900}, java_script_enabled=scripts)
        page = context.new_page()
        page.goto((site / "topics" / "1.1.2.html").as_uri(), wait_until="load")
        if scripts:
            page.wait_for_selector(".atlas-progress .atlas-study-note")
        tops.append(page.evaluate("document.querySelector('.md-content .admonition').getBoundingClientRect().top"))
        context.close()
    assert tops[0] == tops[1]


def test_study_pages_load_nothing_remote_and_fit_a_phone(chromium, site):
    ctx = chromium.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    for name in ["flashcards.html", "progress.html", "index.html"]:
        page = ctx.new_page()
        requests: list[str] = []
        page.on("request", lambda r, requests=requests: requests.append(r.url))
        page.goto((site / name).as_uri())
        page.wait_for_function("window.atlasStudy !== undefined")
        assert remote(requests, "file://") == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        page.close()
    ctx.close()


# ---- the data the scripts read --------------------------------------------------------------------------------

def test_study_data_is_the_atlas(site, atlas):
    data = script_data(site / "assets/study-data.js")
    assert [t["id"] for t in data["topics"]] == [t.id for t in atlas.outline.topics]
    g = atlas.graph
    for t in data["topics"]:
        assert t["prereqs"] == [p for p, _ in prerequisites_of(g, t["id"])]  # curated only
        assert t["written"] == (t["id"] in atlas.contents)
        content = atlas.contents.get(t["id"])
        assert len(t["cards"]) == (len(content.questions) if content else 0)
    assert {t["id"]: t["path"] for t in data["tracks"]} == {
        t.id: path_to_goals(g, t.goals) for t in atlas.spec.tracks}
    related = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "related"]
    assert related and all(u.split(":")[1] not in next(t for t in data["topics"] if t["id"] == v.split(":")[1])
                           ["prereqs"] for u, v in related)
    shown = script_data(site / "assets/study-cards.js")
    assert [c["id"] for c in shown] == [i for t in data["topics"] for i in t["cards"]]
    for c in shown:  # Markdown and TeX rendered, never raw
        text = re.sub(r'<span class="arithmatex">.*?</span>|<code>.*?</code>', "", c["a"] + c["q"])
        assert not re.search(r"\$[^$\s]([^$]*[^$\s])?\$", text) and "**" not in text and "`" not in text, c["id"]


# ---- the Anki deck ------------------------------------------------------------------------------------------------

def test_the_deck_opens_with_sqlite_and_holds_every_question(site, atlas, tmp_path):
    with zipfile.ZipFile(site / "interview-questions.apkg") as z:
        assert sorted(z.namelist()) == ["collection.anki2", "media"]
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "c.anki2")
    notes = db.execute("SELECT guid, tags, flds FROM notes").fetchall()
    assert db.execute("SELECT count(*) FROM cards").fetchone()[0] == len(notes)
    questions = [(t.id, q) for t in atlas.outline.topics if t.id in atlas.contents
                 for q in atlas.contents[t.id].questions]
    written = sum(p.read_text(encoding="utf-8").count("\n  - q: ") for p in (ROOT / "data" / "topics").glob("*.md"))
    assert len(notes) == len(questions) == written > 500
    assert len({n[0] for n in notes}) == len(notes)  # one GUID per note
    by_id = {n[2].split("\x1f")[3]: n for n in notes}
    expected = cards(atlas, mkdocs.markdown_extensions(ROOT))
    assert sorted(by_id) == sorted(c.id for c in expected)
    for card in expected:
        _, tags, flds = by_id[card.id]
        assert tags.split() == [f"unit::{card.unit_id}", f"chapter::{card.chapter_id}", f"topic::{card.topic_id}"]
        assert flds.split("\x1f")[:2] == [card.question_html, card.answer_html]
    assert [c.topic_id for c in expected] == [t for t, _ in questions]
    # Each question and answer as the topic page shows it. The page's question titles are HTML-escaped once more
    # inside code (`&&` shows as `&amp;&amp;`): compare with that undone. The page's formulas are drawn at build time,
    # a card's stay TeX: compare the page's with the TeX KaTeX keeps in each drawing.
    def same(text: str) -> str:
        return html.unescape(html.unescape(as_tex(text)))

    for topic_id in atlas.contents:
        page = (site / f"topics/{topic_id}.html").read_text(encoding="utf-8")
        shown = re.findall(r'<details class="question">\s*<summary>(.*?)</summary>\s*(.*?)\s*</details>', page,
                           flags=re.S)
        mine = [(c.question_html, c.answer_html) for c in expected if c.topic_id == topic_id]
        assert [(same(q), as_tex(a)) for q, a in shown] == [(same(q), a) for q, a in mine], topic_id
    deck = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    assert any(d["name"].endswith("::面试题") for d in deck.values())


def as_tex(page_html: str) -> str:
    """Each KaTeX drawing (`<span class="atlas-math">…</span>`) back to arithmatex's `\\(TeX\\)` span."""
    out, at = [], 0
    for start in [m.start() for m in re.finditer('<span class="atlas-math">', page_html)]:
        if start < at:
            continue
        depth, end = 0, start
        for tag in re.finditer(r"<span\b|</span>", page_html[start:]):
            depth += 1 if tag[0] == "<span" else -1
            if depth == 0:
                end = start + tag.end()
                break
        tex = re.search(r'<annotation encoding="application/x-tex">(.*?)</annotation>', page_html[start:end], re.S)[1]
        out += [page_html[at:start], f'<span class="arithmatex">\\({tex}\\)</span>']
        at = end
    return "".join(out) + page_html[at:]


def test_the_deck_has_the_same_bytes_for_the_same_input(site, atlas):
    built = (site / "interview-questions.apkg").read_bytes()
    code = ("import hashlib, sys; from pathlib import Path; from generator.atlas import Sources, load_atlas;"
            "from generator.site import mkdocs; from generator.views.cards import cards;"
            "from generator.outputs.anki import apkg_bytes; a = load_atlas(Sources.default(Path('.')));"
            "sys.stdout.write(hashlib.sha256(apkg_bytes(a.site, cards(a, mkdocs.markdown_extensions(Path('.')))))"
            ".hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "4321", "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                           check=True, timeout=300).stdout
    assert other == hashlib.sha256(built).hexdigest()


def test_an_edited_answer_updates_its_note_and_a_new_question_adds_one(atlas):
    deck = cards(atlas, mkdocs.markdown_extensions(ROOT))[:3]

    def notes(cs) -> dict[str, str]:
        with zipfile.ZipFile(io.BytesIO(apkg_bytes(atlas.site, cs))) as z:
            db = sqlite3.connect(":memory:")
            db.deserialize(z.read("collection.anki2"))
        return {guid: flds for guid, flds in db.execute("SELECT guid, flds FROM notes")}

    first = notes(deck)
    edited = notes([dataclasses.replace(deck[0], answer_html="<p>改过的答案</p>"), *deck[1:]])
    assert first.keys() == edited.keys()  # same GUIDs: Anki updates the note in place
    assert [k for k in first if first[k] != edited[k]] == [next(iter(first))]
    added = notes([*deck, dataclasses.replace(deck[0], id=deck[0].id + "-2")])
    assert len(added) == 4 and first.keys() < added.keys()


def test_a_track_pdf_is_linked_only_when_the_site_has_it(atlas):
    def pages(track_pdfs: frozenset[str]) -> dict[str, str]:
        return render_pages(atlas, lambda *a, **k: "<svg></svg>", Extras({}, {}, track_pdfs))

    without, with_redis = pages(frozenset()), pages(frozenset({"redis"}))
    for name in ("index.md", "tracks.md"):
        assert "study-guide-" not in without[name]
        assert with_redis[name].count('href="study-guide-redis.pdf"') == 1
        assert "study-guide-mysql" not in with_redis[name]
