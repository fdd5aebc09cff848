"""``briefgen publish``: freeze the current build of a briefing as an edition.

Publishing builds the briefing's PDFs if they are stale (a briefing with errors is never
published: the errors are raised, located), then writes ``editions/<id>/<date>-<n>/``: the
screen and print PDFs, the web page if ``dist/site/<id>/`` was built, the snapshot of the
resolved document and ``edition.json`` (who, when, the note, the hash of every file).

Only the very files the build wrote are frozen: the build before it hashes the briefing's
PDFs and page files and makes again any that were changed outside briefgen (a warning says
so), and each file is read under the build lock and kept only if its SHA-256 is the one the
build recorded for it. A PDF that is not refuses the whole edition (nothing is written); a
page file that is not leaves the page out, with a warning.

The folder is written under a temporary name and renamed when complete, so an edition is
there whole or not at all; a name that exists is never written to (publishing again the
same day makes ``-2``, ``-3``...). A killed publish leaves only a hidden temporary folder,
which the next publish removes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..errors import ContentError, OutputError, UsageError
from ..files import build_lock, why, write_atomic
from ..load.yamlchars import VALUE_BAD, describe_char
from ..validate.types import human_date
from . import store
from .diff import Change, diff
from .snapshot import normalised, same_content, snapshot, to_bytes
from .words import summary

if TYPE_CHECKING:
    from ..workspace import Workspace

PROFILES = ("screen", "print")
METADATA_FORMAT = 1
MAX_NOTE = 1_000


@dataclass
class Published:
    briefing: str
    edition: store.Edition
    #: path inside the edition folder -> SHA-256 of the file
    files: dict[str, str]
    previous: store.Edition | None = None
    #: what changed since the previous edition (None: this is the first)
    changes: list[Change] | None = None
    #: that, in one line for readers (None: nothing they would notice)
    summary: str | None = None
    #: what changed in each translated edition since the previous edition, in one line
    #: each ("military-cooperation.my: 2 changes since edition 2026-11-23-1")
    translations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def now_for_publishing() -> dt.datetime:
    """The time of publishing: ``SOURCE_DATE_EPOCH`` when set (reproducible archives,
    tests), else the local time (its date names the edition; ``edition.json`` records the
    time in UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds "
                             "since 1970") from None
    return dt.datetime.now().astimezone().replace(microsecond=0)


