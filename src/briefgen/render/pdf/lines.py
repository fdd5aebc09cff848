"""Words and lines: text measured once and broken into lines, for :mod:`.textblock`.

A text block's runs (text in a face, an optional link, an optional footnote number) are
split into words, each measured once (widths are cached per font at 1 pt), and broken into
lines greedily. A block whose style asks for it (``"optimal"`` for body text, ``"balance"``
for titles and headings) is broken again by the total-fit optimiser of :mod:`.linebreak`
when greedy breaking gave it three lines or more (two when balancing), with hyphenation
where the block has a hyphenator.

Complex scripts (Myanmar) take another path through the same steps: each run of Myanmar text
is shaped by HarfBuzz (:mod:`.shaping`), measured by its shaped advances and cut at its
syllable boundaries (:mod:`.myanmar`) into parts that follow each other with no space (a
line may end between them, and nothing is added there). Text without a Myanmar character
never touches that path.

Words and lines are kept per process and shared between blocks (a fact's statement comes
back in every briefing that uses it), within a bound (:data:`MAX_HELD`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth

from .linebreak import hyphens_cannot_help, optimal_breaks_cost
from .shaping import COMPLEX, Shaped, segments

_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")  # collapsed like HTML; no-break space is kept
_WIDTH_CACHE: dict[tuple[str, str], float] = {}  # (font, text) -> width at 1 pt
#: run lists -> (the runs, their words). A fact's statement or a source's note comes back in
#: every briefing that uses it, so most blocks a worker lays out it has laid out before. The
#: key holds each run's face by identity: faces are interned (:func:`interned`), and an entry
#: keeps its runs, hence their faces, alive, so an id in a key is never reused while the entry
#: exists. Words are never changed once made (line breaking makes new ones).
_WORDS_CACHE: dict[tuple, tuple[tuple[Run, ...], list[Word]]] = {}
_FACES: dict[Face, Face] = {}
_COLOURS: dict[Color, Color] = {}
#: (id of a word list, width, breaking, justify, id of a hyphenator) -> (words, hyphenator,
#: lines): see :func:`lines_of`
_LINES_CACHE: dict[tuple, tuple[list[Word], object, list[Line]]] = {}
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
    url: bool = False  # a web or e-mail address written out: broken only by URL_BREAK


# Chicago Manual of Style 14.18: break a URL after a colon or a (double) slash; before a
# full stop, comma, question mark, hash, per cent, tilde, hyphen or underscore; before or
# after an equals sign or ampersand. Never after a hyphen of the URL (a reader would take
# it for a hyphenation), and no hyphen is added.
URL_BREAK = re.compile(r"(?<=/)(?!/)|(?<=:)(?!/)|(?=[.,?#%~\-_=&])|(?<=[=&])")


def url_points(text: str) -> list[int]:
    """Where an address written out may be broken, inside it: :data:`URL_BREAK`, and before
    the ``@`` of an e-mail address."""
    return sorted({m.start() for m in URL_BREAK.finditer(text) if 0 < m.start() < len(text)}
                  | {i for i, ch in enumerate(text) if ch == "@" and i > 0})


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
class Piece:
    run: Run
    text: str
    width: float
    shaped: Shaped | None = None  # glyphs from HarfBuzz (complex script); None: plain text


@dataclass(slots=True)
class Word:
    """Text between two spaces, possibly in several faces ("Australia" + a marker)."""

    pieces: list[Piece]
    width: float
    space: tuple[Run, float] | None  # the space before the word: its run and width
    break_before: bool = False
    joined: bool = False  # continues the word before it (a part after a hyphenation point)
    soft: bool = False  # joined at a syllable boundary: a line may end before it, adding nothing


@dataclass(slots=True)
class Line:
    words: list[Word]  # the first word's space is not drawn
    notes: list[int]
    last: bool = False  # ends a paragraph or a forced line (never justified)


def _split_words(runs: list[Run]) -> list[Word]:
    """The words of a run list, each measured once. (Written for speed: it sees every
    word of every briefing, so widths are looked up in the cache inline.) Text with a
    Myanmar character is shaped and cut at its syllable boundaries into *soft* words (see
    :func:`_complex`); other text is split at spaces only."""
    words: list[Word] = []
    pieces: list[Piece] = []
    width = 0.0
    space: tuple[Run, float] | None = None
    brk = False
    soft = False  # the word being gathered continues the one before (a syllable boundary)
    cache, split = _WIDTH_CACHE, _WHITESPACE.split
    for run in runs:
        if run.br:
            if pieces:
                words.append(Word(pieces, width, space, brk, soft, soft))
                pieces, width, soft = [], 0.0, False
            elif brk:  # two breaks in a row: an empty line between them
                words.append(Word([], 0.0, None, True))
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
                    words.append(Word(pieces, width, space, brk, soft, soft))
                    pieces, width, space, brk, soft = [], 0.0, None, False, False
                if space is None:
                    space = (run, text_width(" ", font, size))
            if not part:
                continue
            if not shaped or COMPLEX.search(part) is None:  # the fast path: Latin text
                w = cache.get((font, part))
                w = text_width(part, font, size) if w is None else w * size
                pieces.append(Piece(run, part, w))
                width += w
                continue
            before = pieces[-1].text[-1:] if pieces else ""
            for k, group in enumerate(_complex(run, part, before)):
                if k or not group:  # a syllable boundary: a line may end here
                    if pieces:
                        words.append(Word(pieces, width, space, brk, soft, soft))
                        pieces, width, space, brk = [], 0.0, None, False
                        soft = True
                    if not group:
                        continue
                pieces.extend(group)
                width += sum(p.width for p in group)
    if pieces:
        words.append(Word(pieces, width, space, brk, soft, soft))
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


def words_of(runs: list[Run]) -> list[Word]:
    """:func:`_split_words`, once per distinct run list: a pure function of the runs and of
    the fonts' widths (a font's name always stands for the one file it was registered from).
    Comparing runs by value calls into each face and colour; the key is cheaper."""
    key = tuple([(r.text, id(r.face), r.href, r.note, r.br, r.nohyph, r.nobreak, r.url)
                 for r in runs])
    hit = _WORDS_CACHE.get(key)
    if hit is not None:
        return hit[1]
    words = _split_words(runs)
    _hold(len(words))
    _WORDS_CACHE[key] = (tuple(runs), words)
    return words


def lines_of(words: list[Word], width: float, mode: str, justify: bool,
             hyph) -> list[Line]:
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


def _complex(run: Run, text: str, before: str) -> list[list[Piece]]:
    """``text`` (no spaces, some Myanmar) as groups of pieces with a line break allowed
    between groups (see :func:`.shaping.segments`); an empty first group allows a break
    before the text itself."""
    cut = not (run.nobreak or run.note is not None)
    width = partial(text_width, font=run.face.font, size=run.face.size)
    return [[Piece(run, part, w, shaped) for part, w, shaped in group]
            for group in segments(text, before, run.face.font, run.face.size, width, cut)]


def _cut(word: Word, width: float) -> list[Word]:
    """Cut a word wider than the line into parts that fit, character by character."""
    parts: list[Word] = []
    cur: list[Piece] = []
    x = 0.0
    for piece in word.pieces:
        face = piece.run.face
        if piece.shaped is not None:  # a syllable: never cut inside
            if x + piece.width > width and cur:
                parts.append(Word(cur, sum(p.width for p in cur), None))
                cur, x = [], 0.0
            cur.append(piece)
            x += piece.width
            continue
        start = 0
        for i, ch in _units(piece, width):
            w = text_width(ch, face.font, face.size)
            if x + w > width and (cur or i > start):
                if i > start:
                    cur.append(Piece(piece.run, piece.text[start:i],
                                      text_width(piece.text[start:i], face.font, face.size)))
                parts.append(Word(cur, sum(p.width for p in cur), None))
                cur, x, start = [], 0.0, i
            x += w
        if start < len(piece.text):
            rest = piece.text[start:]
            cur.append(Piece(piece.run, rest, text_width(rest, face.font, face.size)))
    if cur:
        parts.append(Word(cur, sum(p.width for p in cur), None))
    parts[0].space, parts[0].break_before = word.space, word.break_before
    parts[0].joined = parts[0].soft = word.soft
    return parts


def _units(piece: Piece, width: float) -> list[tuple[int, str]]:
    """What :func:`_cut` may cut a piece between, with where each starts: characters; in an
    address written out, the parts between its breaks (:func:`url_points`), a part wider
    than the line by characters."""
    text = piece.text
    if not piece.run.url:
        return list(enumerate(text))
    face = piece.run.face
    out: list[tuple[int, str]] = []
    start = 0
    for end in [*url_points(text), len(text)]:
        part = text[start:end]
        if text_width(part, face.font, face.size) > width:
            out.extend((start + k, ch) for k, ch in enumerate(part))
        else:
            out.append((start, part))
        start = end
    return out


def _url_parts(word: Word) -> list[Word]:
    """A word with an address written out in it, in parts at the address's breaks
    (:func:`url_points`): a line may end between them, and no hyphen is added."""
    parts: list[list[Piece]] = []
    cur: list[Piece] = []
    for piece in word.pieces:
        if not piece.run.url or piece.shaped is not None:
            cur.append(piece)
            continue
        face, text, start = piece.run.face, piece.text, 0
        for end in [*url_points(text), len(text)]:
            part = text[start:end]
            cur.append(Piece(piece.run, part, text_width(part, face.font, face.size)))
            if end < len(text):
                parts.append(cur)
                cur = []
            start = end
    if cur:
        parts.append(cur)
    return [Word(ps, sum(p.width for p in ps), word.space, word.break_before, word.joined,
                 word.soft) if k == 0 else
            Word(ps, sum(p.width for p in ps), None, False, joined=True)
            for k, ps in enumerate(parts)]


def _break(words: list[Word], width: float) -> list[Line]:
    """Greedy line breaking: as many words as fit on each line."""
    lines: list[Line] = []
    cur: list[Word] = []
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


def _line(words: list[Word]) -> Line:
    notes = [p.run.note for w in words for p in w.pieces if p.run.note is not None]
    return Line(words, notes)


def _refine(lines: list[Line], width: float, balance: bool, hyph) -> list[Line]:
    """Greedy lines, each paragraph (run of lines between forced breaks) that needs it
    broken again by the optimiser; marks the last line of each."""
    out: list[Line] = []
    seg: list[Line] = []
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


def _atoms(words: list[Word], hyph) -> tuple[list[Word], list[float]]:
    """Words split at their hyphenation points and after their own hyphens: the parts and,
    for each, the width of the hyphen a break before it adds."""
    atoms: list[Word] = []
    hyphens: list[float] = []
    for word in words:
        if any(p.run.url for p in word.pieces):  # an address: its own breaks, no hyphen
            parts = _url_parts(word)
            atoms.extend(parts)
            hyphens.extend([0.0] * len(parts))
            continue
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
                atoms.append(Word([Piece(run, part, w)], w, word.space, word.break_before))
                hyphens.append(0.0)
            else:
                atoms.append(Word([Piece(run, part, w)], w, None, False, joined=True))
                hyphens.append(0.0 if text[start - 1] == "-"
                               else text_width("-", face.font, face.size))
            start = end
    return atoms, hyphens


def _solve(atoms: list[Word], hyphens: list[float], width: float, balance: bool, *,
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


def _optimise(seg: list[Line], width: float, balance: bool, hyph) -> list[Line]:
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
    out: list[Line] = []
    start = 0
    for end in ends:
        part = atoms[start:end]
        if end < len(atoms) and atoms[end].joined and hyphens[end] > 0:
            tail = part[-1]
            face = tail.pieces[-1].run
            hw = hyphens[end]
            part[-1] = Word([*tail.pieces, Piece(face, "-", hw)], tail.width + hw,
                             tail.space, tail.break_before, tail.joined, tail.soft)
        out.append(_line(part))
        start = end
    return out
