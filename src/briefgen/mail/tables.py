"""Reading the tables that CRMs and list tools export, the way they really come out.

* UTF-8 with or without a byte-order mark, or UTF-16 with one (Excel's "Unicode text");
  anything else is an error that says how to save the file;
* ``,``, ``;`` (Excel in much of Europe) or tab between fields, whichever the first line
  that is not a comment uses most;
* lines starting with ``#`` are comments; blank lines are skipped;
* header names are compared without case, spaces or punctuation, so ``email``,
  ``"Email Address"`` (Mailchimp), ``E-mail`` and ``EMAIL_ADDRESS`` are one column;
* a cell may hold ``Name <address>``, ``mailto:address`` or ``address # a comment``.

A field longer than the csv module allows (about 128 KB: usually a quotation mark left open)
is a located error, never a crash.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, Location, relative_path

#: header names (lower case, letters and digits only) that name a column of addresses
EMAIL_HEADER = re.compile(r"(e?mail|emailaddress|emailaddr|mailaddress|emails)\d*")
#: list columns by other names tools give them
ALIASES = {
    "firstname": "first_name", "first": "first_name", "givenname": "first_name",
    "lastname": "last_name", "last": "last_name", "surname": "last_name",
    "familyname": "last_name", "fullname": "name", "name": "name",
    "segments": "segments", "segment": "segments", "tags": "segments", "groups": "segments",
    "language": "language", "lang": "language",
}
_DELIMITERS = (",", ";", "\t")


def header_key(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.strip().lower())


def is_email_header(cell: str) -> bool:
    return bool(EMAIL_HEADER.fullmatch(header_key(cell)))


def column_name(cell: str) -> str:
    """The name the list reader uses for a header cell: ``email`` for any address column,
    ``first_name`` for "First Name"..., else the cell in lower case."""
    if is_email_header(cell):
        return "email"
    return ALIASES.get(header_key(cell), cell.strip().lower())


@dataclass
class Table:
    display: str  # the path as shown in messages
    rows: list[tuple[int, list[str]]]  # (first line of the row, cells), comments left out


def decode(data: bytes) -> str:
    """The text of an export; raises UnicodeDecodeError when it is not UTF-8 or UTF-16."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _delimiter(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        outside = re.sub(r'"[^"]*"', "", stripped)  # a quoted name may hold a comma
        counts = {d: outside.count(d) for d in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda d: counts[d])
        return best if counts[best] else ","
    return ","


def read_table(path: Path, root: Path, what: str) -> tuple[Table | None, list[Diagnostic]]:
    """The rows of ``path``, or a located error that says what to do. ``what`` names the
    file in messages ("list", "suppression list")."""
    display = relative_path(path, root)
    where = Location(display)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Diagnostic(where, "", f"the {what} file does not exist: check the path")]
    except IsADirectoryError:
        return None, [Diagnostic(where, "", f"the {what} is a folder, not a file")]
    except OSError as exc:
        return None, [Diagnostic(where, "", f"cannot read the {what}: "
                                            f"{(exc.strerror or str(exc)).lower()}")]
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return None, [Diagnostic(Location(display, line), "", f"the {what} is not UTF-8 text: "
                                 "save it as 'CSV UTF-8' (or UTF-16 'Unicode text')")]
    if text.count("\0") > len(text) // 10:  # UTF-16 without its byte-order mark, or binary
        return None, [Diagnostic(where, "", f"the {what} is not a text export (UTF-16 "
                                 "without a byte-order mark?): save it as 'CSV UTF-8'")]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num  # a quoted field may span lines
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            rows.append((line, cells))
    except csv.Error as exc:
        return None, [Diagnostic(Location(display, end + 1), "", f"cannot read this row "
                                 f"({exc}): a field this long usually means a quotation "
                                 "mark was left open; fix the row")]
    return Table(display, rows), []


_COMMENT = re.compile(r"\s+#.*$")
_ANGLE = re.compile(r"<([^<>]*)>")


def address_in(cell: str) -> str:
    """The address written in a cell: ``Name <a@b>`` -> ``a@b``; ``a@b # note`` -> ``a@b``;
    ``mailto:a@b`` -> ``a@b``. Whatever is left when nothing matches."""
    value = _COMMENT.sub("", cell.strip())
    found = _ANGLE.findall(value)
    if len(found) == 1:
        value = found[0]
    value = value.strip().strip("\"'").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:].split("?", 1)[0]
    return value.strip().rstrip(";,").strip()
