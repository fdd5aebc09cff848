"""Renderers: one small protocol, one implementation per output format.

A renderer turns a resolved :class:`~briefgen.resolve.model.Document` (format-neutral: no
YAML, no ids to look up) and a validated brand into bytes. It can also ``check`` a document
before anything is rendered, so that ``briefgen check`` finds what would stop a build (a
character no font has, say). The PDF renderer lives in :mod:`.pdf` and is the only module
that imports ReportLab; other formats live beside it and never import it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..errors import Diagnostic
    from ..resolve.model import Document
    from ..validate.brand import Brand


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


#: format name -> module that defines ``RENDERER``
FORMATS = {"pdf": "briefgen.render.pdf"}


def renderer(name: str) -> Renderer:
    return import_module(FORMATS[name]).RENDERER
