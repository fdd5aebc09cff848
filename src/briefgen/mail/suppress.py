"""Who must never be mailed: the project's suppression store, and ``--suppress`` files.

**The store** (``.briefgen/mail/suppressions.db``, SQLite, beside the ledgers) is the one
list that one-click unsubscribes, hard bounces, complaints and permanent refusals seen while
sending all write to, and that every send consults, just before each message. An address
in it is suppressed for every list of the project: someone who unsubscribed from one export
of the supporters' list must not be mailed from next month's export. It also remembers
which bounce and complaint reports were processed, so processing one twice changes nothing.

**A suppression file** (``--suppress FILE``) is an export from a CRM or list tool (see
:mod:`.tables` for the formats). It fails closed: a file that is missing, unreadable, not
text, or in which no column of addresses can be found stops the run before anything is
sent. Every cell that holds an ``@`` is read (a row of a file without a header may hold
several addresses), after removing invisible characters (a byte-order mark, zero-width
spaces: Unicode's format characters). A cell that holds an ``@`` but is not a usable
address stops the run too (we cannot tell who was meant, and a key kept as written would
never match anyone); a row with no ``@`` at all is reported at its line and ignored.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError, Diagnostic, Location, MailError, Severity
from .recipients import address_key, legacy_key, normalise
from .tables import address_in, is_email_header, read_table

REASONS = {
    "unsubscribed": "unsubscribed",
    "hard-bounce": "hard bounce",
    "complaint": "complained (marked as spam)",
    "refused": "refused by the recipient's server",
    "added": "added by hand",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS suppressed (
    key TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    reason TEXT NOT NULL,
    list TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS soft_bounces (
    key TEXT NOT NULL,
    report TEXT NOT NULL,
    email TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    PRIMARY KEY (key, report)
);
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class Entry:
    email: str
    reason: str
    list: str
    detail: str
    at: str

    @property
    def why(self) -> str:
        return REASONS.get(self.reason, self.reason)


class StoreDamaged(MailError):
    """The suppression store cannot be read: exit 1, and never a new, empty store in its
    place (mailing without it could reach everyone who unsubscribed)."""

    def __init__(self, path: Path, why: str):
        super().__init__(
            f".briefgen/mail/{path.name}: the suppression store is damaged ({why}): nothing "
            "was sent. It holds everyone who unsubscribed, bounced or complained, and "
            "briefgen does not mail without it: restore the file from a backup")


class SuppressionStore:
    """The project's suppression store. ``readonly`` opens nothing when the file does not
    exist yet (a dry run records nothing) and never writes."""

    def __init__(self, path: Path, *, readonly: bool = False):
        self.path = path
        self.db: sqlite3.Connection | None = None
        existed = path.exists()
        try:
            if readonly:
                if existed:
                    self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                              isolation_level=None, timeout=10)
                    self._require_table()
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=10)
            if existed:  # never made afresh over a damaged one: that would fail open
                self._require_table()
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # a lost unsubscribe: a broken promise
            self.db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreDamaged(path, str(exc)) from None

    def _require_table(self) -> None:
        assert self.db is not None
        found = self.db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name = 'suppressed'").fetchone()[0]
        if not found:
            self.close()
            raise StoreDamaged(self.path, "no table of suppressed addresses in it")
        self.db.execute("SELECT COUNT(*) FROM suppressed").fetchone()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> SuppressionStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self) -> sqlite3.Connection:
        if self.db is None:
            raise RuntimeError("the suppression store was opened read-only")
        return self.db

    # ------------------------------------------------------------------ entries
    def get(self, key: str) -> Entry | None:
        """The entry for ``key``, or for its case-folded form (an entry written before keys
        were lower case: ``straße@`` was stored as ``strasse@``; fail closed)."""
        if self.db is None:
            return None
        for stored, *row in self.db.execute(
                "SELECT key, email, reason, list, detail, at FROM suppressed WHERE key IN "
                "(?, ?) ORDER BY key = ? DESC", (key, legacy_key(key), key)):
            # a case-folded key is this person's only when its address says so: an entry
            # for strasse@ must not stop straße@
            if stored == key or _key_of(row[0]) == key:
                return Entry(*row)
        return None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def add(self, email: str, reason: str, *, list_name: str = "", detail: str = "") -> bool:
        """Suppress ``email``; False when it already was (the first reason is kept)."""
        assert reason in REASONS, reason
        cur = self._write().execute(
            "INSERT OR IGNORE INTO suppressed VALUES (?, ?, ?, ?, ?, ?)",
            (address_key(email), email, reason, list_name, detail[:500], _now()))
        return cur.rowcount == 1

    def remove(self, email: str) -> bool:
        key, db = address_key(email), self._write()
        removed = db.execute("DELETE FROM suppressed WHERE key = ?", (key,)).rowcount
        old = db.execute("SELECT email FROM suppressed WHERE key = ?", (legacy_key(key),)
                         ).fetchone()  # an entry of the old form, if it was this address
        if old and key != legacy_key(key) and address_key(old[0]) == key:
            removed += db.execute("DELETE FROM suppressed WHERE key = ?",
                                  (legacy_key(key),)).rowcount
        return removed >= 1

    def entries(self) -> list[Entry]:
        if self.db is None:
            return []
        return [Entry(*r) for r in self.db.execute(
            "SELECT email, reason, list, detail, at FROM suppressed ORDER BY at, key")]

    # ------------------------------------------------------------------ reports
    def seen(self, report_id: str) -> bool:
        if self.db is None:
            return False
        return self.db.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)
                               ).fetchone() is not None

    def record_report(self, report_id: str, kind: str,
                      suppress: list[tuple[str, str, str]],
                      soft: list[tuple[str, str]]) -> tuple[int, bool]:
        """One report, in one transaction: ``suppress`` holds (email, reason, detail),
        ``soft`` (email, detail). Returns (addresses newly suppressed, whether the report
        was new); a report seen before changes nothing."""
        db = self._write()
        added = 0
        with db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone():
                return 0, False
            db.execute("INSERT INTO reports VALUES (?, ?, ?)", (report_id, kind, _now()))
            for email, reason, detail in suppress:
                added += db.execute(
                    "INSERT OR IGNORE INTO suppressed VALUES (?, ?, ?, '', ?, ?)",
                    (address_key(email), email, reason, detail[:500], _now())).rowcount
            for email, detail in soft:
                db.execute("INSERT OR IGNORE INTO soft_bounces VALUES (?, ?, ?, ?, ?)",
                           (address_key(email), report_id, email, detail[:500], _now()))
        return added, True

    def soft_bounces(self) -> dict[str, int]:
        """Address -> number of soft-bounce reports about it."""
        if self.db is None:
            return {}
        return dict(self.db.execute("SELECT email, COUNT(*) FROM soft_bounces GROUP BY key "
                                    "ORDER BY email"))


# ---------------------------------------------------------------------- suppression files
def _visible(text: str) -> str:
    """``text`` without format characters (category Cf: a stray BOM, zero-width spaces and
    joiners, bidirectional marks), which hide in exports and would keep an address from
    ever matching."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")



