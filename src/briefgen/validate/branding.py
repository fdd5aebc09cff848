"""A validated brand as the renderers use it: plain Python, no pydantic.

:func:`briefgen.validate.brand.validate_brand` makes it; it lives apart from the schemas so
that a renderer's worker process can unpickle a brand (whose sheet is then a plain record,
see :mod:`briefgen.render.plain`) without importing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Diagnostic, Location, RenderError, relative_path

if TYPE_CHECKING:
    from pathlib import Path

    from .brand import BrandSheet, Colour
    from .fontfiles import FontInfo

#: the four faces of a font family
FACES = ("regular", "bold", "italic", "bold_italic")


class Brand:
    """A validated brand sheet with its font files resolved and read."""

    def __init__(self, name: str, sheet: BrandSheet, files: list[Path],
                 font_paths: dict[str, dict[str, Path]], fonts: dict[Path, FontInfo]):
        self.name = name
        self.sheet = sheet
        self.files = files  # the extends chain, most derived first
        self.font_paths = font_paths  # family -> face -> absolute path
        self.fonts = fonts  # path -> what the file holds
        #: the sheet as editions in a language see it (``languages:`` merged over it)
        self.languages: dict[str, Brand] = {}
        self.language: str | None = None  # set on a language's brand
        #: where the sheet sets its page geometry (margins, band, sizes), for errors found
        #: when a briefing is laid out
        self.locations: dict[tuple, Location] = {}
        #: the key path of each of its words (label, header, footer, digits) as set
        self.key_paths: dict[tuple, str] = {}
        self.display = f"styles/{name}.yaml"  # the sheet, as errors name it
        self.root: Path | None = None  # the project's folder

    def font_display(self, path: Path) -> str:
        """A font file as errors name it: relative to the project (styles/fonts/x.ttf)."""
        return relative_path(path, self.root) if self.root is not None else path.name

    def font_error(self, path: Path, problem: str) -> RenderError:
        """A font file of this brand that cannot be used, as an error located at the file."""
        shown = self.font_display(path)
        return RenderError(f"{shown}: {problem}", [Diagnostic(Location(shown), "", problem)])

    def where(self, path: tuple) -> Location:
        """The place in the sheet (or the sheet of its chain that set it) of ``path``."""
        return self.locations.get(path) or Location(self.display)

    def for_language(self, language: str) -> Brand:
        """The brand for text in ``language`` (``my``, ``en-GB``): its ``languages:`` entry
        for that language or its primary subtag, else the brand itself."""
        if not self.languages:
            return self
        found = self.languages.get(language) or self.languages.get(language.split("-")[0])
        return found or self

    @property
    def web_name(self) -> str:
        """The folder of its web assets (``dist/site/_assets/<web_name>/``): the brand's
        name, and the language for a language's brand (``default.my``)."""
        return self.name if self.language is None else f"{self.name}.{self.language}"

    def colour(self, name: str) -> Colour:
        return getattr(self.sheet.colours, name)

    def face(self, role: str, face: str = "regular") -> Path:
        return self.font_paths[self.sheet.fonts.roles[role]][face]

    def coverage(self, role: str, face: str = "regular") -> frozenset[int]:
        return self.fonts[self.face(role, face)].coverage

    def family_name(self, role: str) -> str:
        return self.sheet.fonts.roles[role]
