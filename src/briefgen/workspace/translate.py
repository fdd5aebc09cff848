"""``briefgen translate ID --lang my``: the translation files of one edition, written for a
translator to fill in.

For every text the edition prints (the spec's own text, the statements of the facts it uses,
the names of the countries it lists, the titles of the sources its notes print, the
publisher's tagline) the files in ``briefings/translations/<language>/`` get an entry with
the English (``original``), its hash, an empty ``text`` and ``reviewed: false``
(see :mod:`briefgen.validate.translations` for the layout).

It never overwrites a translation. An entry whose English changed since it was translated
(its hash differs) is *refreshed*: the new English goes in ``original``, the English it was
translated from in ``previous`` (so the translator sees what changed), the hash is updated,
the text is kept, and ``reviewed`` becomes false: the PDF says "Draft translation" until an
editor has checked it again. The spec's file is the edition's own: entries whose English is
gone (a paragraph deleted) move to ``unused:`` at its end rather than vanish. Fact, source
and publisher files are shared by every edition in the language: only the entries this
briefing needs are added or refreshed, the others are left as they are.

Files are written whole (comments in them are not kept), atomically, and only when
something changed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ContentError, Diagnostic, OutputError, UsageError
from ..files import why, write_atomic
from ..load.yamlfile import KeyPath, load_yaml
from ..resolve.model import CountryListBlock
from ..resolve.translations import language_name
from ..validate.models import LANGUAGE_PATTERN
from ..validate.translations import ENTRY_KEYS, text_hash

if TYPE_CHECKING:
    from .core import Workspace


@dataclass
class FileReport:
    path: str  # relative to the project root
    added: int = 0
    refreshed: int = 0
    unused: int = 0
    written: bool = False
    #: the new text, written once every file of the run is worked out (None: unchanged)
    pending: tuple[Path, str] | None = field(default=None, repr=False, compare=False)


@dataclass
class TranslateResult:
    language: str
    files: list[FileReport] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(f.added for f in self.files)


def translate(ws: Workspace, bid: str, language: str) -> TranslateResult:
    """Add and refresh the translation entries of ``bid``'s edition in ``language``."""
    if not re.fullmatch(LANGUAGE_PATTERN, language):  # it names a folder: never ../ or /
        raise UsageError(f"'{language}' is not a language code: write it as a spec's "
                         "`languages` does, e.g. my, fr or en-GB")
    if ws.edition_of(bid) is not None:
        base, lang = ws.edition_of(bid)
        raise UsageError(f"'{bid}' is the {language_name(lang)} edition of '{base}': "
                         f"run briefgen translate {base} --lang {lang}")
    ws.require(bid)
    record = ws.record(bid)
    doc = ws.document(bid)
    if record is None or doc is None:
        raise ContentError([d for d in ws.state(bid).errors])
    if language == record.spec.language:
        raise UsageError(f"'{bid}' is written in {language_name(language)}: name another "
                         "language")
    layout, result = ws.layout, TranslateResult(language)
    spec = record.spec

    # the spec's own text, in its own structure
    wanted: list[tuple[KeyPath, str]] = [(("title",), spec.title)]
    if spec.short_title:
        wanted.append((("short_title",), spec.short_title))
    if spec.subtitle:
        wanted.append((("subtitle",), spec.subtitle))
    if spec.lead:
        wanted.append((("lead",), spec.lead))
    raw_sections = (record.file.data or {}).get("sections", [])
    facts_at: dict[KeyPath, str] = {}
    for i, section in enumerate(spec.sections):
        wanted.append((("sections", i, "heading"), section.heading))
        raw_pars = raw_sections[i].get("paragraphs", [])
        for j, par in enumerate(section.paragraphs):
            if par.fact is not None:
                facts_at[("sections", i, "paragraphs", j)] = par.fact
                continue
            path: KeyPath = ("sections", i, "paragraphs", j)
            if isinstance(raw_pars[j], dict):
                path = (*path, "text")
            wanted.append((path, par.text or ""))
    for k, item in enumerate(spec.more_information):
        wanted.append((("more_information", k, "label"), item.label))
    target = layout.spec_translation(language, bid)
    result.files.append(_spec_file(ws, target, wanted, facts_at, bid, language))

    # what the edition prints of the fact base
    base = ws.base
    by_entity: dict[str, list[tuple[KeyPath, str]]] = {}
    for key in sorted(doc.used_facts):
        rec = base.facts[key]
        by_entity.setdefault(rec.entity.id, []).append(
            (("facts", rec.fact.id, "statement"), rec.fact.statement))
    for block in doc.blocks:
        if isinstance(block, CountryListBlock):
            for entry in block.entries:
                rec = base.entities[entry.id]
                by_entity.setdefault(entry.id, []).insert(0, (("name",), rec.entity.name))
    for eid, items in sorted(by_entity.items()):
        rec = base.entities[eid]
        kind = rec.file.path.parent.name
        order = [("name",)] + [("facts", f.id, "statement") for f in rec.entity.facts]
        items.sort(key=lambda item: order.index(item[0]) if item[0] in order else 1 << 20)
        result.files.append(_shared_file(ws, layout.facts_translation(language, kind, eid),
                                         items, language,
                                         f"{rec.file.display} ({rec.entity.name})"))
    sources: dict[str, list[tuple[KeyPath, str]]] = {}
    for note in doc.notes.values():
        src = base.sources[note.source_id]
        if src.source.title:
            stem = src.file.path.stem
            sources.setdefault(stem, []).append(((note.source_id, "title"), src.source.title))
    for stem, items in sorted(sources.items()):
        existing = ws.translation_set(language).sources
        path = layout.facts_translation(language, "sources", stem)
        found = {existing[sid][0].file.path for (sid, _), _ in items if sid in existing}
        if len(found) == 1:  # the translator keeps them in a file of another name
            path = found.pop()
        result.files.append(_shared_file(ws, path, items, language,
                                         f"briefings/facts/sources/{stem}.yaml"))
    if doc.publisher.tagline:
        result.files.append(_shared_file(
            ws, layout.facts_translation(language, "", "publisher"),
            [(("tagline",), doc.publisher.tagline)], language,
            "briefings/facts/publisher.yaml"))
    _write_all(result)
    return result


