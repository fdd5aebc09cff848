"""A layout checker that reads finished PDFs, not the layout code: the defects a designer
circles in red.

Positions come from the PDF itself: every character's box, baseline, size and weight from
pdfium (``pypdfium2``, already a dependency, is the same reading pdfplumber does, in C), and
link rectangles from the page's annotations (pypdf). Only the brand sheet is read for the
page geometry and the type sizes, as a designer would measure against the brief.

It counts, per PDF:

``stranded_headings``
    a heading (title, section, list entry name, label) followed on its page by fewer than two
    lines of what it heads (fewer when the whole of it is shorter);
``near_empty_pages``
    a last page under a third full while the page before is under two thirds full, and any
    other page under a third full;
``descending_markers``
    footnote markers at one place not in ascending order ("2,1"), and notes at a page foot
    not in ascending order;
``straight_quotes``
    ``'`` or ``"`` outside links and code (monospaced) text;
``runts``
    a single word on the last line of a paragraph of three or more lines, or of a title or
    heading of two or more lines;
``margin_crossings``
    a glyph outside the left or right margin;
``url_hyphen_breaks``
    a web address broken after one of its own hyphens (Chicago 14.18 breaks before it);
``overprints``
    in the first page's band, the running header and the footer (drawn line by line, not
    laid out): a glyph over a glyph of another text (a tagline over the date, a footer over
    the page number), or band text past the band's top or bottom edge.
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import yaml
from pypdf import PdfReader

MM = 72 / 25.4
KINDS = ("stranded_headings", "near_empty_pages", "descending_markers", "straight_quotes",
         "runts", "margin_crossings", "url_hyphen_breaks", "overprints")
_MARKER_CHARS = set("0123456789,")


@dataclass
class Sheet:
    """What the checker takes from a brand sheet: margins, band height and type sizes."""

    left: float
    right: float
    top: float
    bottom: float
    band: float
    sizes: dict[str, tuple[float, float]]  # style -> (size, leading)

    @classmethod
    def load(cls, path: Path) -> Sheet:
        data = yaml.safe_load(path.read_text())
        m = data["page"]["margins"]
        sizes = {k: (float(v["size"]), float(v["leading"])) for k, v in data["sizes"].items()}
        return cls(m["left"] * MM, m["right"] * MM, m["top"] * MM, m["bottom"] * MM,
                   float(data.get("band_height", 30)) * MM, sizes)

    def leading(self, size: float) -> float | None:
        for s, lead in self.sizes.values():
            if abs(s - size) < 0.05:
                return lead
        return None


@dataclass
class Char:
    ch: str
    x0: float  # the advance box (where the pen moved), for gaps between words
    x1: float
    y: float  # baseline
    ink0: float  # the glyph's own box, for margins and overprints
    ink1: float
    ink_bottom: float
    ink_top: float
    size: float
    bold: bool
    mono: bool
    neutral: bool  # black or grey (ink), not a brand colour


@dataclass
class Line:
    page: int
    y: float
    size: float
    bold: bool
    neutral: bool
    chars: list[Char]
    markers: list[Char] = field(default_factory=list)
    link: bool = False  # every character inside a link annotation
    zone: str = "body"  # body, notes

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.chars)

    def words(self, with_markers: bool = True) -> list[str]:
        chars = sorted(self.chars + (self.markers if with_markers else []), key=lambda c: c.x0)
        words, cur, last = [], "", None
        for c in chars:
            gap = c.x0 - last.x1 if last else 0
            if c.ch.isspace() or (last is not None and gap > 0.15 * self.size):
                if cur:
                    words.append(cur)
                cur = ""
            if not c.ch.isspace():
                cur += c.ch
            last = c
        if cur:
            words.append(cur)
        return words

    @property
    def text(self) -> str:
        return " ".join(self.words(with_markers=False))

    def marker_groups(self) -> list[str]:
        groups, cur, last = [], "", None
        for c in sorted(self.markers, key=lambda c: c.x0):
            if last is not None and c.x0 - last.x1 > 1.0:
                groups.append(cur)
                cur = ""
            cur += c.ch
            last = c
        if cur:
            groups.append(cur)
        return groups


@dataclass
class Report:
    pdf: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    examples: list[str] = field(default_factory=list)

    def add(self, kind: str, where: str) -> None:
        self.counts[kind] += 1
        if len(self.examples) < 50:
            self.examples.append(f"{self.pdf}: {kind}: {where}")

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _chars(textpage) -> list[Char]:
    raw = textpage.raw
    out: list[Char] = []
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    loose = pdfium_c.FS_RECTF()
    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    font_of: dict[int, tuple[bool, bool, bool]] = {}
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        ch = "-" if code == 2 else chr(code)  # pdfium reports a line-end hyphen as U+0002
        if ch in "\r\n":
            continue
        pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
        pdfium_c.FPDFText_GetCharBox(raw, i, left, right, bottom, top)
        size = round(pdfium_c.FPDFText_GetFontSize(raw, i), 2)
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        key = ctypes.cast(obj, ctypes.c_void_p).value or 0
        style = font_of.get(key)
        if style is None:
            pdfium_c.FPDFText_GetFontInfo(raw, i, buf, 128, flags)
            name = buf.value.decode("latin-1")
            pdfium_c.FPDFText_GetFillColor(raw, i, r, g, b, a)
            rgb = (r.value, g.value, b.value)
            style = font_of[key] = (any(w in name for w in ("Bold", "Black", "Heavy")),
                                    "Mono" in name or "Courier" in name,
                                    max(rgb) < 100 and max(rgb) - min(rgb) < 30)
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, loose)
        x0, x1 = loose.left, loose.right
        if ch.isspace():
            x1 = x0 = x.value
        out.append(Char(ch, x0, x1, y.value, left.value, right.value, bottom.value, top.value,
                        size, *style))
    return out


def _lines(chars: list[Char], page: int) -> list[Line]:
    """Characters grouped by baseline; superscript markers joined to the line below them."""
    rows: dict[float, list[Char]] = {}
    for c in chars:
        key = next((k for k in rows if abs(k - c.y) < 0.3), None)
        rows.setdefault(c.y if key is None else key, []).append(c)
    lines: list[Line] = []
    markers: list[tuple[float, list[Char]]] = []
    for y in sorted(rows, reverse=True):
        row = rows[y]
        visible = [c for c in row if not c.ch.isspace()]
        if not visible:
            continue
        if all(c.ch in _MARKER_CHARS for c in visible) and \
                any(2 <= y - other <= 7.5 for other in rows if other != y):
            markers.append((y, visible))
            continue
        sizes = [c.size for c in visible]
        size = max(set(sizes), key=sizes.count)
        bold = sum(c.bold for c in visible) * 2 > len(visible) or visible[0].bold
        lines.append(Line(page, y, size, bold, visible[0].neutral, row))
    for y, group in markers:
        below = [ln for ln in lines if 2 <= y - ln.y <= 7.5]
        for c in group:
            target = min(below, key=lambda ln: (y - ln.y) + min(
                abs(c.x0 - d.x1) for d in ln.chars), default=None)
            if target is not None:
                target.markers.append(c)
    return lines


def _inside(c: Char, rects: list[tuple[float, float, float, float]]) -> bool:
    return any(r[0] - 0.5 <= c.x0 and c.x1 <= r[2] + 0.5 and r[1] - 1 <= c.y <= r[3] + 1
               for r in rects)


def check_pdf(pdf: Path, sheet: Sheet, name: str | None = None) -> Report:
    report = Report(name or pdf.name)
    links_by_page = []
    for page in PdfReader(pdf).pages:
        rects = []
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if "/A" in a and "/URI" in a["/A"]:
                rects.append(tuple(float(v) for v in a["/Rect"]))
        links_by_page.append(rects)
    doc = pdfium.PdfDocument(str(pdf))
    pages: list[list[Line]] = []
    fills: list[float] = []
    try:
        for n, page in enumerate(doc, start=1):
            tx0, ty0, tx1, ty1 = page.get_trimbox()
            left, right = tx0 + sheet.left, tx1 - sheet.right
            bottom = ty0 + sheet.bottom
            top = ty1 - (sheet.band if n == 1 else sheet.top)
            chars = _chars(page.get_textpage())
            rects = links_by_page[n - 1]
            for c in chars:
                if c.ch.isspace():
                    continue
                if c.ink0 < left - 1 or c.ink1 > right + 1:
                    report.add("margin_crossings", f"page {n}: {c.ch!r} at x {c.ink0:.1f}")
                if c.ch in "'\"" and not c.mono and not _inside(c, rects):
                    report.add("straight_quotes", f"page {n}: at x {c.x0:.0f} y {c.y:.0f}")
            _check_overprints([c for c in chars if not bottom - 1 <= c.y <= top and
                               not c.ch.isspace()], n, report)
            if n == 1:  # the band's text stays inside the band
                for c in chars:
                    if c.y > top and not c.ch.isspace() and \
                            (c.ink_top > ty1 + 0.5 or c.ink_bottom < ty1 - sheet.band - 0.5):
                        report.add("overprints", f"page 1: {c.ch!r} past the band's edge")
            body = [ln for ln in _lines([c for c in chars if bottom - 1 <= c.y <= top], n)]
            for ln in body:
                ln.link = bool(rects) and all(_inside(c, rects) for c in ln.chars
                                                 if not c.ch.isspace())
            note_size = sheet.sizes["note"][0]
            k = len(body)
            while k and abs(body[k - 1].size - note_size) < 0.05:
                k -= 1
            for ln in body[k:]:
                ln.zone = "notes"
            main = body[:k]
            used = 0.0
            if main:
                used += top - (main[-1].y - 0.25 * main[-1].size)
            if k < len(body):
                used += body[k].y + body[k].size - bottom
            fills.append(used / (top - bottom))
            pages.append(body)
    finally:
        doc.close()
    _check_markers(pages, report)
    _check_headings(pages, sheet, report)
    _check_fill(fills, report)
    _check_runts(pages, sheet, report)
    _check_urls(pages, report)
    return report


def _check_overprints(chars: list[Char], page: int, report: Report) -> None:
    """Glyphs outside the text area (band, header, footer) that overlap: of two lines
    (their ink boxes cross) or of one baseline (two texts drawn over each other)."""
    found = 0
    for i, a in enumerate(chars):
        for b in chars[i + 1:]:
            if abs(a.y - b.y) < 0.3:
                over = min(a.x1, b.x1) - max(a.x0, b.x0)  # advance boxes, one baseline
                if over > 0.25 * min(a.size, b.size):
                    found += 1
                    break
            elif min(a.ink1, b.ink1) - max(a.ink0, b.ink0) > 0.2 and \
                    min(a.ink_top, b.ink_top) - max(a.ink_bottom, b.ink_bottom) > 0.2:
                found += 1
                break
    if found:
        report.add("overprints", f"page {page}: {found} glyphs over others outside the text")


def _check_markers(pages: list[list[Line]], report: Report) -> None:
    for n, lines in enumerate(pages, start=1):
        for ln in lines:
            for group in ln.marker_groups():
                nums = [int(t) for t in group.split(",") if t.isdigit()]
                if any(a >= b for a, b in itertools.pairwise(nums)):
                    report.add("descending_markers", f"page {n}: {group} in {ln.text[:40]!r}")
        bullets = []
        for ln in lines:
            if ln.zone == "notes":
                first = ln.words(with_markers=False)[0]
                if first.isdigit():
                    bullets.append(int(first))
        if any(a >= b for a, b in itertools.pairwise(bullets)):
            report.add("descending_markers", f"page {n}: notes in the order {bullets}")


def _rank(ln: Line, sheet: Sheet) -> int | None:
    """0 title, 1 section heading, 2 entry name or label (bold, in the ink colour); None:
    not a heading (a sign-off in the brand colour is not one)."""
    if ln.zone != "body" or ln.link:
        return None
    if ln.size >= sheet.sizes["title"][0] - 0.05:
        return 0
    if ln.bold and abs(ln.size - sheet.sizes["heading"][0]) < 0.05:
        return 1
    if ln.bold and ln.neutral and abs(ln.size - sheet.sizes["body"][0]) < 0.05:
        return 2
    return None


def _check_headings(pages: list[list[Line]], sheet: Sheet, report: Report) -> None:
    flat = [ln for lines in pages for ln in lines if ln.zone == "body"]
    ranks = [_rank(ln, sheet) for ln in flat]
    i = 0
    while i < len(flat):
        rank = ranks[i]
        if rank is None:
            i += 1
            continue
        # a heading of several lines is one heading
        j = i + 1
        while j < len(flat) and ranks[j] == rank and flat[j].page == flat[j - 1].page and \
                0 < flat[j - 1].y - flat[j].y <= flat[j].size * 1.45 + 0.5:
            j += 1
        last = flat[j - 1]
        following = []
        k = j
        while k < len(flat) and len(following) < 2:
            if ranks[k] is not None and ranks[k] <= rank:
                break
            if ranks[k] is None:
                following.append(flat[k])
            k += 1
        same_page = [ln for ln in following if ln.page == last.page]
        if len(same_page) < len(following):
            report.add("stranded_headings", f"page {last.page}: {last.text[:60]!r}")
        i = j


def _check_fill(fills: list[float], report: Report) -> None:
    for n, fill in enumerate(fills, start=1):
        if n == len(fills):
            if n > 1 and fill < 1 / 3 and fills[-2] < 2 / 3:
                report.add("near_empty_pages", f"page {n}: {fill:.0%} full after a page "
                                               f"{fills[-2]:.0%} full")
        elif fill < 1 / 3:
            report.add("near_empty_pages", f"page {n}: {fill:.0%} full")


def _paragraphs(pages: list[list[Line]], sheet: Sheet) -> Iterable[list[Line]]:
    """Lines grouped into paragraphs: same size, one leading apart; a paragraph that runs
    on to the next page (its page's last body line ends mid-sentence) continues there."""
    out: list[list[Line]] = []
    for lines in pages:
        for zone in ("body", "notes"):
            cur: list[Line] = []
            for ln in (x for x in lines if x.zone == zone):
                lead = sheet.leading(ln.size)
                if cur and lead is not None and cur[-1].size == ln.size and \
                        abs((cur[-1].y - ln.y) - lead) < 0.3:
                    cur.append(ln)
                    continue
                if cur:
                    out.append(cur)
                cur = [ln]
            if cur:
                if zone == "body" and out and _continues(out, cur, sheet):
                    out[-1].extend(cur)
                else:
                    out.append(cur)
    return out


def _continues(out: list[list[Line]], cur: list[Line], sheet: Sheet) -> bool:
    # a body paragraph at the top of a page continuing the last one of the previous page
    prev = next((p for p in reversed(out) if p[0].zone == "body"), None)
    if prev is None or prev[-1].page != cur[0].page - 1 or prev[-1].size != cur[0].size:
        return False
    first_of_page = all(ln.page != cur[0].page for ln in out[-1]) if out else True
    end = prev[-1].text.rstrip("”’)\"'")
    return first_of_page and not end.endswith((".", "!", "?", ":"))


def _check_runts(pages: list[list[Line]], sheet: Sheet, report: Report) -> None:
    for para in _paragraphs(pages, sheet):
        heading = para[0].zone == "body" and _rank(para[0], sheet) in (0, 1)
        segments: list[list[Line]] = [[]]
        for ln in para:
            if ln.link:
                segments.append([])
            else:
                segments[-1].append(ln)
        for seg in segments:
            need = 2 if heading else 3
            if len(seg) >= need and len(seg[-1].words()) == 1:
                report.add("runts", f"page {seg[-1].page}: {seg[-1].text!r} after "
                                    f"{seg[-2].text[-40:]!r}")


def _check_urls(pages: list[list[Line]], report: Report) -> None:
    for lines in pages:
        for a, b in itertools.pairwise(lines):
            if a.link and b.link and a.text.endswith("-"):
                report.add("url_hyphen_breaks", f"page {a.page}: {a.text[-40:]!r}")


def check_pdfs(pdfs: Iterable[Path], sheet_path: Path) -> list[Report]:
    sheet = Sheet.load(sheet_path)
    return [check_pdf(p, sheet, f"{p.parent.name}/{p.name}") for p in pdfs]


def summary(reports: list[Report]) -> dict[str, int]:
    total = dict.fromkeys(KINDS, 0)
    for r in reports:
        for k, v in r.counts.items():
            total[k] += v
    return total


if __name__ == "__main__":  # python tests/layoutcheck.py dist/*.pdf [--sheet styles/default.yaml]
    import sys

    args = sys.argv[1:]
    sheet_path = Path("styles/default.yaml")
    if "--sheet" in args:
        i = args.index("--sheet")
        sheet_path = Path(args[i + 1])
        del args[i:i + 2]
    reports = check_pdfs([Path(a) for a in args], sheet_path)
    for r in reports:
        for e in r.examples:
            print(e)
    print(summary(reports), f"in {len(reports)} PDFs")
