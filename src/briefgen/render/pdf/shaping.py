"""Shaping complex scripts with HarfBuzz, and writing the glyphs so text stays text.

Latin text needs no shaping: one character is one glyph, and the text blocks set it from
the font's character widths (the fast path, unchanged). Myanmar script does: a vowel sign
stored after its consonant is drawn before it (ေ), a medial wraps round it (ြ), consonants
stack (္), kinzi (င်္) rides above the next one, and marks are moved to fit. HarfBuzz, the
shaping engine of browsers and office suites, turns a run of characters into the font's
glyphs, in drawing order, with their advances and offsets: :func:`shape`.

A PDF shows *glyphs* by codes of a font subset. ReportLab's subsets map characters to
codes, so each glyph is written as a character that the font maps to it (a glyph no
character maps to, such as a stacked form, gets a private-use code point of its own,
``U+E000`` + glyph id, the same in every process so output stays byte-identical).
The glyphs come out in visual order with codes that mean little as text, so every shaped
piece is wrapped in a marked-content span whose ``/ActualText`` is the original text:
viewers and ``pdftotext`` copy and search the Unicode text as it was written, in logical
order. Positions follow HarfBuzz exactly: ``TJ`` adjustments for advances and horizontal
offsets, text rise for vertical offsets.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont

from .myanmar import MYANMAR, is_myanmar, syllable_breaks

#: the scripts briefgen shapes (the rest takes the fast path)
COMPLEX = re.compile(f"[{MYANMAR}]")
#: the private-use area where glyphs with no character of their own get a code
_PRIVATE, _PRIVATE_END = 0xE000, 0xF8FF
_UNSAFE_TO_BREAK = 1


@dataclass(frozen=True, slots=True)
class Glyph:
    gid: int
    cluster: int  # index in the shaped text of the first character it comes from
    advance: float  # at 1 pt
    dx: float  # offset at 1 pt
    dy: float
    unsafe: bool  # HarfBuzz: breaking the line before this glyph would change the shaping


@dataclass(frozen=True, slots=True)
class Shaped:
    """The glyphs of a piece of text in one font, and their total advance at 1 pt."""

    glyphs: tuple[Glyph, ...]
    width: float

    def join(self, other: Shaped) -> Shaped:
        """These glyphs, then ``other``'s (clusters are no longer meaningful)."""
        return Shaped(self.glyphs + other.glyphs, self.width + other.width)

    def slice(self, start: int, end: int) -> Shaped:
        """The glyphs of characters ``start`` to ``end`` (cluster boundaries)."""
        part = tuple(g for g in self.glyphs if start <= g.cluster < end)
        return Shaped(part, sum(g.advance for g in part))


def is_complex(text: str) -> bool:
    return COMPLEX.search(text) is not None


@lru_cache(maxsize=64)
def _hb(font_name: str):
    import uharfbuzz as hb

    face = getFont(font_name).face
    hb_face = hb.Face(hb.Blob(face._ttf_data))
    return hb.Font(hb_face), hb_face.upem


@lru_cache(maxsize=50_000)
def shape(text: str, font_name: str, language: str = "my") -> Shaped:
    """HarfBuzz's glyphs for ``text`` in the registered font ``font_name``."""
    import uharfbuzz as hb

    font, upem = _hb(font_name)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    if buf.script == "Mymr":
        buf.language = language
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(font, buf, {})
    scale = 1.0 / upem
    glyphs = tuple(Glyph(info.codepoint, info.cluster, pos.x_advance * scale,
                         pos.x_offset * scale, pos.y_offset * scale,
                         bool(int(info.flags) & _UNSAFE_TO_BREAK))
                   for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True))
    return Shaped(glyphs, sum(g.advance for g in glyphs))


def shape_line(text: str, font_name: str) -> Shaped:
    """A line that may mix scripts (a footer: a Latin name and Burmese words), shaped run
    by run, one script at a time, as HarfBuzz needs."""
    parts = [m.group(0) for m in _SCRIPT_RUNS.finditer(text)]
    out = Shaped((), 0.0)
    for part in parts:
        out = out.join(shape(part, font_name))
    return out


_SCRIPT_RUNS = re.compile(f"[{MYANMAR}]+|[^{MYANMAR}]+")


def draw_line(canv, x: float, y: float, text: str, font_name: str, size: float,
              align: str = "left") -> None:
    """``canv.drawString`` (``drawRightString``, ``drawCentredString``) that shapes complex
    scripts; text with none is drawn by the canvas exactly as before. The canvas's fill
    colour is used."""
    if COMPLEX.search(text) is None:
        canv.setFont(font_name, size)
        draw = {"left": canv.drawString, "right": canv.drawRightString,
                "centre": canv.drawCentredString}[align]
        draw(x, y, text)
        return
    shaped = shape_line(text, font_name)
    width = shaped.width * size
    x -= {"left": 0.0, "right": width, "centre": width / 2}[align]
    code = ["BT", f"1 0 0 1 {fp_str(x, y)} Tm", actual_text(text),
            *glyph_ops(shaped, font_name, size, canv._doc, 0.0), "EMC", "ET"]
    canv._code.append("\n".join(code))


