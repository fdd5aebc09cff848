"""Translations: the files a translator works in, read and checked.

Each language has a folder, ``briefings/translations/<language>/``, that mirrors what it
translates, so a translator never touches the English:

* ``<briefing-id>.yaml``: the spec's own text (title, short title, subtitle, lead, section
  headings and paragraphs, "More information" labels), in the spec's own structure;
* ``facts/countries/<id>.yaml`` and ``facts/bodies/<id>.yaml``: the entity's ``name`` and
  ``facts.<fact-id>.statement``;
* ``facts/sources/<file>.yaml``: ``<source-id>: {title: ..., publisher: ...}`` (a title is
  needed where a note prints it; a publisher is a name and may stay as it is);
* ``facts/publisher.yaml``: the ``tagline``.

Every translated text is an *entry*::

    statement:
      original: Since the coup, Australia has announced ...   # the English, for reference
      hash: 3f2a9c0d1b7e                                       # of the English it translates
      text: အာဏာသိမ်းပြီးနောက် ...                                  # the translation
      reviewed: false                                          # true once an editor checked it

``briefgen translate ID --lang my`` writes the entries (see :mod:`briefgen.workspace.translate`);
the hash is what tells that the English changed after the translation was made
(:func:`text_hash`). This module only reads: it checks each entry's shape and looks for
Zawgyi-encoded text, and gives each entry with its file and key path, so that every message
about a translation points at the line to edit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import Diagnostic
from ..load.project import Layout, yaml_files
from ..load.yamlfile import KeyPath, YamlFile, load_yaml
from .schema import describe, validate_model
from .zawgyi import zawgyi_problems

ENTRY_KEYS = ("original", "previous", "hash", "text", "reviewed")
_HASH = re.compile(r"^[0-9a-f]{12}$")


def text_hash(english: str) -> str:
    """The hash of an English text, as a translation records it: 12 hex digits of SHA-256
    over its words (reflowing a folded YAML block does not make a translation stale)."""
    return hashlib.sha256(" ".join(english.split()).encode()).hexdigest()[:12]


class Translation(BaseModel):
    """One translated text and what it was translated from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    original: str | None = Field(None, description="The English it was translated from "
                                 "(written by `briefgen translate`, for reference).")
    previous: str | None = Field(None, description="The English before it last changed "
                                 "(written by `briefgen translate` when it refreshed the "
                                 "entry): what to compare the new English with.")
    hash: Annotated[str, Field(pattern=_HASH.pattern)] = Field(
        description="Hash of the English this text translates (briefgen translate writes "
                    "it); when the English changes, check says the translation is older.")
    text: Annotated[str, Field(max_length=20_000)] | None = Field(
        None, description="The translation. Keep {{ }} expressions and [^source] footnote "
                          "references as they are in the English.")
    reviewed: bool = Field(False, description="True once an editor has checked the "
                           "translation; until every text of an edition is, its PDF says "
                           "'Draft translation' in the footer.")


@dataclass(frozen=True)
class Entry:
    """A translation entry where it is written: its file and key path."""

    file: YamlFile
    path: KeyPath
    value: Translation

    @property
    def text_path(self) -> KeyPath:
        return (*self.path, "text")

    @property
    def text(self) -> str:
        return (self.value.text or "").strip()


@dataclass
class TranslationFile:
    file: YamlFile
    entries: dict[KeyPath, Entry] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)


@dataclass
class TranslationSet:
    """Every translation file of one language."""

    language: str
    folder: Path
    specs: dict[str, TranslationFile] = field(default_factory=dict)
    entities: dict[str, TranslationFile] = field(default_factory=dict)
    #: source id -> (its file, the key path of its mapping)
    sources: dict[str, tuple[TranslationFile, KeyPath]] = field(default_factory=dict)
    publisher: TranslationFile | None = None

    def entry(self, tfile: TranslationFile | None, path: KeyPath) -> Entry | None:
        return tfile.entries.get(tuple(path)) if tfile is not None else None


def _entries(tfile: TranslationFile, value: Any, path: KeyPath) -> None:
    """Find the entries in ``value``: mappings with any of the entry keys."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            if any(k in item for k in ENTRY_KEYS):
                model, diags = validate_model(Translation, tfile.file, item, where)
                tfile.errors += diags
                if model is not None:
                    tfile.entries[where] = Entry(tfile.file, where, model)
                continue
            stack.extend(((*where, k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend(((*where, i), v) for i, v in enumerate(item))
        elif item is not None and where and where[-1] != "fact":
            tfile.errors.append(tfile.file.diag(where, f"expected a translation entry "
                                                "(original, hash, text, reviewed), got "
                                                f"{describe(item)}"))


def _read(path: Path, root: Path) -> TranslationFile:
    file, errors = load_yaml(path, root)
    tfile = TranslationFile(file, errors=list(errors))
    if file.failed:
        return tfile
    if file.data is not None and not isinstance(file.data, dict):
        tfile.errors.append(file.diag((), "a translation file is a mapping of keys, like "
                                          "the file it translates"))
        return tfile
    _entries(tfile, file.data or {}, ())
    tfile.errors += zawgyi_problems(file)
    return tfile


def load_translations(layout: Layout, language: str) -> TranslationSet:
    """Read ``briefings/translations/<language>/`` (missing folders are empty)."""
    folder = layout.translation_folder(language)
    tset = TranslationSet(language, folder)
    root = layout.root
    for path in yaml_files(folder):
        tset.specs[path.stem] = _read(path, root)
    facts = folder / "facts"
    for kind in ("countries", "bodies"):
        for path in yaml_files(facts / kind):
            tfile = _read(path, root)
            if path.stem in tset.entities:
                other = tset.entities[path.stem].file.display
                tfile.errors.append(tfile.file.diag((), f"'{path.stem}' is translated twice "
                                                        f"(also in {other})"))
            tset.entities[path.stem] = tfile
    for path in yaml_files(facts / "sources"):
        tfile = _read(path, root)
        for sid, value in (tfile.file.data or {}).items() if isinstance(
                tfile.file.data, dict) else ():
            if sid in tset.sources:
                other = tset.sources[sid][0].file.display
                tfile.errors.append(tfile.file.diag((sid,), f"source '{sid}' is translated "
                                                            f"twice (also in {other})",
                                                    key=True))
                continue
            if isinstance(value, dict):
                tset.sources[sid] = (tfile, (sid,))
    publisher = facts / "publisher.yaml"
    if publisher.is_file():
        tset.publisher = _read(publisher, root)
    return tset


def translation_files(layout: Layout, language: str) -> list[str]:
    """The files of a language's folder, relative to the project root (for the index)."""
    folder = layout.translation_folder(language)
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(layout.root).as_posix() for p in folder.rglob("*.yaml"))
