"""Register the brand's TrueType families with ReportLab once per process, and check again,
against the registered fonts themselves, that every character has a glyph (never a silent
fallback to Helvetica, never a blank box). The workspace has checked this before, from the
brand's record of each font; this second check guards against the two drifting apart."""

from __future__ import annotations

import contextlib
import hashlib
import struct
import unicodedata
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from ...errors import Diagnostic, RenderError
from ...resolve.model import Document
from ...validate.branding import FACES, Brand
from ...validate.fontfiles import BLANK_MESSAGE, DamagedFont, blank_letters, mostly_blank

_REGISTERED: dict[Path, str] = {}
_BLANK: dict[tuple[str, int], bool] = {}  # (font, code point) -> its glyph draws nothing


def _blank(font_name: str, code: int) -> bool:
    """Whether the glyph of ``code`` in a registered font has no outline or no width (it
    would not show): asked once per character and font, and only for mapped characters."""
    key = (font_name, code)
    found = _BLANK.get(key)
    if found is None:
        face = pdfmetrics.getFont(font_name).face
        found = _BLANK[key] = bool(blank_letters(face, face._ttf_data, (code,))[0])
    return found
_FACES = FACES


def _checked_subsets(face, path: Path) -> None:
    """Make ``face`` raise :class:`DamagedFont` where subsetting meets a damaged glyph.

    ReportLab reads a subset's glyph records only when it writes the PDF, with no check: a
    damaged record gives an IndexError (a component naming a glyph past the end) or a
    struct.error / TTFError (a record running past its data). ``check`` refuses such a font
    (see :func:`briefgen.validate.fontfiles.damaged_glyphs`); this is for a font that
    changed, or a font cache that lied, since."""
    make = face.makeSubset

    def make_subset(subset):
        try:
            return make(subset)
        except (IndexError, KeyError, struct.error, TTFError):
            from ...validate.fontfiles import damage_message, damaged_glyphs

            damaged = damaged_glyphs(face, face._ttf_data)
            raise DamagedFont(path, damage_message(face, damaged) if damaged else
                              "this font file is damaged (it cannot be embedded): replace "
                              "it with a good copy") from None

    face.makeSubset = make_subset


_NAMES: dict[Path, str] = {}  # every file given a name, registered or not yet


def _font_name(path: Path) -> str:
    """``bg-<file stem>``, made unique when another brand's file has the same stem (a name
    registered with ReportLab, and every width cached under it, belongs to one file)."""
    if path not in _NAMES:
        name = "bg-" + path.stem
        if name in _NAMES.values():
            name += "-" + hashlib.sha256(str(path).encode()).hexdigest()[:8]
        _NAMES[path] = name
    return _NAMES[path]


def register_font(path: Path) -> str:
    """Register one TrueType file (once per process); returns its ReportLab name. Raises
    :class:`DamagedFont` for a file ReportLab cannot read."""
    if path not in _REGISTERED:
        name = _font_name(path)
        try:
            font = TTFont(name, str(path))
        except Exception as exc:  # ReportLab on a damaged file: TTFError, struct.error,
            raise DamagedFont.unreadable(path, exc) from None  # even an AttributeError
        _checked_subsets(font.face, path)
        if mostly_blank(font.face, font.face._ttf_data):  # a font cache vouched for it
            raise DamagedFont(path, BLANK_MESSAGE)
        pdfmetrics.registerFont(font)
        _REGISTERED[path] = name
    return _REGISTERED[path]


def warm(paths: list[Path]) -> None:
    """Register ``paths`` ahead of need, once each (a worker waiting for its first job);
    a font that cannot be read is left for the document that needs it to report."""
    for path in paths:
        with contextlib.suppress(DamagedFont, RenderError):
            register_font(path)


def register_brand_fonts(brand: Brand, needed: set[Path] | None = None) -> dict[str, str]:
    """Register the brand's families; returns role -> the name its text is set in.

    Parsing a face costs about 10 ms: with ``needed`` (the files a document will set text
    in), only those and the regular face of each family they belong to are registered; the
    other faces keep their names and mappings, and are never drawn."""
    try:
        return _register_brand_fonts(brand, needed)
    except DamagedFont as exc:
        raise brand.font_error(exc.path, exc.problem) from None


