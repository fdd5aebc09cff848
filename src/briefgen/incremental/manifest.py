"""What each built PDF depended on, hashed input by input, kept in ``dist/.briefgen``.

A briefing's inputs are its spec, each fact and source it used (hashed on that fact's or
source's own content, not on the whole file), the countries each of its lists selected, the
publisher, the brand sheet chain and its fonts, the output profile and the briefgen version.
Editing one fact therefore rebuilds exactly the briefings that use it, and reformatting a
YAML file without changing a value rebuilds nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..files import write_atomic

if TYPE_CHECKING:
    from ..resolve.model import Document

FORMAT = 1


def digest(value: Any) -> str:
    data = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


_FILE_HASHES: dict[tuple[Path, int, int], str] = {}


def file_digest(path: Path) -> str:
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return _FILE_HASHES[key]


def dependencies(doc: Document, project, brand, profile: str) -> dict[str, str]:
    """Every input of one briefing, each with the hash of its own content."""
    from ..resolve.model import CountryListBlock

    base = project.base
    rec = project.briefings[doc.id]
    deps = {"briefgen": __version__, "profile": profile,
            f"spec:{doc.id}": digest(rec.spec.model_dump(mode="json")),
            "publisher": digest(base.publisher.model_dump(mode="json"))}
    memo = project.digests  # facts and sources are shared by many briefings: hash each once
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
    deps[f"brand:{brand.name}"] = digest(brand.sheet.model_dump(mode="json"))
    for faces in brand.font_paths.values():
        for path in faces.values():
            deps[f"font:{path.name}"] = file_digest(path)
    return deps


def tree_stamp(root: Path, folders: list[Path], profile: str) -> str:
    """One hash of every file under ``folders`` (path and bytes), the profile and version.

    When it equals the stamp saved by the last clean build, no input can have changed, so a
    no-op build can say so without parsing a single YAML file. Any difference, even a
    reformatted file, falls back to the fact-level comparison.
    """
    h = hashlib.sha256(f"{__version__}\0{profile}\0".encode())
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@dataclass
class Manifest:
    path: Path
    briefings: dict[str, dict[str, Any]]
    note: str | None = None  # why the old manifest was not used, if it was not
    stamps: dict[str, str] = field(default_factory=dict)  # profile -> tree_stamp of a clean build

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.is_file():
            return cls(path, {}, "no manifest yet")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or not isinstance(data.get("briefings"), dict):
                return cls(path, {}, "manifest has an old format")
            stamps = data.get("stamps", {})
            return cls(path, data["briefings"], stamps=stamps if isinstance(stamps, dict) else {})
        except (OSError, ValueError, AttributeError):
            return cls(path, {}, "manifest is unreadable")

    def save(self) -> None:
        body = json.dumps({"format": FORMAT, "briefings": self.briefings,
                           "stamps": self.stamps}, indent=1,
                          sort_keys=True)
        write_atomic(self.path, body.encode())

    def changes(self, bid: str, deps: dict[str, str]) -> list[tuple[str, str | None, str | None]]:
        """(input, old hash, new hash) for every input that differs from the last build."""
        old = self.briefings.get(bid, {}).get("deps", {})
        keys = sorted(set(old) | set(deps))
        return [(k, old.get(k), deps.get(k)) for k in keys if old.get(k) != deps.get(k)]
