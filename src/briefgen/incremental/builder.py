"""``briefgen build``: render the briefings whose inputs changed (in worker processes when
there are enough of them), write each PDF atomically, keep the manifest.

Read top to bottom: a no-op answered from file stamps -> open the workspace -> take the lock
-> remove stray temporary files -> decide what to build -> render -> write -> remove PDFs
of deleted specs -> save the manifest.

A briefing that the workspace says cannot be built (an error of its own or of anything it
depends on) is never rendered: its previous PDF stays exactly as it was.

A PDF is up to date when its inputs are those of its manifest entry *and* it is still the
file that was written: missing, or other bytes than those recorded (see
:mod:`.manifest`), it is rendered again, and a changed one is named in
``BuildResult.repaired``. The no-op path compares each PDF's size and mtime_ns with the
summary's; a build of named briefings hashes their PDFs whatever the stat says.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentError, Diagnostic, Location, LockBusy, OutputError, RenderError
from ..files import OwnFolders, build_lock, remove_stray_temporaries, why, write_atomic
from ..heap import frozen
from ..load.project import Layout, find_root
from .manifest import CHANGED, Manifest, tree_stamp, written
from .workers import Shipped, start_pool

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ..resolve.model import Document
    from ..validate.brand import Brand
    from ..workspace import Workspace

Event = Callable[[str, str], None]  # (event, briefing id): start/built/unchanged/failed/removed

#: below this many briefings to render, worker processes cost more than they save
PARALLEL_THRESHOLD = 6
PROFILES = ("screen", "print")


@dataclass
class Failure:
    id: str
    errors: list[Diagnostic]


@dataclass
class BuildResult:
    profile: str = "screen"
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    #: errors that stop no briefing but are errors all the same (an unused broken source)
    shared_errors: list[Diagnostic] = field(default_factory=list)
    note: str | None = None
    #: manifest entries dropped because they were not understood (damaged or edited)
    ignored_entries: int = 0
    #: outputs made again because they were changed outside briefgen: what (a briefing id,
    #: or what the web edition shares) -> why, e.g. "dist/x.pdf was changed outside briefgen"
    repaired: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.shared_errors

    def as_json(self) -> dict:
        return {"built": self.built, "unchanged": self.unchanged,
                "failed": [{"id": f.id, "errors": [str(e) for e in f.errors]}
                           for f in self.failed],
                "removed": self.removed, "errors": [str(e) for e in self.shared_errors],
                # made again because changed outside briefgen: what -> why
                "rebuilt": dict(self.repaired),
                # why everything was rebuilt, or why the index keeps its previous version
                **({"note": self.note} if self.note else {})}

    def summary(self) -> str:
        return (f"built {len(self.built)}, unchanged {len(self.unchanged)}, "
                f"failed {len(self.failed)}, removed {len(self.removed)}")


# ---------------------------------------------------------------------- worker side
def render_one(doc: Document, brand: Brand, profile: str) -> bytes:
    from ..render import renderer

    return renderer("pdf").render(doc, brand, profile)


def _render_job(args) -> tuple[str, bytes | None, list[Diagnostic] | None]:
    doc, brand, profile = args
    if isinstance(brand, Shipped):
        brand = brand.get()
    try:
        return doc.id, render_one(doc, brand, profile), None
    except ContentError as exc:
        return doc.id, None, list(exc.diagnostics)
    except RenderError as exc:
        return doc.id, None, list(exc.diagnostics) or [Diagnostic(doc.origin, "", str(exc))]


# ---------------------------------------------------------------------- parent side
def unchanged(root: Path, profile: str) -> tuple[BuildResult | None, str | None]:
    """(result, stamp): a finished no-op result when no input file changed since the last
    clean build of ``profile`` and every PDF it wrote is still there with the size and
    mtime_ns it was written with (one stat each: a PDF whose stat differs is left to the
    build, which hashes it)."""
    layout = Layout(root)
    try:
        folders, extra = layout.inputs()
        stamp = tree_stamp(root, folders, profile, extra)
    except OSError:
        return None, None
    stamps, outputs, vouched = Manifest.summary(layout.manifest)
    if stamps.get(profile) != stamp or not vouched:
        return None, stamp
    built = outputs.get(profile, {})
    folder = os.fspath(layout.pdf_folder(profile))  # as layout.pdf(), without a Path each
    if folder != os.fspath(layout.dist) and os.path.islink(folder):
        return None, stamp  # dist/print made a link: the build replaces it (files.OwnFolders)
    for bid, (size, mtime) in built.items():
        try:  # a PDF made a link has the link's size: the build replaces it too
            st = os.lstat(os.path.join(folder, f"{bid}.pdf"))  # the path from the id, always
        except OSError:
            return None, stamp
        if st.st_size != size or st.st_mtime_ns != mtime:
            return None, stamp
    return BuildResult(profile, unchanged=sorted(built)), stamp


def build_project(root: Path | str, ids: list[str] | None = None, *, force: bool = False,
                  jobs: int | None = None, profile: str = "screen",
                  on_event: Event | None = None,
                  workspace: Workspace | None = None) -> BuildResult:
    """Build ``ids`` (default: all) for one profile."""
    return build_profiles(root, ids, force=force, jobs=jobs, profiles=(profile,),
                          on_event=on_event, workspace=workspace)[profile]


def build_profiles(root: Path | str, ids: list[str] | None = None, *, force: bool = False,
                   jobs: int | None = None, profiles: tuple[str, ...] = ("screen",),
                   on_event: Event | None = None, workspace: Workspace | None = None,
                   formats: tuple[str, ...] = ("pdf",)) -> dict[str, BuildResult]:
    """Build ``ids`` (default: all) for each profile; the workspace is opened once, and only
    when some profile's inputs changed. With "html" in ``formats`` the web edition follows
    the PDFs it links to, as ``results["html"]`` (:mod:`.site`)."""
    emit = on_event or (lambda event, bid: None)
    root = find_root(Path(root)) if workspace is None else workspace.root
    site = None
    if "html" in formats:  # its stamp of the inputs is taken now, before they are read
        from .site import SiteBuild

        site = SiteBuild(root, ids, force=force, on_event=emit)
        if workspace is not None:
            site.inputs = None
    if "pdf" not in formats:
        profiles = ()
    results: dict[str, BuildResult] = {}
    stamps: dict[str, str | None] = {}
    for profile in profiles:
        stamps[profile] = None  # of the inputs *before* reading them: an edit made during
        if not ids and not force and workspace is None:  # the build then leaves a stamp
            done, stamps[profile] = unchanged(root, profile)  # that no longer matches
            if done is not None:
                results[profile] = done
                for bid in done.unchanged:
                    emit("unchanged", bid)
    todo = [p for p in profiles if p not in results]
    if not todo:
        _tidy(Layout(root))
        return site.finish(results, workspace) if site else results
    with contextlib.ExitStack() as stack:
        pool = _early_pool(root, ids, force, jobs, todo[0])
        if pool is not None:
            stack.callback(pool.shutdown)
        if workspace is None:
            from ..workspace import open_workspace

            workspace = open_workspace(root)
        if ids:
            for bid in ids:
                workspace.require(bid)
        for profile in todo:
            tell = emit
            if len(profiles) > 1:
                def tell(event: str, bid: str, profile: str = profile) -> None:
                    emit(event, f"{bid} ({profile})")
            results[profile] = build(workspace, ids, force=force, jobs=jobs, profile=profile,
                                     on_event=tell, stamp=stamps.get(profile), pool=pool)
    results = {p: results[p] for p in profiles}
    return site.finish(results, workspace) if site else results


def _tidy(layout: Layout) -> None:
    """Remove what a killed build left behind, if no other build is running now."""
    with contextlib.suppress(LockBusy, OutputError), build_lock(layout.state, wait=0):
        remove_stray_temporaries([*layout.output_folders, layout.state])


def build(ws: Workspace, ids: list[str] | None = None, *, force: bool = False,
          jobs: int | None = None, profile: str = "screen", on_event: Event | None = None,
          stamp: str | None = None, pool: ProcessPoolExecutor | None = None) -> BuildResult:
    """Build from an open workspace (``watch`` and ``serve`` keep one).

    Briefings are evaluated, compared with the manifest and sent to the renderer one by
    one, so the first is rendering while the next is read, and only a few resolved
    documents are in memory at a time, whatever the size of the project.
    """
    emit = on_event or (lambda event, bid: None)
    wanted = ids or ws.ids
    verify = bool(ids)  # a few named briefings: their PDFs are hashed, not judged by stat
    result = BuildResult(profile)
    result.shared_errors = [d for d in ws.shared if d.is_error]
    layout = ws.layout
    with build_lock(layout.state):
        own = OwnFolders(layout.dist)
        for folder in layout.output_folders:  # dist/print made a link: replaced, not entered
            own.folder(folder)
        remove_stray_temporaries([*layout.output_folders, layout.state])
        manifest = Manifest.load(layout.manifest)
        result.note, result.ignored_entries = manifest.note, manifest.ignored
        deps_of: dict[str, dict[str, str]] = {}
        with _Writer(ws, manifest, profile, deps_of, result, emit) as writer, \
                _Renderers(jobs, pool, emit) as renderers, frozen():
            for bid in wanted:
                state, doc = ws.evaluate(bid)
                if not state.ok:
                    result.failed.append(Failure(bid, list(state.errors)))
                    emit("failed", bid)
                    continue
                key, out = f"{profile}:{bid}", layout.pdf(bid, profile)
                if state.reused:  # nothing it read changed since its state was made
                    changed = manifest.deps_digest(key) != state.deps_digest
                else:
                    changed = bool(manifest.changes(key, {**state.deps, "profile": profile}))
                if not (force or changed):
                    problem = manifest.output_problem(key, out, verify=verify)
                    if problem is None:
                        result.unchanged.append(bid)
                        emit("unchanged", bid)
                        continue
                    if problem == CHANGED:
                        result.repaired[bid] = f"{out.relative_to(ws.root).as_posix()} was " \
                                               "changed outside briefgen"
                if doc is None:  # a state from the index: render from the YAML itself
                    doc = ws.document(bid)
                    state = ws.states[bid]
                    if doc is None:  # what the index said no longer holds: it fails now
                        result.failed.append(Failure(bid, list(state.errors)))
                        emit("failed", bid)
                        continue
                deps_of[bid] = {**state.deps, "profile": profile}
                for done in renderers.submit(doc, ws.brands[doc.brand], profile):
                    _collect(done, writer, result, emit)
            for done in renderers.finish():
                _collect(done, writer, result, emit)
        if not ids:
            _remove_deleted(ws, manifest, profile, result, emit)
        if not ids and result.ok and stamp is not None:
            manifest.stamps[profile] = stamp
        else:
            manifest.stamps.pop(profile, None)
        try:
            manifest.save()
        except OSError as exc:
            raise OutputError(why(exc, layout.manifest)) from None
        ws.save_index()
    result.failed.sort(key=lambda f: f.id)
    return result


def _collect(done: tuple, writer: _Writer, result: BuildResult, emit: Event) -> None:
    bid, data, errors = done
    if data is None:
        result.failed.append(Failure(bid, errors or []))
        emit("failed", bid)
    else:
        writer.write(bid, data)


class _Renderers:
    """Renders in this process until there is enough work for worker processes, then in
    a pool, with a bounded number of documents in flight."""

    def __init__(self, jobs: int | None, pool: ProcessPoolExecutor | None, emit: Event):
        self.jobs = jobs or os.cpu_count() or 1
        self.pool, self.own_pool = pool, False
        self.emit = emit
        self.waiting: list[tuple] = []
        self.running: deque[Future] = deque()
        self.shipped: dict[int, Shipped] = {}  # by id() of a brand the workspace holds

    def __enter__(self) -> _Renderers:
        return self

    def __exit__(self, *exc) -> None:
        for future in self.running:
            future.cancel()
        if self.own_pool and self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, doc: Document, brand: Brand, profile: str):
        """Yield the results that are ready: (id, bytes or None, errors)."""
        self.emit("start", doc.id)
        job = (doc, brand, profile)
        if self.pool is None:
            if self.jobs > 1 and len(self.waiting) + 1 >= PARALLEL_THRESHOLD:
                self.pool, self.own_pool = start_pool(self.jobs), True
                for waiting in self.waiting:
                    self.running.append(self.pool.submit(_render_job, self._shipped(waiting)))
                self.waiting = []
            else:
                self.waiting.append(job)
                return
        self.running.append(self.pool.submit(_render_job, self._shipped(job)))
        while len(self.running) > 2 * self.jobs + 2 or (self.running and
                                                        self.running[0].done()):
            yield self.running.popleft().result()

    def _shipped(self, job: tuple) -> tuple:
        """The job as a worker gets it: plain copies of the models (:mod:`..render.plain`),
        so that unpickling them imports no pydantic, and the brand pickled once."""
        from ..render.plain import plain_brand, plain_document

        doc, brand, profile = job
        shipped = self.shipped.get(id(brand))
        if shipped is None or shipped.source is not brand:
            shipped = self.shipped[id(brand)] = Shipped(plain_brand(brand))
            shipped.source = brand
        return plain_document(doc), shipped, profile

    def finish(self):
        for job in self.waiting:  # too few for workers: here, one after another
            yield _render_job(job)
        self.waiting = []
        while self.running:
            yield self.running.popleft().result()


class _Writer:
    """Writes PDFs atomically on a few threads and records each one once it is on disk.

    ``write_atomic`` fsyncs every file, which waits on the disk (about 10 ms each here) but
    not on the CPU; on threads, those waits overlap the rendering of the next briefings
    instead of adding up. A briefing counts as built, and enters the manifest, only after
    its file is written; a write that fails is a failure of that briefing, and the previous
    PDF stays as it was.
    """

    def __init__(self, ws: Workspace, manifest: Manifest, profile: str,
                 deps_of: dict[str, dict[str, str]], result: BuildResult, emit: Event):
        self.ws, self.manifest, self.profile = ws, manifest, profile
        self.deps_of, self.result, self.emit = deps_of, result, emit
        self.pending: deque[tuple[str, Path, Future]] = deque()
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="briefgen-write")
        self.own = OwnFolders(ws.layout.dist)  # dist/print a link: replaced, not followed

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._settle(wait=True)
        finally:
            self.pool.shutdown(wait=True)

    def write(self, bid: str, data: bytes) -> None:
        out = self.own(self.ws.layout.pdf(bid, self.profile))
        self.pending.append((bid, out, self.pool.submit(_write, out, data)))
        self._settle(wait=False)

    def _settle(self, wait: bool) -> None:
        while self.pending and (wait or self.pending[0][2].done()):
            bid, out, future = self.pending.popleft()
            rel = out.relative_to(self.ws.root).as_posix()
            try:
                record = future.result()
            except OSError as exc:
                self.result.repaired.pop(bid, None)
                self.result.failed.append(Failure(bid, [Diagnostic(
                    Location(rel), "", why(exc))]))
                self.emit("failed", bid)
                continue
            self.manifest.record(self.profile, bid, self.deps_of[bid], record)
            self.result.built.append(bid)
            self.result.outputs[bid] = rel
            self.emit("built", bid)


def _write(path: Path, data: bytes) -> list:
    """Write atomically; the record of what was written (hash, size, mtime_ns)."""
    return written(data, write_atomic(path, data))


def _early_pool(root: Path, ids: list[str] | None, force: bool, jobs: int | None,
                profile: str) -> ProcessPoolExecutor | None:
    """Worker processes started *before* the project is read, when most briefings will be
    rendered (``--force``, or nothing built yet for this profile): each worker imports the
    renderer (about 0.1 s) while the parent reads and validates, instead of after it."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        return None
    if ids:  # named briefings, to be rendered whatever changed: a worker for each, at most
        if not force:  # ``jobs``, imports the renderer on the other core meanwhile
            return None
        # Forked now, before this process imports the schemas (pydantic, about 0.15 s): a
        # worker renders from plain copies (:mod:`..render.plain`) and never imports them,
        # so it is ready, fonts and all, by the time the briefing is resolved.
        return start_pool(min(jobs, len(ids)), warm=True, fonts=(root, profile, ids))
    if not force and Manifest.summary(Layout(root).manifest)[1].get(profile):
        return None
    # The document model and the brand's schemas (pydantic) are imported now, before the
    # fork: this process needs them next anyway, and each worker inherits them instead of
    # importing them again to unpickle its first job.
    from ..resolve import model  # noqa: F401
    from ..validate import brand  # noqa: F401

    return start_pool(jobs, warm=True)