def read_suppression_file(path: Path, root: Path) -> tuple[set[str], list[Diagnostic]]:
    """The address keys of a suppression file and the rows it ignored (warnings); raises
    ContentError when the file cannot be trusted, so that nothing is sent."""
    table, problems = read_table(path, root, "suppression list")
    if table is None:
        raise ContentError(_nothing_sent(problems))
    columns: list[int] | None = None
    rows = table.rows
    if rows:
        line, first = rows[0]
        named = [i for i, cell in enumerate(first) if is_email_header(cell)]
        if named:
            columns, rows = named, rows[1:]
        elif len([c for c in first if c.strip()]) > 1 and not any("@" in c for c in first):
            raise ContentError(_nothing_sent([Diagnostic(
                Location(table.display, line), "", "no column of addresses (found: "
                f"{', '.join(c.strip() for c in first)}): name it 'email'")]))
    keys: set[str] = set()
    errors: list[Diagnostic] = []
    for line, cells in rows:
        where = Location(table.display, line)
        cells = [_visible(c) for c in cells]
        found = [cells[i] for i in columns if i < len(cells)] if columns is not None else \
            [c for c in cells if "@" in c] or cells[:1]  # every address in the row
        for cell in found:
            raw = address_in(cell)
            if not raw:
                continue
            if "@" not in raw:
                problems.append(Diagnostic(where, "", f"'{_short(cell.strip())}' is not an "
                                           "address: row ignored", Severity.WARNING))
                continue
            try:
                keys.add(address_key(normalise(raw)))
            except ValueError as exc:
                errors.append(Diagnostic(where, "", f"'{_short(cell.strip())}' cannot be "
                                         f"read as an address ({exc}): fix the row"))
    if errors:
        raise ContentError(_nothing_sent(errors))
    if rows and not keys:
        raise ContentError(_nothing_sent([Diagnostic(
            Location(table.display, rows[0][0]), "", "no addresses found in the suppression "
            "list: is it the right file?")]))
    return keys, problems


