"""Brand sheets: ``styles/<name>.yaml``, cascading with ``extends:``, validated like specs.

A derived sheet names only what it changes; mappings are merged key by key down the chain,
and every error points at the file of the chain that set the bad value. Validation covers
everything a renderer will rely on: colours, finite numbers, the colour names the logo uses,
the header and footer placeholders, the room the page leaves for text (:mod:`.geometry`,
for the sheet and for each language's sheet), and the font files themselves (inside
``styles/``, real TrueType fonts whose every glyph can be embedded, with the characters each
one has).
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import Diagnostic, Location
from ..load.yamlfile import YamlFile, format_key_path
from . import geometry
from .branding import FACES, Brand
from .fontfiles import FontCache, FontInfo
from .schema import did_you_mean, validate_model
from .types import Id

Unit = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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

    @field_validator("bleed")
    @classmethod
    def _print_bleed(cls, value: float) -> float:
        if 0 < value < 3:  # the print profile would make a PDF that preflight refuses (0:
            raise ValueError(  # a brand set up for the screen only, no bleed at all)
                f"{value:g} mm is less than the 3 mm a print shop needs for the print profile "
                "(briefgen preflight refuses it): use 3 or more, or 0 for a brand that is "
                "never printed")
        return value


class Family(Strict):
    regular: str
    bold: str
    italic: str
    bold_italic: str


Role = Literal["title", "heading", "body", "small", "mono"]
SizeRole = Literal["title", "subtitle", "lead", "heading", "body", "small", "note"]
#: a language as specs write it: ``my``, ``en-GB``
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")]


class Fonts(Strict):
    families: dict[Id, Family]
    roles: dict[Role, Id]


class TextSize(Strict):
    size: Annotated[float, Field(ge=1)]  # points: under 1 is no text size (and 5e-324
    leading: Annotated[float, Field(ge=1)]  # would divide the page by zero)


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


class TextSetting(Strict):
    """How body text is set (titles and headings are never justified or hyphenated)."""

    justify: bool = Field(False, description="Justify body text (full lines flush left and "
                          "right; the last line of a paragraph stays ragged).")
    hyphenate: bool = Field(True, description="Hyphenate body text and notes in the "
                            "briefing's language (never names, numbers or web addresses).")


class LanguageFonts(Strict):
    families: dict[Id, Family] = Field(default_factory=dict)
    roles: dict[Role, Id] = Field(default_factory=dict)


class SizeOverride(Strict):
    size: Annotated[float, Field(ge=1)] | None = None
    leading: Annotated[float, Field(ge=1)] | None = None


class LanguageStyle(Strict):
    """A language's changes to a brand sheet (all optional; merged key by key)."""

    fonts: LanguageFonts | None = None
    sizes: dict[SizeRole, SizeOverride] = Field(
        default_factory=dict, description="Sizes and leading in points; a script with tall "
        "stacks (Myanmar) needs more leading than Latin.")
    label: str | None = None
    header: str | None = None
    footer: str | None = None
    text: TextSetting | None = None
    digits: Literal["latin", "myanmar"] | None = None


class BrandSheet(Strict):
    name: str
    page: Page
    colours: Colours
    fonts: Fonts
    sizes: Sizes
    band_height: Unit = Field(30, description="First-page brand band, millimetres.")
    logo: Logo
    header: str = Field("{short_title}", description="Running header on later pages; may "
                        "use {short_title}, {title} and {publisher}.")
    footer: str = Field("Published by {publisher}", description="Footer text; may use "
                        "{short_title}, {title} and {publisher}.")

    @field_validator("header", "footer")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        check_page_text(value)
        return value
    label: str = Field("Briefing", description="Word printed in the band above the date.")
    text: TextSetting = Field(default_factory=TextSetting)
    appendix_page_break: bool = Field(False, description="Start \"More information\" on a "
                                      "new page; by default it follows the content.")
    languages: dict[LanguageCode, LanguageStyle] = Field(
        default_factory=dict, description="What changes for editions in a language (e.g. "
        "my: Burmese): fonts for its script, sizes and leading, label, header, footer, "
        "digits. Merged over the rest of the sheet.")
    digits: Literal["latin", "myanmar"] | None = Field(
        None, description="Digits for page numbers, dates, list and note numbers; default: "
        "the language's strings file (styles/strings/).")


