"""Translated text for one edition: what the resolver asks for instead of the English.

A :class:`Translator` serves one edition (``military-cooperation.my``). For every text the
edition prints it finds the translation entry (see :mod:`briefgen.validate.translations`)
and records, each where a translator must act:

* an **error** when the entry is missing or its text is empty (only this edition fails; the
  English one still builds), or when the translation, as its template code works out,
  drops or adds a footnote reference, a fact it prints (``{{ fact('...') }}``, each as
  often as the English) or a link (:meth:`Translator.evidence`);
* a **warning** when the English changed after the translation was made (the entry's hash is
  not the hash of the English now): "translation of australia.training-review (my) is older
  than the English", at the translation's line;
* whether the entry is **reviewed**: an edition with any unreviewed text is a draft, and its
  PDF says so in the footer (and its web page, under the title). A text older than the
  English counts as unreviewed even if marked reviewed: the review was of other English.

It also gives each text it used a hash for the build manifest, so that editing one
translation rebuilds exactly the editions that print it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import Diagnostic, Location, Severity
from ..load.project import Layout
from ..load.yamlfile import KeyPath, format_key_path
from ..validate.translations import Entry, TranslationFile, TranslationSet, text_hash
from .inline import parse_inline

_REF = re.compile(r"\[\^([^\]\s]+)\]")
#: where a probe's fact() printed, with what it printed (see Translator._probe)
_MARKED = re.compile("\ue000([0-9]+)\ue001(.*?)\ue000/\\1\ue001", re.S)
_LEFTOVER = re.compile("\ue000/?[0-9]+\ue001")  # a mark whose fact was cut
#: a web address written out in the text (a reader may follow it too): up to a space, or to
#: Myanmar script (Burmese writes a particle straight after a word: www.un.orgတွင်)
_ADDRESS = re.compile(r"(?:(?:https?://|mailto:|www\.)[^\s<>\"`\u1000-\u109f\uaa60-\uaa7f]+|"
                      r"[\w+-][\w.+'-]*@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]+)", re.I)
_TRAILING = ".,;:!?)]}'’”\u104a\u104b"  # punctuation after an address, Burmese's too
LANGUAGE_NAMES = {"my": "Burmese", "en": "English", "fr": "French", "de": "German",
                  "es": "Spanish", "th": "Thai", "zh": "Chinese", "ru": "Russian"}


def language_name(code: str) -> str:
    name = LANGUAGE_NAMES.get(code.split("-")[0])
    return f"{name} ({code})" if name else f"'{code}'"


@dataclass
class Translator:
    tset: TranslationSet
    layout: Layout
    spec_id: str
    #: where to report a missing translation that has no file to point into (the spec's
    #: ``languages`` entry for this language)
    anchor: Location
    anchor_key: str = ""
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    unreviewed: int = 0
    used: int = 0
    #: key -> hash of each translation used (for the build manifest)
    inputs: dict[str, str] = field(default_factory=dict)
    _touched: set[int] = field(default_factory=set)

    @property
    def language(self) -> str:
        return self.tset.language

    @property
    def command(self) -> str:
        return f"briefgen translate {self.spec_id} --lang {self.language}"

    # ------------------------------------------------------------------ lookups
    def spec(self, path: KeyPath, english: str) -> Entry | None:
        """The translation of the spec's text at ``path`` (``("sections", 1, "heading")``)."""
        tfile = self.tset.specs.get(self.spec_id)
        where = self.layout.spec_translation(self.language, self.spec_id)
        return self._use(tfile, tuple(path), english,
                         f"{self.spec_id} {format_key_path(path)}", where)

    def statement(self, entity_id: str, kind: str, fact_id: str, english: str
                  ) -> Entry | None:
        tfile = self.tset.entities.get(entity_id)
        where = self.layout.facts_translation(self.language, kind, entity_id)
        return self._use(tfile, ("facts", fact_id, "statement"), english,
                         f"{entity_id}.{fact_id}", where)

    def name(self, entity_id: str, kind: str, english: str) -> Entry | None:
        tfile = self.tset.entities.get(entity_id)
        where = self.layout.facts_translation(self.language, kind, entity_id)
        return self._use(tfile, ("name",), english, f"{entity_id} name", where)

    def source(self, source_id: str, key: str, english: str, *, required: bool
               ) -> Entry | None:
        """A source's ``title`` (required where it is printed) or ``publisher`` (a name: it
        may stay as it is, so it is used only when translated)."""
        found = self.tset.sources.get(source_id)
        tfile, base = found if found else (None, (source_id,))
        path = (*base, key)
        if not required and self.tset.entry(tfile, path) is None:
            return None
        where = self.layout.facts_translation(self.language, "sources", "sources")
        if tfile is not None:
            where = tfile.file.path
        return self._use(tfile, path, english, f"source {source_id} {key}", where)

    def publisher(self, key: str, english: str) -> Entry | None:
        where = self.layout.facts_translation(self.language, "", "publisher")
        return self._use(self.tset.publisher, (key,), english, f"publisher {key}", where)

    def known(self, tfile: TranslationFile | None, path: KeyPath) -> Entry | None:
        """An entry, if there is one, without recording anything (for template views)."""
        entry = self.tset.entry(tfile, path)
        return entry if entry is not None and entry.text else None

    # ------------------------------------------------------------------ checks
    def refs(self, english: str, entry: Entry) -> None:
        """A translation keeps the English's footnote references: they are its evidence."""
        theirs, ours = set(_REF.findall(english)), set(_REF.findall(entry.text))
        if theirs == ours:
            return
        parts = []
        if theirs - ours:
            parts.append("drops " + ", ".join(f"[^{r}]" for r in sorted(theirs - ours)))
        if ours - theirs:
            parts.append("adds " + ", ".join(f"[^{r}]" for r in sorted(ours - theirs)))
        self.errors.append(entry.file.diag(entry.text_path, f"the translation "
                                           f"{' and '.join(parts)}: keep the footnote "
                                           "references of the English, which are the "
                                           "evidence for what it says"))

    def evidence(self, english: str, text: str,
                 render: Callable[[str, Callable[[str], str]], str | None],
                 statement: Callable[[str, bool], str] = lambda key, translated: key
                 ) -> list[str]:
        """What the translation ``text`` prints of the evidence that the ``english`` does
        not, or the reverse, once their template code is worked out: the facts printed with
        ``fact()`` (each as often), the footnote references and the links. ``render(raw,
        fact)`` renders a text with ``fact`` in place of the fact function (None: it has
        errors, reported elsewhere). Facts print as a mark here, so a fact's own translation,
        checked where it is written, is not blamed on the text that prints it.
        ``statement(key, translated)`` is what ``fact(key)`` prints in either text."""
        ours = self._probe(text, render, lambda key: statement(key, True))
        theirs = self._probe(english, render, lambda key: statement(key, False))
        if ours is None or theirs is None:
            return []
        problems = []
        parts = [f"{verb} " + ", ".join(f"fact('{key}')" + (f" {n} times" if n > 1 else "")
                                        for key, n in sorted(diff.items()))
                 for verb, diff in (("drops", theirs[0] - ours[0]), ("adds", ours[0] - theirs[0]))
                 if diff]
        if parts:
            problems.append(f"the translation {' and '.join(parts)}: print the facts the "
                            "English prints, each as often, with {{ fact('...') }}")
        if set(_REF.findall(english)) == set(_REF.findall(text)):  # else refs() said it
            parts = [f"{verb} " + ", ".join(f"[^{r}]" for r in sorted(diff))
                     for verb, diff in (("drops", theirs[1] - ours[1]),
                                        ("adds", ours[1] - theirs[1])) if diff]
            if parts:
                problems.append(f"the translation {' and '.join(parts)}: keep the footnote "
                                "references of the English, which are the evidence for what "
                                "it says")
        parts = [f"{verb} " + ", ".join(sorted(diff))
                 for verb, diff in (("drops the link to", theirs[2] - ours[2]),
                                    ("adds a link to", ours[2] - theirs[2])) if diff]
        if parts:
            problems.append(f"the translation {' and '.join(parts)}: keep the links of the "
                            "English, no more and no fewer")
        return problems

    def _probe(self, raw: str, render, statement) -> tuple[Counter, set, set] | None:
        """(the facts printed, the footnotes, the links and written-out addresses). Each
        ``fact()`` call prints its statement between marks of its own, and counts only if
        it reaches the output whole and unchanged: a fact set aside (``{% set x = fact(...)
        %}``), cut (``[:12]``, ``| truncate``) or changed by a filter (``| length``,
        ``| replace``, ``| upper``) is not printed."""
        calls: list[tuple[str, str]] = []

        def fact(key: str) -> str:
            calls.append((str(key), statement(str(key))))
            n = len(calls) - 1
            return f"\ue000{n}\ue001{calls[n][1]}\ue000/{n}\ue001"

        out = render(raw, fact)
        if out is None:
            return None
        printed: Counter = Counter()
        for found in _MARKED.finditer(out):
            n = int(found.group(1))
            if n < len(calls) and found.group(2) == calls[n][1]:
                printed[calls[n][0]] += 1
        refs: set[str] = set()
        rest = _LEFTOVER.sub(" ", _MARKED.sub(" ", out))  # a fact's own evidence aside
        spans, _ = parse_inline(rest, lambda sid: refs.add(sid) or 1, self.language)
        links = {s.href for s in spans if s.href}
        links.update(m.group(0).rstrip(_TRAILING) for s in spans if not s.code and not s.href
                     for m in _ADDRESS.finditer(s.text))
        return printed, refs, links

    def _use(self, tfile: TranslationFile | None, path: KeyPath, english: str, label: str,
             where) -> Entry | None:
        lang = self.language
        self._touch(tfile)
        entry = self.tset.entry(tfile, path)
        if entry is None:
            if tfile is not None and any(d.key.startswith(format_key_path(path))
                                         for d in tfile.errors):
                return None  # the entry has errors of its own, reported with the file
            rel = where.relative_to(self.layout.root).as_posix() if where.is_absolute() \
                else str(where)
            message = (f"no {language_name(lang)} translation of {label}: add it to {rel} "
                       f"(`{self.command}` writes the English and its hash there)")
            if tfile is not None:
                self.errors.append(tfile.file.diag(path[:-1], message))
            else:
                self.errors.append(Diagnostic(self.anchor, self.anchor_key, message))
            return None
        self.used += 1
        self.inputs[f"translation:{entry.file.display}:{format_key_path(path)}"] = \
            text_hash(f"{entry.value.text}\0{entry.value.reviewed}")
        if not entry.text:
            self.errors.append(entry.file.diag(entry.text_path, f"{label} is not translated "
                                               f"into {language_name(lang)} yet: write the "
                                               "translation of `original` here"))
            return None
        stale = entry.value.hash != text_hash(english)
        if stale:
            self.warnings.append(Diagnostic(
                entry.file.location(entry.text_path), format_key_path(entry.text_path),
                f"translation of {label} ({lang}) is older than the English: the English "
                f"changed after it was translated; `{self.command}` puts the new English "
                "beside it (and the old as `previous`), then update the translation",
                Severity.WARNING, "stale-translation"))
        if stale or not entry.value.reviewed:  # a text reviewed against English that has
            self.unreviewed += 1               # changed since is not reviewed any more
        return entry

    def _touch(self, tfile: TranslationFile | None) -> None:
        if tfile is not None and id(tfile) not in self._touched:
            self._touched.add(id(tfile))
            self.errors.extend(tfile.errors)
