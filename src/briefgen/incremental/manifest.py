"""What each built PDF depended on, hashed input by input, kept in ``dist/.briefgen``.

A briefing's inputs are its spec, each fact and source it used (hashed on that fact's or
source's own content, not on the whole file), the countries each of its lists selected, the
publisher, the brand sheet chain and its fonts, the output profile and the briefgen version.
Editing one fact therefore rebuilds exactly the briefings that use it, and reformatting a
YAML file without changing a value rebuilds nothing.

Each entry also records the PDF it wrote: its SHA-256, and its size and mtime_ns as written.
A PDF is never taken on trust: a build compares its size and mtime_ns with the record (a
stat, no reading), and one that differs is suspect and hashed; other bytes than those
written are rendered again ("was changed outside briefgen"), the same bytes with a new time
(a ``touch``, a copy) only refresh the record, so the next build is fast again. What a stat
cannot see (other bytes of the same size with the time put back) is seen wherever a file is
read by its bytes: a build of named briefings (``build ID``, ``publish``, ``mail``) hashes
their PDFs whatever the stat says, and ``publish`` freezes a PDF only if its SHA-256 is the
one recorded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..files import read_json, write_atomic
from ..ids import check_output_id

if TYPE_CHECKING:
    from ..resolve.model import Document

FORMAT = 3  # 2: no output paths (they are worked out from the id); 3: what was written

#: what :func:`check_written` finds wrong with an output
MISSING = "missing"  # no file there (or a folder, or one that cannot be read)
CHANGED = "changed"  # other bytes than those written

#: an output as written: [SHA-256 (hex), size, mtime_ns]
Written = list
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def written(data: bytes, st: os.stat_result) -> Written:
    """The record of ``data`` just written to a file whose stat is ``st``."""
    return [hashlib.sha256(data).hexdigest(), st.st_size, st.st_mtime_ns]


def written_ok(value: Any) -> bool:
    return type(value) is list and len(value) == 3 and type(value[0]) is str and \
        type(value[1]) is int and type(value[2]) is int and value[1] >= 0 and \
        _SHA256.fullmatch(value[0]) is not None


def check_written(path: Path, record: Written, *,
                  trust_stat: bool = True) -> tuple[str | None, Written | None]:
    """(problem, refreshed record) of the output at ``path`` against its record: problem
    None when the file holds the bytes written, :data:`MISSING` or :data:`CHANGED`.

    Size and mtime_ns as recorded are believed (``trust_stat``) without reading a byte;
    otherwise the file is hashed. Same bytes with another stat (a ``touch``, a copy) give
    the record with the new stat, for the caller to keep: later builds then trust it again.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return MISSING, None
    if not stat.S_ISREG(st.st_mode):  # a folder, or a link: made again
        return MISSING, None
    sha, size, mtime = record
    if st.st_size != size:
        return CHANGED, None  # other bytes, whatever they are: no need to read them
    if trust_stat and st.st_mtime_ns == mtime:
        return None, None
    try:
        with open(path, "rb") as fh:
            before = os.fstat(fh.fileno())
            found = hashlib.file_digest(fh, "sha256").hexdigest()
            after = os.fstat(fh.fileno())
    except OSError:
        return MISSING, None
    if found != sha or (before.st_size, before.st_mtime_ns) != \
            (after.st_size, after.st_mtime_ns):  # other bytes, or being written right now
        return CHANGED, None
    if (after.st_size, after.st_mtime_ns) == (size, mtime):
        return None, None
    return None, [sha, after.st_size, after.st_mtime_ns]


def digest(value: Any) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def dependencies(doc: Document, record, base, brand, memo: dict[str, str]) -> dict[str, str]:
    """Every input of one briefing, each with the hash of its own content (the build adds
    the profile). ``memo`` keeps fact and source hashes: many briefings share them."""
    from ..resolve.model import CountryListBlock

    deps = {"briefgen": __version__,
            f"spec:{doc.id}": digest(record.spec.model_dump(mode="json")),
            "publisher": digest(base.publisher.model_dump(mode="json"))}
    for key in sorted(doc.used_facts):
        if f"fact:{key}" not in memo:
            frec = base.facts[key]
            memo[f"fact:{key}"] = digest([frec.entity.name, frec.fact.model_dump(mode="json")])
        deps[f"fact:{key}"] = memo[f"fact:{key}"]
    for sid in sorted(doc.used_sources):
        if f"source:{sid}" not in memo:
            memo[f"source:{sid}"] = digest(base.sources[sid].source.model_dump(mode="json"))
        deps[f"source:{sid}"] = memo[f"source:{sid}"]
    for block in doc.blocks:
        if isinstance(block, CountryListBlock):
            deps[f"list:{block.id}"] = digest([e.id for e in block.entries])
    deps[f"strings:{doc.language}"] = digest(doc.strings.model_dump(mode="json"))
    deps.update(doc.text_inputs)  # the translations an edition printed
    deps[f"brand:{brand.name}"] = digest(brand.sheet.model_dump(mode="json"))
    for faces in brand.font_paths.values():
        for path in faces.values():
            deps[f"font:{path.name}"] = brand.fonts[path].digest
    return deps


