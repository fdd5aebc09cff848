"""The web edition's manifest (``dist/.briefgen/site.json``) and the no-op check over it.

Like the PDFs' manifest, it only decides what to rewrite: no path is ever read from it. A
record names a file only by the fixed names its key can write (``page:<id>``,
``brand:<name>``, ``index``); the folder always comes from the id or the brand's name. A
damaged or old-format manifest means a full rebuild of the web edition.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..ids import check_output_id
from ..load.project import Layout
from .manifest import Written, written_ok

FORMAT = 2  # 2: the files written (outputs)
PROFILE = "web"
PAGE = "index.html"
SHARE = "share.png"
PDF_NAMES = {"screen": "{id}.pdf", "print": "{id}-print.pdf"}
#: what a page folder holds: nothing else there is ever removed (but EDITIONS/<name>.pdf)
PAGE_FILES = (PAGE, SHARE)
EDITIONS = "editions"


# ---------------------------------------------------------------------- the manifest
@dataclass
class SiteManifest:
    path: Path
    pages: dict[str, dict[str, str]] = field(default_factory=dict)
    shared: dict[str, dict[str, str]] = field(default_factory=dict)
    stamp: str | None = None
    note: str | None = None
    #: what was written for each key ("page:<id>", "brand:<name>", "index"): a file's name
    #: within the key's folder -> [SHA-256, size, mtime_ns]
    outputs: dict[str, dict[str, Written]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> SiteManifest:
        if not path.is_file():
            return cls(path, note="no web manifest yet")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                return cls(path, note="web manifest has an old format")
            pages = {k: v for k, v in data.get("pages", {}).items() if id_ok(k) and _deps_ok(v)}
            shared = {k: v for k, v in data.get("shared", {}).items()
                      if isinstance(k, str) and _deps_ok(v)}
            stamp = data.get("stamp") if isinstance(data.get("stamp"), str) else None
            outputs = {k: {n: w for n, w in v.items() if _name_ok(k, n) and written_ok(w)}
                       for k, v in data.get("outputs", {}).items()
                       if _key_ok(k) and isinstance(v, dict)}
            return cls(path, pages, shared, stamp, outputs=outputs)
        except (OSError, ValueError, AttributeError, TypeError, RecursionError):
            return cls(path, note="web manifest is unreadable")

    def save(self) -> None:
        body = json.dumps({"format": FORMAT, "pages": self.pages, "shared": self.shared,
                           "stamp": self.stamp, "outputs": self.outputs}, indent=1,
                          sort_keys=True)
        write_atomic(self.path, body.encode())


def id_ok(value: Any) -> bool:
    """An id, or a brand's web name for a language (``default.my``): a safe folder name."""
    try:
        return isinstance(value, str) and bool(check_output_id(value))
    except ValueError:
        return False


_FONT_FILE = re.compile(r"^fonts/(?!\.)[^/\\\x00\n\r]+$")  # a subset or a licence, in fonts/
_EDITION_COPY = re.compile(rf"^{EDITIONS}/\d{{4}}-\d{{2}}-\d{{2}}-[1-9][0-9]{{0,5}}\.pdf$")
_INDEX_FILES = (PAGE, "feed.xml", "sitemap.xml")


def _key_ok(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    kind, _, name = key.partition(":")
    return key == "index" or (kind in ("page", "brand") and id_ok(name))


def _name_ok(key: str, name: Any) -> bool:
    """Only the names a key's files can have: a record can never name another file."""
    if not isinstance(name, str):
        return False
    kind, _, bid = key.partition(":")
    if kind == "index":
        return name in _INDEX_FILES
    if kind == "brand":
        return name == "site.css" or bool(_FONT_FILE.fullmatch(name))
    # PAGE_FILES, PDF_NAMES for this id, or an edition's copy (editions.store.NAME)
    return name in PAGE_FILES or name == f"{bid}.pdf" or name == f"{bid}-print.pdf" or \
        bool(_EDITION_COPY.fullmatch(name))


def output_folder(layout: Layout, key: str) -> Path:
    """The folder of a key's files, worked out from the id or the brand's name."""
    kind, _, name = key.partition(":")
    if kind == "page":
        return layout.site_folder(name)
    if kind == "brand":
        return layout.site_assets(name)
    return layout.site


def _deps_ok(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in value.items())


# ---------------------------------------------------------------------- the no-op check
def pdf_stat(layout: Layout) -> str:
    """Which PDFs exist, with size and time: a PDF built for the first time (the print
    profile), or built again, must reach the pages that link to it."""
    h = hashlib.sha256()
    for folder in layout.output_folders:
        if folder.is_dir():
            for path in sorted(folder.glob("*.pdf")):
                st = path.stat()
                h.update(f"{path.relative_to(layout.root)}\0{st.st_size}\0{st.st_mtime_ns}\0"
                         .encode())
    return h.hexdigest()


def outputs_intact(layout: Layout, manifest: SiteManifest) -> bool:
    """Every file the last build recorded is there with the size and mtime_ns it was
    written with (one stat each, nothing read), and each page, brand and the index has its
    files recorded."""
    outputs = manifest.outputs
    if PAGE not in outputs.get("index", {}):
        return False
    if not all(name in outputs.get(f"page:{bid}", {}) for bid in manifest.pages
               for name in PAGE_FILES):
        return False
    if not all("site.css" in outputs.get(key, {}) for key in manifest.shared
               if key.startswith("brand:")):
        return False
    # strings, not Paths: a few thousand files at 1,000 briefings, and the no-op is timed
    pages = os.fspath(layout.site_folder("x").parent)  # each page's folder is <pages>/<id>
    if os.path.islink(layout.dist / "print") or os.path.islink(pages):
        return False  # a folder of the output made a link: the build replaces it
    for key, files in outputs.items():
        kind, _, bid = key.partition(":")
        folder = f"{pages}/{bid}" if kind == "page" else os.fspath(output_folder(layout, key))
        if os.path.islink(folder):
            return False
        for name, (_, size, mtime) in files.items():
            try:
                st = os.stat(f"{folder}/{name}")
            except OSError:
                return False
            if st.st_size != size or st.st_mtime_ns != mtime:
                return False
    return True
