"""The workspace: one project, loaded and validated as a whole, in memory.

Every command works on a workspace. Opening one reads and checks everything a build or a
mailing can touch, top to bottom:

    load every YAML file -> validate the fact base -> validate the specs -> validate the
    brand sheets and their fonts -> resolve every briefing -> check that every character
    has a glyph -> warnings (staleness, sources without a web address) -> mail settings

and records, for each briefing, every error that stops it: its own, and those of anything it
depends on (a country it lists, a source it cites, a country file that a topic-selected list
could be missing, its brand sheet, the publisher). A briefing with no such error is
guaranteed to build: that is the promise ``briefgen check`` makes.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field
from pathlib import Path

from .defaults import DEFAULT_STALE_MONTHS
from .errors import Diagnostic, Location, Report, Severity, UsageError
from .load.project import Layout, RawProject, find_root, load_raw
from .resolve.model import CountryEntry, Document
from .resolve.resolver import resolve_briefing
from .validate.brand import Brand, validate_brand
from .validate.factbase import BriefingRecord, FactBase, load_briefings, load_fact_base
from .validate.fontfiles import FontCache
from .validate.schema import did_you_mean

#: a statement longer than this draws a warning: a reader takes in one or two sentences
LONG_STATEMENT = 600


@dataclass
class Workspace:
    layout: Layout
    raw: RawProject
    base: FactBase
    #: every spec, valid or not, by id
    ids: list[str]
    briefings: dict[str, BriefingRecord]
    brands: dict[str, Brand]
    documents: dict[str, Document]
    #: briefing id -> every error that stops it (its own and its dependencies')
    failures: dict[str, list[Diagnostic]]
    #: briefing id -> list id -> entries, with why each country is there
    lists: dict[str, dict[str, list[CountryEntry]]]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    mail: object | None = None  # mail.setup.MailSetup when mail/settings.yaml exists
    stale_months: int = DEFAULT_STALE_MONTHS
    #: content hashes of facts and sources, filled by the build's dependency manifest
    digests: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        return self.layout.root

    @property
    def report(self) -> Report:
        return Report(list(self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def ok(self, bid: str) -> bool:
        return bid in self.documents and not self.failures.get(bid)

    def require(self, bid: str) -> None:
        """A usage error for an id that is not a briefing."""
        if bid not in self.ids:
            raise UsageError(f"no briefing '{bid}'{did_you_mean(bid, self.ids)}")

    def brand_of(self, bid: str) -> Brand:
        return self.brands[self.documents[bid].brand]

    # ------------------------------------------------------------------ queries
    def where(self, ident: str) -> list[tuple[str, list[str]]]:
        """Briefings that use a country, body, fact or source, each with how it uses it."""
        if not (ident in self.base.entities or ident in self.base.facts
                or ident in self.base.sources):
            known = [*self.base.entities, *self.base.facts, *self.base.sources]
            raise UsageError(f"no country, body, fact or source '{ident}'"
                             f"{did_you_mean(ident, known)}")
        hits = []
        for bid, doc in sorted(self.documents.items()):
            how: list[str] = []
            for list_id, entries in self.lists.get(bid, {}).items():
                for e in entries:
                    if e.id == ident or ident.startswith(f"{e.id}."):
                        how.append(f"list '{list_id}', entry {e.number}: "
                                   f"{'; '.join(e.reasons)}")
            facts = sorted(k for k in doc.used_facts
                           if k == ident or k.split(".", 1)[0] == ident)
            if facts:
                how.append(f"uses fact{'s' if len(facts) > 1 else ''} {', '.join(facts)}")
            if ident in doc.used_sources:
                how.append(f"cites source {ident}")
            if how:
                hits.append((bid, how))
        return hits


def open_workspace(root: Path | str = ".", *, stale_months: int = DEFAULT_STALE_MONTHS,
                   today: dt.date | None = None) -> Workspace:
    """Load and validate everything; never raises for bad content (errors are collected)."""
    # Loading makes many small objects and frees few: the cyclic garbage collector would
    # walk them again and again for nothing (about a third of the time at 1,000 briefings)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _open(root, stale_months, today)
    finally:
        if enabled:
            gc.enable()


def _open(root: Path | str, stale_months: int, today: dt.date | None) -> Workspace:
    layout = Layout(find_root(Path(root)))
    raw = load_raw(layout.root)
    base, fact_errors = load_fact_base(raw)
    records, spec_errors = load_briefings(raw)
    spec_files = {f.display for f in raw.specs.values()}
    diagnostics = [d for d in raw.errors if d.location.path not in spec_files]
    diagnostics += fact_errors
    for errs in spec_errors.values():
        diagnostics += errs
    ids = sorted(raw.specs)
    failures: dict[str, list[Diagnostic]] = {bid: list(spec_errors.get(bid, [])) for bid in ids}

    brands, brand_errors = _brands(raw, layout)
    diagnostics += [d for errs in brand_errors.values() for d in errs]

    publisher_errors = [d for d in diagnostics if d.location.path ==
                        (raw.publisher.display if raw.publisher else
                         "briefings/facts/publisher.yaml")]
    documents: dict[str, Document] = {}
    lists: dict[str, dict[str, list[CountryEntry]]] = {}
    from .render import renderer

    pdf = renderer("pdf")

    for bid in ids:
        rec = records.get(bid)
        if rec is None:
            continue
        fails = failures[bid]
        if publisher_errors:
            fails.append(Diagnostic(rec.file.location(()), "", "the publisher file has "
                                    f"errors ({publisher_errors[0].location.path}); every "
                                    "briefing prints it, so none can be built"))
        brand = brands.get(rec.spec.brand)
        if brand is None:
            if rec.spec.brand in raw.styles:
                where = raw.styles[rec.spec.brand].display
                fails.append(rec.file.diag(("brand",), f"brand sheet '{rec.spec.brand}' has "
                                           f"errors ({where}); fix them first"))
            else:
                fails.append(rec.file.diag(("brand",), f"unknown brand sheet "
                                           f"'{rec.spec.brand}'"
                                           f"{did_you_mean(rec.spec.brand, raw.styles)}; "
                                           f"brand sheets are the files in styles/"))
        resolved = resolve_briefing(base, rec)
        lists[bid] = resolved.lists
        fails += resolved.errors
        diagnostics += resolved.errors
        if resolved.document is None:
            continue
        if brand is not None:
            glyphs = pdf.check(resolved.document, brand)
            fails += glyphs
            diagnostics += glyphs
        documents[bid] = resolved.document
    for bid, fails in failures.items():
        # each error once, in file order; the brand and publisher errors are also shared
        failures[bid] = sorted({str(d): d for d in fails}.values(), key=Diagnostic.sort_key)
        diagnostics += [d for d in failures[bid] if d.key == "brand" or
                        d.message.startswith("the publisher file has errors")]
    ws = Workspace(layout, raw, base, ids, records, brands, documents, failures, lists,
                   stale_months=stale_months)
    ws.diagnostics = diagnostics + _warnings(ws, stale_months, today)
    ws.mail, mail_errors = _mail(raw, layout)
    ws.diagnostics += mail_errors
    return ws


def _brands(raw: RawProject, layout: Layout) -> tuple[dict[str, Brand],
                                                      dict[str, list[Diagnostic]]]:
    """Every brand sheet in styles/ (a sheet no briefing uses is still checked)."""
    cache = FontCache(layout.fonts_cache)
    brands: dict[str, Brand] = {}
    errors: dict[str, list[Diagnostic]] = {}
    for name in sorted(raw.styles):
        brand, errs = validate_brand(raw.styles, name, layout.styles, cache)
        if brand is not None:
            brands[name] = brand
        errors[name] = errs
    cache.save()
    return brands, errors


def _mail(raw: RawProject, layout: Layout) -> tuple[object | None, list[Diagnostic]]:
    if raw.mail_settings is None:
        return None, []
    from .mail.setup import validate_setup

    return validate_setup(raw.mail_settings, layout)


# ---------------------------------------------------------------------- warnings
def _months(later: dt.date, earlier: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def _stale(seen: dt.date | None, said: str, users: list[Document],
           months: int) -> str | None:
    """``said`` is how the date is described: "was last verified 2026-01-02", "is as of
    2021" (never "verified" when nobody verified it)."""
    if seen is None or not users:
        return None
    latest = max(users, key=lambda d: d.date)
    age = _months(latest.date, seen)
    if age <= months:
        return None
    others = f" and {len(users) - 1} more" if len(users) > 1 else ""
    return (f"{said}, {age} months before briefing '{latest.id}'{others} "
            f"(limit {months} months)")