def summary_path(manifest: Path) -> Path:
    """Beside the manifest: its stamps and the ids it has built, for the no-op build."""
    return manifest.with_name(manifest.stem + "-summary.json")


def _id_ok(value: Any) -> bool:
    try:
        return isinstance(value, str) and bool(check_output_id(value))
    except ValueError:
        return False


def tree_stamp(root: Path, folders: list[Path], profile: str,
               extra: list[Path] = ()) -> str:
    """One hash of every file under ``folders`` (path and bytes), the profile and version.

    When it equals the stamp saved by the last clean build, no input can have changed, so a
    no-op build can say so without parsing a single YAML file. Any difference, even a
    reformatted file, falls back to the fact-level comparison.
    """
    h = hashlib.sha256(f"{__version__}\0{profile}\0".encode())
    home = os.path.realpath(root)
    paths = [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()]
    for path in [*paths, *(p for p in extra if p.is_file())]:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        real = os.path.realpath(path)
        if not real.startswith(home + os.sep):  # a link out: where it leads, never read
            h.update(f"link\0{real}".encode())
            continue
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def folder_digest(folder: Path) -> str:
    """The web templates' files, by content; a link out of the project is hashed by where
    it leads, never read (the templates that use it fail, located, when they load it)."""
    h = hashlib.sha256()
    home = os.path.realpath(folder.parent.parent)
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0")
            real = os.path.realpath(path)
            if not real.startswith(home + os.sep):
                h.update(f"link\0{real}".encode())
                continue
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:16]


def _stat_ok(value: Any) -> bool:
    """[size, mtime_ns]"""
    return isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value) \
        and value[0] >= 0


def _entry_ok(key: Any, value: Any) -> bool:
    if not isinstance(key, str) or not isinstance(value, dict):
        return False
    profile, _, bid = key.partition(":")
    try:
        check_output_id(bid)  # a briefing's id, or an edition's (military-cooperation.my)
    except ValueError:
        return False
    deps = value.get("deps")
    return profile in ("screen", "print") and isinstance(deps, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in deps.items()) and \
        written_ok(value.get("out"))


def _deps_digest(deps: dict[str, str]) -> str:
    return digest({k: v for k, v in deps.items() if k != "profile"})


def _entry(value: dict, whole: bool) -> dict[str, Any]:
    """An entry as read: the same input names and hashes recur in every entry (one string
    each). The digest of its inputs is kept when the file is whole (worked out again for
    every entry, it cost 0.03 s of each build at 1,000 briefings)."""
    entry: dict[str, Any] = {"deps": {sys.intern(a): sys.intern(b)
                                      for a, b in value["deps"].items()},
                             "out": value["out"]}
    if whole and isinstance(value.get("digest"), str):
        entry["digest"] = value["digest"]
    return entry


