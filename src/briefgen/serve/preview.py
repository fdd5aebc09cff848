"""The live preview's pictures: page images of a briefing's screen PDF (PDFium, through
:func:`briefgen.render_pngs`), made when first asked for after each build and kept in
``dist/preview/editor/``. Paths come from the briefing id through the Layout only."""

from __future__ import annotations

import threading
from pathlib import Path

from ..author.preview import render_pngs
from ..load.project import Layout

DPI = 60
_LOCK = threading.Lock()


def pdf_pages(pdf: Path) -> int:
    """How many pages the PDF has (0 when there is none)."""
    if not pdf.is_file():
        return 0
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def page_image(layout: Layout, bid: str, number: int) -> Path | None:
    """The PNG of page ``number`` of ``bid``'s screen PDF, made again when the PDF is newer;
    None when there is no such page."""
    pdf = layout.pdf(bid)
    folder = layout.editor_previews
    out = folder / f"{bid}-{number}.png"
    with _LOCK:
        try:
            made = out.stat().st_mtime_ns
            if made >= pdf.stat().st_mtime_ns:
                return out
        except FileNotFoundError:
            pass
        if not 1 <= number <= pdf_pages(pdf):
            return None
        render_pngs(pdf, folder, bid, pages=str(number), dpi=DPI)
    return out


def version(layout: Layout, bid: str) -> str:
    """Changes whenever the briefing's PDF or web page is written again (for cache-busting
    links and for the preview to notice)."""
    parts = []
    for path in (layout.pdf(bid), layout.site_folder(bid) / "index.html"):
        try:
            parts.append(str(path.stat().st_mtime_ns))
        except FileNotFoundError:
            parts.append("0")
    return "-".join(parts)
