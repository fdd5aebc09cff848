"""YAML loading that remembers where every value came from.

PyYAML's composer gives us nodes with start marks; we build plain Python data from them
ourselves so that we can (a) keep a position for every key path, (b) refuse duplicate keys,
which PyYAML silently resolves to the last one, and (c) turn every kind of malformed input
(not UTF-8, control characters, tabs, syntax errors, files too big or too deep, alias bombs)
into a located diagnostic instead of a traceback. Keys are always the text as written
(``yes:`` is the key "yes"); values go through PyYAML's safe constructor, which runs no code.
The hints that explain syntax errors live in :mod:`.yamlhints`.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from ..errors import Diagnostic, Location, Severity, relative_path
from .yamlchars import VALUE_BAD, bad_characters, position, value_char_problem
from .yamlevents import (
    FAST_LOADER,
    MAX_DEPTH,
    MAX_VALUES,
    EventWalk,
    KeyPath,
    format_key_path,
    short_key_path,
)
from .yamlhints import syntax_diagnostic

__all__ = ["KeyPath", "YamlFile", "format_key_path", "load_yaml", "parse_yaml"]

MAX_BYTES = 5 * 1024 * 1024


@dataclass
class YamlFile:
    """A loaded YAML document: its data and the position of every value and key in it."""

    path: Path
    display: str
    data: Any = None
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    #: start and end index in ``raw_text`` of every value's source (quotes, '|' included)
    spans: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    raw_text: str = ""
    #: the file could not be read or parsed; its own error says why, nothing else is checked
    failed: bool = False
    #: sha256 (16 hex digits, as ``incremental.index.hash_files``) of the bytes read, when
    #: read from a file: what the index must record, even if the file changed since it was
    #: hashed for this run
    digest: str = ""

    def location(self, path: KeyPath = (), *, key: bool = False) -> Location:
        """Best position for ``path``: the node itself, else its nearest located ancestor."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.display, line, col)
            if key and probe in self.values:
                line, col = self.values[probe]
                return Location(self.display, line, col)
            if not probe:
                return Location(self.display, 1, 1)
            probe = probe[:-1]

    def diag(self, path: KeyPath, message: str, *, key: bool = False,
             severity: Severity = Severity.ERROR) -> Diagnostic:
        return Diagnostic(self.location(path, key=key), format_key_path(path), message, severity)

    def locate(self, path: KeyPath, needle: str, *, occurrence: int = 0) -> Location:
        """Where ``needle`` is written inside the value at ``path`` (its ``occurrence``-th
        appearance there), even when a folded ``>-`` or plain value spreads it over several
        lines. When the source does not hold it (it was written with escapes), the needle's
        first word; else the value's own location."""
        span = self.spans.get(tuple(path))
        words = needle.split()
        if span and words:
            flexible = r"\s+".join(map(re.escape, words))  # a space may be a folded line break
            for pattern in (re.escape(needle), flexible, re.escape(words[0])):
                matches = re.compile(pattern).finditer(self.raw_text, *span)
                found = next(itertools.islice(matches, occurrence, None), None)
                if found:
                    return Location(self.display, *position(self.raw_text, found.start()))
        return self.location(path)

    def diag_at(self, path: KeyPath, needle: str, message: str,
                severity: Severity = Severity.ERROR) -> Diagnostic:
        """A diagnostic at ``needle`` inside the value at ``path`` (see :meth:`locate`)."""
        return Diagnostic(self.locate(path, needle), format_key_path(path), message, severity)


_TAG = "tag:yaml.org,2002:"
_STR, _TIMESTAMP = _TAG + "str", _TAG + "timestamp"
#: scalar types a value may have; anything else ('!!binary', '!foo', '!!python/...') is refused
_SCALAR_KINDS = {_TAG + "int": "a whole number", _TAG + "float": "a number",
                 _TAG + "bool": "true or false", _TAG + "null": "empty", _TIMESTAMP: "a date"}
