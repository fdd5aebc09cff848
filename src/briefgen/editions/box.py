"""The "What's new in this edition" box, and the same news in one line for mail and web.

The box compares the document with the **last different edition**: the newest published
edition whose content is not the document's own. Right after ``briefgen publish``, the
newest edition *is* the document, so the box still says what that edition changed, and the
PDFs in ``dist/`` stay byte for byte those of the edition. When no earlier edition differs
(nothing published yet, or nothing changed since the first), there is no box.

The box is worked out when a briefing is evaluated (its state is made), because it is part
of what is printed: its lines are checked against the fonts like any other text and are an
input of the build (see :mod:`briefgen.workspace.evaluate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ContentError, Diagnostic
from ..resolve.model import Document, Para, Span
from ..validate.types import human_date
from . import store
from .diff import Change, diff
from .snapshot import normalised, same_content, snapshot
from .words import box_lines, summary

if TYPE_CHECKING:
    from ..validate.factbase import BriefingRecord
    from ..workspace import Workspace

TITLE = "What’s new in this edition"


@dataclass
class Comparison:
    edition: store.Edition
    old: dict[str, Any]  # its snapshot
    new: dict[str, Any]  # the document's
    changes: list[Change]


def compare_with_last(ws: Workspace, doc: Document) -> Comparison | None:
    """The document against the last edition that differs from it (None: there is none).
    Raises ContentError when an edition's snapshot cannot be read."""
    found = store.editions(ws.layout, doc.id)
    if not found:
        return None
    new = normalised(snapshot(ws, doc))
    for edition in reversed(found):
        old = edition.snapshot()
        try:
            same = same_content(old, new)
        except (KeyError, TypeError, AttributeError) as exc:
            raise edition.damaged(exc) from None
        if not same:
            return Comparison(edition, old, new, checked_diff(edition, old, new))
    return None


def checked_diff(edition: store.Edition, old: dict[str, Any], new: dict[str, Any]
                 ) -> list[Change]:
    """:func:`diff`, with a located error for a snapshot edited out of shape."""
    try:
        return diff(old, new)
    except (KeyError, TypeError, AttributeError) as exc:
        raise edition.damaged(exc) from None


def add_whats_new(ws: Workspace, record: BriefingRecord, doc: Document) -> list[Diagnostic]:
    """Put the generated box on ``doc`` when the spec asks for one (the default) and an
    earlier edition differs; the spec's own text was resolved with the rest. Returns the
    errors that stop it (an edition whose snapshot cannot be read; a folder named like an
    edition that is not one, box or not: `build` and `publish` would stop on it)."""
    try:
        store.editions(ws.layout, doc.id)
    except ContentError as exc:
        return list(exc.diagnostics)
    if record.spec.whats_new is False or isinstance(record.spec.whats_new, str):
        return []
    try:
        found = compare_with_last(ws, doc)
    except ContentError as exc:
        spec = ws.spec_file(doc.id)
        return [Diagnostic(d.location, d.key, f"{d.message}: the \"What's new\" box of "
                           f"{doc.id} is worked out from it (or set `whats_new: false` in "
                           f"{spec})") for d in exc.diagnostics]
    if found is None:
        return []
    lines = box_lines(found.changes, found.old, found.new)
    if not lines:
        return []
    origin = record.file.location(("whats_new",))
    doc.whats_new = [Para([Span(line)], origin, "whats_new") for line in lines]
    if found.old["date"] != found.new["date"]:
        try:  # read as a date with the snapshot: this is only in case
            since = _human(found.old["date"])
        except (TypeError, ValueError) as exc:
            spec = ws.spec_file(doc.id)
            return [Diagnostic(d.location, d.key, f"{d.message}: the \"What's new\" box of "
                               f"{doc.id} is worked out from it (or set `whats_new: false` in "
                               f"{spec})") for d in found.edition.damaged(exc).diagnostics]
        doc.whats_new_since = f"Since the edition of {since}:"
    return []


def _human(iso: str) -> str:
    import datetime as dt

    return human_date(dt.date.fromisoformat(iso))


def change_summary(ws: Workspace, bid: str) -> str | None:
    """What changed since the last different edition, in one line for a mail intro or a
    web page: "Updated 28 November 2026: Japan’s entry, 2 new sources". None when the
    briefing has errors, was never published, or nothing a reader would notice changed."""
    ws.require(bid)
    doc = ws.document(bid)
    if doc is None:
        return None
    found = compare_with_last(ws, doc)
    return None if found is None else summary(found.changes, found.old, found.new)


def whats_new(ws: Workspace, bid: str) -> list[str] | None:
    """The lines of the box as printed on page 1 (the spec's text or the generated lines;
    None: no box), for a web page."""
    ws.require(bid)
    doc = ws.document(bid)
    if doc is None or not doc.whats_new:
        return None
    return [" ".join(p.plain.split()) for p in doc.whats_new]
