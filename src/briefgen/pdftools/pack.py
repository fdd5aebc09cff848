"""``briefgen pack``: all current briefings (screen profile) in one PDF for visitors and
journalists: a contents page with linked starting pages, an outline entry per briefing with
its own sections nested under it, page labels per briefing, metadata and /Lang.

The contents page is drawn with ReportLab in the brand's fonts; the merging, links, outline
and labels are done with pypdf (ReportLab's named destinations do not survive merging, page
links do). The bytes are deterministic: dated with the newest briefing, identified by a hash
of the inputs.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, ByteStringObject, Fit, NameObject, TextStringObject
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from .. import __version__
from ..errors import ContentError, UsageError
from ..files import write_output
from ..incremental.builder import build_project
from ..render.pdf.fonts import register_brand_fonts
from ..render.pdf.pages import Palette, _bold, canvas_class, page_size
from ..resolve.model import Document
from ..validate.brand import Brand
from ..validate.types import human_date
from ..workspace import open_workspace

#: the contents page: the band's height (of the brand's), the title's baseline below it, the
#: first row's below that, each row's height, and its rule below its baseline
BAND_SHARE = 0.6
TITLE_DROP = 16 * mm
FIRST_ROW = 14 * mm
ROW = 13 * mm
RULE_DROP = 7.5 * mm


def rows_per_page(brand: Brand) -> int:
    """How many rows a contents page holds: from the first row's baseline to the last row's
    rule, inside the bottom margin (the footer is below it), whatever the page size (a fixed
    18 ran into the footer on Letter)."""
    _, h = page_size(brand)
    band = brand.sheet.band_height * mm * BAND_SHARE
    first = h - band - TITLE_DROP - FIRST_ROW
    bottom = brand.sheet.page.margins.bottom * mm
    return max(1, int((first - RULE_DROP - bottom) // ROW) + 1)


@dataclass
class PackResult:
    path: Path
    ids: list[str]
    pages: int


@dataclass
class _Row:
    doc: Document
    pdf: Path
    pages: int
    start: int = 0  # 0-based index of its first page in the pack
    rect: tuple[float, float, float, float] = (0, 0, 0, 0)
    contents_page: int = 0


def _contents_pdf(rows: list[_Row], brand: Brand, title: str, publisher: str) -> bytes:
    """Draw the contents page(s); fills in each row's link rectangle and page."""
    fonts = register_brand_fonts(brand)
    palette = Palette(brand)
    w, h = page_size(brand)
    m = brand.sheet.page.margins
    left, right = m.left * mm, w - m.right * mm
    newest = max(r.doc.date for r in rows)

    def footer(canv, number: int, total: int) -> None:
        canv.saveState()
        canv.setFont(fonts["small"], 7.5)
        canv.setFillColor(palette.muted)
        page = f"Contents {number} of {total}"
        room = right - left - stringWidth(page, fonts["small"], 7.5) - 4 * mm
        canv.drawString(left, m.bottom * mm - 10 * mm,
                        _fit(f"{title} · {publisher}", fonts["small"], 7.5, room))
        canv.drawRightString(right, m.bottom * mm - 10 * mm, page)
        canv.restoreState()

    buf = io.BytesIO()
    canv = canvas_class(newest, footer)(buf, pagesize=(w, h), initialFontName=fonts["body"],
                                        pageCompression=1)
    canv.setTitle(title)
    per_page = rows_per_page(brand)
    pages = [rows[i:i + per_page] for i in range(0, len(rows), per_page)]
    for page_no, chunk in enumerate(pages):
        band = brand.sheet.band_height * mm * BAND_SHARE
        canv.setFillColor(palette.brand)
        canv.rect(0, h - band, w, band, fill=1, stroke=0)
        canv.setFillColor(palette.band_text)
        canv.setFont(_bold(fonts["title"]), 13)
        dated = human_date(newest)  # the name is cut to the room the date leaves it
        room = right - left - stringWidth(dated, fonts["small"], 9) - 6 * mm
        canv.drawString(left, h - band / 2 - 4, _fit(publisher, _bold(fonts["title"]), 13, room))
        canv.setFont(fonts["small"], 9)
        canv.drawRightString(right, h - band / 2 - 3, dated)
        y = h - band - TITLE_DROP
        canv.setFillColor(palette.brand)
        canv.setFont(_bold(fonts["title"]), 22)
        canv.drawString(left, y, title if page_no == 0 else f"{title} (continued)")
        y -= FIRST_ROW
        for row in chunk:
            canv.setFillColor(palette.ink)
            canv.setFont(_bold(fonts["body"]), 11)
            text = _fit(row.doc.title, _bold(fonts["body"]), 11, right - left - 20 * mm)
            canv.drawString(left, y, text)
            canv.setFont(fonts["small"], 9)
            canv.setFillColor(palette.muted)
            canv.drawString(left, y - 4.5 * mm, human_date(row.doc.date))
            canv.setFillColor(palette.link)
            canv.setFont(_bold(fonts["body"]), 11)
            canv.drawRightString(right, y, f"page {row.start + 1}")
            canv.setStrokeColor(palette.rule)
            canv.setLineWidth(0.5)
            canv.line(left, y - RULE_DROP, right, y - RULE_DROP)
            row.rect = (left, y - 6 * mm, right, y + 4.5 * mm)
            row.contents_page = page_no
            y -= ROW
        canv.showPage()
    canv.save()
    return buf.getvalue()


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _copy_outline(reader: PdfReader, items: list, writer: PdfWriter, parent, offset: int,
                  skip: str | None = None) -> None:
    """Re-create a briefing's outline under ``parent`` with page numbers shifted by
    ``offset``: ReportLab's entries point at named destinations, which merging loses."""
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                _copy_outline(reader, item, writer, last, offset)
            continue
        if skip is not None and item.title == skip:
            last = parent  # the briefing's own title entry: its children go under the parent
            continue
        page = reader.get_destination_page_number(item)
        top = item.get("/Top") if hasattr(item, "get") else None
        fit = Fit.xyz(top=float(top)) if top is not None else Fit.fit()
        last = writer.add_outline_item(title=item.title, page_number=offset + page,
                                         parent=parent, fit=fit)