# ---------------------------------------------------------------------- entries
def _entry(old: Any, english: str) -> tuple[dict[str, Any], str]:
    """The entry for ``english`` made from ``old`` (an existing entry or None), and what
    happened: 'added', 'refreshed' or 'kept'."""
    digest = text_hash(english)
    if not isinstance(old, dict):
        return {"original": english, "hash": digest, "text": "", "reviewed": False}, "added"
    text = old.get("text") if isinstance(old.get("text"), str) else ""
    if old.get("hash") == digest:
        out = {"original": english, "hash": digest, "text": text,
               "reviewed": old.get("reviewed") is True}
        if isinstance(old.get("previous"), str):
            out = {"original": english, "previous": old["previous"], "hash": digest,
                   "text": text, "reviewed": old.get("reviewed") is True}
        return out, "kept"
    if not text.strip():
        return {"original": english, "hash": digest, "text": text, "reviewed": False}, "added"
    previous = old.get("original") if isinstance(old.get("original"), str) else None
    out = {"original": english}
    if previous:
        out["previous"] = previous
    out.update({"hash": digest, "text": text, "reviewed": False})
    return out, "refreshed"


def _is_entry(value: Any) -> bool:
    return isinstance(value, dict) and any(k in value for k in ENTRY_KEYS)


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def _set(data: dict, path: KeyPath, value: Any) -> None:
    for k, part in enumerate(path[:-1]):
        nxt = path[k + 1]
        if isinstance(data, list):
            while len(data) <= part:
                data.append({})
            if not isinstance(data[part], dict | list):
                data[part] = [] if isinstance(nxt, int) else {}
            data = data[part]
        else:
            if not isinstance(data.get(part), dict | list):
                data[part] = [] if isinstance(nxt, int) else {}
            data = data[part]
    last = path[-1]
    if isinstance(data, list):
        while len(data) <= last:
            data.append({})
        data[last] = value
    else:
        data[last] = value


