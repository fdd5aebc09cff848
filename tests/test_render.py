"""The rendered PDFs themselves: text, links, fonts, outline, metadata, margins, bytes."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from pdfcheck import fonts, link_uris, split_entries, word_boxes
from test_content import APPENDIX_URLS, SEED_ORDER, SEED_URLS

MM = 72 / 25.4


@pytest.fixture
def built(full: Path, cli) -> Path:
    code, out, err = cli("build", "--root", str(full))
    assert code == 0, out + err
    return full


def test_military_cooperation_pdf(built: Path) -> None:
    reader = PdfReader(built / "dist/military-cooperation.pdf")
    text = "\n".join(p.extract_text() for p in reader.pages)
    # the 13 countries, numbered, in the seed's order
    numbered = re.findall(r"^(\d+)\. (.+)$", text, re.M)
    assert numbered == [(str(n), name) for n, name in enumerate(SEED_ORDER, 1)]
    uris = [u for _, u, _ in link_uris(reader)]
    for url in SEED_URLS + APPENDIX_URLS:
        assert url in uris, url
    for needle in ("110 The Bon Marche Centre", "241-251 Ferndale Road", "London SW9 8BJ",
                   "info@burmacampaign.org.uk", "020 3095 1991"):
        assert needle in text
    assert len(reader.pages) == 3  # "More information" follows the closing blocks (issue 14)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert "The Burmese military and violations of international law" in titles
    assert "More information" in titles
    nested = next(o for o in reader.outline if isinstance(o, list))
    assert [o.title for o in nested[:2]] == ["1. Australia", "2. Japan"]
    meta = reader.metadata
    assert meta.title.startswith("13 countries involved")
    assert meta.author == "Burma Campaign UK"
    assert meta["/Creator"].startswith("briefgen ")
    assert "military-cooperation" in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:20261123")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_every_font_is_embedded(built: Path) -> None:
    for pdf in sorted((built / "dist").glob("*.pdf")):
        used = fonts(PdfReader(pdf))
        assert used and all(used.values()), (pdf.name, used)
        assert not any("Helvetica" in name for name in used)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_lists_only_embedded(built: Path) -> None:
    import subprocess
    out = subprocess.run(["pdffonts", str(built / "dist/military-cooperation.pdf")],
                         capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), out


def test_links_stay_inside_the_margins(built: Path) -> None:
    for pdf in sorted((built / "dist").glob("*.pdf")):
        reader = PdfReader(pdf)
        width = float(reader.pages[0].mediabox.width)
        for _, uri, rect in link_uris(reader):
            assert rect[0] >= 20 * MM - 1 and rect[2] <= width - 20 * MM + 1, (pdf.name, uri)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_no_glyph_outside_the_margins(built: Path) -> None:
    for pdf in sorted((built / "dist").glob("*.pdf")):
        width = float(PdfReader(pdf).pages[0].mediabox.width)
        for page, x0, _, x1, _, word in word_boxes(pdf):
            assert x0 >= 20 * MM - 1 and x1 <= width - 20 * MM + 1, (pdf.name, page, word)


def test_builds_are_byte_identical(built: Path, cli) -> None:
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (built / "dist").glob("*.pdf")}
    code, _, _ = cli("build", "--root", str(built), "--force")
    assert code == 0
    second = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (built / "dist").glob("*.pdf")}
    assert first == second and len(first) == 4


def test_sheets_that_built_before_the_geometry_check_still_pass(mini: Path, cli) -> None:
    """The geometry check must not refuse what built before it (found by review): a Letter
    page with half-inch margins, a 10 mm top margin, no bleed for a brand never printed. A
    size too small to be text is refused, not divided by."""
    from conftest import replace_once

    sheet = mini / "styles/default.yaml"
    replace_once(sheet, "  size: A4", "  size: Letter")
    replace_once(sheet, "{top: 22, bottom: 24, left: 20, right: 20}",
                 "{top: 10, bottom: 12.7, left: 12.7, right: 12.7}")
    replace_once(sheet, "  bleed: 3", "  bleed: 0")
    assert cli("check", "--root", str(mini))[0] == 0
    assert cli("build", "--root", str(mini), "--format", "pdf")[0] == 0
    line = replace_once(sheet, "  body:     {size: 10,", "  body:     {size: 5e-324,")
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 1 and \
        f"styles/default.yaml:{line}:20: sizes.body.size: 5e-324 is too small: at least 1\n" in out


def test_source_date_epoch_changes_no_byte(built: Path, cli, monkeypatch) -> None:
    """ReportLab seeds a file's /ID with SOURCE_DATE_EPOCH when it is set (build systems
    set it): a PDF built under it differed from the same PDF built without, and a PDF
    rebuilt during a publish could then not match the one built before."""
    first = {p.name: p.read_bytes() for p in (built / "dist").glob("*.pdf")}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert cli("build", "--root", str(built), "--force", "--jobs", "1")[0] == 0
    assert {p.name: p.read_bytes() for p in (built / "dist").glob("*.pdf")} == first


def test_a_pdf_does_not_depend_on_what_the_process_rendered_before(full: Path) -> None:
    """Words and lines are kept per process and shared between briefings (a statement or a
    source comes back in many). A briefing's bytes must be the same whatever was rendered
    before it: in order, in reverse, interleaved with the print profile (CMYK colours, equal
    text), and with nothing kept."""
    import briefgen
    from briefgen.render import renderer
    from briefgen.render.pdf import lines

    ws = briefgen.open_workspace(full)
    docs = [ws.document(bid) for bid in ws.ids]
    pdf = renderer("pdf")

    def render(doc, profile: str = "screen") -> bytes:
        return pdf.render(doc, ws.brands[doc.brand], profile)

    def forget() -> None:
        lines._WORDS_CACHE.clear()
        lines._LINES_CACHE.clear()

    in_order = {d.id: render(d) for d in docs}
    reverse, printed = {}, {}
    for d in reversed(docs):
        printed[d.id] = render(d, "print")
        reverse[d.id] = render(d)
    alone = {}
    for d in docs:
        forget()
        alone[d.id] = render(d)
    forget()
    assert len(docs) == 4 and in_order == reverse == alone
    assert {d.id: render(d, "print") for d in docs} == printed
    assert all(printed[k] != in_order[k] for k in printed)


def test_markup_in_content_prints_literally(mini: Path, cli) -> None:
    spec = mini / "briefings/demo.yaml"
    spec.write_text(spec.read_text().replace(
        "Text with a footnote.", r"AT&T <b>bold?</b> <script>x</script> ]]> \*stars\*"))
    code, out, err = cli("build", "--root", str(mini))
    assert code == 0, out + err
    text = "".join(p.extract_text() for p in PdfReader(mini / "dist/demo.pdf").pages)
    assert "AT&T <b>bold?</b> <script>x</script> ]]> *stars*" in text


ADDRESSES = ("https://www.burmacampaign.org.uk/useful-resources/un-general-assembly-"
             "resolutions-on-burma/", "press-office@burma-campaign-uk.example.org")


def test_addresses_written_out_break_by_the_book(mini: Path, cli) -> None:
    """A web or e-mail address written out in running text (not a link) is never broken
    after one of its own hyphens, nor hyphenated: it breaks where Chicago 14.18 allows
    (before the hyphen, after a slash...), with nothing added. Checked over paragraphs that
    put the address at every place in a line."""
    from briefgen.render.pdf.lines import url_points

    url, email = ADDRESSES
    paragraphs = "".join(f'      - "Listed {"word " * k}at {url} and by {email} in London, '
                         f'which keeps the full record."\n' for k in range(0, 40))
    spec = mini / "briefings/demo.yaml"
    spec.write_text(spec.read_text().replace(
        "      - Text with a footnote.[^abc-2021]\n", paragraphs), encoding="utf-8")
    code, out, err = cli("build", "--root", str(mini), "--format", "pdf")
    assert code == 0, out + err
    reader = PdfReader(mini / "dist/demo.pdf")
    lines = [ln for p in reader.pages for ln in p.extract_text().splitlines()]
    broken = dict.fromkeys(ADDRESSES, 0)
    whole = dict.fromkeys(ADDRESSES, 0)
    for line, after in itertools.pairwise([*lines, ""]):
        for address in ADDRESSES:
            whole[address] += line.count(address)
            head = line.split(" ")[-1]
            if head and head != address and address.startswith(head):
                assert not head.endswith("-"), (line, after)
                assert after.startswith(address[len(head):]), (line, after)
                assert len(head) in url_points(address), (line, after)
                broken[address] += 1
    assert broken[url] >= 5 and all(broken[a] + whole[a] == 40 for a in ADDRESSES), \
        (broken, whole)


def test_failed_spec_keeps_previous_pdf_and_builds_others(full: Path, cli) -> None:
    code, _, _ = cli("build", "--root", str(full))
    assert code == 0
    before = (full / "dist/defector-asylum.pdf").read_bytes()
    spec = full / "briefings/defector-asylum.yaml"
    spec.write_text(spec.read_text().replace("fact: myanmar.defections", "fact: myanmar.nope"))
    other = full / "briefings/russia-military-ties.yaml"
    other.write_text(other.read_text().replace("Diplomatic cover", "Cover at the UN"))
    code, out, err = cli("build", "--root", str(full))
    assert code == 1
    assert "briefings/defector-asylum.yaml:" in err and "unknown fact 'myanmar.nope'" in err
    assert (full / "dist/defector-asylum.pdf").read_bytes() == before
    assert "built russia-military-ties" in out
    assert "failed defector-asylum" in out
    assert not list((full / "dist").glob(".*.tmp"))


def test_missing_glyph_is_a_located_error(mini: Path, cli) -> None:
    spec = mini / "briefings/demo.yaml"
    spec.write_text(spec.read_text().replace("Text with a footnote.", "Text ☃ here ☂ ☃."))
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 1  # check knows before any rendering, and says it once per text
    assert ("briefings/demo.yaml:8:9: sections[0].paragraphs[0]: the font lato-text regular "
            "has no glyphs for '☃' (U+2603 SNOWMAN), '☂' (U+2602 UMBRELLA); replace "
            "those characters or use a font that has them") in out
    assert out.count("SNOWMAN") == 1
    code, _, err = cli("build", "--root", str(mini))
    assert code == 1 and "demo: not built; its previous PDF is kept" in err
    assert not (mini / "dist/demo.pdf").exists()


def test_missing_glyph_in_a_fact_is_reported_at_the_fact(mini: Path, cli) -> None:
    fact = mini / "briefings/facts/countries/russia.yaml"
    fact.write_text(fact.read_text().replace("statement: ", "statement: ☃ ", 1))
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 1
    assert "briefings/facts/countries/russia.yaml:" in out and "SNOWMAN" in out
    assert "facts[0].statement: the font lato-text regular has no glyph for '☃'" in out


def test_missing_glyph_in_a_fixed_text_is_reported_where_it_is_set(mini: Path, cli) -> None:
    """The strings file's texts and the brand's label are printed by every briefing: a
    character no font has was blamed at each briefing's title; it is said once, at the key
    that sets it, and every briefing still fails with it."""
    strings = mini / "styles/strings/en.yaml"
    strings.write_text(strings.read_text(encoding="utf-8").replace(
        "thank_you: Thank you", "thank_you: Thank you ☃"), encoding="utf-8")
    sheet = mini / "styles/default.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(
        "label: Briefing", "label: Briefing ☂"), encoding="utf-8")
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 1
    fonts = "the fonts lato-text bold, lato-text italic, lato-text regular have no glyph for"
    hint = "replace the character or use a font that has it"
    assert [line.strip() for line in out.splitlines() if "no glyph" in line] == [
        f"styles/default.yaml:45:8: label: {fonts} '☂' (U+2602 UMBRELLA); {hint}",
        f"styles/strings/en.yaml:16:12: thank_you: {fonts} '☃' (U+2603 SNOWMAN); {hint}"]
    code, _, err = cli("build", "--root", str(mini))
    assert code == 1 and "demo: not built; its previous PDF is kept" in err
    assert "styles/strings/en.yaml:16:12: thank_you:" in err
    assert not (mini / "dist/demo.pdf").exists()


def test_country_entries_are_never_split_across_pages(built: Path) -> None:
    checked, split = split_entries(built)
    assert split == []
    assert checked >= 15  # military-cooperation alone cites 15


def _flat_outline(items: list) -> list:
    out = []
    for item in items:
        out.extend(_flat_outline(item) if isinstance(item, list) else [item])
    return out


def test_outline_entries_point_at_the_page_that_shows_them(built: Path) -> None:
    checked = 0
    for pdf in sorted((built / "dist").glob("*.pdf")):
        reader = PdfReader(pdf)
        pages = [" ".join(p.extract_text().split()) for p in reader.pages]
        for item in _flat_outline(reader.outline):
            title = " ".join(item.title.split())
            shown_on = [i for i, text in enumerate(pages) if title in text]
            if shown_on:  # "About the publisher" is an anchor, not printed text
                assert reader.get_destination_page_number(item) in shown_on, (pdf.name, title)
                checked += 1
    assert checked > 40


def test_two_brands_with_same_named_font_files_keep_their_own_fonts(mini: Path, cli) -> None:
    # a second brand whose body font file has the stem of the default's but other glyphs
    (mini / "styles/alt").mkdir()
    shutil.copy(mini / "styles/fonts/LiberationMono-Regular.ttf",
                mini / "styles/alt/Lato-Regular.ttf")
    (mini / "styles/alt.yaml").write_text(
        "extends: default\nfonts:\n  families:\n    lato-text:\n"
        "      regular: alt/Lato-Regular.ttf\n      bold: fonts/Lato-Bold.ttf\n"
        "      italic: fonts/Lato-Italic.ttf\n      bold_italic: fonts/Lato-BoldItalic.ttf\n")
    spec = (mini / "briefings/demo.yaml").read_text()
    (mini / "briefings/other.yaml").write_text("brand: alt\n" + spec)
    code, out, err = cli("build", "--root", str(mini), "--jobs", "1")
    assert code == 0, out + err
    default = {n.split("+")[-1] for n in fonts(PdfReader(mini / "dist/demo.pdf"))}
    alt = {n.split("+")[-1] for n in fonts(PdfReader(mini / "dist/other.pdf"))}
    assert "Lato-Regular" in default and "LiberationMono" not in default
    assert "LiberationMono" in alt and "Lato-Regular" not in alt


def test_title_is_set_in_the_title_familys_bold(built: Path) -> None:
    # the default brand's title family (lato) has Lato Black as its bold; the text family
    # (lato-text) shares its regular file but has Lato Bold: each keeps its own bold, and
    # the shared regular face is embedded once
    reader = PdfReader(built / "dist/military-cooperation.pdf")
    used = {name.split("+")[-1] for name in fonts(reader)}
    assert {"Lato-Black", "Lato-Bold", "Lato-Regular"} <= used
    regular = {ref.idnum for page in reader.pages
               for ref in page["/Resources"].get_object()["/Font"].values()
               if str(ref.get_object()["/BaseFont"]).endswith("Lato-Regular")}
    assert len(regular) == 1, regular


# ---------------------------------------------------------------------- no room, bad fonts
def _briefgen(*args: str) -> subprocess.CompletedProcess:
    """``briefgen`` in a process of its own, bounded in time and memory: a layout that never
    ends fails the test instead of hanging it (or filling the machine's memory)."""

    import briefgen

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    env = {**os.environ, "PYTHONPATH": str(Path(briefgen.__file__).parents[1])}  # this code
    return subprocess.run([sys.executable, "-m", "briefgen.cli", *args], capture_output=True,
                          text=True, timeout=180, preexec_fn=limit, env=env)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


NO_ROOM = {
    "margins-past-the-page": ("left: 20, right: 20", "left: 150, right: 150", [
        "styles/default.yaml:7:40: page.margins.left: the left and right margins (150 + 150 "
        "mm) leave no text column at all on the 210 mm wide A4 page; it must be at least 60 "
        "mm wide (about 35 characters of 10 pt text a line): make left + right at most 150 "
        "mm"]),
    "narrow-column": ("left: 20, right: 20", "left: 97, right: 97", [
        "styles/default.yaml:7:40: page.margins.left: the left and right margins (97 + 97 mm) "
        "leave a text column only 16 mm wide on the 210 mm wide A4 page; it must be at least "
        "60 mm wide (about 35 characters of 10 pt text a line): make left + right at most "
        "150 mm"]),
    "huge-title": ("title:    {size: 23, leading: 27}", "title:    {size: 230, leading: 270}", [
        "styles/default.yaml:37:20: sizes.title.size: 230 pt text sets only about 4 "
        "characters a line in the 170 mm text column, and a title or heading needs room for "
        "at least 10: use a size of at most 96.3 pt, or narrower margins",
        "styles/default.yaml:37:34: sizes.title.leading: a leading of 270 pt fits only 2.6 "
        "lines in the 251 mm text area of the other pages; it must fit at least 5 (a "
        "paragraph of three lines is never split to leave one line alone, and a heading "
        "stays with two lines of what follows): use a smaller size and a leading of at most "
        "142.2 pt, or smaller top and bottom margins"]),
    "huge-body": ("body:     {size: 10, leading: 14}", "body:     {size: 100, leading: 140}", [
        "styles/default.yaml:41:20: sizes.body.size: 100 pt text sets only about 9 characters "
        "a line in the 170 mm text column, and running text needs room for at least 25: use "
        "a size of at most 38.5 pt, or narrower margins",
        "styles/default.yaml:41:34: sizes.body.leading: a leading of 140 pt fits only 5.1 "
        "lines in the 251 mm text area of the other pages; it must fit at least 12 (a request "
        "in the call-to-action panel is never split across pages): use a smaller size and a "
        "leading of at most 59.2 pt, or smaller top and bottom margins"]),
    "tall-margins": ("top: 22, bottom: 24", "top: 150, bottom: 140", [
        "styles/default.yaml:7:18: page.margins.top: the top and bottom margins (150 + 140 mm) "
        "leave 7 mm for text on the 297 mm high page; it needs at least 60 mm (room for a "
        "paragraph and the footnotes it cites): make top + bottom at most 237 mm"]),
    "band-past-the-page": ("band_height: 30", "band_height: 300", [
        "styles/default.yaml:44:14: band_height: a band 300 mm tall leaves no room for text "
        "on the first page (below the band and the 8 mm gap under it, above the 24 mm bottom "
        "margin); it needs at least 60 mm (room for a paragraph and the footnotes it cites): "
        "make the band at most 205 mm tall"]),
    "burmese-notes": ("      note:     {size: 7.5, leading: 13}",
                      "      note:     {size: 7.5, leading: 80}", [
        "styles/default.yaml:81:38: languages.my.sizes.note.leading: (in the sheet for "
        "language 'my') footnotes of 7.5 pt on 80 pt leading: a page holds only about 1044 "
        "characters of them (8 lines of 125); it must hold at least 1500 (three notes of up "
        "to 500 characters, cited on one line, are set at the foot of its page): use a "
        "leading of at most 55.7 pt, or a smaller size and leading, or a larger text area"]),
}


@pytest.mark.parametrize("case", NO_ROOM)
def test_a_page_without_room_for_text_is_refused_by_check(mini: Path, cli, case: str) -> None:
    # before: `check` passed these sheets, then `build` looped with its memory growing
    # (margins wider than the page) or stopped with exit 3 (ReportLab's LayoutError)
    old, new, expected = NO_ROOM[case]
    code, out, err = cli("build", "--root", str(mini))
    assert code == 0, out + err
    before = (mini / "dist/demo.pdf").read_bytes()
    _edit(mini / "styles/default.yaml", old, new)
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 1
    assert [line.strip() for line in out.splitlines()
            if line.startswith("  styles/default.yaml:")] == expected
    done = _briefgen("build", "--root", str(mini))  # ends, whatever the sheet says
    assert done.returncode == 1, done.stdout + done.stderr
    assert "demo: not built; its previous PDF is kept" in done.stderr
    assert expected[0] in done.stderr and "internal error" not in done.stderr
    assert (mini / "dist/demo.pdf").read_bytes() == before


def test_the_renderer_refuses_a_page_without_room_for_text(mini: Path) -> None:
    import copy

    from briefgen import open_workspace
    from briefgen.errors import RenderError
    from briefgen.render.pdf.document import render_pdf

    ws = open_workspace(mini)
    brand = ws.brand_of("demo")
    narrow = copy.copy(brand)  # as if check had not looked: a 20 mm column
    page = brand.sheet.page
    narrow.sheet = brand.sheet.model_copy(update={"page": page.model_copy(update={
        "margins": page.margins.model_copy(update={"left": 95, "right": 95})})})
    with pytest.raises(RenderError) as raised:
        render_pdf(ws.document("demo"), narrow)
    assert [str(d) for d in raised.value.diagnostics] == [
        "styles/default.yaml:7:40: page.margins.left: the left and right margins (95 + 95 mm) "
        "leave a text column only 20 mm wide on the 210 mm wide A4 page; it must be at least "
        "60 mm wide (about 35 characters of 10 pt text a line): make left + right at most "
        "150 mm"]


def test_notes_taller_than_a_page_are_an_error_at_the_text_that_cites_them(mini: Path,
                                                                           cli) -> None:
    # content no check can measure: one line citing 25 sources, whose notes need more than
    # a page. Before: exit 3 (ReportLab's LayoutError)
    code, out, err = cli("build", "--root", str(mini))
    assert code == 0, out + err
    before = (mini / "dist/demo.pdf").read_bytes()
    words = " ".join(["word"] * 79)
    with (mini / "briefings/facts/sources/news.yaml").open("a", encoding="utf-8") as f:
        for i in range(25):
            f.write(f"\nsrc-{i}:\n  title: {words}\n  publisher: Publisher {i}\n"
                    f"  url: https://example.org/{i}\n  published: 2021-06-01\n  kind: news\n")
    _edit(mini / "briefings/demo.yaml", "Text with a footnote.[^abc-2021]",
          "Text with a footnote." + "".join(f"[^src-{i}]" for i in range(25)))
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 0, out
    done = _briefgen("build", "--root", str(mini))
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("briefings/demo.yaml:8:9: sections[0].paragraphs[0]: this text and the 25 "
            "footnotes it cites must be on one page, and need more than the 251 mm a page has "
            "for text (page 3): cite fewer sources in one place, or shorten their titles, or "
            "use smaller text sizes or margins in styles/default.yaml") in done.stderr
    assert "demo: not built; its previous PDF is kept" in done.stderr
    assert "internal error" not in done.stderr
    assert (mini / "dist/demo.pdf").read_bytes() == before


def test_layout_stops_at_the_page_limit(full: Path, monkeypatch) -> None:
    from briefgen.incremental.builder import build_project
    from briefgen.render.pdf import pages

    monkeypatch.setattr(pages, "MAX_PAGES", 2)  # military-cooperation has three
    result = build_project(full, ["military-cooperation"], jobs=1)
    assert [f.id for f in result.failed] == ["military-cooperation"]
    assert [str(d) for d in result.failed[0].errors] == [
        "briefings/military-cooperation.yaml:4:1: this briefing runs past 2 pages, and laying "
        "it out stopped there: shorten it, or use smaller text sizes or margins in "
        "styles/default.yaml"]
    assert not (full / "dist/military-cooperation.pdf").exists()


def _damage_glyph(font: Path, char: str) -> None:
    """Overwrite the glyph record of ``char`` with 0xFF bytes (a composite glyph whose
    components name glyphs the font does not have)."""
    from fontTools.ttLib import TTFont

    f = TTFont(font)
    gid = f.getGlyphID(f.getBestCmap()[ord(char)])
    offset = f.reader.tables["glyf"].offset
    start, end = f["loca"][gid], f["loca"][gid + 1]
    data = bytearray(font.read_bytes())
    data[offset + start:offset + end] = b"\xff" * (end - start)
    font.write_bytes(bytes(data))


def test_a_font_with_a_damaged_glyph_is_refused_by_check(mini: Path, cli) -> None:
    # before: check passed, then build stopped with exit 3 (IndexError in ReportLab's
    # makeSubset)
    code, out, err = cli("build", "--root", str(mini))
    assert code == 0, out + err
    before = (mini / "dist/demo.pdf").read_bytes()
    _damage_glyph(mini / "styles/fonts/Lato-Regular.ttf", "e")
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 1
    damaged = ("'fonts/Lato-Regular.ttf': this font file is damaged (glyph 'e' cannot be "
               "read): replace it with a good copy")
    assert [line.strip() for line in out.splitlines()
            if line.startswith("  styles/default.yaml:")] == [
        f"styles/default.yaml:21:16: fonts.families.lato.regular: {damaged}",
        f"styles/default.yaml:26:16: fonts.families.lato-text.regular: {damaged}"]
    done = _briefgen("build", "--root", str(mini))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "demo: not built; its previous PDF is kept" in done.stderr
    assert "internal error" not in done.stderr
    assert (mini / "dist/demo.pdf").read_bytes() == before


def test_a_damaged_font_the_font_cache_vouched_for_fails_at_the_font(mini: Path, cli) -> None:
    # the renderer's own guard: dist/.briefgen/fonts.json says the damaged file is fine
    code, out, err = cli("build", "--root", str(mini))
    assert code == 0, out + err
    before = (mini / "dist/demo.pdf").read_bytes()
    font = mini / "styles/fonts/Lato-Regular.ttf"
    good = hashlib.sha256(font.read_bytes()).hexdigest()[:16]
    _damage_glyph(font, "e")
    bad = hashlib.sha256(font.read_bytes()).hexdigest()[:16]
    cache = mini / "dist/.briefgen/fonts.json"
    facts = json.loads(cache.read_text())
    facts["fonts"][bad] = facts["fonts"][good]
    cache.write_text(json.dumps(facts))
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 0, out
    done = _briefgen("build", "--root", str(mini), "--format", "pdf")
    assert done.returncode == 1, done.stdout + done.stderr
    assert ("demo: not built; its previous PDF is kept\n  styles/fonts/Lato-Regular.ttf\n"
            "    styles/fonts/Lato-Regular.ttf: this font file is damaged (glyph 'e' cannot be "
            "read): replace it with a good copy") in done.stderr
    assert "internal error" not in done.stderr
    assert (mini / "dist/demo.pdf").read_bytes() == before


def test_no_shipped_font_has_a_damaged_glyph() -> None:
    from reportlab.pdfbase.ttfonts import TTFontFile

    from briefgen.validate.fontfiles import damaged_glyphs

    fonts = sorted((Path(__file__).resolve().parents[1] / "styles/fonts").glob("*.ttf"))
    assert len(fonts) >= 11
    for path in fonts:
        assert damaged_glyphs(TTFontFile(str(path), validate=0), path.read_bytes()) == [], path
