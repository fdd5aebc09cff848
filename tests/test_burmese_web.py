"""The Burmese edition on the web: its page speaks Burmese (fixed texts, dates, digits), sets
its text in the Padauk subset briefgen ships beside it (no tofu, no system font), and passes
axe in a real browser. The English pages of the same project keep their own brand assets."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

import briefgen
from browser import WCAG_AA, chromium, run_axe, unavailable
from conftest import FIXTURES, make_project
from test_burmese import EDITION, enable_burmese

REASON = unavailable()
MYANMAR = re.compile("[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from briefgen.incremental.builder import build_profiles

    root = enable_burmese(make_project(tmp_path_factory.mktemp("burmese-web") / "project",
                                       FIXTURES / "full" / "briefings"))
    results = build_profiles(root, profiles=("screen",), formats=("pdf", "html"))
    assert all(r.ok for r in results.values()), results
    return root / "dist" / "site"


@pytest.fixture
def project(site: Path, tmp_path: Path) -> Path:
    """A copy of the built Burmese project that a test may change."""
    root = tmp_path / "project"
    shutil.copytree(site.parent.parent, root)
    return root


NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def visible_text(page: str) -> str:
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_the_page_is_burmese_with_its_own_stylesheet(site: Path) -> None:
    page = (site / EDITION / "index.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>\n<html lang=\"my\">")
    assert '<link rel="stylesheet" href="../_assets/default.my/site.css">' in page
    # the English page of the same briefing keeps the brand's own assets
    english = (site / "military-cooperation" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="../_assets/default/site.css">' in english
    assert "<dt>Published</dt>" in english and "<h2 id=\"notes-heading\">Notes</h2>" in english
    # fixed texts, dates and note markers in Burmese (styles/strings/my.yaml)
    assert "<dt>ထုတ်ဝေသည့်နေ့</dt>" in page
    assert "<h2 id=\"notes-heading\">မှတ်စုများ</h2>" in page
    assert "၂၀၂၆ ခုနှစ် နိုဝင်ဘာလ ၂၃ ရက်" in page
    assert re.search(r'aria-label="မှတ်စု ၁">၁</a></sup>', page)
    assert "<strong>Burma Campaign UK မှ ထုတ်ဝေသည်</strong>" in page


def test_no_english_on_the_page_but_names_and_addresses(site: Path) -> None:
    root = site.parent.parent
    doc = briefgen.open_workspace(root).document(EDITION)
    text = visible_text((site / EDITION / "index.html").read_text(encoding="utf-8"))
    text = re.sub(r"https?://\S+|www\.\S+|\S+@\S+", " ", text)
    names = [doc.publisher.name, *doc.publisher.address, doc.publisher.phone,
             *(n.publisher for n in doc.notes.values()),
             *(s.label for b in doc.blocks for e in getattr(b, "entries", []) for s in e.sources)]
    for name in sorted(set(names), key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\((?:[a-z.]+)\)", " ", text)  # "(mod.gov.mm)" after a publisher name
    # format names stay as they are: PDF, CMYK, Atom, KB
    assert set(re.findall(r"[A-Za-z]{2,}", text)) <= {"Atom", "CMYK", "KB", "PDF"}


def test_the_burmese_web_font_has_every_character_the_page_prints(site: Path) -> None:
    page = (site / EDITION / "index.html").read_text(encoding="utf-8")
    css = (site / "_assets" / "default.my" / "site.css").read_text(encoding="utf-8")
    files = re.findall(r'font-family: "briefgen-body";[^}]*?url\("([^"]+\.woff2)"\)', css)
    assert files, css[:2000]
    printed = {ord(c) for c in visible_text(page) if MYANMAR.match(c)}
    assert len(printed) > 40
    for rel in files:
        font = TTFont(io.BytesIO((site / "_assets" / "default.my" / rel).read_bytes()))
        cmap = font.getBestCmap()
        assert printed <= set(cmap), sorted(chr(c) for c in printed - set(cmap))
    # Padauk's licence travels with its subsets
    assert (site / "_assets" / "default.my" / "fonts" / "OFL-Padauk.txt").is_file() or any(
        p.name.lower().startswith("ofl") and "padauk" in p.read_text(errors="ignore").lower()
        for p in (site / "_assets" / "default.my" / "fonts").iterdir() if p.suffix == ".txt")


@pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")
def test_axe_finds_no_violation_on_the_burmese_page(site: Path) -> None:
    with chromium(1280, 900) as driver:
        driver.get((site / EDITION / "index.html").as_uri())
        driver.execute_async_script("const done = arguments[arguments.length - 1];"
                                    "document.fonts.ready.then(() => done(true));")
        loaded = driver.execute_script(
            "return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
        assert {"briefgen-title", "briefgen-body"} <= {f.strip('"') for f in loaded}
        marker = driver.execute_script(
            "return getComputedStyle(document.querySelector('ol.countries > li'))"
            ".listStyleType")
        assert marker == "briefgen-myanmar"
        result = run_axe(driver, [*WCAG_AA, "best-practice"])
        assert result["violations"] == [], result["violations"]


def test_the_editor_says_a_translation_is_unreviewed_then_older_than_the_english(
        project: Path) -> None:
    from starlette.testclient import TestClient

    from briefgen.serve.app import create_app
    from briefgen.serve.editor import Editor

    root = project
    with TestClient(create_app(Editor(root)), base_url="http://127.0.0.1:8000") as client:
        page = client.get("/").text
        assert f'href="/briefings/{EDITION}"' in page and f'href="/pdf/{EDITION}"' in page
        row = page[page.index(f'href="/briefings/{EDITION}"'):]
        row = row[:row.index("</tr>")]
        assert re.search(r'status-stale">unreviewed translation: \d+ texts to review '
                         r'\(the PDF says &#34;Draft translation&#34;\)', row), row
        page = client.get(f"/briefings/{EDITION}").text
        assert '<a class="button" href="/briefings/military-cooperation/edit">Edit the ' \
            'English text</a>' in page
        assert "translated in <code>briefings/translations/my/</code>" in page
        edit = client.get(f"/briefings/{EDITION}/edit", follow_redirects=False)
        assert edit.status_code == 303
        assert edit.headers["location"] == "/briefings/military-cooperation/edit"
    facts = root / "briefings" / "facts" / "countries" / "australia.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "has still not announced", "has not yet announced"), encoding="utf-8")
    with TestClient(create_app(Editor(root)), base_url="http://127.0.0.1:8000") as client:
        page = client.get("/").text
        row = page[page.index(f'href="/briefings/{EDITION}"'):]
        row = row[:row.index("</tr>")]
        assert "PDF out of date: build it; translation older than the English in 1 text: " \
            "update it" in row, row
        page = client.get(f"/briefings/{EDITION}").text  # the warning, at its line
        assert "translation of australia.training-review (my) is older than the English" \
            in html.unescape(page)


def test_an_edition_keeps_every_language_and_names_one_left_out(project: Path) -> None:
    root = project
    ws = briefgen.open_workspace(root)
    done = briefgen.publish(ws, "military-cooperation", by="Test", now=NOW)
    assert done.warnings == []
    assert {"military-cooperation.pdf", "military-cooperation.my.pdf",
            "print/military-cooperation.pdf", "print/military-cooperation.my.pdf",
            "site/index.html", "site.my/index.html"} <= set(done.files)
    meta = json.loads((done.edition.folder / "edition.json").read_text(encoding="utf-8"))
    assert meta["languages"] == ["en-GB", "my"]
    assert (done.edition.folder / "military-cooperation.my.pdf").read_bytes() == \
        (root / "dist" / "military-cooperation.my.pdf").read_bytes()

    # a translation with an error: the English is published, the Burmese is named
    tr = root / "briefings/translations/my/military-cooperation.yaml"
    text = tr.read_text(encoding="utf-8")
    tr.write_text(text.replace("reviewed: false", "reviewed: maybe", 1), encoding="utf-8")
    ws = briefgen.open_workspace(root)
    assert not ws.state(EDITION).ok and ws.state("military-cooperation").ok
    again = briefgen.publish(ws, "military-cooperation", by="Test", now=NOW)
    assert again.edition.name == "2026-11-28-2"
    assert not any(".my" in f for f in again.files)
    assert again.warnings == [f"{EDITION} is not in this edition: it has "
                              f"{len(ws.state(EDITION).errors)} error"
                              f"{'s' if len(ws.state(EDITION).errors) != 1 else ''} "
                              "(briefgen check lists them)"]


def test_the_editor_judges_an_english_edit_of_a_translated_briefing(project: Path) -> None:
    """The trial workspace knows the translated editions as the live one does: editing the
    English spec is not refused with an error about the edition's id."""
    from briefgen.serve.editor import Editor

    root = project
    editor = Editor(root)
    spec = root / "briefings" / "military-cooperation.yaml"
    before = editor.read(spec)
    text = before.text.replace("Which governments train", "Which governments still train", 1)
    assert text != before.text
    plan = editor.plan({spec: text}, {spec: before})
    assert plan.new_errors == []
    assert plan.workspace.edition_of(EDITION) == ("military-cooperation", "my")
    assert plan.affected == ["military-cooperation", EDITION]


