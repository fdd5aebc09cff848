"""One live project for the web editor: its workspace, kept current; changes judged before
they are written, written atomically, and the affected outputs rebuilt.

Every change goes through :meth:`Editor.save`: the files' text as they are now must have
the hash the form was opened with (else it is a conflict and nothing is written), the
candidate workspace must bring no new error, and only files inside ``briefings/`` and
``styles/`` may be written. Edits made in a text editor while the server runs are picked up
by :meth:`Editor.watch` (watchfiles) and rebuilt like ``briefgen watch`` does.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BriefgenError, Diagnostic, UsageError
from ..files import why, write_atomic
from ..incremental.builder import BuildResult, build_profiles
from ..incremental.index import hash_files
from ..load.project import Layout, find_root
from ..workspace import Workspace, open_workspace
from .candidate import candidate, changed_briefings, content_hash

BOM = "\ufeff"


@dataclass
class FileText:
    """A file as the forms see it: its text (line ends made "\\n") and its hash on disk."""

    path: Path
    text: str
    hash: str  # "new" for a file that does not exist yet
    crlf: bool = False  # every line ends in CRLF
    bom: bool = False
    #: each line's own end ("\n", "\r\n" or "\r"), when they are not all the same
    ends: list[str] | None = None
    #: a link to another file: not read (it may lead out of the project), never written
    link: bool = False

    def encode(self, text: str) -> bytes:
        """``text`` as it is written back: with the file's own line ends and BOM. In a file
        whose lines end in different ways, the lines kept from it keep their own ends, and
        new or changed lines end in "\n"."""
        if self.crlf:
            text = text.replace("\n", "\r\n")
        elif self.ends:
            text = self._with_own_ends(text)
        return ((BOM if self.bom else "") + text).encode("utf-8")

    def _with_own_ends(self, text: str) -> str:
        assert self.ends is not None
        old, new = self.text.split("\n"), text.split("\n")
        kept: dict[int, int] = {}  # line of the new text -> the same line of the old
        for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, old, new, autojunk=False
                                                         ).get_opcodes():
            if tag == "equal":
                kept.update((j1 + k, i1 + k) for k in range(i2 - i1))
        out = []
        for j, line in enumerate(new):
            out.append(line)
            if j < len(new) - 1:
                i = kept.get(j)
                out.append(self.ends[i] if i is not None and i < len(self.ends) else "\n")
        return "".join(out)


@dataclass
class Plan:
    """What saving would do: the new errors it would bring (then it is refused), every
    diagnostic ``check`` would then give, and the briefings it would rebuild."""

    workspace: Workspace
    diagnostics: list[Diagnostic]
    new_errors: list[Diagnostic]
    affected: list[str]


@dataclass
class Outcome:
    saved: bool
    plan: Plan | None = None
    conflicts: list[str] = field(default_factory=list)  # files changed since the form opened
    problem: str | None = None  # a file that cannot be written, with why
    results: dict[str, BuildResult] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _key(d: Diagnostic) -> tuple[str, str, str]:
    """An error's identity across an edit (lines move when lines are added above it)."""
    return d.location.path, d.key, d.message


