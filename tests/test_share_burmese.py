"""The share image of the Burmese edition: its text is shaped (Raqm), never set glyph by glyph;
English share images are still set glyph by glyph, byte for byte as before.

Like test_burmese.py, this declares the Burmese edition in a copy of the ``full`` fixture (its
spec does not, so that other tests see the English briefings only).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from briefgen.errors import RenderError
from briefgen.render.html import share
from briefgen.render.pdf.myanmar import DEPENDENT, STACKER
from briefgen.validate.types import human_date
from conftest import FIXTURES, make_project

EDITION = "military-cooperation.my"
ENGLISH = "military-cooperation"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    import briefgen

    root = make_project(tmp_path_factory.mktemp("share-burmese") / "project",
                        FIXTURES / "full" / "briefings")
    spec = root / "briefings" / "military-cooperation.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "languages:" not in text
    spec.write_text(text.replace("language: en-GB\n",
                                 "language: en-GB\nlanguages: [en-GB, my]\n"), encoding="utf-8")
    return briefgen.open_workspace(root)


def doc_and_brand(ws, bid: str):
    doc = ws.document(bid)
    return doc, ws.brand_of(bid).for_language(doc.language)


def clear_caches() -> None:
    for cached in (share._font, share._glyph, share._shaping_font, share._shaped_width,
                   share._shaped):
        cached.cache_clear()


def title_ink(index: Image.Image) -> set[tuple[int, int]]:
    """The pixels of the title region (below the accent rule) at least half inked."""
    region = index.crop((0, 260, share.WIDTH, share.HEIGHT))
    data = region.tobytes()
    return {(i % region.width, i // region.width) for i, v in enumerate(data)
            if v >= (share.TEXT_TOP + 1) // 2}


def overlap(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def reference_title(doc, brand, layout) -> Image.Image:
    """The title's lines drawn straight with Pillow, in the given layout engine, where
    share.py puts them (the lines and size are share.py's own choice)."""
    path = brand.face("title", "bold")
    title = brand.sheet.sizes.title  # a Myanmar title takes the brand's title leading
    ratio = max(share.LEADING, title.leading / title.size)
    lines, size = share._fit_title(doc.title, path, share.WIDTH - 2 * share.MARGIN,
                                   doc.language, ratio, share.HEIGHT - 270 - share.MARGIN)
    leading = round(size * ratio)
    assert leading * len(lines) <= share.HEIGHT - 270 - share.MARGIN  # room for the stacks
    top = 270 + max(0, (share.HEIGHT - 270 - share.MARGIN - leading * len(lines)) // 2)
    font = ImageFont.truetype(str(path), size, layout_engine=layout)
    options = {"direction": "ltr", "language": doc.language} \
        if layout == ImageFont.Layout.RAQM else {}
    image = Image.new("L", (share.WIDTH, share.HEIGHT), 0)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((share.MARGIN, top + i * leading), line, font=font, fill=share.TEXT_TOP,
                  **options)
    return image


def test_burmese_share_image_is_shaped(workspace, tmp_path: Path) -> None:
    doc, brand = doc_and_brand(workspace, EDITION)
    assert doc.language == "my" and "Padauk" in brand.face("title", "bold").name
    clear_caches()
    png = share.share_png(doc, brand)
    (tmp_path / "share-my.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.size == (1200, 630) and image.format == "PNG" and image.mode == "P"

    clear_caches()
    assert share.share_png(doc, brand) == png  # same input, same bytes

    ink = title_ink(image)  # palette indices are the drawing's ink levels
    assert len(ink) > 5000
    shaped = title_ink(reference_title(doc, brand, ImageFont.Layout.RAQM))
    unshaped = title_ink(reference_title(doc, brand, ImageFont.Layout.BASIC))
    assert overlap(ink, shaped) > 0.97
    assert overlap(ink, unshaped) < 0.8
    assert overlap(shaped, unshaped) < 0.8  # i.e. shaping changes this title a lot


def test_the_vowel_sign_e_is_drawn_before_its_consonant(workspace) -> None:
    """ေ follows its consonant in the text and precedes it on the page: the shaped cluster
    looks much more like ``ေ`` then the consonant set side by side than like the two in
    text order."""
    _, brand = doc_and_brand(workspace, EDITION)
    path = brand.face("title", "bold")
    basic = ImageFont.truetype(str(path), 68, layout_engine=ImageFont.Layout.BASIC)

    def canvas() -> Image.Image:
        return Image.new("L", (300, 160), 0)

    def unshaped(text: str) -> Image.Image:
        image = canvas()
        ImageDraw.Draw(image).text((10, 10), text, font=basic, fill=255)
        return image

    def differ(a: Image.Image, b: Image.Image) -> int:
        return sum(1 for u, v in zip(a.tobytes(), b.tobytes(), strict=True) if abs(u - v) > 64)

    for consonant in "ကရမလ":
        mask, left, top, _ = share._shaped(consonant + "\u1031", path, 68, "my")
        shaped = canvas()
        shaped.paste(255, (10 + left, 10 + top), mask)
        visual = differ(shaped, unshaped("\u1031" + consonant))
        logical = differ(shaped, unshaped(consonant + "\u1031"))
        assert 2 * visual < logical, (consonant, visual, logical)


def test_burmese_date_and_label(workspace, monkeypatch) -> None:
    doc, brand = doc_and_brand(workspace, EDITION)
    drawn: list[str] = []
    line = share._line

    def record(image, xy, text, *args, **kw):
        drawn.append(text)
        return line(image, xy, text, *args, **kw)

    monkeypatch.setattr(share, "_line", record)
    share.share_png(doc, brand)
    date = doc.strings.date_text(doc.date)
    assert date in drawn and human_date(doc.date) not in drawn
    assert share.COMPLEX.search(date)  # Myanmar digits and month
    assert brand.sheet.label.upper() in drawn
    for text in drawn[4:]:  # the title's lines
        assert not DEPENDENT.match(text[0]) and not text.endswith(STACKER)


def test_no_raqm_no_burmese_share_image(workspace, monkeypatch) -> None:
    import PIL.features

    check = PIL.features.check
    monkeypatch.setattr(PIL.features, "check", lambda name: False if name == "raqm"
                        else check(name))
    clear_caches()
    doc, brand = doc_and_brand(workspace, EDITION)
    with pytest.raises(RenderError, match="libraqm"):
        share.share_png(doc, brand)
    doc, brand = doc_and_brand(workspace, ENGLISH)
    assert Image.open(io.BytesIO(share.share_png(doc, brand))).size == (1200, 630)
    clear_caches()


def test_a_burmese_phrase_wider_than_the_line_breaks_between_syllables(workspace) -> None:
    _, brand = doc_and_brand(workspace, EDITION)
    path = brand.face("title", "bold")
    phrase = "ပူးပေါင်းဆောင်ရွက်ရေးတွင်" * 3
    lines = share.wrap(f"အစ {phrase} နိုင်ငံ", path, 68, 1056, "my")
    assert len(lines) == 3 and "".join(lines).replace(" ", "") == \
        f"အစ{phrase}နိုင်ငံ"
    lines, size = share._fit_title(" ".join([phrase] * 4), path, 1056, "my")
    assert size == share.TITLE_SIZES[-1] and lines[-1].endswith(" …")
    for text in lines:
        assert share._width(text, path, size, "my") <= 1056
        assert not DEPENDENT.match(text[0]) and not text.endswith(STACKER)


def test_english_share_image_is_set_glyph_by_glyph_as_before(workspace, monkeypatch) -> None:
    doc, brand = doc_and_brand(workspace, ENGLISH)
    assert doc.strings.date_text(doc.date) == human_date(doc.date)
    engines = []
    truetype = ImageFont.truetype

    def spy(*args, **kw):
        engines.append(kw.get("layout_engine"))
        return truetype(*args, **kw)

    monkeypatch.setattr(ImageFont, "truetype", spy)
    clear_caches()
    png = share.share_png(doc, brand)
    assert engines and set(engines) == {ImageFont.Layout.BASIC}  # no Raqm font at all
    clear_caches()
    assert share.share_png(doc, brand) == png
    # the same bytes as the fast path alone (as before Burmese editions)
    monkeypatch.setattr(share, "_complex", lambda text: False)
    clear_caches()
    assert share.share_png(doc, brand) == png
    clear_caches()
