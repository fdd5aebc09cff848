"""Recipient lists (CSV as a CRM exports them) and the suppression list.

A list has an ``email`` column, ``name`` or ``first_name``/``last_name`` (``first``/``last``
also work), ``segments`` separated by ``;`` or ``,``, and an optional ``language``. Rows
with an invalid address are reported as ``list.csv:LINE: ...`` and skipped; rows whose
addresses are the same after normalisation are merged (segments combined).

Addresses are compared by their normalised form (email-validator, no DNS lookup), with the
local part folded to lower case too: ``Ann@Example.org`` and ``ann@example.org`` are one
person, and a suppression entry for either suppresses both.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from ..errors import Diagnostic, Location, Severity, relative_path


@dataclass
class Recipient:
    email: str  # normalised, for sending
    name: str = ""
    first_name: str = ""
    segments: list[str] = field(default_factory=list)
    language: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        return address_key(self.email)


def address_key(email: str) -> str:
    return email.casefold()


def normalise(address: str) -> str:
    """The normalised address, or raise ValueError with a short reason."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def _header_safe(value: str) -> bool:
    return "\r" not in value and "\n" not in value


def _read_csv(path: Path, root: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str],
                                                list[Diagnostic]]:
    display = relative_path(path, root)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], [], [Diagnostic(Location(display), "", f"cannot read file: {exc.strerror}")]
    except UnicodeDecodeError:
        return [], [], [Diagnostic(Location(display), "", "not UTF-8 text: export the list "
                                                          "as CSV UTF-8")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    rows = []
    end = 1  # the header's last line
    for row in reader:
        line, end = end + 1, reader.line_num  # a quoted field may span lines: report the first
        rows.append((line, {(k or "").strip().lower(): (v or "") for k, v in row.items()
                            if not isinstance(v, list)}))
    return rows, fields, []


def load_list(path: Path, root: Path) -> tuple[list[Recipient], list[Diagnostic]]:
    """The recipients of one CSV list, merged by address, and what was wrong with it."""
    display = relative_path(path, root)
    rows, fields, problems = _read_csv(path, root)
    if problems:
        return [], problems
    if "email" not in fields:
        return [], [Diagnostic(Location(display, 1, 1), "", "no 'email' column (found: "
                               f"{', '.join(fields) or 'nothing'})")]
    merged: dict[str, Recipient] = {}
    for line, row in rows:
        where = Location(display, line)
        raw = row.get("email", "").strip()
        if not raw:
            problems.append(Diagnostic(where, "email", "no address: row skipped",
                                       Severity.WARNING))
            continue
        try:
            email = normalise(raw)
        except ValueError as exc:
            problems.append(Diagnostic(where, "email", f"'{raw}' is not a valid address: "
                                       f"{exc} (row skipped)", Severity.WARNING))
            continue
        first = (row.get("first_name") or row.get("first") or "").strip()
        last = (row.get("last_name") or row.get("last") or "").strip()
        full = (row.get("name") or "").strip()
        name = full or " ".join(p for p in (first, last) if p)
        if not first and full:
            first = full.split()[0]  # "Amina Khan" -> "Amina"; a surname alone is not used
        bad = [k for k in ("name", "first_name", "first", "last_name", "last")
               if not _header_safe(row.get(k, ""))]
        if bad:
            problems.append(Diagnostic(where, bad[0], "a line break in a name would break "
                                       "the email's headers: fix the row"))
            continue
        segments = [s.strip() for s in row.get("segments", "").replace(",", ";").split(";")
                    if s.strip()]
        person = Recipient(email, name, first, segments, row.get("language", "").strip(), line)
        if person.key in merged:
            kept = merged[person.key]
            kept.segments += [s for s in segments if s not in kept.segments]
            kept.name = kept.name or name
            kept.first_name = kept.first_name or first
        else:
            merged[person.key] = person
    return list(merged.values()), problems


def load_suppression(path: Path | None, root: Path) -> tuple[set[str], list[Diagnostic]]:
    """Suppressed address keys: a CSV with an ``email`` column, or one address per line."""
    if path is None:
        return set(), []
    display = relative_path(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return set(), [Diagnostic(Location(display), "", f"cannot read suppression list: "
                                                         f"{reason}")]
    lines = text.splitlines()
    header = lines[0].lower().split(",") if lines else []
    column = [h.strip() for h in header].index("email") if "email" in [
        h.strip() for h in header] else None
    keys: set[str] = set()
    problems = []
    body = csv.reader(io.StringIO(text)) if column is not None else ([ln] for ln in lines)
    for number, row in enumerate(body, start=1):
        if column is not None and number == 1:
            continue
        raw = (row[column] if column is not None and len(row) > column else
               row[0] if row else "").strip()
        if not raw or raw.startswith("#"):
            continue
        try:
            keys.add(address_key(normalise(raw)))
        except ValueError:
            keys.add(address_key(raw))  # suppress it anyway, exactly as written
            problems.append(Diagnostic(Location(display, number), "email",
                                       f"'{raw}' is not a valid address (suppressed as "
                                       "written)", Severity.WARNING))
    return keys, problems