PAGE_TEXT_NAMES = ("short_title", "title", "publisher")


def check_page_text(value: str) -> None:
    """Header and footer text may name {short_title}, {title} and {publisher}, nothing else
    (no attribute access, no format specifications: it is filled with str.format)."""
    import string

    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ValueError(f"'{value}': {exc}; write a literal brace as {{{{ or }}}}") from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PAGE_TEXT_NAMES or spec or conversion:
            raise ValueError(f"'{{{name}{'!' + conversion if conversion else ''}"
                             f"{':' + spec if spec else ''}}}' is not allowed here; use "
                             "{short_title}, {title} or {publisher}")


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return override


def _parse_key(key: str) -> tuple:
    parts: list[Any] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return tuple(parts)


def _owner(chain: list[YamlFile], path: tuple) -> YamlFile:
    """The sheet of the chain that set the value at ``path``: the one that names the
    longest part of it (a sheet that sets ``colours.accent`` does not own ``colours.brand``,
    which its parent sets), the most derived of those that name as much."""
    best, depth = chain[0], 0
    for file in chain:
        probe = tuple(path)
        while len(probe) > depth:
            if probe in file.values:
                best, depth = file, len(probe)
                break
            probe = probe[:-1]
    return best


def _chain(sheets: dict[str, YamlFile], name: str) -> tuple[list[YamlFile], list[Diagnostic]]:
    chain: list[YamlFile] = []
    seen: list[str] = []
    current: Any = name
    while current:
        if not isinstance(current, str):
            return chain, [chain[-1].diag(("extends",), "extends names another brand sheet, "
                                                        "e.g. extends: default")]
        if current in seen:
            return chain, [chain[-1].diag(("extends",), f"extends loop: "
                                                        f"{' -> '.join([*seen, current])}")]
        seen.append(current)
        file = sheets.get(current)
        if file is None:
            where = chain[-1].diag(("extends",), f"unknown brand sheet '{current}'"
                                   f"{did_you_mean(current, sheets)}") if chain else None
            return chain, [where] if where else []
        if file.failed:
            return chain, [Diagnostic(Location(file.display), "", "this brand sheet has "
                                      "errors of its own (see above)")]
        chain.append(file)
        data = file.data if isinstance(file.data, dict) else {}
        current = data.get("extends")
    return chain, []


def validate_brand(sheets: dict[str, YamlFile], name: str, styles: Path,
                   fonts: FontCache) -> tuple[Brand | None, list[Diagnostic]]:
    """Validate ``styles/<name>.yaml`` and the sheets it extends. An unknown name gives no
    diagnostic here: the spec that names it reports it at its own ``brand:`` key."""
    chain, errors = _chain(sheets, name)
    if errors or not chain:
        return None, errors
    merged: dict[str, Any] = {}
    for file in reversed(chain):
        if file.data is not None and not isinstance(file.data, dict):
            return None, [file.diag((), "a brand sheet is a mapping of keys (page:, colours:, "
                                        "fonts: ...)")]
        data = dict(file.data or {})
        data.pop("extends", None)
        merged = _merge(merged, data)
    sheet, diags = validate_model(BrandSheet, chain[0], merged)
    if diags:
        # point each error at the sheet of the chain that actually set the value; then
        # what can be checked without a valid sheet, so that all is said at once: the font
        # files named, and each language's own entries
        problems = [_owner(chain, _parse_key(d.key)).diag(_parse_key(d.key), d.message)
                    if d.key else d for d in diags]
        bad = {_parse_key(d.key) for d in diags if d.key}
        problems += _references(merged, chain, bad)
        _raw_fonts(merged, chain, styles, fonts, problems, bad)
        _languages_alone(name, merged, chain, styles, fonts, problems, bad)
        return None, problems
    assert sheet is not None
    problems = _references(merged, chain, set())
    locate = partial(_place, chain, ())
    problems.extend(_geometry(sheet, locate))
    font_paths, infos = _fonts(sheet, chain, styles, fonts, problems)
    if problems:
        _languages_alone(name, merged, chain, styles, fonts, problems, set())
        return None, problems
    languages: dict[str, Brand] = {}
    for lang in sheet.languages:
        sub = _language_brand(name, merged, lang, chain, styles, fonts, problems)
        if sub is not None:
            languages[lang] = sub
            infos.update(sub.fonts)  # every file the brand may set text in
    if problems:
        return None, problems
    brand = Brand(name, sheet, [f.path for f in chain], font_paths, infos)
    brand.languages = languages
    brand.locations, brand.key_paths = _locations(locate), _key_paths(locate)
    brand.display, brand.root = chain[0].display, styles.parent
    return brand, []


