"""Writing files safely: atomic writes that keep the user's umask, the build lock, stray
temporary files, and plain-language reasons when the file system says no."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import LockBusy, OutputError

_UMASK: int | None = None
_UMASK_LOCK = threading.Lock()


def file_mode() -> int:
    """The mode a new file gets under the process's umask (0644 under umask 022).

    ``mkstemp`` creates files 0600 whatever the umask, and the mode survives the rename:
    a web server running as another user, or a teammate on a shared drive, could not read
    the PDFs. The umask can only be read by setting it, so it is read once.
    """
    global _UMASK
    if _UMASK is None:
        with _UMASK_LOCK:
            if _UMASK is None:
                current = os.umask(0o022)
                os.umask(current)
                _UMASK = current
    return 0o666 & ~_UMASK


_TMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def why(exc: OSError, path: Path | None = None) -> str:
    """What went wrong, and what to do, for a person (naming ``path`` when given; leave it
    out when the message is already located at that path)."""
    shown = f" {path}" if path is not None else ""
    code = exc.errno
    if code == errno.EROFS:
        return f"cannot write{shown}: the disk or folder is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return (f"cannot write{shown}: permission denied; make the folder writable "
                "(or run briefgen as its owner)")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write{shown}: the disk is full; free some space and run it again"
    if code == errno.ENOTDIR:
        return (f"cannot write{shown}: a file is in the way where a folder should be; "
                "move that file aside")
    if code == errno.EISDIR:
        return f"cannot write{shown}: a folder is in the way; move it aside"
    if code == errno.EEXIST:
        return (f"cannot create the folder for{shown}: a file of that name is in the way"
                if shown else "cannot create a folder here: a file of that name is in the "
                              "way; move it aside")
    return f"cannot write{shown}: {exc.strerror or exc}"


def write_atomic(path: Path, data: bytes) -> os.stat_result:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a
    partial one: a temporary file in the same folder, fsync, then rename over. The new file
    gets the mode the umask gives. Returns the file's stat as written (size and mtime_ns: a
    rename changes neither), for a build to record. Raises OSError (see :func:`why`)."""
    return write_all_atomic([(path, data)])[0]


def write_all_atomic(files: list[tuple[Path, bytes]]) -> list[os.stat_result]:
    """Write several files, all or none (a web page and its share image, say): see
    :class:`Staged`. Returns each file's stat as written; raises OSError."""
    staged = Staged()
    try:
        stats = [staged.write(path, data) for path, data in files]
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return stats


class Staged:
    """Files made beside their places, put in place together (:meth:`commit`) or not at
    all (:meth:`discard`). Each is written to a temporary file in its folder and synced;
    a folder in the way, a full disk or a refused permission while writing leaves every
    file as it was. Putting them in place renames each over its file, after a hard link
    to each file replaced is kept aside: should a rename fail half-way, the files already
    replaced are put back. An OSError names the file it is about (``filename``)."""

    def __init__(self) -> None:
        self.temps: list[tuple[str, Path]] = []  # (temporary file, its place)

    def write(self, path: Path, data: bytes) -> os.stat_result:
        """``data``, written and synced beside ``path``: its stat."""
        try:
            if path.is_dir() and not path.is_symlink():  # before anything is renamed
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                       dir=path.parent)
            self.temps.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), file_mode())
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
                return os.fstat(fh.fileno())
        except OSError as exc:
            _about(exc, path)
            raise

    def link(self, source: Path, path: Path) -> os.stat_result | None:
        """A hard link to ``source`` beside ``path`` (no copy, no second sync): its stat;
        None where the file system cannot link (write a copy instead)."""
        try:
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _about(exc, path)
            raise
        tmp = _beside(path)
        try:
            os.link(source, tmp)
        except OSError:
            return None
        self.temps.append((tmp, path))
        return os.stat(tmp)

    def commit(self) -> None:
        backups: dict[Path, str] = {}
        done: list[Path] = []
        try:
            for _, path in self.temps if len(self.temps) > 1 else ():  # (one rename is
                if os.path.isfile(path) and not os.path.islink(path):  # atomic by itself)
                    aside = _beside(path)
                    with contextlib.suppress(OSError):  # no hard links: cannot be put back
                        os.link(path, aside)
                        backups[path] = aside
            for tmp, path in self.temps:
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    _about(exc, path)
                    raise
                done.append(path)
        except BaseException:
            for path in reversed(done):  # put back what was replaced, remove what was new
                with contextlib.suppress(OSError):
                    if path in backups:
                        os.replace(backups.pop(path), path)
                    else:
                        os.unlink(path)
            raise
        finally:
            for aside in backups.values():
                with contextlib.suppress(OSError):
                    os.unlink(aside)
        self.temps = []

    def discard(self) -> None:
        for tmp, _ in self.temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self.temps = []


