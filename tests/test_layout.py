"""The layout checker (tests/layoutcheck.py) over every briefing we ship and a synthetic
corpus: no stranded headings, near-empty last pages, descending markers, straight quotes,
runts, glyphs past the margins or URLs broken after their own hyphens.

The corpus is the benchmark's generator (benchmarks/synthetic.py: make_project): 20
briefings by default, built in one run with two workers, screen and print; set
``LAYOUT_CORPUS=100`` for the full 100 (about a minute and a half on the development
machine)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import briefgen
from conftest import REPO
from layoutcheck import KINDS, check_pdfs, summary

SHEET = REPO / "styles/default.yaml"
MM = 72 / 25.4


def _check(root: Path, ids: list[str]) -> dict[str, int]:
    pdfs = [root / "dist" / f"{bid}.pdf" for bid in ids]
    pdfs += [root / "dist/print" / f"{bid}.pdf" for bid in ids]
    reports = check_pdfs(pdfs, SHEET)
    total = summary(reports)
    assert total == dict.fromkeys(KINDS, 0), [e for r in reports for e in r.examples][:20]
    return total


def _build(root: Path, ids: list[str] | None = None) -> list[str]:
    results = briefgen.build_profiles(root, ids, force=True, jobs=2,
                                      profiles=("screen", "print"))
    built = []
    for result in results.values():
        assert result.ok, [str(d) for f in result.failed for d in f.errors]
        built = sorted(result.built)
    return built


def test_fixture_briefings_pass_the_layout_check(full: Path) -> None:
    ids = _build(full)
    assert len(ids) == 4
    _check(full, ids)


def test_shipped_briefings_pass_the_layout_check(tmp_path: Path) -> None:
    # whatever briefings/ holds: the check counts defects, never briefings
    root = tmp_path / "shipped"
    shutil.copytree(REPO / "briefings", root / "briefings")
    shutil.copytree(REPO / "styles", root / "styles")
    ids = _build(root)
    assert ids
    _check(root, ids)


def test_synthetic_corpus_passes_the_layout_check(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from synthetic import make_project
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    count = int(os.environ.get("LAYOUT_CORPUS", "20"))
    make_project(tmp_path, count)
    ids = sorted(p.stem for p in (tmp_path / "briefings").glob("*.yaml"))
    built = _build(tmp_path, ids)
    assert built == ids
    _check(tmp_path, ids)


@pytest.mark.parametrize("kind", ["stranded", "quotes", "markers", "runt", "url", "margin",
                                  "overprint"])
def test_the_checker_finds_each_defect(tmp_path: Path, kind: str) -> None:
    """The checker is not blind: each defect, made on purpose with ReportLab's own
    Paragraph (no briefgen layout code), is counted."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from layoutcheck import Sheet, check_pdf

    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=14)
    head = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=12.5, leading=16)
    small = ParagraphStyle("s", fontName="Helvetica", fontSize=8, leading=10.5)
    words = "The military junta has committed grave crimes against civilians in Burma. "
    story: list = [Paragraph(words * 3, body)]
    if kind == "stranded":
        story = [Spacer(0, 654), Paragraph(words, body),  # leaves room for one more line
                 Paragraph("A heading at the page foot", head), Paragraph(words * 8, body)]
    elif kind == "quotes":
        story = [Paragraph("The junta's \"terrorists\" claim. " * 3, body)]
    elif kind == "markers":
        story = [Paragraph(words + "Done.<super>2,1</super>", body)]
    elif kind == "runt":
        story = [Paragraph(words * 3 + "<br/>Burma.", body)]
    elif kind == "url":
        story = [Paragraph('<a href="https://example.org/a-b-c">https://example.org/a-b-</a>'
                           '<br/><a href="https://example.org/a-b-c">c</a>', small)]
    if kind != "stranded":
        story.insert(0, Spacer(0, 60))  # below the first page's brand band

    def decorate(canv, doc) -> None:
        canv.setFont("Helvetica", 8)
        if kind == "margin":  # a running header past the right margin
            canv.drawString(20 * mm, A4[1] - 16 * mm, "A running header " * 8)
        elif kind == "overprint":  # a tagline over the date in the band
            canv.drawString(40 * mm, A4[1] - 18 * mm, "for human rights and democracy " * 3)
            canv.drawRightString(A4[0] - 20 * mm, A4[1] - 19 * mm, "Facts as of March 2022")

    pdf = tmp_path / "x.pdf"
    SimpleDocTemplate(str(pdf), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=22 * mm, bottomMargin=24 * mm).build(story, onFirstPage=decorate)
    report = check_pdf(pdf, Sheet.load(SHEET))
    expected = {"stranded": "stranded_headings", "quotes": "straight_quotes",
                "markers": "descending_markers", "runt": "runts",
                "url": "url_hyphen_breaks", "margin": "margin_crossings",
                "overprint": "overprints"}[kind]
    assert report.counts[expected] >= 1, (report.counts, report.examples)