def _nothing_sent(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [Diagnostic(d.location, d.key, f"{d.message} (nothing was sent)", d.severity)
            for d in diagnostics]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


#: seconds to wait before each attempt to read a changed suppression file during a run
REREAD_WAITS = (0.0, 0.2, 0.5, 1.0)


class Suppression:
    """What a send consults just before each message: the store (read fresh every time)
    and the ``--suppress`` file, read again whenever it changes. If the file stops being
    readable during a run, the run stops: fail closed."""

    def __init__(self, store: SuppressionStore, path: Path | None, root: Path,
                 keys: set[str] | None = None):
        self.store, self.path, self.root = store, path, root
        self.keys: set[str] = set(keys or ())
        self.stamp: tuple[int, int] | None = None  # read again before the first message

    def _stamp(self) -> tuple[int, int] | None:
        assert self.path is not None
        st = self.path.stat()
        return (st.st_mtime_ns, st.st_size)

    def refresh(self) -> None:
        if self.path is None:
            return
        for wait in REREAD_WAITS:  # an editor may be replacing the file right now
            time.sleep(wait)
            try:
                stamp = self._stamp()
                if stamp == self.stamp:
                    return
                keys, _ = read_suppression_file(self.path, self.root)
            except (OSError, ContentError) as exc:
                problem = exc
                continue
            self.keys |= keys  # entries are never dropped during a run
            self.stamp = stamp
            return
        detail = ("; ".join(str(d).removesuffix(" (nothing was sent)")
                            for d in problem.diagnostics)
                  if isinstance(problem, ContentError)
                  else f"{self.path}: {problem.strerror or problem}")
        raise MailError(f"the suppression list can no longer be read ({detail}); stopped "
                        "before the next message. Fix it and run the same command again.")

    def reason(self, key: str) -> str | None:
        """Why ``key`` must not be mailed, or None. Give the key worked out from the
        address now (:func:`address_key`), not one an older ledger stored."""
        entry = self.store.get(key)
        if entry is not None:
            return f"on the suppression list ({entry.why})"
        self.refresh()
        if key in self.keys:
            return f"in {self.path.name if self.path else 'the suppression file'}"
        return None


# ---------------------------------------------------------------------- for the command line
def suppressed(root: Path) -> list[Entry]:
    """Every entry of the project's suppression store."""
    from ..load.project import Layout

    with SuppressionStore(Layout(Path(root)).suppressions, readonly=True) as store:
        return store.entries()


def change_suppressed(root: Path, add: list[str], remove: list[str],
                      detail: str = "") -> dict[str, list[str]]:
    """Add addresses by hand (reason ``added``) and remove others (someone who asked to be
    mailed again). Returns the addresses ``added``, ``already`` there, ``removed`` and
    ``absent``; an address that is not valid is a UsageError."""
    from ..errors import UsageError
    from ..load.project import Layout

    def valid(address: str) -> str:
        try:
            return normalise(address)
        except ValueError as exc:
            raise UsageError(f"{address}: not a valid address: {exc}") from None

    adds, removes = [valid(a) for a in add], [valid(a) for a in remove]
    out: dict[str, list[str]] = {"added": [], "already": [], "removed": [], "absent": []}
    with SuppressionStore(Layout(Path(root)).suppressions) as store:
        for a in adds:
            out["added" if store.add(a, "added", detail=detail) else "already"].append(a)
        for a in removes:
            out["removed" if store.remove(a) else "absent"].append(a)
    return out


def _key_of(email: str) -> str | None:
    try:
        return address_key(normalise(email))
    except ValueError:
        return address_key(email.strip())
