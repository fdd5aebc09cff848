"""The HTML renderer: the web edition of every briefing, from the same resolved document as
the PDF. It never imports ReportLab, and the PDF renderer knows nothing of it.

For one briefing it makes a folder: ``index.html`` (semantic HTML5 from the Jinja2
templates in ``styles/web/``) and ``share.png`` (the card social sites show). For each brand
it makes the stylesheet, with the brand sheet's colours, fonts and sizes as CSS custom
properties, and the brand's fonts as WOFF2 subsets. Over all briefings it makes the index
page, an Atom feed and, when the site's public address is known, a sitemap. Which of these
to write, and when, is decided by :mod:`briefgen.incremental.site`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import Download, EditionLink, IndexEntry, PageContext, SiteContext

if TYPE_CHECKING:
    from ...errors import Diagnostic
    from ...resolve.model import Document
    from ...validate.brand import Brand
    from ...validate.models import Publisher

__all__ = ["RENDERER", "Download", "EditionLink", "HtmlRenderer", "IndexEntry", "PageContext",
           "SiteContext"]


class HtmlRenderer:
    name = "html"
    profiles = ("web",)

    def check(self, doc: Document, brand: Brand) -> list[Diagnostic]:
        """The templates' syntax. Characters are not checked: a browser sets a character the
        web font lacks in another font, so nothing here can stop a page."""
        from .templates import folder_of, problems

        return problems(folder_of(brand))

    def rehearse(self, doc: Document, brand: Brand, publisher: Publisher) -> list[Diagnostic]:
        """Render the page, index, feed and sitemap once for ``doc`` (with a PDF of each
        profile, a published edition and a public address, so that every branch runs): a
        template that compiles may still fail on what it is given (a misspelt name), and
        ``check`` should say so before a build does. What depends on one briefing's content
        (a page too long) is left to the build of that page."""
        from ...errors import RenderError
        from ...validate.types import PartialDate

        downloads = (Download("screen", f"{doc.id}.pdf", 100_000),
                     Download("print", f"{doc.id}-print.pdf", 300_000))
        editions = (EditionLink("2000-01-01-1", doc.date, "a note", "editions/x.pdf", 1),)
        site = SiteContext(base_url="https://briefgen.invalid/site/", publisher=publisher)
        day = PartialDate(doc.date.year, doc.date.month, doc.date.day)
        try:
            self.page_html(doc, brand, PageContext(site, downloads, (day, day), editions))
            self.index([IndexEntry(doc.id, doc.title, doc.subtitle, doc.date, doc.language,
                                   doc.title, downloads, editions)], brand, site)
        except RenderError as exc:
            return list(exc.diagnostics)
        return []

    def render(self, doc: Document, brand: Brand, profile: str = "web") -> bytes:
        """The page alone, with no PDF links, base URL or facts' dates (see :meth:`page`)."""
        return self.page_html(doc, brand, PageContext())

    def page_html(self, doc: Document, brand: Brand, context: PageContext) -> bytes:
        from .page import page_context
        from .templates import folder_of, render

        html = render(folder_of(brand), "page.html.j2", page_context(doc, brand, context))
        return html.encode("utf-8")

    def share_image(self, doc: Document, brand: Brand) -> bytes:
        from .share import share_png

        return share_png(doc, brand)

    def page(self, doc: Document, brand: Brand, context: PageContext) -> dict[str, bytes]:
        from .page import SHARE_IMAGE

        return {"index.html": self.page_html(doc, brand, context),
                SHARE_IMAGE: self.share_image(doc, brand)}

    def brand_assets(self, brand: Brand, texts: list[str], styles: set[str]
                     ) -> dict[str, bytes]:
        """The stylesheet and web fonts for pages that print ``texts`` (each page's
        ``Document.printed_text()``) in ``styles`` ("code", "bold_italic")."""
        from .assets import brand_assets

        return brand_assets(brand, texts, styles)

    def index(self, entries: list[IndexEntry], brand: Brand,
              context: SiteContext) -> dict[str, bytes]:
        from .page import index_context
        from .templates import folder_of, render

        folder = folder_of(brand)
        ctx = index_context(entries, brand, context)
        out = {"index.html": render(folder, "index.html.j2", ctx).encode("utf-8"),
               "feed.xml": render(folder, "feed.xml.j2", ctx).encode("utf-8")}
        if context.base_url:  # a sitemap lists absolute addresses only
            out["sitemap.xml"] = render(folder, "sitemap.xml.j2", ctx).encode("utf-8")
        return out


RENDERER = HtmlRenderer()
