"""``briefgen build``: resolve every briefing, render those whose inputs changed (in worker
processes when there are enough of them), write each PDF atomically, keep the manifest.

Read top to bottom: open the project -> take the lock -> decide what to build -> render ->
write -> remove PDFs of deleted specs -> save the manifest.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentError, Diagnostic, Location, RenderError
from ..files import build_lock, write_atomic
from ..load.project import Layout
from .manifest import Manifest, dependencies, tree_stamp

if TYPE_CHECKING:
    from ..project import Project
    from ..render.brand import Brand
    from ..resolve.model import Document

Event = Callable[[str, str], None]  # (event, briefing id): start/built/unchanged/failed/removed

#: below this many briefings to render, worker processes cost more than they save
PARALLEL_THRESHOLD = 6


@dataclass
class Failure:
    id: str
    errors: list[Diagnostic]


@dataclass
class BuildResult:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    shared_errors: list[Diagnostic] = field(default_factory=list)
    note: str | None = None

    def as_json(self) -> dict:
        return {"built": self.built, "unchanged": self.unchanged,
                "failed": [{"id": f.id, "errors": [str(e) for e in f.errors]}
                           for f in self.failed],
                "removed": self.removed}

    def summary(self) -> str:
        return (f"built {len(self.built)}, unchanged {len(self.unchanged)}, "
                f"failed {len(self.failed)}, removed {len(self.removed)}")


def open_project(root: Path | str) -> Project:
    """The parsed project. Imported on first use: a build with nothing to do is answered from
    file stamps alone and never loads the parser, the schema or the resolver."""
    from ..project import open_project as _open_project

    return _open_project(root)


# ---------------------------------------------------------------------- worker side
_BRANDS: dict[tuple, Brand] = {}


def _brand(styles: Path, name: str, root: Path) -> Brand:
    """The loaded brand sheet, kept while the sheets in ``styles/`` are unchanged (a long
    process such as ``briefgen watch`` must see an edited sheet)."""
    try:
        sheets = tuple((p.name, st.st_mtime_ns, st.st_size)
                       for p in sorted(styles.glob("*.yaml")) for st in [p.stat()])
    except OSError:
        sheets = ()
    key = (str(styles), name, sheets)
    if key not in _BRANDS:
        from ..render.brand import load_brand

        if len(_BRANDS) > 32:
            _BRANDS.clear()
        _BRANDS[key] = load_brand(styles, name, root)
    return _BRANDS[key]


def render_one(doc: Document, styles: Path, root: Path, profile: str) -> bytes:
    from ..render.document import render_pdf

    return render_pdf(doc, _brand(styles, doc.brand, root), cmyk=profile == "print")


def _render_job(args) -> tuple[str, bytes | None, list[str] | None]:
    doc, styles, root, profile = args
    try:
        return doc.id, render_one(doc, styles, root, profile), None
    except ContentError as exc:
        return doc.id, None, [_pack(d) for d in exc.diagnostics]
    except RenderError as exc:
        return doc.id, None, [_pack(d) for d in exc.diagnostics] or [f"::{exc}"]


def _pack(d: Diagnostic) -> str:
    return "\x1f".join([d.location.path, str(d.location.line), str(d.location.column),
                        d.key, d.message])


def _unpack(s: str, where: Location) -> Diagnostic:
    if s.startswith("::"):
        return Diagnostic(where, "", s[2:])
    path, line, col, key, msg = s.split("\x1f")
    return Diagnostic(Location(path, int(line), int(col)), key, msg)


# ---------------------------------------------------------------------- parent side
def output_path(project: Project, bid: str, profile: str) -> Path:
    dist = project.layout.dist
    return dist / f"{bid}.pdf" if profile == "screen" else dist / "print" / f"{bid}.pdf"


def plan(project: Project, manifest: Manifest, ids: list[str], profile: str, force: bool,
         result: BuildResult) -> tuple[list[Document], dict[str, dict[str, str]]]:
    """Which briefings need rendering, and the dependencies of each."""
    todo: list[Document] = []
    deps_of: dict[str, dict[str, str]] = {}
    for bid in ids:
        errors = project.briefing_errors.get(bid, [])
        doc = project.documents.get(bid)
        if errors or doc is None:
            result.failed.append(Failure(bid, errors))
            continue
        try:
            brand = _brand(project.layout.styles, doc.brand, project.root)
        except ContentError as exc:
            result.failed.append(Failure(bid, exc.diagnostics))
            continue
        deps = dependencies(doc, project, brand, profile)
        deps_of[bid] = deps
        key = f"{profile}:{bid}"
        out = output_path(project, bid, profile)
        if force or not out.is_file() or manifest.changes(key, deps):
            todo.append(doc)
        else:
            result.unchanged.append(bid)
    return todo, deps_of


def _unchanged_tree(root: Path, profile: str) -> tuple[BuildResult | None, str | None]:
    """(result, stamp): a finished no-op result when no input file changed since the last
    clean build of ``profile`` and every PDF it wrote is still there."""
    layout = Layout(root)
    try:
        stamp = tree_stamp(root, [layout.briefings, layout.styles], profile)
    except OSError:
        return None, None
    manifest = Manifest.load(layout.dist / ".briefgen" / "manifest.json")
    if manifest.stamps.get(profile) != stamp:
        return None, stamp
    prefix = f"{profile}:"
    entries = {k[len(prefix):]: v for k, v in manifest.briefings.items() if k.startswith(prefix)}
    if not all((root / v.get("output", "")).is_file() for v in entries.values()):
        return None, stamp
    return BuildResult(unchanged=sorted(entries)), stamp


def build_project(root: Path | str, ids: list[str] | None = None, *, force: bool = False,
                  jobs: int | None = None, profile: str = "screen",
                  on_event: Event | None = None) -> BuildResult:
    stamp = None  # of the inputs as they are *before* parsing: an edit during the build
    if not ids:   # then leaves a stamp that no longer matches, never a wrong "unchanged"
        done, stamp = _unchanged_tree(Path(root), profile)
        if done is not None and not force:
            for bid in done.unchanged:
                (on_event or (lambda event, bid: None))("unchanged", bid)
            return done
    with contextlib.ExitStack() as stack:
        pool = _early_pool(Path(root), ids, force, jobs, profile)
        if pool is not None:
            stack.callback(pool.shutdown)
        return _build(root, ids, force, jobs, profile, on_event, stamp, pool)


def _build(root: Path | str, ids: list[str] | None, force: bool, jobs: int | None,
           profile: str, on_event: Event | None, stamp: str | None,
           pool: ProcessPoolExecutor | None) -> BuildResult:
    project = open_project(root)
    known = project.ids
    if ids:
        unknown = [i for i in ids if i not in known]
        if unknown:
            from ..errors import UsageError
            from ..validate.schema import did_you_mean
            raise UsageError(f"no briefing '{unknown[0]}'{did_you_mean(unknown[0], known)}")
    wanted = ids or known
    emit = on_event or (lambda event, bid: None)
    result = BuildResult(shared_errors=list(project.shared_errors))
    state = project.layout.dist / ".briefgen"
    with build_lock(state):
        manifest = Manifest.load(state / "manifest.json")
        result.note = manifest.note
        todo, deps_of = plan(project, manifest, wanted, profile, force, result)
        for bid in result.unchanged:
            emit("unchanged", bid)
        for fail in result.failed:
            emit("failed", fail.id)
        with _Writer(project, manifest, profile, deps_of, result, emit) as writer:
            for rendered_id, data, errors in _render_all(project, todo, profile, jobs, emit,
                                                         pool):
                if data is None:
                    where = project.briefings[rendered_id].file.location(())
                    result.failed.append(Failure(rendered_id, [_unpack(e, where)
                                                               for e in errors or []]))
                    emit("failed", rendered_id)
                    continue
                writer.write(rendered_id, data)
        if not ids:
            _remove_deleted(project, manifest, known, profile, result, emit)
        clean = not ids and not result.failed and not result.shared_errors
        if clean and stamp is not None:
            manifest.stamps[profile] = stamp
        else:
            manifest.stamps.pop(profile, None)
        manifest.save()
    result.failed.sort(key=lambda f: f.id)
    return result


class _Writer:
    """Writes PDFs atomically on a few threads and records each one once it is on disk.

    ``write_atomic`` fsyncs every file, which waits on the disk (about 10 ms each here) but
    not on the CPU; on threads, those waits overlap the rendering of the next briefings
    instead of adding up. A briefing counts as built, and enters the manifest, only after
    its file is written; a write that fails is a failure of that briefing, and the previous
    PDF stays as it was.
    """

    def __init__(self, project: Project, manifest: Manifest, profile: str,
                 deps_of: dict[str, dict[str, str]], result: BuildResult, emit: Event):
        self.project, self.manifest, self.profile = project, manifest, profile
        self.deps_of, self.result, self.emit = deps_of, result, emit
        self.pending: deque[tuple[str, Path, Future]] = deque()
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="briefgen-write")

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._settle(wait=True)
        finally:
            self.pool.shutdown(wait=True)

    def write(self, bid: str, data: bytes) -> None:
        out = output_path(self.project, bid, self.profile)
        self.pending.append((bid, out, self.pool.submit(write_atomic, out, data)))
        self._settle(wait=False)

    def _settle(self, wait: bool) -> None:
        while self.pending and (wait or self.pending[0][2].done()):
            bid, out, future = self.pending.popleft()
            rel = out.relative_to(self.project.root).as_posix()
            try:
                future.result()
            except OSError as exc:
                why = exc.strerror or str(exc)
                self.result.failed.append(Failure(bid, [Diagnostic(
                    Location(rel), "", f"cannot write the PDF: {why}")]))
                self.emit("failed", bid)
                continue
            self.manifest.briefings[f"{self.profile}:{bid}"] = {
                "deps": self.deps_of[bid], "output": rel}
            self.result.built.append(bid)
            self.result.outputs[bid] = rel
            self.emit("built", bid)


def _render_all(project: Project, todo: list[Document], profile: str, jobs: int | None,
                emit: Event, pool: ProcessPoolExecutor | None = None):
    args = [(doc, project.layout.styles, project.root, profile) for doc in todo]
    jobs = jobs or os.cpu_count() or 1
    if pool is None and (jobs <= 1 or len(todo) < PARALLEL_THRESHOLD):
        for a in args:
            emit("start", a[0].id)
            yield _render_job(a)
        return
    with contextlib.ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(_pool(jobs))
        for a in args:
            emit("start", a[0].id)
        yield from pool.map(_render_job, args, chunksize=2)


def _pool(jobs: int, warm: tuple[Path, Path] | None = None) -> ProcessPoolExecutor:
    ctx = multiprocessing.get_context("fork")
    if warm is None:
        return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_warm_worker,
                               initargs=warm)


def _early_pool(root: Path, ids: list[str] | None, force: bool, jobs: int | None,
                profile: str) -> ProcessPoolExecutor | None:
    """Worker processes started *before* the project is read, when most briefings will be
    rendered (``--force``, or nothing built yet for this profile): each worker imports the
    renderer and registers the brand fonts (about 0.2 s) while the parent parses, instead
    of after it."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or ids:
        return None
    if not force:
        manifest = Manifest.load(Layout(root).dist / ".briefgen" / "manifest.json")
        if any(key.startswith(f"{profile}:") for key in manifest.briefings):
            return None
    pool = _pool(jobs, warm=(Layout(root).styles, root))
    pool.submit(int)  # with fork, the workers start at the first task: start them now
    return pool


