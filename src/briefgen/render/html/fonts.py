"""Web fonts: the brand's own TrueType faces, served beside the pages as WOFF2 files made at
build time with fontTools (no font service, no request to anywhere else).

Each file is a subset: the characters the site prints, plus Latin-1 and common punctuation
so that most edits do not change the fonts at all. Kerning, ligature and hinting tables are
left out, as the PDF sets text without them: a face then converts in about 0.1 s instead of
3.5 s and weighs about 12 KB instead of 200 KB. A subset is a Modified Version under the
SIL Open Font License, which keeps Reserved Font Names ("Lato", "Liberation") for the
original: the subset's internal names are replaced by a neutral one, and the copyright,
licence and trademark notices are kept. The licence files found beside the fonts are copied
next to them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from ...validate.brand import Brand
from ...validate.fontfiles import DamagedFont, check_sound

#: the faces the stylesheet sets text in, by font role (``styles/web/site.css.j2``)
WEB_FACES = {"title": ("bold",), "heading": ("bold",),
             "body": ("regular", "bold", "italic", "bold_italic"),
             "small": ("regular", "bold", "italic"), "mono": ("regular",)}
#: faces made only when some text needs them: code spans, bold italic spans
OPTIONAL = {("mono", "regular"): "code", ("body", "bold_italic"): "bold_italic"}
_WEIGHT_STYLE = {"regular": (400, "normal"), "bold": (700, "normal"),
                 "italic": (400, "italic"), "bold_italic": (700, "italic")}
#: always in a subset: printable ASCII, Latin-1, general punctuation, €, ™, ↑ (the notes'
#: back links) and the minus sign
BASE = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2028),
                  *range(0x2030, 0x205F), 0x20AC, 0x2122, 0x2191, 0x2212])
#: name table entries kept from the original (copyright, version, trademark, maker,
#: designer, their addresses, licence and its address); the names themselves are replaced
_KEPT_NAMES = (0, 2, 5, 7, 8, 9, 11, 12, 13, 14)
#: changes whenever the way subsets are made changes (it is part of every file name)
RECIPE = "1"
LICENCE_PREFIXES = ("ofl", "license", "licence", "copying")

_MEMO: dict[tuple[str, str], bytes] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class WebFace:
    role: str
    face: str
    weight: int
    style: str
    file: str  # relative to the brand's asset folder: fonts/<hash>.woff2
    source: Path


def charset(text: str) -> frozenset[int]:
    points = {ord(c) for c in set(text)}  # each character once: the text is long
    return BASE | {p for p in points if p >= 0x20 and not 0x7F <= p <= 0x9F}


def charset_key(chars: frozenset[int]) -> str:
    return hashlib.sha256(",".join(map(str, sorted(chars))).encode()).hexdigest()[:16]


def web_faces(brand: Brand, chars_key: str, needs: frozenset[str] = frozenset()
              ) -> list[WebFace]:
    """The faces to make; ``needs`` names the optional ones some text uses (``code``,
    ``bold_italic``)."""
    out = []
    for role, faces in WEB_FACES.items():
        for face in faces:
            if (role, face) in OPTIONAL and OPTIONAL[role, face] not in needs:
                continue
            path = brand.face(role, face)
            name = hashlib.sha256(f"{RECIPE}\0{brand.fonts[path].digest}\0{chars_key}"
                                  .encode()).hexdigest()[:16]
            weight, style = _WEIGHT_STYLE[face]
            out.append(WebFace(role, face, weight, style, f"fonts/{name}.woff2", path))
    return out


def licence_files(brand: Brand) -> dict[str, Path]:
    """Licence texts in the folders of the fonts the site uses (``OFL-Lato.txt``...)."""
    folders = {brand.face(role, face).parent for role, faces in WEB_FACES.items()
               for face in faces if (role, face) not in OPTIONAL}
    out = {}
    for folder in sorted(folders):
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in (".txt", ".md", "") and \
                    path.name.lower().startswith(LICENCE_PREFIXES):
                out[f"fonts/{path.name}"] = path
    return out


@contextlib.contextmanager
def _quiet():
    """fontTools logs harmless notes (an old 'created' date, tables it drops) that would
    reach the terminal: hold them back while converting."""
    logger = logging.getLogger("fontTools")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def woff2(path: Path, digest: str, chars: frozenset[int], key: str | None = None) -> bytes:
    """``path`` subset to ``chars``, as WOFF2 (kept in memory by content, for ``watch``).
    Raises :class:`DamagedFont` for a file fontTools cannot read (it changed since ``check``
    read it, or the font cache lied)."""
    key = key or charset_key(chars)
    with _LOCK:
        done = _MEMO.get((digest, key))
        if done is not None:
            return done
        check_sound(path)  # fontTools copies a glyph zeroed by damage as an empty one
        try:
            with _quiet():
                data = _convert(path, chars, hashlib.sha256(f"{digest}{key}".encode())
                                .hexdigest()[:8])
        except Exception as exc:  # fontTools on a damaged file: KeyError, struct.error...
            raise DamagedFont.unreadable(path, exc) from None
        _MEMO[(digest, key)] = data
        return data


def _convert(path: Path, chars: frozenset[int], tag: str) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), recalcTimestamp=False)  # no build time inside the file
    for table in ("GSUB", "GPOS", "GDEF", "kern", "FFTM", "DSIG"):
        if table in font:  # dropped before subsetting: parsing GPOS alone takes 0.5 s
            del font[table]
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    _rename(font, tag)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def _rename(font, tag: str) -> None:
    """Give the subset a name of its own (OFL: a Modified Version may not use a Reserved
    Font Name); the browser knows it by the stylesheet's name anyway."""
    table = font["name"]
    style = table.getDebugName(2) or "Regular"
    table.names = [n for n in table.names if n.nameID in _KEPT_NAMES]
    family = f"Briefgen Web {tag}"
    for name_id, value in ((1, family), (4, f"{family} {style}"),
                           (6, f"BriefgenWeb{tag}-{style.replace(' ', '')}"),
                           (3, f"briefgen:{tag}:{style}")):
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
