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


@pytest.mark.parametrize("kind", ["stranded", "quotes", "markers", "runt", "url"])
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
    pdf = tmp_path / "x.pdf"
    SimpleDocTemplate(str(pdf), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                      topMargin=22 * mm, bottomMargin=24 * mm).build(story)
    report = check_pdf(pdf, Sheet.load(SHEET))
    expected = {"stranded": "stranded_headings", "quotes": "straight_quotes",
                "markers": "descending_markers", "runt": "runts",
                "url": "url_hyphen_breaks"}[kind]
    assert report.counts[expected] >= 1, (report.counts, report.examples)