def _warm_worker(styles: Path, root: Path) -> None:
    from ..render.document import render_pdf  # noqa: F401 - the import is the warming
    from ..render.fonts import register_brand_fonts
    from ..resolve import model  # noqa: F401 - needed to unpickle the documents

    for sheet in sorted(styles.glob("*.yaml")):
        # best effort: an initializer that raises would break the pool, and a sheet with a
        # problem is reported by the briefing that uses it, when that briefing is rendered
        with contextlib.suppress(Exception):
            register_brand_fonts(_brand(styles, sheet.stem, root))


def _remove_deleted(project: Project, manifest: Manifest, known: list[str], profile: str,
                    result: BuildResult, emit: Event) -> None:
    prefix = f"{profile}:"
    for key in sorted(manifest.briefings):
        if not key.startswith(prefix):
            continue
        bid = key[len(prefix):]
        if bid in known:
            continue
        out = project.root / manifest.briefings[key].get("output", "")
        if out.is_file() and out.suffix == ".pdf":
            out.unlink()
        del manifest.briefings[key]
        result.removed.append(bid)
        emit("removed", bid)


def explain(root: Path | str, bid: str, profile: str = "screen") -> list[str]:
    """Why ``briefgen build`` would (or would not) rebuild ``bid``."""
    project = open_project(root)
    if bid not in project.ids:
        from ..errors import UsageError
        from ..validate.schema import did_you_mean
        raise UsageError(f"no briefing '{bid}'{did_you_mean(bid, project.ids)}")
    errors = project.briefing_errors.get(bid)
    doc = project.documents.get(bid)
    if errors or doc is None:
        raise ContentError(errors or [])
    manifest = Manifest.load(project.layout.dist / ".briefgen" / "manifest.json")
    brand = _brand(project.layout.styles, doc.brand, project.root)
    deps = dependencies(doc, project, brand, profile)
    out = output_path(project, bid, profile)
    lines = []
    if manifest.note:
        lines.append(f"{bid}: would rebuild: {manifest.note}")
    if not out.is_file():
        lines.append(f"{bid}: would rebuild: {out.relative_to(project.root)} is missing")
    for key, old, new in manifest.changes(f"{profile}:{bid}", deps):
        if old is None:
            lines.append(f"{bid}: would rebuild: new input {key} ({new})")
        elif new is None:
            lines.append(f"{bid}: would rebuild: input {key} no longer used (was {old})")
        else:
            lines.append(f"{bid}: would rebuild: {key} changed {old} -> {new}")
    if not lines:
        lines.append(f"{bid}: up to date ({len(deps)} inputs unchanged)")
    return lines