def line_width(text: str, font_name: str, size: float) -> float:
    """The width :func:`draw_line` gives ``text``."""
    if COMPLEX.search(text) is None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(text, font_name, size)
    return shape_line(text, font_name).width * size


def safe_breaks(shaped: Shaped, cuts: list[int]) -> list[int]:
    """The cuts (character offsets) where the glyphs may be split without shaping again:
    a glyph starts exactly there and HarfBuzz did not mark it unsafe to break."""
    starts = {}
    for i, g in enumerate(shaped.glyphs):
        starts.setdefault(g.cluster, i)
    out = []
    for cut in cuts:
        i = starts.get(cut)
        if i is not None and not shaped.glyphs[i].unsafe:
            out.append(cut)
    return out


def segments(text: str, before: str, font_name: str, size: float, width, cut: bool = True
             ) -> list[list[tuple[str, float, Shaped | None]]]:
    """``text`` (no spaces, some Myanmar) as groups of (text, width, glyphs) pieces, a line
    break allowed between groups: its Myanmar stretches shaped and, with ``cut``, cut at
    their syllable boundaries where HarfBuzz says the glyphs may be split; its other
    characters as plain pieces measured by ``width(text)``. An empty first group means a
    break is allowed before the text itself (it continues a word that ended in Myanmar
    text in another face: ``before`` is that word's last character)."""
    breaks = set(syllable_breaks(text, before)) if cut else set()
    groups: list[list[tuple[str, float, Shaped | None]]] = [[]]
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        mine = is_myanmar(text[i])
        while j < n and is_myanmar(text[j]) == mine:
            j += 1
        if not mine:
            if i in breaks and groups[-1]:
                groups.append([])
            groups[-1].append((text[i:j], width(text[i:j]), None))
            i = j
            continue
        shaped = shape(text[i:j], font_name)
        cuts = safe_breaks(shaped, [b - i for b in sorted(breaks) if i < b < j])
        if i in breaks:  # only at 0: a break needs a Myanmar character before it
            groups.append([])
        bounds = [0, *cuts, j - i]
        for k, (a, b) in enumerate(itertools.pairwise(bounds)):
            if k:
                groups.append([])
            part = shaped.slice(a, b) if cuts else shaped
            groups[-1].append((text[i + a:i + b], part.width * size, part))
        i = j
    return groups


def glyph_char(font, gid: int) -> str:
    """The character that stands for glyph ``gid`` in ``font``'s subsets: one the font
    maps to it, else a private-use code point registered for it (deterministically)."""
    face = font.face
    for code in face.glyphToChar.get(gid, ()):
        if code >= 0x20 and code != 0xA0 and face.charToGlyph.get(code) == gid:
            return chr(code)
    font_hb, upem = _hb(font.fontName)
    code = _PRIVATE + gid
    while code in face.charToGlyph and face.charToGlyph[code] != gid:
        code += 0x1000  # the font maps this code itself: the next candidate, the same always
    if code > _PRIVATE_END:
        code = 0xF0000 + gid  # supplementary private use: never mapped by a font here
    if code not in face.charToGlyph:
        face.charToGlyph[code] = gid
        face.glyphToChar.setdefault(gid, []).append(code)
        face.charWidths[code] = round(font_hb.get_glyph_h_advance(gid) * 1000 / upem)
    return chr(code)


def actual_text(text: str) -> str:
    """The marked-content operator that gives a span of glyphs its Unicode text."""
    return f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC"


def glyph_ops(shaped: Shaped, font_name: str, size: float, doc, rise: float) -> list[str]:
    """PDF operators that show ``shaped`` at ``size`` from the current text position.

    The caller has set colour and position; the subset font is selected here (``Tf``, so
    the caller must select its font again after) and the rise is restored to ``rise``.
    """
    font = getFont(font_name)
    chars = "".join(glyph_char(font, g.gid) for g in shaped.glyphs)
    codes: list[tuple[int, int]] = []
    for subset, chunk in font.splitString(chars, doc):
        codes.extend((subset, b) for b in chunk)
    widths = font.face.charWidths
    ops: list[str] = []
    tj: list[str] = []
    current_subset = None
    current_rise = rise

    def flush() -> None:
        if tj:
            ops.append(f"[{' '.join(tj)}] TJ")
            tj.clear()

    for glyph, ch, (subset, code) in zip(shaped.glyphs, chars, codes, strict=True):
        if subset != current_subset:
            flush()
            ops.append(f"{font.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
            current_subset = subset
        y = rise + glyph.dy * size
        if abs(y - current_rise) > 1e-6:
            flush()
            ops.append(f"{fp_str(y)} Ts")
            current_rise = y
        before = -glyph.dx * 1000
        drawn = widths.get(ord(ch), 0)
        after = -(glyph.advance * 1000 - drawn) + glyph.dx * 1000
        if abs(before) > 0.05:
            tj.append(fp_str(before))
        tj.append(f"<{code:02X}>")
        if abs(after) > 0.05:
            tj.append(fp_str(after))
    flush()
    if abs(current_rise - rise) > 1e-6:
        ops.append(f"{fp_str(rise)} Ts")
    return ops
