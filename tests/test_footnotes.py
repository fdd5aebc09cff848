"""Stress: 45 notes, paragraphs straddling pages, references inside list items. Every note
must sit on the page of its marker, below all body text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from pdfcheck import pieces, split_entries

MM = 72 / 25.4
LEFT = 20 * MM
NOTE_SIZE = 7.5
WORDS = ["The", "junta's", "suppliers", "and", "trainers", "are", "named", "here", "with", "their", "sources", "so", "that", "readers", "can", "follow", "every", "claim", "back", "to", "the", "record", "that", "supports", "it"]


def sentence(i: int) -> str:
    start = (i * 7) % len(WORDS)
    return " ".join((WORDS * 2)[start:start + 14]).capitalize() + "."


@pytest.fixture
def stress(mini: Path) -> Path:
    facts = mini / "briefings/facts"
    sources = {f"src-{n:02d}": {"title": f"Report number {n}", "publisher": f"Publisher {n}",
                                "url": f"https://example.org/reports/{n}/"
                                       "a-long-path-with-many-words-to-force-breaking.html",
                                "published": "2025-01-01", "kind": "news"}
               for n in range(1, 46)}
    (facts / "sources/stress.yaml").write_text(yaml.safe_dump(sources))
    for c in range(12):
        (facts / f"countries/land-{c:02d}.yaml").write_text(yaml.safe_dump({
            "id": f"land-{c:02d}", "name": f"Land {c}", "facts": [{
                "id": "fact", "statement": " ".join(sentence(c + k) for k in range(3)),
                "topics": ["stress"], "as_of": "2025", "status": "current",
                "sources": [f"src-{(c * 3 + k) % 45 + 1:02d}" for k in range(2)]}]}))
    paragraphs = []
    n = 1
    for p in range(16):
        text = []
        for s in range(9):
            text.append(sentence(p * 9 + s))
            if s % 3 == 1:
                text[-1] += f"[^src-{n:02d}]"
                n = n % 45 + 1
        paragraphs.append(" ".join(text))
    spec = {"title": "Stress", "date": "2025-11-01", "sections": [
        {"heading": "Many notes", "paragraphs": paragraphs},
        {"heading": "Listed", "country_list": {"topics": ["stress"], "show": ["facts", "notes"]}},
        {"heading": "Again", "paragraphs": paragraphs[:4]}]}
    (mini / "briefings/stress.yaml").write_text(yaml.safe_dump(spec))
    return mini


def test_notes_share_the_page_of_their_markers(stress: Path, cli) -> None:
    code, out, err = cli("build", "--root", str(stress), "stress")
    assert code == 0, out + err
    reader = PdfReader(stress / "dist/stress.pdf")
    assert len(reader.pages) >= 4
    all_notes: set[int] = set()
    straddling = 0
    for number, page in enumerate(reader.pages, start=1):
        found = pieces(page)
        footer_y = 24 * MM - 1
        # note numbers are set in the note size (7.5 pt) at the margin; markers are
        # superscripts of body text (0.8 of 10 pt)
        notes = [p for p in found if p.text.isdigit() and abs(p.x - LEFT) < 0.5
                 and abs(p.size - NOTE_SIZE) < 0.05 and p.y > footer_y]
        markers = {int(t) for p in found if 7.6 < p.size < 9.5 and p.y > footer_y
                   for t in p.text.split(",") if t.strip().isdigit()}
        note_numbers = {int(p.text) for p in notes}
        assert markers <= note_numbers, (number, markers - note_numbers)
        assert note_numbers <= markers, (number, note_numbers - markers)
        if notes:
            top_note = max(p.y for p in notes)
            body = [p for p in found if p.y > top_note + 1]
            below = [p for p in found if p.y <= top_note + 1 and p.y > footer_y]
            assert body, number
            # body text ends above the notes: the lowest body line clears the first note line
            assert min(p.y for p in body) - top_note >= 8, number
            assert all(p.size <= 8 for p in below), (number, [p.text for p in below
                                                              if p.size > 8][:3])
        all_notes |= note_numbers
        # a paragraph straddles the page break when the last body line stops mid-sentence
        body_text = [p for p in found if p.size >= 9.5 and p.y > footer_y]
        if body_text and number < len(reader.pages):
            last_y = min(p.y for p in body_text)
            last = "".join(p.text for p in body_text if abs(p.y - last_y) < 0.5)
            if not last.rstrip().endswith("."):
                straddling += 1
    assert all_notes == set(range(1, 46))
    assert straddling >= 2


def test_entries_with_notes_stay_whole(mini: Path, cli) -> None:
    """Each entry's note takes room at the page foot: the entry must still fit whole."""
    facts = mini / "briefings/facts"
    (facts / "sources/many.yaml").write_text(yaml.safe_dump({
        f"rep-{n:02d}": {"publisher": f"Publisher {n}", "title": f"Report {n}",
                         "url": f"https://example.org/reports/{n}/a-report-with-a-long-name",
                         "published": "2025-06-01", "kind": "news"} for n in range(40)}))
    for c in range(40):
        (facts / f"countries/nation-{c:02d}.yaml").write_text(yaml.safe_dump({
            "id": f"nation-{c:02d}", "name": f"Nation {c}", "facts": [{
                "id": "tie", "statement": f"Nation {c} has a documented tie with the military.",
                "topics": ["ties"], "as_of": "2025", "status": "current",
                "sources": [f"rep-{c:02d}"]}]}))
    (mini / "briefings/entries.yaml").write_text(yaml.safe_dump({
        "title": "Entries", "date": "2025-11-01", "sections": [{
            "heading": "Countries", "country_list": {
                "topics": ["ties"], "show": ["facts", "notes", "sources"]}}]}))
    code, out, err = cli("build", "--root", str(mini))
    assert code == 0, out + err
    assert len(PdfReader(mini / "dist/entries.pdf").pages) >= 3
    checked, split = split_entries(mini)
    assert split == [] and checked >= 40


