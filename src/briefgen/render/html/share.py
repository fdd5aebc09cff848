"""The share image of a briefing (Open Graph and Twitter cards): its title on the brand
band, 1200 x 630 pixels, with the logo, the publisher, the label and the date.

Drawn with Pillow (FreeType) in the brand's own title and small fonts, never the machine's.
The picture has few colours, so it is a 16-colour palette PNG (about 20 KB, encoded in a few
milliseconds). Text is set glyph by glyph without kerning or shaping, as in the PDF, so the
same inputs give the same bytes on any machine with the same Pillow and FreeType.

A line with characters of a script that needs shaping (Myanmar: the vowel sign E is drawn
before its consonant, medials wrap round it, consonants stack) is measured and drawn whole
with Pillow's Raqm layout (HarfBuzz), never glyph by glyph: without Raqm such a briefing has
no share image (a :class:`RenderError`), rather than one with misspelt text. Its bytes then
also depend on the versions of Raqm, HarfBuzz and FriBiDi. A title is wrapped at spaces; a
Burmese phrase wider than the line is broken between syllables; a title with another word
wider than the line is set smaller, and when no size fits, that word is broken (after a "/"
or "-" where it can be). The publisher's name and tagline are shrunk, then shortened with
"…", to the room left of the label and the date: no text is cut off or drawn over another.
"""

from __future__ import annotations

import io
import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...errors import RenderError
from ...resolve.model import Document
from ...validate.brand import Brand
from ...validate.fontfiles import DamagedFont, check_sound
from ..pdf.myanmar import syllable_breaks  # a plain function over text: no ReportLab

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
LOGO = 104
SUPERSAMPLE = 4
TITLE_SIZES = (68, 62, 56, 50, 46, 42)
MAX_TITLE_LINES = 5
NAME_SIZES = (34, 32, 30, 28, 26)  # the publisher's name, shrunk to fit beside the date
TAGLINE_SIZES = (22, 21, 20, 19, 18)
HEADER_GAP = 32  # at least this between the name or tagline and the label or date
LEADING = 1.16  # a title line's height over its size (Latin)
TEXT_TOP = 13  # palette indices 0..13: the band colour to the band-text colour
#: characters of scripts that must be shaped (Myanmar and its extended blocks A and B)
COMPLEX = re.compile("[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")
NO_RAQM = ("the share image of a Burmese briefing needs Pillow with libraqm (complex text "
           "layout)")


@lru_cache(maxsize=64)
def _font(path: Path, size: int):
    from PIL import ImageFont

    check_sound(path)  # FreeType draws a damaged glyph as nothing
    try:
        return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    except (OSError, ValueError) as exc:  # FreeType cannot read it: "unknown file format"
        raise DamagedFont.unreadable(path, exc) from None


@contextmanager
def _reading(path: Path):
    """FreeType failing on a glyph of ``path`` (OSError: "invalid outline", say): damaged."""
    try:
        yield
    except OSError as exc:
        raise DamagedFont.unreadable(path, exc) from None


def _complex(text: str) -> bool:
    return COMPLEX.search(text) is not None


def _raqm_available() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


@lru_cache(maxsize=32)
def _shaping_font(path: Path, size: int):
    """The font with Raqm layout (Pillow quietly falls back to basic layout when Raqm is
    missing: that is refused here)."""
    from PIL import ImageFont

    if not _raqm_available():
        raise RenderError(NO_RAQM)
    check_sound(path)
    try:
        font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
    except (OSError, ValueError) as exc:
        raise DamagedFont.unreadable(path, exc) from None
    if font.layout_engine != ImageFont.Layout.RAQM:
        raise RenderError(NO_RAQM)
    return font


def _shaping_options(language: str) -> dict[str, str]:
    """Always name the direction and the language: Raqm would otherwise guess the language
    from the process's locale, and the bytes could differ between machines."""
    return {"direction": "ltr", "language": language or "und"}


@lru_cache(maxsize=4096)
def _shaped_width(text: str, path: Path, size: int, language: str) -> float:
    with _reading(path):
        return _shaping_font(path, size).getlength(text, **_shaping_options(language))


@lru_cache(maxsize=256)
def _shaped(text: str, path: Path, size: int, language: str):
    """A whole shaped line's coverage mask, where it sits and how far it advances."""
    from PIL import Image, ImageDraw

    font = _shaping_font(path, size)
    options = _shaping_options(language)
    with _reading(path):
        left, top, right, bottom = font.getbbox(text, **options)
        mask = None
        if right > left and bottom > top:
            mask = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(mask).text((-left, -top), text, font=font, fill=255, **options)
    return mask, left, top, _shaped_width(text, path, size, language)


