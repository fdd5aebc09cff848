"""One exception tree and one diagnostic type for everything briefgen reports to a user.

Library code never prints or exits: it raises a :class:`BriefgenError` (or returns
:class:`Diagnostic` lists) and the CLI decides how to show them and which exit code to use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file: path relative to the project root, 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:  # a line of a CSV file
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Diagnostic:
    """One located problem: ``path:line:col: key.path: message``.

    ``code`` names the cause of a warning (``stale-fact``, ``no-url``...), so that a report
    can show one line per cause instead of one per place.
    """

    location: Location
    key: str
    message: str
    severity: Severity = Severity.ERROR
    code: str = ""

    def __str__(self) -> str:
        key = f"{self.key}: " if self.key else ""
        return f"{self.location}: {key}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.key)


class BriefgenError(Exception):
    """Root of every error briefgen raises on purpose."""

    exit_code = 1


class UsageError(BriefgenError):
    """The command line asked for something that cannot be done (exit code 2)."""

    exit_code = 2


class ContentError(BriefgenError):
    """The user's files are wrong; carries every located diagnostic found (exit code 1)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class RenderError(BriefgenError):
    """A briefing could not be rendered (a glyph missing from a font, a layout that cannot fit)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        self.diagnostics = diagnostics or []
        super().__init__(message)


class MailError(BriefgenError):
    """Mail could not be sent: the server refused the sender, TLS or the login failed, or a
    campaign is locked by another run (exit code 1). Recipients are never marked failed for
    a problem of the sender's."""


class LockBusy(BriefgenError):
    """Another briefgen process holds the project's build lock (exit code 1)."""


class OutputError(BriefgenError):
    """A file could not be written: a read-only folder, a full disk, a file where a folder
    should be (exit code 1). The message names the path and what to do."""


@dataclass
class Report:
    """Diagnostics collected over a whole run, errors and warnings together."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def sorted(self) -> list[Diagnostic]:
        unique = {(str(d), d.severity): d for d in self.diagnostics}
        return sorted(unique.values(), key=Diagnostic.sort_key)

    def warning_groups(self) -> list[WarningGroup]:
        """Warnings by cause, largest group first; a warning without a code is its own group."""
        groups: dict[str, WarningGroup] = {}
        for d in self.sorted():
            if d.is_error:
                continue
            key = d.code or f"-{len(groups)}"
            groups.setdefault(key, WarningGroup(d.code, [])).items.append(d)
        return sorted(groups.values(), key=lambda g: (-len(g.items), g.code))


#: one line that describes a whole group of warnings, by cause
WARNING_CAUSES = {
    "no-url": "sources without a web address (mark a print-only source with `url: none`)",
    "unused-source": "sources no briefing uses",
    "stale-fact": "facts older than the staleness limit before the briefings that use them",
    "stale-source": "sources older than the staleness limit before the briefings that use them",
    "long-statement": "fact statements longer than a reader takes in at once",
}


@dataclass
class WarningGroup:
    code: str
    items: list[Diagnostic]

    @property
    def title(self) -> str:
        return WARNING_CAUSES.get(self.code, self.items[0].message)


def relative_path(path: Path, root: Path) -> str:
    """Show ``path`` relative to the project root when it is inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
