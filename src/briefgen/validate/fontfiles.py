"""What a brand's font files hold: whether each is a usable TrueType font, and which
characters it has glyphs for. ``check`` needs both to promise that ``build`` will not fail.

Parsing a face takes about 10 ms (and importing the parser 0.1 s), so the result is kept by
content hash in ``dist/.briefgen/fonts.json``. That file only lets ``check`` skip parsing: the
renderer registers the real font and checks every glyph again before drawing, so a damaged or
tampered entry can make a build fail, never make it print a wrong glyph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

FORMAT = 1
_MEMO: dict[tuple[Path, int, int], FontInfo] = {}


@dataclass(frozen=True)
class FontInfo:
    path: Path
    digest: str  # sha256 of the file, first 16 hex digits
    coverage: frozenset[int]  # code points with a glyph
    error: str | None = None  # why the file cannot be used, in plain words


def _ranges(points: frozenset[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for cp in sorted(points):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def _points(ranges) -> frozenset[int]:
    return frozenset(cp for a, b in ranges for cp in range(int(a), int(b) + 1))


def _parse(path: Path, data: bytes, digest: str) -> FontInfo:
    if data[:4] == b"OTTO":
        return FontInfo(path, digest, frozenset(), "an OpenType font with CFF outlines; "
                        "briefgen embeds TrueType (.ttf) fonts only")
    if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
        return FontInfo(path, digest, frozenset(), "not a TrueType font file")
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        font = TTFontFile(str(path), validate=0)
    except (TTFError, ValueError, KeyError, IndexError, OverflowError, AssertionError) as exc:
        return FontInfo(path, digest, frozenset(), f"cannot read this font ({exc})")
    except Exception:  # struct.error and friends: a damaged or truncated file
        return FontInfo(path, digest, frozenset(), "the font file is damaged or truncated; "
                                                   "copy it again from its source")
    for tag, entry in font.table.items():
        if entry["offset"] + entry["length"] > len(data):
            return FontInfo(path, digest, frozenset(), f"the font file is truncated (its "
                                                       f"'{tag}' table runs past the end)")
    return FontInfo(path, digest, frozenset(font.charToGlyph))


class FontCache:
    """Font facts by content hash, read once and written back if anything was added."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, dict] = {}
        self.added = False
        if path is not None:
            with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("format") == FORMAT and isinstance(data.get("fonts"), dict):
                    self.entries = data["fonts"]

    def info(self, path: Path) -> FontInfo:
        try:
            st = path.stat()
        except OSError as exc:
            return FontInfo(path, "", frozenset(), f"cannot read the font file "
                                                   f"({exc.strerror or exc})")
        key = (path, st.st_mtime_ns, st.st_size)
        found = _MEMO.get(key)
        if found is not None:
            return found
        try:
            data = path.read_bytes()
        except OSError as exc:
            return FontInfo(path, "", frozenset(), f"cannot read the font file "
                                                   f"({exc.strerror or exc})")
        digest = hashlib.sha256(data).hexdigest()[:16]
        entry = self.entries.get(digest)
        info = None
        if isinstance(entry, dict):
            with contextlib.suppress(TypeError, ValueError):
                info = FontInfo(path, digest, _points(entry.get("coverage", [])),
                                entry.get("error") if isinstance(entry.get("error"), str)
                                else None)
        if info is None:
            info = _parse(path, data, digest)
            self.entries[digest] = {"coverage": _ranges(info.coverage), "error": info.error}
            self.added = True
        _MEMO[key] = info
        return info

    def save(self) -> None:
        if self.path is None or not self.added:
            return
        from ..files import write_atomic

        body = json.dumps({"format": FORMAT, "fonts": self.entries}, sort_keys=True)
        with contextlib.suppress(OSError):  # only a cache: never fail a command over it
            write_atomic(self.path, body.encode())