def _beside(path: Path) -> str:
    """A temporary name beside ``path``, of the form stray temporaries are known by."""
    return os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}.tmp")


def _about(exc: OSError, path: Path) -> None:
    """Make ``exc`` name ``path``, or the folder it was about, rather than a temporary."""
    name = exc.filename
    if name is None or os.path.basename(os.fspath(name)).startswith(f".{path.name}."):
        exc.filename = os.fspath(path)
    exc.filename2 = None


class OwnFolders:
    """Keeps briefgen's output tree its own: before a file under ``base`` (``dist/``) is
    read to compare or written, every folder between ``base`` and it, and the file itself,
    must not be a symbolic link. A link found there (``dist/site/<id>`` pointing elsewhere,
    made by hand or another tool) is removed, not followed: what it points to is neither
    read nor written, and the build writes a real folder or file in its place. ``base``
    itself may be a link: that is the user's choice of where the output goes. Each folder
    is looked at once per build."""

    def __init__(self, base: Path):
        self.base = base
        self.seen: set[Path] = set()

    def __call__(self, path: Path) -> Path:
        """``path`` (a file under ``base``), once no link stands between ``base`` and it."""
        self.folder(path.parent)
        if path.is_symlink():
            path.unlink()
        return path

    def folder(self, path: Path) -> Path:
        """``path`` (a folder under ``base``), once neither it nor a folder between ``base``
        and it is a link."""
        try:
            rel = path.relative_to(self.base)
        except ValueError:
            return path
        folder = self.base
        for part in rel.parts:
            folder = folder / part
            if folder not in self.seen:
                if folder.is_symlink():
                    folder.unlink()
                self.seen.add(folder)
        return path


def write_output(path: Path, data: bytes) -> None:
    """:func:`write_atomic` for a file the user asked for: an OSError becomes an
    :class:`OutputError` that names the path and the fix."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise OutputError(why(exc, path)) from None


def remove_stray_temporaries(folders: list[Path]) -> list[Path]:
    """Remove temporary files a killed process left behind (call while holding the lock)."""
    removed = []
    for folder in folders:
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                if entry.is_file(follow_symlinks=False) and _TMP.match(entry.name):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
    return removed


# ---------------------------------------------------------------------- the build lock
_HELD: set[int] = set()  # descriptors of locks this process holds


def _close_held_in_child() -> None:
    """A forked worker must never hold the parent's lock: flock belongs to the open file,
    which a fork shares, so a worker outliving a killed parent would keep the project
    locked. Close the child's copies at fork."""
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_in_child)


@contextlib.contextmanager
def build_lock(folder: Path, wait: float = 60.0) -> Iterator[None]:
    """Hold ``folder/lock`` exclusively; wait up to ``wait`` seconds for another build."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, file_mode())
    except OSError as exc:
        raise OutputError(why(exc, folder / "lock")) from None
    _HELD.add(fd)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(f"another briefgen build is running in this project "
                                   f"(waited {wait:.0f} s for {folder / 'lock'})") from None
                time.sleep(0.05)
        yield
    finally:
        _HELD.discard(fd)
        os.close(fd)


def read_json(path: Path, raw: bytes | None = None) -> Any:
    """JSON without the garbage collector: decoding makes hundreds of thousands of small
    objects, none in a cycle, and the collector's passes over them cost as much as the
    decoding (on 1,000 briefings about 70 ms with it, 35 ms without). ``raw``: the file's
    bytes, when the caller has read them."""
    from .heap import paused

    if raw is None:
        raw = path.read_bytes()
    with paused():
        try:
            return json.loads(raw)
        except RecursionError:  # [[[[...: a damaged file, like any other that is not JSON
            raise ValueError(f"{path}: nested too deeply") from None
