"""ReportLab paragraph markup from content, with every piece of content escaped.

ReportLab's Paragraph parses a mini-XML: a bare ``&`` corrupts text and unknown tags vanish,
so content is escaped here and only our own tags are added around it.
"""

from __future__ import annotations

import html
import re
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

from ..resolve.model import Span

_BREAK_AFTER = re.compile(r"(?<=[/\-_.?&=#])")


# C0 and C1 control characters (category Cc) except tab and newline
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Escape for ReportLab and drop control characters (they have no glyph)."""
    return escape(_CONTROL.sub("", text))


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def spans_markup(spans: list[Span], *, link_colour: str, mono_font: str) -> str:
    out: list[str] = []
    prev_note = False
    for span in spans:
        if span.note is not None:
            sep = "," if prev_note else ""
            out.append(f"<super>{sep}{span.note}</super>")
            prev_note = True
            continue
        prev_note = False
        text = clean(span.text)
        if span.code:
            text = f'<font face="{mono_font}">{text}</font>'
        if span.bold:
            text = f"<b>{text}</b>"
        if span.italic:
            text = f"<i>{text}</i>"
        if span.href:
            text = f'<a href="{attr(span.href)}" color="{link_colour}">{text}</a>'
        out.append(text)
    return "".join(out)


def break_url(url: str, font: str, size: float, width: float,
              first_width: float | None = None) -> list[str]:
    """Split a long URL into lines that fit ``width``, breaking after / - _ . ? & = #.

    A piece with no break point that is still too wide is cut by characters.
    """
    pieces = [p for p in _BREAK_AFTER.split(url) if p]
    lines: list[str] = []
    current = ""
    limit = first_width if first_width is not None else width
    for piece in pieces:
        if stringWidth(current + piece, font, size) <= limit:
            current += piece
            continue
        if current:
            lines.append(current)
            limit = width
        current = ""
        while stringWidth(piece, font, size) > limit:
            cut = len(piece)
            while cut > 1 and stringWidth(piece[:cut], font, size) > limit:
                cut -= 1
            lines.append(piece[:cut])
            piece = piece[cut:]
            limit = width
        current = piece
    if current:
        lines.append(current)
    return lines


def url_markup(url: str, font: str, size: float, width: float, colour: str) -> str:
    """One ``<a>`` whose text is the URL broken into lines with ``<br/>``."""
    lines = break_url(url, font, size, width * 0.98)
    inner = "<br/>".join(clean(line) for line in lines)
    return f'<a href="{attr(url)}" color="{colour}">{inner}</a>'