# ---------------------------------------------------------------------- page decoration
LONG_TITLE = ("Protection for soldiers who leave the Myanmar military: why Australia’s "
              "decision to accept defectors matters, and what other governments in the region "
              "and beyond should now do")
LONG_TAGLINE = ("for Human Rights, Democracy & Development in Burma, campaigning since 1991 "
                "from London and Bangkok")


def _decorated(root: Path, title: str = LONG_TITLE, tagline: str = LONG_TAGLINE) -> Path:
    """defector-asylum with no short title (the header falls back to the title), a long
    title, a long tagline, and the title in the footer too."""
    spec = root / "briefings/defector-asylum.yaml"
    text = spec.read_text(encoding="utf-8")
    text = text.replace("short_title: Asylum for military defectors\n", "")
    spec.write_text(text.replace('title: "Protection for soldiers who leave the Myanmar '
                                 'military"', f'title: "{title}"'), encoding="utf-8")
    pub = root / "briefings/facts/publisher.yaml"
    pub.write_text(pub.read_text(encoding="utf-8").replace(
        "tagline: for Human Rights, Democracy & Development in Burma", f"tagline: {tagline}"),
        encoding="utf-8")
    sheet = root / "styles/default.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(
        'footer: "Published by {publisher}"', 'footer: "Published by {publisher}: {title}"'),
        encoding="utf-8")
    return root


def test_a_long_header_footer_and_tagline_stay_in_their_room(full: Path, cli) -> None:
    """The running header and the footer are cut to the column with "…"; the tagline wraps
    beside the date block: no glyph past the margins, none over another."""
    from pypdf import PdfReader

    from pdfcheck import pieces

    _decorated(full)
    code, out, err = cli("build", "--root", str(full), "--format", "pdf", "--profile", "all",
                         "defector-asylum")
    assert code == 0, out + err
    for pdf in (full / "dist/defector-asylum.pdf", full / "dist/print/defector-asylum.pdf"):
        report = check_pdfs([pdf], SHEET)[0]
        assert report.counts == dict.fromkeys(KINDS, 0), report.examples
    reader = PdfReader(full / "dist/defector-asylum.pdf")
    h = float(reader.pages[0].mediabox.height)
    total = len(reader.pages)
    assert total >= 2
    for n, page in enumerate(reader.pages, start=1):
        found = pieces(page)
        footer = [p.text for p in found if p.y < 20 * MM]
        assert footer == ["Published by Burma Campaign UK: Protection for soldiers who leave "
                          "the Myanmar military: why Australia’s decision to accept…",
                          f"Page {n} of {total}"]
        if n > 1:
            header = [p.text for p in found if p.y > h - 22 * MM]
            assert header == ["Protection for soldiers who leave the Myanmar military: why "
                              "Australia’s decision to accept defectors matters, and what "
                              "other…"]
    band = [p for p in pieces(reader.pages[0]) if p.y > h - 30 * MM]
    tagline = [p for p in band if abs(p.size - 8) < 0.05 and p.x < 100 * MM]
    assert " ".join(p.text for p in tagline) == LONG_TAGLINE
    assert len(tagline) == 2
    date = next(p for p in band if p.text.startswith("Facts as of"))
    assert max(p.y for p in tagline) > date.y  # beside it, not over it (see the check)


