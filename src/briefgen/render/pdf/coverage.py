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
from urllib.parse import urlsplit

from ...errors import Diagnostic
from ...resolve.model import CountryListBlock, Document, Heading, Origin, Para
from ...validate.brand import Brand
from ...validate.types import PartialDate

#: never drawn: the text blocks collapse whitespace and drop C0/C1 control characters
_SKIPPED = set(" \t\n\r\f\v")

#: fixed words the PDF prints (in the body or small faces); the brand's fonts must have them
FIXED_TEXT = ("Page 0123456789 of", "Published by", "Read more of our briefings",
              "Found this briefing useful? Please support our work with a donation:",
              "Thank you", "More information", "(no web address)", "tel: ", " · ", ", ",
              "as of", "About the publisher", "…")

Item = tuple[str, str, str, Origin]  # (text, font role, face, origin)

#: the title of the "What's new in this edition" box (body, bold)
WHATS_NEW = "What’s new in this edition"


def facts_as_of(iso: str) -> str:
    """The line under the date in the first-page band: "Facts as of March 2026"."""
    return f"Facts as of {PartialDate.parse(iso).human()}"


def as_of(when: str) -> str:
    """The date of a dated fact, after its text: one unbreakable unit, so a line never ends
    on a dangling dash ("— as of 18 January 2020", joined by no-break spaces)."""
    return " \u2014\u00a0as\u00a0of\u00a0" + when.replace(" ", "\u00a0")


def _face(bold: bool, italic: bool) -> str:
    return {(False, False): "regular", (True, False): "bold", (False, True): "italic",
            (True, True): "bold_italic"}[(bold, italic)]


def _para(p: Para, role: str) -> Iterator[Item]:
    origin = Origin(p.origin, p.key)
    for span in p.spans:
        if span.note is not None:
            yield span.text + ",", role, "regular", origin
        else:
            yield span.text, "mono" if span.code else role, _face(span.bold, span.italic), origin
    if p.as_of:
        yield as_of(p.as_of), role, "italic", origin


def items(doc: Document) -> Iterator[Item]:
    """Every text of ``doc`` with the role and face the PDF sets it in."""
    title, pub = doc.origin_of("title"), doc.publisher
    yield doc.title, "title", "bold", title
    yield doc.short_title, "small", "regular", doc.origin_of("short_title")
    if doc.subtitle:
        yield doc.subtitle, "body", "regular", doc.origin_of("subtitle")
    for p in doc.lead:
        yield from _para(p, "body")
    if doc.whats_new:
        box = Origin(doc.whats_new[0].origin, "whats_new")
        yield WHATS_NEW, "body", "bold", box
        if doc.whats_new_since:
            yield doc.whats_new_since, "body", "regular", box
        for p in doc.whats_new:
            yield from _para(p, "body")
    if doc.facts_as_of:
        yield facts_as_of(doc.facts_as_of), "small", "regular", title
    for block in doc.blocks:
        if isinstance(block, Heading):
            yield block.text, "heading", "bold", block.origin or title
        elif isinstance(block, Para):
            yield from _para(block, "body")
        elif isinstance(block, CountryListBlock):
            for entry in block.entries:
                yield f"{entry.number}. {entry.name}", "body", "bold", entry.origin or title
                for p in entry.statements:
                    yield from _para(p, "body")
                for link in entry.sources:
                    yield link.label, "small", "regular", link.origin or title
                    if link.url:
                        yield link.url, "small", "regular", link.origin or title
    for note in doc.notes.values():
        origin = note.origin or title
        yield f"{note.number} {note.publisher}, {note.date or ''}.", "small", "regular", origin
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
    yield f"Published by {pub.name}", "small", "bold", name
    yield pub.name, "small", "regular", name  # the footer
    yield ", ".join(pub.address), "small", "regular", doc.origin_of("publisher.address")
    contact = " · ".join([urlsplit(pub.web).netloc or pub.web, pub.email, f"tel: {pub.phone}"])
    yield contact, "small", "regular", doc.origin_of("publisher.phone")
    yield pub.more_briefings, "body", "regular", name
    yield pub.donate, "body", "regular", name
    if pub.tagline:
        yield pub.tagline, "small", "regular", doc.origin_of("publisher.tagline")
        yield pub.tagline, "small", "italic", doc.origin_of("publisher.tagline")
    for text in FIXED_TEXT:
        for role, face in (("body", "regular"), ("body", "bold"), ("small", "regular")):
            yield text, role, face, title


def missing_glyphs(doc: Document, brand: Brand) -> list[Diagnostic]:
    """One error per text that uses characters its face lacks, naming each character."""
    found: dict[tuple, dict[str, list[str]]] = {}
    for text, role, face, origin in items(doc):
        if text.isascii() and _has_ascii(brand, role, face):
            continue
        have = brand.coverage(role, face)
        for ch in dict.fromkeys(text):
            if ch in _SKIPPED or ord(ch) in have or unicodedata.category(ch) == "Cc":
                continue
            where = (origin.location, origin.key)
            label = f"{brand.family_name(role)} {face.replace('_', ' ')}"
            faces = found.setdefault(where, {}).setdefault(ch, [])
            if label not in faces:
                faces.append(label)
    out = []
    for (location, key), chars in found.items():
        names = ", ".join(f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
                          for ch in chars)
        fonts = ", ".join(sorted({f for faces in chars.values() for f in faces}))
        if len(chars) == 1:
            message = (f"the font {fonts} has no glyph for {names}; replace the character "
                       "or use a font that has it")
        else:
            message = (f"the fonts {fonts} have no glyphs for {names}; replace those "
                       "characters or use a font that has them")
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
