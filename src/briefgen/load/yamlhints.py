"""Plain-language diagnostics for YAML that cannot be read: :func:`syntax_diagnostic` turns
PyYAML's parser jargon into a hint a campaigner can act on ("put the whole text in quotes",
"this line is indented 3 spaces; ..."). Never on the path of a file that loads cleanly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml
from yaml.events import CollectionEndEvent, ScalarEvent

from ..errors import Diagnostic, Location
from .yamlchars import at_index, describe_char, position
from .yamlevents import EventWalk, KeyPath, short_key_path

# --- syntax errors --------------------------------------------------------------------

#: one line of block YAML: indentation, list dashes, an optional simple key and its ': '
_LINE = re.compile(r"(?P<indent> *)(?P<dashes>(?:-(?:[ \t]+|$))*)"
                   r"(?:(?P<key>[^\s#'\"\[\]{},:][^#]*?|'[^'\n]*'|\"[^\"\n]*\")"
                   r":(?:[ \t]+|$))?")
_KEY_LIKE = re.compile(r"[a-z][a-z0-9_-]*")
_MISSING_SPACE = re.compile(r" *(?:-[ \t]+)*([A-Za-z_][\w-]*):(?=[^\s:/])")
_START_INDICATORS = "[{*&!@`|>%"
_TOKENS = {"<block end>": "the end of the indented block",
           "'<block mapping start>'": "a more indented 'key: value' entry",
           "'<block sequence start>'": "a more indented list item",
           "'<scalar>'": "more text", "'<stream end>'": "the end of the file",
           "'?'": "a 'key: value' entry", "'-'": "a list item ('- ')",
           "'<document start>'": "'---'", "':'": "a ':' with no key before it"}


@dataclass
class _Line:
    number: int  # 1-based
    start: int  # index of its first character in the text
    text: str
    indent: int
    dashes: str
    key: str | None
    value_col: int | None  # 0-based column where the value after 'key: ' starts

    @property
    def content_col(self) -> int:
        return self.indent + len(self.dashes)


def _line(text: str, number: int) -> _Line:
    lines = text.split("\n")
    raw = lines[number - 1] if 0 < number <= len(lines) else ""
    start = sum(len(x) + 1 for x in lines[: number - 1])
    m = _LINE.match(raw)
    assert m
    key = m.group("key")
    value_col = m.end() if key is not None and m.end() < len(raw) else None
    return _Line(number, start, raw, len(m.group("indent")), m.group("dashes"), key, value_col)


def _example(key: str | None, text: str) -> str:
    text = " ".join(text.split())
    if len(text) > 40:
        text = text[:40].rsplit(" ", 1)[0] + " ..."
    if '"' in text and "'" not in text:
        quoted = f"'{text}'"
    else:
        quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{key}: {quoted}" if key is not None else f"- {quoted}"


def _spaces(n: int) -> str:
    return f"{n} space" if n == 1 else f"{n} spaces"


class _Hint:
    """Works out one located, plain-language message for a PyYAML syntax error."""

    def __init__(self, exc: yaml.MarkedYAMLError, text: str, display: str, walk: EventWalk):
        self.exc, self.text, self.display, self.walk = exc, text, display, walk
        self.problem = exc.problem or ""
        self.context = exc.context or ""
        self.mark = exc.problem_mark or exc.context_mark
        self.line = _line(text, self.mark.line + 1) if self.mark else _line(text, 1)

    def diag(self, line: int, col: int, message: str, path: KeyPath | None = None) -> Diagnostic:
        key = short_key_path(path) if path else ""
        return Diagnostic(Location(self.display, line, col), key, message)

    def at_index(self, index: int, message: str, path: KeyPath | None = None) -> Diagnostic:
        return self.diag(*position(self.text, index), message, path)

    def path_at(self, index: int) -> KeyPath:
        """Key path of the value written at ``index``: known if the parser got that far, else
        the value it was reading when it stopped."""
        return self.walk.starts.get(index, self.walk.path())

    def make(self) -> Diagnostic:
        for attempt in (self.tab, self.quoted_scalar, self.escape, self.flow, self.colon,
                        self.block_end, self.indicator, self.dash, self.special, self.no_colon):
            found = attempt()
            if found:
                return found
        return self.fallback()

    # each attempt returns a Diagnostic, or None when the error is not its kind

    def tab(self) -> Diagnostic | None:
        if "'\\t'" not in self.problem:
            return None
        col = self.mark.column
        if self.line.text[:col].strip(" \t-"):
            return self.diag(self.line.number, col + 1, "tab character here; use spaces instead")
        return self.diag(self.line.number, col + 1,
                         "tab character in indentation; YAML needs spaces")

    def quoted_scalar(self) -> Diagnostic | None:
        if "quoted scalar" not in self.context or "escape" in self.problem:
            return None
        opening = self.exc.context_mark
        quote = self.text[opening.index]
        return self.diag(opening.line + 1, opening.column + 1,
                         f"this quote is never closed; add the closing {quote} at the end "
                         "of the text", self.path_at(opening.index))

    def escape(self) -> Diagnostic | None:
        if "double-quoted" not in self.context or "escape" not in self.problem:
            return None
        index = self.text.rfind("\\", 0, self.mark.index + 1)
        return self.at_index(index, 'a backslash (\\) in "double-quoted" text starts an escape '
                             "such as \\n; write \\\\ for a backslash, or put the text in "
                             "'single quotes' instead", self.path_at(index))

    def flow(self) -> Diagnostic | None:
        if "while parsing a flow" not in self.context:
            return None
        frame = next((f for f in reversed(self.walk.frames) if not f.block
                      and self.text[f.start.index: f.start.index + 1] in ("[", "{")), None)
        opening = frame.start if frame else self.exc.context_mark
        if self.text[opening.index: opening.index + 1] not in ("[", "{"):
            return None
        if self._starts_as_text(opening.index):
            return self._quote_hint(opening.index)
        bracket = self.text[opening.index]
        close = "]" if bracket == "[" else "}"
        path = frame.path if frame else None
        if "<stream end>" in self.problem or self.mark.line > opening.line:
            return self.diag(opening.line + 1, opening.column + 1,
                             f"this {bracket} is never closed; add the closing {close} after "
                             "the last item", path)
        return self.diag(self.line.number, self.mark.column + 1,
                         f"expected ',' or '{close}' here, inside the {bracket}...{close} that "
                         f"starts at column {opening.column + 1}; separate the items with "
                         "commas and put any item containing ': ' or quotes in quotes", path)

    def colon(self) -> Diagnostic | None:
        if "mapping values are not allowed" not in self.problem:
            return None
        line, col = self.line, self.mark.column
        if line.value_col is not None and line.value_col <= col:
            # 'statement: Note: this' or '- Note: this, and: that'
            if line.dashes and not _KEY_LIKE.fullmatch(line.key or ""):
                index = line.start + line.content_col
                return self._quote_at(index, None, self.path_at(index))
            index = line.start + line.value_col
            return self._quote_at(index, line.key, self.path_at(index))
        previous = self._previous_line()
        missing = self._missing_space(previous)
        if missing:
            return missing
        above = _line(self.text, previous) if previous else None
        key = self.walk.last_key
        if above and above.key is None and not above.dashes and (
                key is None or above.indent <= key.start_mark.column):
            return self._no_colon_at(previous, above.indent)  # 'Russia' above 'name: Russia'
        if line.key and _KEY_LIKE.fullmatch(line.key):  # 'name: x' indented like a key
            indented = self._indentation(is_dash=False)
            if indented:
                return indented
        if key is not None:  # a colon in text that continues on a later line
            key_line = _line(self.text, key.start_mark.line + 1)
            if key_line.value_col is not None:
                index = key_line.start + key_line.value_col
                return self._quote_at(index, key_line.key, self.path_at(index))
        return None

    def block_end(self) -> Diagnostic | None:
        if not self.problem.startswith(("expected <block end>", "did not find expected",
                                        "expected '<document start>'")):
            return None
        last, found = self.walk.last, self.problem.rpartition("found ")[2]
        if isinstance(last, ScalarEvent) and last.style in ("'", '"') \
                and last.end_mark.line == self.mark.line:
            opening, end = last.start_mark, last.end_mark.index
            if opening.line < self.mark.line:
                return self.diag(opening.line + 1, opening.column + 1,
                                 f"this quote is not closed on its line, so the text runs on "
                                 f"to the {last.style} on line {self.mark.line + 1}; add the "
                                 f"closing {last.style} at the end of the text",
                                 self.path_at(opening.index))
            if last.style == "'" and self.text[end - 2: end - 1].isalnum() \
                    and self.text[end: end + 1].isalnum():
                return self.at_index(end - 1, "this ' ends the quoted text early; inside "
                                 "'single quotes' write an apostrophe as '' (two single "
                                 "quotes), or put the text in \"double quotes\"",
                                 self.path_at(opening.index))
            return self.at_index(opening.index, "there is text after the closing quote; put "
                                 "all of the text inside the quotes", self.path_at(opening.index))
        closed = self.walk.last_closed
        if isinstance(last, CollectionEndEvent) and closed and not closed.block \
                and closed.start.line == self.mark.line:
            return self._quote_hint(closed.start.index)
        previous = self._previous_line()
        if self.problem.startswith("expected '<document start>'") and previous and \
                _line(self.text, previous).text.rstrip() == "...":
            return self.diag(previous, 1, "'...' on a line of its own ends the YAML document; "
                             "delete it, or indent it if it belongs to the text above")
        if self.problem.startswith("expected '<document start>'") and not self.walk.frames \
                and isinstance(self.walk.last, ScalarEvent) and self.walk.starts:
            return self.at_index(min(self.walk.starts), "this line is neither a 'key: value' "
                                 "entry nor a comment, so YAML reads the file from here on as "
                                 "one text; add the missing ': ', or a '#' before a comment")
        if found in ("']'", "'}'"):
            bracket = found[1]
            opening = "[" if bracket == "]" else "{"
            return self.diag(self.line.number, self.mark.column + 1,
                             f"this {bracket} has no matching {opening}; remove it, or put the "
                             "whole text in quotes")
        return self._indentation(is_dash=bool(self.line.dashes))

    def indicator(self) -> Diagnostic | None:
        line = self.line
        col = line.value_col if line.value_col is not None else line.content_col
        if col < len(line.text) and line.text[col] in _START_INDICATORS \
                and self.mark.column >= col:
            return self._quote_hint(line.start + col)
        return None

    def dash(self) -> Diagnostic | None:
        if "sequence entries are not allowed here" not in self.problem:
            return None
        return self.diag(self.line.number, self.mark.column + 1,
                         "a list cannot start on the same line as its key; put each '- ' item "
                         "on its own line below the key, or put the text in quotes if the '-' "
                         "is part of it")

    def special(self) -> Diagnostic | None:
        """'@', '%', '`', '*', '&', ',', '}'... where YAML gives the character a meaning."""
        scanning = ("an alias", "an anchor", "a directive", "a tag", "a block scalar")
        use_context = any(f"while scanning {x}" in self.context for x in scanning)
        mark = self.exc.context_mark if use_context else self.mark
        char = self.text[mark.index: mark.index + 1] if mark else ""
        if not char or char not in "@`%*&!|>,[]{}?:#":
            return None
        if char == ":":
            return self.diag(mark.line + 1, mark.column + 1, "this ':' has no key before it; "
                             "write the key first, e.g. name: ...")
        return self.diag(mark.line + 1, mark.column + 1,
                         f"'{char}' has a special meaning in YAML at the start of a key or a "
                         "text; delete it, or put the whole text in quotes if it belongs there")

    def no_colon(self) -> Diagnostic | None:
        if "could not find expected ':'" not in self.problem or not self.exc.context_mark:
            return None
        mark = self.exc.context_mark
        return self._missing_space(mark.line + 1) or self._no_colon_at(mark.line + 1,
                                                                        mark.column)

    def _no_colon_at(self, number: int, column: int) -> Diagnostic:
        return self.diag(number, column + 1,
                         "this line has no ': ' after its key; write it as 'key: value', or "
                         "indent it like the text above if it continues that text")

    def fallback(self) -> Diagnostic:
        problem = self.problem or "invalid YAML"
        for token, words in _TOKENS.items():
            problem = problem.replace(token, words)
        message = f"YAML syntax error: {problem}"
        if self.context:
            message += f" ({self.context})"
        message += "; check this line for a missing ': ', an unclosed quote or bracket, or " \
                   "uneven indentation"
        line, col = (self.mark.line + 1, self.mark.column + 1) if self.mark else (1, 1)
        return self.diag(line, col, message)

    # helpers

    def _starts_as_text(self, index: int) -> bool:
        """A value starting '[^' (a footnote) or '{{' (a template) is text, not a list."""
        return self.text.startswith(("[^", "{{"), index) or (
            self.text.startswith("[", index)
            and re.match(r"\[[^\]\n]*\]\(", self.text[index: index + 200]) is not None)

    def _quote_hint(self, index: int) -> Diagnostic:
        line = _line(self.text, self.text.count("\n", 0, index) + 1)
        key = line.key if line.value_col == index - line.start else None
        char = self.text[index]
        end = self.text.find("\n", index)
        example = _example(key, self.text[index: end if end >= 0 else len(self.text)])
        return self.at_index(index, f"text that starts with '{char}' must be in quotes, e.g. "
                             f"{example}", self.path_at(index))

    def _quote_at(self, index: int, key: str | None, path: KeyPath) -> Diagnostic:
        end = self.text.find("\n", self.mark.index)
        text = self.text[index: end if end >= 0 else len(self.text)]
        return self.at_index(index, "this text contains ': ' — put the whole text in quotes, "
                             f"e.g. {_example(key, text)}", path)

    def _previous_line(self) -> int:
        """Number of the last line before the error line that holds more than a comment."""
        lines = self.text[: self.line.start].split("\n")
        return next((n for n in range(len(lines), 0, -1) if lines[n - 1].strip()
                     and not lines[n - 1].lstrip().startswith("#")), 0)

    def _missing_space(self, number: int) -> Diagnostic | None:
        """'name:Russia' is one word of text to YAML, not a key and its value."""
        text = _line(self.text, number).text if number else ""
        m = _MISSING_SPACE.match(text)
        if not m or ": " in text:
            return None
        return self.diag(number, m.end(1) + 2,
                         f"put a space after the ':' in '{text.strip()}' (write "
                         f"'{m.group(1)}: ...')")

    def _indentation(self, *, is_dash: bool) -> Diagnostic | None:
        walk, line = self.walk, self.line
        here = line.indent
        near: int | None
        if is_dash:
            near = walk.last_seq_col
        else:
            near = walk.last_key.start_mark.column if walk.last_key is not None else None
        outer_frame = walk.top(is_map=not is_dash)
        outer = outer_frame.start.column if outer_frame else None
        if near is None:
            near = outer
        if near is not None and near != here:
            message = f"this line is indented {_spaces(here)}; the entries above use {near}"
            if outer is not None and outer not in (near, here):
                message += f" (or {outer} at the level further out)"
            return self.diag(line.number, here + 1, message)
        top = walk.top()
        if top is not None and top.is_map and is_dash:
            return self.diag(line.number, here + 1,
                             "this line is a list item ('- '), but the entries above are "
                             "'key: value' entries; put the list under its own key, indented "
                             "below it")
        if top is not None and not top.is_map and not is_dash:
            return self.diag(line.number, here + 1,
                             "this line is a 'key: value' entry, but the entries above are list "
                             "items ('- '); start it with '- ', or indent it under an item")
        return None


def syntax_diagnostic(exc: yaml.YAMLError, text: str, display: str,
                      walk: EventWalk) -> Diagnostic:
    """One located, plain-language diagnostic for a YAML syntax error."""
    if isinstance(exc, yaml.reader.ReaderError) and text:  # the pre-scan makes this rare
        index = max(0, min(exc.position, len(text) - 1))
        return Diagnostic(at_index(display, text, index), "",
                          f"{describe_char(text[index])} at this position; delete it")
    if not isinstance(exc, yaml.MarkedYAMLError) or not (exc.problem_mark or exc.context_mark):
        return Diagnostic(Location(display, 1, 1), "", f"YAML error: {exc}")
    try:
        return _Hint(exc, text, display, walk).make()
    except Exception:  # a hint is a guess; a failed guess must not hide the error itself
        mark = exc.problem_mark or exc.context_mark
        return Diagnostic(Location(display, mark.line + 1, mark.column + 1), "",
                          f"YAML syntax error: {exc.problem or exc.context}; check this line "
                          "for a missing ': ', an unclosed quote or bracket, or uneven "
                          "indentation")