def _refused(path: tuple, bad: set[tuple]) -> bool:
    """Whether the schema refused ``path`` or a mapping around it."""
    return any(path[:n] in bad for n in range(1, len(path) + 1))


def _references(merged: dict[str, Any], chain: list[YamlFile],
                bad: set[tuple]) -> list[Diagnostic]:
    """What the sheet names that must exist: the colour of each logo shape, each role's
    font family, and the five roles. Read from the sheet as written (the schema has made
    sure of the types when it passed), so that it is said with a schema error elsewhere;
    values the schema refused (``bad``) are left to its message."""
    out = []
    colour_names = list(Colours.model_fields)
    logo = merged.get("logo")
    shapes = logo.get("shapes") if isinstance(logo, dict) else None
    for i, shape in enumerate(shapes if isinstance(shapes, list) else ()):
        for attr in ("fill", "stroke"):
            value = shape.get(attr) if isinstance(shape, dict) else None
            path = ("logo", "shapes", i, attr)
            if isinstance(value, str) and value not in colour_names and \
                    not _refused(path, bad):
                out.append(_owner(chain, path).diag(
                    path, f"unknown colour '{value}'{did_you_mean(value, colour_names)}; "
                          f"use one of: {', '.join(colour_names)}"))
    fonts = merged.get("fonts")
    families = fonts.get("families") if isinstance(fonts, dict) else None
    roles = fonts.get("roles") if isinstance(fonts, dict) else None
    if not isinstance(roles, dict) or _refused(("fonts", "roles"), bad):
        return out
    for role, fam_id in roles.items():
        path = ("fonts", "roles", role)
        if isinstance(families, dict) and not _refused(("fonts", "families"), bad) and \
                isinstance(fam_id, str) and fam_id not in families and \
                not _refused(path, bad):
            out.append(_owner(chain, path).diag(
                path, f"unknown font family '{fam_id}'{did_you_mean(fam_id, families)}"))
    for role in ("title", "heading", "body", "small", "mono"):
        if role not in roles:
            out.append(chain[0].diag(("fonts", "roles"), f"missing font role '{role}'"))
    return out


def _language_brand(name: str, merged: dict[str, Any], lang: str, chain: list[YamlFile],
                    styles: Path, cache: FontCache, problems: list[Diagnostic]
                    ) -> Brand | None:
    """The sheet with ``languages.<lang>`` merged over it, validated as a whole; each error
    points at the language's own key when it set the value."""
    override = dict(merged["languages"][lang] or {})
    base = {k: v for k, v in merged.items() if k != "languages"}
    digits = override.pop("digits", None)
    data = _merge(base, override)
    if digits is not None:
        data["digits"] = digits
    prefix = ("languages", lang)
    place = partial(_place, chain, prefix)

    sheet, diags = validate_model(BrandSheet, chain[0], data)
    if diags:
        for d in diags:
            file, path = place(_parse_key(d.key)) if d.key else (chain[0], ())
            problems.append(file.diag(path, f"(in the sheet for language '{lang}') "
                                            f"{d.message}"))
        return None
    assert sheet is not None
    before = len(problems)
    for role, fam_id in sheet.fonts.roles.items():
        if fam_id not in sheet.fonts.families:
            file, path = place(("fonts", "roles", role))
            problems.append(file.diag(path, f"unknown font family '{fam_id}'"
                                            f"{did_you_mean(fam_id, sheet.fonts.families)}"))
    problems.extend(_geometry(sheet, place, f"(in the sheet for language '{lang}') "))
    font_paths, infos = _fonts(sheet, chain, styles, cache, problems, place)
    if len(problems) > before:
        return None
    brand = Brand(name, sheet, [f.path for f in chain], font_paths, infos)
    brand.language = lang
    brand.locations, brand.key_paths = _locations(place), _key_paths(place)
    brand.display, brand.root = chain[0].display, styles.parent
    return brand


