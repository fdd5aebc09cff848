"""Register the brand's TrueType families with ReportLab once per process, and check that
the text being set has every glyph (never a silent fallback to Helvetica)."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from ..errors import Diagnostic, Location, RenderError
from .brand import Brand

_REGISTERED: dict[Path, str] = {}
_FACES = ("regular", "bold", "italic", "bold_italic")


def _font_name(path: Path) -> str:
    """``bg-<file stem>``, made unique when another brand's file has the same stem (a name
    registered with ReportLab, and every width cached under it, belongs to one file)."""
    name = "bg-" + path.stem
    if name in _REGISTERED.values():
        name += "-" + hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return name


def register_brand_fonts(brand: Brand) -> dict[str, str]:
    """Register every family of the brand; returns role -> regular face font name."""
    families: dict[str, dict[str, str]] = {}
    for fam_id, faces in brand.font_paths.items():
        names = {}
        for face in _FACES:
            path = faces[face]
            if path not in _REGISTERED:
                name = _font_name(path)
                try:
                    pdfmetrics.registerFont(TTFont(name, str(path)))
                except (TTFError, OSError) as exc:
                    raise RenderError(f"{path}: cannot use font: {exc}") from None
                _REGISTERED[path] = name
            names[face] = _REGISTERED[path]
        families[fam_id] = names
        regular = names["regular"]
        addMapping(regular, 0, 0, names["regular"])
        addMapping(regular, 1, 0, names["bold"])
        addMapping(regular, 0, 1, names["italic"])
        addMapping(regular, 1, 1, names["bold_italic"])
    return {role: families[fam]["regular"] for role, fam in brand.sheet.fonts.roles.items()}


_FULL_ASCII: dict[str, bool] = {}


def missing_glyphs(font_name: str, text: str) -> list[str]:
    face = pdfmetrics.getFont(font_name).face
    cmap = face.charToGlyph
    if text.isascii() and text.isprintable():  # most text: answered once per font
        if font_name not in _FULL_ASCII:
            _FULL_ASCII[font_name] = all(n in cmap for n in range(32, 127))
        if _FULL_ASCII[font_name]:
            return []
    out = []
    for ch in dict.fromkeys(text):  # each distinct character once, in order of appearance
        if ord(ch) in cmap or ch in "\n\t" or unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        out.append(ch)
    return out


def check_glyphs(items: list[tuple[str, Location]], font_names: list[str]) -> None:
    """Raise RenderError naming each character the fonts lack, located at its text."""
    problems: list[Diagnostic] = []
    for text, where in items:
        for font_name in dict.fromkeys(font_names):
            for ch in missing_glyphs(font_name, text):
                family = font_name.removeprefix("bg-")
                name = unicodedata.name(ch, "unnamed character")
                problems.append(Diagnostic(where, "", f"character '{ch}' (U+{ord(ch):04X} "
                                           f"{name}) is not in font {family}"))
    if problems:
        raise RenderError("text uses characters the brand fonts do not have", problems)
