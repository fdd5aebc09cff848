"""True page-bottom footnotes for ReportLab, in a single layout pass.

How it works (see NOTES-reportlab: a two-pass "measure then reserve" design oscillates):

* A :class:`~.textblock.TextBlock` knows, line by line, the footnote numbers it references.
* Its ``wrap()`` measures the text, then the notes it would add to the *current* page (notes
  already placed on this page cost nothing; the separator rule is counted for the first
  note). If text + notes do not fit in the space left, it reports a height larger than the
  space so the frame asks it to ``split()``.
* ``split()`` takes the most lines whose text + notes fit.
* When drawn, it raises the frame's bottom (``_y1p``) by the height of the notes it placed,
  so every later flowable on the page sees less room and body text never runs into notes.
* At the end of each page :meth:`FootnoteState.draw_notes` sets the page's notes under a
  short rule, from the raised bottom down to the frame's real bottom.

A source cited again keeps its number; if the citation falls on a later page, its note is
printed again at the foot of that page, so a reader never has to turn back to find it. The
notes at a page foot are in ascending order. (Repeated citations in consecutive paragraphs
show one marker per run: see :mod:`briefgen.resolve.inline`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.colors import Color
from reportlab.platypus.flowables import Flowable, KeepTogether

RULE_GAP = 4.0  # points between the body and the separator rule, and rule to first note
NOTE_GAP = 1.5  # points between notes


@dataclass
class FootnoteState:
    """Per-document footnote bookkeeping shared by every text block with notes."""

    notes: dict[int, Flowable]  # number -> the note's text block (already styled)
    width: float
    rule_colour: Color
    doc: object = None  # the DocTemplate, set when the build starts
    frame_height: float = 0.0  # the tallest text area of a page (0: not known)
    on_page: list[int] = field(default_factory=list)
    _heights: dict[int, float] = field(default_factory=dict)

    def note_height(self, number: int) -> float:
        if number not in self._heights:
            _, h = self.notes[number].wrap(self.width, 10_000)
            self._heights[number] = h + NOTE_GAP
        return self._heights[number]

    def extra_height(self, numbers: list[int]) -> float:
        """Height that placing ``numbers`` on the current page would take from the body."""
        new = [n for n in dict.fromkeys(numbers) if n not in self.on_page and n in self.notes]
        if not new:
            return 0.0
        h = sum(self.note_height(n) for n in new)
        if not self.on_page:
            h += 2 * RULE_GAP
        return h

    def place(self, numbers: list[int]) -> float:
        h = self.extra_height(numbers)
        for n in dict.fromkeys(numbers):
            if n not in self.on_page and n in self.notes:
                self.on_page.append(n)
        return h

    def start_page(self) -> None:
        self.on_page = []

    def draw_notes(self, canv, frame) -> None:
        """Draw this page's notes at the bottom of ``frame`` (call at page end)."""
        if not self.on_page:
            return
        bottom = frame._y1 + frame._bottomPadding
        total = sum(self.note_height(n) for n in self.on_page) + 2 * RULE_GAP
        top = bottom + total
        canv.saveState()
        canv.setStrokeColor(self.rule_colour)
        canv.setLineWidth(0.5)
        x = frame._x1 + frame._leftPadding
        canv.line(x, top - RULE_GAP, x + min(self.width, 60 * 2.8346), top - RULE_GAP)
        canv.restoreState()
        y = top - 2 * RULE_GAP
        for n in sorted(self.on_page):  # ascending, whatever order they were cited in
            para = self.notes[n]
            _, h = para.wrap(self.width, 10_000)
            para.drawOn(canv, x, y - h)
            y -= h + NOTE_GAP
        self.on_page = []


class Anchor(Flowable):
    """A zero-size flowable that adds an outline entry (bookmark) where it is drawn."""

    _ZEROSIZE = 1

    def __init__(self, key: str, title: str, level: int = 0):
        super().__init__()
        self.key, self.title, self.level = key, title, level
        self.width = self.height = 0

    def wrap(self, availWidth, availHeight):
        return 0, 0

    def draw(self):
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, self.level, closed=False)


class KeepWithNotes(KeepTogether):
    """A KeepTogether that also counts the footnotes its blocks would add to the page.

    KeepTogether measures its content with unlimited height, so a text block never reports
    the room its notes take, and an entry that fitted by that measure could still lose its
    last lines to the next page once its notes were placed.
    """

    def __init__(self, flowables: list, state: FootnoteState):
        super().__init__(flowables)
        self.fn_state = state

    def wrap(self, aW, aH):
        result = super().wrap(aW, aH)
        notes = [n for f in self._content if hasattr(f, "lines")
                 for line in f.lines(aW) for n in line.notes]
        if notes:
            self._H += self.fn_state.extra_height(notes)
        return result

    def too_tall(self) -> bool:
        """Taller, with its notes, than the text area of any page: it can never be whole."""
        height = self.fn_state.frame_height
        return bool(height) and height + 1e-6 < self._H

    def split(self, aW, aH):
        """As KeepTogether, but content that can never be kept on one page is split where it
        stands (KeepTogether moved it to the next page first, leaving the rest of this one
        empty and a heading before it alone), its first block kept with the start of what
        follows it (see :func:`.keep.lead_with`)."""
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        if self.too_tall():
            from .keep import lead_with

            return lead_with(self._content)
        return super().split(aW, aH)
