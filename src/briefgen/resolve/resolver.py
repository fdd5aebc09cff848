"""Resolve a validated briefing spec against the fact base into a :class:`Document`.

Here fact and source ids are looked up, Jinja2 text is rendered in the sandbox, inline
Markdown is parsed and footnotes are numbered in reading order (a source cited again keeps
its first number). Every problem is reported where it must be fixed: in the spec, or in the
fact file whose statement has it. Nothing is built from an entry with errors: a reference to
one fails, and so does a list selected by topic while any country file has errors (the
broken file could hold a fact that belongs in the list).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic
from ..load.yamlfile import KeyPath, YamlFile, format_key_path
from ..validate.factbase import BriefingRecord, EntityRecord, FactBase, FactRecord
from ..validate.models import CountryList
from ..validate.schema import did_you_mean
from ..validate.strings import ENGLISH, Strings
from .inline import line_markup, order_markers, parse_inline, thin_citations
from .model import (
    Block,
    CountryEntry,
    CountryListBlock,
    Document,
    Heading,
    InfoLink,
    Note,
    Origin,
    Para,
    SourceLink,
    Span,
)
from .selection import (
    CountryView,
    FactView,
    Selection,
    matches,
    members_key,
    order_by,
    topic_members,
    view_of,
)
from .textenv import TextError, render_text
from .translations import Translator
from .typography import typographic

#: longest title or heading a Jinja expression may produce (the spec's own text is bounded
#: by the schema)
MAX_LINE = 400


@dataclass
class _Place:
    """Where a piece of text lives: a file and a key path in it."""

    file: YamlFile
    path: KeyPath
    #: a translation's place: the English it translates (see Translator.evidence)
    english: str | None = None

    def diag(self, message: str, needle: str | None = None) -> Diagnostic:
        if needle and hasattr(self.file, "diag_at"):
            return self.file.diag_at(self.path, needle, message)
        return self.file.diag(self.path, message)

    def origin(self) -> Origin:
        return Origin(self.file.location(self.path), format_key_path(self.path))


@dataclass
class _Resolver:
    base: FactBase
    rec: BriefingRecord
    errors: list[Diagnostic] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)
    used_facts: set[str] = field(default_factory=set)
    used_sources: set[str] = field(default_factory=set)
    #: what resolving read (files, source entries, topic-list members): see incremental/index
    reads: set[str] = field(default_factory=set)
    #: the fixed texts, months and digits of the document's language
    strings: Strings = ENGLISH
    #: a translated edition: where its texts come from instead of the English
    tr: Translator | None = None
    #: the edition's language (None: the briefing's own)
    edition: str | None = None

    # ------------------------------------------------------------------ helpers
    @property
    def language(self) -> str:
        return self.edition or self.rec.spec.language

    def spec_text(self, raw: str, *path: str | int) -> tuple[str | None, _Place]:
        """The spec's text at ``path``, or its translation (and where either is written)."""
        if self.tr is None:
            return raw, self.spec(*path)
        entry = self.tr.spec(path, raw)
        if entry is None:
            return None, self.spec(*path)
        self.tr.refs(raw, entry)
        return entry.text, _Place(entry.file, entry.text_path, raw)

    def statement(self, rec: FactRecord) -> tuple[str | None, _Place]:
        """A fact's statement, or its translation."""
        if self.tr is None:
            return rec.fact.statement, self.fact_place(rec)
        entry = self.tr.statement(rec.entity.id, _kind(rec.file), rec.fact.id,
                                  rec.fact.statement)
        if entry is None:
            return None, self.fact_place(rec)
        self.tr.refs(rec.fact.statement, entry)
        return entry.text, _Place(entry.file, entry.text_path, rec.fact.statement)

    def entity_name(self, rec: EntityRecord) -> str:
        name = rec.entity.name
        if self.tr is not None:
            entry = self.tr.name(rec.entity.id, _kind(rec.file), name)
            name = entry.text if entry is not None else name
        return self.typo(name)

    def typo(self, text: str | None) -> str | None:
        """Typographic quotes, dashes and ellipses for a title, heading or label."""
        return typographic(text, self.language) if text else text

    def spec(self, *path: str | int) -> _Place:
        return _Place(self.rec.file, tuple(path))

    def error(self, path: KeyPath, message: str) -> None:
        self.errors.append(self.rec.file.diag(path, message))

    def note_number(self, sid: str) -> int | None:
        src = self.base.sources.get(sid)
        if src is None:
            return None
        self.used_sources.add(sid)
        self.reads.add(f"source:{sid}")
        if sid not in self.notes:
            s = src.source
            self.notes[sid] = Note(len(self.notes) + 1, sid, self.source_publisher(sid),
                                   self.typo(self.source_field(sid, "title", s.title)),
                                   self.strings.partial(s.published) if s.published else None,
                                   s.url, Origin(src.file.location(src.path), sid))
        return self.notes[sid].number

    def source_field(self, sid: str, key: str, english: str | None) -> str | None:
        """A source's title (translated where printed) or publisher (a name: translated
        only when a translation is given)."""
        if self.tr is None or english is None:
            return english
        entry = self.tr.source(sid, key, english, required=key == "title")
        return entry.text if entry is not None else english

    def source_publisher(self, sid: str) -> str:
        return self.typo(self.source_field(sid, "publisher",
                                           self.base.sources[sid].source.publisher))

    def text(self, raw: str, place: _Place, ctx: dict[str, Any]) -> str | None:
        try:
            out = render_text(raw, ctx)
        except TextError as exc:
            self.errors.append(place.diag(str(exc)))
            return None
        if place.english is not None and self.tr is not None:  # a translation: the same
            def render(source: str, fact) -> str | None:        # facts, notes and links
                try:
                    return render_text(source, {**ctx, "fact": fact})
                except TextError:
                    return None

            for problem in self.tr.evidence(place.english, raw, render, self._statement):
                self.errors.append(place.diag(problem))
        return out

    def _statement(self, key: str, translated: bool) -> str:
        """What ``fact(key)`` prints in either language (recording no use)."""
        rec = self.base.facts.get(key)
        entry = self.tr.known(self.tr.tset.entities.get(rec.entity.id), (
            "facts", rec.fact.id, "statement")) if rec and translated and self.tr else None
        return entry.text if entry else rec.fact.statement if rec else ""

    def line(self, raw: str | None, place: _Place, ctx: dict[str, Any], typo: bool = True
             ) -> str | None:
        """A title, heading or label: rendered, and still one line's worth."""
        if raw is None:  # a translation is missing (reported)
            return None
        out = self.text(raw, place, ctx)
        if out is not None and len(out) > MAX_LINE:
            self.errors.append(place.diag(f"this text works out to {len(out):,} characters; "
                                          f"at most {MAX_LINE} fit a title or heading"))
            return None
        marked = line_markup(out) if out is not None else None
        if marked:  # it would print as written: "**soldiers**[^irrawaddy-2022-defectors]"
            self.errors.append(place.diag(*marked))
            return None
        return self.typo(out) if typo else out

    def para(self, raw: str | None, place: _Place, ctx: dict[str, Any],
             extra_sources: list[str] = ()) -> Para | None:
        if raw is None:  # a translation is missing (reported)
            return None
        rendered = self.text(raw, place, ctx)
        if rendered is None:
            return None
        spans, problems = parse_inline(rendered, self.note_number, self.language)
        bad = False
        for problem in problems:
            msg, needle = problem.message, None
            if msg.startswith("[^"):
                sid = msg[2:-1]
                needle = msg
                msg = f"footnote [^{sid}]: " + self.unknown("source", sid, self.base.sources)
            self.errors.append(place.diag(msg, needle))
            bad = True
        if bad:
            return None
        for sid in extra_sources:
            number = self.note_number(sid)
            if number is not None:
                spans.append(Span(str(number), note=number))
        return Para(order_markers(spans), place.file.location(place.path),
                    format_key_path(place.path))

    def unknown(self, what: str, ident: str, known) -> str:
        where = self.base.broken_entities.get(ident) or self.base.broken_sources.get(ident)
        if where:
            return f"{what} '{ident}' has errors in its own entry ({where}); fix them first"
        msg = f"unknown {what} '{ident}'{did_you_mean(ident, known)}"
        if what == "source" and self.base.unreadable_source_files:
            msg += (f"; it may be in {', '.join(self.base.unreadable_source_files)}, which "
                    "could not be read")
        return msg

    def use_fact(self, rec: FactRecord) -> None:
        self.used_facts.add(rec.key)
        self.used_sources.update(rec.fact.sources)
        self.reads.add(f"file:{rec.file.display}")
        self.reads.update(f"source:{sid}" for sid in rec.fact.sources)

    def fact_place(self, rec: FactRecord) -> _Place:
        return _Place(rec.file, (*rec.path, "statement"))

    # ------------------------------------------------------------------ country lists
    def select(self, cl: CountryList, path: KeyPath) -> list[Selection]:
        countries = self.base.countries
        for j, cid in enumerate(cl.exclude):
            if cid not in countries and cid not in self.base.broken_entities:
                self.error((*path, "exclude", j), self.unknown("country", cid, countries))
        chosen: list[tuple[EntityRecord, list[str]]] = []
        if cl.countries is not None:
            first: dict[str, int] = {}
            for j, cid in enumerate(cl.countries):
                if cid in first:  # it would be printed, and counted, twice
                    self.error((*path, "countries", j), f"'{cid}' is listed twice "
                               f"(countries[{first[cid]}] and countries[{j}]); list it once")
                    continue
                first[cid] = j
                if cid in countries:
                    chosen.append((countries[cid], [f"named in the list (countries[{j}])"]))
                elif cid in self.base.entities:
                    self.error((*path, "countries", j), f"'{cid}' is a "
                               f"{self.base.entities[cid].entity.kind}, not a country")
                else:
                    self.error((*path, "countries", j), self.unknown("country", cid, countries))
        else:
            broken = self.base.broken_countries()
            if broken:
                files = ", ".join(sorted(set(broken.values())))
                self.error((*path, "topics"), f"this list selects countries by topic, and "
                           f"{files} {'has' if len(set(broken.values())) == 1 else 'have'} "
                           "errors: a country could be missing from the list. Fix "
                           f"{'it' if len(set(broken.values())) == 1 else 'them'} first")
            known = self.base.topics
            for j, topic in enumerate(cl.topics or []):
                if topic not in known and not broken:  # a broken file may define it
                    self.error((*path, "topics", j),
                               f"unknown topic '{topic}'{did_you_mean(topic, known)}")
            self.reads.add(members_key(cl))
            chosen = [(rec, []) for rec in topic_members(self.base, cl)]
        wanted = cl.fact_topics or cl.topics
        out = []
        for rec, reasons in chosen:
            eid = rec.entity.id
            if eid in cl.exclude:
                continue
            self.reads.add(f"file:{rec.file.display}")
            facts = [self.base.facts[f"{eid}.{f.id}"] for f in rec.entity.facts
                     if matches(f, wanted, cl.status)]
            if not facts:  # an entry with no evidence, and one more in the count
                self._no_facts(cl, path, rec)
                continue
            if cl.topics is not None:
                for f in rec.entity.facts:
                    if matches(f, cl.topics, cl.status):
                        topics = ", ".join(t for t in f.topics if t in cl.topics)
                        reasons.append(f"fact {eid}.{f.id} has topic {topics} "
                                       f"(status {f.status})")
            out.append(Selection(rec, facts, reasons))
        if cl.countries is not None:
            order_by(out, cl.order, lambda s: s.entity, lambda s: s.facts)
        return out

    def _no_facts(self, cl: CountryList, path: KeyPath, rec: EntityRecord) -> None:
        """A country chosen for a list must have a fact to print there."""
        eid, which = rec.entity.id, []
        if cl.fact_topics or cl.topics:
            which.append("on " + ", ".join(cl.fact_topics or cl.topics or []))
        if cl.status:
            which.append("with status " + ", ".join(cl.status))
        facts = f"no fact {' '.join(which)}" if which else "no facts"
        if cl.countries is not None:
            where = (*path, "countries", cl.countries.index(eid))
            hint = "add one to its file, or take it out of the list"
        else:
            where = (*path, "fact_topics")
            hint = "the facts that choose it are not shown: add their topic to fact_topics, " \
                   "or add the country to exclude"
        self.error(where, f"'{eid}' ({rec.entity.name}) has {facts} to print in this "
                          f"list ({rec.file.display}); {hint}")

    def country_block(self, cl: CountryList, selection: list[Selection],
                      ctx: dict[str, Any], date: dt.date) -> CountryListBlock:
        entries = []
        for n, sel in enumerate(selection, start=1):
            statements: list[Para] = []
            links: list[SourceLink] = []
            seen: set[str] = set()
            for frec in sel.facts:
                self.use_fact(frec)
                if "facts" in cl.show:
                    extra = list(frec.fact.sources) if "notes" in cl.show else []
                    raw, place = self.statement(frec)
                    p = self.para(raw, place, ctx, extra) if raw is not None else None
                    if p is not None:
                        if frec.fact.as_of.iso() != date.isoformat():
                            p.as_of = self.strings.partial(frec.fact.as_of)
                        statements.append(p)
                if "sources" in cl.show:
                    for sid in frec.fact.sources:
                        if sid in seen or sid not in self.base.sources:
                            continue
                        seen.add(sid)
                        src = self.base.sources[sid]
                        links.append(SourceLink(self.source_publisher(sid), src.source.url,
                                                Origin(src.file.location(src.path), sid)))
            entity = sel.entity
            entries.append(CountryEntry(
                n, entity.entity.id, self.entity_name(entity), statements, links,
                Origin(entity.file.location(("name",)), "name"), sel.reasons))
        return CountryListBlock(cl.id, entries)

    # ------------------------------------------------------------------ whole document
    def resolve(self) -> tuple[Document | None, dict[str, list[CountryEntry]]]:
        spec = self.rec.spec
        publisher = self.base.publisher
        if self.base.publisher_file is not None:
            self.reads.add(f"file:{self.base.publisher_file.display}")
        if publisher is None:
            self.error((), "cannot resolve: briefings/facts/publisher.yaml is missing or "
                           "has errors")
            return None, {}
        selections: dict[int, list[Selection]] = {}
        for i, section in enumerate(spec.sections):
            if section.country_list is not None:
                selections[i] = self.select(section.country_list,
                                            ("sections", i, "country_list"))
        lists = {spec.sections[i].country_list.id: [self.view(s) for s in v]
                 for i, v in selections.items()}
        every: dict[str, CountryView] = {}
        for views in lists.values():
            for view in views:
                every.setdefault(view.id, view)
        if self.tr is not None and publisher.tagline:
            entry = self.tr.publisher("tagline", publisher.tagline)
            if entry is not None:
                publisher = publisher.model_copy(update={"tagline": self.typo(entry.text)})
        issued = self.strings.date_text(spec.date)
        ctx = {
            "countries": list(every.values()),
            "lists": lists,
            "publisher": publisher.model_dump(),
            "date": issued,
            "briefing": {"id": self.rec.id, "date": issued, "language": self.language},
            "fact": self.fact_function(),
            "number": self.strings.number,
        }
        places = {}
        raw, places["title"] = self.spec_text(spec.title, "title")
        title = self.line(raw, places["title"], ctx)
        short = subtitle = None
        places["short_title"], places["subtitle"] = places["title"], self.spec("subtitle")
        if spec.short_title:
            raw, places["short_title"] = self.spec_text(spec.short_title, "short_title")
            short = self.line(raw, places["short_title"], ctx)
        if spec.subtitle:
            raw, places["subtitle"] = self.spec_text(spec.subtitle, "subtitle")
            subtitle = self.line(raw, places["subtitle"], ctx)
        lead = []
        if spec.lead:
            p = self.para(*self.spec_text(spec.lead, "lead"), ctx)
            lead = [p] if p else []
        whats_new = []  # a translated edition has none: the box is written in English
        if isinstance(spec.whats_new, str) and self.tr is None:
            whats_new = self.box(spec.whats_new, ctx)
        blocks: list[Block] = []
        listed: dict[str, list[CountryEntry]] = {}
        raw_sections = (self.rec.file.data or {}).get("sections", [])
        for i, section in enumerate(spec.sections):
            heading = self.line(*self.spec_text(section.heading, "sections", i, "heading"),
                                ctx)
            blocks.append(Heading(heading or "", f"section-{i + 1}",
                                  self.spec("sections", i, "heading").origin()))
            raw_pars = raw_sections[i].get("paragraphs", [])
            for j, par in enumerate(section.paragraphs):
                place = self.spec("sections", i, "paragraphs", j)
                if isinstance(raw_pars[j], dict):
                    place = self.spec("sections", i, "paragraphs", j,
                                      "fact" if par.fact else "text")
                if par.fact is not None:
                    frec = self.base.facts.get(par.fact)
                    if frec is None:
                        entity = par.fact.split(".", 1)[0]
                        if entity in self.base.broken_entities:
                            msg = f"fact '{par.fact}': the file of '{entity}' has errors " \
                                  f"({self.base.broken_entities[entity]}); fix them first"
                        else:
                            msg = (f"unknown fact '{par.fact}'"
                                   f"{did_you_mean(par.fact, self.base.facts)}")
                        self.errors.append(place.diag(msg))
                        continue
                    self.use_fact(frec)
                    p = self.para(*self.statement(frec), ctx, list(frec.fact.sources))
                elif self.tr is not None:
                    p = self.para(*self.spec_text(par.text or "", *place.path), ctx)
                else:
                    p = self.para(par.text or "", place, ctx)
                if p is not None:
                    blocks.append(p)
            if section.country_list is not None:
                block = self.country_block(section.country_list, selections[i], ctx,
                                           spec.date)
                listed[block.id] = block.entries
                blocks.append(block)
        more = []
        for k, item in enumerate(spec.more_information):
            src = self.base.sources.get(item.source)
            if src is None:
                self.error(("more_information", k, "source"),
                           self.unknown("source", item.source, self.base.sources))
                continue
            self.used_sources.add(item.source)
            self.reads.add(f"source:{item.source}")
            raw, place = self.spec_text(item.label, "more_information", k, "label")
            label = self.line(raw, place, ctx) or ""
            more.append(InfoLink(label, src.source.url, item.source, place.origin()))
        subject = title
        if spec.mail.subject and self.tr is None:
            subject = self.line(spec.mail.subject, self.spec("mail", "subject"), ctx,
                                typo=False)
            if subject is not None and ("\n" in subject or "\r" in subject):
                self.error(("mail", "subject"), "an email subject must be one line: remove "
                                                "the line break")
        if self.tr is not None:
            self.errors += self.tr.errors
        self.check_as_of(spec.date)
        if self.errors or title is None or subject is None:
            return None, listed
        thin_citations(lead, blocks)
        keywords = list(spec.keywords) or sorted(
            {t for key in self.used_facts for t in self.base.facts[key].fact.topics})
        origins = {name: place.origin() for name, place in places.items()}
        if self.base.publisher_file is not None:
            for key in ("name", "tagline", "address", "phone", "email", "web"):
                origins[f"publisher.{key}"] = _Place(self.base.publisher_file,
                                                     (key,)).origin()
        inputs = {}
        if self.tr is not None:
            inputs = dict(self.tr.inputs)
        return Document(
            id=self.doc_id, title=title, short_title=short or title, subtitle=subtitle,
            date=spec.date, language=self.language, brand=spec.brand, keywords=keywords,
            lead=lead, blocks=blocks,
            notes={n.number: n for n in self.notes.values()},
            more_information=more, publisher=publisher,
            calls_to_action=list(spec.calls_to_action),
            mail_subject=" ".join(subject.split()), audiences=list(spec.mail.audiences),
            origin=self.rec.file.location(()),
            used_facts=set(self.used_facts), used_sources=set(self.used_sources),
            origins=origins, facts_as_of=self.facts_as_of(), whats_new=whats_new,
            strings=self.strings, unreviewed=self.tr.unreviewed if self.tr is not None else 0,
            text_inputs=inputs), listed

    def box(self, raw: str, ctx: dict[str, Any]) -> list[Para]:
        """The spec's own "What's new" text: paragraphs at blank lines, no footnotes."""
        out = []
        for chunk in re.split(r"\n[ \t]*\n", raw.strip()):
            p = self.para(chunk, self.spec("whats_new"), ctx)
            if p is not None and p.notes:
                sid = next(n.source_id for n in self.notes.values() if n.number == p.notes[0])
                self.errors.append(self.spec("whats_new").diag(
                    "the \"What's new\" box cannot cite sources: cite them where the change "
                    "is, in the text or the fact", f"[^{sid}]"))
            elif p is not None:
                out.append(p)
        return out

    def check_as_of(self, date: dt.date) -> None:
        """A fact "as of" a day after the briefing's own date is a typo (2029 for 2019) or
        a briefing that needs a new date: printed, it would say its facts are as of a day
        that had not come when it was issued."""
        for key in sorted(self.used_facts):
            rec = self.base.facts[key]
            if rec.fact.as_of.earliest > date:
                self.errors.append(rec.file.diag(
                    (*rec.path, "as_of"),
                    f"{rec.fact.as_of.iso()} is after the date of briefing '{self.rec.id}' "
                    f"({date.isoformat()}), which would then print facts as of a day that had "
                    "not come: check the year, or give the briefing a later date"))

    def facts_as_of(self) -> str | None:
        """The newest "as of" date of the facts used (the more precise of two that start on
        the same day)."""
        dates = [self.base.facts[key].fact.as_of for key in self.used_facts]
        newest = max(dates, key=lambda d: (d.earliest, len(d.iso())), default=None)
        return newest.iso() if newest is not None else None

    @property
    def doc_id(self) -> str:
        return f"{self.rec.id}.{self.edition}" if self.edition else self.rec.id

    def view(self, sel: Selection) -> CountryView:
        """What spec text sees of a selected country (translated where translations are
        at hand; a missing one is reported where it is printed, not here)."""
        if self.tr is None:
            return view_of(sel)
        rec = sel.entity
        tfile = self.tr.tset.entities.get(rec.entity.id)
        name = self.tr.known(tfile, ("name",))
        facts = []
        for f in sel.facts:
            entry = self.tr.known(tfile, ("facts", f.fact.id, "statement"))
            facts.append(FactView(f.fact.id, entry.text if entry else f.fact.statement,
                                  f.fact.as_of.iso(), f.fact.status, tuple(f.fact.topics)))
        return CountryView(rec.entity.id, name.text if name else rec.entity.name, tuple(facts))

    def fact_function(self):
        def fact(key: str) -> str:
            rec = self.base.facts.get(str(key))
            if rec is None:
                entity = str(key).split(".", 1)[0]
                if entity in self.base.broken_entities:
                    raise TextError(f"fact '{key}': the file of '{entity}' has errors "
                                    f"({self.base.broken_entities[entity]}); fix them first")
                raise TextError(f"unknown fact '{key}'{did_you_mean(str(key), self.base.facts)}")
            self.use_fact(rec)
            if self.tr is not None:
                entry = self.tr.statement(rec.entity.id, _kind(rec.file), rec.fact.id,
                                          rec.fact.statement)
                if entry is None:
                    raise TextError(f"fact '{key}' has no translation (see above)")
                self.tr.refs(rec.fact.statement, entry)
                return entry.text
            return rec.fact.statement
        return fact


def _kind(file: YamlFile) -> str:
    """The folder of a fact file: countries or bodies."""
    return file.path.parent.name


@dataclass
class Resolved:
    document: Document | None
    errors: list[Diagnostic]
    #: list id -> its entries, each with the reasons it is there (also when errors stopped
    #: the document: `build --explain` shows what the lists would hold)
    lists: dict[str, list[CountryEntry]]
    #: what resolving read: ``file:PATH``, ``source:ID`` and ``members:RULE`` keys
    reads: set[str] = field(default_factory=set)
    #: warnings about its translations (an edition whose English changed since)
    warnings: list[Diagnostic] = field(default_factory=list)


def resolve_briefing(base: FactBase, rec: BriefingRecord, *, strings: Strings = ENGLISH,
                     translator: Translator | None = None) -> Resolved:
    """Resolve a briefing; with ``translator``, its edition in the translator's language
    (every text translated, the rest the same)."""
    resolver = _Resolver(base, rec, strings=strings, tr=translator,
                         edition=translator.language if translator is not None else None)
    doc, lists = resolver.resolve()
    warnings = list(translator.warnings) if translator is not None else []
    return Resolved(doc, resolver.errors, lists, resolver.reads, warnings)
