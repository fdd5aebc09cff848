"""What a brand's font files hold: whether each is a usable TrueType font, and which
characters it has glyphs for. ``check`` needs both to promise that ``build`` will not fail.

A usable font is one ReportLab can embed: every glyph record it may copy into a subset is
read here as its subsetter reads it (:func:`damaged_glyphs`), so a font with one damaged
glyph is refused by ``check`` instead of failing the build when that glyph is first used.

Parsing a face takes about 10 ms and checking its glyphs some 3 ms more (and importing the
parser 0.1 s), so the result is kept by content hash in ``dist/.briefgen/fonts.json``. That
file only lets ``check`` skip parsing: the renderer registers the real font and checks every
glyph again before drawing, so a damaged or tampered entry can make a build fail, never make
it print a wrong glyph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FORMAT = 3  # 2: glyph records are checked; 3: letters without an outline are not covered
_MEMO: dict[tuple[Path, int, int], FontInfo] = {}


class DamagedFont(Exception):
    """A font file a renderer's parser (ReportLab, FreeType, fontTools) could not read
    although ``check`` vouched for it: it changed since, or the font cache lied. ``problem``
    says so in plain words; :meth:`briefgen.validate.branding.Brand.font_error` locates
    it at the file."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem

    @classmethod
    def unreadable(cls, path: Path, exc: BaseException) -> DamagedFont:
        detail = str(exc) or type(exc).__name__
        if isinstance(exc, KeyError) and exc.args:  # fontTools: a table it needs is not there
            detail = f"no {str(exc.args[0]).strip()!r} table"
        return cls(path, f"this font file cannot be read ({detail}): it may be damaged; "
                         "replace it with a good copy")


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
    damaged = damaged_glyphs(font, data)
    if damaged:
        return FontInfo(path, digest, frozenset(), damage_message(font, damaged))
    blank, letters = blank_letters(font, data)
    if blank and len(blank) * 2 >= letters:
        return FontInfo(path, digest, frozenset(), BLANK_MESSAGE)
    return FontInfo(path, digest, frozenset(font.charToGlyph) - blank)


# flags of a component in a composite glyph (TrueType 'glyf' table)
_ARG_1_AND_2_ARE_WORDS, _HAVE_A_SCALE, _MORE_COMPONENTS = 0x0001, 0x0008, 0x0020
_HAVE_AN_X_AND_Y_SCALE, _HAVE_A_TWO_BY_TWO = 0x0040, 0x0080


def damaged_glyphs(font, data: bytes, glyphs: Iterable[int] | None = None) -> list[int]:
    """The glyphs (default: all) of a parsed font (ReportLab's ``TTFontFile``) whose record
    ReportLab's subsetter cannot read: one that runs backwards or past the 'glyf' table,
    is shorter than a glyph header, or is a composite whose components run past the record
    or name a glyph the font does not have. (A simple glyph's outline is copied as it is.)"""
    table = font.table.get("glyf")
    positions = font.glyphPos
    count = len(positions) - 1
    if table is None:
        return list(range(count))
    start, length = table["offset"], table["length"]
    out = []
    for gid in range(count) if glyphs is None else sorted(set(glyphs)):
        if not 0 <= gid < count:
            out.append(gid)
            continue
        begin, end = positions[gid], positions[gid + 1]
        if begin == end:
            continue  # no outline (a space)
        if not 0 <= begin < end <= length or end - begin < 10:
            out.append(gid)
            continue
        record = data[start + begin:start + end]
        if struct.unpack_from(">h", record)[0] >= 0:
            continue  # a simple glyph
        pos, flags = 10, _MORE_COMPONENTS
        while flags & _MORE_COMPONENTS:
            if pos + 4 > len(record):
                break
            flags, component = struct.unpack_from(">HH", record, pos)
            if component >= count:
                break
            pos += 8 if flags & _ARG_1_AND_2_ARE_WORDS else 6
            pos += (2 if flags & _HAVE_A_SCALE else 4 if flags & _HAVE_AN_X_AND_Y_SCALE
                    else 8 if flags & _HAVE_A_TWO_BY_TWO else 0)
        else:
            if pos <= len(record):
                continue
        out.append(gid)
    return out


