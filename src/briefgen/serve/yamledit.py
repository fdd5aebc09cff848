"""Editing a YAML file's text in place, so that a form changes only what it changed.

A round-trip library (ruamel.yaml) keeps comments and key order but writes the whole file
again, and in doing so it rewraps what nobody touched: the shipped
``military-cooperation.yaml`` comes back with its two-line list of countries on one line.
Here, the text is edited instead: the file is parsed by briefgen's own loader, which knows
where every key and value is written, and each change replaces exactly the characters of
the value it changes (or inserts or removes exactly the lines of one key or one list item).
Everything else, comments, blank lines, quoting, line breaks, stays byte for byte.

Every edit is checked: the new text is parsed again and must hold exactly the data that
was meant (the old data with the change applied). If a file is laid out in a way these
edits do not handle (a flow mapping, a key sharing a line with another), the one mapping
being edited is written out again as a whole; if even that does not give the meant data,
:class:`EditError` says so and nothing is written.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..load.yamlfile import KeyPath, YamlFile, parse_yaml

#: a value that means "remove this key"
REMOVE = object()
#: lines of folded text (``>-``) are wrapped at this column
WIDTH = 92


class EditError(Exception):
    """The edit cannot be made safely; the message says what to do instead."""


# ---------------------------------------------------------------------- emitting values
def scalar(value: Any) -> str:
    """One value on one line, quoted only when YAML needs it."""
    if isinstance(value, str) and (not value.isprintable() or "\n" in value):
        out = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9)
    else:
        out = yaml.safe_dump(value, allow_unicode=True, width=10**9, default_flow_style=True)
    out = out.removesuffix("\n...\n").removesuffix("\n")
    if "\n" in out:  # pragma: no cover - the width and the double quotes prevent it
        raise EditError("a value could not be written on one line")
    return out


def flow_list(values: Sequence[Any]) -> str:
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def folded(text: str, indent: int, width: int = WIDTH) -> str | None:
    """``>-`` and the text wrapped at ``width``, or None when folding would change it."""
    if not text or text != text.strip() or "  " in text or any(c in text for c in "\n\t\r"):
        return None
    lines = textwrap.wrap(text, width=max(30, width - indent), break_long_words=False,
                          break_on_hyphens=False)
    if " ".join(lines) != text:
        return None
    return ">-\n" + "\n".join(" " * indent + line for line in lines)


def _value_text(value: Any, indent: int, *, multiline: bool = False,
                block_list: bool = False) -> str:
    """A value as it follows ``key:`` (with its space) or ``- ``; ``indent`` is the column
    of whatever goes on lines of its own (list items, folded lines)."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "\n" + "\n".join(" " * indent + "- " + "\n".join(mapping_lines(v, indent + 2))
                                 for v in value)
    if isinstance(value, list):
        if block_list and value and not any(isinstance(v, (dict, list)) for v in value):
            return "\n" + "\n".join(" " * indent + "- " + scalar(v) for v in value)
        return " " + flow_list(value)
    if isinstance(value, str) and multiline:
        return " " + (folded(value, indent) or scalar(value))
    return " " + scalar(value)


def mapping_lines(mapping: dict[str, Any], indent: int) -> list[str]:
    """A block mapping's lines, each key at ``indent`` columns (without the indentation of
    the first line, which may follow a ``- ``)."""
    lines = []
    for key, value in mapping.items():
        text = _value_text(value, indent + 2)
        lines.append(f"{' ' * indent if lines else ''}{scalar(key)}:{text}")
    return lines