def _place(chain: list[YamlFile], prefix: tuple, path: tuple) -> tuple[YamlFile, tuple]:
    """The sheet of the chain that set ``path`` and the path there: under ``prefix`` (a
    language's entry, ``languages.my``) when that entry set it, else the path itself."""
    owner = _owner(chain, path)
    if prefix:  # the language's entry that names the most of it, if as much as the sheet
        best, depth = None, 0
        for file in chain:
            named = _named(file, (*prefix, *path)) - len(prefix)
            if named > depth:
                best, depth = file, named
        if best is not None and depth >= _named(owner, path):
            return best, (*prefix, *path)
    return owner, path


def _named(file: YamlFile, path: tuple) -> int:
    """How long a part of ``path`` ``file`` names (0: none of it)."""
    probe = tuple(path)
    while probe and probe not in file.values:
        probe = probe[:-1]
    return len(probe)


def _geometry(sheet: BrandSheet, place, prefix: str = "") -> list[Diagnostic]:
    """A located error for each way the sheet leaves too little room for text."""
    out = []
    for problem in geometry.problems(sheet):
        file, path = place(problem.path)
        out.append(file.diag(path, prefix + problem.message))
    return out


#: the keys a geometry problem (see :mod:`.geometry`) can point at
GEOMETRY_KEYS = (("band_height",), *(("page", "margins", side)
                                    for side in ("top", "bottom", "left", "right")),
                 *(("sizes", role, attr) for role in geometry.SIZE_ROLES
                   for attr in ("size", "leading")))


#: the sheet's own words every page prints, and its digits: errors about their glyphs
#: point at them
TEXT_KEYS = (("label",), ("header",), ("footer",), ("digits",))


def _locations(place) -> dict[tuple, Location]:
    out = {}
    for key in (*GEOMETRY_KEYS, *TEXT_KEYS):
        file, path = place(key)
        out[key] = file.location(path)
    return out


def _key_paths(place) -> dict[tuple, str]:
    """The key path each of :data:`TEXT_KEYS` is set at (``languages.my.label``)."""
    return {key: format_key_path(place(key)[1]) for key in TEXT_KEYS}


def _fonts(sheet: BrandSheet, chain: list[YamlFile], styles: Path, cache: FontCache,
           problems: list[Diagnostic], place=None) -> tuple[dict, dict]:
    font_paths: dict[str, dict[str, Path]] = {}
    infos: dict[Path, FontInfo] = {}
    styles_root = styles.resolve()
    for fam_id, fam in sheet.fonts.families.items():
        font_paths[fam_id] = {}
        for face in FACES:
            key = ("fonts", "families", fam_id, face)
            owner = _owner(chain, key)
            if place is not None:
                owner, key = place(key)
            found = _font_file(owner, key, getattr(fam, face), styles_root, cache, problems)
            if found is not None:
                font_paths[fam_id][face] = found.path
                infos[found.path] = found
    return font_paths, infos


