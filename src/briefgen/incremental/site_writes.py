"""How the web build writes (:mod:`.site`): in a pool of threads, all or none per key.

A key (``page:<id>``, ``brand:<name>``, ``index``) is what its files were written for; its
files go out together (:class:`briefgen.files.Staged`), so a page is never left
with a new share image beside its old HTML. A file already holding the bytes is only
recorded; the PDF beside a page is a hard link where the file system allows one. What a
written page no longer needs (copies of editions no longer published, a PDF no longer up
to date) is removed only once :meth:`SiteWriter.settle` has seen the page written: a page
that fails keeps its previous version whole, with the files it links to.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..editions.store import NAME
from ..errors import Diagnostic, Location
from ..files import OwnFolders, Staged, why
from ..load.project import Layout
from .manifest import Written, written
from .site_manifest import EDITIONS, output_folder


class SiteWriter:
    def __init__(self, layout: Layout, own: OwnFolders):
        self.layout, self.own = layout, own
        #: what this build wrote (or found already written), by key: name -> record
        self.written: dict[str, dict[str, Written]] = {}
        #: (key, the files, the future of their records): written all or none per key
        self.writes: list[tuple[str, list[Path], Future]] = []
        #: (page key, its folder, the edition copies it keeps): old copies to remove after
        self.cleanups: list[tuple[str, Path, set[str]]] = []
        #: (page key, a PDF copy beside it that is no longer up to date): removed after
        self.stale: list[tuple[str, Path]] = []
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="briefgen-site")

    def write(self, key: str, files: dict[Path, bytes],
              links: list[tuple[Path, Path, Written]] = ()) -> None:
        """Write the files of ``key`` (a page, the index, a brand's assets), all or none
        (see :class:`briefgen.files.Staged`), with ``links``: (a PDF, its place beside the
        page, its record as checked), a hard link where the file system allows one, else a
        copy. What is already on disk with these bytes is only recorded."""
        todo = []
        for path, data in files.items():
            self.own(path)
            if _same(path, data):
                with contextlib.suppress(OSError):
                    self.recorded(key, path, written(data, path.stat()))
            else:
                todo.append((path, data))
        linked = []
        for source, target, record in links:
            self.own(target)
            if target.is_file():
                if os.path.samefile(source, target):  # a link is the same file: its record
                    self.recorded(key, target, list(record))
                    continue
                data = source.read_bytes()
                if _same(target, data):
                    with contextlib.suppress(OSError):
                        self.recorded(key, target, written(data, target.stat()))
                    continue
            linked.append((source, target, record))
        if todo or linked:
            paths = [p for p, _ in todo] + [t for _, t, _ in linked]
            self.writes.append((key, paths, self.pool.submit(_write, todo, linked)))

    def remove_copies_after(self, key: str, folder: Path, keep: set[str]) -> None:
        """Once ``key`` is written: remove the edition copies in ``folder`` not in ``keep``."""
        self.cleanups.append((key, folder, keep))

    def remove_after(self, key: str, path: Path) -> None:
        """Once ``key`` is written: remove ``path`` (a PDF copy no longer up to date)."""
        self.stale.append((key, path))

    def recorded(self, key: str, path: Path, record: Written) -> None:
        name = path.relative_to(output_folder(self.layout, key)).as_posix()
        self.written.setdefault(key, {})[name] = record

    def settle(self) -> dict[str, Diagnostic]:
        """Wait for the writes so far: each key whose files could not be written, with why
        (at the file that failed); the others are recorded, and what they no longer need
        is removed."""
        failed: dict[str, Diagnostic] = {}
        writes, cleanups, stale = self.writes, self.cleanups, self.stale
        self.writes, self.cleanups, self.stale = [], [], []
        for key, paths, future in writes:
            try:
                for path, record in zip(paths, future.result(), strict=True):
                    self.recorded(key, path, record)
            except OSError as exc:  # at the file (or the folder) it is about
                where = Path(exc.filename) if exc.filename else paths[0]
                if not where.is_relative_to(self.layout.root):
                    where = paths[0]
                rel = where.relative_to(self.layout.root).as_posix()
                failed.setdefault(key, Diagnostic(Location(rel), "", why(exc)))
        # only after every write is done (a folder emptied while a writer thread had just
        # made it failed the page: seen in CI), and only for pages that were written: a
        # page that failed keeps its previous version, with the copies it links to
        for key, folder, keep in cleanups:
            if key not in failed:
                remove_edition_copies(folder, keep)
        for key, path in stale:
            if key not in failed:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        return failed

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)


def remove_edition_copies(folder: Path, keep: set[str]) -> None:
    """Copies of editions that are no longer in ``editions/`` (only files named like one)."""
    copies = folder / EDITIONS
    if not copies.is_dir() or copies.is_symlink():
        return
    for path in copies.iterdir():
        rel = f"{EDITIONS}/{path.name}"
        if rel not in keep and path.suffix == ".pdf" and NAME.match(path.stem) and \
                path.is_file() and not path.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    if not keep:
        with contextlib.suppress(OSError):
            copies.rmdir()  # only if empty


def _write(files: list[tuple[Path, bytes]],
           links: list[tuple[Path, Path, Written]] = ()) -> list[Written]:
    """Put ``files`` and ``links`` in place together; the record of each, in order."""
    staged = Staged()
    try:
        records = [written(data, staged.write(path, data)) for path, data in files]
        for source, target, record in links:
            if staged.link(source, target) is None:  # no hard links here: a copy
                data = source.read_bytes()
                records.append(written(data, staged.write(target, data)))
            else:
                records.append(list(record))  # the same file: should it differ, its
        staged.commit()  # stat will say so
    except BaseException:
        staged.discard()
        raise
    return records


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
