"""The send ledger: one SQLite file per campaign, so that no recipient is mailed twice.

The recipient list is frozen when the campaign starts. Each recipient has one row whose
state is committed *before* the step it names:

* ``pending``     - not yet tried (or safe to try again);
* ``inflight``    - an SMTP transaction is starting; the server has not got the message
                    (a crash here is safe: the message is sent again);
* ``unconfirmed`` - the final "." of DATA is being sent: the server may have accepted the
                    message without us hearing the reply. The only ambiguous state;
* ``sent``        - the server answered 250;
* ``retry``       - a temporary (4xx) answer; tried again after a delay;
* ``failed``      - a permanent (5xx) answer, or too many temporary ones; never retried;
* ``held``        - was ``unconfirmed`` after a crash and ``--ambiguous=hold`` was given;
* ``suppressed``  - added to the suppression list after the campaign started;
* ``superseded``  - not yet mailed when a newer version of the briefing was sent to the
                    list with ``--new-campaign``: that campaign mails them instead.

A run that finds ``inflight`` rows (from a crash) sends them again; ``unconfirmed`` rows are
sent again (``--ambiguous=resend``, the default) or held, and counted as ambiguous either way.
A person moves rows on with ``briefgen mail retry`` (failed or held -> pending) and
``briefgen mail resolve`` (any row -> sent, or -> pending).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import MailError
from .recipients import Recipient

STATES = ("pending", "inflight", "unconfirmed", "sent", "retry", "failed", "held",
          "suppressed", "superseded")
#: states that still need a run (or a person) before the campaign is finished
OPEN_STATES = ("pending", "inflight", "unconfirmed", "retry", "held")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recipients (
    seq INTEGER PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    segments TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    reply TEXT NOT NULL DEFAULT '',
    ambiguous INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL,
    line INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS attachment (id INTEGER PRIMARY KEY CHECK (id = 1), pdf BLOB);
"""


@dataclass
class Row:
    seq: int
    key: str
    recipient: Recipient
    state: str
    attempts: int
    next_at: float
    reply: str
    ambiguous: bool


