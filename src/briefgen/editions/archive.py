"""A briefing's published editions as readers can have them: the web edition's archive list
(on the briefing's page and in the index) and the PDF a campaign mails.

Everything here is read from ``edition.json``; a PDF is only handed out after its SHA-256 is
checked against the one recorded when it was published, so an edited or damaged file in
``editions/`` is an error, never something a reader receives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError, Diagnostic, Location
from ..load.project import Layout
from . import store


@dataclass(frozen=True)
class Archived:
    """One edition in the archive list."""

    name: str  # 2026-11-28-1
    published: dt.date
    note: str | None
    pdf: Path  # the screen PDF in the edition folder
    display: str  # that PDF, relative to the project root, for messages
    sha256: str  # as recorded in edition.json
    size: int


def pdf_name(bid: str) -> str:
    """The screen PDF's name inside an edition folder."""
    return f"{bid}.pdf"


def archive(layout: Layout, bid: str) -> list[Archived]:
    """The briefing's editions, newest first, each with its screen PDF as recorded in its
    ``edition.json``. A damaged edition raises ContentError with what to do."""
    out = []
    for edition in reversed(store.editions(layout, bid)):
        meta = edition.metadata()
        name = pdf_name(bid)
        recorded = meta["files"].get(name) if isinstance(meta["files"], dict) else None
        where = Location(f"{edition.display}/{store.METADATA}")
        if not isinstance(recorded, str):
            raise ContentError([Diagnostic(where, "files", f"this edition records no {name}; "
                                           "restore edition.json from git")])
        note = meta.get("note")
        path = edition.folder / name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise _unreadable(edition, name, exc) from None
        out.append(Archived(edition.name, edition.published,
                            note if isinstance(note, str) and note.strip() else None,
                            path, f"{edition.display}/{name}", recorded, size))
    return out


def verified(entry: Archived) -> bytes:
    """The edition's PDF, if it is byte for byte the one that was published."""
    try:
        data = entry.pdf.read_bytes()
    except OSError as exc:
        raise ContentError([Diagnostic(Location(entry.display), "",
                                       f"cannot read the edition's PDF "
                                       f"({exc.strerror or exc}); restore it from git")]
                           ) from None
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise ContentError([Diagnostic(Location(entry.display), "",
                                       "this PDF is not the one that was published (its hash "
                                       "differs from edition.json); restore it from git")])
    return data


def _unreadable(edition: store.Edition, name: str, exc: OSError) -> ContentError:
    return ContentError([Diagnostic(Location(f"{edition.display}/{name}"), "",
                                    f"cannot read the edition's PDF ({exc.strerror or exc})"
                                    "; restore it from git")])
