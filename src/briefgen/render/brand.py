"""Brand sheets: ``styles/<name>.yaml``, cascading with ``extends:``, validated like specs.

A derived sheet names only what it changes; mappings are merged key by key down the chain,
and every error points at the file of the chain that set the bad value.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import ContentError, Diagnostic, Location
from ..load.yamlfile import YamlFile, load_yaml
from ..validate.schema import did_you_mean, validate_model
from ..validate.types import Id

Unit = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Colour(Strict):
    """A colour for both worlds: CMYK (0-1 each) for print, its RGB hex for screens."""

    cmyk: tuple[Fraction, Fraction, Fraction, Fraction]
    rgb: str

    @field_validator("rgb")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise ValueError(f"'{value}' is not an RGB colour: use #RRGGBB")
        return value.upper()


class Margins(Strict):
    top: Unit
    bottom: Unit
    left: Unit
    right: Unit


class CropMarks(Strict):
    """Print-profile crop marks, in millimetres: they start ``offset`` outside the bleed."""

    length: Unit = Field(6, description="Length of each mark.")
    offset: Unit = Field(3, description="Gap between the bleed edge and the marks.")
    width: Annotated[float, Field(gt=0)] = Field(0.25, description="Line width in points.")


class Page(Strict):
    size: Literal["A4", "Letter"] = "A4"
    margins: Margins = Field(description="Millimetres.")
    bleed: Unit = Field(3, description="Print bleed in millimetres (at least 3 for print).")
    crop_marks: CropMarks = Field(default_factory=CropMarks)


class Family(Strict):
    regular: str
    bold: str
    italic: str
    bold_italic: str


class Fonts(Strict):
    families: dict[Id, Family]
    roles: dict[Literal["title", "heading", "body", "small", "mono"], Id]


class TextSize(Strict):
    size: Annotated[float, Field(gt=0)]
    leading: Annotated[float, Field(gt=0)]


class Sizes(Strict):
    title: TextSize
    subtitle: TextSize
    lead: TextSize
    heading: TextSize
    body: TextSize
    small: TextSize
    note: TextSize


class Shape(Strict):
    """One primitive of the vector logo, in a 0-100 box: a circle, a rectangle or a line."""

    kind: Literal["circle", "rect", "line"]
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    r: float = 0
    x2: float = 0
    y2: float = 0
    fill: str | None = None
    stroke: str | None = None
    width: float = 0


class Logo(Strict):
    size: Unit = Field(16, description="Placed width and height in millimetres.")
    shapes: list[Shape]


class Colours(Strict):
    brand: Colour
    accent: Colour
    ink: Colour
    muted: Colour
    rule: Colour
    link: Colour
    panel: Colour
    band_text: Colour


class BrandSheet(Strict):
    name: str
    page: Page
    colours: Colours
    fonts: Fonts
    sizes: Sizes
    band_height: Unit = Field(30, description="First-page brand band, millimetres.")
    logo: Logo
    header: str = "{short_title}"
    footer: str = "Published by {publisher}"
    label: str = Field("Briefing", description="Word printed in the band above the date.")


class Brand:
    """A validated brand sheet with its font files resolved to absolute paths."""

    def __init__(self, name: str, sheet: BrandSheet, files: list[Path], font_paths: dict):
        self.name = name
        self.sheet = sheet
        self.files = files  # the extends chain, most derived first
        self.font_paths: dict[str, dict[str, Path]] = font_paths

    def colour(self, name: str) -> Colour:
        return getattr(self.sheet.colours, name)


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return override


def load_brand(styles: Path, name: str, root: Path) -> Brand:
    """Load ``styles/<name>.yaml`` and the sheets it extends; raise ContentError."""
    chain: list[YamlFile] = []
    errors: list[Diagnostic] = []
    current, seen = name, []
    while current:
        path = styles / f"{current}.yaml"
        if current in seen:
            errors.append(chain[-1].diag(("extends",), f"extends loop: {' -> '.join(seen)}"))
            break
        seen.append(current)
        if not path.is_file():
            known = sorted(p.stem for p in styles.glob("*.yaml"))
            where = chain[-1].location(("extends",)) if chain else Location(
                f"styles/{current}.yaml")
            errors.append(Diagnostic(where, "extends" if chain else "brand",
                                     f"unknown brand sheet '{current}'"
                                     f"{did_you_mean(current, known)}"))
            break
        file, errs = load_yaml(path, root)
        errors.extend(errs)
        chain.append(file)
        data = file.data if isinstance(file.data, dict) else {}
        current = data.get("extends")
    if errors:
        raise ContentError(errors)
    merged: dict[str, Any] = {}
    for file in reversed(chain):
        data = dict(file.data or {})
        data.pop("extends", None)
        merged = _merge(merged, data)
    sheet, diags = validate_model(BrandSheet, chain[0], merged)
    if diags:
        # point each error at the sheet of the chain that actually set the value
        fixed = []
        for d in diags:
            owner = chain[0]
            for file in chain:
                if any(format_matches(k, d.key) for k in file.values):
                    owner = file
                    break
            path = _parse_key(d.key)
            fixed.append(Diagnostic(owner.location(path), d.key, d.message))
        raise ContentError(fixed)
    assert sheet is not None
    font_paths: dict[str, dict[str, Path]] = {}
    missing = []
    for fam_id, fam in sheet.fonts.families.items():
        font_paths[fam_id] = {}
        for face in ("regular", "bold", "italic", "bold_italic"):
            rel = getattr(fam, face)
            owner = next((f for f in chain if ("fonts", "families", fam_id, face) in f.values),
                         chain[0])
            path = (owner.path.parent / rel).resolve()
            if path.suffix.lower() != ".ttf":
                missing.append(owner.diag(("fonts", "families", fam_id, face),
                                          f"'{rel}' is not a TrueType (.ttf) font"))
            elif not path.is_file():
                missing.append(owner.diag(("fonts", "families", fam_id, face),
                                          f"font file '{rel}' not found"))
            font_paths[fam_id][face] = path
    for role, fam_id in sheet.fonts.roles.items():
        if fam_id not in sheet.fonts.families:
            owner = next((f for f in chain if ("fonts", "roles", role) in f.values), chain[0])
            missing.append(owner.diag(("fonts", "roles", role), f"unknown font family "
                                      f"'{fam_id}'{did_you_mean(fam_id, sheet.fonts.families)}"))
    for role in ("title", "heading", "body", "small", "mono"):
        if role not in sheet.fonts.roles:
            missing.append(chain[0].diag(("fonts", "roles"), f"missing font role '{role}'"))
    if missing:
        raise ContentError(missing)
    return Brand(name, sheet, [f.path for f in chain], font_paths)


def _parse_key(key: str) -> tuple:
    parts: list[Any] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return tuple(parts)


def format_matches(path: tuple, key: str) -> bool:
    from ..load.yamlfile import format_key_path
    return bool(path) and format_key_path(path) == key
