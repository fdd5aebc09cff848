"""Print profile (CMYK, bleed, boxes, crop marks), preflight, and the briefing pack."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from briefgen.incremental.builder import build_project
from briefgen.pdftools.pack import make_pack
from briefgen.pdftools.preflight import preflight
from pdfcheck import fonts, link_uris

MM = 72 / 25.4
ALL = ["admm-plus-counter-terrorism", "defector-asylum", "military-cooperation",
       "russia-military-ties"]


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    from conftest import FIXTURES, REPO

    root = tmp_path_factory.mktemp("printed")
    shutil.copytree(FIXTURES / "full" / "briefings", root / "briefings")
    shutil.copytree(REPO / "styles", root / "styles")
    assert sorted(build_project(root, profile="screen").built) == ALL
    assert sorted(build_project(root, profile="print").built) == ALL
    return root


def outline_titles(reader: PdfReader) -> list:
    def walk(items):
        return [walk(i) if isinstance(i, list) else i.title for i in items]
    return walk(reader.outline)


# ---------------------------------------------------------------------- the print profile
def test_print_pdfs_pass_preflight(printed: Path) -> None:
    for bid in ALL:
        assert preflight(printed / f"dist/print/{bid}.pdf", trim_size=A4) == [], bid


def test_boxes_are_a4_trim_plus_3mm_bleed_on_every_page(printed: Path) -> None:
    for bid in ALL:
        for page in PdfReader(printed / f"dist/print/{bid}.pdf").pages:
            trim = [float(v) for v in page["/TrimBox"]]
            bleed = [float(v) for v in page["/BleedBox"]]
            media = [float(v) for v in page.mediabox]
            assert trim[2] - trim[0] == pytest.approx(A4[0], abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(A4[1], abs=0.01)
            for side in range(2):
                assert trim[side] - bleed[side] == pytest.approx(3 * MM, abs=0.01)
                assert bleed[side + 2] - trim[side + 2] == pytest.approx(3 * MM, abs=0.01)
            # crop marks sit outside the bleed: the sheet is larger than the bleed box
            assert bleed[0] - media[0] > 5 * MM and media[3] - bleed[3] > 5 * MM


def test_a_bleed_under_3mm_is_an_error_of_check(mini: Path, cli) -> None:
    """'bleed: 1' passed check, the print build and publish; only preflight refused the PDF."""
    sheet = mini / "styles/default.yaml"
    text = sheet.read_text(encoding="utf-8")
    assert "\n  bleed: 3\n" in text
    sheet.write_text(text.replace("\n  bleed: 3\n", "\n  bleed: 1\n", 1), encoding="utf-8")
    line = text[:text.index("  bleed: 3")].count("\n") + 1
    code, out, _ = cli("check", "--root", str(mini))
    assert code == 1 and (f"styles/default.yaml:{line}:10: page.bleed: 1 mm is less than the "
                          "3 mm a print shop needs for the print profile (briefgen preflight "
                          "refuses it): use 3 or more, or 0 for a brand that is never "
                          "printed") in out


def test_print_has_the_screen_text_links_outline_and_embedded_fonts(printed: Path) -> None:
    for bid in ALL:
        screen = PdfReader(printed / f"dist/{bid}.pdf")
        paper = PdfReader(printed / f"dist/print/{bid}.pdf")
        assert [p.extract_text() for p in paper.pages] == [p.extract_text() for p in screen.pages]
        assert [(n, u) for n, u, _ in link_uris(paper)] == [(n, u) for n, u, _ in
                                                              link_uris(screen)]
        assert outline_titles(paper) == outline_titles(screen)
        assert all(fonts(paper).values())


def test_print_links_sit_on_the_text_they_belong_to(printed: Path) -> None:
    """Crop marks move the page on the sheet; link rectangles must move with it."""
    screen = PdfReader(printed / "dist/military-cooperation.pdf")
    paper = PdfReader(printed / "dist/print/military-cooperation.pdf")
    shift = float(paper.pages[0]["/TrimBox"][0])
    for (_, _, a), (_, _, b) in zip(link_uris(screen), link_uris(paper), strict=True):
        assert [v + shift for v in a] == pytest.approx(b, abs=0.01)


def test_band_runs_into_the_bleed_and_marks_are_registration(printed: Path,
                                                             tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    subprocess.run(["pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-singlefile",
                    str(printed / "dist/print/military-cooperation.pdf"), str(tmp_path / "p")],
                   capture_output=True, check=True)
    out = (tmp_path / "p.ppm").read_bytes()
    magic, size, _maxval, pixels = out.split(b"\n", 3)  # binary PPM: P6, size, 255, RGB
    assert magic == b"P6"
    width, height = (int(v) for v in size.split())
    page = PdfReader(printed / "dist/print/military-cooperation.pdf").pages[0]
    trim = [float(v) for v in page["/TrimBox"]]

    def pixel(x: float, y_from_top: float) -> tuple[int, int, int]:
        i = (int(y_from_top) * width + int(x)) * 3
        return tuple(pixels[i:i + 3])

    top = height - trim[3]  # the trim's top edge, in pixels from the sheet's top
    inside_bleed = pixel(trim[0] - 1.5 * MM, top - 1.5 * MM)
    assert inside_bleed[0] > 100 and inside_bleed[1] < 80  # brand red past the trim corner
    outside = pixel(trim[0] - 6.5 * MM, top + 20)
    assert outside == (255, 255, 255)  # between the bleed and the marks: paper


def test_screen_pdf_fails_print_preflight_naming_rgb(printed: Path, cli) -> None:
    code, out, _ = cli("preflight", str(printed / "dist/military-cooperation.pdf"), "--print")
    assert code == 1
    assert re.search(r"page 1: RGB colour \(rg\) used \d+ times", out)
    assert "page 1: no TrimBox (the finished page size is not set)" in out
    code, out, _ = cli("preflight", *[str(p) for p in sorted(printed.glob("dist/print/*.pdf"))],
                       "--brand", "default", "--root", str(printed))
    assert code == 0, out
    assert "4 files checked, 0 with problems" in out


def test_fact_edit_rebuilds_both_profiles(printed: Path) -> None:
    root = printed
    path = root / "briefings/facts/countries/belarus.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("air defence", "air-defence", 1), encoding="utf-8")
    try:
        assert build_project(root, profile="screen").built == ["military-cooperation"]
        assert build_project(root, profile="print").built == ["military-cooperation"]
        assert build_project(root, profile="print").built == []
    finally:
        path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------- preflight catches
def _lato() -> str:
    from briefgen.render.pdf.fonts import register_brand_fonts
    from conftest import default_brand

    return register_brand_fonts(default_brand())["body"]


def _boxed(canvas_kwargs: dict | None = None) -> dict:
    b = 12 * MM
    kw = {"pagesize": (A4[0] + 2 * b, A4[1] + 2 * b),
          "trimBox": (b, b, b + A4[0], b + A4[1]),
          "bleedBox": (b - 3 * MM, b - 3 * MM, b + A4[0] + 3 * MM, b + A4[1] + 3 * MM)}
    kw.update(canvas_kwargs or {})
    return kw


def _pdf(path: Path, draw, **kw) -> Path:
    canv = Canvas(str(path), initialFontName=_lato(), **kw)
    draw(canv)
    canv.showPage()
    canv.save()
    return path


def test_preflight_catches_rgb_colour(tmp_path: Path) -> None:
    def draw(c):
        c.setFont(_lato(), 12)
        c.setFillColorRGB(1, 0, 0)
        c.drawString(100, 400, "red")
    problems = [str(p) for p in preflight(_pdf(tmp_path / "rgb.pdf", draw, **_boxed()))]
    assert problems == ["page 1: RGB colour (rg) used 1 time"]


def test_preflight_catches_unembedded_standard_font(tmp_path: Path) -> None:
    def draw(c):
        c.setFillColorCMYK(0, 0, 0, 1)
        c.setFont("Helvetica", 12)
        c.drawString(100, 400, "Helvetica is not embedded")
    problems = [str(p) for p in preflight(_pdf(tmp_path / "std14.pdf", draw, **_boxed()))]
    assert problems == ["page 1: font Helvetica is not embedded"]


def test_preflight_catches_missing_trim_box(tmp_path: Path) -> None:
    def draw(c):
        c.setFillColorCMYK(0, 0, 0, 1)
        c.setFont(_lato(), 12)
        c.drawString(100, 400, "no boxes")
    pdf = _pdf(tmp_path / "nobox.pdf", draw, pagesize=A4)
    assert preflight(pdf) == []  # no TrimBox: screen mode, fonts only
    problems = [str(p) for p in preflight(pdf, print_mode=True)]
    assert problems == ["page 1: no TrimBox (the finished page size is not set)",
                        "page 1: no BleedBox"]


def test_preflight_catches_thin_bleed_and_wrong_trim_size(tmp_path: Path) -> None:
    b = 12 * MM
    kw = _boxed({"bleedBox": (b - 1 * MM, b - 1 * MM, b + A4[0] + 1 * MM, b + A4[1] + 1 * MM)})
    pdf = _pdf(tmp_path / "thin.pdf", lambda c: None, **kw)
    problems = [str(p) for p in preflight(pdf, trim_size=(612, 792))]
    assert problems == ["page 1: bleed is 1.0 mm; at least 3 mm is needed",
                        "page 1: trim size 210.0 x 297.0 mm is not the brand's 215.9 x "
                        "279.4 mm"]


def _image_pdf(path: Path, pixels: int, inches: float, space: str) -> Path:
    writer = PdfWriter()
    b = 12 * MM
    page = writer.add_blank_page(A4[0] + 2 * b, A4[1] + 2 * b)
    page[NameObject("/TrimBox")] = ArrayObject(FloatObject(v) for v in (b, b, b + A4[0],
                                                                         b + A4[1]))
    page[NameObject("/BleedBox")] = ArrayObject(FloatObject(v) for v in (
        b - 3 * MM, b - 3 * MM, b + A4[0] + 3 * MM, b + A4[1] + 3 * MM))
    channels = {"/DeviceCMYK": 4, "/DeviceRGB": 3}[space]
    image = DecodedStreamObject()
    image.set_data(bytes(pixels * pixels * channels))
    image.update({NameObject("/Type"): NameObject("/XObject"),
                  NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(pixels),
                  NameObject("/Height"): NumberObject(pixels),
                  NameObject("/ColorSpace"): NameObject(space),
                  NameObject("/BitsPerComponent"): NumberObject(8)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
        {NameObject("/Im1"): writer._add_object(image)})})
    size = inches * 72
    content = DecodedStreamObject()
    content.set_data(f"q {size} 0 0 {size} 100 100 cm /Im1 Do Q".encode())
    page[NameObject("/Contents")] = writer._add_object(content)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_preflight_catches_low_resolution_and_rgb_images(tmp_path: Path) -> None:
    low = _image_pdf(tmp_path / "low.pdf", 72, 1.0, "/DeviceCMYK")
    assert [str(p) for p in preflight(low)] == [
        "page 1: image Im1 is 72 dpi as placed; print needs 300"]
    good = _image_pdf(tmp_path / "good.pdf", 600, 2.0, "/DeviceCMYK")
    assert preflight(good) == []
    rgb = _image_pdf(tmp_path / "rgbimage.pdf", 600, 2.0, "/DeviceRGB")
    assert [str(p) for p in preflight(rgb)] == ["page 1: image Im1 is in RGB colour"]


def _with(printed: Path, out: Path, code: str, resource: tuple[str, str, object] | None = None,
          annot: DictionaryObject | None = None) -> Path:
    """A print PDF of ours with ``code`` added to page 1's content (and a resource it uses),
    or an annotation added to the page."""
    w = PdfWriter(clone_from=printed / "dist/print/defector-asylum.pdf")
    page = w.pages[0]
    if code:
        stream = DecodedStreamObject()
        stream.set_data(code.encode())
        contents = page["/Contents"]
        parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([*parts, w._add_object(stream)])
    if resource is not None:
        kind, name, obj = resource
        res = page["/Resources"].get_object()
        if kind not in res:
            res[NameObject(kind)] = DictionaryObject()
        res[kind].get_object()[NameObject(name)] = w._add_object(obj)
    if annot is not None:
        annots = list(page.get("/Annots") or [])
        page[NameObject("/Annots")] = ArrayObject([*annots, w._add_object(annot)])
    w.write(out)
    return out


def _form(code: bytes, **extra) -> DecodedStreamObject:
    form = DecodedStreamObject()
    form.set_data(code)
    form.update({NameObject("/Type"): NameObject("/XObject"),
                 NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0),
                                                   FloatObject(50), FloatObject(50)])})
    form.update({NameObject(k): v for k, v in extra.items()})
    return form


def _shading(space: str) -> DictionaryObject:
    n = {"/DeviceRGB": 3, "/DeviceCMYK": 4}[space]
    return DictionaryObject({
        NameObject("/ShadingType"): NumberObject(2), NameObject("/ColorSpace"): NameObject(space),
        NameObject("/Coords"): ArrayObject([FloatObject(v) for v in (0, 0, 200, 0)]),
        NameObject("/Function"): DictionaryObject({
            NameObject("/FunctionType"): NumberObject(2),
            NameObject("/Domain"): ArrayObject([FloatObject(0), FloatObject(1)]),
            NameObject("/C0"): ArrayObject([FloatObject(0)] * n),
            NameObject("/C1"): ArrayObject([FloatObject(1)] * n),
            NameObject("/N"): NumberObject(1)})})


def test_preflight_sees_colour_in_patterns_annotations_and_forms(printed: Path,
                                                                  tmp_path: Path) -> None:
    """An RGB shading pattern, an RGB tiling pattern (coloured, or uncoloured over RGB) and a
    printing annotation drawn in RGB are rejected; CMYK set by ``sc`` in a form after the
    page chose DeviceCMYK (the form inherits it) passes, and so do the CMYK variants."""
    def check(name: str, code: str, resource=None, annot=None) -> list[str]:
        return [str(p) for p in preflight(_with(printed, tmp_path / f"{name}.pdf", code,
                                                resource, annot), trim_size=A4)]

    def shading_pattern(space: str) -> DictionaryObject:
        return DictionaryObject({NameObject("/PatternType"): NumberObject(2),
                                 NameObject("/Shading"): _shading(space)})

    fill = "q /Pattern cs /P0 scn 100 100 200 200 re f Q"
    assert check("shading-rgb", fill, ("/Pattern", "/P0", shading_pattern("/DeviceRGB"))) \
        == ["page 1: RGB colour (scn pattern) used 1 time"]
    assert check("shading-cmyk", fill, ("/Pattern", "/P0", shading_pattern("/DeviceCMYK"))) \
        == []
    tiling = {"/PatternType": NumberObject(1), "/PaintType": NumberObject(1),
              "/TilingType": NumberObject(1), "/XStep": NumberObject(50),
              "/YStep": NumberObject(50), "/Resources": DictionaryObject()}
    assert check("tiling-rgb", fill, ("/Pattern", "/P0", _form(b"1 0 0 rg 0 0 9 9 re f",
                                                                **tiling))) == [
        "page 1: RGB colour (rg) used 1 time"]
    assert check("tiling-cmyk", fill, ("/Pattern", "/P0", _form(b"0 1 0 0 k 0 0 9 9 re f",
                                                                 **tiling))) == []
    uncoloured = {**tiling, "/PaintType": NumberObject(2)}
    assert check("uncoloured-rgb", "q [/Pattern /DeviceRGB] cs 1 0 0 /P0 scn 0 0 9 9 re f Q",
                 ("/Pattern", "/P0", _form(b"0 0 9 9 re f", **uncoloured))) == [
        "page 1: RGB colour (scn pattern) used 1 time"]
    stamp = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Stamp"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (100, 100, 200, 150)]),
        NameObject("/F"): NumberObject(4),
        NameObject("/AP"): DictionaryObject({NameObject("/N"): _form(b"1 0 0 rg 0 0 9 9 re f")})})
    assert check("annot-rgb", "", annot=stamp) == ["page 1: RGB colour (rg) used 1 time"]
    stamp[NameObject("/F")] = NumberObject(0)  # not printed: a screen note
    assert check("annot-screen", "", annot=stamp) == []
    form = _form(b"0 0.5 0.5 0 sc 0 0 50 50 re f")
    assert check("form-cmyk", "q /DeviceCMYK cs /Fm0 Do Q", ("/XObject", "/Fm0", form)) == []
    assert check("form-rgb", "q /DeviceRGB cs /Fm0 Do Q", ("/XObject", "/Fm0", form)) == [
        "page 1: RGB colour (sc) used 1 time"]
    # an uncoloured pattern inside a form, over a pattern space the page set and named in
    # its own resources: a CMYK base was "unknown" (review of the fix), an RGB one RGB
    for base, said in (("/DeviceCMYK", []), ("/DeviceRGB",
                                              ["page 1: RGB colour (scn pattern) used 1 time"])):
        w = PdfWriter(clone_from=printed / "dist/print/defector-asylum.pdf")
        pattern = w._add_object(_form(b"0 0 9 9 re f", **uncoloured))
        inner = w._add_object(_form(b"0 0 0 1 /P0 scn 0 0 9 9 re f", **{
            "/Resources": DictionaryObject({NameObject("/Pattern"): DictionaryObject(
                {NameObject("/P0"): pattern})})}))
        page = w.pages[0]
        code = DecodedStreamObject()
        code.set_data(b"q /CSZ cs /Fz Do Q")
        contents = page["/Contents"]
        parts = list(contents) if isinstance(contents, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([*parts, w._add_object(code)])
        res = page["/Resources"].get_object()
        for kind, name, obj in (("/XObject", "/Fz", inner), ("/ColorSpace", "/CSZ", ArrayObject(
                [NameObject("/Pattern"), NameObject(base)]))):
            if kind not in res:
                res[NameObject(kind)] = DictionaryObject()
            res[kind].get_object()[NameObject(name)] = obj
        out = tmp_path / f"form-pattern-{base[1:]}.pdf"
        w.write(out)
        assert [str(p) for p in preflight(out, trim_size=A4)] == said


def test_preflight_usage_errors(cli, tmp_path: Path) -> None:
    code, _, err = cli("preflight", str(tmp_path / "missing.pdf"))
    assert code == 2 and "no such file" in err
    (tmp_path / "junk.pdf").write_bytes(b"not a pdf")
    code, out, _ = cli("preflight", str(tmp_path / "junk.pdf"))
    assert code == 1 and "not a readable PDF" in out


# ---------------------------------------------------------------------- the pack
def test_pack_outline_labels_links_and_bytes(printed: Path) -> None:
    result = make_pack(printed)
    reader = PdfReader(result.path)
    titles = outline_titles(reader)
    tops = [t for t in titles if not isinstance(t, list)]
    docs = {bid: PdfReader(printed / f"dist/{bid}.pdf") for bid in ALL}
    assert tops == [outline_titles(docs[bid])[0] for bid in ALL]
    nested = [t for t in titles if isinstance(t, list)]
    assert len(nested) == 4
    assert "Countries involved in training and cooperation with the Burmese military" in nested[2]
    heading = nested[2].index("Countries involved in training and cooperation with the "
                              "Burmese military")
    assert nested[2][heading + 1][:2] == ["1. Australia", "2. Japan"]
    # every briefing starts where the contents page's link says, with its own labels
    labels = reader.page_labels
    assert labels[0] == "i"
    starts = []
    for annot in reader.pages[0]["/Annots"]:
        dest = annot.get_object()["/Dest"]
        starts.append(reader.get_page_number(dest[0].get_object()))
    page = 1
    for bid, start in zip(ALL, starts, strict=True):
        assert start == page
        assert labels[start] == f"{bid}:1"
        assert reader.pages[start].extract_text() == docs[bid].pages[0].extract_text()
        page += len(docs[bid].pages)
    assert len(reader.pages) == page
    # links inside the briefings still work
    uris = [u for _, u, _ in link_uris(reader)]
    for bid in ALL:
        for _, uri, _ in link_uris(docs[bid]):
            assert uri in uris
    assert reader.metadata.title == "Briefing pack"
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"
    assert all(fonts(reader).values())
    first = result.path.read_bytes()
    assert make_pack(printed).path.read_bytes() == first


def test_pack_of_named_briefings_in_order(printed: Path, cli) -> None:
    out_pdf = printed / "dist/two.pdf"
    code, out, err = cli("pack", "--root", str(printed), "-o", str(out_pdf),
                         "russia-military-ties", "defector-asylum")
    assert code == 0, err
    assert "2 briefings" in out
    tops = [t for t in outline_titles(PdfReader(out_pdf)) if not isinstance(t, list)]
    assert tops[0].startswith("Russia and the Myanmar military")
    assert tops[1].startswith("Protection for soldiers")
    code, _, err = cli("pack", "--root", str(printed), "military-cooperaton")
    assert code == 2 and "did you mean 'military-cooperation'" in err


def test_the_publisher_bookmark_points_at_the_publishers_block(printed: Path) -> None:
    """"About the publisher" opens the page with the publisher's block (its address), in
    every screen and print PDF and in the pack that copies their outlines (the anchor was
    left at the foot of the page before when the panel moved on: admm, page 3 of 4)."""
    pdfs = [printed / f"dist/{bid}.pdf" for bid in ALL]
    pdfs += [printed / f"dist/print/{bid}.pdf" for bid in ALL]
    pdfs.append(make_pack(printed).path)
    found = 0
    for pdf in pdfs:
        reader = PdfReader(pdf)

        def walk(items):
            for item in items:
                yield from walk(item) if isinstance(item, list) else [item]

        entries = [o for o in walk(reader.outline) if o.title == "About the publisher"]
        assert len(entries) == (len(ALL) if pdf.name == "pack.pdf" else 1), pdf
        with_block = [n for n, page in enumerate(reader.pages)
                      if "110 The Bon Marche Centre" in page.extract_text()]
        assert [reader.get_destination_page_number(o) for o in entries] == with_block, pdf
        found += len(entries)
    assert found == 3 * len(ALL)


def test_pack_contents_rows_stay_above_the_footer_on_letter(printed: Path, tmp_path: Path
                                                            ) -> None:
    """A contents page holds as many rows as its page has room for: on Letter, 18 rows (a
    fixed number made for A4) ran the last ones over the footer and off the page."""
    from briefgen.pdftools.pack import rows_per_page
    from conftest import default_brand
    from pdfcheck import pieces

    root = tmp_path / "letter"
    shutil.copytree(printed / "briefings", root / "briefings")
    shutil.copytree(printed / "styles", root / "styles")
    sheet = root / "styles/default.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("size: A4", "size: Letter"),
                     encoding="utf-8")
    spec = (root / "briefings/defector-asylum.yaml").read_text(encoding="utf-8")
    ids = [f"b{n:02d}" for n in range(1, 19)]
    for n, bid in enumerate(ids, start=1):
        (root / f"briefings/{bid}.yaml").write_text(spec.replace(
            'title: "Protection for soldiers who leave the Myanmar military"',
            f'title: "Briefing number {n:02d} about protection for soldiers"'),
            encoding="utf-8")
    result = make_pack(root, ids)
    assert rows_per_page(default_brand()) == 17  # A4
    reader = PdfReader(result.path)
    assert reader.page_labels[:3] == ["i", "ii", "b01:1"]
    bottom = 24 * 72 / 25.4  # the bottom margin: the footer is below it
    rows = []
    for n in range(2):
        page = reader.pages[n]
        found = pieces(page)
        low = [p.text for p in found if p.y < bottom]
        assert low == ["Briefing pack · Burma Campaign UK", f"Contents {n + 1} of 2"], low
        rows += [p.text for p in found if p.text.startswith("Briefing number")]
        for annot in page["/Annots"]:
            assert float(annot.get_object()["/Rect"][1]) >= bottom
    assert rows == [f"Briefing number {n:02d} about protection for soldiers"
                    for n in range(1, 19)]


def test_a_long_publisher_name_in_the_pack_band_stops_before_the_date(printed: Path,
                                                                     tmp_path: Path) -> None:
    """The pack's band drew the publisher's name unfitted, over the date and off the page
    (found by review)."""
    from pdfcheck import word_boxes

    root = tmp_path / "p"
    shutil.copytree(printed, root)
    publisher = root / "briefings/facts/publisher.yaml"
    publisher.write_text(re.sub(r"(?m)^name: .*$", "name: The International Campaign for "
                                "Human Rights and Democracy in Burma (United Kingdom)",
                                publisher.read_text(encoding="utf-8"), count=1),
                         encoding="utf-8")
    assert build_project(root).ok
    pack = make_pack(root).path
    boxes = word_boxes(pack)
    if boxes is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    first = [b for b in boxes if b[0] == 1]
    date = min((b for b in first if b[5] in ("November", "2026")), key=lambda b: b[2])
    band = [b for b in first if abs(b[2] - date[2]) < 8 and b[5] not in
            ("23", "November", "2026")]
    assert band and max(b[3] for b in band) < date[1], band
    assert band[-1][5].endswith("…")