def make_pack(root: Path | str, ids: list[str] | None = None, out: Path | None = None,
              *, title: str = "Briefing pack", jobs: int | None = None) -> PackResult:
    """Build what is stale, then write the pack; raise ContentError if a briefing fails."""
    if out is not None and out.is_dir():
        raise UsageError(f"-o {out}: that is a folder; name the PDF file to write, e.g. "
                         f"{out / 'pack.pdf'}")
    ws = open_workspace(root)
    # a pack is set in the brand's own fonts: translated editions (<id>.<lang>) stay out
    wanted = ids or [bid for bid in ws.ids if ws.edition_of(bid) is None]
    if not wanted:
        raise UsageError("there are no briefings to pack")
    for bid in wanted:
        ws.require(bid)
        if ws.edition_of(bid) is not None:
            raise UsageError(f"'{bid}' is a translated edition: a pack holds briefings in "
                             "their own language")
    result = build_project(ws.root, ids, jobs=jobs, workspace=ws)
    errors = [d for f in result.failed for d in f.errors] + list(result.shared_errors)
    if result.failed or any(d.is_error for d in result.shared_errors):
        raise ContentError(errors)
    rows = []
    for bid in wanted:
        pdf = ws.layout.pdf(bid)
        rows.append(_Row(ws.document(bid), pdf, len(PdfReader(pdf).pages)))
    brand = ws.brands[rows[0].doc.brand]
    contents_pages = -(-len(rows) // rows_per_page(brand))
    start = contents_pages
    for row in rows:
        row.start, start = start, start + row.pages
    publisher = rows[0].doc.publisher.name
    contents = _contents_pdf(rows, brand, title, publisher)

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(contents)), import_outline=False)
    writer.set_page_label(0, contents_pages - 1, style="/r")
    for row in rows:
        reader = PdfReader(row.pdf)
        writer.append(reader, import_outline=False)
        parent = writer.add_outline_item(title=row.doc.title, page_number=row.start)
        _copy_outline(reader, reader.outline, writer, parent, row.start, skip=row.doc.title)
        writer.set_page_label(row.start, row.start + row.pages - 1, style="/D",
                              prefix=f"{row.doc.id}:", start=1)
    for row in rows:
        writer.add_annotation(row.contents_page, Link(rect=row.rect,
                                                      target_page_index=row.start))
    digest = hashlib.sha256(contents)
    for row in rows:
        digest.update(row.pdf.read_bytes())
    ident = ByteStringObject(digest.digest()[:16])
    writer._ID = ArrayObject([ident, ident])
    newest = max(r.doc.date for r in rows)
    writer.add_metadata({
        "/Title": title, "/Author": publisher,
        "/Subject": "; ".join(r.doc.title for r in rows),
        "/Creator": f"briefgen {__version__}", "/Producer": f"briefgen {__version__} (pypdf)",
        "/CreationDate": f"D:{newest:%Y%m%d}000000Z", "/ModDate": f"D:{newest:%Y%m%d}000000Z",
    })
    writer._root_object[NameObject("/Lang")] = TextStringObject(rows[0].doc.language)
    writer.page_mode = "/UseOutlines"
    buf = io.BytesIO()
    writer.write(buf)
    target = out or ws.layout.pack
    write_output(target, buf.getvalue())
    return PackResult(target, [r.doc.id for r in rows], start)
