"""The archive of published editions: ``editions/<id>/<date>-<n>/``.

Each edition folder holds the briefing's PDFs (``<id>.pdf`` for screens and
``print/<id>.pdf`` for the print shop), the web page when one was built (``site/``),
``snapshot.json`` (the resolved document, see :mod:`.snapshot`) and ``edition.json`` (who
published it, when, the note, and the SHA-256 of every other file). Editions are never
changed once written; this module only reads them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ContentError, Diagnostic, Location, UsageError
from ..load.project import Layout
from ..validate.schema import did_you_mean

SNAPSHOT = "snapshot.json"
METADATA = "edition.json"
#: ``2026-11-28-1``: the date it was published, then 1, 2, 3... for that day
NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-([1-9][0-9]{0,5})$")
def translated_snapshot(language: str) -> str:
    """The snapshot of an edition's translated edition in ``language``: ``snapshot.my.json``
    beside ``snapshot.json`` (kept since snapshot format 2)."""
    return f"snapshot.{language}.json"


#: the name ``diff`` gives the document resolved from the YAML files now
CURRENT = "current"


class Damage(ValueError):
    """What is wrong in a snapshot, in words (see :meth:`Edition.damaged`)."""


@dataclass(frozen=True)
class Edition:
    briefing: str
    name: str
    folder: Path
    root: Path

    @property
    def published(self) -> dt.date:
        return dt.date.fromisoformat(NAME.match(self.name).group(1))

    @property
    def number(self) -> int:
        return int(NAME.match(self.name).group(2))

    @property
    def display(self) -> str:
        """The folder, relative to the project root."""
        return self.folder.relative_to(self.root).as_posix()

    def snapshot(self, language: str | None = None) -> dict[str, Any]:
        """The snapshot (with ``language``: that translated edition's, see
        :func:`translated_snapshot`), only if it is byte for byte the one that was published
        (its SHA-256 is the one ``edition.json`` records): a snapshot edited by hand would
        make the "What's new" box and ``diff`` tell readers of changes that never happened."""
        name = translated_snapshot(language) if language else SNAPSHOT
        data = _read_bytes(self, name)
        files = self.metadata()["files"]
        recorded = files.get(name) if isinstance(files, dict) else None
        if not isinstance(recorded, str):
            raise ContentError([Diagnostic(Location(f"{self.display}/{METADATA}"), "files",
                                           f"this edition records no {name}; restore "
                                           f"{METADATA} from git")])
        if hashlib.sha256(data).hexdigest() != recorded:
            raise ContentError([Diagnostic(Location(f"{self.display}/{name}"), "",
                                           f"this {name} is not the one that was "
                                           f"published (its hash differs from {METADATA}); "
                                           "restore it from git")])
        snap = _parse_json(self, name, data, ("briefing", "date", "lists", "facts",
                                              "sources", "sections"))
        try:  # printed as a date ("Since the edition of ..."), so read as one here
            dt.date.fromisoformat(snap["date"])
        except (TypeError, ValueError):
            raise self.damaged(Damage(f"its date {snap['date']!r} is not a date"), name
                               ) from None
        return snap

    def has_snapshot(self, language: str) -> bool:
        """Whether the edition kept a snapshot of its translated edition in ``language``
        (none before they were kept, nor for a language it was published without)."""
        files = self.metadata()["files"]
        return isinstance(files, dict) and translated_snapshot(language) in files

    def damaged(self, exc: Exception, name: str = SNAPSHOT) -> ContentError:
        """The error for a snapshot that reads as JSON but not as a snapshot."""
        if isinstance(exc, KeyError) and exc.args:
            what = f"the field {exc.args[0]!r} is missing"
        elif isinstance(exc, Damage):
            what = str(exc)
        else:
            what = "a value is not of the kind briefgen wrote"
        return ContentError([Diagnostic(Location(f"{self.display}/{name}"), "",
                                        f"this edition's {name} is damaged ({what}); "
                                        "restore it from git")])

    def metadata(self) -> dict[str, Any]:
        return _read_json(self, METADATA, ("files",))


def _read_json(edition: Edition, name: str, required: tuple[str, ...]) -> dict[str, Any]:
    return _parse_json(edition, name, _read_bytes(edition, name), required)


def _read_bytes(edition: Edition, name: str) -> bytes:
    where = Location(f"{edition.display}/{name}")
    try:
        return (edition.folder / name).read_bytes()
    except FileNotFoundError:
        raise ContentError([Diagnostic(where, "", "this edition has no " + name + "; "
                                       "restore it from git")]) from None
    except OSError as exc:
        raise ContentError([Diagnostic(where, "", f"cannot read this edition's {name} "
                                       f"({exc}); restore it from git")]) from None


def _parse_json(edition: Edition, name: str, raw: bytes, required: tuple[str, ...]
                ) -> dict[str, Any]:
    where = Location(f"{edition.display}/{name}")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ContentError([Diagnostic(where, "", f"cannot read this edition's {name} "
                                       f"({exc}); restore it from git")]) from None
    if not isinstance(data, dict) or any(k not in data for k in required):
        raise ContentError([Diagnostic(where, "", f"this edition's {name} is damaged (a "
                                       "field is missing); restore it from git")])
    return data


def _sort_key(name: str) -> tuple[str, int]:
    m = NAME.match(name)
    return m.group(1), int(m.group(2))


def _names(layout: Layout, bid: str) -> list[str]:
    """The names of the folders in ``editions/<id>/`` that are named like an edition."""
    folder = layout.briefing_editions(bid)
    if not folder.is_dir():
        return []
    try:
        return sorted(p.name for p in folder.iterdir() if NAME.match(p.name) and p.is_dir())
    except OSError as exc:
        where = Location(folder.relative_to(layout.root).as_posix())
        raise ContentError([Diagnostic(where, "", f"cannot read this folder of editions "
                                       f"({exc.strerror or exc})")]) from None


def editions(layout: Layout, bid: str) -> list[Edition]:
    """The briefing's editions, oldest first (anything not named like an edition in its
    folder is ignored; a folder named like one whose date is not a date is an error: its
    place among the editions cannot be known)."""
    folder = layout.briefing_editions(bid)
    names = _names(layout, bid)
    for name in names:
        day = NAME.match(name).group(1)
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            where = Location((folder / name).relative_to(layout.root).as_posix())
            raise ContentError([Diagnostic(where, "", f"this folder is named like an edition "
                                           f"but {day} is not a date (an edition is named by "
                                           "the day it was published and a number, such as "
                                           "2026-11-28-1); restore the edition's name from "
                                           "git, or move the folder out of editions/")]
                               ) from None
    return [Edition(bid, name, folder / name, layout.root)
            for name in sorted(names, key=_sort_key)]


def find(layout: Layout, bid: str, name: str) -> Edition:
    """The edition called ``name`` (a usage error naming the editions there are)."""
    found = {e.name: e for e in editions(layout, bid)}
    if name in found:
        return found[name]
    if not found:
        raise UsageError(f"'{bid}' has no published edition yet (publish one with "
                         f"`briefgen publish {bid}`)")
    raise UsageError(f"'{bid}' has no edition '{name}'{did_you_mean(name, list(found))}; "
                     f"its editions are {', '.join(found)}")


def next_name(existing: list[Edition], today: dt.date) -> str:
    """``<day>-<n>``: the day is ``today``, or the newest edition's day when that is later
    (published from a time zone behind the last publisher's, or with a clock behind, a new
    edition must never sort before the newest one); n one more than the last of that day."""
    day = max([today, *(e.published for e in existing)]).isoformat()
    numbers = [e.number for e in existing if e.name.startswith(day + "-")]
    return f"{day}-{max(numbers, default=0) + 1}"


def stamp(layout: Layout, bid: str) -> str:
    """A cheap fingerprint of the briefing's editions (names, and the size and time of each
    snapshot and of the ``edition.json`` that vouches for it): when it is unchanged, the
    "What's new" box of a reused state still holds."""
    h = hashlib.sha256()
    try:  # every folder named like an edition (one misnamed is an error where it is read)
        names = _names(layout, bid)
    except ContentError:
        return "unreadable"
    folder = layout.briefing_editions(bid)
    for edition in names:
        for name in (SNAPSHOT, METADATA):
            try:
                st = (folder / edition / name).stat()
                h.update(f"{edition}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            except OSError:
                h.update(f"{edition}/{name}\0missing\n".encode())
    return h.hexdigest()[:16]
