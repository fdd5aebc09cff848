"""The Burmese edition on the page: syllables, shaping, line breaks, copyable text, fonts.

The fixture project ``full`` holds the Burmese translations of military-cooperation (a
frozen copy of briefings/translations/my/) but its spec does not declare the language, so
that every other test sees the four English briefings only; :func:`enable_burmese` adds
``languages: [en-GB, my]`` to a copy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import uharfbuzz as hb
from pypdf import PdfReader
from reportlab.lib.colors import black
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from briefgen.render.pdf import myanmar
from briefgen.render.pdf.fonts import register_font
from briefgen.render.pdf.myanmar import DEPENDENT, STACKER, syllable_breaks, syllables
from briefgen.render.pdf.shaping import draw_line, shape
from briefgen.render.pdf.textblock import Face, Run, TextBlock
from conftest import FIXTURES, REPO, make_project
from pdfcheck import fonts

EDITION = "military-cooperation.my"
PADAUK = REPO / "styles" / "fonts" / "Padauk-Regular.ttf"
pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                               reason="poppler-utils (pdftotext) not installed")

#: clusters that are hard to shape: kinzi, stacked consonants, medials with pre-base vowels,
#: killed consonants with the dot below, independent vowels, symbols, digits
HARD = {
    "သင်္ချိုင်း": "kinzi over a consonant with medial ya and two vowel signs",
    "အင်္ဂလိပ်": "kinzi, then a syllable closed by asat",
    "ဗုဒ္ဓ": "a stacked consonant under a closed one",
    "ကမ္ဘာ": "a stacked consonant with a vowel sign",
    "ကြောင့်": "medial ra round the consonant, pre-base vowel E, dot below and asat",
    "မြန်မာ": "medial ra, killed consonant",
    "ကျွန်ုပ်": "medials ya and wa, asat then vowel sign u",
    "ဩစတြေးလျ": "independent vowel, medial ra with pre-base E, medial ya",
    "ပြည်ထောင်စု": "pre-base vowel with a tall consonant",
    "၎င်း၏": "symbols that are syllables",
    "လှုပ်ရှား": "medial ha with vowel signs",
}


def enable_burmese(root: Path) -> Path:
    """Declare the Burmese edition in the project's military-cooperation spec."""
    spec = root / "briefings" / "military-cooperation.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "languages:" not in text
    spec.write_text(text.replace("language: en-GB\n",
                                 "language: en-GB\nlanguages: [en-GB, my]\n"), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def _built_burmese(tmp_path_factory) -> Path:
    from briefgen.incremental.builder import build_project

    root = enable_burmese(make_project(tmp_path_factory.mktemp("burmese") / "project",
                                       FIXTURES / "full" / "briefings"))
    result = build_project(root)
    assert result.ok and EDITION in result.built, result
    return root


@pytest.fixture
def burmese(_built_burmese: Path, tmp_path: Path) -> Path:
    """The full fixture with the Burmese edition declared and every PDF built."""
    dest = tmp_path / "burmese"
    shutil.copytree(_built_burmese, dest)
    return dest


@pytest.fixture(scope="module")
def padauk() -> str:
    return register_font(PADAUK.resolve())


def harfbuzz(text: str) -> list[int]:
    """HarfBuzz's own glyph ids for ``text`` in Padauk (no briefgen code involved)."""
    font = hb.Font(hb.Face(hb.Blob(PADAUK.read_bytes())))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    return [info.codepoint for info in buf.glyph_infos]


def pdftotext_of(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ---------------------------------------------------------------------- syllables
@pytest.mark.parametrize("word", sorted(HARD))
def test_a_hard_cluster_is_never_split(word: str) -> None:
    for part in syllables(word):
        assert not DEPENDENT.match(part[0]), (word, syllables(word))
        assert not part.endswith(STACKER), (word, syllables(word))
    assert "".join(syllables(word)) == word


def test_syllables_of_burmese_text() -> None:
    assert syllables("မြန်မာနိုင်ငံတွင်") == ["မြန်", "မာ", "နိုင်", "ငံ", "တွင်"]
    assert syllables("သင်္ချိုင်း") == ["သင်္ချိုင်း"]  # kinzi stays with what follows
    assert syllables("အင်္ဂလိပ်") == ["အင်္ဂ", "လိပ်"]
    assert syllables("ကြောင့်") == ["ကြောင့်"]  # a consonant killed after the dot below
    assert syllables("၂၀၂၁ခုနှစ်") == ["၂၀၂၁", "ခု", "နှစ်"]  # a number is one unit
    assert syllables("သည်။နောက်") == ["သည်။", "နောက်"]  # never before a section mark
    assert syllables("ASEAN၏အဖွဲ့ဝင်") == ["ASEAN၏", "အ", "ဖွဲ့", "ဝင်"]  # no break after Latin
    assert syllable_breaks("မာ", before="န") == (0,)  # continues a word in another face
    assert syllable_breaks("ွန်", before="ကျ") == ()


# ---------------------------------------------------------------------- shaping
@pytest.mark.parametrize("word", sorted(HARD))
def test_shaping_gives_harfbuzzs_own_glyphs_and_writes_them(word: str, padauk: str) -> None:
    assert [g.gid for g in shape(word, padauk).glyphs] == harfbuzz(word), HARD[word]
    # the glyph ids in the PDF are those glyphs, in that order
    canv = Canvas("/dev/null")
    draw_line(canv, 10, 10, word, padauk, 12)
    font = getFont(padauk)
    subsets = font.state[canv._doc].subsets
    drawn = []
    for name, codes in re.findall(r"/(\S+) [\d.]+ Tf\s*\[([^\]]*)\] TJ", canv._code[-1]):
        subset = int(name.rsplit("+", 1)[1])
        for code in re.findall(r"<([0-9A-F]{2})>", codes):
            drawn.append(font.face.charToGlyph[subsets[subset][int(code, 16)]])
    assert drawn == harfbuzz(word)
    assert f"/ActualText <FEFF{word.encode('utf-16-be').hex().upper()}>" in canv._code[-1]


def test_a_pre_base_vowel_is_drawn_before_its_consonant(padauk: str) -> None:
    cmap = getFont(padauk).face.charToGlyph
    glyphs = [g.gid for g in shape("ကြော", padauk).glyphs]
    assert glyphs[0] == cmap[0x1031]  # ေ first, though it is stored after က and ြ
    assert glyphs.index(cmap[0x1031]) < glyphs.index(cmap[0x1000])


def test_breaking_keeps_the_glyphs_of_the_whole_word(padauk: str) -> None:
    """A word cut at its syllables draws exactly the glyphs HarfBuzz gives the whole word."""
    text = "မြန်မာနိုင်ငံတွင်ကျူးလွန်ခဲ့သော"
    style = ParagraphStyle("t", fontName=padauk, fontSize=10, leading=18, textColor=black)
    block = TextBlock([Run(text, Face(padauk, 10, black))], style)
    pieces = [p for w in block._words for p in w.pieces]
    assert len(block._words) == len(syllables(text)) and all(p.shaped for p in pieces)
    assert [g.gid for p in pieces for g in p.shaped.glyphs] == harfbuzz(text)
    assert all(w.soft for w in block._words[1:])


def test_latin_text_takes_the_fast_path(monkeypatch, padauk: str) -> None:
    import briefgen.render.pdf.textblock as tb

    def refuse(*args, **kw):
        raise AssertionError("Latin text was shaped")

    monkeypatch.setattr(tb, "shape", refuse)
    style = ParagraphStyle("t", fontName=padauk, fontSize=10, leading=14, textColor=black)
    block = TextBlock([Run("Burma Campaign UK — 20 years, “quotes” and café", Face(
        padauk, 10, black))], style)
    assert all(p.shaped is None for w in block._words for p in w.pieces)
    assert block.lines(300)


def test_mixed_burmese_and_english_paragraph(padauk: str) -> None:
    text = ("ASEAN၏ အဖွဲ့ဝင်နိုင်ငံများနှင့် Burma Campaign UK အနေဖြင့် "
            "https://www.burmacampaign.org.uk ကို ကြည့်ပါ။")
    style = ParagraphStyle("t", fontName=padauk, fontSize=10, leading=18, textColor=black)
    block = TextBlock([Run(text, Face(padauk, 10, black))], style)
    for width in range(60, 420, 23):
        lines = block.lines(width)
        words = [w for line in lines for w in line.words]
        joined = "".join(("" if w.space is None or i == 0 else " ") +
                         "".join(p.text for p in w.pieces) for i, w in enumerate(words))
        assert joined.replace(" ", "") == text.replace(" ", "")
        for line in lines:
            first = "".join(p.text for p in line.words[0].pieces)
            last = "".join(p.text for p in line.words[-1].pieces)
            assert not DEPENDENT.match(first[0]) and not last.endswith(STACKER)
            assert first != "၏"  # glued to ASEAN
        latin = [p for w in words for p in w.pieces if not myanmar.is_myanmar(p.text[0])]
        assert latin and all(p.shaped is None for p in latin)


def test_a_long_unspaced_paragraph_splits_across_pages(padauk: str) -> None:
    """ReportLab's own Paragraph raised LayoutError on this; ours splits it line by line."""
    text = "မြန်မာစစ်တပ်သည်လူ့အခွင့်အရေးချိုးဖောက်မှုများကိုကျူးလွန်ခဲ့သည်" * 30
    style = ParagraphStyle("t", fontName=padauk, fontSize=10, leading=18, textColor=black)
    block = TextBlock([Run(text, Face(padauk, 10, black))], style)
    block.wrap(120, 1000)
    head, tail = block.split(120, 18 * 5)
    assert len(head.lines(120)) == 5 and len(tail.lines(120)) == len(block.lines(120)) - 5
    for line in block.lines(120):
        width = sum(w.width for w in line.words)
        assert width <= 120 + 1e-6


# ---------------------------------------------------------------------- the edition
def edition_lines(root: Path) -> list[str]:
    """The text of every line of every text block of the Burmese edition, as laid out."""
    import briefgen
    from briefgen.render.pdf.document import _Renderer

    ws = briefgen.open_workspace(root)
    doc = ws.document(EDITION)
    brand = ws.brands["default"].for_language("my")
    renderer = _Renderer(doc, brand)
    from briefgen.render.pdf.footnotes import FootnoteState

    renderer.notes = FootnoteState({}, renderer.width, renderer.palette.rule)
    renderer.notes.notes = {n: renderer.note_block(n) for n in doc.notes}
    out = []
    blocks = [*renderer.notes.notes.values()]
    for f in renderer.story():
        blocks.extend(getattr(f, "_content", None) or [f])
    for f in blocks:
        if isinstance(f, TextBlock):
            for width in (renderer.width, renderer.width * 0.61, 171.0):
                for line in f.lines(width):
                    out.append("".join(p.text for w in line.words for p in w.pieces))
    return out


def test_no_line_starts_with_a_dependent_mark_or_ends_with_the_stacker(burmese: Path) -> None:
    lines = [line for line in edition_lines(burmese) if line]
    assert len(lines) > 300
    assert sum(1 for line in lines if myanmar.MYANMAR_RE.search(line)) > 200
    for line in lines:
        assert not DEPENDENT.match(line[0]), line
        assert not line.endswith(STACKER), line


@pdftotext
def test_pdftotext_gives_back_the_burmese_text_in_logical_order(burmese: Path) -> None:
    import briefgen

    doc = briefgen.open_workspace(burmese).document(EDITION)
    text = squeeze(pdftotext_of(burmese / "dist" / f"{EDITION}.pdf"))
    paras = doc.paragraphs()
    at = 0
    for para in paras:  # each text in full, in reading order
        needle = squeeze(para.plain)
        found = text.find(needle, at)
        assert found >= 0, para.plain
        at = found + len(needle)
    for heading in ("မြန်မာစစ်တပ်နှင့် နိုင်ငံတကာဥပဒေ ချိုးဖောက်မှုများ", doc.title,
                    "ကျေးဇူးတင်ပါသည်", "စာမျက်နှာ ၁ / ၄"):
        assert squeeze(heading) in text


@pdftotext
def test_pdftotext_lines_break_between_syllables(burmese: Path) -> None:
    lines = [ln.strip() for ln in pdftotext_of(burmese / "dist" / f"{EDITION}.pdf")
             .splitlines() if ln.strip()]
    burmese_lines = [ln for ln in lines if myanmar.MYANMAR_RE.search(ln)]
    assert len(burmese_lines) > 60
    for line in burmese_lines:
        assert not DEPENDENT.match(line[0]), line
        assert not line.endswith(STACKER), line


@pdftotext
def test_no_english_in_the_burmese_pdf_but_names_and_addresses(burmese: Path) -> None:
    import briefgen

    ws = briefgen.open_workspace(burmese)
    doc = ws.document(EDITION)
    urls = [n.url for n in doc.notes.values()] + [i.url for i in doc.more_information]
    urls += [s.url for b in doc.blocks for e in getattr(b, "entries", []) for s in e.sources]
    urls += [doc.publisher.more_briefings, doc.publisher.donate]
    lines = pdftotext_of(burmese / "dist" / f"{EDITION}.pdf").splitlines()
    # web addresses, also where they run over two lines
    text = "\n".join(ln for ln in lines if not (ln.strip() and any(
        ln.strip() in url for url in urls if url)))
    text = re.sub(r"https?://\S+|www\.\S+|\S+@\S+", " ", text)
    names = [doc.publisher.name, *doc.publisher.address, doc.publisher.phone,
             *(n.publisher for n in doc.notes.values()),
             *(s.label for b in doc.blocks for e in getattr(b, "entries", []) for s in e.sources)]
    for name in sorted(set(names), key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"\((?:[a-z.]+)\)", " ", text)  # "(mod.gov.mm)" after a publisher name
    assert not re.findall(r"[A-Za-z]{2,}", text)


def test_fonts_are_embedded_and_padauk_sets_the_burmese(burmese: Path) -> None:
    used = fonts(PdfReader(burmese / "dist" / f"{EDITION}.pdf"))
    assert used and all(used.values()), used
    assert any("Padauk" in name for name in used)
    assert not any("Helvetica" in name for name in used)


def test_the_edition_says_burmese_and_is_deterministic(burmese: Path) -> None:
    from briefgen.incremental.builder import build_project

    pdf = burmese / "dist" / f"{EDITION}.pdf"
    reader = PdfReader(pdf)
    assert reader.trailer["/Root"]["/Lang"] == "my"
    assert reader.metadata.title.startswith("မြန်မာစစ်တပ်နှင့်")
    first = pdf.read_bytes()
    assert build_project(burmese, [EDITION], force=True).built == [EDITION]
    assert pdf.read_bytes() == first