def _font_file(owner: YamlFile, key: tuple, rel: str, styles_root: Path, cache: FontCache,
               problems: list[Diagnostic]) -> FontInfo | None:
    """What the font file ``rel`` (as the sheet ``owner`` names it at ``key``) holds, or
    None with the reason added to ``problems``."""
    def unusable(exc: Exception) -> None:  # a name too long, a loop of links, a NUL...
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        shown = "".join(f"\\x{ord(c):02x}" if ord(c) < 32 or ord(c) == 127 else c
                        for c in rel[:80])
        problems.append(owner.diag(key, f"'{shown}' cannot be used as a font file "
                                        f"({detail})"))

    try:
        path = (owner.path.parent / rel).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        return unusable(exc)
    if not path.is_relative_to(styles_root):
        problems.append(owner.diag(key, f"'{rel}' is outside the styles/ folder; put the "
                                        "font in styles/fonts/ with its licence"))
        return None
    if path.suffix.lower() != ".ttf":
        problems.append(owner.diag(key, f"'{rel}' is not a TrueType (.ttf) font"))
        return None
    try:
        found = path.is_file()
    except (OSError, ValueError) as exc:
        return unusable(exc)
    if not found:
        problems.append(owner.diag(key, f"font file '{rel}' not found"))
        return None
    info = cache.info(path)
    if info.error:
        problems.append(owner.diag(key, f"'{rel}': {info.error}"))
        return None
    return info


def _raw_fonts(merged: dict[str, Any], chain: list[YamlFile], styles: Path, cache: FontCache,
               problems: list[Diagnostic], bad: set[tuple]) -> None:
    """The font files a sheet that failed its schema names, each checked as
    :func:`_fonts` would (a file not found is said now, not after the schema is fixed);
    values the schema refused (``bad``) are left to its message."""
    fonts = merged.get("fonts")
    families = fonts.get("families") if isinstance(fonts, dict) else None
    if not isinstance(families, dict):
        return
    styles_root = styles.resolve()
    for fam_id, fam in families.items():
        if not isinstance(fam, dict):
            continue
        for face in FACES:
            key = ("fonts", "families", fam_id, face)
            rel = fam.get(face)
            if isinstance(rel, str) and not any(key[:n] in bad for n in range(1, 5)):
                _font_file(_owner(chain, key), key, rel, styles_root, cache, problems)


def _languages_alone(name: str, merged: dict[str, Any], chain: list[YamlFile], styles: Path,
                     cache: FontCache, problems: list[Diagnostic], bad: set[tuple]) -> None:
    """When the sheet itself has errors: each language's errors at its own entries
    (``languages.my...``), as far as they can be told without a valid sheet: its schema
    errors, the font files it names and the families its roles name. What it only inherits
    is the sheet's, said once already."""
    languages = merged.get("languages")
    if not isinstance(languages, dict):
        return
    said = {str(p) for p in problems}
    sheet_says = {(p.key, p.message) for p in problems}  # inherited: the same at its own key
    # (what the sheet's schema refused under languages.<lang> it has said already)
    styles_root = styles.resolve()
    base = merged.get("fonts")
    base = base.get("families") if isinstance(base, dict) else None
    base = list(base) if isinstance(base, dict) else []
    for lang, entry in languages.items():
        if not isinstance(lang, str) or not (entry is None or isinstance(entry, dict)):
            continue
        found: list[Diagnostic] = []
        _language_brand(name, merged, lang, chain, styles, cache, found)
        prefix, own = ("languages", lang), f"languages.{lang}"
        found = [d for d in found if d.key == own or d.key.startswith(own + ".")]
        fonts = (entry or {}).get("fonts")
        fonts = fonts if isinstance(fonts, dict) else {}
        families = fonts.get("families")
        families = families if isinstance(families, dict) else {}
        known = [*base, *families]
        roles = fonts.get("roles")
        for role, fam_id in (roles.items() if isinstance(roles, dict) else ()):
            if isinstance(fam_id, str) and fam_id not in known:
                file, path = _place(chain, prefix, ("fonts", "roles", role))
                found.append(file.diag(path, f"unknown font family '{fam_id}'"
                                             f"{did_you_mean(fam_id, known)}"))
        for fam_id, fam in families.items():
            for face in FACES if isinstance(fam, dict) else ():
                if isinstance(fam.get(face), str):
                    file, path = _place(chain, prefix, ("fonts", "families", fam_id, face))
                    _font_file(file, path, fam[face], styles_root, cache, found)
        again = f"(in the sheet for language '{lang}') "
        for d in found:
            inherited = (d.key[len(own) + 1:], d.message.removeprefix(again)) in sheet_says
            if str(d) not in said and not inherited and not _refused(_parse_key(d.key), bad):
                said.add(str(d))
                problems.append(d)
