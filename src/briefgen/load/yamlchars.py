"""Characters YAML refuses, or that have no place in a briefing's text (control characters,
lone surrogates), named and located for a person to delete."""

from __future__ import annotations

import re

from ..errors import Diagnostic, Location

# --- characters -----------------------------------------------------------------------

# names of the control characters (Unicode gives them none, only aliases)
_C0 = ["NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION",
       "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED",
       "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
       "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
       "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
       "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
       "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
       "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE"]
_C1 = ["PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE",
       "INDEX", "NEXT LINE", "START OF SELECTED AREA", "END OF SELECTED AREA",
       "CHARACTER TABULATION SET", "CHARACTER TABULATION WITH JUSTIFICATION",
       "LINE TABULATION SET", "PARTIAL LINE FORWARD", "PARTIAL LINE BACKWARD",
       "REVERSE LINE FEED", "SINGLE SHIFT TWO", "SINGLE SHIFT THREE", "DEVICE CONTROL STRING",
       "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE", "CANCEL CHARACTER",
       "MESSAGE WAITING", "START OF GUARDED AREA", "END OF GUARDED AREA", "START OF STRING",
       "SINGLE GRAPHIC CHARACTER INTRODUCER", "SINGLE CHARACTER INTRODUCER",
       "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND",
       "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND"]
_OTHER = {0x7F: "DELETE", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR"}

#: everything YAML's reader refuses, plus NEL and U+2028/9, which it would silently take as
#: line breaks (so every line number after them would be off by one)
RAW_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
#: the same inside a value that escapes produced (only "double-quoted" text has escapes);
#: tab and line feed are fine there, a carriage return is not
VALUE_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_NAMED_ESCAPES = {0: "0", 7: "a", 8: "b", 0xB: "v", 0xC: "f", 0xD: "r", 0x1B: "e", 0x85: "N",
                  0x2028: "L", 0x2029: "P"}


def describe_char(ch: str) -> str:
    """``control character U+0007 (BELL)``, ``invalid character (a lone UTF-16 ...)``."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return f"invalid character (a lone UTF-16 surrogate U+{code:04X})"
    if code in (0xFFFE, 0xFFFF):
        return f"invalid character U+{code:04X} (not a character)"
    if code < 0x20:
        return f"control character U+{code:04X} ({_C0[code]})"
    if 0x80 <= code <= 0x9F:
        return f"control character U+{code:04X} ({_C1[code - 0x80]})"
    kind = "control" if code == 0x7F else "invisible"
    return f"{kind} character U+{code:04X} ({_OTHER.get(code, 'unnamed')})"


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def at_index(display: str, text: str, index: int) -> Location:
    return Location(display, *position(text, index))


def bad_characters(text: str, display: str, limit: int = 10) -> list[Diagnostic]:
    """One diagnostic per character YAML cannot read (the first ``limit`` of them)."""
    found = list(RAW_BAD.finditer(text))
    out = [Diagnostic(at_index(display, text, m.start()), "",
                      f"{describe_char(m.group())} at this position; delete it")
           for m in found[:limit]]
    if len(found) > limit:
        out.append(Diagnostic(at_index(display, text, found[limit].start()), "",
                              f"{len(found) - limit} more characters like these from here on; "
                              "delete them too"))
    return out


def _escape_pattern(code: int) -> re.Pattern[str]:
    def hexes(width: int) -> str:
        return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in f"{code:0{width}x}")
    forms = [f"u{hexes(4)}", f"U{hexes(8)}"] + ([f"x{hexes(2)}"] if code < 0x100 else [])
    if code in _NAMED_ESCAPES:
        forms.append(_NAMED_ESCAPES[code])
    return re.compile(r"\\(?:" + "|".join(forms) + ")")


def value_char_problem(value: str, index: int, source: str, start: int, end: int
                       ) -> tuple[int, str]:
    """Where (an index into ``source``, -1 if unknown) and what to say about the bad
    character ``value[index]`` of a double-quoted value written at ``source[start:end]``."""
    code = ord(value[index])
    low = ord(value[index + 1]) if index + 1 < len(value) else 0
    found = _escape_pattern(code).search(source, start, end)
    where = found.start() if found else -1
    if 0xD800 <= code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
        char = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        return where, (f"contains a UTF-16 surrogate pair (\\u{code:04x}\\u{low:04x}); write "
                       f"the character itself ({chr(char)}) or the one escape \\U{char:08X}")
    if 0xD800 <= code <= 0xDFFF:
        return where, f"contains an {describe_char(value[index])}; remove the \\u escape"
    written = f", written as {found.group()}" if found else ""
    return where, f"contains {describe_char(value[index])}{written}; delete it"