def test_an_edition_keeps_a_web_page_only_if_it_was_made_from_that_build(
        project: Path, monkeypatch) -> None:
    root = project
    # a translation changes after the web edition was built: publishing builds the
    # pages again, so the edition's page copies are the edition's PDFs
    tr = root / "briefings/translations/my/military-cooperation.yaml"
    tr.write_text(tr.read_text(encoding="utf-8").replace(
        "reviewed: false", "reviewed: true", 1), encoding="utf-8")
    done = briefgen.publish(briefgen.open_workspace(root), "military-cooperation", by="T",
                            now=NOW)
    folder = done.edition.folder
    assert done.warnings == []
    assert (folder / "site.my" / f"{EDITION}.pdf").read_bytes() == \
        (folder / f"{EDITION}.pdf").read_bytes()
    assert (folder / "site" / "military-cooperation.pdf").read_bytes() == \
        (folder / "military-cooperation.pdf").read_bytes()

    # a page whose PDF copy is not the build's (changed by hand, and the web build that
    # would repair it not run): left out, and said
    import briefgen.incremental.builder as builder

    real = builder.build_profiles
    monkeypatch.setattr(builder, "build_profiles",
                        lambda *a, **kw: real(*a, **{**kw, "formats": ("pdf",)}))
    copy = root / "dist/site/military-cooperation/military-cooperation.pdf"
    copy.write_bytes(copy.read_bytes() + b"%tampered\n")
    again = briefgen.publish(briefgen.open_workspace(root), "military-cooperation", by="T",
                             now=NOW)
    assert not any(f.startswith("site/") for f in again.files)
    assert any(f.startswith("site.my/") for f in again.files)
    assert again.warnings == ["the web page of military-cooperation is not in this edition: "
                              "it was not made from this build (run `briefgen build`, then "
                              "publish again)"]