_COLLECTION_TAGS = {SequenceNode: _TAG + "seq", MappingNode: _TAG + "map"}
#: how a number is written in a briefing: plain decimal. YAML 1.1 also reads 02021 as octal
#: (1041), 0x7E5 as hexadecimal, 12:30 as base 60 (750) and 1_000 as 1000: such a value is
#: kept as the text written, so that a year or a time of day never prints as another number
_DECIMAL = {_TAG + "int": re.compile(r"[-+]?(?:0|[1-9][0-9]*)"),
            _TAG + "float": re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|"
                                       r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")}


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


class _Refused(Exception):
    """The file is refused as a whole (too deep, too many values through aliases)."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


class _Builder:
    def __init__(self, file: YamlFile, errors: list[Diagnostic]):
        self.file = file
        self.errors = errors
        self.constructor = SafeConstructor()
        self.count = 0  # values and keys built so far, counting each alias expansion again
        self.limit = MAX_VALUES

    def build(self, node: Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > self.limit:
            self._too_many()
        self.file.values[path] = _mark(node)
        self.file.spans[path] = (node.start_mark.index, node.end_mark.index)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if len(path) >= MAX_DEPTH:
            self._refuse(node, path, f"nested more than {MAX_DEPTH} levels deep")
        if node.tag != _COLLECTION_TAGS.get(type(node)):
            self.errors.append(self._tag_error(node, path))
        if isinstance(node, SequenceNode):
            if node.flow_style and self.file.raw_text.startswith("[^", node.start_mark.index):
                self.errors.append(self._quote_error(node, path, "["))  # a: [^source]
                return self._source(node)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        if node.flow_style and self.file.raw_text.startswith("{{", node.start_mark.index):
            self.errors.append(self._quote_error(node, path, "{"))  # lead: {{ fact('x') }}
            return self._source(node)
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        self.count += len(node.value)
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self.errors.append(self.file.diag(path, "'<<' merge keys are not supported"))
                continue
            if not isinstance(key_node, ScalarNode):
                line, col = _mark(key_node)
                self.errors.append(Diagnostic(Location(self.file.display, line, col),
                                              format_key_path(path),
                                              "a key must be plain text"))
                continue
            key = key_node.value  # the text as written: 'yes', '2026-01-01', '!!int abc' -> 'abc'
            child = (*path, key)
            if key_node.style == '"':
                self._check_chars(key_node, path, key)
            if key in result:
                line, col = _mark(key_node)
                self.errors.append(Diagnostic(
                    Location(self.file.display, line, col), format_key_path(child),
                    f"duplicate key '{key}' (first given on line {first_seen[key]})"))
                continue
            self.file.keys[child] = _mark(key_node)
            first_seen[key] = _mark(key_node)[0]
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        tag = node.tag
        if tag == _STR:
            if node.style == '"':  # only double-quoted text has escapes
                self._check_chars(node, path, node.value)
            return node.value
        if tag in _SCALAR_KINDS:
            try:
                value = self.constructor.construct_object(node)
                if tag in _DECIMAL and node.style in (None, "") and \
                        not _DECIMAL[tag].fullmatch(node.value) and \
                        _RESOLVER.resolve(ScalarNode, node.value, (True, False)) == tag:
                    return node.value  # written as YAML 1.1 reads another number
                return value
            except Exception:  # ValueError, KeyError, IndexError...: all mean "not a number"
                if tag == _TIMESTAMP:  # 2021-13-45: the schema reports it as a bad date
                    return node.value
                self.errors.append(self.file.diag(path, self._kind_message(node)))
                return node.value
        if node.style in (None, "") and node.value in ("=", "<<"):
            return node.value  # YAML 1.1 reads a plain '=' or '<<' as a special value
        self.errors.append(self._tag_error(node, path))
        return node.value

    def _kind_message(self, node: ScalarNode) -> str:
        implicit = node.style in (None, "") and \
            _RESOLVER.resolve(ScalarNode, node.value, (True, False)) == node.tag
        what = _SCALAR_KINDS[node.tag]
        if implicit:
            return f"'{node.value}' looks like {what} but is not; put it in quotes if it is text"
        short = _short_tag(node.tag)
        return f"'{node.value}' is marked '{short}' but is not {what}; remove '{short}' or " \
               "correct the value"

    def _tag_error(self, node: Node, path: KeyPath) -> Diagnostic:
        short = _short_tag(node.tag)
        if not node.tag.startswith(("!", _TAG)) or short.startswith("!!"):
            return self.file.diag(path, f"the YAML tag '{short}' is not supported; remove it")
        return self._quote_error(node, path, short,
                                 f"'{short}' is read as a YAML tag; if it is part of the text, "
                                 "put the whole text in quotes")

    def _source(self, node: Node) -> str:
        """The text as written, for a value YAML read as a list or mapping by mistake."""
        return " ".join(self.file.raw_text[node.start_mark.index: node.end_mark.index].split())

    def _quote_error(self, node: Node, path: KeyPath, start: str,
                     message: str | None = None) -> Diagnostic:
        text = self._source(node)
        if len(text) > 40:
            text = text[:40].rsplit(" ", 1)[0] + " ..."
        text = text.replace("\\", "\\\\").replace('"', '\\"')
        example = f'{path[-1]}: "{text}"' if path and isinstance(path[-1], str) else f'- "{text}"'
        message = message or f"text that starts with '{start}' must be in quotes"
        return self.file.diag(path, f"{message}, e.g. {example}")

    def _check_chars(self, node: ScalarNode, path: KeyPath, value: str) -> None:
        """Escapes in "double-quoted" text can write what the file itself may not hold."""
        start = node.start_mark.index
        for bad in list(VALUE_BAD.finditer(value))[:5]:
            low, before = bad.group(), value[bad.start() - 1: bad.start()]
            if "\udc00" <= low <= "\udfff" and "\ud800" <= before <= "\udbff":
                continue  # the second half of a surrogate pair, reported with the first
            where, message = value_char_problem(value, bad.start(), self.file.raw_text,
                                                start, node.end_mark.index)
            location = Location(self.file.display, *position(self.file.raw_text, where)) \
                if where >= 0 else Location(self.file.display, *_mark(node))
            self.errors.append(Diagnostic(location, format_key_path(path), message))
            start = max(start, where + 1)

    def _too_many(self) -> None:
        walk = EventWalk(self.file.raw_text).run()  # finds the alias that expands too far
        if walk.finding:
            raise _Refused(walk.diagnostic(self.file.display))
        self.limit = math.inf  # a big file without aliases: the 5 MB limit bounds it

    def _refuse(self, node: Node, path: KeyPath, message: str) -> None:
        walk = EventWalk(self.file.raw_text).run()  # finds the alias or the line to edit
        if walk.finding:
            raise _Refused(walk.diagnostic(self.file.display))
        raise _Refused(Diagnostic(Location(self.file.display, *_mark(node)),
                                  short_key_path(path), message + " (through YAML aliases '*')"))


_RESOLVER = Resolver()


def _decode(raw: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is harmless: drop it
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Diagnostic(Location(display, 1, 1), "",
                                 "file is UTF-16 encoded; save it as UTF-8")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1: exc.start]
        col = len(before.decode("utf-8", errors="replace")) + 1  # characters, not bytes
        return None, [Diagnostic(Location(display, line, col), "",
                                 f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                 "save it as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


@functools.cache
def _libyaml_limits_depth() -> bool:
    """libyaml >= 0.2.5 refuses input nested over 1,000 levels, which bounds the recursion of
    the composer; without that limit, deep input must be measured before composing."""
    try:
        yaml.compose("[" * 1001 + "]" * 1001, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return True
    except RecursionError:  # pragma: no cover - the pure-Python composer
        pass
    return False  # pragma: no cover


def _compose(text: str, display: str) -> list[Node] | Diagnostic:
    """libyaml composes the same nodes, with the same marks, about ten times faster than the
    pure-Python composer; syntax errors are explained from the pure-Python one's wording."""
    if not _libyaml_limits_depth():  # pragma: no cover
        walk = EventWalk(text).run()
        if walk.finding:
            return walk.diagnostic(display)
    try:
        return list(yaml.compose_all(text, Loader=FAST_LOADER))
    except yaml.YAMLError as exc:
        fast_error = exc
    walk = EventWalk(text, yaml.SafeLoader).run()  # the events up to the error, no recursion
    if walk.finding:  # e.g. 5,000 '[': deeper than the pure-Python composer could recurse
        return walk.diagnostic(display)
    try:
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader))  # libyaml is stricter
    except yaml.YAMLError as exc:
        return syntax_diagnostic(exc, text, display, walk)
    except RecursionError:  # pragma: no cover - the walk measured the depth already
        return syntax_diagnostic(fast_error, text, display, walk)


