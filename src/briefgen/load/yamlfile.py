"""YAML loading that remembers where every value came from.

PyYAML's composer gives us nodes with start marks; we build plain Python data from them
ourselves so that we can (a) keep a position for every key path, (b) refuse duplicate keys,
which PyYAML silently resolves to the last one, and (c) turn every kind of malformed input
(not UTF-8, tabs, syntax errors) into a located diagnostic instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Diagnostic, Location, Severity, relative_path

KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """``("facts", 1, "sources", 0)`` -> ``facts[1].sources[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class YamlFile:
    """A loaded YAML document: its data and the position of every value and key in it."""

    path: Path
    display: str
    data: Any = None
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    raw_text: str = ""
    #: the file could not be read or parsed; its own error says why, nothing else is checked
    failed: bool = False

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


class _ScalarConstructor(SafeConstructor):
    """SafeConstructor used only for single scalar nodes (ints, bools, dates, strings)."""


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, file: YamlFile, errors: list[Diagnostic]):
        self.file = file
        self.errors = errors
        self.constructor = _ScalarConstructor()

    def build(self, node: Node, path: KeyPath) -> Any:
        self.file.values[path] = _mark(node)
        if isinstance(node, ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except (ConstructorError, ValueError) as exc:
                # e.g. 2021-13-45 matches the timestamp pattern but is no date: keep the
                # text so the schema layer reports it as a bad date at this position.
                if node.tag.endswith(":timestamp"):
                    return node.value
                self.errors.append(self.file.diag(path, f"cannot read value: {exc}"))
                return node.value
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            first_seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.errors.append(self.file.diag(path, "'<<' merge keys are not supported"))
                    continue
                if not isinstance(key_node, ScalarNode):
                    line, col = _mark(key_node)
                    self.errors.append(Diagnostic(Location(self.file.display, line, col),
                                                  format_key_path(path),
                                                  "a key must be plain text"))
                    continue
                key = str(self.constructor.construct_object(key_node))
                child = (*path, key)
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
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover


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
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic(Location(display, line, col), "",
                                 f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                                 "save it as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def _syntax_error(exc: yaml.MarkedYAMLError, display: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    if "'\\t'" in problem:
        message = "tab character in indentation; YAML needs spaces"
    else:
        message = f"YAML syntax error: {problem}"
        if exc.context:
            message += f" ({exc.context})"
    return Diagnostic(Location(display, line, col), "", message)


# libyaml composes the same nodes, with the same marks, about ten times faster than the
# pure-Python composer; errors are reported from the pure-Python one, whose wording we test.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> list[yaml.Node]:
    try:
        return list(yaml.compose_all(text, Loader=_FAST_LOADER))
    except yaml.YAMLError:
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader))  # raises, with our wording


def parse_yaml(text: str, path: Path, display: str) -> tuple[YamlFile, list[Diagnostic]]:
    """Parse YAML text (already decoded) into a :class:`YamlFile` and its diagnostics."""
    file = YamlFile(path=path, display=display, raw_text=text)
    try:
        nodes = _compose(text)
    except yaml.MarkedYAMLError as exc:
        file.failed = True
        return file, [_syntax_error(exc, display)]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        file.failed = True
        return file, [Diagnostic(Location(display, 1, 1), "", f"YAML error: {exc}")]
    if len(nodes) > 1:
        file.failed = True
        line, col = _mark(nodes[1])
        return file, [Diagnostic(Location(display, line, col), "",
                                 "a file holds one YAML document; remove the extra '---'")]
    errors: list[Diagnostic] = []
    if nodes:
        file.data = _Builder(file, errors).build(nodes[0], ())
    return file, errors


def load_yaml(path: Path, root: Path) -> tuple[YamlFile, list[Diagnostic]]:
    """Read and parse one YAML file; never raises for bad content."""
    display = relative_path(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return YamlFile(path=path, display=display, failed=True), [
            Diagnostic(Location(display), "", f"cannot read file: {exc.strerror}")]
    text, errors = _decode(raw, display)
    if text is None:
        return YamlFile(path=path, display=display, failed=True), errors
    return parse_yaml(text, path, display)