# ---------------------------------------------------------------------- the document
class Doc:
    """A YAML text with the position of every key and value, and edits to it."""

    def __init__(self, text: str, display: str = "file.yaml"):
        self.text = text
        self.display = display
        file, errors = parse_yaml(text, Path(display), display)
        if file.failed:
            raise EditError(f"{display} cannot be read as YAML ({errors[0].message}); fix it "
                            "in a text editor first")
        self.file: YamlFile = file
        self.data = file.data
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self.edits: list[tuple[int, int, str]] = []

    # .................................................................. positions
    def index(self, line: int, column: int) -> int:
        return self.lines[line - 1] + column - 1

    def line_start(self, i: int) -> int:
        return self.lines[bisect.bisect_right(self.lines, i) - 1]

    def next_line(self, i: int) -> int:
        """The start of the line after the one holding ``i`` (the end of the text if none)."""
        found = self.text.find("\n", i)
        return len(self.text) if found < 0 else found + 1

    def get(self, path: KeyPath) -> Any:
        node = self.data
        for part in path:
            node = node[part]
        return node

    def has(self, path: KeyPath) -> bool:
        try:
            self.get(path)
        except (KeyError, IndexError, TypeError):
            return False
        return tuple(path) in self.file.spans

    def start(self, path: KeyPath) -> int:
        return self.file.spans[tuple(path)][0]

    def is_flow(self, path: KeyPath) -> bool:
        return self.text[self.start(path)] in "[{"

    def end(self, path: KeyPath) -> int:
        """Where the value at ``path`` ends: its last character, without the blank lines and
        comments a block collection's span runs on into."""
        path = tuple(path)
        value = self.get(path)
        if not self.is_flow(path):
            if isinstance(value, dict) and value:
                return self.end((*path, list(value)[-1]))
            if isinstance(value, list) and value:
                return self.end((*path, len(value) - 1))
        start, stop = self.file.spans[path]
        return start + len(self.text[start:stop].rstrip())

    def key_index(self, path: KeyPath) -> int:
        line, column = self.file.keys[tuple(path)]
        return self.index(line, column)

    def own_line(self, i: int) -> bool:
        """Nothing but indentation before ``i`` on its line."""
        return not self.text[self.line_start(i):i].strip()

    def multiline(self, path: KeyPath) -> bool:
        start = self.start(path)
        return "\n" in self.text[start:self.end(path)] or self.text[start] in "|>"

    # .................................................................. edits
    def replace(self, start: int, end: int, text: str) -> None:
        self.edits.append((start, end, text))

    def result(self) -> str:
        text = self.text
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:start] + new + text[end:]
        return text


# ---------------------------------------------------------------------- operations
def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


def _set_key(doc: Doc, path: KeyPath, key: str, value: Any, order: list[str]) -> None:
    mapping = doc.get(path)
    child = (*path, key)
    if value is REMOVE:
        if key not in mapping:
            return
        at = doc.key_index(child)
        if not doc.own_line(at):
            raise EditError("key shares its line")
        doc.replace(doc.line_start(at), doc.next_line(doc.end(child)), "")
        return
    if key in mapping:
        if _same(mapping[key], value):
            return
        at = doc.key_index(child)
        colon = doc.text.index(":", at)  # ids never hold a colon
        if isinstance(value, list) and mapping[key] and not doc.is_flow(child):
            start = doc.start(child)  # a block list: '- a' lines at the first dash's column
            text = _value_text(value, start - doc.line_start(start), block_list=True)
        else:
            text = _value_text(value, at - doc.line_start(at) + 2,
                               multiline=doc.multiline(child))
        doc.replace(colon + 1, doc.end(child), text)
        return
    if not mapping:
        raise EditError("empty mapping")
    keys = list(mapping)
    column = doc.key_index((*path, keys[0])) - doc.line_start(doc.key_index((*path, keys[0])))
    before = [k for k in order[:order.index(key)] if k in mapping] if key in order else []
    after = before[-1] if before else keys[-1]
    if not doc.own_line(doc.key_index((*path, keys[-1]))) and len(keys) > 1:
        raise EditError("keys share a line")
    at = doc.next_line(doc.end((*path, after)))
    prefix = "" if doc.text[:at].endswith("\n") or not at else "\n"
    line = f"{' ' * column}{scalar(key)}:{_value_text(value, column + 2)}\n"
    doc.replace(at, at, prefix + line)


def _check_mapping(doc: Doc, path: KeyPath) -> None:
    if not doc.has(path) or not isinstance(doc.get(path), dict):
        raise EditError(f"no mapping at {path}")
    if doc.get(path) and doc.is_flow(path):
        raise EditError("a flow mapping")