def _hex(rgb: str) -> tuple[int, int, int]:
    return int(rgb[1:3], 16), int(rgb[3:5], 16), int(rgb[5:7], 16)


@lru_cache(maxsize=8192)
def _glyph(path: Path, size: int, ch: str):
    """One character's coverage mask, where it sits and how far it advances (cached: the
    same letters recur in every title, and FreeType's hinted rendering is the slow part)."""
    from PIL import Image, ImageDraw

    font = _font(path, size)
    with _reading(path):
        left, top, right, bottom = font.getbbox(ch)
        mask = None
        if right > left and bottom > top:
            mask = Image.new("L", (right - left, bottom - top), 0)
            ImageDraw.Draw(mask).text((-left, -top), ch, font=font, fill=255)
        return mask, left, top, font.getlength(ch)


def _line(image, xy: tuple[float, float], text: str, path: Path, size: int, ink: int,
          align_right: bool = False, language: str = "") -> None:
    """Set one line, glyph by glyph from the cache (no kerning, as in the PDF); a line that
    needs shaping is set whole, shaped."""
    x, y = xy
    if _complex(text):
        mask, left, top, advance = _shaped(text, path, size, language)
        if align_right:
            x -= advance
        if mask is not None:
            image.paste(ink, (round(x) + left, round(y) + top), mask)
        return
    if align_right:
        x -= sum(_glyph(path, size, ch)[3] for ch in text)
    for ch in text:
        mask, left, top, advance = _glyph(path, size, ch)
        if mask is not None:
            image.paste(ink, (round(x) + left, round(y) + top), mask)
        x += advance


def _width(text: str, path: Path, size: int, language: str = "") -> float:
    if _complex(text):
        return _shaped_width(text, path, size, language)
    return sum(_glyph(path, size, ch)[3] for ch in text)


#: where a word too wide for a line may be cut (after these): an address's / - . _ ? & =
BREAK_AFTER = frozenset("/-._?&=–—")


def _pieces(word: str, path: Path, size: int, width: int, language: str,
            break_words: bool = False) -> list[str]:
    """A word, or a Burmese phrase wider than the line cut between its syllables; with
    ``break_words``, any other word wider than the line too, at the last ``/ - . _`` (an
    address's) that fits, else between letters."""
    if _width(word, path, size, language) <= width:
        return [word]
    if _complex(word):
        cuts = [0, *(i for i in syllable_breaks(word) if i > 0), len(word)]
        return [word[a:b] for a, b in itertools.pairwise(cuts) if b > a]
    if not break_words:
        return [word]
    pieces, start = [], 0
    while start < len(word):
        end = start + 1  # at least one letter a piece
        while end < len(word) and _width(word[start:end + 1], path, size, language) <= width:
            end += 1
        if end < len(word):
            soft = [i + 1 for i in range(start, end - 1) if word[i] in BREAK_AFTER]
            end = soft[-1] if soft else end
        pieces.append(word[start:end])
        start = end
    return pieces


