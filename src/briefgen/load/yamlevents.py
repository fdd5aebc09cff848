"""An iterative replay of the YAML parser's events that knows the key path, the nesting depth
and the size of every anchor: deep nesting, alias bombs and self-referencing aliases are
refused at the line to edit, with no recursion at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    MappingStartEvent,
    ScalarEvent,
)

from ..errors import Diagnostic, Location

MAX_DEPTH = 100
MAX_VALUES = 100_000
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[str | int, ...]

# --- replaying events -------------------------------------------------------------------

@dataclass
class _Frame:
    is_map: bool
    block: bool
    path: KeyPath
    start: Any  # the Mark where the collection starts
    anchor: str | None
    count_at_start: int
    expect_key: bool = True
    key: str | int = "?"
    index: int = 0


@dataclass
class EventWalk:
    """Replays the parser's events without composing (no recursion, no node objects),
    tracking the key path, the nesting depth and how many values aliases expand to.

    Stops at the first *finding* (nesting too deep, too many values through aliases, an
    alias inside its own anchor) or at a syntax error, and keeps what a hint needs: the
    last event, the last mapping key, the open collections."""

    text: str
    #: libyaml's parser, or the pure-Python one after a syntax error: it is the one whose
    #: errors we explain, and libyaml's scanner may fail on deep '[[[[' before any event
    loader: Any = FAST_LOADER
    max_depth: int = MAX_DEPTH
    max_values: int = MAX_VALUES
    frames: list[_Frame] = field(default_factory=list)
    count: int = 0
    sizes: dict[str, int] = field(default_factory=dict)
    last: Any = None  # the last node event (not stream or document)
    last_key: Any = None  # the last ScalarEvent that was a mapping key
    last_alias: Any = None
    last_seq_col: int | None = None  # column of the '-' of the last block list opened
    last_closed: _Frame | None = None
    starts: dict[int, KeyPath] = field(default_factory=dict)  # value start index -> key path
    finding: tuple[Any, KeyPath, str] | None = None  # mark, key path, message
    error: yaml.YAMLError | None = None

    def run(self) -> EventWalk:
        try:
            for event in yaml.parse(self.text, Loader=self.loader):
                self._step(event)
                if isinstance(event, (ScalarEvent, AliasEvent, CollectionStartEvent,
                                      CollectionEndEvent)):
                    self.last = event
                if self.finding:
                    break
        except yaml.YAMLError as exc:
            self.error = exc
        if not self.finding and self.count > self.max_values and self.last_alias:
            self.finding = (self.last_alias.start_mark, self.path(), _too_many())
        return self

    def path(self) -> KeyPath:
        if not self.frames:
            return ()
        top = self.frames[-1]
        if top.is_map:
            return top.path if top.expect_key else (*top.path, top.key)
        return (*top.path, top.index)

    def top(self, *, is_map: bool | None = None) -> _Frame | None:
        """The innermost open block collection (of the given kind)."""
        for frame in reversed(self.frames):
            if frame.block and is_map in (None, frame.is_map):
                return frame
        return None

    def _done(self) -> None:
        if self.frames:
            top = self.frames[-1]
            if top.is_map:
                top.expect_key = not top.expect_key
            else:
                top.index += 1

    def _step(self, event: Any) -> None:
        if not isinstance(event, CollectionEndEvent) and event.start_mark is not None and not (
                self.frames and self.frames[-1].is_map and self.frames[-1].expect_key):
            self.starts.setdefault(event.start_mark.index, self.path())
        if isinstance(event, ScalarEvent):
            self.count += 1
            if event.anchor:
                self.sizes[event.anchor] = 1
            if self.frames and self.frames[-1].is_map and self.frames[-1].expect_key:
                self.frames[-1].key = event.value
                self.last_key = event
            self._done()
        elif isinstance(event, AliasEvent):
            if any(f.anchor == event.anchor for f in self.frames):
                self.finding = (event.start_mark, self.path(),
                                f"the alias '*{event.anchor}' is inside the '&{event.anchor}' it "
                                "refers to, so it never ends; write the values out instead")
            self.count += self.sizes.get(event.anchor, 1)
            self.last_alias = event
            if self.count > self.max_values and not self.finding:
                self.finding = (event.start_mark, self.path(), _too_many())
            self._done()
        elif isinstance(event, CollectionStartEvent):
            self.count += 1
            path = self.path()
            block = not event.flow_style
            if len(self.frames) >= self.max_depth:
                self.finding = (event.start_mark, path,
                                f"nested more than {self.max_depth} levels deep; briefgen "
                                f"reads lists and mappings up to {self.max_depth} levels")
            if block and not isinstance(event, MappingStartEvent):
                self.last_seq_col = event.start_mark.column
            self.frames.append(_Frame(isinstance(event, MappingStartEvent), block, path,
                                      event.start_mark, event.anchor, self.count - 1))
        elif isinstance(event, CollectionEndEvent) and self.frames:
            frame = self.last_closed = self.frames.pop()
            if frame.anchor:
                self.sizes[frame.anchor] = self.count - frame.count_at_start
            self._done()

    def diagnostic(self, display: str) -> Diagnostic:
        assert self.finding
        mark, path, message = self.finding
        return Diagnostic(Location(display, mark.line + 1, mark.column + 1),
                          short_key_path(path), message)


def _too_many() -> str:
    return (f"this file expands to more than {MAX_VALUES:,} values (through YAML aliases '*'); "
            "write the values out instead")


def format_key_path(path: KeyPath) -> str:
    """``("facts", 1, "sources", 0)`` -> ``facts[1].sources[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def short_key_path(path: KeyPath) -> str:
    """The key path, cut short when it is absurdly long (a file nested 100 levels deep)."""
    if len(path) > 6:
        return format_key_path(path[:3]) + "..."
    return format_key_path(path)
