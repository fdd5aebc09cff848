"""Text blocks: briefgen's own text setting, as Platypus flowables.

Why not ReportLab's ``Paragraph``: profiling the build showed it spent about 60 % of the
render time parsing its mini-XML markup for every paragraph, breaking lines again on every
``wrap()`` and passing each line fragment through several formatting layers. Our content
already arrives as typed spans, so a :class:`TextBlock` takes *runs* (text in a face, an
optional link, an optional footnote number), has them broken into lines once per width
(:mod:`.lines`: words measured once, greedy then optimal breaking, hyphenation), and writes
the PDF text operators itself. ``style.justify`` sets full lines justified (the last line
of a paragraph stays ragged). Shaped text (Myanmar) is drawn as glyphs with its text
attached for copying.

It stays a Flowable: frames, ``KeepTogether``, table cells and ``keepWithNext`` treat it as
they treated a Paragraph. It also carries the footnote logic (see :mod:`.footnotes`): each
line knows the footnote numbers whose markers it holds, so a split can keep every note on
the page of its marker exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFObject, PDFString
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.flowables import Flowable

from .fonts import has_printable_ascii
from .lines import Face, Line, Run, Word, interned, lines_of, text_width, words_of
from .shaping import COMPLEX, Shaped, actual_text, glyph_ops, shape

__all__ = ["Face", "Run", "TextBlock", "UriLink", "interned", "text_width"]


def _fill(canv, colour: Color) -> str:
    enforce = getattr(canv, "_enforceColorSpace", None)
    if enforce:
        colour = enforce(colour)
    if isinstance(colour, CMYKColor):
        d = colour.density
        cmyk = fp_str(d * colour.cyan, d * colour.magenta, d * colour.yellow, d * colour.black)
        return f"{cmyk} k"
    return f"{fp_str(colour.red, colour.green, colour.blue)} rg"


def _ascii_identity(font) -> bool:
    """Whether printable ASCII is encoded as itself in subset 0 of ``font``.

    ReportLab's ``splitString`` maps text to subset codes one character at a time. With
    ``asciiReadable`` (ReportLab's default) every printable ASCII character the font has
    is pre-assigned to its own code in subset 0, so for such text the answer is known.
    """
    return bool(getattr(font, "_asciiReadable", False)) and has_printable_ascii(font.fontName)


class _Writer:
    """Text operators for one BT … ET object, emitting font, colour and rise on change."""

    def __init__(self, canv):
        self.canv, self.doc = canv, canv._doc
        self.code: list[str] = ["BT"]
        self.font = self.colour = None
        self.rise = 0.0

    def move(self, x: float, y: float) -> None:
        self.code.append(f"1 0 0 1 {fp_str(x, y)} Tm")

    def show(self, text: str, face: Face) -> None:
        code, canv = self.code, self.canv
        if face.colour is not self.colour and face.colour != self.colour:
            code.append(_fill(canv, face.colour))
            self.colour = face.colour
        if face.rise != self.rise:
            code.append(f"{fp_str(face.rise)} Ts")
            self.rise = face.rise
        font = getFont(face.font)
        if text.isascii() and text.isprintable() and _ascii_identity(font):
            chunks: Iterable[tuple[int, bytes]] = ((0, text.encode("ascii")),)
        elif COMPLEX.search(text) is not None:  # a bullet or a line in a complex script
            self.show_shaped(text, shape(text, face.font), face)
            return
        else:
            chunks = font.splitString(text, self.doc)
        for subset, chunk in chunks:
            key = (face.font, subset, face.size)
            if key != self.font:
                name = font.getSubsetInternalName(subset, self.doc)
                code.append(f"{name} {fp_str(face.size)} Tf")
                self.font = key
            code.append(f"({canv._escape(chunk)}) Tj")

    def show_shaped(self, text: str, shaped: Shaped, face: Face) -> None:
        """Glyphs from HarfBuzz, in a span that carries ``text`` for copying and search."""
        code = self.code
        if face.colour is not self.colour and face.colour != self.colour:
            code.append(_fill(self.canv, face.colour))
            self.colour = face.colour
        code.append(actual_text(text))
        code.extend(glyph_ops(shaped, face.font, face.size, self.doc, face.rise))
        code.append("EMC")
        self.rise = face.rise
        self.font = None  # glyph_ops selected subset fonts of its own

    def finish(self) -> None:
        self.code.append("ET")
        self.canv._code.append("\n".join(self.code))


class TextBlock(Flowable):
    """A left-aligned block of runs in a ParagraphStyle (size, leading, indents, spacing,
    bullet). ``notes``/``outline`` tie it to the footnotes and the PDF outline."""

    def __init__(self, runs: list[Run], style, *, bullet: str | None = None,
                 state=None, outline: tuple[str, str, int] | None = None,
                 words: list[Word] | None = None, hyphenator=None):
        super().__init__()
        self.style = style
        self.bullet = bullet
        self.fn_state = state
        self.outline = outline  # (key, title, level): an outline entry where this starts
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self.keepWithNext = getattr(style, "keepWithNext", 0)
        self.hyphenator = hyphenator
        self._words = words if words is not None else words_of(runs)
        self._layout: tuple[float, list[Line]] | None = None
        self.origin = None  # (Location, key) of the text it sets, for layout errors

    # ------------------------------------------------------------------ layout
    def lines(self, avail_width: float) -> list[Line]:
        if self._layout is None or self._layout[0] != avail_width:
            style = self.style
            measure = avail_width - style.leftIndent - style.rightIndent
            if measure <= 0:  # nothing can be set (and a URL broken to fit would never end)
                raise LayoutError(f"no room for text: lines {measure:.1f} pt long")
            self._layout = (avail_width, lines_of(
                self._words, measure,
                getattr(style, "breaking", "greedy"), getattr(style, "justify", False),
                self.hyphenator))
        return self._layout[1]

    def _notes_height(self, notes: list[int]) -> float:
        if self.fn_state is None or not notes:
            return 0.0
        return self.fn_state.extra_height(notes)

    def wrap(self, availWidth, availHeight):
        lines = self.lines(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.style.leading
        notes_h = self._notes_height([n for line in lines for n in line.notes])
        if notes_h and self.height + notes_h > availHeight:
            return availWidth, self.height + notes_h  # too big: the frame asks us to split
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        lines = self.lines(availWidth)
        total, leading = len(lines), self.style.leading
        for n in range(min(total, int((availHeight + 1e-6) // leading)), 0, -1):
            if n < total and (n < 2 or total - n < 2):
                continue  # never a lone first line at a page foot or a lone last at the top
            notes = [x for line in lines[:n] for x in line.notes]
            if n * leading + self._notes_height(notes) <= availHeight + 1e-6:
                if n == total:
                    return [self]
                return [self._part(lines[:n], head=True), self._part(lines[n:], head=False)]
        return []

    def _part(self, lines: list[Line], head: bool) -> TextBlock:
        if not head:  # the tail starts a fresh line: no space before it, no forced break
            first = lines[0].words[0]
            lines = [Line([Word(first.pieces, first.width, None), *lines[0].words[1:]],
                           lines[0].notes), *lines[1:]]
        part = TextBlock([], self.style, bullet=self.bullet if head else None,
                         state=self.fn_state, outline=self.outline if head else None,
                         words=[w for line in lines for w in line.words],
                         hyphenator=self.hyphenator)
        if head:
            part.spaceAfter = 0
        else:
            part.spaceBefore = 0
        part._layout = (self._layout[0], lines)
        part.origin = self.origin
        return part

    # ------------------------------------------------------------------ drawing
    def draw(self):
        canv, style = self.canv, self.style
        lines = self.lines(self.width)
        leading = style.leading
        y = self.height - style.fontSize  # the first baseline, as ReportLab sets it
        if self.bullet:  # a text object of its own, so extraction keeps it a separate word
            out = _Writer(canv)
            out.move(style.bulletIndent, y)
            out.show(self.bullet, Face(style.bulletFontName, style.bulletFontSize,
                                       style.textColor))
            out.finish()
        out = _Writer(canv)
        links: list[list] = []
        justify = getattr(style, "justify", False)
        measure = self.width - style.leftIndent - style.rightIndent
        for line in lines:
            extra = _stretch(line, measure) if justify and not line.last else 0.0
            out.move(style.leftIndent, y)
            for run, text, x1, x2, glyphs in _segments(line, style.leftIndent, extra):
                if extra:
                    out.move(x1, y)
                if glyphs is not None:
                    out.show_shaped(text, glyphs, run.face)
                else:
                    out.show(text, run.face)
                if run.href:
                    last = links[-1] if links else None
                    if last and last[0] == run.href and last[2] == y and abs(last[3] - x1) < 1e-6:
                        last[3] = x2  # the same link continues on this line
                    else:
                        links.append([run.href, x1, y, x2, run.face.size])
            y -= leading
        out.finish()
        for href, x1, base, x2, size in links:
            bottom = base - size / 8.0
            rect = canv._absRect((x1, bottom, x2, bottom + leading), relative=1)
            canv._addAnnotation(UriLink(href, rect))

    def drawOn(self, canvas, x, y, _sW=0):
        if self.outline is not None:
            key, title, level = self.outline
            canvas.bookmarkHorizontal(key, 0, y + self.height)
            canvas.addOutlineEntry(title, key, level, closed=False)
        super().drawOn(canvas, x, y, _sW)
        state = self.fn_state
        if state is not None:
            notes = [n for line in self.lines(self.width) for n in line.notes]
            h = state.place(notes) if notes else 0.0
            if h:
                frame = getattr(state.doc, "frame", None)
                if frame is not None:
                    frame._y1p += h


def _stretch(line: Line, measure: float) -> float:
    """What each space of a justified line grows by."""
    spaces = [w.space[1] for w in line.words[1:] if w.space is not None and not w.joined]
    if not spaces:
        return 0.0
    natural = sum(w.width for w in line.words) + sum(spaces)
    return max(0.0, (measure - natural) / len(spaces))


def _differ(a: Face, b: Face) -> bool:
    """Faces compare by value (identity first, the cheap answer for interned faces): what a
    block draws never depends on which equal object its runs hold."""
    return a is not b and a != b


def _segments(line: Line, x: float, extra: float = 0.0):
    """(run, text, x1, x2) for each stretch of a line in one face and one link; with
    ``extra`` (justified), each word is a stretch of its own, the spaces widened."""
    out: list[tuple[Run, str, float, float, Shaped | None]] = []
    run: Run | None = None
    parts: list[str] = []
    glyphs: Shaped | None = None  # the glyphs of the stretch, when it is shaped text
    start = x
    first = True
    for word in line.words:
        space = None if first else word.space
        first = False
        if space is not None and extra:
            if run is not None:
                out.append((run, "".join(parts), start, x, glyphs))
            run, parts, glyphs = None, [], None
            x += space[1] + extra
            start = x
            space = None
        if space is not None:
            r = space[0]
            if glyphs is not None or (r is not run and (_differ(r.face, run.face) or
                                                        r.href != run.href)):
                out.append((run, "".join(parts), start, x, glyphs))
                run, parts, start, glyphs = r, [], x, None
            parts.append(" ")
            x += space[1]
        for piece in word.pieces:
            r = piece.run
            if piece.shaped is not None or glyphs is not None:  # shaped text: a span of
                if piece.shaped is not None and glyphs is not None and r is run:  # its own
                    parts.append(piece.text)
                    glyphs = glyphs.join(piece.shaped)
                    x += piece.width
                    continue
                if run is not None:
                    out.append((run, "".join(parts), start, x, glyphs))
                run, parts, start, glyphs = r, [piece.text], x, piece.shaped
                x += piece.width
                continue
            if run is None or (r is not run and (_differ(r.face, run.face) or
                                                 r.href != run.href)):
                if run is not None:
                    out.append((run, "".join(parts), start, x, glyphs))
                run, parts, start = r, [], x
            parts.append(piece.text)
            x += piece.width
    if run is not None:
        out.append((run, "".join(parts), start, x, glyphs))
    return out


class UriLink(PDFObject):
    """A link annotation that formats itself in one step.

    ``Canvas.linkURL`` builds three nested PDFDictionary objects per link, and formatting
    them was a tenth of the time to save a briefing with 60 links. The bytes are the same
    dictionary: an invisible border and a URI action (the string escaped by PDFString).
    """

    def __init__(self, uri: str, rect: tuple[float, float, float, float]):
        self.uri, self.rect = uri, rect

    def format(self, document) -> bytes:
        uri = PDFString(self.uri).format(document)
        return (b"<< /A << /S /URI /Type /Action /URI " + uri + b" >> /Border [ 0 0 0 ] "
                b"/Rect [ " + fp_str(*self.rect).encode() + b" ] /Subtype /Link /Type /Annot >>")
