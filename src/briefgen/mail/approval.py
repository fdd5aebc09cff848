"""Approval before sending: a person signs off one exact PDF of a briefing.

``briefgen mail approve ID --by NAME`` builds the briefing if it is stale and records the
sha256 of its PDF, who approved it and when, in ``.briefgen/mail/approvals.db``. A send
refuses to start a campaign whose PDF has no approval, so a changed PDF (a new fact, a fixed
typo) needs a new one. Test messages (``--test ADDRESS``) need none: they are how reviewers
see the email first.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError, MailError
from ..incremental.builder import build_project
from ..workspace import Workspace

_SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    briefing TEXT NOT NULL,
    pdf_sha256 TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (briefing, pdf_sha256)
);
"""


@dataclass(frozen=True)
class Approval:
    briefing: str
    pdf_sha256: str
    by: str
    at: str

    @property
    def short(self) -> str:
        return self.pdf_sha256[:8]

    def __str__(self) -> str:
        return f"PDF {self.short} approved by {self.by} on {self.at}"


def _open(path: Path, *, write: bool) -> sqlite3.Connection | None:
    if not write and not path.is_file():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None, timeout=10)
    db.executescript(_SCHEMA)
    return db


def approvals(path: Path, briefing: str | None = None) -> list[Approval]:
    """Approvals, newest first (of one briefing, or of all)."""
    db = _open(path, write=False)
    if db is None:
        return []
    try:
        query = "SELECT briefing, pdf_sha256, by, at FROM approvals"
        args: tuple = ()
        if briefing:
            query, args = query + " WHERE briefing = ?", (briefing,)
        return [Approval(*r) for r in db.execute(query + " ORDER BY at DESC, briefing", args)]
    finally:
        db.close()


def find(path: Path, briefing: str, sha256: str) -> Approval | None:
    return next((a for a in approvals(path, briefing) if a.pdf_sha256 == sha256), None)


def approve(ws: Workspace, bid: str, by: str | None = None) -> Approval:
    """Build ``bid`` if needed and record that ``by`` approved its current PDF."""
    ws.require(bid)
    result = build_project(ws.root, [bid], workspace=ws)
    if result.failed:
        raise ContentError([d for f in result.failed for d in f.errors])
    sha = hashlib.sha256(ws.layout.pdf(bid).read_bytes()).hexdigest()
    who = (by or "").strip() or _user()
    if any(c in who for c in "\r\n\0"):
        raise MailError("--by: a name on one line, please")
    when = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    db = _open(ws.layout.approvals, write=True)
    assert db is not None
    try:
        db.execute("INSERT OR REPLACE INTO approvals VALUES (?, ?, ?, ?)",
                   (bid, sha, who[:200], when))
    finally:
        db.close()
    return Approval(bid, sha, who[:200], when)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def require(path: Path, bid: str, sha256: str) -> Approval:
    """The approval of this exact PDF, or a MailError that says what to do."""
    found = find(path, bid, sha256)
    if found is not None:
        return found
    earlier = approvals(path, bid)
    why = (f" (the approved PDF {earlier[0].short}, approved by {earlier[0].by} on "
           f"{earlier[0].at}, has changed since)" if earlier else "")
    raise MailError(f"{bid}: its PDF {sha256[:8]} is not approved for sending{why}. Send a "
                    f"test first (briefgen mail {bid} --test you@example.org), check it, then "
                    f"approve it: briefgen mail approve {bid} --by YOUR-NAME")