@pytest.mark.parametrize("before", [1, 2, 3, 4, 5])
def test_an_entry_taller_than_a_page_starts_where_it_stands(stress: Path, cli,
                                                            before: int) -> None:
    """A country entry that no page can hold (a long fact citing 12 sources, with its notes
    and sources shown) is split where it stands: its heading is not left alone on a page,
    and no page is left nearly empty before it (it was moved whole to the next page, to be
    split there anyway)."""
    from conftest import REPO
    from layoutcheck import KINDS, check_pdfs

    facts = stress / "briefings/facts"
    (facts / "countries/longland.yaml").write_text(yaml.safe_dump({
        "id": "longland", "name": "Longland", "facts": [{
            "id": "long", "statement": " ".join(sentence(k) for k in range(60)),
            "topics": ["long"], "as_of": "2025", "status": "current",
            "sources": [f"src-{n:02d}" for n in range(1, 13)]}]}))
    paragraphs = [" ".join(sentence(p * 9 + s) for s in range(9)) for p in range(before)]
    spec = {"title": "Long entry", "date": "2025-11-01", "sections": [
        {"heading": "Before", "paragraphs": paragraphs},
        {"heading": "Listed", "country_list": {"topics": ["long"],
                                               "show": ["facts", "notes", "sources"]}}]}
    (stress / "briefings/long.yaml").write_text(yaml.safe_dump(spec))
    code, out, err = cli("build", "--root", str(stress), "--format", "pdf", "long")
    assert code == 0, out + err
    report = check_pdfs([stress / "dist/long.pdf"], REPO / "styles/default.yaml")[0]
    assert report.counts == dict.fromkeys(KINDS, 0), report.examples
    texts = [p.extract_text() for p in PdfReader(stress / "dist/long.pdf").pages]
    listed = next(i for i, t in enumerate(texts) if "\nListed\n" in t)
    assert "1. Longland" in texts[listed]
    assert "The junta’s suppliers" in texts[listed].split("1. Longland")[1]