#: letters and digits, which always have an outline and a width in a sound font (modifier
#: letters and marks may not)
_INKED = frozenset(("Lu", "Ll", "Lt", "Lo", "Nd"))
BLANK_MESSAGE = ("this font file is damaged (its letters have no outlines or no widths: "
                 "text set in it would not show): replace it with a good copy")


def blank_letters(font, data: bytes, codes: Iterable[int] | None = None
                  ) -> tuple[frozenset[int], int]:
    """(the letters and digits among ``codes`` (default: all the font maps) whose glyph has
    no outline or no width, how many letters and digits were looked at). Such a glyph is
    well formed, so the subsetter copies it without complaint, and the PDF shows nothing:
    a 'glyf', 'loca' or 'hmtx' table zeroed by damage. Found ones count as missing; most
    of them, a damaged file."""
    cmap = font.charToGlyph
    table = font.table.get("glyf")
    positions, metrics = font.glyphPos, font.hmetrics
    start, length = (table["offset"], table["length"]) if table else (0, 0)
    blank, letters = set(), 0
    for code in (cmap if codes is None else codes):
        gid = cmap.get(code)
        if gid is None or unicodedata.category(chr(code)) not in _INKED:
            continue
        letters += 1
        if table is None or not metrics:
            blank.add(code)
            continue
        if gid + 1 >= len(positions):
            continue  # damaged_glyphs' to say
        begin, end = positions[gid], positions[gid + 1]
        width = metrics[min(gid, len(metrics) - 1)][0]
        if begin == end or width == 0 or (end - begin >= 2 and end <= length and
                                          struct.unpack_from(">h", data, start + begin)[0]
                                          == 0):
            blank.add(code)
    return frozenset(blank), letters


def mostly_blank(font, data: bytes) -> bool:
    """Whether most letters and digits of a sample (the first 256 the font maps, by code
    point) draw nothing: a damaged file (:func:`blank_letters`), told in about 1 ms."""
    sample = [c for c in sorted(font.charToGlyph)
              if unicodedata.category(chr(c)) in _INKED][:256]
    blank, letters = blank_letters(font, data, sample)
    return bool(blank) and len(blank) * 2 >= letters


_SOUND: dict[tuple[Path, int, int], str | None] = {}


def check_sound(path: Path) -> None:
    """Raise :class:`DamagedFont` unless ``path`` reads as a sound TrueType font, read
    afresh whatever the font cache says: for the share image and the web fonts, whose
    libraries (FreeType, fontTools) draw a damaged glyph as nothing rather than fail.
    Asked once per file as it is (its size and time)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise DamagedFont.unreadable(path, exc) from None
    key = (path, st.st_mtime_ns, st.st_size)
    if key not in _SOUND:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DamagedFont.unreadable(path, exc) from None
        _SOUND[key] = _parse(path, data, "").error
    problem = _SOUND[key]
    if problem is not None:
        if "replace it" not in problem and "copy it again" not in problem:
            problem = (f"this font file cannot be used ({problem}): it may be damaged; "
                       "replace it with a good copy")
        raise DamagedFont(path, problem)


def damage_message(font, damaged: list[int]) -> str:
    """``damaged`` glyphs in plain words: by the character each stands for, if any."""
    chars: dict[int, int] = {}
    for code, gid in sorted(font.charToGlyph.items()):
        chars.setdefault(gid, code)
    names = []
    for gid in damaged[:3]:
        code = chars.get(gid)
        if code is None:
            names.append(f"number {gid}")
        elif chr(code).isprintable() and not chr(code).isspace():
            names.append(f"'{chr(code)}'")
        else:
            names.append(f"U+{code:04X} {unicodedata.name(chr(code), '')}".rstrip())
    more = f" and {len(damaged) - 3} more" if len(damaged) > 3 else ""
    glyph = "glyph" if len(damaged) == 1 else "glyphs"
    return (f"this font file is damaged ({glyph} {', '.join(names)}{more} cannot be read): "
            f"replace it with a good copy")


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
