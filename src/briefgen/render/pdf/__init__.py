"""The PDF renderer (ReportLab). ``check`` needs no ReportLab: importing this package is
cheap, and the renderer modules load when the first PDF is rendered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .coverage import missing_glyphs

if TYPE_CHECKING:
    from ...errors import Diagnostic
    from ...resolve.model import Document
    from ...validate.brand import Brand


class PdfRenderer:
    name = "pdf"
    profiles = ("screen", "print")

    def check(self, doc: Document, brand: Brand) -> list[Diagnostic]:
        return missing_glyphs(doc, brand)  # with the brand's fonts for the doc's language

    def render(self, doc: Document, brand: Brand, profile: str) -> bytes:
        from ..plain import plain_brand, plain_document
        from .document import render_pdf

        # always from plain copies of the models, in this process as in a worker
        return render_pdf(plain_document(doc), plain_brand(brand).for_language(doc.language),
                          cmyk=profile == "print")


RENDERER = PdfRenderer()
