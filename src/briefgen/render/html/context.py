"""What the web pages need beyond the resolved document: where the site will live, which
PDFs a page links to and how old its facts are. The site builder works these out from the
workspace and the files on disk; the renderer only reads them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from ... import __version__
from ...validate.models import Publisher
from ...validate.types import PartialDate


@dataclass(frozen=True)
class Download:
    """A file a page offers (the PDFs), in the page's own folder."""

    profile: str  # "screen" or "print"
    href: str  # file name, relative to the page
    size: int  # bytes


@dataclass(frozen=True)
class EditionLink:
    """A published edition a page lists, its screen PDF kept in the page's own folder."""

    name: str  # 2026-11-28-1
    published: dt.date
    note: str | None
    href: str  # editions/<name>.pdf, relative to the page
    size: int  # bytes
    #: when it was published, in UTC, as its ``edition.json`` records it (None: not
    #: recorded; the day of its name stands for it)
    published_at: dt.datetime | None = None

    @property
    def when(self) -> dt.datetime:
        """When it was published (UTC): as recorded, else the start of the day in its name."""
        return self.published_at or dt.datetime.combine(self.published, dt.time(),
                                                        dt.UTC)


def published_at(folder: Path) -> dt.datetime | None:
    """When the edition in ``folder`` was published, in UTC, from its ``edition.json``
    ("published", written by ``briefgen publish``); None when it records no such time. The
    time is the file's, not the clock's: builds stay deterministic."""
    try:
        value = json.loads((folder / "edition.json").read_text(encoding="utf-8"))["published"]
        when = dt.datetime.fromisoformat(value)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return when.astimezone(dt.UTC) if when.tzinfo is not None else None


@dataclass(frozen=True)
class SiteContext:
    #: the public address of dist/site/, ending in "/"; None: relative links only, and what
    #: needs an absolute address (og:image, the sitemap, rel=self) is left out
    base_url: str | None = None
    generator: str = f"briefgen {__version__}"
    #: the organisation, for the index and the feed (a page takes it from its document)
    publisher: Publisher | None = None


@dataclass(frozen=True)
class PageContext:
    site: SiteContext = field(default_factory=SiteContext)
    downloads: tuple[Download, ...] = ()
    #: the oldest and newest "as of" dates of the facts the briefing prints
    facts_as_of: tuple[PartialDate, PartialDate] | None = None
    #: the briefing's published editions, newest first
    editions: tuple[EditionLink, ...] = ()


@dataclass(frozen=True)
class IndexEntry:
    """One briefing as the index, the feed and the sitemap list it."""

    id: str
    title: str
    subtitle: str | None
    date: dt.date
    language: str
    summary: str  # the lead as plain text (no note markers)
    downloads: tuple[Download, ...] = ()
    editions: tuple[EditionLink, ...] = ()  # newest first