def test_a_tagline_of_the_longest_kind_is_set_smaller(full: Path, cli) -> None:
    tagline = ("for Human Rights, Democracy & Development in Burma " * 8).strip()[:400]
    _decorated(full, tagline=tagline)
    code, out, err = cli("build", "--root", str(full), "--format", "pdf", "defector-asylum")
    assert code == 0, out + err
    report = check_pdfs([full / "dist/defector-asylum.pdf"], SHEET)[0]
    assert report.counts == dict.fromkeys(KINDS, 0), report.examples


def test_a_band_that_cannot_hold_the_publisher_is_an_error_at_the_tagline(full: Path,
                                                                         cli) -> None:
    tagline = ("for Human Rights, Democracy & Development in Burma " * 8).strip()[:400]
    _decorated(full, tagline=tagline)
    pub = full / "briefings/facts/publisher.yaml"
    pub.write_text(pub.read_text(encoding="utf-8").replace(
        "name: Burma Campaign UK", "name: " + ("Burma Campaign United Kingdom " * 14)[:400]
        .strip()), encoding="utf-8")
    code, _, err = cli("build", "--root", str(full), "--format", "pdf", "defector-asylum")
    assert code == 1
    assert ("briefings/facts/publisher.yaml:4:10: tagline: the publisher's tagline does not "
            "fit in the band beside the date, even in smaller type: shorten it, or make the "
            "band taller (band_height) in styles/default.yaml") in err
    assert not (full / "dist/defector-asylum.pdf").exists()


def test_footer_keeps_the_page_number_and_the_draft_label_whole() -> None:
    from briefgen.render.pdf.decoration import fit_line, footer_texts
    from briefgen.render.pdf.fonts import register_font
    from briefgen.render.pdf.shaping import line_width

    font = register_font(REPO / "styles/fonts/Lato-Regular.ttf")
    bold = register_font(REPO / "styles/fonts/Lato-Bold.ttf")
    footer, draft = footer_texts("Published by " + "Burma Campaign UK " * 10, "Page 2 of 3",
                                 "Draft translation", font, bold, 7.5, 170 * MM)
    assert draft == "Draft translation"
    assert footer.startswith("Published by Burma Campaign UK") and footer.endswith(" Burma…")
    used = sum(line_width(t, f, 7.5) for t, f in ((footer, font), (draft, bold),
                                                   ("Page 2 of 3", font)))
    assert used + 3 * 4 * MM <= 170 * MM
    short = footer_texts("Published by Burma Campaign UK", "Page 2 of 3", None, font, bold,
                         7.5, 170 * MM)
    assert short == ("Published by Burma Campaign UK", None)
    assert fit_line("Burma", font, 7.5, 1.0) == ""  # no room even for the ellipsis


def test_a_burmese_tagline_on_two_lines_does_not_overprint_itself(full: Path, cli) -> None:
    """The band spaced wrapped lines for Latin letters: a Burmese tagline on two lines had
    its stacked vowel signs over the line below (found by reviewing the band fitting)."""
    spec = full / "briefings/military-cooperation.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "language: en-GB\n", "language: en-GB\nlanguages: [en-GB, my]\n", 1), encoding="utf-8")
    path = full / "briefings/translations/my/facts/publisher.yaml"
    text = path.read_text(encoding="utf-8")
    tagline = "မြန်မာနိုင်ငံတွင် လူ့အခွင့်အရေး၊ ဒီမိုကရေစီနှင့် ဖွံ့ဖြိုးတိုးတက်မှုအတွက်"
    path.write_text(text.replace(f'text: "{tagline}"', f'text: "{tagline} {tagline}"'),
                    encoding="utf-8")
    code, out, err = cli("build", "--root", str(full), "--format", "pdf",
                         "military-cooperation.my")
    assert code == 0, out + err
    report = check_pdfs([full / "dist/military-cooperation.my.pdf"], SHEET)[0]
    assert report.counts == dict.fromkeys(KINDS, 0), report.examples
