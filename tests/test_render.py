"""The rendered PDFs themselves: text, links, fonts, outline, metadata, margins, bytes."""

from __future__ import annotations

import hashlib
import re
import shutil
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


def test_a_pdf_does_not_depend_on_what_the_process_rendered_before(full: Path) -> None:
    """Words and lines are kept per process and shared between briefings (a statement or a
    source comes back in many). A briefing's bytes must be the same whatever was rendered
    before it: in order, in reverse, interleaved with the print profile (CMYK colours, equal
    text), and with nothing kept."""
    import briefgen
    from briefgen.render import renderer
    from briefgen.render.pdf import textblock

    ws = briefgen.open_workspace(full)
    docs = [ws.document(bid) for bid in ws.ids]
    pdf = renderer("pdf")

    def render(doc, profile: str = "screen") -> bytes:
        return pdf.render(doc, ws.brands[doc.brand], profile)

    def forget() -> None:
        textblock._WORDS_CACHE.clear()
        textblock._LINES_CACHE.clear()

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
    assert ("briefings/demo.yaml:8:9: sections[0].paragraphs[0]: the fonts lato-text regular "
            "have no glyphs for '☃' (U+2603 SNOWMAN), '☂' (U+2602 UMBRELLA); replace "
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
