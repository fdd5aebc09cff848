"""Resolve a validated briefing spec against the fact base into a :class:`Document`.

Here fact and source ids are looked up, Jinja2 text is rendered in the sandbox, inline
Markdown is parsed and footnotes are numbered in reading order (a source cited again keeps
its first number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic
from ..load.yamlfile import KeyPath
from ..validate.factbase import BriefingRecord, EntityRecord, FactBase, FactRecord
from ..validate.models import CountryList, Fact
from ..validate.schema import did_you_mean
from ..validate.types import human_date
from .inline import parse_inline
from .model import (
    Block,
    CountryEntry,
    CountryListBlock,
    Document,
    Heading,
    InfoLink,
    Note,
    Para,
    SourceLink,
    Span,
)
from .textenv import TextError, render_text


@dataclass(frozen=True)
class FactView:
    """What spec text sees of a fact (``{{ countries[0].facts[0].statement }}``)."""

    id: str
    statement: str
    as_of: str
    status: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class CountryView:
    id: str
    name: str
    facts: tuple[FactView, ...]


@dataclass
class _Selection:
    entity: EntityRecord
    facts: list[FactRecord]


@dataclass
class _Resolver:
    base: FactBase
    rec: BriefingRecord
    errors: list[Diagnostic] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)
    used_facts: set[str] = field(default_factory=set)
    used_sources: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ helpers
    def error(self, path: KeyPath, message: str) -> None:
        self.errors.append(self.rec.file.diag(path, message))

    def note_number(self, sid: str) -> int | None:
        src = self.base.sources.get(sid)
        if src is None:
            return None
        self.used_sources.add(sid)
        if sid not in self.notes:
            s = src.source
            self.notes[sid] = Note(len(self.notes) + 1, sid, s.publisher, s.title,
                                   s.published.human() if s.published else None, s.url)
        return self.notes[sid].number

    def text(self, raw: str, path: KeyPath, ctx: dict[str, Any]) -> str | None:
        try:
            return render_text(raw, ctx)
        except TextError as exc:
            self.error(path, str(exc))
            return None

    def para(self, raw: str, path: KeyPath, ctx: dict[str, Any],
             extra_sources: list[str] = ()) -> Para | None:
        rendered = self.text(raw, path, ctx)
        if rendered is None:
            return None
        spans, problems = parse_inline(rendered, self.note_number)
        for problem in problems:
            msg = problem.message
            if msg.startswith("[^"):
                sid = msg[2:-1]
                msg = f"footnote [^{sid}]: " + self.unknown("source", sid, self.base.sources)
            self.error(path, msg)
        for sid in extra_sources:
            number = self.note_number(sid)
            if number is not None:
                spans.append(Span(str(number), note=number))
        return Para(spans, self.rec.file.location(path))

    def unknown(self, what: str, ident: str, known) -> str:
        if ident in self.base.broken:
            return f"{what} '{ident}' has errors in its own entry"
        return f"unknown {what} '{ident}'{did_you_mean(ident, known)}"

    def use_fact(self, rec: FactRecord) -> None:
        self.used_facts.add(rec.key)
        self.used_sources.update(rec.fact.sources)

    # ------------------------------------------------------------------ country lists
    def select(self, cl: CountryList, path: KeyPath) -> list[_Selection]:
        countries = self.base.countries
        chosen: list[EntityRecord] = []
        if cl.countries is not None:
            for j, cid in enumerate(cl.countries):
                if cid in countries:
                    chosen.append(countries[cid])
                elif cid in self.base.entities:
                    self.error((*path, "countries", j), f"'{cid}' is a "
                               f"{self.base.entities[cid].entity.kind}, not a country")
                else:
                    self.error((*path, "countries", j), self.unknown("country", cid, countries))
        else:
            known = self.base.topics
            for j, topic in enumerate(cl.topics or []):
                if topic not in known:
                    self.error((*path, "topics", j),
                               f"unknown topic '{topic}'{did_you_mean(topic, known)}")
            chosen = sorted(countries.values(), key=lambda r: r.entity.name)
        wanted = cl.fact_topics or cl.topics
        out = []
        for rec in chosen:
            facts = [self.base.facts[f"{rec.entity.id}.{f.id}"] for f in rec.entity.facts
                     if _matches(f, wanted, cl.status)]
            if cl.topics is not None:
                selecting = [f for f in rec.entity.facts if _matches(f, cl.topics, cl.status)]
                if not selecting:
                    continue
            out.append(_Selection(rec, facts))
        if cl.order == "alphabetical":
            out.sort(key=lambda s: s.entity.entity.name)
        elif cl.order == "date":
            out.sort(key=lambda s: max((f.fact.as_of.earliest for f in s.facts), default=None)
                     or _EPOCH, reverse=True)
        return out

    def country_block(self, cl: CountryList, selection: list[_Selection], path: KeyPath,
                      ctx: dict[str, Any]) -> CountryListBlock:
        entries = []
        for n, sel in enumerate(selection, start=1):
            statements: list[Para] = []
            links: list[SourceLink] = []
            seen: set[str] = set()
            for frec in sel.facts:
                self.use_fact(frec)
                if "facts" in cl.show:
                    extra = list(frec.fact.sources) if "notes" in cl.show else []
                    p = self.para(frec.fact.statement, path, ctx, extra)
                    if p is not None:
                        p.origin = frec.file.location((*frec.path, "statement"))
                        statements.append(p)
                if "sources" in cl.show:
                    for sid in frec.fact.sources:
                        if sid in seen or sid not in self.base.sources:
                            continue
                        seen.add(sid)
                        s = self.base.sources[sid].source
                        links.append(SourceLink(s.publisher, s.url))
            entries.append(CountryEntry(n, sel.entity.entity.id, sel.entity.entity.name,
                                        statements, links))
        return CountryListBlock(cl.id, entries)

    # ------------------------------------------------------------------ whole document
    def resolve(self) -> Document | None:
        spec = self.rec.spec
        publisher = self.base.publisher
        if publisher is None:
            self.error((), "cannot resolve: briefings/facts/publisher.yaml is missing or "
                           "has errors")
            return None
        selections: dict[str, list[_Selection]] = {}
        for i, section in enumerate(spec.sections):
            if section.country_list is not None:
                cl = section.country_list
                selections[f"{i}"] = self.select(cl, ("sections", i, "country_list"))
        lists = {spec.sections[int(k)].country_list.id: [_view(s) for s in v]
                 for k, v in selections.items()}
        every: dict[str, CountryView] = {}
        for views in lists.values():
            for view in views:
                every.setdefault(view.id, view)
        ctx = {
            "countries": list(every.values()),
            "lists": lists,
            "publisher": publisher.model_dump(),
            "date": human_date(spec.date),
            "briefing": {"id": self.rec.id, "date": human_date(spec.date),
                         "language": spec.language},
            "fact": self.fact_function(),
        }
        title = self.text(spec.title, ("title",), ctx)
        short = self.text(spec.short_title, ("short_title",), ctx) if spec.short_title else None
        subtitle = self.text(spec.subtitle, ("subtitle",), ctx) if spec.subtitle else None
        lead = []
        if spec.lead:
            p = self.para(spec.lead, ("lead",), ctx)
            lead = [p] if p else []
        blocks: list[Block] = []
        for i, section in enumerate(spec.sections):
            heading = self.text(section.heading, ("sections", i, "heading"), ctx)
            blocks.append(Heading(heading or "", f"section-{i + 1}"))
            raw_pars = (self.rec.file.data or {}).get("sections", [])[i].get("paragraphs", [])
            for j, par in enumerate(section.paragraphs):
                base_path: KeyPath = ("sections", i, "paragraphs", j)
                if isinstance(raw_pars[j], dict):
                    base_path = (*base_path, "fact" if par.fact else "text")
                if par.fact is not None:
                    frec = self.base.facts.get(par.fact)
                    if frec is None:
                        self.error(base_path, f"unknown fact '{par.fact}'"
                                   f"{did_you_mean(par.fact, self.base.facts)}")
                        continue
                    self.use_fact(frec)
                    p = self.para(frec.fact.statement, base_path, ctx, list(frec.fact.sources))
                else:
                    p = self.para(par.text or "", base_path, ctx)
                if p is not None:
                    blocks.append(p)
            if section.country_list is not None:
                blocks.append(self.country_block(section.country_list, selections[f"{i}"],
                                                 ("sections", i, "country_list"), ctx))
        more = []
        for k, item in enumerate(spec.more_information):
            src = self.base.sources.get(item.source)
            if src is None:
                self.error(("more_information", k, "source"),
                           self.unknown("source", item.source, self.base.sources))
                continue
            self.used_sources.add(item.source)
            label = self.text(item.label, ("more_information", k, "label"), ctx) or ""
            more.append(InfoLink(label, src.source.url, item.source))
        subject = title
        if spec.mail.subject:
            subject = self.text(spec.mail.subject, ("mail", "subject"), ctx)
            if subject is not None and ("\n" in subject or "\r" in subject):
                self.error(("mail", "subject"), "an email subject must be one line: remove "
                                                "the line break")
        if self.errors or title is None or subject is None:
            return None
        keywords = list(spec.keywords) or sorted(
            {t for key in self.used_facts for t in self.base.facts[key].fact.topics})
        return Document(
            id=self.rec.id, title=title, short_title=short or title, subtitle=subtitle,
            date=spec.date, language=spec.language, brand=spec.brand, keywords=keywords,
            lead=lead, blocks=blocks,
            notes={n.number: n for n in self.notes.values()},
            more_information=more, publisher=publisher,
            calls_to_action=list(spec.calls_to_action),
            mail_subject=" ".join(subject.split()), audiences=list(spec.mail.audiences),
            origin=self.rec.file.location(()),
            used_facts=set(self.used_facts), used_sources=set(self.used_sources))

    def fact_function(self):
        def fact(key: str) -> str:
            rec = self.base.facts.get(str(key))
            if rec is None:
                raise TextError(f"unknown fact '{key}'{did_you_mean(str(key), self.base.facts)}")
            self.use_fact(rec)
            return rec.fact.statement
        return fact


def _matches(fact: Fact, topics: list[str] | None, status: list[str] | None) -> bool:
    if topics is not None and not set(fact.topics) & set(topics):
        return False
    return status is None or fact.status in status


def _view(sel: _Selection) -> CountryView:
    return CountryView(sel.entity.entity.id, sel.entity.entity.name, tuple(
        FactView(f.fact.id, f.fact.statement, f.fact.as_of.iso(), f.fact.status,
                 tuple(f.fact.topics)) for f in sel.facts))


_EPOCH = __import__("datetime").date(1, 1, 1)


def resolve_briefing(base: FactBase, rec: BriefingRecord) -> tuple[Document | None,
                                                                    list[Diagnostic]]:
    resolver = _Resolver(base, rec)
    doc = resolver.resolve()
    return doc, resolver.errors
