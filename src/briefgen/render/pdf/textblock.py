"""Text blocks: briefgen's own line breaking and text setting, as Platypus flowables.

Why not ReportLab's ``Paragraph``: profiling the build showed it spent about 60 % of the
render time parsing its mini-XML markup for every paragraph, breaking lines again on every
``wrap()`` and passing each line fragment through several formatting layers. Our content
already arrives as typed spans, so a :class:`TextBlock` takes *runs* (text in a face, an
optional link, an optional footnote number), measures each word once (widths are cached per
font), breaks lines greedily, and writes the PDF text operators itself.

Greedy breaking is the first pass for every block. A block whose style asks for it
(``style.breaking``: ``"optimal"`` for body text, ``"balance"`` for titles and headings) is
broken again by the total-fit optimiser of :mod:`.linebreak` when greedy breaking gave it
three lines or more (two when balancing), with hyphenation where the block has a
hyphenator: no runts, an even right edge, balanced titles. ``style.justify`` sets full lines
justified (the last line of a paragraph stays ragged).

Complex scripts (Myanmar) take another path through the same steps: each run of Myanmar text
is shaped by HarfBuzz (:mod:`.shaping`), measured by its shaped advances, cut at its
syllable boundaries (:mod:`.myanmar`) into parts that follow each other with no space (a
line may end between them, and nothing is added there), and drawn as glyphs with its text
attached for copying. Text without a Myanmar character never touches that path.

It stays a Flowable: frames, ``KeepTogether``, table cells and ``keepWithNext`` treat it as
they treated a Paragraph. It also carries the footnote logic (see :mod:`.footnotes`): each
line knows the footnote numbers whose markers it holds, so a split can keep every note on
the page of its marker exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFObject, PDFString
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.flowables import Flowable

from .fonts import has_printable_ascii
from .linebreak import hyphens_cannot_help, optimal_breaks_cost
from .shaping import COMPLEX, Shaped, actual_text, glyph_ops, segments, shape

_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")  # collapsed like HTML; no-break space is kept
_WIDTH_CACHE: dict[tuple[str, str], float] = {}  # (font, text) -> width at 1 pt
#: run lists -> (the runs, their words). A fact's statement or a source's note comes back in
#: every briefing that uses it, so most blocks a worker lays out it has laid out before. The
#: key holds each run's face by identity: faces are interned (:func:`interned`), and an entry
#: keeps its runs, hence their faces, alive, so an id in a key is never reused while the entry
#: exists. Words are never changed once made (line breaking makes new ones).
_WORDS_CACHE: dict[tuple, tuple[tuple[Run, ...], list[_Word]]] = {}
_FACES: dict[Face, Face] = {}
_COLOURS: dict[Color, Color] = {}
#: (id of a word list, width, breaking, justify, id of a hyphenator) -> (words, hyphenator,
#: lines): see :func:`lines_of`
_LINES_CACHE: dict[tuple, tuple[list[_Word], object, list[_Line]]] = {}
MAX_HELD = 60_000  # words and lines in the two caches together (see :func:`_hold`)
_HELD = 0


@dataclass(frozen=True, slots=True)
class Face:
    """A font at a size, in a colour, raised by ``rise`` points (superscript)."""

    font: str
    size: float
    colour: Color
    rise: float = 0.0


@dataclass(frozen=True, slots=True)
class Run:
    """Text in one face. ``href`` makes it a link; ``note`` marks a footnote reference;
    ``br`` is a forced line break (its text is ignored)."""

    text: str
    face: Face
    href: str | None = None
    note: int | None = None
    br: bool = False
    nohyph: bool = False  # never hyphenated (code)
    nobreak: bool = False  # never broken inside (a date after a statement)


def text_width(text: str, font: str, size: float) -> float:
    """Advance width of ``text``; widths are cached per font at 1 pt (a pure function)."""
    key = (font, text)
    w = _WIDTH_CACHE.get(key)
    if w is None:
        if len(_WIDTH_CACHE) > 200_000:
            _WIDTH_CACHE.clear()
        w = _WIDTH_CACHE[key] = stringWidth(text, font, 1000) / 1000
    return w * size


@dataclass(slots=True)
class _Piece:
    run: Run
    text: str
    width: float
    shaped: Shaped | None = None  # glyphs from HarfBuzz (complex script); None: plain text


@dataclass(slots=True)
class _Word:
    """Text between two spaces, possibly in several faces ("Australia" + a marker)."""

    pieces: list[_Piece]
    width: float
    space: tuple[Run, float] | None  # the space before the word: its run and width
    break_before: bool = False
    joined: bool = False  # continues the word before it (a part after a hyphenation point)
    soft: bool = False  # joined at a syllable boundary: a line may end before it, adding nothing


@dataclass(slots=True)
class _Line:
    words: list[_Word]  # the first word's space is not drawn
    notes: list[int]
    last: bool = False  # ends a paragraph or a forced line (never justified)


def _split_words(runs: list[Run]) -> list[_Word]:
    """The words of a run list, each measured once. (Written for speed: it sees every
    word of every briefing, so widths are looked up in the cache inline.) Text with a
    Myanmar character is shaped and cut at its syllable boundaries into *soft* words (see
    :func:`_complex`); other text is split at spaces only."""
    words: list[_Word] = []
    pieces: list[_Piece] = []
    width = 0.0
    space: tuple[Run, float] | None = None
    brk = False
    soft = False  # the word being gathered continues the one before (a syllable boundary)
    cache, split = _WIDTH_CACHE, _WHITESPACE.split
    for run in runs:
        if run.br:
            if pieces:
                words.append(_Word(pieces, width, space, brk, soft, soft))
                pieces, width, soft = [], 0.0, False
            elif brk:  # two breaks in a row: an empty line between them
                words.append(_Word([], 0.0, None, True))
            brk, space = True, None
            continue
        font, size = run.face.font, run.face.size
        text = run.text
        shaped = not text.isascii() and COMPLEX.search(text) is not None
        first = True
        for part in split(text):
            if first:
                first = False
            else:
                if pieces:
                    words.append(_Word(pieces, width, space, brk, soft, soft))
                    pieces, width, space, brk, soft = [], 0.0, None, False, False
                if space is None:
                    space = (run, text_width(" ", font, size))
            if not part:
                continue
            if not shaped or COMPLEX.search(part) is None:  # the fast path: Latin text
                w = cache.get((font, part))
                w = text_width(part, font, size) if w is None else w * size
                pieces.append(_Piece(run, part, w))
                width += w
                continue
            before = pieces[-1].text[-1:] if pieces else ""
            for k, group in enumerate(_complex(run, part, before)):
                if k or not group:  # a syllable boundary: a line may end here
                    if pieces:
                        words.append(_Word(pieces, width, space, brk, soft, soft))
                        pieces, width, space, brk = [], 0.0, None, False
                        soft = True
                    if not group:
                        continue
                pieces.extend(group)
                width += sum(p.width for p in group)
    if pieces:
        words.append(_Word(pieces, width, space, brk, soft, soft))
    return words


def interned(face: Face) -> Face:
    """The one object this process uses for faces equal to ``face`` (and for its colour)."""
    if len(_FACES) >= 10_000:
        _FACES.clear()
        _COLOURS.clear()
    colour = _COLOURS.setdefault(face.colour, face.colour)
    if colour is not face.colour:
        face = Face(face.font, face.size, colour, face.rise)
    return _FACES.setdefault(face, face)


def words_of(runs: list[Run]) -> list[_Word]:
    """:func:`_split_words`, once per distinct run list: a pure function of the runs and of
    the fonts' widths (a font's name always stands for the one file it was registered from).
    Comparing runs by value calls into each face and colour; the key is cheaper."""
    key = tuple([(r.text, id(r.face), r.href, r.note, r.br, r.nohyph, r.nobreak)
                 for r in runs])
    hit = _WORDS_CACHE.get(key)
    if hit is not None:
        return hit[1]
    words = _split_words(runs)
    _hold(len(words))
    _WORDS_CACHE[key] = (tuple(runs), words)
    return words


def lines_of(words: list[_Word], width: float, mode: str, justify: bool,
             hyph) -> list[_Line]:
    """``words`` broken into lines ``width`` wide, once per distinct set of arguments (a
    block is measured at the same width in every briefing it is in). An entry keeps its
    words and hyphenator alive, so their ids in its key are not reused while it exists.
    Lines are never changed once made (a block split at a page break makes new ones)."""
    key = (id(words), width, mode, justify, id(hyph))
    hit = _LINES_CACHE.get(key)
    if hit is not None:
        return hit[2]
    lines = _break(words, width)
    if mode != "greedy" and len(lines) >= 2:
        lines = _refine(lines, width, mode == "balance", hyph)
    elif justify:
        lines = _refine(lines, width, False, False)
    elif lines:
        lines[-1].last = True
    _hold(len(lines))  # the words are counted where they were made
    _LINES_CACHE[key] = (words, hyph, lines)
    return lines


def _hold(words: int) -> None:
    """Count ``words`` (or lines) more kept by the layout caches; past ``MAX_HELD`` (some
    40 MB, at about 600 bytes a word with its pieces and lines: the distinct text of well
    over a hundred briefings), forget them all."""
    global _HELD
    _HELD += words
    if _HELD > MAX_HELD:
        _WORDS_CACHE.clear()
        _LINES_CACHE.clear()
        _HELD = words


def _complex(run: Run, text: str, before: str) -> list[list[_Piece]]:
    """``text`` (no spaces, some Myanmar) as groups of pieces with a line break allowed
    between groups (see :func:`.shaping.segments`); an empty first group allows a break
    before the text itself."""
    cut = not (run.nobreak or run.note is not None)
    width = partial(text_width, font=run.face.font, size=run.face.size)
    return [[_Piece(run, part, w, shaped) for part, w, shaped in group]
            for group in segments(text, before, run.face.font, run.face.size, width, cut)]


def _cut(word: _Word, width: float) -> list[_Word]:
    """Cut a word wider than the line into parts that fit, character by character."""
    parts: list[_Word] = []
    cur: list[_Piece] = []
    x = 0.0
    for piece in word.pieces:
        face = piece.run.face
        if piece.shaped is not None:  # a syllable: never cut inside
            if x + piece.width > width and cur:
                parts.append(_Word(cur, sum(p.width for p in cur), None))
                cur, x = [], 0.0
            cur.append(piece)
            x += piece.width
            continue
        start = 0
        for i, ch in enumerate(piece.text):
            w = text_width(ch, face.font, face.size)
            if x + w > width and (cur or i > start):
                if i > start:
                    cur.append(_Piece(piece.run, piece.text[start:i],
                                      text_width(piece.text[start:i], face.font, face.size)))
                parts.append(_Word(cur, sum(p.width for p in cur), None))
                cur, x, start = [], 0.0, i
            x += w
        if start < len(piece.text):
            rest = piece.text[start:]
            cur.append(_Piece(piece.run, rest, text_width(rest, face.font, face.size)))
    if cur:
        parts.append(_Word(cur, sum(p.width for p in cur), None))
    parts[0].space, parts[0].break_before = word.space, word.break_before
    parts[0].joined = parts[0].soft = word.soft
    return parts


def _break(words: list[_Word], width: float) -> list[_Line]:
    """Greedy line breaking: as many words as fit on each line."""
    lines: list[_Line] = []
    cur: list[_Word] = []
    x = 0.0
    for word in words:
        if word.break_before and (cur or lines or word.pieces == []):
            lines.append(_line(cur))
            cur, x = [], 0.0
        gap = word.space[1] if (cur and word.space) else 0.0
        if cur and x + gap + word.width > width + 1e-6:
            lines.append(_line(cur))
            cur, x, gap = [], 0.0, 0.0
        if not word.pieces:
            continue
        if not cur and word.width > width + 1e-6:
            *full, word = _cut(word, width)
            lines.extend(_line([w]) for w in full)
        cur.append(word)
        x += gap + word.width
    if cur or not lines:
        lines.append(_line(cur))
    return lines


def _line(words: list[_Word]) -> _Line:
    notes = [p.run.note for w in words for p in w.pieces if p.run.note is not None]
    return _Line(words, notes)


def _refine(lines: list[_Line], width: float, balance: bool, hyph) -> list[_Line]:
    """Greedy lines, each paragraph (run of lines between forced breaks) that needs it
    broken again by the optimiser; marks the last line of each."""
    out: list[_Line] = []
    seg: list[_Line] = []
    need = 2 if balance else 3
    if hyph is False:  # greedy: only mark the last lines
        need = 1 << 30
    for line in [*lines, None]:
        if seg and (line is None or not line.words or line.words[0].break_before):
            if len(seg) >= need:
                seg = _optimise(seg, width, balance, hyph)
            seg[-1].last = True
            out.extend(seg)
            seg = []
        if line is not None:
            seg.append(line)
    return out


def _atoms(words: list[_Word], hyph) -> tuple[list[_Word], list[float]]:
    """Words split at their hyphenation points and after their own hyphens: the parts and,
    for each, the width of the hyphen a break before it adds."""
    atoms: list[_Word] = []
    hyphens: list[float] = []
    for word in words:
        points: list[int] = []
        if len(word.pieces) == 1:
            piece = word.pieces[0]
            run, text = piece.run, piece.text
            if run.href is None and run.note is None and not run.nohyph:
                if "-" in text[2:-2] and not any(c.isupper() for c in text):
                    # after a hyphen the word has (no hyphen added); not in names: ADMM-Plus
                    points = [i + 1 for i in range(2, len(text) - 3) if text[i] == "-"
                              and text[i - 1].isalpha() and text[i + 1].isalpha()]
                elif hyph is not None:
                    points = hyph.points(text)
        if not points:
            atoms.append(word)
            hyphens.append(0.0)
            continue
        face = word.pieces[0].run.face
        run = word.pieces[0].run
        start = 0
        for k, end in enumerate([*points, len(text)]):
            part = text[start:end]
            w = text_width(part, face.font, face.size)
            if k == 0:
                atoms.append(_Word([_Piece(run, part, w)], w, word.space, word.break_before))
                hyphens.append(0.0)
            else:
                atoms.append(_Word([_Piece(run, part, w)], w, None, False, joined=True))
                hyphens.append(0.0 if text[start - 1] == "-"
                               else text_width("-", face.font, face.size))
            start = end
    return atoms, hyphens


def _solve(atoms: list[_Word], hyphens: list[float], width: float, balance: bool, *,
           with_cost: bool = False):
    gaps = [0.0 if (k == 0 or a.joined or a.space is None) else a.space[1]
            for k, a in enumerate(atoms)]
    joined = [a.joined for a in atoms]
    soft: list[bool] | None = [a.soft for a in atoms]
    if not any(soft):
        soft = None
    found = optimal_breaks_cost([a.width for a in atoms], gaps, joined, hyphens, width,
                                balance=balance, soft=soft)
    if with_cost or found is None:
        return found
    return found[0]


def _optimise(seg: list[_Line], width: float, balance: bool, hyph) -> list[_Line]:
    words = [w for line in seg for w in line.words]
    if any(w.width > width + 1e-6 for w in words):
        return seg  # a word was cut to fit: keep the greedy lines
    if balance:  # titles and headings: whole words only
        atoms, hyphens = words, [0.0] * len(words)
        ends = _solve(atoms, hyphens, width, balance)
    else:  # first without the dictionary: most paragraphs are best set without it
        atoms, hyphens = _atoms(words, None)
        found = _solve(atoms, hyphens, width, balance, with_cost=True)
        ends = found[0] if found else None
        if hyph is not None and found is not None and not hyphens_cannot_help(
                found[1], len(found[0]), sum(a.width for a in atoms)
                + sum(a.space[1] for a in atoms[1:] if a.space and not a.joined), width):
            atoms, hyphens = _atoms(words, hyph)
            ends = _solve(atoms, hyphens, width, balance)
    if ends is None:
        return seg
    out: list[_Line] = []
    start = 0
    for end in ends:
        part = atoms[start:end]
        if end < len(atoms) and atoms[end].joined and hyphens[end] > 0:
            tail = part[-1]
            face = tail.pieces[-1].run
            hw = hyphens[end]
            part[-1] = _Word([*tail.pieces, _Piece(face, "-", hw)], tail.width + hw,
                             tail.space, tail.break_before, tail.joined, tail.soft)
        out.append(_line(part))
        start = end
    return out


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
                 words: list[_Word] | None = None, hyphenator=None):
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
        self._layout: tuple[float, list[_Line]] | None = None
        self.origin = None  # (Location, key) of the text it sets, for layout errors

    # ------------------------------------------------------------------ layout
    def lines(self, avail_width: float) -> list[_Line]:
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

    def _part(self, lines: list[_Line], head: bool) -> TextBlock:
        if not head:  # the tail starts a fresh line: no space before it, no forced break
            first = lines[0].words[0]
            lines = [_Line([_Word(first.pieces, first.width, None), *lines[0].words[1:]],
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


def _stretch(line: _Line, measure: float) -> float:
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


def _segments(line: _Line, x: float, extra: float = 0.0):
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