def _summary(manifest: Path) -> dict:
    """The summary beside ``manifest`` as written (empty when missing, damaged or old); it
    speaks for the manifest only if its ``manifest`` hash is that of the manifest's bytes."""
    try:
        data = json.loads(summary_path(manifest).read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


@dataclass
class Manifest:
    """What the last builds used. Only ever a guide to what to rebuild: a damaged or
    tampered manifest means a full rebuild, and no path is ever read from it."""

    path: Path
    briefings: dict[str, dict[str, Any]]
    note: str | None = None  # why the old manifest was not used, if it was not
    stamps: dict[str, str] = field(default_factory=dict)  # profile -> tree_stamp of a clean build
    ignored: int = 0  # entries dropped because they were not understood
    #: the summary written after the manifest vouches for its bytes: the digests and the
    #: outputs' stats in it are believed (else each output is hashed)
    whole: bool = False

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.is_file():
            return cls(path, {}, "no manifest yet")
        try:
            raw = path.read_bytes()
            data = read_json(path, raw)
            if not isinstance(data, dict) or data.get("format") != FORMAT or \
                    not isinstance(data.get("briefings"), dict):
                return cls(path, {}, "manifest has an old format")
            entries = data["briefings"]
            # the digests written with the entries are used only if the summary written
            # after them speaks for these very bytes: an entry edited since (or a build
            # killed between the two writes) has its digest worked out again
            whole = _summary(path).get("manifest") == hashlib.sha256(raw).hexdigest()
            good = {k: _entry(v, whole) for k, v in entries.items() if _entry_ok(k, v)}
            stamps = data.get("stamps", {})
            stamps = {k: v for k, v in stamps.items() if isinstance(v, str)} \
                if isinstance(stamps, dict) else {}
            return cls(path, good, stamps=stamps, ignored=len(entries) - len(good),
                       whole=whole)
        except (OSError, ValueError, AttributeError, TypeError):
            return cls(path, {}, "manifest is unreadable")

    def ids(self, profile: str) -> list[str]:
        prefix = f"{profile}:"
        return sorted(k[len(prefix):] for k in self.briefings if k.startswith(prefix))

    def record(self, profile: str, bid: str, deps: dict[str, str], out: Written) -> None:
        """``bid`` was built for ``profile`` from ``deps`` and its PDF is ``out``."""
        self.briefings[f"{profile}:{bid}"] = {"deps": deps, "digest": _deps_digest(deps),
                                              "out": out}

    def output_problem(self, key: str, path: Path, *, verify: bool = False,
                       refresh: bool = True) -> str | None:
        """What is wrong with the PDF of entry ``key`` at ``path`` (worked out from the id,
        never read from here): None when it holds the bytes written, :data:`MISSING` or
        :data:`CHANGED`. Its size and mtime_ns are believed when the summary vouches for the
        manifest and not ``verify``; otherwise, or when they differ, it is hashed. Same bytes
        with a new time refresh the record (``refresh``; saved with the manifest)."""
        entry = self.briefings.get(key)
        if entry is None:  # nothing to judge it by (the callers ask only of entries)
            return MISSING
        problem, fresh = check_written(path, entry["out"], trust_stat=self.whole and not verify)
        if fresh is not None and refresh:
            entry["out"] = fresh
        return problem

    def written(self, key: str) -> Written | None:
        entry = self.briefings.get(key)
        return entry["out"] if entry is not None else None

    def forget(self, profile: str, bid: str) -> None:
        self.briefings.pop(f"{profile}:{bid}", None)

    def save(self) -> None:
        # no indent: with one, json encodes in Python rather than C (0.4 s at 1,000)
        body = json.dumps({"format": FORMAT, "briefings": self.briefings,
                           "stamps": self.stamps}, sort_keys=True, separators=(",", ":"))
        # the summary goes first and comes back last: killed in between, the next build
        # finds none and reads the manifest itself
        with contextlib.suppress(FileNotFoundError):
            summary_path(self.path).unlink()
        data = body.encode()
        write_atomic(self.path, data)
        outputs: dict[str, dict[str, list[int]]] = {}
        for key, entry in self.briefings.items():
            profile, _, bid = key.partition(":")
            outputs.setdefault(profile, {})[bid] = entry["out"][1:]
        summary = {"format": FORMAT, "stamps": self.stamps,
                   "manifest": hashlib.sha256(data).hexdigest(), "outputs": outputs}
        with contextlib.suppress(OSError):  # only a shortcut: without it, the manifest is read
            write_atomic(summary_path(self.path), json.dumps(summary, sort_keys=True).encode())

    @staticmethod
    def summary(path: Path) -> tuple[dict[str, str], dict[str, dict[str, list[int]]], bool]:
        """(stamps, the size and mtime_ns of each output by profile and id, vouched) of the
        manifest at ``path``, from the small file beside it, which holds the hash of the
        manifest it describes (hashing the manifest's 3 MB at 1,000 briefings costs a few
        milliseconds; decoding them, a tenth of a second). A missing, damaged or outdated
        summary reads the manifest instead, and is not ``vouched``: its outputs' stats are
        not to be believed."""
        data = _summary(path)
        try:
            # it speaks for this manifest only: a damaged or replaced one is read itself
            if data.get("manifest") == hashlib.sha256(path.read_bytes()).hexdigest() and \
                    isinstance(data.get("stamps"), dict) and \
                    isinstance(data.get("outputs"), dict):
                stamps = {str(k): v for k, v in data["stamps"].items() if isinstance(v, str)}
                outputs = {str(k): {b: s for b, s in v.items() if _id_ok(b) and _stat_ok(s)}
                           for k, v in data["outputs"].items() if isinstance(v, dict)}
                # every output or none: one left out would never be looked at
                if sum(map(len, outputs.values())) == \
                        sum(len(v) for v in data["outputs"].values()):
                    return stamps, outputs, True
        except (OSError, ValueError, TypeError, AttributeError):
            pass
        manifest = Manifest.load(path)
        outputs = {}
        for key, entry in manifest.briefings.items():
            profile, _, bid = key.partition(":")
            outputs.setdefault(profile, {})[bid] = entry["out"][1:]
        return dict(manifest.stamps), outputs, False

    def profiles(self) -> list[str]:
        return sorted({key.partition(":")[0] for key in self.briefings})

    def deps_digest(self, key: str) -> str | None:
        """The digest of an entry's dependencies without the profile (as a briefing's state
        in the index keeps them), or None when there is no entry."""
        entry = self.briefings.get(key)
        if entry is None:
            return None
        return entry.get("digest") or _deps_digest(entry["deps"])

    def changes(self, bid: str, deps: dict[str, str]) -> list[tuple[str, str | None, str | None]]:
        """(input, old hash, new hash) for every input that differs from the last build."""
        old = self.briefings.get(bid, {}).get("deps", {})
        keys = sorted(set(old) | set(deps))
        return [(k, old.get(k), deps.get(k)) for k in keys if old.get(k) != deps.get(k)]
