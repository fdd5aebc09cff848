"""The plain document model the renderer draws: no YAML, no Jinja2, no ids left to look up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import Location
from ..validate.models import Publisher


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


@dataclass
class CountryEntry:
    number: int
    id: str
    name: str
    statements: list[Para]
    sources: list[SourceLink]


@dataclass
class Heading:
    text: str
    anchor: str


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


@dataclass(frozen=True)
class InfoLink:
    label: str
    url: str | None
    source_id: str


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

    def all_text(self) -> list[tuple[str, Location]]:
        """Every string that will be set in the body font, with where it came from."""
        out: list[tuple[str, Location]] = [(self.title, self.origin),
                                           (self.short_title, self.origin)]
        if self.subtitle:
            out.append((self.subtitle, self.origin))
        paras: list[Para] = list(self.lead)
        for block in self.blocks:
            if isinstance(block, Para):
                paras.append(block)
            elif isinstance(block, Heading):
                out.append((block.text, self.origin))
            else:
                for entry in block.entries:
                    out.append((entry.name, self.origin))
                    paras.extend(entry.statements)
                    out.extend((s.label, self.origin) for s in entry.sources)
        out.extend((p.plain, p.origin) for p in paras)
        for note in self.notes.values():
            out.append((" ".join(x for x in (note.publisher, note.title) if x), self.origin))
        out.extend((i.label, self.origin) for i in self.more_information)
        return out
