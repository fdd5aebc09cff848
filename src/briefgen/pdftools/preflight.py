"""``briefgen preflight``: what a print shop would reject in any PDF, ours or not.

Checked per page: fonts that are not embedded; colour that is not CMYK (RGB, grey, Lab,
ICC-based RGB or grey, in content streams, shadings, shading and tiling patterns and images,
also inside form XObjects, which inherit the colour spaces current where they are drawn, and
in the appearances of annotations that print);
missing or inconsistent TrimBox/BleedBox and bleed under 3 mm; a trim size other than the
brand's; raster images under 300 dpi at the size they are placed. The colour, box and image
checks apply in print mode, which is the default for a PDF that has a TrimBox.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject

MM = 72 / 25.4
MIN_DPI = 300
MIN_BLEED_MM = 3.0
_TOLERANCE = 0.01  # points: boxes are written with 5 decimals


@dataclass
class Problem:
    page: int | None  # 1-based; None for the whole file
    message: str

    def __str__(self) -> str:
        return f"page {self.page}: {self.message}" if self.page else self.message


@dataclass
class _Page:
    """What one page's content uses, gathered while walking its streams."""

    colours: Counter = field(default_factory=Counter)  # "RGB colour (rg)" -> count
    fonts: dict[str, bool] = field(default_factory=dict)  # base font -> embedded
    images: list[tuple[str, float, str]] = field(default_factory=list)  # name, dpi, space


def colour_space_kind(space, resources: DictionaryObject | None = None) -> str:
    """'cmyk', 'rgb', 'gray', 'lab', 'separation', 'pattern' or 'unknown' for a colour space
    given as a name (device or resource name) or an array."""
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, (NameObject, str)):
        name = str(space)
        device = {"/DeviceCMYK": "cmyk", "/DeviceRGB": "rgb", "/DeviceGray": "gray",
                  "/CMYK": "cmyk", "/RGB": "rgb", "/G": "gray", "/Pattern": "pattern"}
        if name in device:
            return device[name]
        spaces = resources.get("/ColorSpace") if resources else None
        spaces = spaces.get_object() if spaces is not None else None
        if spaces is not None and name in spaces:
            return colour_space_kind(spaces[name], resources)
        return "unknown"
    if isinstance(space, ArrayObject) and space:
        family = str(space[0])
        if family == "/ICCBased":
            n = int(space[1].get_object().get("/N", 0))
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(n, "unknown")
        if family in ("/Separation", "/DeviceN"):
            return "separation"
        if family in ("/Indexed", "/I"):
            return colour_space_kind(space[1], resources)
        if family == "/Lab":
            return "lab"
        if family == "/Pattern":
            return "pattern"
        if family in ("/CalRGB",):
            return "rgb"
        if family in ("/CalGray",):
            return "gray"
    return "unknown"


_NON_CMYK = {"rgb": "RGB colour", "gray": "grey colour", "lab": "Lab colour",
             "unknown": "colour in an unknown space"}


