"""The web edition in the build: ``dist/site/``, after the PDFs it links to.

::

    dist/site/index.html                 every briefing, newest first
    dist/site/feed.xml                   Atom feed
    dist/site/sitemap.xml                only with the publisher's site.base_url
    dist/site/<id>/index.html            one page per briefing
    dist/site/<id>/share.png             its Open Graph / Twitter card image
    dist/site/<id>/<id>.pdf              the screen PDF, and <id>-print.pdf, when up to date
    dist/site/<id>/editions/<name>.pdf   each published edition's screen PDF (the archive)
    dist/site/_assets/<brand>/site.css   a brand's stylesheet, fonts/ its WOFF2 subsets

It works like the PDF build, with its own manifest (``dist/.briefgen/site.json``, same
rules: it only decides what to rewrite, no path is ever read from it, a damaged one means a
full rebuild). A page's inputs are the PDF's (spec, each fact and source it uses, its lists,
the publisher, the brand and its fonts, the version), the web templates and the PDFs it
links to; editing one fact rewrites exactly the pages that print it. The index depends on
one summary per briefing (title, date, lead, PDFs), so it is rewritten only when one of
those changes. A file whose bytes are already on disk is not written again. The published
editions (``editions/<id>/``) are listed on the page and in the index, newest first; their
PDFs are copied beside the page only after their hashes match ``edition.json``.

A briefing that cannot be built keeps its previous page, and while any briefing cannot be
built the index, feed and sitemap keep their previous versions too (they list every
briefing, and nothing is rendered from a briefing with errors).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..editions.archive import Archived, archive, verified
from ..editions.store import NAME
from ..errors import ContentError, Diagnostic, Location, OutputError, RenderError
from ..files import build_lock, remove_stray_temporaries, why, write_atomic
from ..ids import check_output_id
from ..load.project import Layout, find_root
from .builder import BuildResult, Event, Failure
from .manifest import Manifest, digest, tree_stamp

if TYPE_CHECKING:
    from ..render.html import Download, EditionLink, HtmlRenderer
    from ..resolve.model import Document
    from ..workspace import Workspace

FORMAT = 1
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

    @classmethod
    def load(cls, path: Path) -> SiteManifest:
        if not path.is_file():
            return cls(path, note="no web manifest yet")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                return cls(path, note="web manifest has an old format")
            pages = {k: v for k, v in data.get("pages", {}).items() if _id_ok(k) and _deps_ok(v)}
            shared = {k: v for k, v in data.get("shared", {}).items()
                      if isinstance(k, str) and _deps_ok(v)}
            stamp = data.get("stamp") if isinstance(data.get("stamp"), str) else None
            return cls(path, pages, shared, stamp)
        except (OSError, ValueError, AttributeError, TypeError):
            return cls(path, note="web manifest is unreadable")

    def save(self) -> None:
        body = json.dumps({"format": FORMAT, "pages": self.pages, "shared": self.shared,
                           "stamp": self.stamp}, indent=1, sort_keys=True)
        write_atomic(self.path, body.encode())


def _id_ok(value: Any) -> bool:
    """An id, or a brand's web name for a language (``default.my``): a safe folder name."""
    try:
        return isinstance(value, str) and bool(check_output_id(value))
    except ValueError:
        return False


def _deps_ok(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in value.items())


def _changed(old: dict[str, str] | None, new: dict[str, str]) -> bool:
    return old != new


# ---------------------------------------------------------------------- the no-op check
def _pdf_stat(layout: Layout) -> str:
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


def _outputs_there(layout: Layout, manifest: SiteManifest) -> bool:
    pages = all((layout.site_folder(b) / name).is_file()
                for b in manifest.pages for name in PAGE_FILES)
    brands = all((layout.site_assets(k.partition(":")[2]) / "site.css").is_file()
                 for k in manifest.shared if k.startswith("brand:") and
                 _id_ok(k.partition(":")[2]))
    return pages and brands and (layout.site / PAGE).is_file()


