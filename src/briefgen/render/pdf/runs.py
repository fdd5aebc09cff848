"""Runs for text blocks, built from content: spans, plain text, links and long URLs.

Content never passes through a markup language on its way to the page (ReportLab's
Paragraph parses a mini-XML, where a bare ``&`` or ``<b>`` in a statement would have needed
escaping), so what a spec says is what is printed. Control characters, which have no glyph,
are dropped.
"""

from __future__ import annotations

import re

from reportlab.lib.colors import Color
from reportlab.lib.fonts import tt2ps

from ...resolve.model import Span
from .lines import URL_BREAK as _URL_BREAK
from .lines import Face, Run, interned, text_width

# a web or e-mail address written out in text (not a link): as briefgen.resolve.typography
# finds them (a scheme, or www., or name@domain), without the full stop or bracket after it
_ADDRESS = re.compile(r"(?<![\w@.-])(?:(?:https?|mailto):|www\.)[^\s<>\"`]*"
                      r"[^\s<>\"'`.,;:!?()\[\]]|(?<![\w@.-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*"
                      r"\.[a-zA-Z]\w*", re.I)
# C0 and C1 control characters (category Cc) except tab and newline
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SUPERSCRIPT_RISE = 0.5  # of the font size, as ReportLab's <super>
SUPERSCRIPT_SHRINK = 0.2  # of the font size, at most 2 pt


class Faces:
    """The faces of one document: a style's font made bold, italic or monospaced, in the
    text or link colour. Faces are shared objects, so comparing them is cheap."""

    def __init__(self, mono_font: str, link_colour: Color, muted_colour: Color | None = None,
                 digits=str, marker_separator: str = ","):
        self.mono, self.link, self.muted = mono_font, link_colour, muted_colour
        self.digits = digits  # a number in the document's digits (footnote markers)
        self.marker_separator = marker_separator  # between markers at one place
        self._cache: dict[tuple, Face] = {}

    def face(self, style, *, bold: bool = False, italic: bool = False, mono: bool = False,
             link: bool = False, note: bool = False, muted: bool = False) -> Face:
        key = (style.name, bold, italic, mono, link, note, muted)
        face = self._cache.get(key)
        if face is None:
            base = self.mono if mono else style.fontName
            font = tt2ps(base, int(bold), int(italic)) if bold or italic else base
            size, rise = style.fontSize, 0.0
            if note:
                rise = size * SUPERSCRIPT_RISE
                size = size - min(2.0, SUPERSCRIPT_SHRINK * size)
            colour = self.link if link else style.textColor
            if muted and self.muted is not None:
                colour = self.muted
            face = self._cache[key] = interned(Face(font, size, colour, rise))
        return face


class Text:
    """The runs of one block in one style: ``Text(faces, style).add("x", bold=True).br()``."""

    def __init__(self, faces: Faces, style):
        self.faces, self.style = faces, style
        self.runs: list[Run] = []
        self._after_note = False

    def add(self, text: str, *, bold: bool = False, italic: bool = False, mono: bool = False,
            href: str | None = None, muted: bool = False, nobreak: bool = False) -> Text:
        face = self.faces.face(self.style, bold=bold, italic=italic, mono=mono,
                               link=href is not None, muted=muted)
        text = _CONTROL.sub("", text)
        if href is None and not mono and not nobreak and \
                ("@" in text or ":" in text or "www." in text.lower()):
            # an address written out is never hyphenated, nor broken after its own hyphens
            # (a reader would type the wrong address): it breaks by the book (lines.URL_BREAK)
            start = 0
            for m in _ADDRESS.finditer(text):
                if m.start() > start:
                    self.runs.append(Run(text[start:m.start()], face))
                self.runs.append(Run(m.group(0), face, nohyph=True, url=True))
                start = m.end()
            if start:
                if start < len(text):
                    self.runs.append(Run(text[start:], face))
                self._after_note = False
                return self
        self.runs.append(Run(text, face, href, nohyph=mono, nobreak=nobreak))
        self._after_note = False
        return self

    def note(self, number: int) -> Text:
        """A footnote marker; markers in a row are separated by commas."""
        sep = self.faces.marker_separator if self._after_note else ""
        self.runs.append(Run(f"{sep}{self.faces.digits(number)}",
                             self.faces.face(self.style, note=True), note=number))
        self._after_note = True
        return self

    def br(self) -> Text:
        self.runs.append(Run("", self.faces.face(self.style), br=True))
        self._after_note = False
        return self

    def spans(self, spans: list[Span]) -> Text:
        for span in spans:
            if span.note is not None:
                self.note(span.note)
            else:
                self.add(span.text, bold=span.bold, italic=span.italic, mono=span.code,
                         href=span.href)
        return self

    def url(self, url: str, width: float) -> Text:
        """The address as a link, broken into lines by the book (:func:`break_url`)."""
        face = self.faces.face(self.style, link=True)
        for i, line in enumerate(break_url(url, face.font, face.size, width * 0.98)):
            if i:
                self.br()
            self.runs.append(Run(_CONTROL.sub("", line), face, url))
        self._after_note = False
        return self


def break_url(url: str, font: str, size: float, width: float,
              first_width: float | None = None) -> list[str]:
    """Split a long URL into lines that fit ``width``, at the breaks of Chicago 14.18
    (after ``//``, ``/``, ``:``; before ``. , ? # % ~ - _``; before or after ``=`` and ``&``).

    A piece with no break point that is still too wide is cut by characters. Widths are
    summed piece by piece (text is set without kerning, so a line is as wide as its pieces).
    """
    lines: list[str] = []
    current, current_w = "", 0.0
    limit = first_width if first_width is not None else width
    for piece in _URL_BREAK.split(url):
        if not piece:
            continue
        w = text_width(piece, font, size)
        if current_w + w <= limit:
            current, current_w = current + piece, current_w + w
            continue
        if current:
            lines.append(current)
            limit = width
        while piece and w > limit:  # a character wider than the line: alone on it
            cut = len(piece)
            while cut > 1 and text_width(piece[:cut], font, size) > limit:
                cut -= 1
            lines.append(piece[:cut])
            piece = piece[cut:]
            w = text_width(piece, font, size)
            limit = width
        current, current_w = piece, w
    if current:
        lines.append(current)
    return lines
