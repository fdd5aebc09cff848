"""Helpers that read facts back out of built PDFs (pypdf; poppler's pdftotext if present)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader


def link_uris(reader: PdfReader) -> list[tuple[int, str, list[float]]]:
    out = []
    for n, page in enumerate(reader.pages, start=1):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if action is not None and "/URI" in action:
                out.append((n, str(action["/URI"]), [float(v) for v in a["/Rect"]]))
    return out


def fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font used on any page -> whether it is embedded as TrueType (FontFile2)."""
    found: dict[str, bool] = {}

    def visit(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            embedded = desc is not None and "/FontFile2" in desc.get_object()
            found[str(font["/BaseFont"])] = embedded
        for xobj in (resources.get("/XObject") or {}).values():
            visit(xobj.get_object().get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return found


@dataclass
class Piece:
    text: str
    x: float
    y: float
    size: float


def pieces(page) -> list[Piece]:
    out: list[Piece] = []

    def visitor(text, cm, tm, font, size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        out.append(Piece(text.strip(), x, y, size * abs(tm[3] or 1)))

    page.extract_text(visitor_text=visitor)
    return out


def word_boxes(pdf: Path) -> list[tuple[int, float, float, float, float, str]] | None:
    """(page, xmin, ymin, xmax, ymax, word) from poppler, or None if it is not installed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    html = subprocess.run([exe, "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>',
                      line)
        if m:
            out.append((page, *map(float, m.groups()[:4]), m.group(5)))
    return out


def split_entries(root: Path) -> tuple[int, list[str]]:
    """(sources checked, entries whose source lines are not on the page of their name).

    A source line is found as a piece of text in the source size (8 pt): the same label
    also appears in the footnotes (7.5 pt), which must not count."""
    from briefgen import open_workspace
    from briefgen.resolve.model import CountryListBlock

    project = open_workspace(root)
    checked, split = 0, []
    for bid, doc in project.documents.items():
        reader = PdfReader(root / f"dist/{bid}.pdf")
        texts = [p.extract_text() for p in reader.pages]
        small = [" ".join(p.text for p in pieces(page) if abs(p.size - 8) < 0.05)
                 for page in reader.pages]
        cursor = 0  # entries appear in reading order; a name may recur in a later list
        for block in doc.blocks:
            if not isinstance(block, CountryListBlock):
                continue
            for entry in block.entries:
                head = f"{entry.number}. {entry.name}"
                pattern = re.compile(rf"^{re.escape(head)}$", re.M)
                where = [i for i in range(cursor, len(texts)) if pattern.search(texts[i])]
                assert where, (bid, head)
                cursor = where[0]
                texts[cursor] = pattern.sub("", texts[cursor], count=1)
                for link in entry.sources:
                    checked += 1
                    if link.label not in small[cursor]:
                        split.append(f"{bid}: {head}")
    return checked, split