def update_mapping(text: str, path: KeyPath, values: dict[str, Any], *,
                   order: Sequence[str] = (), defaults: dict[str, Any] | None = None,
                   display: str = "file.yaml") -> str:
    """Set (or, with :data:`REMOVE`, remove) keys of the mapping at ``path``. A value equal
    to the one written is left alone, as is a missing key given its default. New keys go
    after the key before them in ``order``."""
    doc = Doc(text, display)
    expected = copy.deepcopy(doc.data)
    target = _resolve(expected, path, display)
    empty = target is None  # 'broken-src:' or an empty file: filled in as a new mapping
    if empty:
        target = {}
    elif not isinstance(target, dict):
        raise EditError(_not_a_mapping(doc, path, target))
    defaults = defaults or {}
    changes = {}
    for key, value in values.items():
        if value is REMOVE:
            if key in target:
                changes[key] = value
                del target[key]
        elif key in target:
            if not _same(target[key], value):
                changes[key] = value
                target[key] = value
        elif not (key in defaults and _same(defaults[key], value)):
            changes[key] = value
            target[key] = value
    if not changes:
        return text
    if empty:
        return _fill_empty(doc, tuple(path), target, expected, display)
    try:
        _check_mapping(doc, path)
        for key, value in changes.items():
            _set_key(doc, tuple(path), key, value, list(order))
        return _verified(doc.result(), expected, display)
    except EditError:
        return _rewrite_mapping(Doc(text, display), tuple(path), target, expected, display)


def set_item(text: str, path: KeyPath, value: Any, *, display: str = "file.yaml") -> str:
    """Replace the scalar at ``path`` (a list item or a mapping value)."""
    if isinstance(path[-1], str):
        return update_mapping(text, path[:-1], {path[-1]: value}, display=display)
    doc = Doc(text, display)
    expected = copy.deepcopy(doc.data)
    parent = _resolve(expected, path[:-1], display)
    if not isinstance(parent, list) or not -len(parent) <= path[-1] < len(parent):
        raise EditError(_not_a_mapping(doc, path[:-1], parent, "list"))
    if _same(parent[path[-1]], value):
        return text
    parent[path[-1]] = value
    if isinstance(doc.get(path), (dict, list)):
        raise EditError("not a single value")
    start = doc.start(path)
    column = start - doc.line_start(start)
    text = _value_text(value, column if isinstance(path[-1], int) else column + 2,
                       multiline=doc.multiline(path))
    doc.replace(start, doc.end(path), text[1:])
    return _verified(doc.result(), expected, display)


def append_item(text: str, path: KeyPath, item: dict[str, Any], *,
                display: str = "file.yaml") -> str:
    """Add a mapping at the end of the block list at ``path`` (e.g. a new fact), laid out
    like the items before it. A missing or empty list is written as a block list."""
    doc = Doc(text, display)
    expected = copy.deepcopy(doc.data)
    parent = _resolve(expected, path[:-1], display)
    if parent is None:  # an empty file or entry: it gets the list
        return update_mapping(text, path[:-1], {path[-1]: [item]}, display=display)
    if not isinstance(parent, dict):
        raise EditError(_not_a_mapping(doc, path[:-1], parent))
    items = doc.get(path) if doc.has(path) else None
    if items is None:
        return update_mapping(text, path[:-1], {path[-1]: [item]}, display=display)
    if not items and isinstance(items, list):  # 'facts: []'
        parent[path[-1]] = [item]
        at = doc.key_index(path)
        colon = doc.text.index(":", at)
        doc.replace(colon + 1, doc.end(path), _value_text([item], at - doc.line_start(at) + 2))
        return _verified(doc.result(), expected, display)
    if not isinstance(items, list):
        raise EditError(_not_a_mapping(doc, path, items, "list"))
    if doc.is_flow(path):
        raise EditError("the list is written in [brackets]; add the item in a text editor")
    _resolve(expected, path).append(item)
    last = (*path, len(items) - 1)
    first = doc.start((*path, 0))
    dash = doc.text.rfind("-", doc.line_start(first), first)
    if dash < 0 or doc.text[dash + 1:first].strip():
        raise EditError("unusual list layout")
    dash_col = dash - doc.line_start(dash)
    item_col = first - doc.line_start(first)
    gap = ""
    if len(items) > 1:  # items separated by blank lines get one too
        between = doc.text[doc.end((*path, 0)):doc.start((*path, 1))]
        gap = "\n" if between.count("\n") > 1 else ""
    elif doc.text[doc.end(last):].startswith("\n\n"):
        gap = "\n"
    at = doc.next_line(doc.end(last))
    prefix = "" if doc.text[:at].endswith("\n") else "\n"
    body = " " * dash_col + "-" + " " * (item_col - dash_col - 1) + \
        "\n".join(mapping_lines(item, item_col)) + "\n"
    doc.replace(at, at, prefix + gap + body)
    return _verified(doc.result(), expected, display)