def wrap(text: str, path: Path, size: int, width: int, language: str = "",
         break_words: bool = False) -> list[str]:
    """Lines broken at spaces (and between the syllables of a Burmese phrase that is wider
    than a line on its own). A Latin word wider than the line stays whole, on a line wider
    than ``width``, unless ``break_words`` (see :func:`_pieces`)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        for j, piece in enumerate(_pieces(word, path, size, width, language, break_words)):
            glue = "" if j else " "
            trial = f"{current}{glue}{piece}" if current else piece
            if current and _width(trial, path, size, language) > width:
                lines.append(current)
                current = piece
            else:
                current = trial
    if current:
        lines.append(current)
    return lines


def _shorten(line: str) -> str:
    """``line`` less its last word (or syllable, or character)."""
    if " " in line:
        return line.rsplit(" ", 1)[0]
    if _complex(line):
        breaks = [i for i in syllable_breaks(line) if 0 < i < len(line)]
        if breaks:
            return line[:breaks[-1]]
    return line[:-1]


def _fit_title(title: str, path: Path, width: int, language: str = "",
               ratio: float = LEADING, height: int = 0) -> tuple[list[str], int]:
    """The title's lines and size: the largest size at which it takes at most
    MAX_TITLE_LINES - 1 lines, each at most ``width`` wide; a word wider than the line at
    every size is then broken (see :func:`_pieces`), and a title still too long at the
    smallest size ends with "…". With a taller ``ratio`` (line height over size: Myanmar
    stacks marks above and below its letters), the lines must also fit ``height``."""
    def fits(lines: list[str], size: int) -> bool:
        tall = ratio != LEADING and round(size * ratio) * len(lines) > height
        return len(lines) <= MAX_TITLE_LINES - 1 and not tall and \
            all(_width(line, path, size, language) <= width for line in lines)

    def first_fit() -> tuple[list[str], int]:
        for break_words in (False, True):  # shrink first; break a word only if that fails
            for size in TITLE_SIZES:
                lines = wrap(title, path, size, width, language, break_words)
                if fits(lines, size):
                    return lines, size
        return lines, size  # the smallest size, words broken: too many lines

    lines, size = first_fit()
    most = MAX_TITLE_LINES
    if ratio != LEADING:
        most = min(most, max(1, height // round(size * ratio)))
    if len(lines) > most:  # still too long at the smallest size: end with "…"
        lines = lines[:most]
        last = lines[-1]
        while last and _width(last + " …", path, size, language) > width:
            last = _shorten(last)
        lines[-1] = last + " …"
    return lines, size


def _fit_line(text: str, path: Path, sizes: tuple[int, ...], width: float,
              language: str = "") -> tuple[str, int]:
    """One line at most ``width`` wide: at the largest of ``sizes`` it fits, else at the
    smallest, shortened to end with "…"."""
    for size in sizes:
        if _width(text, path, size, language) <= width:
            return text, size
    size = sizes[-1]
    while text and _width(text.rstrip(" ,;:.–—-၊။") + "…", path, size, language) > width:
        text = _shorten(text)
    return text.rstrip(" ,;:.–—-၊။") + "…", size


@dataclass(frozen=True)
class Placed:
    """A line of the header where it is drawn: from x (to x, right-aligned), its top at y."""

    text: str
    path: Path
    size: int
    x: float
    y: float
    align_right: bool = False
    language: str = ""

    @property
    def span(self) -> tuple[float, float]:
        """Its left and right edge (its advance, as every line is measured here)."""
        width = _width(self.text, self.path, self.size, self.language)
        return (self.x - width, self.x) if self.align_right else (self.x, self.x + width)


def header(doc: Document, brand: Brand) -> list[Placed]:
    """The publisher's name and tagline right of the logo, the label and date at the right
    edge. The name and tagline get the room left of the wider of the label and the date
    (less HEADER_GAP): shrunk to fit down to a floor, then shortened to end with "…"."""
    language = doc.language
    small, right = brand.face("small", "regular"), WIDTH - MARGIN
    label = Placed(brand.sheet.label.upper(), brand.face("small", "bold"), 22, right,
                   MARGIN + 18, True, language)
    date = Placed(doc.strings.date_text(doc.date), small, 26, right, MARGIN + 52, True,
                  language)
    left = MARGIN + LOGO + 28
    room = min(label.span[0], date.span[0]) - HEADER_GAP - left
    out = []
    name, size = _fit_line(doc.publisher.name, brand.face("title", "bold"), NAME_SIZES, room,
                           language)
    out.append(Placed(name, brand.face("title", "bold"), size, left, MARGIN + 14 +
                      (NAME_SIZES[0] - size) // 2, False, language))
    if doc.publisher.tagline:
        tagline, size = _fit_line(doc.publisher.tagline, small, TAGLINE_SIZES, room, language)
        out.append(Placed(tagline, small, size, left, MARGIN + 60, False, language))
    return [*out, label, date]


def share_png(doc: Document, brand: Brand) -> bytes:
    """The share image of ``doc``; RenderError, located at the font file, when one of the
    brand's fonts cannot be read (changed since ``check``, or a font cache that lied)."""
    try:
        return _share_png(doc, brand)
    except DamagedFont as exc:
        raise brand.font_error(exc.path, exc.problem) from None


