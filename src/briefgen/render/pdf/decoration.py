"""Fitting the page decoration into its room: the running header, the footer, the brand band.

They are drawn as single lines with the canvas, not laid out by the text blocks, so nothing
else keeps them inside the page or off each other. Here each is measured (with
:func:`.shaping.line_width`, the width :func:`.shaping.draw_line` gives it):

* the running header and the footer are decoration (the full title and the publisher are
  on page 1): one that is too long is cut to fit and ends with "…" (:func:`fit_line`);
* in the band, the publisher's name and tagline sit between the logo and the date block
  (label, date, "Facts as of"): the name is set smaller until it fits on a line, the tagline
  is wrapped, and set smaller when its lines would not fit in the band's height
  (:func:`band_lines`). What cannot fit even so is an error at the publisher's field.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from .myanmar import MYANMAR_RE, syllable_breaks
from .shaping import line_width

ELLIPSIS = "…"
#: a cut text does not end on these before its ellipsis
_TRAILING = " ,;:\u2013\u2014-/·|\u104a\u104b"  # Burmese comma and full stop too

#: the band's text: the name's and the tagline's sizes (the first is the brand's), smallest last
NAME_SIZES = (13.0, 12.0, 11.0, 10.0, 9.0)
TAGLINE_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)
NAME_GAP = 1.5 * mm  # the name's baseline above the band's middle (one line of each)
TAGLINE_DROP = 3.5 * mm  # the tagline's baseline below it
BAND_PAD = 1.5 * mm  # the least room between the band's text and its edges
DATE_GAP = 4 * mm  # the least room between the tagline or name and the date block


def _cuts(text: str) -> list[int]:
    """Where ``text`` may be cut inside a word: between any two characters, and in
    Myanmar script only between syllables."""
    chars = []
    for i in range(1, len(text)):
        if MYANMAR_RE.match(text[i - 1]) or MYANMAR_RE.match(text[i]):
            continue
        chars.append(i)
    if MYANMAR_RE.search(text):
        chars = sorted(set(chars) | set(syllable_breaks(text)))
    return chars


def fit_line(text: str, font: str, size: float, width: float) -> str:
    """``text`` if it fits in ``width``, else its longest start that fits with "…" after it,
    cut after a word when that keeps at least half the room filled."""
    if line_width(text, font, size) <= width:
        return text
    room = width - line_width(ELLIPSIS, font, size)

    def best(cuts: list[int]) -> str:
        lo, hi, found = 0, len(cuts) - 1, ""
        while lo <= hi:  # widths grow with the cut: the last cut that fits
            mid = (lo + hi) // 2
            head = text[:cuts[mid]].rstrip(_TRAILING)
            if line_width(head, font, size) <= room:
                found, lo = head, mid + 1
            else:
                hi = mid - 1
        return found

    words = [i for i in range(1, len(text)) if text[i] == " "]
    head = best(words)
    if not head or line_width(head, font, size) < room / 2:
        head = best(_cuts(text)) or head
    return head + ELLIPSIS if room > 0 else ""


def wrap_line(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` in greedy lines of at most ``width`` (broken at spaces; a word longer than
    a line is cut where :func:`_cuts` allows)."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        trial = f"{cur} {word}" if cur else word
        if line_width(trial, font, size) <= width:
            cur = trial
            continue
        if cur:
            lines.append(cur)
        cur = word
        while line_width(cur, font, size) > width:
            cuts = [i for i in _cuts(cur) if line_width(cur[:i], font, size) <= width]
            i = cuts[-1] if cuts else 1
            lines.append(cur[:i])
            cur = cur[i:]
    if cur:
        lines.append(cur)
    return lines


@dataclass(frozen=True)
class BandLine:
    text: str
    font: str
    size: float
    dy: float  # the baseline's offset from the band's middle (up is positive)


class BandTooFull(ValueError):
    """The band cannot hold the publisher's name and tagline: ``field`` is the one to
    shorten (``name`` or ``tagline``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def band_lines(name: str, tagline: str | None, name_font: str, small_font: str,
               width: float, band: float) -> list[BandLine]:
    """The name's and tagline's lines in a ``width`` by ``band`` room (the band's middle is
    at offset 0). With one line of each at the brand's sizes, they sit where they always
    did: the name 1.5 mm above the middle, the tagline 3.5 mm below it."""
    if width <= 0:
        raise BandTooFull("name", "the date block leaves no room in the band for the "
                                  "publisher's name")
    size = next((s for s in NAME_SIZES if line_width(name, name_font, s) <= width), None)
    names = [name] if size is not None else \
        wrap_line(name, name_font, NAME_SIZES[-1], width)
    size = size or NAME_SIZES[-1]
    if not tagline:
        out = _stack(names, size, name_font, [], 0, small_font, NAME_GAP, 0)
        if _fits(out, band):
            return out
        raise BandTooFull("name", "the publisher's name does not fit in the band")
    for small in TAGLINE_SIZES:
        tags = wrap_line(tagline, small_font, small, width)
        out = _stack(names, size, name_font, tags, small, small_font, NAME_GAP, TAGLINE_DROP)
        if _fits(out, band):
            return out
    raise BandTooFull("tagline", "the publisher's tagline does not fit in the band beside "
                                 "the date, even in smaller type")


def _stack(names: list[str], size: float, name_font: str, tags: list[str], small: float,
           small_font: str, up: float, down: float) -> list[BandLine]:
    if len(names) == 1 and len(tags) <= 1 and size == NAME_SIZES[0] and \
            small in (0, TAGLINE_SIZES[0]):  # as the band always was (the same bytes)
        return [BandLine(names[0], name_font, size, up)] + \
            [BandLine(t, small_font, small, -down) for t in tags]
    # lines apart by the fonts' own extent (Myanmar script rises and falls further)
    up_n, down_n = _extent(name_font, size, " ".join(names))
    up_t, down_t = _extent(small_font, small, " ".join(tags)) if tags else (0.0, 0.0)
    lead_n = max(size * 1.15, (up_n + down_n) * 1.05)
    lead_t = max(small * 1.25, (up_t + down_t) * 1.05)
    gap = (up + down) * (size + small) / (NAME_SIZES[0] + TAGLINE_SIZES[0]) if tags else 0
    gap = max(gap, down_n + up_t + 0.5) if tags else 0
    span = (len(names) - 1) * lead_n + gap + max(len(tags) - 1, 0) * lead_t
    middle = (up - down) / 2 if tags else up  # where the middle of the baselines was
    y = middle + span / 2
    out = []
    for text in names:
        out.append(BandLine(text, name_font, size, y))
        y -= lead_n
    y += lead_n - gap
    for text in tags:
        out.append(BandLine(text, small_font, small, y))
        y -= lead_t
    return out


def _fits(lines: list[BandLine], band: float) -> bool:
    top = max(ln.dy + _extent(ln.font, ln.size, ln.text)[0] for ln in lines)
    bottom = min(ln.dy - _extent(ln.font, ln.size, ln.text)[1] for ln in lines)
    return top <= band / 2 - BAND_PAD and bottom >= -band / 2 + BAND_PAD


def _extent(font: str, size: float, text: str) -> tuple[float, float]:
    """How far ``text``'s letters rise above and fall below the baseline at ``size``: 0.8
    and 0.25 of it for Latin capitals and descenders; for Myanmar script, whose stacks reach
    about 1.0 and 0.5, what the face says."""
    if not any("\u1000" <= ch <= "\u109f" or "\uaa60" <= ch <= "\uaa7f" for ch in text):
        return 0.8 * size, 0.25 * size
    try:
        face = pdfmetrics.getFont(font).face
        rise, fall = face.ascent / 1000, -face.descent / 1000
    except (KeyError, AttributeError):
        rise, fall = 0.8, 0.25
    return max(0.8, min(rise, 1.2)) * size, max(0.25, min(fall, 0.6)) * size


def footer_texts(footer: str, page: str, draft: str | None, font: str, bold: str,
                 size: float, width: float) -> tuple[str, str | None]:
    """The footer and the draft label (if any) cut to fit beside the page number in a line
    of ``width``: the page number first, then the label, then the footer."""
    room = width - line_width(page, font, size) - DATE_GAP
    if draft:
        draft = fit_line(draft, bold, size, room)
        room -= line_width(draft, bold, size) + 2 * DATE_GAP
    return fit_line(footer, font, size, max(room, 0.0)), draft