def add_entry(text: str, key: str, value: dict[str, Any], *, display: str = "file.yaml") -> str:
    """Add ``key: {...}`` at the end of a file that is one block mapping (a sources file)."""
    doc = Doc(text, display) if text.strip() else None
    data = doc.data if doc is not None else None
    if data is not None and not isinstance(data, dict):
        raise EditError(f"{display} is not a mapping of ids")
    expected = copy.deepcopy(data) if data else {}
    if key in expected:
        raise EditError(f"'{key}' is already in {display}")
    expected[key] = value
    indent, gap = 2, ""
    if data:
        first = next(iter(data))
        if isinstance(data[first], dict) and data[first] and not doc.is_flow((first,)):
            child = doc.key_index((first, next(iter(data[first]))))
            indent = child - doc.line_start(child)
        if len(data) > 1:
            second = list(data)[1]
            between = doc.text[doc.end((first,)):doc.key_index((second,))]
            gap = "\n" if between.count("\n") > 1 else ""
    base = text if not text or text.endswith("\n") else text + "\n"
    block = f"{scalar(key)}:\n" + " " * indent + "\n".join(mapping_lines(value, indent)) + "\n"
    return _verified(base + gap + block, expected, display)


# ---------------------------------------------------------------------- helpers
def _resolve(data: Any, path: KeyPath, display: str = "file.yaml") -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            raise EditError(f"{display} no longer has {_where(path)}; it was changed in "
                            "another editor. Open the form again") from None
    return data


def _where(path: KeyPath) -> str:
    if not path:
        return "its top level"
    return "'" + "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p))
                         for i, p in enumerate(path)) + "'"


KINDS = {dict: "a mapping (keys with values)", list: "a list", str: "a text"}


def _not_a_mapping(doc: Doc, path: KeyPath, value: Any, wanted: str = "mapping") -> str:
    """Why the form cannot edit the value at ``path``, with the file and line."""
    kind = KINDS.get(type(value), f"a single value ({value!r})")
    where = doc.display
    if tuple(path) in doc.file.spans:
        where += f":{bisect.bisect_right(doc.lines, doc.start(path))}"
    what = "keys with values (lines like 'key: value')" if wanted == "mapping" else "a list"
    return (f"{where}: {_where(path)} is {kind}, where the form expects {what}; fix it "
            "in a text editor")


def _fill_empty(doc: Doc, path: KeyPath, mapping: dict[str, Any], expected: Any,
                display: str) -> str:
    """Write ``mapping`` where the file (``path`` ()) or the entry at ``path`` is empty."""
    if not path:
        base = doc.text if not doc.text or doc.text.endswith("\n") else doc.text + "\n"
        return _verified(base + "\n".join(mapping_lines(mapping, 0)) + "\n", mapping, display)
    _resolve(expected, path[:-1])[path[-1]] = mapping
    if isinstance(path[-1], int) or tuple(path) not in doc.file.keys:
        raise EditError(_not_a_mapping(doc, path, None))
    at = doc.key_index(path)
    column = at - doc.line_start(at)
    colon = doc.text.index(":", at)
    end = doc.end(path) if tuple(path) in doc.file.spans else colon + 1
    indent = column + 2
    doc.replace(colon + 1, end, "\n" + " " * indent + "\n".join(mapping_lines(mapping, indent)))
    return _verified(doc.result(), expected, display)


def _rewrite_mapping(doc: Doc, path: KeyPath, mapping: dict[str, Any], expected: Any,
                     display: str) -> str:
    """Write the mapping at ``path`` out again as a whole (its own comments are lost, the
    rest of the file is kept)."""
    if not path or not doc.has(path):
        raise EditError(f"{display} is laid out in a way the form cannot edit; "
                        "change it in a text editor")
    start = doc.start(path)
    column = start - doc.line_start(start)
    lines = mapping_lines(mapping, column)
    doc.replace(start, doc.end(path), "\n".join(lines))
    return _verified(doc.result(), expected, display)


def _verified(text: str, expected: Any, display: str) -> str:
    file, _ = parse_yaml(text, Path(display), display)
    if file.failed or not _equal(file.data, expected):
        raise EditError(f"{display} is laid out in a way the form cannot edit safely; "
                        "change it in a text editor")
    return text


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b
