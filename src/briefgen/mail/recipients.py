"""Recipient lists, as a CRM exports them (see :mod:`.tables` for the formats read).

A list has an ``email`` column (``Email Address``, ``E-mail``... also work), ``name`` or
``first_name``/``last_name`` (``First Name``, ``first``...), ``segments`` separated by ``;``
or ``,``, and an optional ``language``. Rows with an invalid address are reported as
``list.csv:LINE: ...`` and skipped; rows whose addresses are the same after normalisation
are merged (segments combined). Names lose control characters and are cut to
:data:`MAX_NAME` characters (with a warning naming the row); a line break in a name is an
error, since it is how header injection starts. So is an RFC 2047 encoded word
(``=?utf-8?q?...?=``), which mail programs (and Python's email package) decode: one that
decodes to plain text is decoded (with a warning); one that hides a line break or control
character, or cannot be read, is an error, as is an ``=?`` left after decoding.

Addresses are compared by their normalised form (email-validator, no DNS lookup), with the
local part in lower case too: ``Ann@Example.org`` and ``ann@example.org`` are one person,
and a suppression entry for either suppresses both. Lower case (``str.lower``), not case
folding: ``straße@`` and ``strasse@`` are two people. Keys written before that change were
case-folded (:func:`legacy_key`); the suppression store matches those too (fail closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from ..errors import Diagnostic, Location, Severity
from .tables import address_in, column_name, read_table


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
    return email.lower()


def legacy_key(key: str) -> str:
    """The form :func:`address_key` gave before it used lower case (``str.casefold``): what
    older suppression stores and ledgers hold. ``legacy_key(address_key(a))`` is it too."""
    return key.casefold()


def normalise(address: str) -> str:
    """The normalised address, or raise ValueError with a short reason."""
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


def wire_address(email: str) -> tuple[str, bool]:
    """(the address to put on the wire, whether it needs SMTPUTF8). An internationalised
    domain is sent in its ASCII form (``user@xn--bcher-kva.example.com``), which any server
    takes; a non-ASCII local part (``josé@example.org``) can only go to a server that offers
    SMTPUTF8."""
    if email.isascii():
        return email, False
    try:
        ascii_form = validate_email(email, check_deliverability=False).ascii_email
    except EmailNotValidError:
        ascii_form = None
    return (ascii_form, False) if ascii_form else (email, True)


#: a display name longer than this is shortened: it must fit a header line with room to spare
MAX_NAME = 100
# C0 and C1 controls (line breaks are refused before this), line and paragraph separators,
# bidirectional overrides (they can disguise a name) and stray byte-order marks
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
                      "\u202a-\u202e\u2066-\u2069\ufeff]")


def decode_words(value: str) -> str:
    """``value`` with its RFC 2047 encoded words decoded, as a mail program would show it.
    Raises ValueError (with what to do) when an encoded word cannot be read, or when an
    ``=?`` is left after decoding (an encoded word inside an encoded word, or one that only
    a lenient reader such as the email package's header parser would decode)."""
    if "=?" not in value:
        return value
    try:
        text = str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError) as exc:
        raise ValueError(f"an encoded word (=?...?=) that cannot be read ({exc}): write the "
                         "name as plain text") from None
    if _ENCODED_WORD.search(text):
        raise ValueError("an encoded word (=?...?=) inside an encoded word, which a mail "
                         "program could decode again: write the name as plain text")
    return text


#: an RFC 2047 encoded word, as a lenient reader would take one (a lone "=?" is plain text)
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be put in a header at all (not cleaned: refused), or None."""
    if "\r" in value or "\n" in value:
        return "a line break in a name would break the email's headers: fix the row"
    try:
        decoded = decode_words(value)
    except ValueError as exc:
        return f"the name holds {exc}"
    if decoded != value and ("\r" in decoded or "\n" in decoded or _CONTROL.search(decoded)):
        return ("the name holds an encoded word (=?...?=) that hides a line break or a "
                "control character, which would break the email's headers: fix the row")
    return None


def clean_name(value: str) -> tuple[str, list[str]]:
    """A name safe for a header and a greeting, and what was changed (for a warning)."""
    notes = []
    decoded = decode_words(value)  # name_problem() has refused what cannot be decoded
    if decoded != value:
        notes.append("encoded word (=?...?=) decoded")
        value = decoded
    if _CONTROL.search(value):
        notes.append("control characters removed")
    value = _CONTROL.sub("", " ".join(value.split()))  # VT, FF... count as spaces first
    if len(value) > MAX_NAME:
        notes.append(f"shortened from {len(value):,} to {MAX_NAME} characters")
        cut = value[:MAX_NAME - 1]
        if " " in cut[MAX_NAME // 2:]:
            cut = cut.rsplit(" ", 1)[0]
        value = cut + "…"
    return value, notes


_NAME_COLUMNS = ("name", "first_name", "last_name")


def load_list(path: Path, root: Path) -> tuple[list[Recipient], list[Diagnostic]]:
    """The recipients of one CSV list, merged by address, and what was wrong with it."""
    table, problems = read_table(path, root, "list")
    if table is None:
        return [], problems
    display = table.display
    if not table.rows:
        return [], [Diagnostic(Location(display, 1), "", "the list is empty")]
    header_line, header = table.rows[0]
    fields = [column_name(h) for h in header]
    if "email" not in fields:
        return [], [Diagnostic(Location(display, header_line), "", "no 'email' column "
                               f"(found: {', '.join(h.strip() for h in header) or 'nothing'})"
                               ": name the column of addresses 'email'")]
    merged: dict[str, Recipient] = {}
    for line, cells in table.rows[1:]:
        row: dict[str, str] = {}
        for name, cell in zip(fields, cells, strict=False):
            row.setdefault(name, cell)  # the first of two address columns wins
        where = Location(display, line)
        raw = address_in(row.get("email", ""))
        if not raw:
            problems.append(Diagnostic(where, "email", "no address: row skipped",
                                       Severity.WARNING))
            continue
        try:
            email = normalise(raw)
        except ValueError as exc:
            problems.append(Diagnostic(where, "email", f"'{_short(raw)}' is not a valid "
                                       f"address: {exc} (row skipped)", Severity.WARNING))
            continue
        bad = [(k, why) for k in _NAME_COLUMNS if (why := name_problem(row.get(k, "")))]
        if bad:
            problems.append(Diagnostic(where, bad[0][0], bad[0][1]))
            continue
        names = {}
        for k in _NAME_COLUMNS:
            names[k], notes = clean_name(row.get(k, ""))
            for note in notes:
                problems.append(Diagnostic(where, k, f"{note} in the name", Severity.WARNING,
                                           "name-cleaned"))
        first, last, full = names["first_name"], names["last_name"], names["name"]
        name = full or clean_name(" ".join(p for p in (first, last) if p))[0]
        if not first and full:
            first = full.split()[0]  # "Amina Khan" -> "Amina"; a surname alone is not used
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


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