def _font_embedded(font: DictionaryObject) -> bool:
    font = font.get_object()
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True  # glyphs are drawn by the font's own procedures
    if subtype == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _mul(a: list[float], b: list[float]) -> list[float]:
    """Concatenate PDF matrices: ``a`` applied first, then ``b``."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


class _Walker:
    """Walks a page's content stream (and the forms it draws), keeping the CTM and the
    current colour spaces, and records colours, fonts and placed images."""

    def __init__(self, reader: PdfReader, found: _Page):
        self.reader, self.found = reader, found

    def fonts(self, resources: DictionaryObject | None) -> None:
        fonts = resources.get("/Font") if resources else None
        for ref in (fonts.get_object().values() if fonts is not None else []):
            font = ref.get_object()
            name = str(font.get("/BaseFont", "/unnamed")).lstrip("/")
            self.found.fonts[name] = self.found.fonts.get(name, True) and _font_embedded(font)

    def colour(self, kind: str, operator: str) -> None:
        if kind in _NON_CMYK:
            self.found.colours[f"{_NON_CMYK[kind]} ({operator})"] += 1

    def image(self, name: str, obj: DictionaryObject, ctm: list[float],
              resources: DictionaryObject | None) -> None:
        width_px, height_px = int(obj.get("/Width", obj.get("/W", 0))), int(
            obj.get("/Height", obj.get("/H", 0)))
        placed_w = math.hypot(ctm[0], ctm[1]) / 72
        placed_h = math.hypot(ctm[2], ctm[3]) / 72
        dpi = min(width_px / placed_w if placed_w else math.inf,
                  height_px / placed_h if placed_h else math.inf)
        if obj.get("/ImageMask") or obj.get("/IM"):
            space = "mask"  # painted in the current fill colour, checked there
        else:
            space = colour_space_kind(obj.get("/ColorSpace", obj.get("/CS", "/unknown")),
                                      resources)
        self.found.images.append((name, dpi, space))

    def walk(self, content, resources: DictionaryObject | None, ctm: list[float],
             depth: int = 0, fill: str = "gray", stroke: str = "gray",
             spaces: tuple = (None, None)) -> None:
        """Walk a content stream. A page's starts in grey (the initial colour space); a
        form's or a pattern's in the spaces current where it is drawn (it inherits the
        graphics state: a CMYK file may select DeviceCMYK once and set colours by ``sc``
        inside its forms)."""
        if depth > 8:
            return
        self.fonts(resources)
        stack: list[tuple[list[float], str, str, object, object]] = []
        fill_space, stroke_space = spaces  # the spaces as given, for patterns
        for operands, op in ContentStream(content, self.reader).operations:
            op = op.decode("latin-1") if isinstance(op, bytes) else op
            if op == "q":
                stack.append((ctm, fill, stroke, fill_space, stroke_space))
            elif op == "Q" and stack:
                ctm, fill, stroke, fill_space, stroke_space = stack.pop()
            elif op == "cm":
                ctm = _mul([float(x) for x in operands], ctm)
            elif op in ("rg", "RG"):
                self.colour("rgb", op)
                fill, stroke = ("rgb", stroke) if op == "rg" else (fill, "rgb")
            elif op in ("g", "G"):
                self.colour("gray", op)
                fill, stroke = ("gray", stroke) if op == "g" else (fill, "gray")
            elif op in ("k", "K"):
                fill, stroke = ("cmyk", stroke) if op == "k" else (fill, "cmyk")
            elif op == "cs":
                fill, fill_space = colour_space_kind(operands[0], resources), operands[0]
            elif op == "CS":
                stroke, stroke_space = colour_space_kind(operands[0], resources), operands[0]
            elif op in ("sc", "scn", "SC", "SCN"):
                kind, space = (fill, fill_space) if op in ("sc", "scn") else \
                    (stroke, stroke_space)
                if kind == "pattern":
                    self.pattern(operands, space, resources, ctm, depth, op)
                else:
                    self.colour(kind, op)
            elif op == "sh":
                shadings = resources.get("/Shading") if resources else None
                shading = shadings.get_object().get(operands[0]) if shadings else None
                if shading is not None:
                    space = shading.get_object().get("/ColorSpace", "/unknown")
                    self.colour(colour_space_kind(space, resources), "sh")
            elif op == "INLINE IMAGE":
                self.image("inline image", operands["settings"], ctm, resources)
            elif op == "Do":  # a form inherits the spaces, looked up where they were set
                self.draw_xobject(str(operands[0]), resources, ctm, depth, fill, stroke,
                                  (_resolved(fill_space, resources),
                                   _resolved(stroke_space, resources)))

    def pattern(self, operands, space, resources: DictionaryObject | None,
                ctm: list[float], depth: int, op: str) -> None:
        """A pattern set as the colour: a shading pattern is in its shading's colour space;
        a coloured tiling pattern in the colours its own content sets; an uncoloured one in
        the base space of the pattern colour space (``[/Pattern /DeviceRGB]``)."""
        if not operands or not isinstance(operands[-1], NameObject):
            self.colour("unknown", op)
            return
        patterns = resources.get("/Pattern") if resources else None
        patterns = patterns.get_object() if patterns is not None else None
        pattern = patterns.get(operands[-1]) if patterns is not None else None
        if pattern is None:
            self.colour("unknown", op)
            return
        pattern = pattern.get_object()
        if int(pattern.get("/PatternType", 0)) == 2:
            shading = pattern.get("/Shading")
            shading = shading.get_object() if shading is not None else {}
            self.colour(colour_space_kind(shading.get("/ColorSpace", "/unknown"), resources),
                        f"{op} pattern")
            return
        if int(pattern.get("/PaintType", 1)) == 2:  # uncoloured: the base space's colour
            base = _pattern_base(space, resources)
            self.colour(colour_space_kind(base, resources) if base is not None else "unknown",
                        f"{op} pattern")
            return
        inner = pattern.get("/Resources")
        matrix = [float(x) for x in pattern.get("/Matrix", [1, 0, 0, 1, 0, 0])]
        self.walk(pattern, inner.get_object() if inner is not None else None,
                  _mul(matrix, ctm), depth + 1)

    def draw_xobject(self, name: str, resources, ctm: list[float], depth: int,
                     fill: str = "gray", stroke: str = "gray",
                     spaces: tuple = (None, None)) -> None:
        xobjects = resources.get("/XObject") if resources else None
        if xobjects is None or name not in xobjects.get_object():
            return
        obj = xobjects.get_object()[name].get_object()
        if obj.get("/Subtype") == "/Image":
            self.image(name.lstrip("/"), obj, ctm, resources)
        elif obj.get("/Subtype") == "/Form":
            self.form(obj, resources, ctm, depth + 1, fill, stroke, spaces)

    def form(self, obj, resources, ctm: list[float], depth: int, fill: str = "gray",
             stroke: str = "gray", spaces: tuple = (None, None)) -> None:
        matrix = [float(x) for x in obj.get("/Matrix", [1, 0, 0, 1, 0, 0])]
        inner = obj.get("/Resources")
        self.walk(obj, inner.get_object() if inner is not None else resources,
                  _mul(matrix, ctm), depth, fill, stroke, spaces)

    def annotations(self, page) -> None:
        """The appearances of the annotations that print (flag Print, not Hidden): what a
        printer renders on the page, like its content."""
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            flags = int(annot.get("/F", 0))
            if not flags & 4 or flags & 2:
                continue
            normal = (annot.get("/AP") or {}).get("/N")
            if normal is None:
                continue
            normal = normal.get_object()
            if "/Subtype" not in normal and "/BBox" not in normal:  # appearance states
                state = annot.get("/AS")
                chosen = [normal[state]] if state is not None and state in normal else \
                    list(normal.values())
            else:
                chosen = [normal]
            for stream in chosen:
                stream = stream.get_object()
                if hasattr(stream, "get_data"):
                    self.form(stream, None, [1, 0, 0, 1, 0, 0], 1)


def _resolved(space, resources: DictionaryObject | None):
    """A colour space named in ``resources`` (/CS0) as the space itself, so that a form
    with resources of its own still knows it."""
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, NameObject):
        spaces = resources.get("/ColorSpace") if resources else None
        spaces = spaces.get_object() if spaces is not None else None
        if spaces is not None and space in spaces:
            return spaces[space].get_object()
    return space


def _pattern_base(space, resources: DictionaryObject | None):
    """The base colour space of a pattern colour space (``[/Pattern base]``), if any."""
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, NameObject) and str(space) != "/Pattern":
        spaces = resources.get("/ColorSpace") if resources else None
        spaces = spaces.get_object() if spaces is not None else None
        if spaces is not None and space in spaces:
            return _pattern_base(spaces[space], resources)
        return None
    if isinstance(space, ArrayObject) and len(space) > 1 and str(space[0]) == "/Pattern":
        return space[1]
    return None


def _box(page, name: str) -> tuple[float, float, float, float] | None:
    raw = page.get(name)
    if raw is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in raw.get_object())
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - _TOLERANCE and inner[1] >= outer[1] - _TOLERANCE
            and inner[2] <= outer[2] + _TOLERANCE and inner[3] <= outer[3] + _TOLERANCE)


def _box_problems(page, number: int, trim_size: tuple[float, float] | None,
                  first_trim: list) -> list[Problem]:
    out: list[Problem] = []
    media = _box(page, "/MediaBox")
    trim, bleed = _box(page, "/TrimBox"), _box(page, "/BleedBox")
    if trim is None:
        out.append(Problem(number, "no TrimBox (the finished page size is not set)"))
    if bleed is None:
        out.append(Problem(number, "no BleedBox"))
    if trim and media and not _inside(trim, media):
        out.append(Problem(number, "TrimBox reaches outside the MediaBox"))
    if trim and bleed:
        if not _inside(trim, bleed):
            out.append(Problem(number, "TrimBox is not inside the BleedBox"))
        else:
            least = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2],
                        bleed[3] - trim[3]) / MM
            if least < MIN_BLEED_MM - 0.01:
                out.append(Problem(number, f"bleed is {least:.1f} mm; at least "
                                           f"{MIN_BLEED_MM:g} mm is needed"))
        if media and not _inside(bleed, media):
            out.append(Problem(number, "BleedBox reaches outside the MediaBox"))
    if trim:
        size = (trim[2] - trim[0], trim[3] - trim[1])
        if trim_size and (abs(size[0] - trim_size[0]) > 1 or abs(size[1] - trim_size[1]) > 1):
            out.append(Problem(number, f"trim size {size[0] / MM:.1f} x {size[1] / MM:.1f} mm "
                                       f"is not the brand's {trim_size[0] / MM:.1f} x "
                                       f"{trim_size[1] / MM:.1f} mm"))
        if not first_trim:
            first_trim.append(size)
        elif abs(size[0] - first_trim[0][0]) > 1 or abs(size[1] - first_trim[0][1]) > 1:
            out.append(Problem(number, "trim size differs from page 1"))
    return out


def preflight(path: Path, *, print_mode: bool | None = None,
              trim_size: tuple[float, float] | None = None) -> list[Problem]:
    """Every problem found in the PDF at ``path``; an empty list means it passed.

    ``print_mode`` None means: print checks when the first page has a TrimBox.
    ``trim_size`` (points) is the brand's finished page size, checked when given.
    """
    try:
        reader = PdfReader(path)
        pages = list(reader.pages)
    except (OSError, PdfReadError, ValueError) as exc:
        return [Problem(None, f"not a readable PDF: {exc}")]
    if not pages:
        return [Problem(None, "the PDF has no pages")]
    if print_mode is None:
        print_mode = "/TrimBox" in pages[0]
    problems: list[Problem] = []
    first_trim: list = []
    for number, page in enumerate(pages, start=1):
        found = _Page()
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        contents = page.get_contents()
        walker = _Walker(reader, found)
        if contents is not None:
            walker.walk(contents, resources, [1, 0, 0, 1, 0, 0])
        walker.annotations(page)
        for name, embedded in sorted(found.fonts.items()):
            if not embedded:
                problems.append(Problem(number, f"font {name} is not embedded"))
        if not print_mode:
            continue
        for what, count in sorted(found.colours.items()):
            problems.append(Problem(number, f"{what} used {count} time{'s' * (count != 1)}"))
        for name, dpi, space in found.images:
            if dpi < MIN_DPI:
                problems.append(Problem(number, f"image {name} is {dpi:.0f} dpi as placed; "
                                                f"print needs {MIN_DPI}"))
            if space in _NON_CMYK:
                problems.append(Problem(number, f"image {name} is in {_NON_CMYK[space]}"))
        problems.extend(_box_problems(page, number, trim_size, first_trim))
    return problems
