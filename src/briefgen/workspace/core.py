"""The :class:`Workspace` and :func:`open_workspace`: what every command works on."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..defaults import DEFAULT_STALE_MONTHS
from ..errors import Diagnostic, Report, UsageError
from ..heap import frozen, paused
from ..incremental.index import BriefingState, ListEntry, ProjectIndex, _States, hash_files
from ..incremental.manifest import digest
from ..load.project import Layout, RawProject, find_root, load_raw, spec_paths
from ..resolve.model import Document
from ..validate.brand import Brand, validate_brand
from ..validate.factbase import BriefingRecord, FactBase, load_fact_base
from ..validate.fontfiles import FontCache
from ..validate.schema import did_you_mean
from ..validate.strings import Strings, validate_strings
from .evaluate import Evaluator
from .quick import where
from .warnings import warnings

#: documents kept after they were resolved (`mail`, `pack` and tests ask for a few; a full
#: build streams them to the workers instead)
KEEP_DOCUMENTS = 16


@dataclass
class Workspace:
    layout: Layout
    raw: RawProject  # the fact base, brand sheets and mail settings as read
    base: FactBase
    brands: dict[str, Brand]
    #: every spec, valid or not, by id, and every translated edition (``<id>.<language>``)
    ids: list[str]
    #: errors that belong to no single briefing: the fact base, brand sheets, mail settings
    shared: list[Diagnostic]
    files: dict[str, str]  # content hash of every input file, this run
    index: ProjectIndex | None  # the last run's, when it may be used
    stale_months: int = DEFAULT_STALE_MONTHS
    today: dt.date | None = None
    #: the fixed texts of each language with a valid ``styles/strings/<language>.yaml``
    strings: dict[str, Strings] = field(default_factory=dict)
    states: dict[str, BriefingState] = field(default_factory=dict)
    #: content hashes of facts and sources for the build manifest, computed once
    digests: dict[str, str] = field(default_factory=dict, repr=False)
    _docs: OrderedDict[str, Document] = field(default_factory=OrderedDict, repr=False)
    _doc_states: dict[str, BriefingState] = field(default_factory=dict, repr=False)
    _evaluator: Evaluator | None = field(default=None, repr=False)
    _mail: tuple | None = field(default=None, repr=False)
    #: the states :attr:`diagnostics` was worked out from, and its answer
    _diagnosed: tuple[list[BriefingState], list[Diagnostic]] | None = \
        field(default=None, repr=False)

    @property
    def mail(self):
        """The validated mail set-up (``mail.setup.MailSetup``), or None when the project
        does not mail or its settings have errors (see :attr:`mail_errors`). Read when first
        asked for: a build does not need it."""
        if self._mail is None:
            setup, found = _mail(self.raw, self.layout)
            doc = self.sample_document() if setup is not None else None
            if setup is not None and doc is not None:  # the templates, rendered once
                from ..mail.message import rehearse

                problems = rehearse(setup.templates, setup.settings, doc)
                setup, found = (None, [*found, *problems]) if problems else (setup, found)
            self._mail = (setup, found)
        return self._mail[0]

    @property
    def mail_errors(self) -> list[Diagnostic]:
        self.mail  # noqa: B018 - reads and validates the settings
        return list(self._mail[1])

    @property
    def web_errors(self) -> list[Diagnostic]:
        """Problems in the web edition's templates (``styles/web/``), read when asked for."""
        if not self.layout.web_templates.is_dir() or not self.brands:
            return []
        # the templates compile the same while their files are the same (compiling them
        # costs about 0.1 s, on every check)
        prefix = self.layout.web_templates.relative_to(self.root).as_posix() + "/"
        stamp = digest(sorted((p, h) for p, h in self.files.items() if p.startswith(prefix)))
        if self.index is not None and self.index.web_ok == stamp:
            self._web_ok = stamp
            return []
        from ..render import renderer

        html = renderer("html")
        brand = self.brands.get("default") or next(iter(self.brands.values()))
        problems = list(html.check(None, brand))
        if not problems and self.base.publisher is not None:
            # compiled: now rendered once, for a briefing that can be built
            doc = self.sample_document()
            if doc is not None:
                problems = html.rehearse(doc, self.brands[doc.brand].for_language(
                    doc.language), self.base.publisher)
        self._web_ok = "" if problems else stamp
        return problems

    def sample_document(self) -> Document | None:
        """A briefing that can be built, resolved, to rehearse the web and mail templates
        with: one at hand if there is one (no briefing is resolved twice), else the first."""
        if self._docs:
            return next(reversed(self._docs.values()))
        bid = next((b for b in self.ids if self.ok(b)), None)
        return self.document(bid) if bid is not None else None

    @property
    def root(self) -> Path:
        return self.layout.root

    # ------------------------------------------------------------------ briefings
    def require(self, bid: str) -> None:
        """A usage error for an id that is not a briefing."""
        if bid not in self.ids:
            raise UsageError(f"no briefing '{bid}'{did_you_mean(bid, self.ids)}")

    def evaluate(self, bid: str) -> tuple[BriefingState, Document | None]:
        """The briefing's state, and its document when it was resolved just now (a state
        reused from the index comes without one). The document is not kept."""
        self.require(bid)
        state, doc = self._evaluator.evaluate(bid)
        self.states[bid] = state
        if not state.reused and self.index is not None:
            self.index.briefings.forget(bid)
        return state, doc

    def state(self, bid: str) -> BriefingState:
        if bid not in self.states:
            _, doc = self.evaluate(bid)
            if doc is not None:
                self._keep(doc)
        return self.states[bid]

    def evaluate_all(self) -> None:
        with frozen():
            for bid in self.ids:
                if bid not in self.states:
                    _, doc = self.evaluate(bid)
                    if doc is not None and not self._docs:  # one at hand, for the
                        self._keep(doc)  # templates' rehearsal (see web_errors)

    def document(self, bid: str) -> Document | None:
        """The resolved document (None when the briefing has errors), resolved afresh from
        the YAML files if it is not at hand: never taken from the index."""
        if bid in self._docs:
            self._docs.move_to_end(bid)
            # with the state it was resolved with: a state reused from the index since
            # has only the digest of its inputs, and a build records the inputs themselves
            self.states[bid] = self._doc_states[bid]
            return self._docs[bid]
        state, doc = self._evaluator.evaluate(bid, fresh=True)
        self.states[bid] = state
        if self.index is not None:  # the state in memory now replaces the index's copy
            self.index.briefings.forget(bid)
        if doc is not None:
            self._keep(doc)
        return doc

    def _keep(self, doc: Document) -> None:
        self._docs[doc.id] = doc
        self._doc_states[doc.id] = self.states[doc.id]  # the state resolved with it
        while len(self._docs) > KEEP_DOCUMENTS:
            gone, _ = self._docs.popitem(last=False)
            self._doc_states.pop(gone, None)

    def record(self, bid: str) -> BriefingRecord | None:
        return self._evaluator.record(bid)

    def edition_of(self, bid: str) -> tuple[str, str] | None:
        """(briefing id, language) of a translated edition; None for a briefing."""
        return self._evaluator.editions.get(bid)

    def translation_set(self, language: str):
        """The translations of one language (:class:`~briefgen.validate.translations.
        TranslationSet`), read once."""
        return self._evaluator.translations(language)

    def spec_file(self, bid: str) -> str:
        """The spec's path, relative to the project root."""
        return self._evaluator.paths[bid].relative_to(self.root).as_posix()

    def ok(self, bid: str) -> bool:
        return self.state(bid).ok

    def brand_of(self, bid: str) -> Brand:
        return self.brands[self.state(bid).brand]

    @property
    def failures(self) -> dict[str, list[Diagnostic]]:
        """Briefing id -> every error that stops it (empty when it can be built)."""
        self.evaluate_all()
        return {bid: list(self.states[bid].errors) for bid in self.ids}

    @property
    def documents(self) -> dict[str, Document]:
        """Every briefing that can be built, resolved (a convenience for small projects and
        tests: it holds them all in memory)."""
        out = {}
        for bid in self.ids:
            doc = self.document(bid)
            if doc is not None and self.ok(bid):
                out[bid] = doc
        return out

    @property
    def lists(self) -> dict[str, dict[str, list[ListEntry]]]:
        self.evaluate_all()
        return {bid: s.lists for bid, s in self.states.items()}

    # ------------------------------------------------------------------ reports
    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every error and warning of the project (evaluates every briefing). Worked out
        once for the same states (``check`` asks for it, then saving the index does)."""
        self.evaluate_all()
        states = [self.states[bid] for bid in self.ids]
        if self._diagnosed is not None and len(self._diagnosed[0]) == len(states) and \
                all(a is b for a, b in zip(self._diagnosed[0], states, strict=True)):
            return list(self._diagnosed[1])
        out = list(self.shared) + self.mail_errors + self.web_errors
        for bid in self.ids:
            out += self.states[bid].errors
            out += self.states[bid].warnings
        editions = self._evaluator.editions  # the same facts as their briefing: counted once
        out += warnings(self.base, [self.states[b] for b in self.ids if b not in editions],
                        self.stale_months, self.today)
        unique = {(str(d), d.severity): d for d in out}
        found = sorted(unique.values(), key=Diagnostic.sort_key)
        self._diagnosed = (states, found)
        return list(found)

    def briefing_errors(self) -> list[Diagnostic]:
        """The errors of the fact base, brands and strings, and those that stop a briefing
        (evaluates every briefing): what ``where`` and ``sources`` cannot see past. Neither
        the mail settings nor the web templates, which hide no use of a fact."""
        self.evaluate_all()
        return [d for d in self.shared if d.is_error] + [
            d for bid in self.ids for d in self.states[bid].errors]

    @property
    def report(self) -> Report:
        return Report(self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def save_index(self) -> None:
        """Keep what this run learnt. The whole-project answers (for `check` and `where`
        when no file changed) are kept only when every briefing was evaluated."""
        old = self.index or ProjectIndex.load(self.layout.index)
        index = ProjectIndex(self.layout.index)
        previous = old.briefings if old is not None else _States({})
        complete = len(self.states) == len(self.ids)
        # worked out first: rehearsing the templates may resolve a briefing, whose state
        # in memory then replaces the one from the index
        diagnostics = self.diagnostics if complete else []
        index.briefings = previous.merged(self.states, set(self.ids))
        if complete:
            index.files = dict(self.files)
            index.diagnostics = diagnostics
            index.stale_months = self.stale_months
            index.known = sorted([*self.base.entities, *self.base.facts, *self.base.sources])
            index.counts = [len(self.ids), len(self.base.countries), len(self.base.sources),
                            len(self._evaluator.editions)]
        # a digest of the template files themselves: still true of them while they are the
        # same, so kept when this run did not compile them (one briefing built)
        index.web_ok = getattr(self, "_web_ok", old.web_ok if old is not None else "")
        index.save()
        self.index = index

    # ------------------------------------------------------------------ queries
    def where(self, ident: str) -> list[tuple[str, list[str]]]:
        """Briefings that use a country, body, fact or source, each with how it uses it."""
        known = [*self.base.entities, *self.base.facts, *self.base.sources]
        self.evaluate_all()
        return where(ident, known, _States({}).merged(self.states, set(self.ids)))


def open_workspace(root: Path | str = ".", *, stale_months: int = DEFAULT_STALE_MONTHS,
                   today: dt.date | None = None, full: bool = False,
                   files: dict[str, str] | None = None) -> Workspace:
    """Load and validate what the briefings share; never raises for bad content (errors
    are collected). ``full`` works everything out again, ignoring the index. ``files``:
    the project's file hashes (:func:`briefgen.workspace.quick.input_hashes`) if the caller
    has just taken them; a file saved since is found out by the next run."""
    # Loading makes many small objects and frees few: the cyclic garbage collector would
    # walk them again and again for nothing (about a third of the time at 1,000 briefings)
    with paused():
        return _open(Path(root), stale_months, today, full, files)


def _open(root: Path, stale_months: int, today: dt.date | None, full: bool,
          files: dict[str, str] | None) -> Workspace:
    layout = Layout(find_root(root))
    if files is None:
        files = hash_files(layout.root, *layout.inputs())
    raw = load_raw(layout.root, specs=False)
    files = saw(files, raw.files())
    base, shared = load_fact_base(raw)
    shared = [*raw.errors, *shared]
    brands, brand_errors = _brands(raw, layout)
    shared += brand_errors
    paths = spec_paths(layout)
    strings, strings_errors = validate_strings(raw.strings)
    shared += strings_errors
    ws = Workspace(layout, raw, base, brands, sorted(paths), shared, files,
                   None if full else ProjectIndex.load(layout.index), stale_months, today,
                   strings=strings)
    publisher = raw.publisher.display if raw.publisher else "briefings/facts/publisher.yaml"
    publisher_broken = any(d.location.path == publisher for d in shared if d.is_error)
    ws._evaluator = Evaluator(ws, paths, publisher_broken)
    ws.ids = sorted([*paths, *ws._evaluator.find_editions()])
    return ws


def saw(files: dict[str, str], read: list) -> dict[str, str]:
    """``files`` with the hash of what was actually read from each file in ``read``
    (:class:`~briefgen.load.yamlfile.YamlFile`): a file saved between the hashing and the
    reading is recorded as read, so the next run sees that it differs from the file now,
    even if it is saved back as it was."""
    changed = {f.display: f.digest for f in read
               if f.digest and files.get(f.display, f.digest) != f.digest}
    return {**files, **changed} if changed else files


def _brands(raw: RawProject, layout: Layout) -> tuple[dict[str, Brand], list[Diagnostic]]:
    """Every brand sheet in styles/ (a sheet no briefing uses is still checked)."""
    cache = FontCache(layout.fonts_cache)
    brands: dict[str, Brand] = {}
    errors: list[Diagnostic] = []
    for name in sorted(raw.styles):
        brand, errs = validate_brand(raw.styles, name, layout.styles, cache)
        if brand is not None:
            brands[name] = brand
        errors += errs
    cache.save()
    return brands, errors


def _mail(raw: RawProject, layout: Layout) -> tuple[object | None, list[Diagnostic]]:
    if raw.mail_settings is None:
        return None, []
    from ..mail.setup import validate_setup

    return validate_setup(raw.mail_settings, layout)
