"""Worker processes for rendering, tied to the life of the build that started them.

Workers are forked (cheap: they inherit the imported modules). Each one asks the kernel to
kill it when its parent dies (``PR_SET_PDEATHSIG``), so a build killed with SIGKILL leaves no
worker behind; and a fork never inherits the build lock (see :mod:`briefgen.files`).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import signal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # multiprocessing costs a cold one-briefing build 15-20 ms to import
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _init_worker(parent: int, warm: bool, fonts: tuple | None) -> None:
    _die_with_parent(parent)
    if not warm:
        return
    from ..render.pdf.document import render_pdf  # noqa: F401 - the import is the warming
    from ..resolve import model  # noqa: F401 - needed to unpickle the documents

    # What the worker holds now (modules) lives as long as it does: out of the collector's
    # sight, a full collection while rendering no longer walks it each time.
    if fonts is not None:
        _warm_fonts(*fonts)
    gc.freeze()


def _warm_fonts(root: Path, profile: str, ids: list[str]) -> None:
    """Parse the fonts the last build of ``ids`` depended on (10-40 ms a face) while the
    parent process still imports the schemas and resolves the briefings.

    Only for named briefings: a worker otherwise registers the faces a document sets text
    in when it renders it, and a project's styles/ may hold many a briefing never uses.
    This is a guess, and nothing here can change a PDF: the files are the ones the build
    manifest names (``font:<file name>``), found by name under ``styles/`` (not through a
    link out of it, and not when two files have the name); a face a document needs that is
    not parsed here is parsed when it is drawn, and any failure (no manifest, a damaged
    one, a font that does not parse) only means nothing is parsed early. A font is named
    in the PDF after its file (``bg-Lato-Regular``), with a suffix only when two files of
    one name meet, so parsing them earlier names them no differently.
    """
    import json

    from ..load.project import Layout
    from ..render.pdf.fonts import warm

    layout = Layout(root)
    with contextlib.suppress(Exception):  # an optimisation only: see above
        with open(layout.manifest, "rb") as f:
            entries = json.load(f)["briefings"]
        names = {key[5:] for bid in ids
                 for key in entries.get(f"{profile}:{bid}", {}).get("deps", {})
                 if key.startswith("font:")}
        styles = (root / "styles").resolve()
        found: dict[str, list[Path]] = {}
        for folder, _, files in os.walk(styles):
            for name in names.intersection(files):
                path = (Path(folder) / name).resolve()
                if path.is_relative_to(styles):
                    found.setdefault(name, []).append(path)
        warm(sorted(paths[0] for paths in found.values() if len(paths) == 1))


#: brands a worker has unpickled, by the digest of their bytes (a build uses one or two)
_BRANDS: dict[bytes, object] = {}


class Shipped:
    """An object sent to every job as the bytes of one pickling, unpickled once per worker.

    A brand is some 70 KB of pydantic models: pickled with each document it cost the parent
    a pickling and each worker an unpickling per briefing. This pickles it once; a worker
    unpickles the bytes the first time it sees their digest and reuses the object after.
    In the process that made it, :meth:`get` is the object itself.
    """

    __slots__ = ("data", "key", "obj", "source")

    def __init__(self, obj: object):
        self.obj = obj
        self.source: object = None  # what ``obj`` was made from, in the parent
        self.data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        self.key = hashlib.blake2b(self.data, digest_size=16).digest()

    def __getstate__(self) -> tuple[bytes, bytes]:
        return self.key, self.data

    def __setstate__(self, state: tuple[bytes, bytes]) -> None:
        self.key, self.data = state
        self.obj = self.source = None

    def get(self) -> object:
        if self.obj is None:
            obj = _BRANDS.get(self.key)
            if obj is None:
                if len(_BRANDS) >= 8:
                    _BRANDS.clear()
                obj = _BRANDS[self.key] = pickle.loads(self.data)
            self.obj = obj
        return self.obj


def start_pool(jobs: int, warm: bool = False,
               fonts: tuple[Path, str, list[str]] | None = None) -> ProcessPoolExecutor:
    """A pool of ``jobs`` forked workers; with ``warm`` they import the renderer as soon as
    they start, and with ``fonts`` (root, profile, briefing ids) they parse the fonts those
    briefings used last time (:func:`_warm_fonts`)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(os.getpid(), warm, fonts))
    pool.submit(int)  # with fork, the workers start at the first task: start them now
    return pool
