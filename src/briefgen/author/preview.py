"""``briefgen preview``: PNG images of a briefing's pages, so anyone can look at it without
a PDF viewer. Pages are rendered with PDFium (pypdfium2) and written as PNG by a few lines of
zlib, which spares a dependency on an imaging library; poppler's ``pdftoppm`` is used if
PDFium is not installed.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

from ..errors import UsageError
from ..files import write_atomic


def png_bytes(width: int, height: int, stride: int, rgb: bytes) -> bytes:
    """An 8-bit RGB PNG from rows of ``stride`` bytes (the first width*3 of each are used)."""
    rows = b"".join(b"\x00" + rgb[y * stride:y * stride + width * 3] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def parse_pages(spec: str | None, count: int) -> list[int]:
    """``"1-2,4"`` -> [1, 2, 4] (1-based); None means every page."""
    if not spec:
        return list(range(1, count + 1))
    pages: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        try:
            a, b = int(first), int(last or first)
        except ValueError:
            raise UsageError(f"--pages '{spec}': use numbers like 1-2 or 1,3") from None
        if a < 1 or b < a:
            raise UsageError(f"--pages '{spec}': ranges run from 1 upwards")
        pages.extend(n for n in range(a, b + 1) if n <= count and n not in pages)
    if not pages:
        raise UsageError(f"--pages '{spec}': the PDF has {count} page(s)")
    return pages


def render_pngs(pdf: Path, out_dir: Path, stem: str, pages: str | None = None,
                dpi: float = 80) -> list[Path]:
    if not 10 <= dpi <= 600:
        raise UsageError("--dpi must be between 10 and 600")
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - pypdfium2 is a dependency
        return _with_poppler(pdf, out_dir, stem, pages, dpi)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        written = []
        for number in parse_pages(pages, len(doc)):
            bitmap = doc[number - 1].render(scale=dpi / 72, rev_byteorder=True)
            if bitmap.n_channels != 3:  # pragma: no cover - RGB is what render() gives here
                raise UsageError("unexpected bitmap format from PDFium")
            data = png_bytes(bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
            path = out_dir / f"{stem}-{number}.png"
            write_atomic(path, data)
            written.append(path)
        return written
    finally:
        doc.close()


def _with_poppler(pdf: Path, out_dir: Path, stem: str, pages: str | None,
                  dpi: float) -> list[Path]:  # pragma: no cover - used without pypdfium2
    if not shutil.which("pdftoppm"):
        raise UsageError("preview needs pypdfium2 or poppler-utils (pdftoppm)")
    from pypdf import PdfReader
    written = []
    for number in parse_pages(pages, len(PdfReader(pdf).pages)):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(number), "-l",
                            str(number), "-singlefile", str(pdf), f"{tmp}/p"], check=True)
            path = out_dir / f"{stem}-{number}.png"
            write_atomic(path, Path(f"{tmp}/p.png").read_bytes())
            written.append(path)
    return written