class SiteBuild:
    """Started before the project is read (so that the stamp of the inputs describes what
    the build saw, even if a file is saved meanwhile), finished after the PDFs."""

    def __init__(self, root: Path, ids: list[str] | None = None, *, force: bool = False,
                 on_event: Event | None = None):
        self.layout = Layout(find_root(Path(root)))
        self.ids, self.force = ids, force
        self.emit = on_event or (lambda event, bid: None)
        self.inputs: str | None = None
        if not ids and not force:
            with contextlib.suppress(OSError):
                folders, extra = self.layout.inputs()
                self.inputs = tree_stamp(self.layout.root, folders, PROFILE, extra)

    def finish(self, results: dict[str, BuildResult],
               workspace: Workspace | None) -> dict[str, BuildResult]:
        results["html"] = self.run(workspace)
        return results

    def run(self, workspace: Workspace | None = None) -> BuildResult:
        layout = self.layout
        stamp = None
        if self.inputs is not None:
            stamp = hashlib.sha256(f"{self.inputs}\0{_pdf_stat(layout)}".encode()).hexdigest()
            manifest = SiteManifest.load(layout.site_manifest)
            if manifest.stamp == stamp and _outputs_there(layout, manifest):
                result = BuildResult(PROFILE, unchanged=sorted(manifest.pages))
                for bid in result.unchanged:
                    self.emit("unchanged", f"{bid} (web)")
                return result
        if workspace is None:
            from ..workspace import open_workspace

            workspace = open_workspace(layout.root)
        if self.ids:
            for bid in self.ids:
                workspace.require(bid)
        with build_lock(layout.state):
            return _Site(workspace, self.ids, self.force, self.emit).build(stamp)


def build_site(root: Path | str, ids: list[str] | None = None, *, force: bool = False,
               on_event: Event | None = None,
               workspace: Workspace | None = None) -> BuildResult:
    """Build the web edition alone (``briefgen build --format html`` goes through
    :func:`briefgen.incremental.builder.build_profiles`)."""
    root = workspace.root if workspace is not None else Path(root)
    job = SiteBuild(root, ids, force=force, on_event=on_event)
    if workspace is not None:
        job.inputs = None  # read before our stamp could be taken: do not record one
    return job.run(workspace)


