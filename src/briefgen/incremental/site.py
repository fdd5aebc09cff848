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
briefing, and nothing is rendered from a briefing with errors). So does a briefing whose PDF
could not be written in this build, or whose up-to-date PDF is missing or was changed
outside briefgen: its page never loses, nor offers, a PDF that is not the one built. A page
that fails where ``check`` cannot see (its share image, a file that cannot be written)
keeps its previous version in the same way: its files are written all or none, its old PDF
copies go only once the new page is written, and the index waits for the pages to settle.

Like the PDFs' manifest, this one records every file it writes: under what it was written
for (``page:<id>``, ``brand:<name>``, ``index``), each file's name (from the fixed set of
names that key writes; the folder comes from the id) and its SHA-256, size and mtime_ns.
A file whose stat differs from the record is hashed: other bytes are made again ("was
changed outside briefgen"), the same bytes refresh the record. The no-op path compares the
stat of every file recorded; a build of named briefings hashes their pages' files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..editions.archive import Archived, archive, verified
from ..errors import ContentError, Diagnostic, Location, OutputError, RenderError
from ..files import OwnFolders, build_lock, remove_stray_temporaries, why
from ..load.project import Layout, find_root
from .builder import BuildResult, Event, Failure
from .manifest import (
    CHANGED,
    Manifest,
    check_written,
    digest,
    folder_digest,
    tree_stamp,
)
from .site_manifest import (
    EDITIONS,
    PAGE,
    PAGE_FILES,
    PDF_NAMES,
    PROFILE,
    SiteManifest,
    id_ok,
    output_folder,
    outputs_intact,
    pdf_stat,
)
from .site_writes import SiteWriter, remove_edition_copies

if TYPE_CHECKING:
    from ..render.html import Download, EditionLink, HtmlRenderer
    from ..resolve.model import Document
    from ..workspace import Workspace



def _changed(old: dict[str, str] | None, new: dict[str, str]) -> bool:
    return old != new


class SiteBuild:
    """Started before the project is read (so that the stamp of the inputs describes what
    the build saw, even if a file is saved meanwhile), finished after the PDFs."""

    def __init__(self, root: Path, ids: list[str] | None = None, *, force: bool = False,
                 on_event: Event | None = None):
        self.layout = Layout(find_root(Path(root)))
        self.ids, self.force = ids, force
        self.emit = on_event or (lambda event, bid: None)
        self.inputs: str | None = None
        #: briefings whose PDF failed in this build, with why: their pages are not built
        self.pdf_failures: dict[str, list[Diagnostic]] = {}
        if not ids and not force:
            with contextlib.suppress(OSError):
                folders, extra = self.layout.inputs()
                self.inputs = tree_stamp(self.layout.root, folders, PROFILE, extra)

    def finish(self, results: dict[str, BuildResult],
               workspace: Workspace | None) -> dict[str, BuildResult]:
        for result in results.values():
            for fail in result.failed:
                self.pdf_failures.setdefault(fail.id, list(fail.errors))
        results["html"] = self.run(workspace)
        return results

    def run(self, workspace: Workspace | None = None) -> BuildResult:
        layout = self.layout
        stamp = None
        if self.inputs is not None:
            stamp = hashlib.sha256(f"{self.inputs}\0{pdf_stat(layout)}".encode()).hexdigest()
            manifest = SiteManifest.load(layout.site_manifest)
            if manifest.stamp == stamp and outputs_intact(layout, manifest):
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
            return _Site(workspace, self.ids, self.force, self.emit,
                         self.pdf_failures).build(stamp)


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
    def __init__(self, ws: Workspace, ids: list[str] | None, force: bool, emit: Event,
                 pdf_failures: dict[str, list[Diagnostic]] | None = None):
        from ..render import renderer

        self.ws, self.layout, self.force, self.emit = ws, ws.layout, force, emit
        self.ids = ids
        #: named briefings: their pages' files and PDFs are hashed, not judged by stat
        self.verify = set(ids or ())
        self.pdf_failures = pdf_failures or {}
        self.renderer: HtmlRenderer = renderer("html")  # type: ignore[assignment]
        self.result = BuildResult(PROFILE)
        self.pdfs = Manifest.load(self.layout.manifest)
        self.archives: dict[str, list[Archived] | ContentError] = {}
        #: web names of the brands whose stylesheet and web fonts could not be made now
        self.failed_brands: set[str] = set()
        self.own = OwnFolders(self.layout.dist)  # no link under dist/ is followed
        self.writer = SiteWriter(self.layout, self.own)
        from ..render.html import SiteContext

        publisher = ws.base.publisher
        base = publisher.site.base_url if publisher is not None and publisher.site else None
        self.site = SiteContext(base_url=base, publisher=publisher)
        self.templates = folder_digest(self.layout.web_templates)

    # .................................................................. the plan
    def build(self, stamp: str | None) -> BuildResult:
        ws, layout, result = self.ws, self.layout, self.result
        blocking = {str(d) for fails in ws.failures.values() for d in fails}
        # what stops the site but no single page: the fact base, the brands, the web
        # templates (the mail settings are `mail`'s, and `check`'s, to report)
        result.shared_errors = [d for d in [*ws.shared, *ws.web_errors]
                                if d.is_error and str(d) not in blocking]
        for folder in (layout.site, layout.pdf_folder("print")):  # links replaced first:
            self.own.folder(folder)  # nothing below is looked for through one
        if layout.site.is_dir():
            for entry in os.scandir(layout.site):
                if entry.is_symlink():
                    self.own.folder(Path(entry.path))
        folders = [layout.site, *[p for p in layout.site.rglob("*") if p.is_dir()]] \
            if layout.site.is_dir() else []
        remove_stray_temporaries(folders)
        manifest = SiteManifest.load(layout.site_manifest)
        failed: set[str] = set()
        try:
            downloads: dict[str, tuple[Download, ...] | list[Diagnostic]] = {
                bid: self.downloads(bid) for bid in ws.ids if ws.ok(bid)}
            for brand in sorted(self.brands()):  # first: a page needs its brand's fonts
                self.brand_assets(brand, manifest)
            for bid in self.ids or ws.ids:
                self.page(bid, manifest, downloads.get(bid, ()))
            failed = self.settle()  # the pages written, or failed, before the index is judged
            self.index(manifest, downloads)
            if not self.ids:
                self.remove_deleted(manifest)
        finally:
            failed |= self.settle()
            self.writer.shutdown()
            for bid in self.result.built:
                self.emit("built", f"{bid} (web)")
        for key in failed:
            if key.startswith("page:"):
                manifest.pages.pop(key[5:], None)
            else:
                manifest.shared.pop(key, None)
            manifest.outputs.pop(key, None)
        for key, files in self.writer.written.items():  # a key's files, when written
            if key not in failed:
                manifest.outputs[key] = files
        ok = result.ok and not self.ids
        manifest.stamp = stamp if ok else None
        try:
            manifest.save()
        except OSError as exc:
            raise OutputError(why(exc, layout.site_manifest)) from None
        result.failed.sort(key=lambda f: f.id)
        return result

    def downloads(self, bid: str) -> tuple[Download, ...] | list[Diagnostic]:
        """The PDFs of ``bid`` built from its current inputs, each checked to be the file
        that was written; or, when one is missing or changed since, why the page cannot be
        built (it keeps its previous version: it must neither lose a PDF nor offer one that
        is not the one built)."""
        from ..render.html import Download

        out = []
        state = self.ws.state(bid)
        for profile, name in PDF_NAMES.items():
            key, path = f"{profile}:{bid}", self.layout.pdf(bid, profile)
            if self.pdfs.deps_digest(key) != state.deps_digest:
                continue  # not built from these inputs (or never): not offered
            problem = self.pdfs.output_problem(key, path, verify=bid in self.verify,
                                               refresh=False)
            if problem is not None:
                rel = path.relative_to(self.layout.root).as_posix()
                what = "was changed outside briefgen" if problem == CHANGED else "is missing"
                return [Diagnostic(Location(rel), "", f"the PDF the web page offers {what} "
                                   "since it was built; build the PDFs again (briefgen build)")]
            record = self.pdfs.written(key)
            out.append(Download(profile, name.format(id=bid), record[1]))
        return tuple(out)

    def intact(self, manifest: SiteManifest, key: str, names: list[str]
               ) -> tuple[bool, str | None]:
        """(all there as written, why not if one was changed): the files ``names`` of
        ``key`` against their records, by stat, hashing those whose stat differs (all of
        them for the pages of named briefings); same bytes with a new time refresh the
        record."""
        records = manifest.outputs.get(key, {})
        folder = output_folder(self.layout, key)
        trust_stat = key.partition(":")[2] not in self.verify or not key.startswith("page:")
        for name in names:
            record = records.get(name)
            if record is None:
                return False, None
            problem, fresh = check_written(self.own(folder / name), record,
                                           trust_stat=trust_stat)
            if problem == CHANGED:
                rel = (folder / name).relative_to(self.layout.root).as_posix()
                return False, f"{rel} was changed outside briefgen"
            if problem is not None:
                return False, None
            if fresh is not None:
                records[name] = fresh
        return True, None

    def page(self, bid: str, manifest: SiteManifest,
             downloads: tuple[Download, ...] | list[Diagnostic]) -> None:
        ws, result = self.ws, self.result
        if not ws.ok(bid):
            result.failed.append(Failure(bid, ws.failures.get(bid, [])))
            self.emit("failed", f"{bid} (web)")
            return
        if bid in self.pdf_failures or isinstance(downloads, list):
            # its PDF could not be written in this build, or is not the one built: the page
            # keeps its previous version, with the PDFs it offers
            why = self.pdf_failures.get(bid) or list(downloads)
            result.failed.append(Failure(bid, why))
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
        for d in downloads:  # the hash the PDF was written with (checked in downloads())
            deps[f"pdf:{d.profile}"] = self.pdfs.written(f"{d.profile}:{bid}")[0][:16]
        if archived:
            deps["editions"] = digest([[e.name, e.sha256, e.note] for e in archived])
        if not self.force and not _changed(manifest.pages.get(bid), deps):
            there, why = self.intact(manifest, f"page:{bid}", [
                *PAGE_FILES, *(d.href for d in downloads),
                *(_edition_href(e.name) for e in archived)])
            if there:
                result.unchanged.append(bid)
                self.emit("unchanged", f"{bid} (web)")
                return
            if why:
                result.repaired[f"{bid} (web)"] = why
        name = ws.brands[state.brand].for_language(state.language).web_name
        if name in self.failed_brands:  # the page would lack letters, or its fonts
            result.failed.append(Failure(bid, [Diagnostic(
                Location(ws.brands[state.brand].display), "",
                f"the page needs the web fonts of brand {name}, which could not be made "
                "(see above)")]))
            self.emit("failed", f"{bid} (web)")
            return
        doc = ws.document(bid)
        if doc is None:  # what the index said of it no longer holds: it fails now
            result.failed.append(Failure(bid, list(ws.states[bid].errors)))
            self.emit("failed", f"{bid} (web)")
            return
        self.emit("start", f"{bid} (web)")
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
        links = []  # the PDFs beside the page, put in place with it
        for profile, name in PDF_NAMES.items():
            target = folder / name.format(id=bid)
            if any(d.profile == profile for d in downloads):
                links.append((self.layout.pdf(bid, profile), target,
                              self.pdfs.written(f"{profile}:{bid}")))
            elif target.is_file() and not target.is_symlink():
                # no longer up to date: never offer a stale PDF (once the page that no
                # longer links to it is written: a page that fails keeps its links whole)
                self.writer.remove_after(f"page:{bid}", target)
        self.writer.write(f"page:{bid}", {folder / name: data for name, data in
                                          {**files, **copies}.items()}, links)
        # copies of editions no longer published go once the page is written (see settle)
        self.writer.remove_copies_after(f"page:{bid}", folder, set(copies))
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
        from ..render.html.context import published_at

        return tuple(EditionLink(e.name, e.published, e.note, _edition_href(e.name), e.size,
                                 published_at(e.pdf.parent))
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

    def kept_brands(self, made: set[str]) -> set[str]:
        """The web names of the brands of pages that fail now but stay on the site in their
        previous version: their stylesheet and fonts stay too. A brand whose sheet has
        errors keeps every name it was made under (``made``: ``default``, ``default.my``)."""
        kept = set()
        for bid in self.ws.ids:
            state = self.ws.state(bid)
            if self.ws.ok(bid) or not state.brand or \
                    not (self.layout.site_folder(bid) / PAGE).is_file():
                continue
            if state.brand in self.ws.brands:
                language = state.language or ""
                kept.add(self.ws.brands[state.brand].for_language(language).web_name)
            else:  # the sheet has errors: which of its names the page used is not known
                kept |= {n for n in made if n.partition(".")[0] == state.brand}
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
        if not self.forced and not _changed(manifest.shared.get(key), deps):
            there, why = self.intact(manifest, key, files)
            if there:
                return
            if why:
                self.result.repaired[f"the stylesheet and fonts of brand {name} (web)"] = why
        try:
            files = self.renderer.brand_assets(brand, [s.chars for s in states],
                                               {f for s in states for f in s.styles})
        except RenderError as exc:  # a font that cannot be read: its files stay as they were
            self.result.failed.append(Failure(f"web {key}", list(exc.diagnostics) or
                                              [Diagnostic(Location(brand.display), "",
                                                          str(exc))]))
            self.emit("failed", f"{key} (web)")
            manifest.shared.pop(key, None)
            self.failed_brands.add(name)
            return
        self.write(key, {folder / rel: data for rel, data in files.items()})
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
        # a page that failed in this build (its template, its share image, writing it)
        # keeps its previous version: the index must not list what that page does not say
        pages_failed = {f.id for f in self.result.failed}
        broken = [bid for bid in ws.ids if not ws.ok(bid) or bid in pages_failed or
                  isinstance(self.archives.get(bid), ContentError) or
                  bid in self.pdf_failures or isinstance(downloads.get(bid), list)]
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
        if name in self.failed_brands:  # set in that brand's stylesheet and fonts
            self.result.note = ("the index, feed and sitemap keep their previous version "
                                f"until the web fonts of brand {name} can be made")
            return
        entries = [entry_of(ws.state(b), downloads.get(b, ()), self.edition_links(b))
                   for b in ws.ids if b not in broken]
        deps = {f"entry:{e.id}": digest(asdict(e)) for e in entries}
        deps.update({"templates": self.templates, "site": self.site.base_url or "",
                     "publisher": digest(self.site.publisher.model_dump(mode="json")),
                     f"brand:{name}": digest(ws.brands[name].sheet.model_dump(mode="json"))})
        if not self.forced and not _changed(manifest.shared.get("index"), deps):
            names = [PAGE, "feed.xml", *(["sitemap.xml"] if self.site.base_url else [])]
            there, why = self.intact(manifest, "index", names)
            if there:
                return
            if why:
                self.result.repaired["the index and feed (web)"] = why
        files = self.renderer.index(entries, ws.brands[name], self.site)
        self.write("index", {layout.site / rel: data for rel, data in files.items()})
        sitemap = layout.site / "sitemap.xml"
        if "sitemap.xml" not in files and sitemap.is_file() and not sitemap.is_symlink():
            sitemap.unlink()
        manifest.shared["index"] = deps

    def remove_deleted(self, manifest: SiteManifest) -> None:
        """Pages of specs that no longer exist, and assets of brands no page uses. Paths are
        worked out from ids, never read from the manifest. While the index, feed and sitemap
        keep their previous version (result.note), the pages they list stay too: removing
        one would leave them linking to a page that is gone."""
        for bid in sorted(manifest.pages):
            if bid in self.ws.ids or self.result.note:
                continue
            folder = self.layout.site_folder(bid)
            for name in (*PAGE_FILES, *(n.format(id=bid) for n in PDF_NAMES.values())):
                path = folder / name
                with contextlib.suppress(FileNotFoundError):
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
            remove_edition_copies(folder, set())
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if nothing else is in it
            del manifest.pages[bid]
            manifest.outputs.pop(f"page:{bid}", None)
            self.result.removed.append(bid)
            self.emit("removed", f"{bid} (web)")
        if self.result.note:  # the pages kept may use a brand no current page uses
            return
        made = {key.partition(":")[2] for key in manifest.shared if key.startswith("brand:")}
        used = self.brands() | self.kept_brands(made)
        for key in sorted(manifest.shared):
            kind, _, name = key.partition(":")
            if kind != "brand" or name in used or not id_ok(name):
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
            manifest.outputs.pop(key, None)

    # .................................................................. writing
    def write(self, key: str, files: dict[Path, bytes]) -> None:
        self.writer.write(key, files)

    def settle(self) -> set[str]:
        """Wait for the writes so far; a page whose file could not be written fails (and is
        tried again by the next build), as does the index or a brand's assets."""
        failed = self.writer.settle()
        for key, diag in failed.items():
            bid = key[5:] if key.startswith("page:") else key
            if bid in self.result.built:
                self.result.built.remove(bid)
                self.result.outputs.pop(bid, None)
            self.result.repaired.pop(f"{bid} (web)", None)  # not made again after all
            self.result.failed.append(Failure(bid if key.startswith("page:") else
                                              f"web {key}", [diag]))
            self.emit("failed", f"{bid} (web)")
        return set(failed)


def _edition_href(name: str) -> str:
    return f"{EDITIONS}/{name}.pdf"


def _facts_as_of(ws: Workspace, doc: Document):
    dates = [ws.base.facts[k].fact.as_of for k in sorted(doc.used_facts) if k in ws.base.facts]
    if not dates:
        return None
    return min(dates, key=lambda d: (d.earliest, d.iso())), \
        max(dates, key=lambda d: (d.earliest, d.iso()))