def _register_brand_fonts(brand: Brand, needed: set[Path] | None) -> dict[str, str]:
    families: dict[str, dict[str, str]] = {}
    for fam_id, faces in brand.font_paths.items():
        used = needed is None or any(path in needed for path in faces.values())
        names = {face: (register_font(faces[face]) if needed is None or
                        faces[face] in needed or (used and face == "regular")
                        else _font_name(faces[face])) for face in _FACES}
        if not used:
            families[fam_id] = names
            continue
        handle = _family_handle(names)
        families[fam_id] = {**names, "regular": handle}
        addMapping(handle, 0, 0, names["regular"])
        addMapping(handle, 1, 0, names["bold"])
        addMapping(handle, 0, 1, names["italic"])
        addMapping(handle, 1, 1, names["bold_italic"])
    return {role: families[fam]["regular"] for role, fam in brand.sheet.fonts.roles.items()}


_FAMILIES: dict[str, tuple[str, ...]] = {}  # handle -> the family's four face names


def _family_handle(names: dict[str, str]) -> str:
    """The name a family is known by: its regular face's name, or an alias of it when
    another family shares that regular file with different bold or italic faces.

    ReportLab maps bold and italic by the regular face's name, so two families sharing a
    regular file (the default brand's ``lato`` for titles with Lato Black as its bold, and
    ``lato-text`` with Lato Bold) would otherwise share one mapping, and the last would win.
    The alias is another key for the same registered font object: one font in the PDF.
    """
    faces = tuple(names[f] for f in _FACES)
    handle = names["regular"]
    if _FAMILIES.setdefault(handle, faces) == faces:
        return handle
    alias = f"{handle}~{hashlib.sha256('/'.join(faces).encode()).hexdigest()[:8]}"
    if alias not in _FAMILIES:
        pdfmetrics._fonts[alias] = pdfmetrics.getFont(handle)  # no public aliasing call
        _FAMILIES[alias] = faces
    return alias


_FULL_ASCII: dict[str, bool] = {}


def has_printable_ascii(font_name: str) -> bool:
    """Whether the font has a glyph for every printable ASCII character (once per font)."""
    ok = _FULL_ASCII.get(font_name)
    if ok is None:
        cmap = pdfmetrics.getFont(font_name).face.charToGlyph
        ok = _FULL_ASCII[font_name] = all(n in cmap and not _blank(font_name, n)
                                          for n in range(32, 127))
    return ok


def missing_glyphs(font_name: str, text: str) -> list[str]:
    if text.isascii() and text.isprintable() and has_printable_ascii(font_name):
        return []  # most text: answered once per font
    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    out = []
    for ch in dict.fromkeys(text):  # each distinct character once, in order of appearance
        if (ord(ch) in cmap and not _blank(font_name, ord(ch))) or \
                ch in " \t\n\r\f\v" or unicodedata.category(ch) == "Cc":
            continue
        out.append(ch)
    return out


_FIXED_OK: set[tuple[str, str]] = set()  # (font, fixed text) with every glyph


def check_glyphs(doc: Document, brand: Brand) -> None:
    """Raise RenderError naming each character the registered fonts lack, at its text."""
    from .coverage import fixed_text, items

    problems: dict[tuple, list[str]] = {}
    fixed = fixed_text(doc.strings, brand)
    names: dict[tuple[str, str], str] = {}  # (role, face) -> registered font
    for text, role, face, origin in items(doc, brand):
        name = names.get((role, face))
        if name is None:
            path = brand.face(role, face)
            try:
                name = names[(role, face)] = register_font(path)
            except DamagedFont as exc:
                raise brand.font_error(exc.path, exc.problem) from None
        if text is fixed:  # the same for every document: asked once per font
            if (name, text) in _FIXED_OK:
                continue
            if not missing_glyphs(name, text):
                _FIXED_OK.add((name, text))
                continue
        for ch in missing_glyphs(name, text):
            problems.setdefault((origin.location, origin.key), []).append(ch)
    if problems:
        raise RenderError("text uses characters the brand fonts do not have", [
            Diagnostic(loc, key, "the font has no glyph for " + ", ".join(
                f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
                for ch in dict.fromkeys(chars)))
            for (loc, key), chars in problems.items()])