def test_an_edition_leaves_out_a_translation_older_than_the_english(project: Path) -> None:
    root = project
    facts = root / "briefings/facts/countries/australia.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "has still not announced", "has not yet announced"), encoding="utf-8")
    done = briefgen.publish(briefgen.open_workspace(root), "military-cooperation", by="T",
                            now=NOW)
    assert not any(".my" in f for f in done.files)
    assert done.warnings == [f"{EDITION} is not in this edition: its translation is older "
                             "than the English in 1 text (`briefgen translate "
                             "military-cooperation --lang my`, then publish again)"]


def test_a_failing_translated_edition_keeps_its_page_and_its_fonts(project: Path) -> None:
    from briefgen.incremental.builder import build_profiles

    root = project
    tr = root / "briefings/translations/my/military-cooperation.yaml"
    text = tr.read_text(encoding="utf-8")
    broken = re.sub(r"(title:\n  original: .*\n  hash: .*\n)  text: .*\n", r"\1", text, count=1)
    assert broken != text
    tr.write_text(broken, encoding="utf-8")
    page = root / "dist/site" / EDITION / "index.html"
    before = page.read_bytes()
    results = build_profiles(root, profiles=("screen",), formats=("pdf", "html"))
    assert [f.id for f in results["html"].failed] == [EDITION]
    assert page.read_bytes() == before  # the previous page stays...
    assert (root / "dist/site/_assets/default.my/site.css").is_file()  # ...and so do its fonts
    assert list((root / "dist/site/_assets/default.my/fonts").glob("*.woff2"))