# ---------------------------------------------------------------------- the build
class _Site:
    def __init__(self, ws: Workspace, ids: list[str] | None, force: bool, emit: Event):
        from ..render import renderer

        self.ws, self.layout, self.force, self.emit = ws, ws.layout, force, emit
        self.ids = ids
        self.renderer: HtmlRenderer = renderer("html")  # type: ignore[assignment]
        self.result = BuildResult(PROFILE)
        self.pdfs = Manifest.load(self.layout.manifest)
        self.writes: list[tuple[str, Path, Future]] = []
        #: (page key, its folder, the edition copies it keeps): old copies to remove
        self.cleanups: list[tuple[str, Path, set[str]]] = []
        self.archives: dict[str, list[Archived] | ContentError] = {}
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="briefgen-site")
        from ..render.html import SiteContext

        publisher = ws.base.publisher
        base = publisher.site.base_url if publisher is not None and publisher.site else None
        self.site = SiteContext(base_url=base, publisher=publisher)
        self.templates = _folder_digest(self.layout.web_templates)

    # .................................................................. the plan
    def build(self, stamp: str | None) -> BuildResult:
        ws, layout, result = self.ws, self.layout, self.result
        blocking = {str(d) for fails in ws.failures.values() for d in fails}
        # what stops the site but no single page: the fact base, the brands, the web
        # templates (the mail settings are `mail`'s, and `check`'s, to report)
        result.shared_errors = [d for d in [*ws.shared, *ws.web_errors]
                                if d.is_error and str(d) not in blocking]
        folders = [layout.site, *[p for p in layout.site.rglob("*") if p.is_dir()]] \
            if layout.site.is_dir() else []
        remove_stray_temporaries(folders)
        manifest = SiteManifest.load(layout.site_manifest)
        try:
            downloads = {bid: self.downloads(bid) for bid in ws.ids if ws.ok(bid)}
            for bid in self.ids or ws.ids:
                self.page(bid, manifest, downloads.get(bid, ()))
            for brand in sorted(self.brands()):
                self.brand_assets(brand, manifest)
            self.index(manifest, downloads)
            if not self.ids:
                self.remove_deleted(manifest)
        finally:
            failed = self.settle()
            self.pool.shutdown(wait=True)
        for key in failed:
            if key.startswith("page:"):
                manifest.pages.pop(key[5:], None)
            else:
                manifest.shared.pop(key, None)
        ok = result.ok and not self.ids
        manifest.stamp = stamp if ok else None
        try:
            manifest.save()
        except OSError as exc:
            raise OutputError(why(exc, layout.site_manifest)) from None
        result.failed.sort(key=lambda f: f.id)
        return result

    def downloads(self, bid: str) -> tuple[Download, ...]:
        """The PDFs of ``bid`` that are on disk and up to date with its inputs."""
        from ..render.html import Download

        out = []
        state = self.ws.state(bid)
        for profile, name in PDF_NAMES.items():
            path = self.layout.pdf(bid, profile)
            if not path.is_file() or \
                    self.pdfs.deps_digest(f"{profile}:{bid}") != state.deps_digest:
                continue
            out.append(Download(profile, name.format(id=bid), path.stat().st_size))
        return tuple(out)

    def page(self, bid: str, manifest: SiteManifest, downloads: tuple[Download, ...]) -> None:
        ws, result = self.ws, self.result
        if not ws.ok(bid):
            result.failed.append(Failure(bid, ws.failures.get(bid, [])))
            self.emit("failed", f"{bid} (web)")
            return
        from ..render.html import PageContext

        state = ws.state(bid)
        folder = self.layout.site_folder(bid)
        try:
            archived = self.archive(bid)
        except ContentError as exc:
            result.failed.append(Failure(bid, list(exc.diagnostics)))
            self.emit("failed", f"{bid} (web)")
            return
        deps = {"briefgen": __version__, "briefing": state.deps_digest, "profile": PROFILE,
                "templates": self.templates}
        deps["site"] = self.site.base_url or ""
        for d in downloads:
            deps[f"pdf:{d.profile}"] = _file_digest(self.layout.pdf(bid, d.profile))
        if archived:
            deps["editions"] = digest([[e.name, e.sha256, e.note] for e in archived])
        there = all((folder / name).is_file() for name in PAGE_FILES) and all(
            (folder / d.href).is_file() for d in downloads) and all(
            (folder / _edition_href(e.name)).is_file() for e in archived)
        if not self.force and there and not _changed(manifest.pages.get(bid), deps):
            result.unchanged.append(bid)
            self.emit("unchanged", f"{bid} (web)")
            return
        self.emit("start", f"{bid} (web)")
        doc = ws.document(bid)
        brand = ws.brand_of(bid).for_language(doc.language)
        context = PageContext(self.site, downloads, _facts_as_of(ws, doc),
                              self.edition_links(bid))
        try:
            copies = {_edition_href(e.name): verified(e) for e in archived}
            files = self.renderer.page(doc, brand, context)
        except (RenderError, ContentError) as exc:
            errors = list(getattr(exc, "diagnostics", [])) or \
                [Diagnostic(doc.origin, "", str(exc))]
            result.failed.append(Failure(bid, errors))
            self.emit("failed", f"{bid} (web)")
            return
        for name, data in {**files, **copies}.items():
            self.write(f"page:{bid}", folder / name, data)
        # copies of editions no longer published go once the page is written (see settle)
        self.cleanups.append((f"page:{bid}", folder, set(copies)))
        for profile, name in PDF_NAMES.items():
            target = folder / name.format(id=bid)
            if any(d.profile == profile for d in downloads):
                self.link(f"page:{bid}", self.layout.pdf(bid, profile), target)
            elif target.is_file() and not target.is_symlink():
                target.unlink()  # no longer up to date: never offer a stale PDF
        manifest.pages[bid] = deps
        result.built.append(bid)
        result.outputs[bid] = (folder / PAGE).relative_to(self.layout.root).as_posix()

    def archive(self, bid: str) -> list[Archived]:
        """The briefing's editions (read once per build; ContentError: a damaged one)."""
        if bid not in self.archives:
            try:
                self.archives[bid] = archive(self.layout, bid)
            except ContentError as exc:
                self.archives[bid] = exc
        found = self.archives[bid]
        if isinstance(found, ContentError):
            raise found
        return found

    def edition_links(self, bid: str) -> tuple[EditionLink, ...]:
        from ..render.html import EditionLink

        return tuple(EditionLink(e.name, e.published, e.note, _edition_href(e.name), e.size)
                     for e in self.archive(bid))

    def brands(self) -> set[str]:
        """The web names of the brands the pages use (a translated edition's is the brand
        of its language: ``default.my``, with that language's fonts)."""
        used = set()
        for bid in self.ws.ids:
            if self.ws.ok(bid):
                state = self.ws.state(bid)
                used.add(self.ws.brands[state.brand].for_language(state.language).web_name)
        index = self.index_brand()
        return used | ({index} if index else set())

    def kept_brands(self) -> set[str]:
        """The web names of the brands of pages that fail now but stay on the site in their
        previous version: their stylesheet and fonts stay too."""
        kept = set()
        for bid in self.ws.ids:
            state = self.ws.state(bid)
            if not self.ws.ok(bid) and state.brand in self.ws.brands and \
                    (self.layout.site_folder(bid) / PAGE).is_file():
                language = state.language or ""
                kept.add(self.ws.brands[state.brand].for_language(language).web_name)
        return kept

    def index_brand(self) -> str | None:
        """The index is set in the "default" brand when there is one, else in the brand
        most briefings use."""
        if "default" in self.ws.brands:
            return "default"
        counts: dict[str, int] = {}
        for bid in self.ws.ids:
            state = self.ws.state(bid)
            if state.ok and state.brand in self.ws.brands:
                counts[state.brand] = counts.get(state.brand, 0) + 1
        return max(sorted(counts), key=lambda b: counts[b]) if counts else None

    @property
    def forced(self) -> bool:
        """``--force`` rebuilds what every page shares (stylesheets, web fonts, the index)
        only for the whole site: with named briefings it forces their pages, and the shared
        files are made again only when out of date or missing (a brand's web fonts take
        seconds to subset and compress)."""
        return self.force and not self.ids

    def brand_assets(self, name: str, manifest: SiteManifest) -> None:
        from ..render.html.assets import subset_plan
        from ..render.html.fonts import RECIPE, licence_files, web_faces

        base, _, language = name.partition(".")
        brand = self.ws.brands[base]
        brand = brand.for_language(language) if language else brand
        states = [self.ws.state(b) for b in self.ws.ids]
        states = [s for s in states if s.ok and s.brand == base and
                  self.ws.brands[base].for_language(s.language).web_name == name]
        _, charset, extra = subset_plan([s.chars for s in states],
                                        {f for s in states for f in s.styles})
        deps = {"briefgen": __version__,
                f"brand:{name}": digest(brand.sheet.model_dump(mode="json")),
                "charset": charset, "faces": ",".join(sorted(extra)), "recipe": RECIPE,
                "templates": self.templates}
        for faces in brand.font_paths.values():
            for path in faces.values():
                deps[f"font:{path.name}"] = brand.fonts[path].digest
        folder = self.layout.site_assets(name)
        key = f"brand:{name}"
        files = ["site.css", *(f.file for f in web_faces(brand, charset, extra)),
                 *licence_files(brand)]
        if not self.forced and all((folder / rel).is_file() for rel in files) and \
                not _changed(manifest.shared.get(key), deps):
            return
        files = self.renderer.brand_assets(brand, [s.chars for s in states],
                                           {f for s in states for f in s.styles})
        for rel, data in files.items():
            self.write(key, folder / rel, data)
        fonts = folder / "fonts"
        if fonts.is_dir():  # subsets of an earlier character set or font
            for path in fonts.iterdir():
                if path.is_file() and f"fonts/{path.name}" not in files and \
                        path.suffix in (".woff2", ".txt"):
                    path.unlink()
        manifest.shared[key] = deps

    def index(self, manifest: SiteManifest, downloads: dict[str, tuple]) -> None:
        from ..render.html.page import entry_of

        ws, layout = self.ws, self.layout
        name = self.index_brand()
        if name is None or self.site.publisher is None:
            return
        broken = [bid for bid in ws.ids if not ws.ok(bid) or
                  isinstance(self.archives.get(bid), ContentError)]
        for bid in ws.ids:
            if bid not in broken:
                try:
                    self.archive(bid)
                except ContentError:
                    broken.append(bid)
        if broken and (layout.site / PAGE).is_file():
            self.result.note = (f"the index, feed and sitemap keep their previous version "
                                f"until {', '.join(broken)} can be built")
            return
        entries = [entry_of(ws.state(b), downloads.get(b, ()), self.edition_links(b))
                   for b in ws.ids if b not in broken]
        deps = {f"entry:{e.id}": digest(asdict(e)) for e in entries}
        deps.update({"templates": self.templates, "site": self.site.base_url or "",
                     "publisher": digest(self.site.publisher.model_dump(mode="json")),
                     f"brand:{name}": digest(ws.brands[name].sheet.model_dump(mode="json"))})
        there = all((layout.site / n).is_file() for n in (PAGE, "feed.xml"))
        if not self.forced and there and not _changed(manifest.shared.get("index"), deps):
            return
        files = self.renderer.index(entries, ws.brands[name], self.site)
        for rel, data in files.items():
            self.write("index", layout.site / rel, data)
        sitemap = layout.site / "sitemap.xml"
        if "sitemap.xml" not in files and sitemap.is_file() and not sitemap.is_symlink():
            sitemap.unlink()
        manifest.shared["index"] = deps

    def remove_deleted(self, manifest: SiteManifest) -> None:
        """Pages of specs that no longer exist, and assets of brands no page uses. Paths are
        worked out from ids, never read from the manifest."""
        for bid in sorted(manifest.pages):
            if bid in self.ws.ids:
                continue
            folder = self.layout.site_folder(bid)
            for name in (*PAGE_FILES, *(n.format(id=bid) for n in PDF_NAMES.values())):
                path = folder / name
                with contextlib.suppress(FileNotFoundError):
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
            _remove_edition_copies(folder, set())
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if nothing else is in it
            del manifest.pages[bid]
            self.result.removed.append(bid)
            self.emit("removed", f"{bid} (web)")
        used = self.brands() | self.kept_brands()
        for key in sorted(manifest.shared):
            kind, _, name = key.partition(":")
            if kind != "brand" or name in used or not _id_ok(name):
                continue
            folder = self.layout.site_assets(name)
            for path in [folder / "site.css", *sorted((folder / "fonts").glob("*"))]:
                with contextlib.suppress(FileNotFoundError):
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
            for empty in (folder / "fonts", folder):
                with contextlib.suppress(OSError):
                    empty.rmdir()
            del manifest.shared[key]

    # .................................................................. writing
    def write(self, key: str, path: Path, data: bytes) -> None:
        if _same(path, data):
            return
        self.writes.append((key, path, self.pool.submit(write_atomic, path, data)))

    def link(self, key: str, source: Path, target: Path) -> None:
        """The PDF beside its page: a hard link (no copy, no second fsync) where the file
        system allows one, else a copy; atomic either way."""
        if target.is_file() and (os.path.samefile(source, target) or
                                 _same(target, source.read_bytes())):
            return
        self.writes.append((key, target, self.pool.submit(_link_atomic, source, target)))

    def settle(self) -> set[str]:
        """Wait for the writes; a page whose file could not be written fails (and is tried
        again by the next build), as does the index or a brand's assets."""
        failed: set[str] = set()
        for key, path, future in self.writes:
            try:
                future.result()
            except OSError as exc:
                failed.add(key)
                rel = path.relative_to(self.layout.root).as_posix()
                diag = Diagnostic(Location(rel), "", why(exc))
                bid = key[5:] if key.startswith("page:") else key
                if bid in self.result.built:
                    self.result.built.remove(bid)
                    self.result.outputs.pop(bid, None)
                self.result.failed.append(Failure(bid if key.startswith("page:") else
                                                  f"web {key}", [diag]))
                self.emit("failed", f"{bid} (web)")
        # only after every write is done (a folder emptied while a writer thread had just
        # made it failed the page: seen in CI), and only for pages that were written: a
        # page that failed keeps its previous version, with the copies it links to
        for key, folder, keep in self.cleanups:
            if key not in failed:
                _remove_edition_copies(folder, keep)
        for bid in self.result.built:
            self.emit("built", f"{bid} (web)")
        return failed


def _edition_href(name: str) -> str:
    return f"{EDITIONS}/{name}.pdf"


def _remove_edition_copies(folder: Path, keep: set[str]) -> None:
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


def _link_atomic(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    try:
        os.link(source, temp)
    except OSError:
        write_atomic(target, source.read_bytes())
        return
    try:
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"


def _folder_digest(folder: Path) -> str:
    h = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def _facts_as_of(ws: Workspace, doc: Document):
    dates = [ws.base.facts[k].fact.as_of for k in sorted(doc.used_facts) if k in ws.base.facts]
    if not dates:
        return None
    return min(dates, key=lambda d: (d.earliest, d.iso())), \
        max(dates, key=lambda d: (d.earliest, d.iso()))