def _warnings(ws: Workspace, months: int, today: dt.date | None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    users: dict[str, list[Document]] = {}
    fact_users: dict[str, list[Document]] = {}
    for doc in ws.documents.values():
        for sid in doc.used_sources:
            users.setdefault(sid, []).append(doc)
        for key in doc.used_facts:
            fact_users.setdefault(key, []).append(doc)
    everything_resolved = len(ws.documents) == len(ws.ids)
    for sid, rec in sorted(ws.base.sources.items()):
        src = rec.source
        if src.url is None and not src.print_only:
            out.append(Diagnostic(rec.file.location(rec.path, key=True), format_key(rec.path),
                                  f"source '{sid}' has no URL; its note will say so (write "
                                  "`url: none` if it exists only in print)",
                                  Severity.WARNING, "no-url"))
        if sid not in users and everything_resolved:
            out.append(Diagnostic(rec.file.location(rec.path, key=True), format_key(rec.path),
                                  f"source '{sid}' is not used by any briefing",
                                  Severity.WARNING, "unused-source"))
        if src.accessed:
            seen, said = src.accessed, f"was last opened {src.accessed.isoformat()}"
        elif src.published:
            seen, said = src.published.earliest, f"was published {src.published.iso()}"
        else:
            seen, said = None, ""
        stale = _stale(seen, said, users.get(sid, []), months)
        if stale:
            out.append(Diagnostic(rec.file.location(rec.path, key=True), format_key(rec.path),
                                  f"source '{sid}' {stale}", Severity.WARNING, "stale-source"))
    for key, frec in sorted(ws.base.facts.items()):
        fact = frec.fact
        if fact.verified:
            seen, said = fact.verified, f"was last verified {fact.verified.isoformat()}"
        else:
            seen, said = fact.as_of.earliest, f"is as of {fact.as_of.iso()} (never verified)"
        stale = _stale(seen, said, fact_users.get(key, []), months)
        if stale:
            out.append(Diagnostic(frec.file.location(frec.path), format_key(frec.path),
                                  f"fact '{key}' {stale}", Severity.WARNING, "stale-fact"))
        if len(fact.statement) > LONG_STATEMENT:
            path = (*frec.path, "statement")
            out.append(Diagnostic(frec.file.location(path), format_key(path),
                                  f"statement of {len(fact.statement):,} characters; keep it "
                                  f"under {LONG_STATEMENT} (one or two sentences)",
                                  Severity.WARNING, "long-statement"))
    return out


def format_key(path) -> str:
    from .load.yamlfile import format_key_path

    return format_key_path(path)


def spec_location(ws: Workspace, bid: str) -> Location:
    return ws.raw.specs[bid].location(())
