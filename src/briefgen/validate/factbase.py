"""Validate the fact base (countries, bodies, sources, publisher) and its cross-references."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic, Location
from ..load.project import RawProject
from ..load.yamlfile import KeyPath, YamlFile
from .models import Briefing, Entity, Fact, Publisher, Source
from .schema import describe, did_you_mean, validate_model
from .types import check_id


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
    #: ids that exist but whose entry has errors (reported once, at the entry itself)
    broken: set[str] = field(default_factory=set)

    @property
    def countries(self) -> dict[str, EntityRecord]:
        return {k: v for k, v in self.entities.items() if v.entity.kind == "country"}

    @property
    def topics(self) -> set[str]:
        return {t for rec in self.facts.values() for t in rec.fact.topics}


def _load_entities(files: list[YamlFile], base: FactBase, errors: list[Diagnostic],
                   kind_folder: str) -> None:
    for file in files:
        if file.failed:
            base.broken.add(file.path.stem)
            continue
        entity, diags = validate_model(Entity, file, file.data)
        errors.extend(diags)
        if entity is None:
            base.broken.add(file.path.stem)
            continue
        if entity.id != file.path.stem:
            errors.append(file.diag(("id",), f"id '{entity.id}' must match the file name "
                                              f"'{file.path.stem}'"))
        if kind_folder == "countries" and entity.kind != "country":
            errors.append(file.diag(("kind",), f"'{entity.kind}' belongs in facts/bodies/, "
                                               "not facts/countries/"))
        if entity.id in base.entities:
            other = base.entities[entity.id].file
            errors.append(file.diag(("id",), f"duplicate id '{entity.id}' (also in "
                                             f"{other.display})"))
            continue
        base.entities[entity.id] = EntityRecord(entity, file)
        seen: dict[str, int] = {}
        for i, fact in enumerate(entity.facts):
            if fact.id in seen:
                errors.append(file.diag(("facts", i, "id"), f"duplicate fact id '{fact.id}' "
                                                            f"(also facts[{seen[fact.id]}])"))
                continue
            seen[fact.id] = i
            key = f"{entity.id}.{fact.id}"
            base.facts[key] = FactRecord(key, fact, entity, file, ("facts", i))


def _load_sources(files: list[YamlFile], base: FactBase, errors: list[Diagnostic]) -> None:
    for file in files:
        data: Any = file.data
        if data is None or file.failed:
            continue
        if not isinstance(data, dict):
            errors.append(file.diag((), f"expected a mapping of source ids to sources, "
                                        f"got {describe(data)}"))
            continue
        for sid, entry in data.items():
            source, diags = validate_model(Source, file, entry, (sid,))
            errors.extend(diags)
            try:
                check_id(sid)
            except ValueError as exc:
                errors.append(file.diag((sid,), str(exc), key=True))
                continue
            if sid in base.sources:
                other = base.sources[sid].file
                errors.append(file.diag((sid,), f"duplicate source id '{sid}' (also in "
                                                f"{other.display})", key=True))
                continue
            if source is not None:
                base.sources[sid] = SourceRecord(sid, source, file, (sid,))
            else:
                base.broken.add(sid)


def load_fact_base(raw: RawProject) -> tuple[FactBase, list[Diagnostic]]:
    base = FactBase()
    errors: list[Diagnostic] = []
    _load_entities(raw.countries, base, errors, "countries")
    _load_entities(raw.bodies, base, errors, "bodies")
    _load_sources(raw.sources, base, errors)
    if raw.publisher is not None:
        base.publisher, diags = validate_model(Publisher, raw.publisher, raw.publisher.data)
        base.publisher_file = raw.publisher
        errors.extend(diags)
    else:
        errors.append(Diagnostic(Location("briefings/facts/publisher.yaml"), "",
                                 "missing file: the publisher's name, address and links"))
    # cross-references: every fact's sources must exist
    for rec in base.facts.values():
        for j, sid in enumerate(rec.fact.sources):
            if sid not in base.sources and sid not in base.broken:
                hint = did_you_mean(sid, base.sources)
                errors.append(rec.file.diag((*rec.path, "sources", j),
                                            f"unknown source '{sid}'{hint}"))
    return base, errors


def load_briefings(raw: RawProject) -> tuple[dict[str, BriefingRecord],
                                              dict[str, list[Diagnostic]]]:
    """Schema-check every spec; returns the valid ones and the errors of each spec."""
    records: dict[str, BriefingRecord] = {}
    errors: dict[str, list[Diagnostic]] = {}
    for bid, file in raw.specs.items():
        errs: list[Diagnostic] = []
        if file.failed:
            errors[bid] = errs
            continue
        try:
            check_id(bid)
        except ValueError as exc:
            errs.append(file.diag((), f"file name: {exc}"))
        spec, diags = validate_model(Briefing, file, file.data)
        errs.extend(diags)
        if spec is not None and not errs:
            records[bid] = BriefingRecord(bid, spec, file)
        errors[bid] = errs
    return records, errors