def who_publishes(root: Path) -> str:
    """The git user name of the project, else the login name."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True,
                             text=True, timeout=5, check=False)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "unknown"


def _note(note: str | None) -> str | None:
    if note is None or not note.strip():
        return None
    if "\n" in note.strip() or "\r" in note:
        raise UsageError("--note must be one line")
    bad = VALUE_BAD.search(note)  # it is printed on the pages and in `editions`
    if bad:
        raise UsageError(f"--note holds a {describe_char(bad.group())}: write it without")
    if len(note) > MAX_NOTE:
        raise UsageError(f"--note is {len(note):,} characters long; at most {MAX_NOTE:,}")
    return " ".join(note.split())


def publish(ws: Workspace, bid: str, *, note: str | None = None, by: str | None = None,
            now: dt.datetime | None = None, jobs: int | None = None,
            on_event=None) -> Published:
    """Build ``bid`` if stale and freeze it as a new edition (see the module docstring)."""
    from ..incremental.builder import build_profiles

    ws.require(bid)
    edition = ws.edition_of(bid)
    if edition is not None:  # published with its briefing, only when up to date with it
        raise UsageError(f"{bid} is a translated edition of {edition[0]}: publish "
                         f"{edition[0]}, which publishes its translated editions with it "
                         "(each one that has no errors and is not older than the English)")
    note = _note(note)
    store.editions(ws.layout, bid)  # a folder there that is not an edition: say so first
    state = ws.state(bid)
    if not state.ok:  # with the errors of the files it names, as `build` shows them
        raise ContentError([*state.errors, *(d for d in ws.shared if d.is_error)])
    # its translated editions go in too, those that can be built: a translation that has
    # errors must not hold back the briefing itself, and is named in the warnings
    translated, left_out, stale = [], [], {}
    for eid in ws.ids:
        found = ws.edition_of(eid)
        if found is None or found[0] != bid:
            continue
        older = sum(1 for d in ws.state(eid).warnings if "is older than the English" in d.message)
        if not ws.state(eid).ok:
            left_out.append(eid)
        elif older:  # it would say what the English no longer says
            stale[eid] = older
        else:
            translated.append(eid)
    # the web pages too when the project has a web edition: an edition keeps a page only
    # when it was made from this very build (see _built_files)
    web = ws.layout.site.is_dir()
    results = build_profiles(ws.root, [bid, *translated], profiles=PROFILES, workspace=ws,
                             jobs=jobs, on_event=on_event,
                             formats=("pdf", "html") if web else ("pdf",))
    failed = {f.id: f.errors for key, r in results.items() if key != "html"
              for f in r.failed}
    repaired = {f"rebuilt {what}: {reason}" for r in results.values()
                for what, reason in r.repaired.items()}
    if failed.get(bid):
        raise ContentError(list(failed[bid]))
    left_out += [eid for eid in translated if eid in failed]
    translated = [eid for eid in translated if eid not in failed]
    doc = ws.document(bid)
    state = ws.states[bid]
    if doc is None or not state.ok:  # pragma: no cover - the build above would have failed
        raise ContentError(list(state.errors))
    snap = snapshot(ws, doc)
    notes: list[str] = []
    files = {"snapshot.json": to_bytes(snap),
             **_built_files(ws, bid, state.deps_digest, notes=notes)}
    tsnaps: dict[str, dict] = {}  # translated edition -> its snapshot
    for eid in translated:
        language = ws.edition_of(eid)[1]
        tdoc = ws.document(eid)
        if tdoc is not None:  # each language is snapshotted, so a change in it is known
            tsnaps[eid] = snapshot(ws, tdoc)
            files[store.translated_snapshot(language)] = to_bytes(tsnaps[eid])
        files.update(_built_files(ws, eid, ws.state(eid).deps_digest,
                                  site_as=f"site.{language}", notes=notes))

    now = now or now_for_publishing()
    by = " ".join((by or who_publishes(ws.root)).split()) or "unknown"
    hashes = {rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(files.items())}
    meta = {"format": METADATA_FORMAT, "briefing": bid, "title": doc.title,
            "date": doc.date.isoformat(), "facts_as_of": doc.facts_as_of,
            "published": now.astimezone(dt.UTC).isoformat(), "by": by, "note": note,
            "briefgen": __version__,
            "languages": [doc.language, *(ws.edition_of(e)[1] for e in translated)],
            "files": hashes}
    files[store.METADATA] = (json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=1)
                             + "\n").encode()
    edition, previous = _write(ws, bid, now.date(), files)
    out = Published(bid, edition, hashes, previous)
    out.warnings += sorted(repaired)
    out.warnings += notes
    for eid, older in sorted(stale.items()):
        out.warnings.append(f"{eid} is not in this edition: its translation is older than "
                            f"the English in {older} text{'s' if older != 1 else ''} "
                            f"(`briefgen translate {bid} --lang {ws.edition_of(eid)[1]}`, "
                            "then publish again)")
    for eid in sorted(left_out):
        n = len(ws.state(eid).errors) or len(failed.get(eid, []))
        out.warnings.append(f"{eid} is not in this edition: it has {n} error"
                            f"{'s' if n != 1 else ''} (briefgen check lists them)")
    if previous is not None:
        _compare(out, previous, normalised(snap), doc.date, ws.spec_file(bid))
        for eid, tsnap in tsnaps.items():
            _compare_translated(out, previous, eid, ws.edition_of(eid)[1], normalised(tsnap))
    return out


def _compare_translated(out: Published, previous: store.Edition, eid: str, language: str,
                        new: dict) -> None:
    """A line for ``out.translations``: what changed in the translated edition ``eid``."""
    since = f"since edition {previous.name}"
    try:
        if not previous.has_snapshot(language):
            out.translations.append(f"{eid}: not compared with edition {previous.name}, "
                                    "which kept no snapshot of it")
            return
        old = previous.snapshot(language)
    except ContentError as exc:
        out.translations.append(f"{eid}: not compared with edition {previous.name} (see "
                                "the warning)")
        out.warnings += [f"cannot compare {eid} with {previous.name}: {d}"
                         for d in exc.diagnostics]
        return
    try:
        changes = diff(old, new)
        same = same_content(old, new)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        name = store.translated_snapshot(language)
        out.translations.append(f"{eid}: not compared with edition {previous.name} (see "
                                "the warning)")
        out.warnings += [f"cannot compare {eid} with {previous.name}: {d}"
                         for d in previous.damaged(exc, name).diagnostics]
        return
    if changes:
        n = len(changes)
        out.translations.append(f"{eid}: {n} change{'' if n == 1 else 's'} {since}")
    elif not same:
        out.translations.append(f"{eid}: changed {since}")
    else:
        out.translations.append(f"{eid}: nothing changed {since}")


def _built_files(ws: Workspace, bid: str, digest: str, site_as: str = "site",
                 notes: list[str] | None = None) -> dict[str, bytes]:
    """The PDFs just built (and the web page under ``site_as/``, if it was made from this
    very build), read while no build can write dist/, and only if they are the build of
    this very document. A page that is not is left out, with a line in ``notes``."""
    from ..incremental.manifest import Manifest
    from ..incremental.site_manifest import SiteManifest

    layout = ws.layout
    files: dict[str, bytes] = {}
    with build_lock(layout.state):
        manifest = Manifest.load(layout.manifest)
        for profile in PROFILES:
            path = layout.pdf(bid, profile)
            rel = path.relative_to(layout.dist).as_posix()
            if manifest.deps_digest(f"{profile}:{bid}") != digest:
                raise OutputError(f"dist/{rel} changed while it was being published (another "
                                  "build?); run `briefgen publish` again")
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise OutputError(f"cannot read dist/{rel}: {exc.strerror or exc}") from None
            if hashlib.sha256(data).hexdigest() != manifest.written(f"{profile}:{bid}")[0]:
                raise OutputError(f"dist/{rel} is not the PDF briefgen built for {bid}: it was "
                                  "changed outside briefgen while it was being published "
                                  "(is another program writing to dist/?); nothing was "
                                  f"published. Run `briefgen publish {bid}` again: it builds "
                                  "the PDF again first")
            files[rel] = data
        site = layout.site_folder(bid)
        web = SiteManifest.load(layout.site_manifest)
        page = web.pages.get(bid) or {}
        try:
            fresh = _page_is_of(page, digest, site, bid, files, layout)
            copies = _page_files(web.outputs.get(f"page:{bid}", {}), site) if fresh else None
        except OSError:
            fresh, copies = False, None
        if site.is_dir() and not fresh and notes is not None:
            notes.append(f"the web page of {bid} is not in this edition: it was not made "
                         "from this build (run `briefgen build`, then publish again)")
        elif fresh and copies is None and notes is not None:
            notes.append(f"the web page of {bid} is not in this edition: one of its files was "
                         "changed outside briefgen after the build (run `briefgen build`, "
                         "then publish again)")
        for name, data in (copies or {}).items():
            files[f"{site_as}/{name}"] = data
    return files


def _page_files(records: dict[str, list], site: Path) -> dict[str, bytes] | None:
    """The files of the page folder ``site`` (never through a symlink), or None when one
    the build wrote is missing or not the bytes it wrote (``records``: by name in the
    folder, see ``incremental.site``). Files the build did not write (an image put there by
    hand) are kept as they are, as before."""
    if not records or site.is_symlink() or not site.is_dir():
        return None
    out = {}
    for folder, dirs, names in os.walk(site):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                out[path.relative_to(site).as_posix()] = path.read_bytes()
    for name, record in records.items():
        if name not in out or hashlib.sha256(out[name]).hexdigest() != record[0]:
            return None
    return out


def _page_is_of(page: dict[str, str], digest: str, site: Path, bid: str,
                files: dict[str, bytes], layout) -> bool:
    """Whether the web page in ``site`` was made from the build whose PDFs are ``files``:
    its web manifest entry names this document and these PDFs, and its PDF copies are
    these PDFs."""
    from ..incremental.site_manifest import PDF_NAMES

    def built(profile: str) -> bytes:
        return files[layout.pdf(bid, profile).relative_to(layout.dist).as_posix()]

    if page.get("briefing") != digest:
        return False
    for profile in PROFILES:
        if f"pdf:{profile}" in page and \
                page[f"pdf:{profile}"] != hashlib.sha256(built(profile)).hexdigest()[:16]:
            return False
    for profile, name in PDF_NAMES.items():
        copy = site / name.format(id=bid)
        if copy.is_file() and copy.read_bytes() != built(profile):
            return False
    return True


def _write(ws: Workspace, bid: str, today: dt.date,
           files: dict[str, bytes]) -> tuple[store.Edition, store.Edition | None]:
    """Write the edition under a temporary name, then rename it into place."""
    layout = ws.layout
    folder = layout.briefing_editions(bid)
    with build_lock(layout.publish_lock):
        existing = store.editions(layout, bid)
        previous = existing[-1] if existing else None
        name = store.next_name(existing, today)
        target = layout.edition_folder(bid, name)
        rel = target.relative_to(layout.root).as_posix()
        if target.exists() or target.is_symlink():
            raise OutputError(f"{rel} already exists: a published edition is never "
                              "overwritten; move it aside if it is not one")
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _remove_stray(folder)
            tmp.mkdir()  # the umask's mode (mkdtemp would make it private)
            for path, data in files.items():
                write_atomic(tmp / path, data)
            os.rename(tmp, target)
            _sync(folder)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise OutputError(why(exc, Path(rel))) from None
    return store.Edition(bid, name, target, layout.root), previous


def _remove_stray(folder: Path) -> None:
    """Temporary folders a killed publish left (hidden, ``.<name>.<hex>.tmp``)."""
    for entry in folder.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_dir() \
                and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)


def _sync(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _compare(out: Published, previous: store.Edition, new: dict, date: dt.date,
             spec: str) -> None:
    try:
        old = previous.snapshot()
    except ContentError as exc:
        out.warnings += [f"cannot compare with {previous.name}: {d}" for d in exc.diagnostics]
        return
    try:
        out.changes = diff(old, new)
        out.summary = summary(out.changes, old, new) if out.changes else None
        same = same_content(old, new)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        out.changes = out.summary = None
        out.warnings += [f"cannot compare with {previous.name}: {d}"
                         for d in previous.damaged(exc).diagnostics]
        return
    if not same and old.get("date") == new["date"]:
        out.warnings.append(
            f"this edition has the same date as {previous.name} ({human_date(date)}) but "
            f"different content: readers cannot tell the two apart by their date; set "
            f"`date:` in {spec} before the next edition")
