"""Evaluating one briefing: reuse its state from the index when nothing it read changed,
otherwise read its spec, validate it, resolve it and check its glyphs.

A translated edition (``military-cooperation.my``, for a spec with ``languages: [en-GB,
my]``) is evaluated like a briefing of its own: the same spec, resolved with the
translations of its language (:mod:`briefgen.resolve.translations`) and the strings and
brand fonts of that language. Its errors (a missing translation) stop it alone; the English
edition still builds."""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from ..errors import Diagnostic, Location
from ..incremental.index import BriefingState, ListEntry
from ..incremental.manifest import dependencies, digest
from ..load.project import twin_specs
from ..load.yamlfile import format_key_path, load_yaml
from ..resolve.model import Document
from ..resolve.resolver import resolve_briefing, topic_members
from ..resolve.translations import Translator, language_name
from ..validate.factbase import BriefingRecord
from ..validate.models import Briefing
from ..validate.schema import did_you_mean, validate_model
from ..validate.strings import ENGLISH, Strings, strings_for, strings_names
from ..validate.translations import TranslationSet, load_translations
from ..validate.types import check_id
from ..validate.zawgyi import zawgyi_problems

if TYPE_CHECKING:
    from .core import Workspace


KEEP_RECORDS = 32
#: what :func:`..editions.store.stamp` gives a briefing with no published edition
_NO_EDITIONS = hashlib.sha256().hexdigest()[:16]