def _walk_entries(value: Any, path: KeyPath = ()):
    if _is_entry(value):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk_entries(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_entries(v, (*path, i))


def _existing(ws: Workspace, path: Path, language: str) -> tuple[Any, str | None]:
    """The file as it is; a file with errors (as `check` reports them: an entry written
    as a plain string, a list where a mapping goes) is refused, since rewriting it could
    lose what a translator wrote."""
    if not path.is_file():
        return None, None
    file, errors = load_yaml(path, ws.root)
    if errors or file.failed:
        raise ContentError(errors or [])
    tset = ws.translation_set(language)
    files = [*tset.specs.values(), *tset.entities.values(),
             *(f for f, _ in tset.sources.values()),
             *([tset.publisher] if tset.publisher is not None else [])]
    found = [d for f in files if f.file.path == path for d in f.errors]
    if found:
        raise ContentError(sorted({str(d): d for d in found}.values(),
                                  key=Diagnostic.sort_key))
    return file.data, file.raw_text


def _spec_file(ws: Workspace, path: Path, wanted: list[tuple[KeyPath, str]],
               facts_at: dict[KeyPath, str], bid: str, language: str) -> FileReport:
    old, old_text = _existing(ws, path, language)
    report = FileReport(path.relative_to(ws.root).as_posix())
    old_entries = dict(_walk_entries(old if old is not None else {}))
    unused_old = old.get("unused", []) if isinstance(old, dict) else []
    by_hash = {e.get("hash"): (p, e) for p, e in old_entries.items() if p[:1] != ("unused",)}
    used: set[KeyPath] = set()
    data: dict[str, Any] = {}
    for where, english in sorted([*wanted, *((p, None) for p in facts_at)],
                                 key=lambda item: _order(item[0])):
        if english is None:
            _set(data, where, {"fact": facts_at[where]})
            continue
        current = old_entries.get(where)
        moved = by_hash.get(text_hash(english))
        if (current is None or current.get("hash") != text_hash(english)) and moved and \
                moved[0] not in used and str(moved[1].get("text") or "").strip():
            current = moved[1]  # the same English, moved (a section was inserted before it)
            used.add(moved[0])
        elif current is not None:
            used.add(where)
        entry, what = _entry(current, english)
        _set(data, where, entry)
        report.added += what == "added"
        report.refreshed += what == "refreshed"
    unused = [e for p, e in old_entries.items() if p not in used and p[:1] != ("unused",)
              and str(e.get("text") or "").strip()]
    unused += [e for e in unused_old if _is_entry(e)]
    if unused:
        data["unused"] = unused
        report.unused = len(unused)
    header = (f"# {language_name(language)} translation of briefings/{bid}.yaml.\n"
              f"# Written by `briefgen translate {bid} --lang {language}`: translate each "
              "`original`\n# into `text` (keep {{ }} and [^source] as they are), then set "
              "`reviewed: true`\n# once an editor has checked it. Entries under `unused` "
              "translate English that is\n# no longer in the briefing.\n")
    return _write(path, header + _dump(data), old_text, report)


def _shared_file(ws: Workspace, path: Path, items: list[tuple[KeyPath, str]], language: str,
                 what: str) -> FileReport:
    old, old_text = _existing(ws, path, language)
    report = FileReport(path.relative_to(ws.root).as_posix())
    data = old if isinstance(old, dict) else {}
    for where, english in items:
        entry, action = _entry(_get(data, where), english)
        _set(data, where, entry)
        report.added += action == "added"
        report.refreshed += action == "refreshed"
    header = (f"# {language_name(language)} translations of {what},\n# shared by every "
              "edition in this language. Written by `briefgen translate`: translate\n# each "
              "`original` into `text`, then set `reviewed: true`.\n")
    return _write(path, header + _dump(data), old_text, report)


def _order(path: KeyPath) -> tuple:
    top = ("title", "short_title", "subtitle", "lead", "sections", "more_information")
    first = top.index(path[0]) if path[0] in top else len(top)
    return (first, *[p if isinstance(p, int) else 0 for p in path[1:]],
            *[0 if p == "heading" else 1 for p in path[1:] if isinstance(p, str)])


def _write(path: Path, text: str, old_text: str | None, report: FileReport) -> FileReport:
    if text != old_text:
        report.pending = (path, text)
    return report


def _write_all(result: TranslateResult) -> None:
    """Write the files of a run only once all of them are worked out: a file with errors
    found half-way leaves every file as it was."""
    for report in result.files:
        if report.pending is not None:
            path, text = report.pending
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(path, text.encode())
            except OSError as exc:
                raise OutputError(why(exc, path)) from None
            report.written, report.pending = True, None


# ---------------------------------------------------------------------- YAML out
def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a YAML double-quoted scalar


def _key(key: Any) -> str:
    text = str(key)
    plain = text.replace("-", "").replace("_", "").isalnum() and text.isascii()
    return text if plain else json.dumps(text, ensure_ascii=False)


def _dump(value: Any, indent: int = 0) -> str:
    """Block-style YAML for dicts, lists and scalars, strings double-quoted (JSON escapes
    are YAML's): every text reads back exactly as written."""
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict | list) and v:
                out.append(f"{pad}{_key(k)}:\n{_dump(v, indent + 2)}")
            else:
                out.append(f"{pad}{_key(k)}: {_empty(v)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                body = _dump(item, indent + 2)
                out.append(f"{pad}- {body[indent + 2:]}")
            else:
                out.append(f"{pad}- {_empty(item)}")
    else:
        out.append(f"{pad}{_scalar(value)}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _empty(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)
