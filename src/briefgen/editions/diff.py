"""What changed between two snapshots, as a list of changes (plain data, ready for JSON).

Snapshots are compared by what they mean, never by the text of the YAML files: a country,
fact or source is known by its id, a section by the list it holds or else by its heading, a
paragraph by the fact it prints or else by its text. Renaming or reordering files, or
reformatting YAML, changes nothing here.

Each change is reported once, where a reader would look for it: a new country in a list
brings its facts with it (they are not listed again as new facts), a source added to a
fact is reported with that fact (not again as a new source of the briefing), a fact
printed as a new paragraph of a section is that paragraph. A fact whose status or as-of
date changed is reported with its old and new value, wherever it is printed; its statement,
when it is printed on both sides (a statement no longer printed is the country entry that
no longer shows it). A country entry that shows other facts or sources than before, for
another reason than a fact that came, went or gained or lost a source (``show:`` of the
list, say), is reported with the entry. A paragraph that cites other sources than before is
reported too (the text of a paragraph is its key; its footnotes are not).

Snapshots of an older format are compared on what both record: a field one of them lacks
(the sources a paragraph cites, before format 2) is "not recorded", never a change.

Change kinds, in the order they are listed: ``field`` (title, subtitle, short title, date,
language, brand), ``lead``, ``list-added``, ``list-removed``, ``country-added``,
``country-removed``, ``country-renamed``, ``list-order``, ``country-shown``,
``fact-changed``,
``fact-source-added``, ``fact-source-removed``, ``fact-added``, ``fact-removed``,
``source-added``, ``source-removed``, ``source-changed``, ``section-added``,
``section-removed``, ``heading-changed``, ``paragraph-added``, ``paragraph-removed``,
``paragraph-changed``, ``citations-changed`` (after the paragraph, or the lead, it is
about), ``more-information-added``, ``more-information-removed``,
``more-information-changed``, ``calls-to-action``, ``publisher-changed``.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from .snapshot import printed_facts

Change = dict[str, Any]
Snapshot = dict[str, Any]

FIELDS = ("title", "subtitle", "short_title", "date", "language", "brand")
FACT_FIELDS = ("statement", "status", "as_of")
#: a source's fields in the order they are reported; any other field comes after them
SOURCE_FIELDS = ("publisher", "title", "url", "published", "archive_url", "kind", "accessed",
                 "print_only")


def _change(kind: str, **fields: Any) -> Change:
    return {"kind": kind, **fields}


def _para_key(p: dict[str, Any]) -> tuple:
    if "fact" in p:
        return ("fact", p["fact"])
    return ("text", p["text"], tuple(p.get("links", ())))


def _section_key(s: dict[str, Any]) -> tuple:
    return ("list", s["list"]) if s.get("list") else ("heading", s["heading"])


def _alike(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two sections in the same place are one section changed (not one removed and
    another added): a similar heading, or a paragraph in common."""
    if SequenceMatcher(None, a["heading"], b["heading"]).ratio() >= 0.6:
        return True
    return bool({_para_key(p) for p in a["paragraphs"]} & {_para_key(p) for p in b["paragraphs"]})


def diff(old: Snapshot, new: Snapshot) -> list[Change]:
    """Every change from ``old`` to ``new`` (both as read from snapshot JSON). Raises
    KeyError, TypeError or AttributeError for a snapshot that is not as briefgen wrote it."""
    return _Diff(old, new).run()


