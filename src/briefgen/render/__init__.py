"""Renderers: one small protocol, one implementation per output format.

A renderer turns a resolved :class:`~briefgen.resolve.model.Document` (format-neutral: no
YAML, no ids to look up) and a validated brand into bytes. It can also ``check`` a document
before anything is rendered, so that ``briefgen check`` finds what would stop a build (a
character no font has, say). The PDF renderer lives in :mod:`.pdf` and is the only module
that imports ReportLab; other formats live beside it and never import it.

A format whose output is a web site rather than one file per briefing also implements
:class:`SiteRenderer` (the HTML renderer in :mod:`.html` does): a folder of files per
briefing, files shared by every page of a brand, and an index over all briefings. Each
method returns :data:`Files`, paths relative to the folder it is written to, and never
touches the disk: :mod:`briefgen.incremental.site` decides what to write, and when.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..errors import Diagnostic
    from ..resolve.model import Document
    from ..validate.brand import Brand
    from .html.context import IndexEntry, PageContext, SiteContext

#: relative POSIX path (``index.html``, ``fonts/1a2b.woff2``) -> content
Files = dict[str, bytes]


class Renderer(Protocol):
    #: the format's name, as in ``briefgen build --format``
    name: str
    #: the variants it makes of one briefing (the PDF has "screen" and "print")
    profiles: tuple[str, ...]

    def check(self, doc: Document, brand: Brand) -> list[Diagnostic]:
        """Problems that would stop ``render``, found without rendering (cheap; no imports
        of the rendering library)."""
        ...

    def render(self, doc: Document, brand: Brand, profile: str) -> bytes:
        """The finished output. Raises RenderError only for a problem ``check`` cannot see."""
        ...


class SiteRenderer(Renderer, Protocol):
    """A renderer whose output is a static web site (``render`` gives one briefing's page)."""

    def page(self, doc: Document, brand: Brand, context: PageContext) -> Files:
        """One briefing's folder: its page and the files only it uses (a share image)."""
        ...

    def brand_assets(self, brand: Brand, docs: list[Document]) -> Files:
        """Files every page of ``brand`` shares (stylesheet, web fonts and their licences),
        for the pages of ``docs`` (whose text decides what the fonts hold)."""
        ...

    def index(self, entries: list[IndexEntry], brand: Brand, context: SiteContext) -> Files:
        """The site's own files over all briefings (index page, feed, sitemap)."""
        ...


#: format name -> module that defines ``RENDERER``
FORMATS = {"pdf": "briefgen.render.pdf", "html": "briefgen.render.html"}


def renderer(name: str) -> Renderer:
    return import_module(FORMATS[name]).RENDERER
