"""The project as a whole: load every file, validate it, resolve every briefing, and the
project-wide warnings (sources without URL, unused sources, stale facts and sources).

This is what ``briefgen check`` runs and what ``briefgen build`` starts from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .defaults import DEFAULT_STALE_MONTHS
from .errors import Diagnostic, Report, Severity
from .load.project import Layout, find_root, load_raw
from .resolve.model import CountryListBlock, Document
from .resolve.resolver import resolve_briefing
from .validate.factbase import BriefingRecord, FactBase, load_briefings, load_fact_base


@dataclass
class Project:
    layout: Layout
    base: FactBase
    briefings: dict[str, BriefingRecord]
    #: errors that belong to the fact base or to no single briefing
    shared_errors: list[Diagnostic] = field(default_factory=list)
    #: errors of each briefing (its spec, its references, its text)
    briefing_errors: dict[str, list[Diagnostic]] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    #: content hashes of facts and sources, filled by the build's dependency manifest
    digests: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        return self.layout.root

    @property
    def ids(self) -> list[str]:
        return sorted(self.briefing_errors)

    def report(self, stale_months: int = DEFAULT_STALE_MONTHS) -> Report:
        report = Report()
        report.extend(self.shared_errors)
        for errs in self.briefing_errors.values():
            report.extend(errs)
        report.extend(self.warnings(stale_months))
        return report

    # ------------------------------------------------------------------ warnings
    def warnings(self, stale_months: int = DEFAULT_STALE_MONTHS) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        used_by: dict[str, list[Document]] = {}
        fact_users: dict[str, list[Document]] = {}
        for doc in self.documents.values():
            for sid in doc.used_sources:
                used_by.setdefault(sid, []).append(doc)
            for key in doc.used_facts:
                fact_users.setdefault(key, []).append(doc)
        for sid, rec in sorted(self.base.sources.items()):
            if rec.source.url is None:
                out.append(rec.file.diag(rec.path, f"source '{sid}' has no URL; its note will "
                                                   "say so", key=True,
                                         severity=Severity.WARNING))
            if sid not in used_by and self.documents:
                out.append(rec.file.diag(rec.path, f"source '{sid}' is not used by any "
                                                   "briefing", key=True,
                                         severity=Severity.WARNING))
            seen = rec.source.accessed or (rec.source.published.earliest
                                           if rec.source.published else None)
            stale = _stale(seen, used_by.get(sid, []), stale_months)
            if stale:
                out.append(rec.file.diag(rec.path, f"source '{sid}' {stale}", key=True,
                                         severity=Severity.WARNING))
        for key, frec in sorted(self.base.facts.items()):
            seen = frec.fact.verified or frec.fact.as_of.earliest
            stale = _stale(seen, fact_users.get(key, []), stale_months)
            if stale:
                out.append(frec.file.diag(frec.path, f"fact '{key}' {stale}",
                                          severity=Severity.WARNING))
        return out

    # ------------------------------------------------------------------ queries
    def where(self, ident: str) -> list[str]:
        """Briefings that use a country, body, fact or source with this id."""
        hits = []
        for bid, doc in sorted(self.documents.items()):
            listed = {e.id for b in doc.blocks if isinstance(b, CountryListBlock)
                      for e in b.entries}
            if (ident in doc.used_sources or ident in doc.used_facts or ident in listed
                    or any(k.split(".", 1)[0] == ident for k in doc.used_facts)):
                hits.append(bid)
        return hits


def _stale(seen: dt.date | None, users: list[Document], months: int) -> str | None:
    if seen is None or not users:
        return None
    latest = max(users, key=lambda d: d.date)
    age = (latest.date.year - seen.year) * 12 + latest.date.month - seen.month
    if latest.date.day < seen.day:
        age -= 1
    if age <= months:
        return None
    others = f" and {len(users) - 1} more" if len(users) > 1 else ""
    return (f"was last verified {seen.isoformat()}, {age} months before briefing "
            f"'{latest.id}'{others} (limit {months} months)")


def open_project(root: Path | str = ".", only: list[str] | None = None) -> Project:
    """Load, validate and resolve; never raises for bad content (errors are collected)."""
    root = find_root(Path(root))
    raw = load_raw(root)
    base, fact_errors = load_fact_base(raw)
    briefings, spec_errors = load_briefings(raw)
    spec_paths = {f.display for f in raw.specs.values()}
    shared = [d for d in raw.errors + fact_errors if d.location.path not in spec_paths]
    per_file = {}
    for d in raw.errors:
        if d.location.path in spec_paths:
            per_file.setdefault(d.location.path, []).append(d)
    project = Project(Layout(root), base, briefings, shared)
    for bid, file in raw.specs.items():
        errs = per_file.get(file.display, []) + spec_errors.get(bid, [])
        project.briefing_errors[bid] = errs
        if only is not None and bid not in only:
            continue
        rec = briefings.get(bid)
        if rec is None or errs:
            continue
        doc, resolve_errors = resolve_briefing(base, rec)
        errs.extend(resolve_errors)
        if doc is not None:
            project.documents[bid] = doc
    return project