def _remove_deleted(ws: Workspace, manifest: Manifest, profile: str, result: BuildResult,
                    emit: Event) -> None:
    """Remove the PDFs of specs that no longer exist. The path is always worked out from
    the id (never read from the manifest), so a tampered manifest cannot point outside
    dist/."""
    for bid in manifest.ids(profile):
        if bid in ws.ids:
            continue
        out = ws.layout.pdf(bid, profile)
        with contextlib.suppress(FileNotFoundError):
            if out.is_file() and not out.is_symlink():
                out.unlink()
        manifest.forget(profile, bid)
        result.removed.append(bid)
        emit("removed", bid)


def explain(ws: Workspace, bid: str, profile: str = "screen") -> list[str]:
    """Why ``briefgen build`` would (or would not) rebuild ``bid``, and why each country is
    in each of its lists."""
    ws.require(bid)
    state = ws.state(bid)
    if state.reused and state.ok:
        ws.document(bid)  # the full list of inputs: worked out afresh
        state = ws.states[bid]
    lines = []
    for list_id, entries in state.lists.items():
        lines.append(f"{bid}: list '{list_id}': {len(entries)} "
                     f"{'country' if len(entries) == 1 else 'countries'}")
        for e in entries:
            lines.append(f"  {e.number}. {e.name} ({e.id}): {'; '.join(e.reasons)}")
    if not state.ok:
        raise ContentError(list(state.errors))
    lines += _translation_lines(ws, bid, state)
    manifest = Manifest.load(ws.layout.manifest)
    deps = {**state.deps, "profile": profile}
    out = ws.layout.pdf(bid, profile)
    if manifest.note:
        lines.append(f"{bid}: would rebuild: {manifest.note}")
    problem = manifest.output_problem(f"{profile}:{bid}", out, verify=True, refresh=False)
    if not out.is_file():
        lines.append(f"{bid}: would rebuild: {out.relative_to(ws.root)} is missing")
    elif problem == CHANGED:
        lines.append(f"{bid}: would rebuild: {out.relative_to(ws.root)} was changed outside "
                     "briefgen (its SHA-256 is not the one it was written with)")
    for key, old, new in manifest.changes(f"{profile}:{bid}", deps):
        if old is None:
            lines.append(f"{bid}: would rebuild: new input {key} ({new})")
        elif new is None:
            lines.append(f"{bid}: would rebuild: input {key} no longer used (was {old})")
        else:
            lines.append(f"{bid}: would rebuild: {key} changed {old} -> {new}")
    if not any("would rebuild" in line for line in lines):
        lines.append(f"{bid}: up to date ({len(deps)} inputs unchanged)")
    return lines


def _translation_lines(ws: Workspace, bid: str, state) -> list[str]:
    """For an edition: its stale translations and whether it is a draft; for a briefing:
    its editions."""
    lines = []
    for d in state.warnings:
        lines.append(f"{bid}: {d.message} ({d.location})")
    if ws.edition_of(bid) is not None:
        doc = ws.document(bid)
        if doc is not None and doc.draft:
            lines.append(f"{bid}: draft: {doc.unreviewed} translated "
                         f"{'text is' if doc.unreviewed == 1 else 'texts are'} not reviewed "
                         "yet (or older than the English); the PDF says so in its footer, "
                         "and the web page under its title, until every one is reviewed")
        elif doc is not None:
            lines.append(f"{bid}: every translation is reviewed")
    for eid in ws.ids:
        if (ws.edition_of(eid) or ("",))[0] == bid:
            out = ws.layout.pdf(eid).relative_to(ws.root)
            lines.append(f"{bid}: translated edition {eid} ({out}); "
                         f"briefgen build --explain {eid}")
    return lines
