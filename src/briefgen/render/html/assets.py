"""Files shared by every page of a brand: ``site.css`` and the web fonts with their licences.

The stylesheet is ``styles/web/site.css.j2``, given the brand sheet as CSS custom properties:
``--colour-<role>`` (``--colour-brand``, ``--colour-link``...), ``--font-<role>``
(``--font-body``...), and for each text size ``--scale-<name>`` (its size over the body
size: the body is 1) and ``--leading-<name>`` (line height over size). Screens set the body
size in ``--size-base``; the print stylesheet sets it to the brand's body size in points, so
paper gets the PDF's sizes. ``@page`` takes the brand's page size and margins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...validate.brand import Brand
from ...validate.fontfiles import DamagedFont
from .fonts import charset, charset_key, licence_files, web_faces, woff2
from .templates import folder_of, render

if TYPE_CHECKING:
    pass

GENERIC = {"mono": "monospace"}


def css_family(role: str) -> str:
    return f"briefgen-{role}"


def subset_plan(texts: list[str], styles: set[str]) -> tuple[frozenset[int], str,
                                                              frozenset[str]]:
    """What the brand's web fonts must hold: the characters of ``texts`` (what the pages
    print, see ``Document.printed_text``), a key for them, and the optional faces the
    ``styles`` they use need ("code", "bold_italic")."""
    chars = charset("".join(texts))
    return chars, charset_key(chars), frozenset(styles)


def css_context(brand: Brand, chars_key: str, extra: frozenset[str]) -> dict[str, Any]:
    sheet = brand.sheet
    body = sheet.sizes.body.size
    sizes = {name: {"scale": round(s.size / body, 4), "leading": round(s.leading / s.size, 4),
                    "pt": s.size}
             for name, s in sheet.sizes.model_dump().items()
             for s in [getattr(sheet.sizes, name)]}
    faces = web_faces(brand, chars_key, extra)
    return {
        "brand": brand.name,
        "colours": {name: brand.colour(name).rgb for name in type(sheet.colours).model_fields},
        "fonts": {role: f'"{css_family(role)}", {GENERIC.get(role, "sans-serif")}'
                  for role in ("title", "heading", "body", "small", "mono")},
        "faces": [{"family": css_family(f.role), "weight": f.weight, "style": f.style,
                   "src": f.file} for f in faces],
        "sizes": sizes, "body_pt": body,
        "page": {"size": sheet.page.size, "margins": sheet.page.margins.model_dump()},
    }


def brand_assets(brand: Brand, texts: list[str], styles: set[str]) -> dict[str, bytes]:
    chars, key, extra = subset_plan(texts, styles)
    out = {"site.css": render(folder_of(brand), "site.css.j2", css_context(brand, key, extra))
           .encode("utf-8")}
    for face in web_faces(brand, key, extra):
        if face.file not in out:
            try:
                out[face.file] = woff2(face.source, brand.fonts[face.source].digest, chars,
                                       key)
            except DamagedFont as exc:
                raise brand.font_error(exc.path, exc.problem) from None
    for name, path in licence_files(brand).items():
        out[name] = path.read_bytes()
    return out
