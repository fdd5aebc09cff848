"""A cache of parsed YAML, keyed by each file's content, so unchanged files are not parsed.

Parsing (libyaml's composer, then our tree builder that records the position of every key
and value) was about half the time to open a project of 300 files, and most builds follow
an edit to one file. The cache lives in ``dist/.briefgen/parsed.pickle`` and holds only
files that parsed without a problem; a file with an error is parsed every time, so its
message is always produced fresh.

It is read with an unpickler that admits plain data only (builtins and ``datetime``
values, as YAML produces): a tampered cache cannot run code, and a damaged or outdated one
is ignored. It is only a cache: failing to read or write it never fails a command.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import pickle
from pathlib import Path
from typing import Any

from .. import __version__

FORMAT = 1
_ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timedelta", "timezone")}


class _PlainData(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not plain data")


def _loads(data: bytes) -> Any:
    return _PlainData(io.BytesIO(data)).load()


Parsed = tuple[Any, dict, dict]  # (data, value positions, key positions)


class ParseCache:
    def __init__(self, path: Path | None):
        self.path = path
        self._stamp = f"{FORMAT}:{__version__}"
        self._entries: dict[str, bytes] = {}
        self._used: set[str] = set()
        self._added = False
        if path is not None:
            try:
                stored = _loads(path.read_bytes())
                if isinstance(stored, dict) and stored.get("stamp") == self._stamp:
                    self._entries = dict(stored["entries"])
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError,
                    KeyError, AttributeError, IndexError):
                self._entries = {}

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, text: str) -> Parsed | None:
        """Fresh objects for ``text`` if it was parsed before (each call unpickles anew, so
        callers may change what they get)."""
        key = self._key(text)
        blob = self._entries.get(key)
        if blob is None:
            return None
        try:
            data, values, keys = _loads(blob)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
            return None
        self._used.add(key)
        return data, values, keys

    def put(self, text: str, data: Any, values: dict, keys: dict) -> None:
        key = self._key(text)
        try:
            self._entries[key] = pickle.dumps((data, values, keys), protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        self._used.add(key)
        self._added = True

    def save(self) -> None:
        """Keep the entries this load used (so the cache never grows past the project)."""
        if self.path is None or (not self._added and self._used == set(self._entries)):
            return
        from ..files import write_atomic

        kept = {k: self._entries[k] for k in sorted(self._used)}
        with contextlib.suppress(OSError):
            write_atomic(self.path, pickle.dumps({"stamp": self._stamp, "entries": kept},
                                                 protocol=5))
