"""True page-bottom footnotes for ReportLab, in a single layout pass.

How it works (see NOTES-reportlab: a two-pass "measure then reserve" design oscillates):

* :class:`NotedParagraph` is a Paragraph that knows the footnote numbers it references.
* Its ``wrap()`` measures the text, then the notes it would add to the *current* page (notes
  already placed on this page cost nothing; the separator rule is counted for the first
  note). If text + notes do not fit in the space left, it reports a height larger than the
  space so the frame asks it to ``split()``.
* ``split()`` tries ever shorter heads until head text + the notes referenced in the head fit.
* When drawn, it raises the frame's bottom (``_y1p``) by the height of the notes it placed,
  so every later flowable on the page sees less room and body text never runs into notes.
* At the end of each page :meth:`FootnoteState.draw_notes` sets the page's notes under a
  short rule, from the raised bottom down to the frame's real bottom.

A source cited again keeps its number; if the citation falls on a later page, its note is
printed again at the foot of that page, so a reader never has to turn back to find it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.lib.colors import Color
from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

RULE_GAP = 4.0  # points between the body and the separator rule, and rule to first note
NOTE_GAP = 1.5  # points between notes


@dataclass
class FootnoteState:
    """Per-document footnote bookkeeping shared by every NotedParagraph."""

    notes: dict[int, Paragraph]  # number -> the note's paragraph (already styled)
    width: float
    rule_colour: Color
    doc: object = None  # the DocTemplate, set when the build starts
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
        for n in self.on_page:
            para = self.notes[n]
            _, h = para.wrap(self.width, 10_000)
            para.drawOn(canv, x, y - h)
            y -= h + NOTE_GAP
        self.on_page = []


class CachedParagraph(Paragraph):
    """A Paragraph that breaks its lines once per width.

    ReportLab's ``wrap()`` re-runs line breaking on every call, and a flowable is wrapped
    two to four times (keep-with-next, KeepTogether, the frame, our footnote reservation).
    Line breaking depends on the width and the style only, so the result is kept per width.
    Split parts are new objects and start with an empty cache.
    """

    _wrapped: tuple[float, float] | None = None

    def wrap(self, availWidth, availHeight):
        if (self._wrapped is not None and self._wrapped[0] == availWidth
                and "blPara" in self.__dict__):  # split() may delete it: then re-break
            self.width = availWidth
            self.height = self._wrapped[1]
            return availWidth, self.height
        w, h = super().wrap(availWidth, availHeight)
        if h < 0x7FFFFFFF:
            self._wrapped = (availWidth, h)
        return w, h


def _is_marker(frag, text: str) -> bool:
    return getattr(frag, "rise", 0) > 0 and text.strip().strip(",").isdigit()


def _note_refs_in(frags) -> int:
    """How many footnote markers (superscript numbers) the fragments of a split part hold.

    Split parts carry either ParaFrags, FragLines (``.words``) or "words": lists of
    ``[width, (frag, text), ...]``; markers are the superscript digits among them.
    """
    count = 0
    for f in frags or []:
        if isinstance(f, list):
            count += sum(1 for item in f[1:] if isinstance(item, tuple)
                         and _is_marker(item[0], str(item[1])))
        elif getattr(f, "words", None) is not None:
            count += _note_refs_in(f.words)
        elif _is_marker(f, str(getattr(f, "text", ""))):
            count += 1
    return count


class NotedParagraph(CachedParagraph):
    """A Paragraph whose footnotes must land on the page where their markers are drawn."""

    def __init__(self, text, style=None, bulletText=None, frags=None, caseSensitive=1,
                 encoding="utf8", *, state: FootnoteState | None = None,
                 notes: list[int] | None = None,
                 outline: tuple[str, str, int] | None = None):
        super().__init__(text, style, bulletText=bulletText, frags=frags,
                         caseSensitive=caseSensitive, encoding=encoding)
        self.fn_state = state
        self.fn_notes = list(notes or [])
        self.outline = outline  # (key, title, level): an outline entry where this starts

    # ReportLab's split() builds parts with self.__class__(None, style, ...): give them ours
    def _adopt(self, part: NotedParagraph, notes: list[int], head: bool) -> NotedParagraph:
        part.fn_state = self.fn_state
        part.fn_notes = notes
        part.outline = self.outline if head else None
        for attr in ("keepWithNext",):
            if hasattr(self, attr):
                setattr(part, attr, getattr(self, attr))
        return part

    def _notes_height(self, notes: list[int] | None = None) -> float:
        if self.fn_state is None:
            return 0.0
        return self.fn_state.extra_height(self.fn_notes if notes is None else notes)

    def wrap(self, availWidth, availHeight):
        w, h = super().wrap(availWidth, availHeight)
        notes_h = self._notes_height()
        self._fn_reserved = notes_h
        if notes_h and h + notes_h > availHeight:
            return w, h + notes_h  # too big: makes the frame ask us to split
        return w, h

    def split(self, availWidth, availHeight):
        if not self.fn_notes or self.fn_state is None:
            parts = super().split(availWidth, availHeight)
            if len(parts) == 2:
                return [self._adopt(parts[0], [], True), self._adopt(parts[1], [], False)]
            return parts
        trial = availHeight
        leading = self.style.leading
        while trial > 0:
            parts = super().split(availWidth, trial)
            if not parts:
                return []
            if len(parts) == 1:  # everything fits in ``trial``: check its notes too
                _, h = Paragraph.wrap(parts[0], availWidth, availHeight)
                if h + self._notes_height() <= availHeight:
                    return parts
                trial -= leading
                continue
            head, tail = parts
            k = _note_refs_in(head.frags)
            head_notes, tail_notes = self.fn_notes[:k], self.fn_notes[k:]
            _, hh = Paragraph.wrap(head, availWidth, availHeight)
            if hh + self._notes_height(head_notes) <= availHeight:
                return [self._adopt(head, head_notes, True), self._adopt(tail, tail_notes, False)]
            trial -= leading
        return []

    def drawOn(self, canvas, x, y, _sW=0):
        if self.outline is not None:
            key, title, level = self.outline
            canvas.bookmarkHorizontal(key, 0, y + self.height)
            canvas.addOutlineEntry(title, key, level, closed=False)
        super().drawOn(canvas, x, y, _sW)
        if self.fn_state is not None and self.fn_notes:
            h = self.fn_state.place(self.fn_notes)
            if h:
                frame = getattr(self.fn_state.doc, "frame", None)
                if frame is not None:
                    frame._y1p += h


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
