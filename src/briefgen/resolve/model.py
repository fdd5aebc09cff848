"""The plain document model the renderers draw: no YAML, no Jinja2, no ids left to look up.

It is format-neutral: nothing here knows about PDF or HTML. Every piece of text keeps its
:class:`Origin` (file, line, column and key path), so that a renderer's check of a document
(a character its font lacks, say) reports the exact place to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import Location

if TYPE_CHECKING:  # pydantic models: not imported here, so that a renderer's worker can
    # unpickle a document (whose publisher and strings are plain copies) without them
    from ..validate.models import Publisher
    from ..validate.strings import Strings


def _english() -> Strings:
    from ..validate.strings import ENGLISH

    return ENGLISH


@dataclass(frozen=True)
class Origin:
    """Where a piece of text came from: its file position and key path."""

    location: Location
    key: str = ""


@dataclass(frozen=True)
class Span:
    """A run of inline text with its formatting; ``note`` marks a footnote reference."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None
    note: int | None = None


@dataclass
class Para:
    spans: list[Span]
    origin: Location
    key: str = ""
    #: when the statement was true (a fact's "as of", for readers), if it is a dated fact
    as_of: str | None = None

    @property
    def notes(self) -> list[int]:
        return [s.note for s in self.spans if s.note is not None]

    @property
    def plain(self) -> str:
        return "".join(s.text for s in self.spans if s.note is None)


@dataclass(frozen=True)
class SourceLink:
    """A source printed as a link line under a country (label, then the URL)."""

    label: str
    url: str | None
    origin: Origin | None = None


@dataclass
class CountryEntry:
    number: int
    id: str
    name: str
    statements: list[Para]
    sources: list[SourceLink]
    origin: Origin | None = None
    #: why the country is in the list, in words ("named in the list", "fact x: topic y")
    reasons: list[str] = field(default_factory=list)


@dataclass
class Heading:
    text: str
    anchor: str
    origin: Origin | None = None


@dataclass
class CountryListBlock:
    id: str
    entries: list[CountryEntry]


Block = Heading | Para | CountryListBlock


@dataclass(frozen=True)
class Note:
    number: int
    source_id: str
    publisher: str
    title: str | None
    date: str | None
    url: str | None
    origin: Origin | None = None


@dataclass(frozen=True)
class InfoLink:
    label: str
    url: str | None
    source_id: str
    origin: Origin | None = None


@dataclass
class Document:
    id: str
    title: str
    short_title: str
    subtitle: str | None
    date: dt.date
    language: str
    brand: str
    keywords: list[str]
    lead: list[Para]
    blocks: list[Block]
    notes: dict[int, Note]
    more_information: list[InfoLink]
    publisher: Publisher
    calls_to_action: list[str]
    origin: Location
    mail_subject: str = ""
    audiences: list[str] = field(default_factory=list)  # default segments to mail
    # every fact and source this document used, for dependency tracking and warnings
    used_facts: set[str] = field(default_factory=set)
    used_sources: set[str] = field(default_factory=set)

    #: where the title, short title, subtitle and publisher fields came from
    origins: dict[str, Origin] = field(default_factory=dict)
    #: the newest "as of" date of the facts it uses (YYYY, YYYY-MM or YYYY-MM-DD), if any
    facts_as_of: str | None = None
    #: the "What's new in this edition" box (empty: none): the spec's own text, resolved
    #: here, or lines worked out from the last edition (see briefgen.editions.box)
    whats_new: list[Para] = field(default_factory=list)
    #: the date of the edition the generated box compares with ("Since the edition of ...")
    whats_new_since: str | None = None
    #: the fixed texts, month names and digits of the document's language
    strings: Strings = field(default_factory=_english)
    #: a translated edition: how many of its translations are not reviewed yet, or are
    #: older than the English (the PDF and the web page say "Draft translation" while
    #: there is any)
    unreviewed: int = 0
    #: further inputs with a hash of each (strings, translations), for the build manifest
    text_inputs: dict[str, str] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return self.unreviewed > 0

    def origin_of(self, name: str) -> Origin:
        return self.origins.get(name) or Origin(self.origin)

    def paragraphs(self) -> list[Para]:
        """The lead, the body paragraphs and every country statement, in reading order."""
        paras = list(self.lead)
        for block in self.blocks:
            if isinstance(block, Para):
                paras.append(block)
            elif isinstance(block, CountryListBlock):
                paras += [p for e in block.entries for p in e.statements]
        return paras

    def lead_text(self) -> str:
        """The lead as plain text, without note markers."""
        return " ".join("".join(s.text for s in p.spans if s.note is None) for p in self.lead)

    def printed_text(self) -> str:
        """Every text the briefing prints, run together (e.g. for a web font's subset)."""
        pub = self.publisher
        parts = [self.title, self.short_title, self.subtitle or "", pub.name, pub.tagline or "",
                 " ".join(pub.address), pub.phone, pub.web, pub.email,
                 self.strings.date_text(self.date)]
        for block in self.blocks:
            if isinstance(block, Heading):
                parts.append(block.text)
            elif isinstance(block, CountryListBlock):
                for e in block.entries:
                    parts.append(e.name)
                    parts += [f"{s.label} {s.url or ''}" for s in e.sources]
        parts += ["".join(s.text for s in p.spans) + (p.as_of or "") for p in self.paragraphs()]
        for note in self.notes.values():
            parts += [note.publisher, note.title or "", note.date or "", note.url or ""]
        parts += [f"{i.label} {i.url or ''}" for i in self.more_information]
        parts += self.strings.fixed_texts()  # the page's own words ("Notes", "Published"...)
        return "".join(parts)

    def styles_used(self) -> set[str]:
        """Text styles beyond the usual: "code" spans, "bold_italic" spans."""
        out: set[str] = set()
        for p in self.paragraphs():
            for span in p.spans:
                if span.code:
                    out.add("code")
                if span.bold and span.italic:
                    out.add("bold_italic")
        return out