class Evaluator:
    def __init__(self, ws: Workspace, paths: dict[str, Path], publisher_broken: bool):
        self.ws, self.paths, self.publisher_broken = ws, dict(paths), publisher_broken
        # the last specs read (a spec is read again if asked for after: keeping every parsed
        # spec of a large project, with the position of each of its values, costs memory)
        self._records: OrderedDict[str, tuple[BriefingRecord | None, list[Diagnostic]]] = \
            OrderedDict()
        self._current: dict[str, str] = {}
        self._editions_seen: set[str] | None = None
        self._rels: dict[str, str] = {}
        self._pdf = None
        self._twins: dict[str, list[Path]] | None = None  # ids with a .yaml and a .yml
        self._broken_files: set[str] | None = None  # fact files whose entry has errors
        #: edition id -> (the briefing's id, the edition's language)
        self.editions: dict[str, tuple[str, str]] = {}
        self._translations: dict[str, TranslationSet] = {}
        self._zawgyi: dict[str, list[Diagnostic]] = {}  # strings file -> its Zawgyi texts
        self._old_index = None

    # ------------------------------------------------------------------ editions
    def find_editions(self) -> list[str]:
        """The translated editions of every spec (``<id>.<language>``). A spec's languages
        come from the index while its file is unchanged, else from the spec itself; a spec
        that cannot be read keeps the editions it had (they fail with its errors and keep
        their PDFs, like the briefing itself)."""
        for bid in sorted(self.paths):
            for lang in self.languages(bid)[1:]:
                eid = f"{bid}.{lang}"
                self.editions[eid] = (bid, lang)
                self.paths[eid] = self.paths[bid]
        return sorted(self.editions)

    def languages(self, bid: str) -> list[str]:
        index = self.ws.index
        known = index.briefings.languages(bid) if index is not None else None
        if known is not None and known[0] == self.current("spec", bid):
            return known[1]
        record, _ = self._read(bid)
        if record is not None:
            return [record.spec.language, *record.spec.editions]
        return self._last_languages(bid)

    def _last_languages(self, bid: str) -> list[str]:
        """The languages the last run knew for ``bid`` (its spec is unreadable now)."""
        if self._old_index is None:
            from ..incremental.index import ProjectIndex

            self._old_index = self.ws.index or ProjectIndex.load(self.ws.layout.index) or False
        if not self._old_index:
            return []
        old = self._old_index.briefings.get(bid)
        return list(old.languages) if old is not None else []

    def translations(self, language: str) -> TranslationSet:
        if language not in self._translations:
            found = self._translations[language] = load_translations(self.ws.layout, language)
            tfiles = [*found.specs.values(), *found.entities.values(),
                      *(t for t, _ in found.sources.values()), found.publisher]
            if self._saw([t.file for t in tfiles if t is not None]):
                self._current.pop(f"translations:{language}", None)
        return self._translations[language]

    def _saw(self, read: list) -> bool:
        """Record what was read (see :func:`.core.saw`); True if a file had changed."""
        from .core import saw

        files = saw(self.ws.files, read)
        if files is self.ws.files:
            return False
        self.ws.files = files
        return True

    # ------------------------------------------------------------------ reuse
    def evaluate(self, bid: str, fresh: bool = False) -> tuple[BriefingState, Document | None]:
        index = self.ws.index
        if not fresh and index is not None:
            old = index.briefings.get(bid)
            if old is not None and old.ok and self._unchanged(old.inputs, bid):
                return old, None
        return self._fresh(bid)

    def _unchanged(self, inputs: dict[str, str], bid: str) -> bool:
        """Whether every input in ``inputs`` has the value it had (:meth:`current`), as one
        subset test of dict views, in C: a briefing has some sixty inputs, and at 1,000
        briefings comparing them one by one in Python took 0.15 s of every build under the
        profiler, this 0.04 s."""
        now = self._current
        # the two values that are this briefing's own (current() never looks them up in
        # the memo): written over the last briefing's before each test
        now["spec"] = self.current("spec", bid)
        now["publisher"] = self.current("publisher", bid)
        if inputs.items() <= now.items():
            return True
        missing = inputs.keys() - now.keys()  # inputs no briefing asked about before
        if not missing:
            return False
        for key in missing:
            now[key] = self._value(key)
        return inputs.items() <= now.items()

    def current(self, key: str, bid: str) -> str:
        """The value an input of ``bid`` has now (compared with the one it had)."""
        if key == "spec":
            return self.ws.files.get(self._rel(bid), "missing")
        if key == "publisher":
            return "broken" if self.publisher_broken else "ok"
        found = self._current.get(key)
        if found is None:
            found = self._current[key] = self._value(key)
        return found

    def _value(self, key: str) -> str:
        kind, _, rest = key.partition(":")
        ws = self.ws
        if kind == "file":  # a fact file's entry can break from outside it (a fact of it
            found = ws.files.get(rest, "missing")  # citing a source now gone): that too
            if self._broken_files is None:
                self._broken_files = {*ws.base.broken_entities.values(),
                                      *ws.base.broken_files}
            return f"{found}|broken" if rest in self._broken_files else found
        if kind == "source":
            rec = ws.base.sources.get(rest)
            if rec is None:
                return "missing"
            line = rec.file.location(rec.path, key=True).line
            return f"{digest(rec.source.model_dump(mode='json'))}@{line}"
        if kind == "members":
            rule = SimpleNamespace(**json.loads(rest))
            ids = ",".join(r.entity.id for r in topic_members(ws.base, rule))
            broken = ",".join(sorted(ws.base.broken_countries().values()))
            return hashlib.sha256(f"{ids}|{broken}".encode()).hexdigest()[:16]
        if kind == "editions":  # the published editions the "What's new" box compares with
            if rest not in self._edition_folders():  # most briefings: none published
                return _NO_EDITIONS
            from ..editions.store import stamp

            return stamp(ws.layout, rest)
        if kind == "translations":  # every file of one language's translations
            prefix = f"{self.ws.layout.translation_folder(rest).relative_to(ws.root).as_posix()}/"
            parts = [f"{p}={h}" for p, h in sorted(ws.files.items()) if p.startswith(prefix)]
            return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
        if kind == "brand":
            brand = ws.brands.get(rest)
            if brand is None:
                return "broken" if rest in ws.raw.styles else "missing"
            parts = [ws.files.get(p.relative_to(ws.root).as_posix(), "?") for p in brand.files]
            parts += sorted(info.digest for info in brand.fonts.values())
            return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
        return f"unknown input {key}"

    def _edition_folders(self) -> set[str]:
        """The names in editions/ (read once: asking for each briefing's own folder cost
        0.02 s of every build at 1,000 briefings)."""
        if self._editions_seen is None:
            try:
                self._editions_seen = set(os.listdir(self.ws.layout.editions))
            except OSError:
                self._editions_seen = set()
        return self._editions_seen

    def _rel(self, bid: str) -> str:
        found = self._rels.get(bid)
        if found is None:  # asked once per briefing on every run: pathlib is slow at it
            found = self._rels[bid] = self.paths[bid].relative_to(self.ws.root).as_posix()
        return found

    # ------------------------------------------------------------------ the spec
    def record(self, bid: str) -> BriefingRecord | None:
        return self._read(bid)[0]

    def _read(self, bid: str) -> tuple[BriefingRecord | None, list[Diagnostic]]:
        if bid in self.editions:
            return self._read(self.editions[bid][0])
        if bid not in self._records:
            file, errors = self._load(bid)
            if self._twins is None:
                self._twins = twin_specs(self.ws.layout)
            twins = self._twins.get(bid)
            if twins:  # which one is the briefing is not known: neither is built
                names = " and ".join(t.relative_to(self.ws.root).as_posix() for t in twins)
                errors = [*errors, Diagnostic(Location(names.split(" and ")[-1]), "",
                                              f"both {names} exist: keep one of them, since "
                                              f"each would be briefing '{bid}'")]
            self._saw([file])
            self._records[bid] = self._spec(bid, file, errors)
            while len(self._records) > KEEP_RECORDS:
                self._records.popitem(last=False)
        return self._records[bid]

    def _load(self, bid: str):
        """The spec file of ``bid``, parsed (a candidate workspace reads some from text)."""
        return load_yaml(self.paths[bid], self.ws.root)

    @staticmethod
    def _spec(bid: str, file, errors: list[Diagnostic]
              ) -> tuple[BriefingRecord | None, list[Diagnostic]]:
        """The briefing's record from its parsed spec file, or the errors that stop it."""
        record = None
        if not file.failed:
            try:
                check_id(bid)
            except ValueError as exc:
                errors.append(file.diag((), f"file name: {exc}"))
            spec, diags = validate_model(Briefing, file, file.data)
            errors += diags
            errors += zawgyi_problems(file)
            if spec is not None:
                errors += _language_problems(spec, file)
            if spec is not None and not errors:
                record = BriefingRecord(bid, spec, file)
        return record, errors

    def _strings(self, record: BriefingRecord, language: str, brand, edition: bool,
                 inputs: dict[str, str], fails: list[Diagnostic]) -> Strings:
        """The strings of ``language`` (a brand's digits over them); an edition needs a
        strings file of its own language."""
        ws = self.ws
        for name in strings_names(language):
            rel = ws.layout.strings_file(name).relative_to(ws.root).as_posix()
            inputs[f"file:{rel}"] = self.current(f"file:{rel}", record.id)
        name, strings = strings_for(ws.strings, language)
        if name is not None:
            zawgyi = self._zawgyi.get(name)
            if zawgyi is None:
                zawgyi = self._zawgyi[name] = zawgyi_problems(ws.raw.strings[name])
            fails += zawgyi
        broken = [n for n in strings_names(language) if n in ws.raw.strings
                  and n not in ws.strings]
        if broken:
            rel = ws.raw.strings[broken[0]].display
            fails.append(record.file.diag(("languages",) if edition else ("language",),
                                          f"the strings file {rel} has errors; fix them "
                                          "first"))
        elif strings is None and edition:
            where = ("languages", record.spec.languages.index(language))
            rel = ws.layout.strings_file(language).relative_to(ws.root).as_posix()
            fails.append(record.file.diag(where, f"no strings file for "
                                          f"{language_name(language)}: the fixed texts "
                                          f"(\"Page 1 of 2\", month names...) come from "
                                          f"{rel}; copy styles/strings/en.yaml there and "
                                          "translate it"))
        strings = strings or ENGLISH
        digits = brand.for_language(language).sheet.digits if brand is not None else None
        if digits is not None and digits != strings.digits:
            strings = strings.model_copy(update={"digits": digits})
        return strings

    # ------------------------------------------------------------------ fresh
    def _fresh(self, bid: str) -> tuple[BriefingState, Document | None]:
        ws = self.ws
        record, errors = self._read(bid)
        state = BriefingState(bid)
        inputs = {"spec": self.current("spec", bid), "publisher": self.current("publisher", bid)}
        fails = list(errors)
        doc = None
        base_id, edition = self.editions.get(bid, (bid, None))
        if record is None and edition is None:
            state.languages = self._last_languages(bid)
        if record is not None:
            spec = record.spec
            language = edition or spec.language
            state.date, state.language, state.brand = spec.date.isoformat(), language, \
                spec.brand
            if edition is None:
                state.languages = [spec.language, *spec.editions]
            if self.publisher_broken:
                where = ws.raw.publisher.display if ws.raw.publisher else \
                    "briefings/facts/publisher.yaml"
                fails.append(Diagnostic(record.file.location(()), "", f"the publisher file "
                                        f"has errors ({where}); every briefing prints it, so "
                                        "none can be built"))
            brand = ws.brands.get(spec.brand)
            inputs[f"brand:{spec.brand}"] = self.current(f"brand:{spec.brand}", bid)
            if brand is None:
                if spec.brand in ws.raw.styles:
                    sheet = ws.raw.styles[spec.brand].display
                    fails.append(record.file.diag(("brand",), f"brand sheet '{spec.brand}' "
                                                  f"has errors ({sheet}); fix them first"))
                else:
                    fails.append(record.file.diag(
                        ("brand",), f"unknown brand sheet '{spec.brand}'"
                                    f"{did_you_mean(spec.brand, ws.raw.styles)}; brand sheets "
                                    "are the files in styles/"))
            strings = self._strings(record, language, brand, edition is not None, inputs, fails)
            translator = None
            if edition is not None:
                inputs[f"translations:{edition}"] = self.current(f"translations:{edition}", bid)
                where = ("languages", spec.languages.index(edition))
                translator = Translator(self.translations(edition), ws.layout, base_id,
                                        record.file.location(where),
                                        format_key_path(where))
            resolved = resolve_briefing(ws.base, record, strings=strings,
                                        translator=translator)
            fails += resolved.errors
            state.warnings = list(resolved.warnings)
            state.lists = {lid: [ListEntry(e.number, e.id, e.name, list(e.reasons))
                                 for e in entries] for lid, entries in resolved.lists.items()}
            for key in sorted(resolved.reads):
                inputs[key] = self.current(key, bid)
            doc = resolved.document
            if doc is not None:
                # the "What's new" box is printed, so it is made here, before the glyph check,
                # from the last edition that differs (see briefgen.editions.box); a
                # translated edition has none (the box is worked out in English)
                if edition is None:
                    inputs[f"editions:{bid}"] = self.current(f"editions:{bid}", bid)
                if edition is None and ws.layout.briefing_editions(bid).is_dir():
                    from ..editions.box import add_whats_new

                    fails += add_whats_new(ws, record, doc)
                state.title, state.subtitle = doc.title, doc.subtitle or ""
                state.lead = doc.lead_text()
                state.chars = "".join(sorted(set(doc.printed_text())))
                state.styles = sorted(doc.styles_used())
                state.used_facts = sorted(doc.used_facts)
                state.used_sources = sorted(doc.used_sources)
                if brand is not None:
                    fails += self.pdf.check(doc, brand)
                    state.deps = dependencies(doc, record, ws.base,
                                              brand.for_language(language), ws.digests)
                    if doc.whats_new:
                        state.deps["whats-new"] = digest([doc.whats_new_since,
                                                          *(p.plain for p in doc.whats_new)])
                    state.deps_digest = digest(state.deps)
        state.errors = sorted({str(d): d for d in fails}.values(), key=Diagnostic.sort_key)
        state.inputs = inputs
        return state, doc if state.ok else None

    @property
    def pdf(self):
        if self._pdf is None:
            from ..render import renderer

            self._pdf = renderer("pdf")
        return self._pdf


def _language_problems(spec: Briefing, file) -> list[Diagnostic]:
    """``languages`` starts with the briefing's own language and names each one once."""
    out = []
    if spec.languages and spec.languages[0] != spec.language:
        out.append(file.diag(("languages", 0), f"the first language is the briefing's own: "
                                               f"make it '{spec.language}' (as `language` "
                                               "says), or leave `language` out"))
    seen: set[str] = set()
    for i, lang in enumerate(spec.languages):
        if lang in seen:
            out.append(file.diag(("languages", i), f"'{lang}' is listed twice"))
        seen.add(lang)
    return out