class Editor:
    def __init__(self, root: Path | str):
        self.layout = Layout(find_root(Path(root)))
        self.lock = threading.RLock()
        self.ws = open_workspace(self.layout.root)
        self.version = 1
        self._diagnostics: list[Diagnostic] | None = None
        self.last: dict[str, BuildResult] = {}
        self.build_error: str | None = None

    @property
    def root(self) -> Path:
        return self.layout.root

    # ------------------------------------------------------------------ reading
    def diagnostics(self) -> list[Diagnostic]:
        """Everything ``briefgen check`` reports for the project as it is now."""
        with self.lock:
            if self._diagnostics is None:
                self._diagnostics = self.ws.diagnostics
            return self._diagnostics

    def read(self, path: Path) -> FileText:
        """The file as the forms see it. A link (or a file in a linked folder) is not read:
        the editor never writes one, and it may lead out of the project; its FileText says
        ``link`` and has no text."""
        if self.linked(path):
            return FileText(path, "", "link", link=True)
        self.writable(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return FileText(path, "", "new")
        text = raw.decode("utf-8", errors="replace")
        bom = text.startswith(BOM)
        text = text.removeprefix(BOM)
        ends = re.findall(r"\r\n|\r|\n", text)
        crlf = bool(ends) and all(end == "\r\n" for end in ends)
        mixed = len(set(ends)) > 1
        return FileText(path, text.replace("\r\n", "\n").replace("\r", "\n"),
                        content_hash(raw), crlf, bom, ends if mixed else None)

    def linked(self, path: Path) -> bool:
        """Whether ``path`` (inside the project) is a link, or inside a linked folder."""
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            raise UsageError(f"the editor does not read {path}") from None
        return path.is_symlink() or path.parent.resolve() != self.root.resolve() / rel.parent

    def link_message(self, path: Path) -> str:
        return (f"{path.relative_to(self.root).as_posix()} is a link to another file, and "
                "the editor does not change linked files (the change would reach wherever "
                "the link leads). Change it in a text editor.")

    def writable(self, path: Path) -> Path:
        """``path`` if the editor may write it: a YAML file inside briefings/ or styles/
        (after resolving links). Paths always come from the workspace or the Layout; this
        is the last check before any write."""
        resolved = path.resolve()
        inside = any(resolved.is_relative_to(folder.resolve())
                     for folder in (self.layout.briefings, self.layout.styles))
        if not inside or resolved.suffix not in (".yaml", ".yml") or path.is_symlink():
            raise UsageError(f"the editor does not write {path}")
        return path

    # ------------------------------------------------------------------ judging a change
    def plan(self, texts: dict[Path, str], originals: dict[Path, FileText]) -> Plan:
        with self.lock:
            encoded = {p: originals[p].encode(t) for p, t in texts.items()}
            cand = candidate(self.ws, texts, encoded)
            diagnostics = cand.diagnostics
            current = {_key(d) for d in self.diagnostics() if d.is_error}
            new = [d for d in diagnostics if d.is_error and _key(d) not in current]
            return Plan(cand, diagnostics, new, changed_briefings(self.ws, cand))

    # ------------------------------------------------------------------ saving
    def save(self, texts: dict[Path, str], bases: dict[Path, str]) -> Outcome:
        """Write ``texts`` (path -> new text) if every file still has the hash in ``bases``
        and the change brings no new error in the project as it is on disk now (files
        changed by others are picked up first); then rebuild what it changes. Files are
        written in the order given (a new source before the fact that cites it)."""
        with self.lock:
            for path in texts:
                if self.linked(path):
                    return Outcome(False, problem=self.link_message(path))
            originals = {p: self.read(p) for p in texts}
            conflicts = [p.relative_to(self.root).as_posix()
                         for p, f in originals.items() if f.hash != bases.get(p)]
            if conflicts:
                return Outcome(False, conflicts=conflicts)
            # a file changed on disk that the watcher has not picked up yet (another one
            # than those written: their hashes were just checked) must be judged with, or
            # the change is checked against a project that no longer exists; what it
            # changes is built after the save, with the rest (not before: a refused save
            # costs no build)
            stale = hash_files(self.root, *self.layout.inputs()) != self.ws.files
            if stale:
                self.ws = open_workspace(self.root)
                self._diagnostics = None
            plan = self.plan(texts, originals)
            if plan.new_errors:
                return Outcome(False, plan)
            written = []
            for path, text in texts.items():
                try:
                    write_atomic(path, originals[path].encode(text))
                except OSError as exc:
                    self.reload()
                    return Outcome(False, plan, problem=why(exc, path), files=written)
                written.append(path.relative_to(self.root).as_posix())
            self.ws = plan.workspace  # exactly what is on disk now
            self._diagnostics = plan.diagnostics
            results = self._build(None if stale else plan.affected) \
                if stale or plan.affected else {}
            if not (stale or plan.affected):
                self.ws.save_index()
            self.version += 1
            return Outcome(True, plan, results=results, files=written)

    # ------------------------------------------------------------------ building
    def _build(self, ids: list[str] | None) -> dict[str, BuildResult]:
        try:
            results = build_profiles(self.root, ids, profiles=("screen",),
                                     formats=("pdf", "html"), workspace=self.ws)
            self.build_error = None
        except BriefgenError as exc:  # e.g. another build holds the lock for a minute
            self.build_error = str(exc)
            return {}
        self.last = results
        self._diagnostics = None
        return results

    def build(self, ids: list[str] | None = None) -> dict[str, BuildResult]:
        """Build what is out of date (all briefings, or ``ids``)."""
        with self.lock:
            if ids:
                for bid in ids:
                    self.ws.require(bid)
            results = self._build(ids)
            self.version += 1
            return results

    def reload(self) -> None:
        with self.lock:
            self.ws = open_workspace(self.root)
            self._diagnostics = None
            self.version += 1

    def refresh(self) -> bool:
        """Pick up files changed on disk by someone else; rebuild what they change. True
        when something had changed."""
        with self.lock:
            # the workspace's own list of inputs (published editions' snapshots too):
            # anything else never matched once an edition existed, and every wake-up
            # rebuilt the whole project
            files = hash_files(self.root, *self.layout.inputs())
            if files == self.ws.files:
                return False
            self.ws = open_workspace(self.root)
            self._diagnostics = None
            self._build(None)
            self.version += 1
            return True

    def watch(self, stop: threading.Event, debounce_ms: int = 200) -> None:
        """Refresh after every change under briefings/, styles/ and editions/ (a publish
        from the command line changes what the "What's new" box compares with) until
        ``stop`` is set."""
        from watchfiles import watch as watch_files

        paths = [self.layout.briefings, self.layout.styles,
                 *([self.layout.editions] if self.layout.editions.is_dir() else [])]
        first = True  # the first wake-up, with the watcher running, catches up on any
        # change made before it started (refresh compares the files' hashes: cheap)
        for changes in watch_files(*paths, debounce=debounce_ms, stop_event=stop,
                                   raise_interrupt=False, rust_timeout=500,
                                   yield_on_timeout=True):
            if changes or first:
                first = False
                with contextlib.suppress(BriefgenError):
                    self.refresh()
