"""Validate the fact base (countries, bodies, sources, publisher) and its cross-references.

An entry with any error is *broken*: it is kept out of the fact base, so nothing can be
built from it, and its id is remembered so that whatever refers to it fails with a message
that says why. A country file with an error breaks the whole country (its facts may be the
ones a list would select); a source entry with an error breaks that source only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic, Location
from ..load.project import RawProject
from ..load.yamlfile import KeyPath, YamlFile, format_key_path
from .models import Briefing, Entity, Fact, Publisher, Source
from .schema import describe, did_you_mean, validate_model
from .types import check_id
from .zawgyi import zawgyi_problems


@dataclass(frozen=True)
class FactRecord:
    key: str  # "australia.training-review"
    fact: Fact
    entity: Entity
    file: YamlFile
    path: KeyPath


@dataclass(frozen=True)
class SourceRecord:
    id: str
    source: Source
    file: YamlFile
    path: KeyPath


@dataclass(frozen=True)
class EntityRecord:
    entity: Entity
    file: YamlFile


@dataclass(frozen=True)
class BriefingRecord:
    id: str
    spec: Briefing
    file: YamlFile


@dataclass
class FactBase:
    entities: dict[str, EntityRecord] = field(default_factory=dict)
    facts: dict[str, FactRecord] = field(default_factory=dict)
    sources: dict[str, SourceRecord] = field(default_factory=dict)
    publisher: Publisher | None = None
    publisher_file: YamlFile | None = None
    #: entity id (the file name) -> the file that has errors
    broken_entities: dict[str, str] = field(default_factory=dict)
    #: fact files whose entry has errors, the first of two files with one id too
    broken_files: set[str] = field(default_factory=set)
    #: source id -> the file whose entry for it has errors
    broken_sources: dict[str, str] = field(default_factory=dict)
    #: source files that could not be read at all (any unknown source id may be in one)
    unreadable_source_files: list[str] = field(default_factory=list)
    #: (file, key path, source id) cited by facts of files that failed their schema check:
    #: checked against the sources too, so that every error of such a file shows at once
    unchecked_citations: list[tuple[YamlFile, KeyPath, str]] = field(default_factory=list)
    #: the countries only, in id order (kept, not recomputed for every list)
    countries: dict[str, EntityRecord] = field(default_factory=dict)
    topics: set[str] = field(default_factory=set)

    @property
    def broken(self) -> set[str]:
        return set(self.broken_entities) | set(self.broken_sources)

    def broken_countries(self) -> dict[str, str]:
        """Country files with errors: any of them could belong in a topic-selected list."""
        return {cid: path for cid, path in self.broken_entities.items()
                if "/countries/" in f"/{path}"}


def _load_entities(files: list[YamlFile], base: FactBase, errors: list[Diagnostic],
                   kind_folder: str, bad_files: set[str]) -> None:
    for file in files:
        stem = file.path.stem
        if file.failed:
            base.broken_entities[stem] = file.display
            continue
        entity, diags = validate_model(Entity, file, file.data)
        errors.extend(diags)
        if entity is None:
            base.broken_entities[stem] = file.display
            errors.extend(_unvalidated_facts(file, base, {d.key for d in diags}))
            continue
        problems: list[Diagnostic] = []
        if entity.id != stem:
            problems.append(file.diag(("id",), f"id '{entity.id}' must match the file name "
                                               f"'{stem}'"))
        if kind_folder == "countries" and entity.kind != "country":
            problems.append(file.diag(("kind",), f"'{entity.kind}' belongs in facts/bodies/, "
                                                 "not facts/countries/"))
        if kind_folder == "bodies" and entity.kind == "country":
            problems.append(file.diag(("kind",), "a country belongs in facts/countries/; "
                                                 "give a body its kind (un-body, court, "
                                                 "regional-body)"))
        problems += zawgyi_problems(file)  # Burmese text pasted in the legacy encoding
        seen: dict[str, int] = {}
        for i, fact in enumerate(entity.facts):
            if fact.id in seen:
                problems.append(file.diag(("facts", i, "id"), f"duplicate fact id '{fact.id}' "
                                                              f"(also facts[{seen[fact.id]}])"))
            seen.setdefault(fact.id, i)
        if entity.id in base.entities or entity.id in base.broken_entities:
            other = (base.entities[entity.id].file.display if entity.id in base.entities
                     else base.broken_entities[entity.id])
            problems.append(file.diag(("id",), f"duplicate id '{entity.id}' (also in "
                                               f"{other})"))
            base.entities.pop(entity.id, None)
            base.broken_files.add(other)  # its entry is gone too
        errors.extend(problems)
        if problems or file.display in bad_files:
            base.broken_entities.setdefault(entity.id, file.display)
            base.broken_entities.setdefault(stem, file.display)
            continue
        base.entities[entity.id] = EntityRecord(entity, file)
        for i, fact in enumerate(entity.facts):
            key = f"{entity.id}.{fact.id}"
            base.facts[key] = FactRecord(key, fact, entity, file, ("facts", i))


def _unvalidated_facts(file: YamlFile, base: FactBase, reported: set[str]) -> list[Diagnostic]:
    """What can still be checked in the facts of a file that failed its schema check, so
    that fixing one error does not reveal the next: duplicate fact ids now, and the sources
    they cite once the sources are read (``unchecked_citations``). Places that already have
    an error are left alone."""
    facts = file.data.get("facts") if isinstance(file.data, dict) else None
    if not isinstance(facts, list):
        return []
    out, seen = [], {}
    for i, fact in enumerate(facts):
        if not isinstance(fact, dict):
            continue
        fid = fact.get("id")
        if isinstance(fid, str) and format_key_path(("facts", i, "id")) not in reported:
            if fid in seen:
                out.append(file.diag(("facts", i, "id"), f"duplicate fact id '{fid}' (also "
                                                         f"facts[{seen[fid]}])"))
            seen.setdefault(fid, i)
        sources = fact.get("sources")
        for j, sid in enumerate(sources if isinstance(sources, list) else []):
            path = ("facts", i, "sources", j)
            if isinstance(sid, str) and format_key_path(path) not in reported:
                base.unchecked_citations.append((file, path, sid))
    return out


def _load_sources(files: list[YamlFile], base: FactBase, errors: list[Diagnostic],
                  bad_keys: dict[str, set[str]]) -> None:
    for file in files:
        data: Any = file.data
        if file.failed:
            base.unreadable_source_files.append(file.display)
            continue
        if data is None:
            continue
        if not isinstance(data, dict):
            errors.append(file.diag((), f"expected a mapping of source ids to sources, "
                                        f"got {describe(data)}"))
            base.unreadable_source_files.append(file.display)
            continue
        file_zawgyi = zawgyi_problems(file)  # once per file: most have no Burmese at all
        for sid, entry in data.items():
            source, diags = validate_model(Source, file, entry, (sid,))
            errors.extend(diags)
            try:
                check_id(sid)
            except ValueError as exc:
                errors.append(file.diag((sid,), str(exc), key=True))
                base.broken_sources[sid] = file.display
                continue
            if sid in base.sources or sid in base.broken_sources:
                first = base.sources.pop(sid, None)
                other = first.file.display if first else base.broken_sources[sid]
                errors.append(file.diag((sid,), f"duplicate source id '{sid}' (also in "
                                                f"{other})", key=True))
                base.broken_sources[sid] = file.display
                continue
            zawgyi = [d for d in file_zawgyi if d.key.split(".")[0].split("[")[0] == sid]
            errors.extend(zawgyi)
            if source is None or zawgyi or sid in bad_keys.get(file.display, ()):
                base.broken_sources[sid] = file.display
            else:
                base.sources[sid] = SourceRecord(sid, source, file, (sid,))


def load_fact_base(raw: RawProject) -> tuple[FactBase, list[Diagnostic]]:
    """Validate the fact base. ``raw.errors`` (problems found while reading the YAML, such as a
    duplicate key) break the entries they are in, like schema errors do."""
    base = FactBase()
    errors: list[Diagnostic] = []
    bad_files = {d.location.path for d in raw.errors}
    bad_keys: dict[str, set[str]] = {}
    for d in raw.errors:
        bad_keys.setdefault(d.location.path, set()).add(d.key.split(".")[0].split("[")[0])
    _load_entities(raw.countries, base, errors, "countries", bad_files)
    _load_entities(raw.bodies, base, errors, "bodies", bad_files)
    _load_sources(raw.sources, base, errors, bad_keys)
    for path in raw.strays:  # a file not read may hold a country a topic list needs
        display = path.relative_to(raw.layout.root).as_posix()
        if path.parent.name == "sources":
            base.unreadable_source_files.append(display)
        elif path.parent.name in ("countries", "bodies") and \
                path.parent.parent.name == "facts":
            stem = path.name[:min(i for i in (path.name.lower().find(".yaml"),
                                              path.name.lower().find(".yml")) if i >= 0)]
            base.broken_entities.setdefault(stem, display)
    if raw.publisher is not None and not raw.publisher.failed:
        publisher, diags = validate_model(Publisher, raw.publisher, raw.publisher.data)
        diags += zawgyi_problems(raw.publisher)
        errors.extend(diags)
        if not diags and raw.publisher.display not in bad_files:
            base.publisher = publisher
        base.publisher_file = raw.publisher
    elif raw.publisher is None:
        errors.append(Diagnostic(Location("briefings/facts/publisher.yaml"), "",
                                 "missing file: the publisher's name, address and links"))
    # cross-references: every fact's sources must exist and be free of errors
    for rec in list(base.facts.values()):
        for j, sid in enumerate(rec.fact.sources):
            if sid in base.sources:
                continue
            if sid in base.broken_sources:
                msg = f"source '{sid}' has errors in its own entry ({base.broken_sources[sid]})"
            else:
                msg = f"unknown source '{sid}'{did_you_mean(sid, base.sources)}"
                if base.unreadable_source_files:
                    msg += (f"; it may be in {', '.join(base.unreadable_source_files)}, "
                            "which could not be read")
            errors.append(rec.file.diag((*rec.path, "sources", j), msg))
            eid = rec.entity.id
            base.broken_entities[eid] = rec.file.display
    for file, path, sid in base.unchecked_citations:
        if sid not in base.sources and sid not in base.broken_sources:
            errors.append(file.diag(path, f"unknown source '{sid}'"
                                          f"{did_you_mean(sid, base.sources)}"))
    for eid in base.broken_entities:
        if base.entities.pop(eid, None) is not None:
            for key in [k for k in base.facts if k.split(".", 1)[0] == eid]:
                del base.facts[key]
    base.countries = {k: v for k, v in sorted(base.entities.items())
                      if v.entity.kind == "country"}
    base.topics = {t for rec in base.facts.values() for t in rec.fact.topics}
    return base, errors


def load_briefings(raw: RawProject) -> tuple[dict[str, BriefingRecord],
                                              dict[str, list[Diagnostic]]]:
    """Schema-check every spec; returns the valid ones and the errors of each spec (including
    the problems found while reading its YAML)."""
    records: dict[str, BriefingRecord] = {}
    errors: dict[str, list[Diagnostic]] = {}
    read_errors: dict[str, list[Diagnostic]] = {}
    for d in raw.errors:
        read_errors.setdefault(d.location.path, []).append(d)
    for bid, file in raw.specs.items():
        errs: list[Diagnostic] = list(read_errors.get(file.display, []))
        errors[bid] = errs
        if file.failed:
            continue
        try:
            check_id(bid)
        except ValueError as exc:
            errs.append(file.diag((), f"file name: {exc}"))
        spec, diags = validate_model(Briefing, file, file.data)
        errs.extend(diags)
        if spec is not None and not errs:
            records[bid] = BriefingRecord(bid, spec, file)
    return records, errors