def _share_png(doc: Document, brand: Brand) -> bytes:
    """The picture is drawn as palette indices into one 8-bit image: 0 is the band, 1 to
    TEXT_TOP a ramp from the band to the band-text colour (drawing text with ink TEXT_TOP
    blends it, so its anti-aliased edges land on the ramp), then one index for each other
    colour the logo uses (drawn without anti-aliasing). Written as a 4-bit palette PNG."""
    from PIL import Image, ImageDraw

    language = doc.language
    date = doc.strings.date_text(doc.date)
    label = brand.sheet.label.upper()
    texts = (doc.publisher.name, doc.publisher.tagline or "", label, date, doc.title)
    if any(_complex(t) for t in texts) and not _raqm_available():
        raise RenderError(NO_RAQM)  # never unshaped text

    colours = brand.sheet.colours
    index = Image.new("L", (WIDTH, HEIGHT), 0)
    others = ["accent", *sorted({c for s in brand.sheet.logo.shapes for c in (s.fill, s.stroke)
                                 if c and c not in ("band_text", "brand", "accent")})]
    slot = {c: TEXT_TOP + 1 + i for i, c in enumerate(others[:15 - TEXT_TOP])}
    slot["brand"] = 0
    _logo(index, brand, slot)

    title_bold = brand.face("title", "bold")
    for text in header(doc, brand):
        _line(index, (text.x, text.y), text.text, text.path, text.size, TEXT_TOP,
              align_right=text.align_right, language=language)
    ImageDraw.Draw(index).rectangle([MARGIN, 232, MARGIN + 119, 239], fill=slot["accent"])

    ratio = LEADING  # Latin titles; a Myanmar one takes the brand's own title leading
    if _complex(doc.title):
        title_size = brand.sheet.sizes.title
        ratio = max(LEADING, title_size.leading / title_size.size)
    lines, size = _fit_title(doc.title, title_bold, WIDTH - 2 * MARGIN, language, ratio,
                             HEIGHT - 270 - MARGIN)
    leading = round(size * ratio)
    top = 270 + max(0, (HEIGHT - 270 - MARGIN - leading * len(lines)) // 2)
    for i, line in enumerate(lines):
        _line(index, (MARGIN, top + i * leading), line, title_bold, size, TEXT_TOP,
              language=language)

    background = _hex(colours.brand.rgb)
    ink = _hex(colours.band_text.rgb)
    palette: list[int] = []
    for j in range(TEXT_TOP + 1):
        palette += [round(background[k] + (ink[k] - background[k]) * j / TEXT_TOP)
                    for k in range(3)]
    for name in sorted(slot, key=slot.get):
        if slot[name] > TEXT_TOP:
            palette += list(_hex(brand.colour(name).rgb))
    palette += background * (16 - len(palette) // 3)
    image = Image.frombytes("P", (WIDTH, HEIGHT), index.tobytes())
    image.putpalette(palette)
    out = io.BytesIO()
    image.save(out, "PNG", bits=4, compress_level=1)
    return out.getvalue()


def _logo(index, brand: Brand, slot: dict[str, int]) -> None:
    """The vector logo at (MARGIN, MARGIN): shapes in the band-text colour are drawn four
    times larger and scaled down, so that the ring is smooth; shapes in other colours are
    drawn on whole pixels."""
    from PIL import Image, ImageDraw

    big = LOGO * SUPERSAMPLE
    smooth = Image.new("L", (big, big), 0)
    smooth_draw = ImageDraw.Draw(smooth)
    crisp = ImageDraw.Draw(index)
    scale = LOGO / 100.0

    for s in brand.sheet.logo.shapes:
        for role, colour in (("fill", s.fill), ("stroke", s.stroke)):
            if not colour:
                continue
            if colour == "band_text":
                draw, k, ink, ox = smooth_draw, scale * SUPERSAMPLE, 255, 0
            else:
                draw, k, ink, ox = crisp, scale, slot.get(colour, 0), MARGIN
            width = max(1, round(s.width * k))
            if s.kind == "circle":
                r = s.r + (s.width / 2 if role == "stroke" else 0)
                box = [ox + (s.x - r) * k, ox + (100 - s.y - r) * k,
                       ox + (s.x + r) * k, ox + (100 - s.y + r) * k]
                if role == "fill":
                    draw.ellipse(box, fill=ink)
                else:
                    draw.ellipse(box, outline=ink, width=width)
            elif s.kind == "rect":
                box = [ox + round(s.x * k), ox + round((100 - s.y - s.h) * k),
                       ox + round((s.x + s.w) * k) - 1, ox + round((100 - s.y) * k) - 1]
                if role == "fill":
                    draw.rectangle(box, fill=ink)
                else:
                    draw.rectangle(box, outline=ink, width=width)
            elif role == "stroke":
                draw.line([ox + s.x * k, ox + (100 - s.y) * k, ox + s.x2 * k,
                           ox + (100 - s.y2) * k], fill=ink, width=width)
    index.paste(TEXT_TOP, (MARGIN, MARGIN), smooth.reduce(SUPERSAMPLE))