def _has_wal(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.is_file() and wal.stat().st_size > 0


def _create(path: Path) -> None:
    """A new, empty ledger, put in place whole: a campaign killed as it starts leaves no
    file, or one with its tables, never an empty file (which is refused as damaged)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another run made it first: theirs
            pass
        except OSError:  # a file system without hard links (exFAT, some shared folders):
            if not path.exists():  # the campaign's lock is held, so none is made meanwhile
                os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"),
                         tmp.with_name(tmp.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


class LedgerDamaged(MailError):
    """A campaign's ledger cannot be read (not a database, malformed): exit 1, never a
    crash, and never a fresh start, which could mail everyone it reached again."""

    def __init__(self, path: Path, exc: BaseException):
        self.path = path
        super().__init__(
            f".briefgen/mail/{path.name}: the ledger of campaign {path.stem} is damaged "
            f"({exc}): nothing was sent. It records who that campaign already mailed: "
            "restore the file from a backup, then run the command again")


class Ledger:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _create(path)
        elif path.stat().st_size == 0 and not _has_wal(path):
            # a new ledger is put in place whole (_create), so an empty one was emptied
            # after: starting again would mail everyone it had reached again
            raise LedgerDamaged(path, ValueError("the file is empty"))
        self.db = sqlite3.connect(path, isolation_level=None)  # explicit commits below
        try:
            self._open()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise LedgerDamaged(path, exc) from None

    def _open(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        # Every commit survives a killed process (WAL). Surviving a power cut needs an fsync,
        # which costs ~1 ms here; it is paid once per message, on the commit before the final
        # dot (see set_state(durable=True)): WAL commits are ordered, so a power cut can only
        # lose later states, and a lost later state leaves the row pending (never sent) or
        # unconfirmed (counted as ambiguous), never wrongly "sent".
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        columns = [r[1] for r in self.db.execute("PRAGMA table_info(recipients)")]
        if "line" not in columns:  # a ledger from before rows remembered their list line
            self.db.execute("ALTER TABLE recipients ADD COLUMN line INTEGER NOT NULL DEFAULT 0")
        self.db.execute("SELECT COUNT(*) FROM recipients").fetchone()  # reads a page or two

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ campaign
    @property
    def started(self) -> bool:
        return self.db.execute("SELECT COUNT(*) FROM meta").fetchone()[0] > 0

    def freeze(self, meta: dict[str, str], recipients: list[Recipient], pdf: bytes) -> None:
        """Record the campaign and its recipients, once; later runs keep the first list."""
        now = time.time()
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            if self.db.execute("SELECT COUNT(*) FROM meta").fetchone()[0]:
                return
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            self.db.executemany(
                "INSERT INTO recipients (key, email, name, first_name, segments, state, "
                "updated, line) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                [(r.key, r.email, r.name, r.first_name, json.dumps(r.segments), now, r.line)
                 for r in recipients])
            self.db.execute("INSERT INTO attachment VALUES (1, ?)", (pdf,))

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def pdf(self) -> bytes:
        row = self.db.execute("SELECT pdf FROM attachment WHERE id = 1").fetchone()
        return bytes(row[0]) if row else b""

    # ------------------------------------------------------------------ states
    def set_state(self, key: str, state: str, *, reply: str | None = None,
                  attempts: int | None = None, next_at: float | None = None,
                  ambiguous: bool | None = None, durable: bool = False) -> None:
        """Commit a recipient's new state; ``durable`` also forces it (and every earlier
        commit) to disk before returning."""
        assert state in STATES, state
        sets, args = ["state = ?", "updated = ?"], [state, time.time()]
        for column, value in (("reply", reply), ("attempts", attempts), ("next_at", next_at),
                              ("ambiguous", None if ambiguous is None else int(ambiguous))):
            if value is not None:
                sets.append(f"{column} = ?")
                args.append(value)
        if durable:
            self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(f"UPDATE recipients SET {', '.join(sets)} WHERE key = ?", (*args, key))
        if durable:
            self.db.execute("PRAGMA synchronous=NORMAL")

    def recover(self, ambiguous: str) -> tuple[int, int]:
        """After a crash: (inflight rows made pending, unconfirmed rows resent or held)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            safe = self.db.execute("UPDATE recipients SET state = 'pending' "
                                   "WHERE state = 'inflight'").rowcount
            target = "held" if ambiguous == "hold" else "pending"
            unsure = self.db.execute(f"UPDATE recipients SET state = '{target}', ambiguous = 1 "
                                     "WHERE state = 'unconfirmed'").rowcount
        return safe, unsure

    def rows(self, *states: str) -> Iterator[Row]:
        marks = ", ".join("?" for _ in states)
        query = "SELECT seq, key, email, name, first_name, segments, state, attempts, next_at," \
                " reply, ambiguous, line FROM recipients"
        if states:
            query += f" WHERE state IN ({marks})"
        for r in self.db.execute(query + " ORDER BY seq", states).fetchall():
            person = Recipient(r[2], r[3], r[4], json.loads(r[5]), line=r[11])
            yield Row(r[0], r[1], person, r[6], r[7], r[8], r[9], bool(r[10]))

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows() if r.key == key), None)

    def reopen(self, states: tuple[str, ...], reply: str) -> int:
        """Rows in ``states`` back to ``pending`` (attempts reset); how many."""
        marks = ", ".join("?" for _ in states)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db.execute(
                f"UPDATE recipients SET state = 'pending', attempts = 0, next_at = 0, "
                f"reply = ?, updated = ? WHERE state IN ({marks})",
                (reply, time.time(), *states)).rowcount

    def supersede(self, campaign: str) -> int:
        """Hand every row not known to be mailed to ``campaign`` (a newer version of the
        briefing, which mails them instead): pending, retry, inflight, unconfirmed and held
        rows become ``superseded``. Returns how many; doing it twice changes nothing."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            moved = self.db.execute(
                "UPDATE recipients SET state = 'superseded', reply = ?, updated = ? "
                "WHERE state IN ('pending', 'retry', 'inflight', 'unconfirmed', 'held')",
                (f"the newer version goes to them in campaign {campaign}", time.time())
            ).rowcount
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('superseded_by', ?)",
                            (campaign,))
        return moved

    def sent_keys(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT key FROM recipients WHERE state = 'sent'")}

    def sent_people(self) -> set[str]:
        """The keys of everyone ``sent``, worked out from each address now (an older ledger
        stored case-folded keys, which would match other people)."""
        from .recipients import address_key

        return {address_key(r[0]) for r in
                self.db.execute("SELECT email FROM recipients WHERE state = 'sent'")}

    def people_in(self) -> dict[str, bool]:
        """Everyone this campaign mailed or may still mail (key -> whether ``sent``): all
        but those it failed, suppressed or handed to a newer campaign."""
        from .recipients import address_key

        return {address_key(r[0]): r[1] == "sent" for r in self.db.execute(
            "SELECT email, state FROM recipients WHERE state NOT IN "
            "('failed', 'suppressed', 'superseded')")}

    def is_open(self) -> bool:
        marks = ", ".join("?" for _ in OPEN_STATES)
        return self.db.execute(f"SELECT COUNT(*) FROM recipients WHERE state IN ({marks})",
                               OPEN_STATES).fetchone()[0] > 0

    def counts(self) -> dict[str, int]:
        found = dict(self.db.execute("SELECT state, COUNT(*) FROM recipients GROUP BY state"))
        return {s: found.get(s, 0) for s in STATES}

    def ambiguous_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM recipients WHERE ambiguous = 1"
                               ).fetchone()[0]


def ledger_dir(root: Path) -> Path:
    """Kept outside dist/ so that cleaning the build output never forgets who was mailed."""
    return root / ".briefgen" / "mail"


def campaigns(root: Path) -> list[str]:
    return sorted(p.stem for p in ledger_dir(root).glob("*.sqlite"))
