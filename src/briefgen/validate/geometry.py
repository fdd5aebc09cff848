"""Page geometry: the room a brand sheet's margins, band and type sizes leave for text.

``check`` rejects a sheet that leaves too little (see :func:`problems`), at the key to
change, and the PDF renderer asks the same question before it lays out a briefing, so the two
cannot drift apart. Without these limits a sheet that passed ``check`` made ``build`` loop
(a text column of negative width) or fail inside ReportLab (a block taller than the page).

Where layout broke, measured with the shipped briefings (two to four pages each) on the
default sheet (A4), changing one thing at a time: a text column of 20 mm (22 mm worked); a
text area of 27 mm between the margins, under three lines of the 27 pt title leading (37 mm
worked); a title leading of 270 pt (three lines taller than the page); body text of 60 pt in
the 170 mm column, where the call-to-action panel, which is never split inside a request,
outgrew the page (50 pt worked); footnotes of 38.5 pt on 54 pt leading, of which a page
holds some 300 characters (30 pt on 50 pt, some 400, worked). The limits below keep well
clear of all of these, and a sensible brand never comes near them:

* the text column is at least :data:`MIN_COLUMN_MM` wide: some 35 characters of 10 pt text
  a line, a narrow newspaper column, which still leaves room for the 8 mm indent of country
  entries and the 12 mm padding of the call-to-action panel;
* a line holds at least :data:`MIN_CHARS` characters of each text size (at half an em a
  character): 25 for running text, the fewest a reader follows comfortably; 10 for titles
  and headings, room for a long word;
* the text area of every page (below the band on the first, between the margins on the
  others) is at least :data:`MIN_TEXT_MM` tall and holds :data:`MIN_LINES` lines of each
  text size: 5 (a paragraph of three lines is never split to leave one line alone, and a
  heading stays with two lines of what follows), 12 of body text (a request in the
  call-to-action panel is kept whole);
* it holds at least :data:`NOTE_CHARS` characters of footnotes, which are set at the foot of
  the page that cites them: three notes of up to 500 characters (publisher, a title of up to
  400, date and web address) cited on one line;
* the margins have room for the running header (set :data:`HEADER_RISE_MM` above the text)
  and the footer with the page numbers (:data:`FOOTER_DROP_MM` below it) on the page.

Content can still ask for more than a page holds (a "What's new" box of fifty lines, a line
citing ten sources): the renderer then stops with a located error, never a crash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .brand import BrandSheet

PT = 25.4 / 72  # millimetres in a point
PAGE_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}  # width, height
BAND_GAP_MM = 8.0  # between the first page's band and its text
HEADER_RISE_MM = 6.0  # the running header's baseline, above the text area
FOOTER_DROP_MM = 10.0  # the footer's baseline, below the text area
NOTE_INDENT_MM = 4.0  # a footnote's text, after its number

MIN_COLUMN_MM = 60.0
MIN_TEXT_MM = 60.0
MIN_TOP_MM = 9.0  # the header's baseline at least 3 mm inside the page edge
MIN_BOTTOM_MM = 11.0  # the footer's baseline at least 1 mm inside the page edge
EM_PER_CHAR = 0.5  # an average character of text, in ems
RUNNING = ("lead", "body", "small", "note")
MIN_CHARS = {"title": 10, "subtitle": 10, "heading": 10,
             "lead": 25, "body": 25, "small": 25, "note": 25}
#: lines of each text size the text area of every page must hold
MIN_LINES = {"title": 5, "subtitle": 5, "heading": 5, "lead": 5, "body": 12, "small": 5,
             "note": 5}
NOTE_CHARS = 1500
SIZE_ROLES = tuple(MIN_CHARS)


@dataclass(frozen=True)
class Problem:
    path: tuple  # the key to change, in the sheet
    message: str


@dataclass(frozen=True)
class Area:
    """The text area in millimetres: the column's width, and its height on the first page
    (below the band) and on the others (between the margins)."""

    column: float
    first: float
    later: float


def text_area(sheet: BrandSheet) -> Area:
    m = sheet.page.margins
    width, height = PAGE_MM[sheet.page.size]
    # rounded: 279.4 - 103.4 - 116 is 60 mm, not 59.99999999999997
    return Area(round(width - m.left - m.right, 6),
                round(height - sheet.band_height - BAND_GAP_MM - m.bottom, 6),
                round(height - m.top - m.bottom, 6))


def _mm(value: float) -> str:
    """A length (or size) to one decimal, rounded down: a limit to stay under."""
    return f"{math.floor(round(value * 10, 6)) / 10:g}"


def _room(value: float) -> str:
    return f"{_mm(value)} mm" if value > 0 else "no room"


def problems(sheet: BrandSheet) -> list[Problem]:
    """What leaves too little room for text, each at the key to change, in plain words."""
    out = _margins(sheet)
    area = text_area(sheet)
    if area.column >= MIN_COLUMN_MM:
        out.extend(_line_lengths(sheet, area))
    out.extend(_heights(sheet, area))
    if not out:
        out.extend(_notes(sheet, area))
    return out


def _margins(sheet: BrandSheet) -> list[Problem]:
    page, m = sheet.page, sheet.page.margins
    width = PAGE_MM[page.size][0]
    column = text_area(sheet).column
    out = []
    if column < MIN_COLUMN_MM:
        side = "left" if m.left >= m.right else "right"
        left = (f"a text column only {_mm(column)} mm wide" if column > 0
                else "no text column at all")
        out.append(Problem(("page", "margins", side), (
            f"the left and right margins ({m.left:g} + {m.right:g} mm) leave {left} on the "
            f"{width:g} mm wide {page.size} page; it must be at least {MIN_COLUMN_MM:g} mm "
            f"wide (about 35 characters of 10 pt text a line): make left + right at most "
            f"{_mm(width - MIN_COLUMN_MM)} mm")))
    if m.top < MIN_TOP_MM:
        out.append(Problem(("page", "margins", "top"), (
            f"a top margin of {m.top:g} mm leaves no room for the running header, which is "
            f"set {HEADER_RISE_MM:g} mm above the text: make it at least {MIN_TOP_MM:g} mm")))
    if m.bottom < MIN_BOTTOM_MM:
        out.append(Problem(("page", "margins", "bottom"), (
            f"a bottom margin of {m.bottom:g} mm leaves no room for the footer with the page "
            f"numbers, which is set {FOOTER_DROP_MM:g} mm below the text: make it at least "
            f"{MIN_BOTTOM_MM:g} mm")))
    return out


def _line_lengths(sheet: BrandSheet, area: Area) -> list[Problem]:
    out = []
    for role in SIZE_ROLES:
        size = getattr(sheet.sizes, role).size
        chars = round(area.column / (size * PT * EM_PER_CHAR), 6)
        need = MIN_CHARS[role]
        if chars < need:
            kind = "running text" if role in RUNNING else "a title or heading"
            most = area.column / (need * PT * EM_PER_CHAR)
            out.append(Problem(("sizes", role, "size"), (
                f"{size:g} pt text sets only about {int(chars)} characters a line in the "
                f"{_mm(area.column)} mm text column, and {kind} needs room for at least "
                f"{need}: use a size of at most {_mm(most)} pt, or narrower margins")))
    return out


def _heights(sheet: BrandSheet, area: Area) -> list[Problem]:
    m = sheet.page.margins
    height = PAGE_MM[sheet.page.size][1]
    # the text size whose lines need the most room
    role = max(SIZE_ROLES, key=lambda r: MIN_LINES[r] * getattr(sheet.sizes, r).leading)
    leading = getattr(sheet.sizes, role).leading
    need = max(MIN_TEXT_MM, round(MIN_LINES[role] * leading * PT, 6))
    # under MIN_TEXT_MM the margins or the band are at fault (and a leading too large for
    # what they leave is reported once they leave enough)
    why = "room for a paragraph and the footnotes it cites"
    if area.later < MIN_TEXT_MM:
        side = "top" if m.top >= m.bottom else "bottom"
        return [Problem(("page", "margins", side), (
            f"the top and bottom margins ({m.top:g} + {m.bottom:g} mm) leave "
            f"{_room(area.later)} for text on the {height:g} mm high page; it needs at least "
            f"{MIN_TEXT_MM:g} mm ({why}): make top + bottom at most "
            f"{_mm(height - MIN_TEXT_MM)} mm"))]
    if area.later < need:
        return [Problem(("sizes", role, "leading"), _too_tall(
            role, leading, area.later, "the other pages", "smaller top and bottom margins"))]
    if area.first >= need:
        return []
    if area.first >= MIN_TEXT_MM:
        return [Problem(("sizes", role, "leading"), _too_tall(
            role, leading, area.first, "the first page", "a shorter band"))]
    most = round(height - BAND_GAP_MM - m.bottom - MIN_TEXT_MM, 6)
    if most >= 0:
        return [Problem(("band_height",), (
            f"a band {sheet.band_height:g} mm tall leaves {_room(area.first)} for text on "
            f"the first page (below the band and the {BAND_GAP_MM:g} mm gap under it, above "
            f"the {m.bottom:g} mm bottom margin); it needs at least {MIN_TEXT_MM:g} mm "
            f"({why}): make the band at most {_mm(most)} mm tall"))]
    return [Problem(("page", "margins", "bottom"), (
        f"a bottom margin of {m.bottom:g} mm leaves {_room(area.first)} for text on the "
        f"first page, below the band and the {BAND_GAP_MM:g} mm gap under it; it needs at "
        f"least {MIN_TEXT_MM:g} mm ({why}): make the bottom margin at most "
        f"{_mm(height - BAND_GAP_MM - MIN_TEXT_MM)} mm"))]


def _too_tall(role: str, leading: float, room: float, where: str, remedy: str) -> str:
    lines = MIN_LINES[role]
    why = ("a request in the call-to-action panel is never split across pages"
           if role == "body" else
           "a paragraph of three lines is never split to leave one line alone, and a "
           "heading stays with two lines of what follows")
    return (f"a leading of {leading:g} pt fits only {room / (leading * PT):.1f} lines in the "
            f"{_mm(room)} mm text area of {where}; it must fit at least {lines} ({why}): "
            f"use a smaller size and a leading of at most {_mm(room / (lines * PT))} pt, or "
            f"{remedy}")


def _notes(sheet: BrandSheet, area: Area) -> list[Problem]:
    note = sheet.sizes.note
    room = min(area.first, area.later)
    per_line = (area.column - NOTE_INDENT_MM) / (note.size * PT * EM_PER_CHAR)
    capacity = round(room / (note.leading * PT) * per_line, 6)
    if capacity >= NOTE_CHARS:
        return []
    # the leading that holds enough at this size
    most = note.leading * capacity / NOTE_CHARS
    return [Problem(("sizes", "note", "leading"), (
        f"footnotes of {note.size:g} pt on {note.leading:g} pt leading: a page holds only "
        f"about {int(capacity)} characters of them ({int(room / (note.leading * PT))} lines "
        f"of {int(per_line)}); it must hold at least {NOTE_CHARS} (three notes of up to 500 "
        f"characters, cited on one line, are set at the foot of its page): use a leading of "
        f"at most {_mm(most)} pt, or a smaller size and leading, or a larger text area"))]