def parse_yaml(text: str, path: Path, display: str) -> tuple[YamlFile, list[Diagnostic]]:
    """Parse YAML text (already decoded) into a :class:`YamlFile` and its diagnostics."""
    file = YamlFile(path=path, display=display, raw_text=text)
    nodes, refused = _read(text, display)
    if refused:
        file.failed = True
        return file, refused
    errors: list[Diagnostic] = []
    if nodes:
        try:
            file.data = _Builder(file, errors).build(nodes[0], ())
        except _Refused as exc:
            file.failed, file.data = True, None
            file.values.clear()
            file.keys.clear()
            file.spans.clear()
            return file, [exc.diagnostic]
    return file, errors


def _read(text: str, display: str) -> tuple[list[Node], list[Diagnostic]]:
    """The document's nodes, or why the whole file cannot be read."""
    refused = bad_characters(text, display)  # a regex: cheap on clean text
    if refused:
        return [], refused
    nodes = _compose(text, display)
    if isinstance(nodes, Diagnostic):
        return [], [nodes]
    if len(nodes) > 1:
        line, col = _mark(nodes[1])
        return [], [Diagnostic(Location(display, line, col), "",
                               "a file holds one YAML document; remove the extra '---'")]
    return nodes, []


def _size(nbytes: int) -> str:
    megabytes = round(nbytes / 2**20, 1)
    return f"{megabytes:.1f} MB" if megabytes * 2**20 > MAX_BYTES else "just over 5 MB"