def _lang(el) -> str:
    """The language an element's text is in: its own lang, else its nearest ancestor's."""
    for node in (el, *el.ancestors()):
        if "lang" in node.attrs:
            return node.attrs["lang"]
    raise AssertionError(f"<{el.tag}> has no language")


def test_the_index_and_feed_speak_english_when_the_newest_briefing_is_translated(
        project: Path) -> None:
    """The index and feed are in the language of their fixed texts (English): a translated
    edition that is the newest briefing gave them lang="my", and its card marked the
    English labels ("Read the briefing", "PDF for screen", the date) as Burmese."""
    import xml.etree.ElementTree as ET

    from briefgen.incremental.builder import build_profiles
    from webcheck import parse, squash

    root = project
    spec = root / "briefings" / "military-cooperation.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "date: 2026-11-23", "date: 2026-11-30", 1), encoding="utf-8")
    results = build_profiles(root, profiles=("screen",), formats=("pdf", "html"))
    assert all(r.ok for r in results.values()), results
    site = root / "dist" / "site"
    index = parse(site / "index.html")
    assert index.find("html").attrs["lang"] == "en-GB"
    card = index.find("article", class_="briefing-card")  # the newest: the Burmese edition
    assert card.find("h2").attrs["id"] == f"b-{EDITION}"
    doc = briefgen.open_workspace(root).document(EDITION)
    # the edition's own words are Burmese...
    assert squash(card.find("h2").text) == doc.title and _lang(card.find("h2")) == "my"
    assert _lang(card.find("p", class_="summary")) == "my"
    assert _lang(card.find("p", class_="subtitle")) == "my"
    # ...the fixed labels and the date are English
    date = card.find("time")
    assert (date.text, _lang(date)) == ("30 November 2026", "en-GB")
    links = card.find("ul", class_="downloads").find_all("a")
    assert [squash(a.children[0]) for a in links] == ["Read the briefing", "PDF for screen"]
    assert [_lang(a) for a in links] == ["en-GB", "en-GB"]
    for a in links:  # the title a screen reader hears after the label is Burmese
        hidden = a.find("span", class_="visually-hidden")
        title = hidden.find_all("span")[1]
        assert squash(hidden.text) == f": {doc.title}" and _lang(hidden) == "en-GB"
        assert squash(title.text) == doc.title and _lang(title) == "my"
    assert [_lang(c) for c in index.find_all("article", class_="briefing-card")[1:]] == \
        ["en-GB"] * 4

    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.attrib[xml_lang] == "en-GB"
    entry = feed.find(f"{atom}entry")
    assert entry.find(f"{atom}title").text == doc.title and entry.attrib[xml_lang] == "my"
    enclosure = entry.find(f"{atom}link[@rel='enclosure']")
    assert (enclosure.attrib["title"], enclosure.attrib[xml_lang]) == ("PDF for screen", "en-GB")
    assert all(e.attrib[xml_lang] == "en-GB" and
               e.find(f"{atom}link[@rel='enclosure']").attrib.get(xml_lang) is None
               for e in feed.findall(f"{atom}entry")[1:])
