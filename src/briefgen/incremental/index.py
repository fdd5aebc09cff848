"""What the last run learnt about each briefing, kept in ``dist/.briefgen/index.json`` so that
an edit costs what it changes, not what the project holds.

For each briefing the index keeps a :class:`BriefingState`: whether it can be built, what
it printed (title, date, lists with why each country is in them, facts and sources used,
for ``where``, ``check`` and ``pack``), and exactly what its resolution read (its *inputs*:
file hashes, source entries, the members of its topic-selected lists, its brand). When
every input is unchanged and the briefing had no error, the next run reuses the state
instead of parsing and resolving the spec again.

The index only ever says *what not to redo*. It never holds text that is printed: a
briefing that is rendered is always resolved from the YAML files themselves. A damaged,
old or unreadable index is ignored (everything is worked out again), ``check --full`` and
``build --force`` do not read it, and a state with errors is never reused, so a stale
message cannot hide a fixed or a new problem.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import Diagnostic, Location, Severity
from ..files import read_json

FORMAT = 4
_CODE_STAMP: str | None = None


def code_stamp() -> str:
    """briefgen's version and a hash of its own source files: an index made by other code is
    not trusted (a developer's edit does not bump the version). Contents, not times: a git
    checkout that leaves a file as it was keeps the index."""
    global _CODE_STAMP
    if _CODE_STAMP is None:
        package = Path(__file__).resolve().parents[1]
        h = hashlib.sha256(__version__.encode())
        for path in sorted(package.rglob("*.py")):
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        _CODE_STAMP = h.hexdigest()[:16]
    return _CODE_STAMP


def hash_files(root: Path, folders: list[Path], extra: list[Path] = ()) -> dict[str, str]:
    """Relative path -> sha256 (16 hex digits) of every file under ``folders`` and ``extra``
    (reading a project's files is much cheaper than parsing them). Symbolic links to folders
    are not followed. Plain strings and ``os.walk``: on 1,000 briefings this runs before
    every quick ``where`` and ``check``, and pathlib's objects cost more than the hashing."""
    out: dict[str, str] = {}
    top = str(root)
    paths: dict[str, bool] = {}  # path -> whether it is a symbolic link
    for folder in folders:
        _walk(str(folder), paths)
    paths.update((str(p), os.path.islink(p)) for p in extra)
    home = os.path.realpath(root)
    for path in sorted(paths):
        if not os.path.isfile(path):
            continue
        rel = (path[len(top) + 1:] if path.startswith(top + os.sep) else
               Path(path).relative_to(root).as_posix()).replace(os.sep, "/")
        h = hashlib.sha256()
        if paths[path]:  # a link: where it leads is part of the file (one that leads out
            real = os.path.realpath(path)  # of the project is an error, and never read)
            h.update(f"link\0{real}\0".encode())
            if not real.startswith(home + os.sep):
                out[rel] = h.hexdigest()[:16]
                continue
        with contextlib.suppress(OSError), open(path, "rb") as f:
            h.update(f.read())
            out[rel] = h.hexdigest()[:16]
    return out


def _walk(folder: str, paths: dict[str, bool]) -> None:
    """Every file under ``folder`` (links to folders not followed), with whether it is a
    link: ``os.scandir`` says so from the directory listing, at no extra cost."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _walk(entry.path, paths)
            else:
                paths[entry.path] = entry.is_symlink()


def files_digest(files: dict[str, str]) -> str:
    """One hash of a project's file hashes (see :func:`hash_files`)."""
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()


def files_stamp_path(index: Path) -> Path:
    """Beside the index: the digest of the files it describes. ``where`` and ``check`` read
    it first, and skip reading the whole index when a file has changed since. It only says
    when not to try the index: when it matches, the index's own list is still compared."""
    return index.with_name(index.stem + "-files.txt")


def diagnostic_json(d: Diagnostic) -> list:
    return [d.location.path, d.location.line, d.location.column, d.key, d.message,
            d.severity.value, d.code]


def diagnostic_from(data: list) -> Diagnostic:
    path, line, column, key, message, severity, code = data
    return Diagnostic(Location(str(path), int(line), int(column)), str(key), str(message),
                      Severity(severity), str(code))


@dataclass
class ListEntry:
    """One country of a list as the briefing prints it, and why it is there."""

    number: int
    id: str
    name: str
    reasons: list[str]


@dataclass
class BriefingState:
    id: str
    #: every error that stops it (its own and its dependencies'); empty: it can be built
    errors: list[Diagnostic] = field(default_factory=list)
    title: str = ""
    subtitle: str = ""
    date: str = ""  # ISO date of the issue
    language: str = ""
    brand: str = ""
    lead: str = ""  # the lead as plain text (for an index of briefings)
    chars: str = ""  # every character it prints, each once (for web font subsets)
    styles: list[str] = field(default_factory=list)  # "code", "bold_italic" if it uses them
    used_facts: list[str] = field(default_factory=list)
    used_sources: list[str] = field(default_factory=list)
    lists: dict[str, list[ListEntry]] = field(default_factory=dict)
    #: what resolving it read, each with a hash: unchanged inputs mean an unchanged result
    inputs: dict[str, str] = field(default_factory=dict)
    #: the dependencies recorded in the build manifest (without the profile); a state from
    #: the index has only their digest
    deps: dict[str, str] = field(default_factory=dict)
    deps_digest: str = ""
    #: True when taken from the index rather than worked out in this run
    reused: bool = False
    #: the spec's languages, its own first (translated editions are ids of their own)
    languages: list[str] = field(default_factory=list)
    #: warnings that belong to this briefing alone (a translation older than the English)
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {"errors": [diagnostic_json(d) for d in self.errors], "title": self.title,
                "subtitle": self.subtitle, "date": self.date, "language": self.language,
                "brand": self.brand, "lead": self.lead, "chars": self.chars,
                "styles": self.styles,
                "used_facts": self.used_facts, "used_sources": self.used_sources,
                "lists": {k: [[e.number, e.id, e.name, e.reasons] for e in v]
                          for k, v in self.lists.items()},
                "inputs": self.inputs, "deps_digest": self.deps_digest,
                "languages": self.languages,
                "warnings": [diagnostic_json(d) for d in self.warnings]}

    def to_compact(self, table: _Table) -> dict[str, Any]:
        """:meth:`to_json` with the inputs as numbers into a table shared by every state
        (their names and hashes recur from one briefing to the next)."""
        data = self.to_json()
        data["inputs"] = [[table.number(k), table.number(v)] for k, v in self.inputs.items()]
        return data

    @classmethod
    def from_json(cls, bid: str, data: dict[str, Any],
                  table: _Table | None = None) -> BriefingState:
        lists = data["lists"]
        if not isinstance(lists, dict) or not all(
                isinstance(v, list) and all(isinstance(e, list) and len(e) == 4 for e in v)
                for v in lists.values()):
            raise TypeError("lists")  # checked now, made into entries when read
        return _ReadState(bid, [diagnostic_from(d) for d in data["errors"]], str(data["title"]),
                   str(data["subtitle"]), str(data["date"]), str(data["language"]),
                   str(data["brand"]), str(data["lead"]), str(data["chars"]),
                   [str(x) for x in data["styles"]],
                   [str(x) for x in data["used_facts"]], [str(x) for x in data["used_sources"]],
                   _Unread(lists),
                   _inputs(data["inputs"], table), {}, str(data["deps_digest"]), reused=True,
                   languages=[str(x) for x in data.get("languages", [])],
                   warnings=[diagnostic_from(d) for d in data.get("warnings", [])])


class _Table:
    """Strings by number, each kept once (for the states' inputs)."""

    def __init__(self, strings: list[str] | None = None):
        self.strings = [sys.intern(str(s)) for s in strings or []]
        self.numbers = {s: n for n, s in enumerate(self.strings)}

    def number(self, value: str) -> int:
        found = self.numbers.get(value)
        if found is None:
            found = self.numbers[value] = len(self.strings)
            self.strings.append(value)
        return found


class _Unread(dict):
    """A state's lists as the index holds them, not yet made into entries."""


def _entries(raw: dict) -> dict[str, list[ListEntry]]:
    return {str(k): [ListEntry(int(n), str(i), str(name), [str(r) for r in reasons])
                     for n, i, name, reasons in v] for k, v in raw.items()}


class _ReadState(BriefingState):
    """A state read from the index. Its lists (most of its size) are made into entries
    when first asked for: deciding that a briefing is unchanged never needs them, and at
    1,000 briefings making them all cost 0.06 s of every edit's build."""

    @property  # type: ignore[override]
    def lists(self) -> dict[str, list[ListEntry]]:
        value = self.__dict__["_lists"]
        if isinstance(value, _Unread):
            value = self.__dict__["_lists"] = _entries(value)
        return value

    @lists.setter
    def lists(self, value: dict[str, list[ListEntry]]) -> None:
        self.__dict__["_lists"] = value


def _inputs(data: Any, table: _Table | None) -> dict[str, str]:
    if isinstance(data, dict):
        return {str(k): str(v) for k, v in data.items()}
    strings = table.strings if table is not None else []
    return {strings[k]: strings[v] for k, v in data}


class _States(dict):
    """Briefing id -> state, each made from its JSON when first asked for (a quick `where`
    on a large project reads a few fields of every state and makes none)."""

    def __init__(self, raw: dict[str, dict], table: _Table | None = None):
        super().__init__()
        self.raw = raw
        self.table = table or _Table()  # the strings the raw states' inputs number into

    def __missing__(self, bid: str) -> BriefingState:
        # the JSON is kept: an unchanged state is saved again as it was read (see save)
        try:
            state = BriefingState.from_json(bid, self.raw[bid], self.table)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            self.raw.pop(bid, None)  # damaged: as if the index did not know it
            raise KeyError(bid) from None
        self[bid] = state
        return state

    def forget(self, bid: str) -> None:
        """Drop ``bid``'s state: the workspace has worked it out afresh (and saves its own;
        see :meth:`merged`), so this copy would only hold memory."""
        self.raw.pop(bid, None)
        self.pop(bid, None)

    def get(self, bid, default=None):
        if not (bid in self.raw or dict.__contains__(self, bid)):
            return default
        try:
            return self[bid]
        except KeyError:
            return default

    def __contains__(self, bid) -> bool:
        return dict.__contains__(self, bid) or bid in self.raw

    def ids(self) -> list[str]:
        return sorted(set(self.raw) | set(dict.keys(self)))

    def summary(self, bid: str) -> tuple[bool, dict[str, list], list[str], list[str]]:
        """(ok, lists as [[number, id, name, reasons]...], facts used, sources used), read
        without making the state."""
        if dict.__contains__(self, bid):
            state = dict.__getitem__(self, bid)
            return state.ok, {k: [[e.number, e.id, e.name, e.reasons] for e in v]
                              for k, v in state.lists.items()}, state.used_facts, \
                state.used_sources
        data = self.raw[bid]
        return not data["errors"], data["lists"], data["used_facts"], data["used_sources"]

    def languages(self, bid: str) -> tuple[str, list[str]] | None:
        """(the hash of the spec it was made from, its languages), read without making the
        state; None when unknown."""
        if dict.__contains__(self, bid):
            state = dict.__getitem__(self, bid)
            return state.inputs.get("spec", ""), list(state.languages)
        data = self.raw.get(bid)
        if not isinstance(data, dict) or not isinstance(data.get("languages"), list):
            return None
        inputs = _inputs(data.get("inputs", {}), self.table)
        return inputs.get("spec", ""), [str(x) for x in data["languages"]]

    def merged(self, states: dict[str, BriefingState], keep: set[str]) -> _States:
        """These states, over ours, for the ids in ``keep``."""
        out = _States({bid: data for bid, data in self.raw.items() if bid in keep}, self.table)
        for bid, state in [*dict.items(self), *states.items()]:
            if bid in keep:
                dict.__setitem__(out, bid, state)
        return out


@dataclass
class ProjectIndex:
    path: Path
    #: relative path -> content hash of every input file when the index was written
    files: dict[str, str] = field(default_factory=dict)
    briefings: dict[str, BriefingState] = field(default_factory=dict)
    #: every diagnostic of that run (for `check` and `where` when no file changed)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stale_months: int = 0
    #: ids that exist (for `where`, and its did-you-mean)
    known: list[str] = field(default_factory=list)
    #: counts for check's summary line: briefings, countries, sources
    counts: list[int] = field(default_factory=list)
    #: the digest of the web templates when they last compiled without a problem
    web_ok: str = ""

    @classmethod
    def load(cls, path: Path) -> ProjectIndex | None:
        """The index, or None when it is missing, damaged, or written by other code."""
        try:
            data = read_json(path)
            if not isinstance(data, dict):
                return None
            if data.get("format") != FORMAT or data.get("code") != code_stamp():
                return None
            table = _Table(data["strings"])
            if not isinstance(data["briefings"], dict):
                return None
            return cls(path, {str(k): str(v) for k, v in data["files"].items()},
                       _States(data["briefings"], table),
                       [diagnostic_from(d) for d in data["diagnostics"]],
                       int(data["stale_months"]), [str(x) for x in data["known"]],
                       [int(x) for x in data["counts"]], str(data.get("web_ok", "")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def save(self) -> None:
        from ..files import write_atomic

        briefings = self.briefings
        raw = getattr(briefings, "raw", {})
        # raw states number into the table they were read with: keep it, add to a copy
        table = _Table(getattr(briefings, "table", _Table()).strings)
        states = {}
        for bid in sorted(set(raw) | set(dict.keys(briefings))):
            state = dict.get(briefings, bid)
            # a state reused from the index is written back as it was read (its numbers
            # point into the same table): re-encoding 1,000 of them cost 0.14 s per check
            if state is None or (state.reused and bid in raw):
                states[bid] = raw[bid]
            else:
                states[bid] = state.to_compact(table)
        body = {"format": FORMAT, "code": code_stamp(), "files": self.files,
                "strings": table.strings, "briefings": states,
                "diagnostics": [diagnostic_json(d) for d in self.diagnostics],
                "stale_months": self.stale_months, "known": self.known, "counts": self.counts,
                "web_ok": self.web_ok}
        with contextlib.suppress(OSError):  # only an index: a read-only dist/ is no failure
            write_atomic(self.path, json.dumps(body, separators=(",", ":")).encode())
            write_atomic(files_stamp_path(self.path), files_digest(self.files).encode())
