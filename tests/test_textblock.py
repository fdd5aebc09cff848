"""Our text blocks: line breaking, splitting between pages, the ASCII encoding shortcut."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.colors import black
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfbase.pdfmetrics import getFont

from briefgen.render.pdf.fonts import register_brand_fonts
from briefgen.render.pdf.textblock import Face, Run, TextBlock, _ascii_identity, text_width

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def font() -> str:
    from conftest import default_brand

    fonts = register_brand_fonts(default_brand())
    return fonts["body"]


def style(font: str) -> ParagraphStyle:
    return ParagraphStyle("t", fontName=font, fontSize=10, leading=14, textColor=black)


WORD = st.text(alphabet=string.ascii_letters + "éß,.'", min_size=1, max_size=14)


@settings(max_examples=80, deadline=None)
@given(words=st.lists(WORD, min_size=1, max_size=60), width=st.integers(40, 400))
def test_lines_fit_and_keep_every_word_in_order(font: str, words: list[str], width: int) -> None:
    face = Face(font, 10, black)
    block = TextBlock([Run(" ".join(words), face)], style(font))
    lines = block.lines(width)
    got = []
    for line in lines:
        texts = ["".join(p.text for p in w.pieces) for w in line.words]
        drawn = " ".join(texts)
        assert text_width(drawn, font, 10) <= width + 1e-6, drawn
        got.extend(texts)
    # a word wider than the line is cut into parts on lines of their own
    assert "".join(got) == "".join(words)


def test_a_block_with_no_room_for_a_line_is_a_layout_error(font: str) -> None:
    # never lines of no width (every character on a line of its own, page after page)
    from reportlab.platypus.doctemplate import LayoutError

    block = TextBlock([Run("Some text", Face(font, 10, black))], style(font))
    with pytest.raises(LayoutError, match="no room for text"):
        block.lines(0)
    indented = ParagraphStyle("i", parent=style(font), leftIndent=30)
    with pytest.raises(LayoutError, match="no room for text"):
        TextBlock([Run("Some text", Face(font, 10, black))], indented).lines(25)
    assert len(block.lines(30)) == 2  # a narrow line still works


def test_forced_breaks_and_whitespace(font: str) -> None:
    face = Face(font, 10, black)
    runs = [Run("  one\t two \n", face), Run("", face, br=True), Run("three", face)]
    lines = TextBlock(runs, style(font)).lines(500)
    assert [[p.text for w in line.words for p in w.pieces] for line in lines] == [
        ["one", "two"], ["three"]]


def test_split_keeps_notes_with_their_lines_and_no_lone_lines(font: str) -> None:
    from briefgen.render.pdf.footnotes import FootnoteState

    face = Face(font, 10, black)
    note_face = Face(font, 8, black, rise=5)
    state = FootnoteState({}, 400, black)
    runs = []
    for i in range(1, 9):
        runs += [Run("word " * 12, face), Run(str(i), note_face, note=i)]
    block = TextBlock(runs, style(font), state=state)
    state.notes = {i: TextBlock([Run(f"Note {i}", face)], style(font)) for i in range(1, 9)}
    lines = block.lines(300)
    total = len(lines)
    assert total >= 6
    head, tail = block.split(300, 14 * 5)
    head_lines, tail_lines = head.lines(300), tail.lines(300)
    assert len(head_lines) + len(tail_lines) == total
    assert len(head_lines) >= 2 and len(tail_lines) >= 2
    head_notes = [n for line in head_lines for n in line.notes]
    # the head's height plus its notes fits the space it was given
    assert len(head_lines) * 14 + state.extra_height(head_notes) <= 14 * 5
    assert head_notes + [n for line in tail_lines for n in line.notes] == list(range(1, 9))
    assert block.split(300, 14 * 1.5) == []  # one line would be an orphan


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40))
def test_ascii_shortcut_matches_reportlab(font: str, text: str) -> None:
    ttf = getFont(font)
    assert _ascii_identity(ttf)
    doc = PDFDocument()
    expected = ttf.splitString(text, doc)
    assert expected in ([(0, text.encode("ascii"))], [])


def test_layout_caches_share_equal_text_and_stay_bounded(font: str, monkeypatch) -> None:
    from briefgen.render.pdf import lines
    from briefgen.render.pdf.runs import Faces

    monkeypatch.setattr(lines, "MAX_HELD", 50)
    monkeypatch.setattr(lines, "_HELD", 0)
    lines._WORDS_CACHE.clear()
    lines._LINES_CACHE.clear()
    # two documents' faces for the same style are one object: equal text is laid out once
    first, second = (Faces(font, black).face(style(font), bold=True) for _ in range(2))
    assert first is second
    a = TextBlock([Run("the same statement in two briefings", first)], style(font))
    b = TextBlock([Run("the same statement in two briefings", second)], style(font))
    assert a.lines(200) is b.lines(200)
    for n in range(40):  # far more than 50 words: the caches are emptied, never overfilled
        block = TextBlock([Run(f"block {n} has five words", first)], style(font))
        assert [[p.text for w in line.words for p in w.pieces] for line in block.lines(400)] == [
            ["block", str(n), "has", "five", "words"]]
        held = sum(len(words) for _, words in lines._WORDS_CACHE.values())
        assert held <= 50 + 5


def test_the_words_cache_key_holds_every_field_of_a_run() -> None:
    """``words_of`` keys a run list by each run's fields; a field added to Run and left out
    of the key would let two different run lists share their words."""
    import dataclasses
    import inspect

    from briefgen.render.pdf import lines

    names = [f.name for f in dataclasses.fields(Run)]
    assert names == ["text", "face", "href", "note", "br", "nohyph", "nobreak", "url"]
    source = inspect.getsource(lines.words_of)
    assert "(r.text, id(r.face), r.href, r.note, r.br, r.nohyph, r.nobreak, r.url)" in source


@pytest.mark.parametrize("mode", ["greedy", "optimal"])
def test_an_address_written_out_breaks_only_where_the_book_allows(font: str, mode: str
                                                                  ) -> None:
    """In narrow columns a written-out e-mail or web address (text, not a link) is broken
    before its hyphens, dots and @, or after its slashes, never after its own hyphen, with
    nothing added; the words around it are still hyphenated."""
    from briefgen.render.pdf.linebreak import hyphenator
    from briefgen.render.pdf.lines import url_points
    from briefgen.render.pdf.runs import Faces, Text

    s = style(font)
    s.breaking, s.hyphenate, s.justify = mode, True, False
    addresses = ["press-office@burma-campaign-uk.example.org",
                 "https://www.example.org/un-general-assembly-resolutions-on-burma/"]
    text = ("Write to the international campaign at " + addresses[0] + " or read "
            "the extraordinary resolutions at " + addresses[1] + " (in English).")
    runs = Text(Faces(font, black), s).add(text).runs
    assert [r.text for r in runs if r.url] == addresses
    cuts = {a: 0 for a in addresses}
    for width in range(60, 260, 4):
        block = TextBlock(runs, s, hyphenator=hyphenator("en-GB"))
        lines = ["".join((" " if k and w.space and not w.joined else "") +
                         "".join(p.text for p in w.pieces) for k, w in enumerate(ln.words))
                 for ln in block.lines(width)]
        joined = "\n".join(lines)
        for a in addresses:
            if a in joined:
                continue
            # the address runs over a line end: the break is one of its own
            head = next(ln.split(" ")[-1] for ln in lines if a.startswith(ln.split(" ")[-1])
                        and ln.split(" ")[-1])
            assert len(head) in url_points(a) and not head.endswith("-"), (width, lines)
            cuts[a] += 1
    assert all(cuts.values()), cuts


def test_a_heading_taller_than_the_room_left_moves_whole(font: str, tmp_path: Path) -> None:
    """A heading of several lines with less room left than its height is never split across
    pages (its first lines at one page's foot, the rest at the next's top): it moves whole.
    At the top of a page it stays, as there is nowhere better to go."""
    from pypdf import PdfReader
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from briefgen.render.pdf.keep import HeadingBlock

    face = Face(font, 10, black)
    heading = "How the news landed in the battalions and among the families " * 7
    pdf = tmp_path / "h.pdf"
    doc = SimpleDocTemplate(str(pdf), pagesize=A4, topMargin=72, bottomMargin=72)
    head = HeadingBlock([Run(heading, face)], style(font))
    body = TextBlock([Run("Two former army captains said so. " * 30, face)], style(font))
    head.keep_with = [body]
    lines = len(head.lines(doc.width))
    assert lines >= 4  # a text block splits one of four lines or more
    # room for all but the heading's last line
    doc.build([Spacer(0, doc.height - (lines - 1) * 14 - 1), head, body])
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    assert "How the news" not in pages[0]
    assert " ".join(pages[1].split()).startswith(" ".join(heading.split()))