class _Diff:
    def __init__(self, old: Snapshot, new: Snapshot):
        self.old, self.new = old, new
        #: facts whose statement each side prints (only those are compared by statement)
        self.old_printed, self.new_printed = printed_facts(old), printed_facts(new)
        #: whether both record the sources each paragraph cites (format 2 on)
        self.cites = old.get("format", 1) >= 2 and new.get("format", 1) >= 2
        self.new_para_facts: set[str] = set()  # facts printed as paragraphs that are new
        self.old_para_facts: set[str] = set()
        self.added_entities: set[str] = set()
        self.removed_entities: set[str] = set()
        self.cited: set[str] = set()  # sources reported with the fact that gained/lost them

    def run(self) -> list[Change]:
        sections = self.sections()  # first: it says which new facts are new paragraphs
        out = self.fields() + self.lead() + self.lists()
        out += self.facts()
        out += self.sources()
        out += sections
        out += self.more_information() + self.calls() + self.publisher()
        return out

    # ------------------------------------------------------------------ title, lead
    def fields(self) -> list[Change]:
        return [_change("field", field=f, old=self.old.get(f), new=self.new.get(f))
                for f in FIELDS if self.old.get(f) != self.new.get(f)]

    def lead(self) -> list[Change]:
        old, new = self.old.get("lead", []), self.new.get("lead", [])
        out = []
        if [_para_key(p) for p in old] != [_para_key(p) for p in new]:
            out.append(_change("lead", old=[p["text"] for p in old],
                               new=[p["text"] for p in new]))
        cited = self.cited_by(old, new, None, " ".join(p["text"] for p in new))
        return out + cited

    def cited_by(self, old: list[dict[str, Any]], new: list[dict[str, Any]],
                 section: str | None, text: str) -> list[Change]:
        """A ``citations-changed`` when the paragraphs ``new`` cite other sources than
        ``old`` did (when both snapshots record it). ``section`` None: the lead."""
        if not self.cites:
            return []
        a = [sid for p in old if "fact" not in p for sid in p.get("cites", ())]
        b = [sid for p in new if "fact" not in p for sid in p.get("cites", ())]
        if a == b:
            return []
        return [_change("citations-changed", section=section, text=text, old=a, new=b,
                        details={sid: (self.new["sources"].get(sid) or
                                       self.old["sources"].get(sid) or {})
                                 for sid in (*a, *b)})]

    # ------------------------------------------------------------------ lists
    def lists(self) -> list[Change]:
        out: list[Change] = []
        old_lists, new_lists = self.old["lists"], self.new["lists"]
        renamed: dict[str, tuple[str, str]] = {}
        shown: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
        for lid in [*new_lists, *(lid for lid in old_lists if lid not in new_lists)]:
            if lid not in old_lists:
                entries = new_lists[lid]
                self.added_entities |= {e["id"] for e in entries}
                out.append(_change("list-added", list=lid, countries=[
                    {"country": e["id"], "name": e["name"]} for e in entries]))
                continue
            if lid not in new_lists:
                entries = old_lists[lid]
                self.removed_entities |= {e["id"] for e in entries}
                out.append(_change("list-removed", list=lid, countries=[
                    {"country": e["id"], "name": e["name"]} for e in entries]))
                continue
            old = {e["id"]: e for e in old_lists[lid]}
            new = {e["id"]: e for e in new_lists[lid]}
            for eid, e in new.items():
                if eid not in old:
                    self.added_entities.add(eid)
                    facts = self.new["facts"]
                    out.append(_change("country-added", list=lid, country=eid, name=e["name"],
                                       facts=[{"fact": k, "statement": facts[k]["statement"],
                                               "as_of": facts[k]["as_of"]}
                                              for k in e["facts"] if k in facts]))
                elif old[eid]["name"] != e["name"]:
                    renamed[eid] = (old[eid]["name"], e["name"])
            for eid, e in old.items():
                if eid not in new:
                    self.removed_entities.add(eid)
                    out.append(_change("country-removed", list=lid, country=eid,
                                       name=e["name"]))
            before = [eid for eid in old if eid in new]
            after = [eid for eid in new if eid in old]
            if before != after:
                out.append(_change("list-order", list=lid, old=before, new=after,
                                   names=[new[eid]["name"] for eid in after]))
            shown[lid] = [(old[eid], new[eid]) for eid in after]
        out += [_change("country-renamed", country=eid, old=a, new=b)
                for eid, (a, b) in renamed.items()]
        for lid, pairs in shown.items():
            for a, b in pairs:
                out += self.shown(lid, a, b)
        return out

    def shown(self, lid: str, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
        """What one country entry shows, facts and sources, that it did not (or the other
        way round), but for what the facts' own changes say: a fact added or removed, a
        source added to or removed from a fact."""
        old_facts, new_facts = self.old["facts"], self.new["facts"]
        who = {"list": lid, "country": b["id"], "name": b["name"]}
        out: list[Change] = []
        facts_in = [k for k in b["facts"] if k not in a["facts"] and k in old_facts]
        facts_out = [k for k in a["facts"] if k not in b["facts"] and k in new_facts]
        if facts_in or facts_out or (set(a["facts"]) == set(b["facts"]) and
                                     a["facts"] != b["facts"]):
            out.append(_change("country-shown", **who, field="facts", added=[
                {"fact": k, "statement": new_facts[k]["statement"]} for k in facts_in],
                removed=[{"fact": k, "statement": old_facts[k]["statement"]}
                         for k in facts_out], order=not (facts_in or facts_out),
                old=list(a["facts"]), new=list(b["facts"])))

        def gained(sid: str) -> bool:  # a fact this entry shows newly cites it
            return any(sid in new_facts[k]["sources"] and (
                k not in old_facts or sid not in old_facts[k]["sources"])
                for k in b["facts"] if k in new_facts)

        def lost(sid: str) -> bool:
            return any(sid in old_facts[k]["sources"] and (
                k not in new_facts or sid not in new_facts[k]["sources"])
                for k in a["facts"] if k in old_facts)

        sources_in = [sid for sid in b["sources"] if sid not in a["sources"]
                      and not gained(sid)]
        sources_out = [sid for sid in a["sources"] if sid not in b["sources"]
                       and not lost(sid)]
        if sources_in or sources_out or (set(a["sources"]) == set(b["sources"]) and
                                         a["sources"] != b["sources"]):
            out.append(_change("country-shown", **who, field="sources", added=[
                {"source": sid, "details": self.new["sources"].get(sid, {})}
                for sid in sources_in], removed=[
                {"source": sid, "details": self.old["sources"].get(sid, {})}
                for sid in sources_out], order=not (sources_in or sources_out),
                old=list(a["sources"]), new=list(b["sources"])))
        return out

    # ------------------------------------------------------------------ facts
    def _rank(self) -> dict[str, int]:
        """Entities in reading order: as the new lists hold them, then the old."""
        rank: dict[str, int] = {}
        for snap in (self.new, self.old):
            for entries in snap["lists"].values():
                for e in entries:
                    rank.setdefault(e["id"], len(rank))
        return rank

    def facts(self) -> list[Change]:
        out: list[Change] = []
        old, new = self.old["facts"], self.new["facts"]
        rank = self._rank()

        def order(key: str) -> tuple:
            entity = (new.get(key) or old[key])["entity"]
            return rank.get(entity, len(rank)), key

        for key in sorted(set(old) | set(new), key=order):
            a, b = old.get(key), new.get(key)
            if a is not None and b is not None:
                who = {"fact": key, "country": b["entity"], "name": b["name"]}
                for f in FACT_FIELDS:
                    if f == "statement" and not (key in self.old_printed and
                                                 key in self.new_printed):
                        continue  # not read on one side: the entry or paragraph says so
                    if a.get(f) != b.get(f):
                        out.append(_change("fact-changed", **who, field=f, old=a.get(f),
                                           new=b.get(f)))
                for sid in b["sources"]:
                    if sid not in a["sources"]:
                        self.cited.add(sid)
                        out.append(_change("fact-source-added", **who, source=sid,
                                           details=self.new["sources"].get(sid, {})))
                for sid in a["sources"]:
                    if sid not in b["sources"]:
                        self.cited.add(sid)
                        out.append(_change("fact-source-removed", **who, source=sid,
                                           details=self.old["sources"].get(sid, {})))
            elif b is not None:
                if b["entity"] in self.added_entities or key in self.new_para_facts:
                    continue
                out.append(_change("fact-added", fact=key, country=b["entity"],
                                   name=b["name"], statement=b["statement"], as_of=b["as_of"],
                                   status=b["status"]))
            else:
                if a["entity"] in self.removed_entities or key in self.old_para_facts:
                    continue
                out.append(_change("fact-removed", fact=key, country=a["entity"],
                                   name=a["name"], statement=a["statement"]))
        return out

    # ------------------------------------------------------------------ sources
    def sources(self) -> list[Change]:
        out: list[Change] = []
        old, new = self.old["sources"], self.new["sources"]
        for sid in sorted(new):
            if sid not in old and sid not in self.cited:
                out.append(_change("source-added", source=sid, details=new[sid]))
        for sid in sorted(old):
            if sid not in new and sid not in self.cited:
                out.append(_change("source-removed", source=sid, details=old[sid]))
        for sid in sorted(set(old) & set(new)):
            a, b = old[sid], new[sid]
            extra = sorted((set(a) | set(b)) - set(SOURCE_FIELDS))
            for f in (*SOURCE_FIELDS, *extra):
                if a.get(f) != b.get(f):
                    out.append(_change("source-changed", source=sid, field=f, old=a.get(f),
                                       new=b.get(f), details=b))
        return out

    # ------------------------------------------------------------------ sections
    def sections(self) -> list[Change]:
        out: list[Change] = []
        old, new = self.old["sections"], self.new["sections"]
        matcher = SequenceMatcher(None, [_section_key(s) for s in old],
                                  [_section_key(s) for s in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                    out += self.section(a, b)
                continue
            gone, came = list(old[i1:i2]), list(new[j1:j2])
            while gone and came and _alike(gone[0], came[0]):
                out += self.section(gone.pop(0), came.pop(0))
            for s in gone:
                self.old_para_facts |= {p["fact"] for p in s["paragraphs"] if "fact" in p}
                out.append(_change("section-removed", heading=s["heading"],
                                   paragraphs=[p["text"] for p in s["paragraphs"]]))
            for s in came:
                self.new_para_facts |= {p["fact"] for p in s["paragraphs"] if "fact" in p}
                out.append(_change("section-added", heading=s["heading"],
                                   paragraphs=[p["text"] for p in s["paragraphs"]]))
        return out

    def section(self, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
        out: list[Change] = []
        heading = b["heading"]
        if a["heading"] != heading:
            out.append(_change("heading-changed", old=a["heading"], new=heading))
        old, new = a["paragraphs"], b["paragraphs"]
        matcher = SequenceMatcher(None, [_para_key(p) for p in old],
                                  [_para_key(p) for p in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":  # the same text: the same footnotes? (a fact's are its own)
                for p, q in zip(old[i1:i2], new[j1:j2], strict=True):
                    out += self.cited_by([p], [q], heading, q["text"])
                continue
            gone, came = list(old[i1:i2]), list(new[j1:j2])
            while gone and came and "fact" not in gone[0] and "fact" not in came[0]:
                p, q = gone.pop(0), came.pop(0)
                out.append(_change("paragraph-changed", section=heading, old=p["text"],
                                   new=q["text"]))
                out += self.cited_by([p], [q], heading, q["text"])
            for p in gone:
                if "fact" in p:
                    self.old_para_facts.add(p["fact"])
                out.append(_change("paragraph-removed", section=heading, text=p["text"],
                                   **({"fact": p["fact"]} if "fact" in p else {})))
            for p in came:
                if "fact" in p:
                    self.new_para_facts.add(p["fact"])
                out.append(_change("paragraph-added", section=heading, text=p["text"],
                                   **({"fact": p["fact"]} if "fact" in p else {})))
        return out

    # ------------------------------------------------------------------ the rest
    def more_information(self) -> list[Change]:
        old = {i["source"]: i for i in reversed(self.old.get("more_information", []))}
        new = {i["source"]: i for i in reversed(self.new.get("more_information", []))}
        out: list[Change] = []
        for item in self.new.get("more_information", []):
            sid = item["source"]
            if sid not in old:
                out.append(_change("more-information-added", label=item["label"], source=sid,
                                   url=item.get("url")))
            elif old[sid]["label"] != item["label"] and new[sid] is item:
                out.append(_change("more-information-changed", source=sid,
                                   old=old[sid]["label"], new=item["label"]))
        for item in self.old.get("more_information", []):
            if item["source"] not in new:
                out.append(_change("more-information-removed", label=item["label"],
                                   source=item["source"]))
        return out

    def calls(self) -> list[Change]:
        old, new = self.old.get("calls_to_action", []), self.new.get("calls_to_action", [])
        return [] if old == new else [_change("calls-to-action", old=old, new=new)]

    def publisher(self) -> list[Change]:
        old, new = self.old.get("publisher", {}), self.new.get("publisher", {})
        return [_change("publisher-changed", field=f, old=old.get(f), new=new.get(f))
                for f in sorted(set(old) | set(new)) if old.get(f) != new.get(f)]
