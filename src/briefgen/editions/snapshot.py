"""The snapshot of an edition: the resolved document as plain, deterministic JSON.

A snapshot is what readers read, with the ids behind it: the title, dates, lead and sections
(headings, paragraph text and the sources each paragraph cites), each country list with its
countries (ids and names, the facts each shows and the sources it links), every fact used
(statement as printed, whether it is printed, status, as-of date, sources) and every source
used (its registry fields). It never holds a file path, a
line number or a time, so that the same content always gives the same bytes: diffs compare
snapshots, and publishing twice from the same inputs gives identical files.

An edition is self-contained: nothing in a snapshot needs the YAML files to be understood.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..load.yamlfile import format_key_path
from ..resolve.inline import parse_inline
from ..resolve.model import CountryListBlock, Document, Heading, Para

if TYPE_CHECKING:
    from ..validate.factbase import FactBase
    from ..workspace import Workspace

#: bumped when the meaning of a field changes (diff reads older formats it knows).
#: 2: each paragraph's ``cites`` (the source ids of its footnote markers, when any) and each
#: fact's ``printed``; a fact that is not printed has its statement with typography too (1
#: kept the statement as written). Editions of format 1 are compared on what they hold.
FORMAT = 2
#: fields a diff or the "is this the same content" test never looks at
NOT_CONTENT = ("format", "whats_new")


def _fact_places(base: FactBase) -> dict[tuple[str, str], str]:
    """(file, key path of a statement) -> fact key: how a printed paragraph names its fact.
    Kept on the fact base (one per workspace)."""
    places = base.__dict__.get("_statement_places")
    if places is None:
        places = {(rec.file.display, format_key_path((*rec.path, "statement"))): key
                  for key, rec in base.facts.items()}
        base.__dict__["_statement_places"] = places
    return places


def _translated_places(ws: Workspace, language: str) -> dict[tuple[str, str], str]:
    """(translation file, key path of a statement's text) -> fact key, for ``language``."""
    layout, root = ws.layout, ws.layout.root
    return {(layout.facts_translation(language, rec.file.path.parent.name, rec.entity.id)
             .relative_to(root).as_posix(),
             format_key_path(("facts", rec.fact.id, "statement", "text"))): key
            for key, rec in ws.base.facts.items()}


def _para(p: Para, places: dict[tuple[str, str], str], notes: dict[int, Any]
          ) -> dict[str, Any]:
    out: dict[str, Any] = {"text": " ".join(p.plain.split())}
    links = [s.href for s in p.spans if s.href]
    if links:
        out["links"] = links
    cites = [notes[n].source_id for n in p.notes if n in notes]
    if cites:
        out["cites"] = cites
    fact = places.get((p.origin.path, p.key))
    if fact is not None:
        out["fact"] = fact
    return out


def snapshot(ws: Workspace, doc: Document) -> dict[str, Any]:
    """The snapshot of ``doc``, resolved in ``ws`` (whose fact base gives the facts' and
    sources' own fields)."""
    base = ws.base
    places = _fact_places(base)
    edition = ws.edition_of(doc.id)
    if edition is not None:  # a translated edition prints its statements' translations
        places = {**places, **_translated_places(ws, edition[1])}
    printed: dict[str, str] = {}  # fact key -> its statement as printed

    def para(p: Para) -> dict[str, Any]:
        out = _para(p, places, doc.notes)
        if "fact" in out:
            printed.setdefault(out["fact"], out["text"])
        return out

    sections: list[dict[str, Any]] = []
    lists: dict[str, list[dict[str, Any]]] = {}
    for block in doc.blocks:
        if isinstance(block, Heading):
            sections.append({"heading": block.text, "paragraphs": []})
        elif isinstance(block, Para):
            sections[-1]["paragraphs"].append(para(block))
        elif isinstance(block, CountryListBlock):
            sections[-1]["list"] = block.id
            lists[block.id] = [{
                "id": e.id, "name": e.name,
                "facts": [f for f in (para(p).get("fact") for p in e.statements) if f],
                "sources": [link.origin.key for link in e.sources if link.origin],
            } for e in block.entries]
    facts = {}
    for key in sorted(doc.used_facts):
        rec = base.facts[key]
        f = rec.fact
        facts[key] = {"entity": rec.entity.id, "name": rec.entity.name,
                      "statement": printed.get(key) or _plain(f.statement, doc.language),
                      "printed": key in printed,
                      "as_of": f.as_of.iso(), "status": f.status, "sources": list(f.sources),
                      "topics": list(f.topics)}
    sources = {sid: base.sources[sid].source.model_dump(mode="json", exclude_none=True)
               for sid in sorted(doc.used_sources)}
    return {
        "format": FORMAT,
        "briefing": doc.id,
        "title": doc.title,
        "short_title": doc.short_title,
        "subtitle": doc.subtitle,
        "date": doc.date.isoformat(),
        "facts_as_of": doc.facts_as_of,
        "language": doc.language,
        "brand": doc.brand,
        "lead": [para(p) for p in doc.lead],
        "sections": sections,
        "lists": lists,
        "facts": facts,
        "sources": sources,
        "more_information": [{"label": i.label, "source": i.source_id, "url": i.url}
                             for i in doc.more_information],
        "calls_to_action": list(doc.calls_to_action),
        "publisher": doc.publisher.model_dump(mode="json", exclude_none=True),
        "whats_new": _whats_new(doc),
    }


def _plain(statement: str, language: str) -> str:
    """A statement that is not printed, as it would be: typography, no Markdown, no notes."""
    spans, _ = parse_inline(statement, lambda sid: None, language)
    return " ".join("".join(s.text for s in spans if s.note is None).split())


def _whats_new(doc: Document) -> dict[str, Any] | None:
    if not doc.whats_new:
        return None
    return {"since": doc.whats_new_since,
            "lines": [" ".join(p.plain.split()) for p in doc.whats_new]}


def content(snap: dict[str, Any]) -> dict[str, Any]:
    """What a reader reads: the snapshot without its format number and box."""
    return {k: v for k, v in snap.items() if k not in NOT_CONTENT}


def printed_facts(snap: dict[str, Any]) -> set[str]:
    """The facts whose statement the snapshot prints: as recorded (format 2), else those
    a paragraph or a country entry names (format 1 kept the printed text of exactly those)."""
    facts = snap["facts"]
    if facts and all("printed" in f for f in facts.values()):
        return {k for k, f in facts.items() if f["printed"]}
    out = {p["fact"] for p in snap.get("lead", []) if "fact" in p}
    out |= {p["fact"] for s in snap["sections"] for p in s["paragraphs"] if "fact" in p}
    out |= {k for entries in snap["lists"].values() for e in entries for k in e["facts"]}
    return out


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two snapshots say the same to readers, compared on what both record: a
    snapshot of an older format lacks some fields, which are then left out of both."""
    if a.get("format", 1) == b.get("format", 1):
        return _readable(a) == _readable(b)
    return _common(a) == _common(b)


def _readable(snap: dict[str, Any]) -> dict[str, Any]:
    """``snap``'s content without the statements of facts it does not print (a change
    there is nothing a reader reads; whether a fact is printed stays)."""
    out = json.loads(to_bytes(content(snap)))
    shown = printed_facts(snap)
    for key, fact in out["facts"].items():
        if key not in shown:
            fact.pop("statement", None)
    return out


def _common(snap: dict[str, Any]) -> dict[str, Any]:
    """``snap``'s content as format 1 recorded it, but for the statements of facts not
    printed (format 1 kept them as written: nothing a reader reads)."""
    out = json.loads(to_bytes(content(snap)))
    shown = printed_facts(snap)
    for key, fact in out["facts"].items():
        fact.pop("printed", None)
        if key not in shown:
            fact.pop("statement", None)
    for p in [*out.get("lead", []), *(p for s in out["sections"] for p in s["paragraphs"])]:
        p.pop("cites", None)
    return out


def to_bytes(snap: dict[str, Any]) -> bytes:
    """Deterministic JSON: sorted keys, one indentation, UTF-8, a final newline."""
    return (json.dumps(snap, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode()


def normalised(snap: dict[str, Any]) -> dict[str, Any]:
    """The snapshot as it reads back from its file (tuples become lists, and so on), so that
    a fresh snapshot compares equal to a stored one with the same content."""
    return json.loads(to_bytes(snap))
