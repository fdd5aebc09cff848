"""Typographic quotes, dashes and ellipses in the resolve stage; footnote markers in order,
one per run of paragraphs citing the same sources; URL breaks by the book; the optimiser."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.colors import black
from reportlab.lib.styles import ParagraphStyle

from briefgen import open_workspace
from briefgen.resolve.inline import order_markers, parse_inline, thin_citations
from briefgen.resolve.model import CountryListBlock, Heading, Para, Span
from briefgen.resolve.typography import dashes, typographic


@pytest.mark.parametrize(("raw", "expected"), [
    ("ASEAN's own rules", "ASEAN’s own rules"),
    ('the "counter-terrorism" exercise', "the “counter-terrorism” exercise"),
    ("\"Quoted,\" he said, 'inner'.", "“Quoted,” he said, ‘inner’."),
    ("between 1990-2000 and pages 10-12", "between 1990–2000 and pages 10–12"),
    ("on 2025-06-01, COVID-19", "on 2025-06-01, COVID-19"),  # dates and names keep hyphens
    ("war -- and peace --- and more...", "war – and peace — and more…"),
    ("arms - and training", "arms – and training"),
    ("Article 2(c) of the (r) Convention", "Article 2(c) of the (r) Convention"),
    # an address keeps every character written, an apostrophe in it too (it may be part of
    # the address: wiki/People's_Defence_Force); quotes and ellipses after it are set
    ("see https://example.org/a--b's-\"x\"...", "see https://example.org/a--b's-“x”…"),
])
def test_plain_text_typography(raw: str, expected: str) -> None:
    assert typographic(raw, "en-GB") == expected


def test_quotes_follow_the_language() -> None:
    assert typographic("\"Hallo\" 'Welt'", "de-DE") == "„Hallo“ ‚Welt‘"
    assert typographic("\"Bonjour\"", "fr") == "«Bonjour»"
    assert typographic("\"Hello\"", "xx") == "“Hello”"  # unknown: English marks


def test_inline_markdown_keeps_code_and_link_targets() -> None:
    spans, problems = parse_inline(
        "The junta's \"plan\" -- see `a--b \"c\"` and [the \"report\"](https://x.org/a--b'c)",
        lambda sid: None)
    assert problems == []
    text = "".join(s.text for s in spans)
    assert text == "The junta’s “plan” – see a--b \"c\" and the “report”"
    code = next(s for s in spans if s.code)
    assert code.text == 'a--b "c"'
    assert next(s for s in spans if s.href).href == "https://x.org/a--b'c"


@pytest.mark.parametrize(("raw", "printed", "href"), [
    # a link whose label is its address: the label ran past "]" ("…/myanmar](https://…")
    ("See [https://www.icc-cpi.int/myanmar](https://www.icc-cpi.int/myanmar) now.",
     "See https://www.icc-cpi.int/myanmar now.", "https://www.icc-cpi.int/myanmar"),
    # an apostrophe and parentheses inside an address are the address's own
    ("Read https://en.wikipedia.org/wiki/People's_Defence_Force today.",
     "Read https://en.wikipedia.org/wiki/People's_Defence_Force today.", None),
    ("See https://en.wikipedia.org/wiki/Foo_(bar) and (see https://x.org/a).",
     "See https://en.wikipedia.org/wiki/Foo_(bar) and (see https://x.org/a).", None),
    ("'https://x.org/a', said \"she\"", "‘https://x.org/a’, said “she”", None),
    # addresses without a scheme keep their double hyphens; the text around them does not
    ("Visit www.example.org/a--b or write to first--last@example.org -- now.",
     "Visit www.example.org/a--b or write to first--last@example.org – now.", None),
    # the dash rules still see what is around an address
    ("Write to press@un.org - we reply", "Write to press@un.org – we reply", None),
    ("Visit www.example.org - the site", "Visit www.example.org – the site", None),
    # an apostrophe in an address without a scheme (review of the fix)
    ("See www.example.org/wiki/People's_Defence_Force or write to o'brien@example.org.",
     "See www.example.org/wiki/People's_Defence_Force or write to o'brien@example.org.",
     None),
    ("Write to 'press@un.org' now", "Write to ‘press@un.org’ now", None),
    # a private-use character of the text's own beside an address: it crashed (exit 3)
    ("Contact www.un.org \ue002 - see", "Contact www.un.org \ue002 – see", None),
])
def test_web_addresses_are_printed_as_written(raw: str, printed: str, href: str | None) -> None:
    """Found by review: each of these printed an address that differs from the one written
    (a stray "](", a curly apostrophe, an en dash), which a reader cannot type back in."""
    spans, problems = parse_inline(raw, lambda sid: None)
    assert problems == []
    assert "".join(s.text for s in spans) == printed
    assert [s.href for s in spans if s.href][:1] == ([href] if href else [])


def test_a_backslash_keeps_a_straight_quote() -> None:
    spans, _ = parse_inline(r"a 5\" gap", lambda sid: None)
    assert "".join(s.text for s in spans) == 'a 5" gap'


def test_markers_at_one_place_ascend_once_and_sit_on_the_word() -> None:
    spans = [Span("It was so. "), Span("4", note=4), Span("2", note=2), Span("4", note=4),
             Span(" Then")]
    out = order_markers(spans)
    assert [(s.text, s.note) for s in out] == [("It was so.", None), ("2", 2), ("4", 4),
                                               (" Then", None)]


def _para(*notes: int) -> Para:
    return Para([Span("Text."), *(Span(str(n), note=n) for n in notes)], None)


def test_one_marker_per_run_of_paragraphs_citing_the_same_sources() -> None:
    lead = [_para(1)]
    section = [_para(1), _para(1), _para(1, 2), _para(1, 2), _para(), _para(1)]
    listed = CountryListBlock("l", [])
    blocks = [Heading("A", "a"), *section, Heading("B", "b"), _para(1), listed]
    thin_citations(lead, blocks)
    assert lead[0].notes == [1]
    # the run starts where the sources change, after an uncited paragraph, after a heading
    assert [p.notes for p in section] == [[1], [], [1, 2], [], [], [1]]
    assert blocks[-2].notes == [1]


def test_the_admm_briefing_shows_one_marker_per_run(full: Path) -> None:
    doc = open_workspace(full).documents["admm-plus-counter-terrorism"]
    paras = doc.paragraphs()
    markers = sum(len(p.notes) for p in paras)
    assert markers <= 8, markers  # 34 before: one open letter cited by nearly every line
    # every run still starts with its marker: the first paragraph after each heading
    first_after_heading = [b for a, b in zip(doc.blocks, doc.blocks[1:], strict=False)
                           if isinstance(a, Heading) and isinstance(b, Para)]
    assert first_after_heading and all(p.notes for p in first_after_heading)


def test_fixture_titles_headings_and_labels_are_typographic(full: Path) -> None:
    ws = open_workspace(full)
    admm = ws.documents["admm-plus-counter-terrorism"]
    assert "ASEAN’s own rules" in [b.text for b in admm.blocks if isinstance(b, Heading)]
    asylum = ws.documents["defector-asylum"]
    assert asylum.subtitle == "What Australia’s decision shows, and why other governments " \
                              "should follow"
    for doc in ws.documents.values():
        texts = [doc.title, doc.subtitle or "", *(p.plain for p in doc.lead)]
        texts += [b.text if isinstance(b, Heading) else b.plain for b in doc.blocks
                  if isinstance(b, Heading | Para)]
        assert not any("'" in t or '"' in t for t in texts), doc.id


def test_dashes_leave_plain_text_alone() -> None:
    assert dashes("no dashes here") == "no dashes here"


# ---------------------------------------------------------------------- URL breaks
def test_urls_break_by_chicago_never_after_their_own_hyphen() -> None:
    from briefgen.render.pdf.fonts import register_brand_fonts
    from briefgen.render.pdf.runs import break_url
    from conftest import default_brand

    font = register_brand_fonts(default_brand())["small"]
    url = ("https://www.smh.com.au/politics/federal/australia-s-defence-spends-almost-1-5-"
           "million-on-myanmar-s-military-over-past-five-years-20210202-p56ymj.html")
    for width in (120, 200, 300, 420):
        lines = break_url(url, font, 8, width)
        assert "".join(lines) == url  # nothing added, nothing lost
        for line in lines[:-1]:
            assert not line.endswith(("-", "_", ".", ",", "?", "#", "%", "~")), line
        for line in lines[1:]:
            assert not line.startswith(("/", ":")), line
    q = break_url("https://example.org/page.aspx?name=pr1495&x=y", font, 8, 75)
    assert "".join(q) == "https://example.org/page.aspx?name=pr1495&x=y"
    assert all(not line.endswith("-") for line in q)


def test_a_url_broken_for_no_width_at_all_ends() -> None:
    # margins wider than the page gave a line of negative width, and break_url appended
    # empty lines for ever (a build that never ended, its memory growing): run it in a
    # process of its own, bounded in time and memory
    import os
    import resource
    import subprocess
    import sys

    import briefgen

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    font = Path(__file__).resolve().parents[1] / "styles/fonts/Lato-Regular.ttf"
    code = ("from pathlib import Path\n"
            "from briefgen.render.pdf.fonts import register_font\n"
            "from briefgen.render.pdf.runs import break_url\n"
            f"font = register_font(Path({str(font)!r}))\n"
            "for width in (-255.1, 0, 1):\n"
            "    print(repr(break_url('https://example.org/a?b=c', font, 8, width)))\n")
    env = {**os.environ, "PYTHONPATH": str(Path(briefgen.__file__).parents[1])}  # this code
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, preexec_fn=limit, env=env)
    assert done.returncode == 0, done.stderr
    one_each = repr(list("https://example.org/a?b=c"))
    assert done.stdout.splitlines() == [one_each] * 3  # a character a line, none lost


# ---------------------------------------------------------------------- line breaking
@pytest.fixture(scope="module")
def font() -> str:
    from briefgen.render.pdf.fonts import register_brand_fonts
    from conftest import default_brand

    return register_brand_fonts(default_brand())["body"]


def _style(font: str, breaking: str, justify: bool = False) -> ParagraphStyle:
    style = ParagraphStyle("t", fontName=font, fontSize=10, leading=14, textColor=black)
    style.breaking, style.justify = breaking, justify
    return style


def _texts(lines) -> list[str]:
    out = []
    for line in lines:
        text = ""
        for i, w in enumerate(line.words):
            text += ("" if i == 0 or w.joined else " ") + "".join(p.text for p in w.pieces)
        out.append(text)
    return out


SENTENCE = ("The International Court of Justice has agreed to hear a case that Burma is in "
            "breach of its obligations under the Genocide Convention, following the "
            "military’s 2017 offensive against Rohingya civilians, most of them children.")


@pytest.mark.parametrize("width", range(180, 420, 7))
def test_optimal_breaking_leaves_no_runt_and_no_extra_line(font: str, width: int) -> None:
    from briefgen.render.pdf.linebreak import hyphenator
    from briefgen.render.pdf.textblock import Face, Run, TextBlock, text_width

    face = Face(font, 10, black)
    greedy = TextBlock([Run(SENTENCE, face)], _style(font, "greedy")).lines(width)
    block = TextBlock([Run(SENTENCE, face)], _style(font, "optimal"),
                      hyphenator=hyphenator("en-GB"))
    lines = block.lines(width)
    assert len(lines) <= len(greedy)
    texts = _texts(lines)
    if len(lines) >= 3:
        assert len(lines[-1].words) > 1 or lines[-1].words[-1].joined, texts
    for text in texts:
        assert text_width(text.replace(" ", " "), font, 10) <= width + 1e-6, text
    joined = "".join(t.replace(" ", "") for t in texts)
    # hyphens only at line ends, and the text is whole once they are taken out
    assert joined.replace("-", "") == SENTENCE.replace(" ", "").replace("-", "")
    for word in ("International", "Justice", "Burma", "Genocide", "Convention", "Rohingya"):
        assert not any(t.endswith(word[:3] + "-") for t in texts)  # names never hyphenated


def test_titles_are_balanced(font: str) -> None:
    from briefgen.render.pdf.textblock import Face, Run, TextBlock

    title = "13 countries involved in training and cooperation with the Burmese military"
    face = Face(font, 23, black)
    style = _style(font, "balance")
    style.fontSize, style.leading = 23, 27
    lines = TextBlock([Run(title, face)], style).lines(480)
    texts = _texts(lines)
    assert len(texts) == 2
    assert texts[-1] != "military"
    from briefgen.render.pdf.textblock import text_width

    w0, w1 = (text_width(t, font, 23) for t in texts)
    assert abs(w0 - w1) < 0.25 * max(w0, w1), texts


def test_justified_lines_fill_the_measure(tmp_path: Path, font: str) -> None:
    from pypdf import PdfReader
    from reportlab.pdfgen.canvas import Canvas

    from briefgen.render.pdf.textblock import Face, Run, TextBlock

    block = TextBlock([Run(SENTENCE * 2, Face(font, 10, black))],
                      _style(font, "optimal", justify=True))
    canv = Canvas(str(tmp_path / "j.pdf"))
    block.wrapOn(canv, 300, 1000)
    block.drawOn(canv, 50, 400)
    canv.save()
    xs: dict[float, float] = {}

    def visit(text, cm, tm, font_dict, size):
        if text.strip():
            y = round(tm[5], 1)
            xs[y] = max(xs.get(y, 0), tm[4] + len(text))  # x of the last word on the line

    PdfReader(tmp_path / "j.pdf").pages[0].extract_text(visitor_text=visit)
    starts = sorted(xs.items(), reverse=True)
    assert len(starts) >= 3
    # every line but the last starts its last word at about the same place (flush right)
    lasts = [x for _, x in starts[:-1]]
    assert max(lasts) - min(lasts) < 25, lasts


def test_hyphenation_is_used_sparingly_but_used(font: str) -> None:
    from briefgen.render.pdf.linebreak import hyphenator
    from briefgen.render.pdf.textblock import Face, Run, TextBlock

    block = TextBlock([Run(SENTENCE, Face(font, 10, black))], _style(font, "optimal"),
                      hyphenator=hyphenator("en-GB"))
    texts = _texts(block.lines(258))
    assert texts[2].endswith("of-") and texts[3].startswith("fensive"), texts
    assert hyphenator("xx-YY").points("information") == []  # no dictionary: no error


def test_only_what_would_be_markdown_in_a_title_is_refused() -> None:
    from briefgen.resolve.inline import line_markup

    assert line_markup("Section 3[a](ii) of the Act") is None  # a legal reference
    assert line_markup("5* hotels and 2 * 3") is None
    assert line_markup("See [the report](https://x.org)")[1] == "[the report](https://x.org)"
    assert line_markup("Protection for **soldiers**")[1] == "**soldiers**"
    assert line_markup("Soldiers[^irrawaddy-2022-defectors]")[1] == \
        "[^irrawaddy-2022-defectors]"
