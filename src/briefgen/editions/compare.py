"""``briefgen diff`` and ``briefgen editions``: compare two editions, or an edition with the
document as the YAML files make it now, and list a briefing's editions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ContentError, UsageError
from ..resolve.translations import language_name
from . import store
from .diff import Change, diff
from .snapshot import normalised, snapshot
from .words import change_lines, summary, when

if TYPE_CHECKING:
    from ..workspace import Workspace


@dataclass
class Side:
    """One side of a comparison: an edition, or the current build (``edition`` None)."""

    edition: str | None
    snapshot: dict[str, Any]

    @property
    def label(self) -> str:
        return f"edition {self.edition}" if self.edition else "the current build"

    def as_json(self) -> dict[str, Any]:
        return {"edition": self.edition or store.CURRENT, "date": self.snapshot.get("date"),
                "facts_as_of": self.snapshot.get("facts_as_of")}


@dataclass
class EditionDiff:
    briefing: str
    old: Side
    new: Side
    changes: list[Change]

    @property
    def summary(self) -> str | None:
        return summary(self.changes, self.old.snapshot, self.new.snapshot) \
            if self.changes else None

    def lines(self) -> list[str]:
        """The diff in words: a heading line, each change, a count."""
        head = f"{self.briefing}: from {self.old.label} to {self.new.label}"
        if not self.changes:
            return [head, "no changes"]
        out = [head]
        for change in self.changes:
            first, *rest = change_lines(change)
            out.append(f"- {first}")
            out.extend(f"  {line}" for line in rest)
        n = len(self.changes)
        out.append(f"{n} change{'' if n == 1 else 's'}")
        return out

    def as_json(self) -> dict[str, Any]:
        return {"briefing": self.briefing, "from": self.old.as_json(),
                "to": self.new.as_json(), "summary": self.summary,
                "changes": [{**c, "text": "\n".join(change_lines(c))} for c in self.changes]}


def _current(ws: Workspace, bid: str) -> Side:
    doc = ws.document(bid)
    if doc is None:
        raise ContentError(list(ws.state(bid).errors))
    return Side(None, normalised(snapshot(ws, doc)))


def _side(ws: Workspace, bid: str, name: str) -> tuple[Side, store.Edition | None]:
    if name == store.CURRENT:
        return _current(ws, bid), None
    edition = store.find(ws.layout, bid, name)
    return Side(name, edition.snapshot()), edition


def compare_editions(ws: Workspace, bid: str, first: str | None = None,
                     second: str | None = None) -> EditionDiff:
    """``first`` against ``second``: edition names or ``current`` (the document resolved
    from the YAML files now). By default the last edition against the current build; with
    one name, that edition against the current build."""
    ws.require(bid)
    _not_a_translation(ws, bid, "diff")
    if first is None:
        found = store.editions(ws.layout, bid)
        if not found:
            raise UsageError(f"'{bid}' has no published edition yet (publish one with "
                             f"`briefgen publish {bid}`)")
        first = found[-1].name
    old, a = _side(ws, bid, first)
    new, b = _side(ws, bid, second or store.CURRENT)
    try:
        changes = diff(old.snapshot, new.snapshot)
    except (KeyError, TypeError, AttributeError) as exc:
        try:  # which of the two is out of shape
            diff(old.snapshot, old.snapshot)
        except (KeyError, TypeError, AttributeError):
            raise a.damaged(exc) from None
        raise b.damaged(exc) from None
    return EditionDiff(bid, old, new, changes)


@dataclass
class EditionInfo:
    briefing: str
    name: str
    folder: str
    date: str | None
    facts_as_of: str | None
    published: str | None
    by: str | None
    note: str | None

    def line(self) -> str:
        parts = [self.name, f"dated {when(self.date)}"]
        if self.facts_as_of:
            parts.append(f"facts as of {when(self.facts_as_of)}")
        if self.by:
            parts.append(f"by {self.by}")
        line = ", ".join(parts)
        return f"{line}: {self.note}" if self.note else line

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _not_a_translation(ws: Workspace, bid: str, command: str) -> None:
    """A translated edition is published with its briefing, in the briefing's editions."""
    found = ws.edition_of(bid)
    if found is not None:
        base, language = found
        raise UsageError(f"'{bid}' is the {language_name(language)} edition of '{base}', "
                         f"published with it: `briefgen {command} {base}`")


def list_editions(ws: Workspace, bid: str | None = None) -> list[EditionInfo]:
    """The editions of ``bid`` (default: of every briefing that has one), oldest first."""
    if bid is not None:
        ws.require(bid)
        _not_a_translation(ws, bid, "editions")
        ids = [bid]
    else:
        folder = ws.layout.editions
        ids = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    out = []
    for b in ids:
        for edition in store.editions(ws.layout, b):
            meta = edition.metadata()
            out.append(EditionInfo(b, edition.name, edition.display, meta.get("date"),
                                   meta.get("facts_as_of"), meta.get("published"),
                                   meta.get("by"), meta.get("note")))
    return out
