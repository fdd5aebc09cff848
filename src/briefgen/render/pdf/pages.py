"""Paragraph styles from the brand sheet, page templates and what is drawn on every page:
the first-page brand band with the logo, the running header, the footer with "Page N of M".
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import hashlib
import time

from reportlab.lib.colors import CMYKColor, Color, HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

from ...validate.branding import Brand
from ...validate.geometry import BAND_GAP_MM, NOTE_INDENT_MM
from .footnotes import FootnoteState


class Palette:
    """Brand colours for one profile: RGB for screen, CMYK for print (``palette.brand``)."""

    def __init__(self, brand: Brand, cmyk: bool = False):
        self._sheet = brand
        self.cmyk = cmyk

    def __getattr__(self, name: str) -> Color:
        if name.startswith("_"):
            raise AttributeError(name)
        colour = self._sheet.colour(name)
        if self.cmyk:
            return CMYKColor(*colour.cmyk)
        return HexColor(colour.rgb)


#: how each style's lines are broken (see textblock and linebreak): titles and headings
#: balanced, running text by the optimiser (and hyphenated, justified if the brand says so),
#: names, labels, sources and addresses greedily (one or two lines, nothing to gain)
BREAKING = {"title": "balance", "subtitle": "balance", "heading": "balance",
            "lead": "optimal", "body": "optimal", "item_body": "optimal", "note": "optimal",
            "cta": "optimal"}
HYPHENATED = ("lead", "body", "item_body", "note")


def make_styles(brand: Brand, fonts: dict[str, str], palette: Palette) -> dict[str, ParagraphStyle]:
    s = brand.sheet.sizes
    setting = brand.sheet.text

    def style(name: str, font_role: str, size_key: str, **kw) -> ParagraphStyle:
        size = getattr(s, size_key)
        base = dict(fontName=fonts[font_role], fontSize=size.size, leading=size.leading,
                    textColor=palette.ink, alignment=TA_LEFT, allowWidows=0, allowOrphans=0,
                    bulletFontName=fonts["body"], splitLongWords=1)
        base.update(kw)
        out = ParagraphStyle(name, **base)
        out.breaking = BREAKING.get(name, "greedy")
        out.hyphenate = setting.hyphenate and name in HYPHENATED
        out.justify = setting.justify and name in HYPHENATED
        return out

    body = s.body
    indent = 8 * mm
    return {
        "title": style("title", "title", "title", textColor=palette.brand, spaceAfter=6,
                       fontName=_bold(fonts["title"])),
        "subtitle": style("subtitle", "body", "subtitle", textColor=palette.muted,
                          spaceAfter=10),
        "lead": style("lead", "body", "lead", spaceAfter=12),
        "heading": style("heading", "heading", "heading", textColor=palette.brand,
                         fontName=_bold(fonts["heading"]), spaceBefore=12, spaceAfter=5),
        "body": style("body", "body", "body", spaceAfter=body.leading * 0.5),
        "item_name": style("item_name", "body", "body", fontName=_bold(fonts["body"]),
                           leftIndent=indent, bulletIndent=0, spaceBefore=6, spaceAfter=2,
                           keepWithNext=1, bulletFontName=_bold(fonts["body"])),
        "item_body": style("item_body", "body", "body", leftIndent=indent, spaceAfter=2),
        "item_source": style("item_source", "small", "small", leftIndent=indent,
                             textColor=palette.muted, spaceAfter=3),
        "note": style("note", "small", "note", leftIndent=NOTE_INDENT_MM * mm,
                      bulletIndent=0,
                      bulletFontSize=s.note.size,
                      bulletFontName=fonts["small"], textColor=palette.ink),
        "info_label": style("info_label", "body", "body", fontName=_bold(fonts["body"]),
                            spaceBefore=6, spaceAfter=1, keepWithNext=1),
        "info_link": style("info_link", "small", "small", spaceAfter=4),
        "publisher": style("publisher", "small", "small", textColor=palette.ink),
        "cta": style("cta", "body", "body", textColor=palette.ink, spaceAfter=4),
        "signoff": style("signoff", "body", "body", textColor=palette.brand, spaceBefore=3),
    }


def _bold(font_name: str) -> str:
    from reportlab.lib.fonts import tt2ps
    return tt2ps(font_name, 1, 0)


def page_size(brand: Brand) -> tuple[float, float]:
    return A4 if brand.sheet.page.size == "A4" else LETTER


class PrintGeometry:
    """Where the trimmed page sits on the larger print sheet, for ReportLab's ``cropMarks``.

    ReportLab's own ``bleedWidth`` scales the page content (about 2.9 % on A4), so it stays 0:
    the sheet is the trim size plus a border on each side, backgrounds are drawn past the trim
    edge into the bleed, and TrimBox/BleedBox are set in sheet coordinates.
    """

    def __init__(self, brand: Brand):
        page = brand.sheet.page
        self.bleed = page.bleed * mm
        marks = page.crop_marks
        self.markLength = marks.length * mm
        self.markWidth = marks.width
        self.borderWidth = self.bleed + (marks.offset + marks.length) * mm
        self.bleedWidth = 0
        self.markColor = CMYKColor(1, 1, 1, 1)  # registration: prints on every plate
        self.markLast = 1
        w, h = page_size(brand)
        b = self.borderWidth
        self.trim_box = (b, b, b + w, b + h)
        self.bleed_box = (b - self.bleed, b - self.bleed, b + w + self.bleed, b + h + self.bleed)

    def doc_kwargs(self) -> dict:
        return {"cropMarks": self, "trimBox": self.trim_box, "bleedBox": self.bleed_box,
                "enforceColorSpace": "cmyk"}


#: the time ReportLab's invariant mode dates a file with (when SOURCE_DATE_EPOCH is unset)
_INVARIANT_TIME = 946684800.0


def epoch(date: dt.date) -> int:
    return calendar.timegm(date.timetuple())


def canvas_class(source_date: dt.date, draw_footer):
    """A Canvas that (a) dates the PDF with the briefing's own date, deterministically, and
    (b) defers each page so the footer can say "Page N of M"."""

    class BriefingCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            # ReportLab seeds the file's /ID with SOURCE_DATE_EPOCH when it is set: seeded
            # again as without it, so that the same inputs give the same bytes everywhere
            sig = self._doc.signature = hashlib.md5(usedforsecurity=False)
            sig.update(b"a reportlab document")
            sig.update(ascii(_INVARIANT_TIME).encode())
            ts = self._doc._timeStamp
            ts.t = epoch(source_date)
            ts.lt = time.gmtime(ts.t)
            ts.YMDhms = tuple(ts.lt)[:6]
            ts.dhh = ts.dmm = 0
            ts.tzname = "UTC"
            self._pages: list[dict] = []

        def bookmarkPage(self, key, fit="Fit", left=None, top=None, bottom=None, right=None,
                         zoom=None):
            shift = self._getCmShift()  # crop marks move the page on the sheet; follow it
            if shift:
                left, top, bottom, right = (None if v is None else v + shift
                                            for v in (left, top, bottom, right))
            return super().bookmarkPage(key, fit=fit, left=left, top=top, bottom=bottom,
                                        right=right, zoom=zoom)

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()
            # bookmarks made on the next page must name it although it is written later
            self._doc.pageCounter += 1

        def save(self):
            total = len(self._pages)
            self._doc.pageCounter = 1  # the pages are written now, from the first
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                draw_footer(self, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return BriefingCanvas


class _Frame(Frame):
    """A Frame that KeepTogether can copy cheaply.

    ReportLab's KeepTogether deep-copies the current frame each time it measures its
    content (once per country entry, often twice); a frame holds only numbers and the
    flowable list it is laying out, which the copy never changes, so a shallow copy does.
    """

    def __deepcopy__(self, memo):
        return copy.copy(self)


#: a layout that runs past this many pages stops (the shipped briefings have two to four;
#: a page takes 1-10 ms to lay out, so the limit also bounds the time to seconds)
MAX_PAGES = 500


class TooManyPages(LayoutError):
    """The layout ran past :data:`MAX_PAGES` pages (the limit is the template's
    ``page_limit``: ReportLab makes the exception again to add to its message)."""


class BriefingDocTemplate(BaseDocTemplate):
    """First page with the brand band, later pages with a running header; footnotes are
    drawn at each page's end.

    Layout is bounded: past :data:`MAX_PAGES` it stops with :class:`TooManyPages`, and
    ``current`` is the flowable being laid out, for saying which one did not fit when
    ReportLab raises a ``LayoutError``."""

    current = None
    page_limit = 0

    def __init__(self, filename, *, brand: Brand, palette: Palette, fonts: dict[str, str],
                 notes: FootnoteState, decorate_first, decorate_later, **kw):
        self.brand, self.palette, self.fonts, self.fn_state = brand, palette, fonts, notes
        m = brand.sheet.page.margins
        size = page_size(brand)
        super().__init__(filename, pagesize=size, leftMargin=m.left * mm,
                         rightMargin=m.right * mm, topMargin=m.top * mm,
                         bottomMargin=m.bottom * mm, **kw)
        band = brand.sheet.band_height * mm
        w = size[0] - (m.left + m.right) * mm
        first_h = size[1] - band - BAND_GAP_MM * mm - m.bottom * mm
        later_h = size[1] - (m.top + m.bottom) * mm
        first = _Frame(m.left * mm, m.bottom * mm, w, first_h, id="first", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        later = _Frame(m.left * mm, m.bottom * mm, w, later_h, id="later", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("first", [first], onPage=decorate_first, onPageEnd=self._page_end,
                         autoNextPageTemplate="later"),
            PageTemplate("later", [later], onPage=decorate_later, onPageEnd=self._page_end),
        ])
        notes.doc = self
        notes.width = w
        notes.frame_height = max(first_h, later_h)

    def handle_flowable(self, flowables):
        self.current = flowables[0] if flowables else None
        super().handle_flowable(flowables)

    def handle_pageBegin(self):
        if self.page >= MAX_PAGES:
            self.page_limit = MAX_PAGES
            raise TooManyPages(f"more than {MAX_PAGES} pages")
        self.fn_state.start_page()
        super().handle_pageBegin()
        for frame in self.pageTemplate.frames:
            frame._geom()  # ReportLab reuses frames: undo the last page's raised bottom

    def _page_end(self, canv, doc):
        self.fn_state.draw_notes(canv, self.frame)
