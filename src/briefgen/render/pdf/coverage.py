"""Before a PDF is rendered: does every character have a glyph in the face it will be set in?

This runs when the workspace is opened (``briefgen check`` and every build), without
ReportLab: the brand carries the set of characters each font file has. It lists each text of
a document with the font role and face the PDF renderer sets it in (:mod:`.document` and
:mod:`.pages` are the other side of this table; the renderer checks again while it draws, so a
drift between the two fails a build loudly instead of printing a blank box). One message per
text names every missing character, at the place the text came from.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ...errors import Diagnostic
from ...resolve.model import CountryListBlock, Document, Heading, Origin, Para
from ...validate.dates import PartialDate
from ...validate.wording import DIGITS, PLACES

if TYPE_CHECKING:  # no pydantic here: a worker renders from plain copies (render.plain)
    from ...validate.branding import Brand
    from ...validate.wording import Wording as Strings

#: never drawn: the text blocks collapse whitespace and drop C0/C1 control characters
_SKIPPED = set(" \t\n\r\f\v")

#: characters the PDF prints whatever the language: the ellipsis of a cut contents line,
#: the dash and no-break space before the date of a dated statement (:func:`as_of`)
FIXED_TEXT = ("…", "\u2014\u00a0")

Item = tuple[str, str, str, Origin]  # (text, font role, face, origin)


def facts_as_of(iso: str, strings: Strings) -> str:
    """The line under the date in the first-page band: "Facts as of March 2026"."""
    return strings.facts_as_of.format(date=strings.partial(PartialDate.parse(iso)))


def as_of(when: str, strings: Strings) -> str:
    """The date of a dated fact, after its text: one unbreakable unit, so a line never ends
    on a dangling dash ("— as of 18 January 2020", joined by no-break spaces)."""
    return " \u2014\u00a0" + strings.as_of.format(date=when).replace(" ", "\u00a0")


def _face(bold: bool, italic: bool) -> str:
    return {(False, False): "regular", (True, False): "bold", (False, True): "italic",
            (True, True): "bold_italic"}[(bold, italic)]


def _para(p: Para, role: str, strings: Strings) -> Iterator[Item]:
    origin = Origin(p.origin, p.key)
    for span in p.spans:  # (a note's marker and the date after a dated statement are the
        if span.note is None:  # strings' digits and words: see fixed_parts)
            yield span.text, "mono" if span.code else role, _face(span.bold, span.italic), origin


def items(doc: Document, brand: Brand | None = None) -> Iterator[Item]:
    """Every text of ``doc`` with the role and face the PDF sets it in, at the place it
    comes from; what the strings file and the brand add around it (list numbers, "as of",
    a note's date and punctuation, the label...) is the last item, the fixed text, set
    in each face of :data:`FIXED_FACES` (see :func:`fixed_parts` for where each part is
    set)."""
    title, pub, s = doc.origin_of("title"), doc.publisher, doc.strings
    yield doc.title, "title", "bold", title
    yield doc.short_title, "small", "regular", doc.origin_of("short_title")
    if doc.subtitle:
        yield doc.subtitle, "body", "regular", doc.origin_of("subtitle")
    for p in doc.lead:
        yield from _para(p, "body", s)
    if doc.whats_new:
        box = Origin(doc.whats_new[0].origin, "whats_new")
        if doc.whats_new_since:
            yield doc.whats_new_since, "body", "regular", box
        for p in doc.whats_new:
            yield from _para(p, "body", s)
    for block in doc.blocks:
        if isinstance(block, Heading):
            yield block.text, "heading", "bold", block.origin or title
        elif isinstance(block, Para):
            yield from _para(block, "body", s)
        elif isinstance(block, CountryListBlock):
            for entry in block.entries:
                yield entry.name, "body", "bold", entry.origin or title
                for p in entry.statements:
                    yield from _para(p, "body", s)
                for link in entry.sources:
                    yield link.label, "small", "regular", link.origin or title
                    if link.url:
                        yield link.url, "small", "regular", link.origin or title
    for note in doc.notes.values():
        origin = note.origin or title
        yield note.publisher, "small", "regular", origin
        if note.title:
            yield note.title, "small", "italic", origin
        if note.url:
            yield note.url, "small", "regular", origin
    for info in doc.more_information:
        yield info.label, "body", "bold", info.origin or title
        if info.url:
            yield info.url, "small", "regular", info.origin or title
    name = doc.origin_of("publisher.name")
    yield pub.name, "title", "bold", name  # the band
    yield pub.name, "small", "bold", name  # "Published by ..."
    yield pub.name, "small", "regular", name  # the footer
    yield ", ".join(pub.address), "small", "regular", doc.origin_of("publisher.address")
    yield urlsplit(pub.web).netloc or pub.web, "small", "regular", \
        doc.origin_of("publisher.web")
    yield pub.email, "small", "regular", doc.origin_of("publisher.email")
    yield pub.phone, "small", "regular", doc.origin_of("publisher.phone")
    yield pub.more_briefings, "body", "regular", name
    yield pub.donate, "body", "regular", name
    if pub.tagline:
        yield pub.tagline, "small", "regular", doc.origin_of("publisher.tagline")
        yield pub.tagline, "small", "italic", doc.origin_of("publisher.tagline")
    if brand is not None and "{title}" in brand.sheet.header + brand.sheet.footer:
        yield doc.title, "small", "regular", title  # in the running header or footer
    fixed = fixed_text(s, brand)
    for role, face in FIXED_FACES:
        yield fixed, role, face, title


#: the faces the fixed texts are set in ("as of" and its date in body italic)
FIXED_FACES = (("body", "regular"), ("body", "bold"), ("body", "italic"),
               ("small", "regular"), ("small", "bold"))
_FIXED: dict[tuple[int, int], tuple[Strings, Brand | None, str]] = {}


def fixed_text(strings: Strings, brand: Brand | None) -> str:
    """Every fixed text a document in ``strings``' language prints with ``brand`` (its
    label and the words of its header and footer), as one text: only its characters
    matter. The same object for the same strings and brand, so a check can remember it."""
    key = (id(strings), id(brand))
    found = _FIXED.get(key)
    if found is not None and found[0] is strings and found[1] is brand:
        return found[2]
    parts = [*strings.fixed_texts(), *FIXED_TEXT]
    if brand is not None:
        sheet = brand.sheet
        parts += [sheet.label.upper(), *(text.format(short_title="", title="", publisher="")
                                         for text in (sheet.header, sheet.footer))]
    text = "".join(parts)
    if len(_FIXED) > 64:
        _FIXED.clear()
    _FIXED[key] = (strings, brand, text)
    return text


def fixed_parts(strings: Strings, brand: Brand | None) -> Iterator[tuple[str, Origin | None]]:
    """The parts of :func:`fixed_text`, each with where it is set: a strings file's key,
    the brand sheet's label, header or footer (None: briefgen's own, or not known)."""
    def at(location, key: str) -> Origin | None:
        return Origin(location, key) if location is not None else None

    for name in strings.text_names():
        if name not in ("digits", "months"):
            yield getattr(strings, name).format(**{p: "" for p in PLACES.get(name, ())}), \
                at(strings.where(name), name)
    for month in strings.months:
        yield month, at(strings.where("months"), "months")
    if brand is not None and brand.sheet.digits is not None:  # the brand's, over the file's
        yield DIGITS[strings.digits], at(brand.locations.get(("digits",)),
                                         brand.key_paths.get(("digits",), "digits"))
    else:
        yield DIGITS[strings.digits], at(strings.where("digits"), "digits")
    for text in FIXED_TEXT:
        yield text, None
    if brand is not None:
        sheet = brand.sheet
        yield sheet.label.upper(), at(brand.locations.get(("label",)),
                                      brand.key_paths.get(("label",), "label"))
        for key in ("header", "footer"):
            yield getattr(sheet, key).format(short_title="", title="", publisher=""), \
                at(brand.locations.get((key,)), brand.key_paths.get((key,), key))


def missing_glyphs(doc: Document, brand: Brand) -> list[Diagnostic]:
    """One error per text that uses characters its face lacks, naming each character. The
    fixed texts (a strings file's, the brand's label) are blamed where they are set."""
    found: dict[tuple, dict[str, list[str]]] = {}
    brand = brand.for_language(doc.language)
    fixed = fixed_text(doc.strings, brand)
    known = brand.__dict__.setdefault("_fixed_ok", set())  # (role, face, text) with no gap
    ascii_ok: dict[tuple[str, str], bool] = {}
    for text, role, face, origin in items(doc, brand):
        if text.isascii():
            ok = ascii_ok.get((role, face))
            if ok is None:
                ok = ascii_ok[(role, face)] = _has_ascii(brand, role, face)
            if ok:
                continue
        if text is fixed and (role, face, text) in known:
            continue
        have = brand.coverage(role, face)
        if text is fixed and all(ord(ch) in have or ch in _SKIPPED for ch in set(text)):
            known.add((role, face, text))
            continue
        parts = fixed_parts(doc.strings, brand) if text is fixed else ((text, origin),)
        for part, at in parts:
            at = at or origin
            for ch in dict.fromkeys(part):
                if ch in _SKIPPED or ord(ch) in have or unicodedata.category(ch) == "Cc":
                    continue
                where = (at.location, at.key)
                label = f"{brand.family_name(role)} {face.replace('_', ' ')}"
                faces = found.setdefault(where, {}).setdefault(ch, [])
                if label not in faces:
                    faces.append(label)
    out = []
    for (location, key), chars in found.items():
        names = ", ".join(f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
                          for ch in chars)
        faces = sorted({f for faces in chars.values() for f in faces})
        fonts = (f"the font {faces[0]} has" if len(faces) == 1 else
                 f"the fonts {', '.join(faces)} have")
        if len(chars) == 1:
            message = (f"{fonts} no glyph for {names}; replace the character or use a font "
                       "that has it")
        else:
            message = (f"{fonts} no glyphs for {names}; replace those characters or use a "
                       "font that has them")
        out.append(Diagnostic(location, key, message))
    return out


_ASCII = frozenset(range(32, 127))


def _has_ascii(brand: Brand, role: str, face: str) -> bool:
    """Whether the face has every printable ASCII character (answered once per face and
    brand, and kept on the brand object itself)."""
    known = brand.__dict__.setdefault("_ascii_faces", {})
    ok = known.get((role, face))
    if ok is None:
        ok = known[(role, face)] = brand.coverage(role, face) >= _ASCII
    return ok
