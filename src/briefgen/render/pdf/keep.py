"""Keep-with-next for headings: a heading is never the last thing in a page's body.

ReportLab's own ``keepWithNext`` wraps a heading and the *whole* next flowable in a
``KeepTogether``, and does nothing at all when the next flowable is itself a container
(``_ktAllow``): a heading before a country list (whose entries are ``KeepWithNotes``) was
left alone at a page foot. And keeping a heading with a whole long paragraph would push
both to the next page when ten lines of it still fit.

A :class:`HeadingBlock` measures, in ``wrap()``, its own lines plus the least of what follows
that may start a page's last lines with it: the first two lines of a paragraph (all of one
of three lines or fewer, which a text block never splits), a whole country entry, a whole
label and its link; and the notes those lines would place at the page foot. When that does
not fit, it reports itself too tall and gives nothing on ``split()``, so the frame moves it
to the next page. A heading taller than the room left is moved whole too, never split
across pages. At the top of a frame it always stays (there is nowhere better to go).
"""

from __future__ import annotations

from reportlab.platypus.flowables import Flowable, KeepTogether

from .textblock import TextBlock

_HUGE = 0xFFFFFF


def min_head(flowables: list[Flowable], width: float, canv) -> float:
    """Height of the least that must follow a heading on its page (with spacing)."""
    total = 0.0
    for f in flowables:
        total += f.getSpaceBefore()
        if isinstance(f, TextBlock):
            lines = f.lines(width)
            keep = len(lines) if (len(lines) < 4 or f.keepWithNext) else 2
            total += keep * f.style.leading
            if f.fn_state is not None:
                notes = [n for line in lines[:keep] for n in line.notes]
                total += f.fn_state.extra_height(notes) if notes else 0.0
            if not f.keepWithNext:
                return total
            total += f.getSpaceAfter()
        elif isinstance(f, KeepTogether):
            f.wrapOn(canv, width, _HUGE)
            too_tall = getattr(f, "too_tall", None)
            if too_tall is not None and too_tall():  # split where it stands: its start
                return total - f.getSpaceBefore() + min_head(f._content, width, canv)
            return total + f._H
        else:
            _, h = f.wrapOn(canv, width, _HUGE)
            if h:
                return total + h
    return total


class HeadingBlock(TextBlock):
    """A heading text block that moves with the start of what follows it."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.keep_with: list[Flowable] = []
        self._pushed = False

    def wrap(self, availWidth, availHeight):
        w, h = super().wrap(availWidth, availHeight)
        self._pushed = False
        frame = getattr(self, "_frame", None)
        at_top = frame is not None and getattr(frame, "_atTop", 0)
        if h > availHeight + 1e-6 and not at_top:  # never split below the top: push it whole
            self._pushed = True
            return w, availHeight + 1.0
        if self.keep_with and h <= availHeight and not at_top:
            need = h + self.getSpaceAfter() + min_head(self.keep_with, availWidth, self.canv)
            if need > availHeight + 1e-6:
                self._pushed = True
                return w, availHeight + 1.0
        return w, h

    def split(self, availWidth, availHeight):
        if self._pushed:
            return []
        return super().split(availWidth, availHeight)


def lead_with(flowables: list[Flowable]) -> list[Flowable]:
    """``flowables`` to be laid out one by one (an entry too tall for any page): the first,
    a country's name, becomes a :class:`HeadingBlock` that moves with the start of what
    follows (ReportLab's ``keepWithNext`` would keep it with the whole of the next block)."""
    first = flowables[0]
    if not isinstance(first, TextBlock) or isinstance(first, HeadingBlock):
        return list(flowables)
    head = HeadingBlock.__new__(HeadingBlock)
    head.__dict__.update(first.__dict__)
    head.keepWithNext = 0
    head.keep_with = list(flowables[1:4])
    head._pushed = False
    return [head, *flowables[1:]]