def load_yaml(path: Path, root: Path) -> tuple[YamlFile, list[Diagnostic]]:
    """Read and parse one YAML file; never raises for bad content."""
    display = relative_path(path, root)
    real, home = os.path.realpath(path), os.path.realpath(root)
    if real != home and not real.startswith(home + os.sep):  # a link out of the project
        shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else display
        return YamlFile(path=path, display=shown, failed=True), [
            Diagnostic(Location(shown), "", f"this is a link to {real}, outside the project: "
                       "briefgen reads only the project's own files (put the file itself "
                       "here instead of a link)")]
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_BYTES else b""
    except OSError as exc:
        return YamlFile(path=path, display=display, failed=True), [
            Diagnostic(Location(display), "", f"cannot read file: {exc.strerror}")]
    if max(size, len(raw)) > MAX_BYTES:
        return YamlFile(path=path, display=display, failed=True), [
            Diagnostic(Location(display, 1, 1), "",
                       f"file is {_size(max(size, len(raw)))}; briefgen reads YAML files up to "
                       f"{MAX_BYTES // 2**20} MB")]
    digest = hashlib.sha256(raw).hexdigest()[:16]
    text, errors = _decode(raw, display)
    if text is None:
        return YamlFile(path=path, display=display, failed=True, digest=digest), errors
    file, errors = parse_yaml(text, path, display)
    file.digest = digest
    return file, errors
