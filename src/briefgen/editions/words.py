"""Changes in words: the lines ``briefgen diff`` prints, the few short lines of the "What's
new in this edition" box, and the one-line summary for a mail intro or a web page.

The diff lines are for the team (every change, with ids and the old and new text); the box
and the summary are for readers (countries, entries and sources by name, no ids).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..resolve.typography import quotes_for
from ..validate.types import PartialDate, human_date

Change = dict[str, Any]

#: at most this many lines in the box; more are summed up in a last line
BOX_LINES = 6


# ---------------------------------------------------------------------- small helpers
def when(value: str | None) -> str:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) as people write it."""
    if not value:
        return "(none)"
    try:
        return PartialDate.parse(value).human()
    except (ValueError, TypeError, AttributeError):  # as it was read back, not a date
        return str(value)


def names(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def possessive(name: str) -> str:
    return f"{name}’" if name.endswith("s") else f"{name}’s"


def source_words(sid: str, details: dict[str, Any]) -> str:
    """A source as a line of the diff: publisher, title, date, web address, id."""
    parts = [details.get("publisher") or sid]
    if details.get("title"):
        parts.append(f"“{details['title']}”")
    if details.get("published"):
        parts.append(when(details["published"]))
    parts.append(details.get("url") or "no web address")
    return f"{', '.join(parts)} (source {sid})"


def _value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if field in ("date", "as_of", "published", "accessed"):
        return when(str(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# ---------------------------------------------------------------------- the diff
def change_lines(c: Change) -> list[str]:
    """One change as lines: a first line, then indented detail ("was:", "now:", "+ ...")."""
    kind = c["kind"]
    who = f"{c.get('name')} ({c.get('fact') or c.get('country')})"
    if kind == "field":
        label = c["field"].replace("_", " ").capitalize()
        if c["field"] in ("title", "subtitle", "short_title"):
            return [f"{label} changed", f"  was: {_value('', c['old'])}",
                    f"  now: {_value('', c['new'])}"]
        return [f"{label} changed from {_value(c['field'], c['old'])} to "
                f"{_value(c['field'], c['new'])}"]
    if kind == "lead":
        return ["Lead changed", *(f"  was: {t}" for t in c["old"]),
                *(f"  now: {t}" for t in c["new"])]
    if kind in ("list-added", "list-removed"):
        listed = names([x["name"] for x in c["countries"]]) or "no country"
        verb = "New list" if kind == "list-added" else "List removed:"
        return [f"{verb} '{c['list']}' ({listed})"]
    if kind == "country-added":
        return [f"List '{c['list']}': added {c['name']} ({c['country']})",
                *(f"  + {f['statement']} (as of {when(f['as_of'])}; fact {f['fact']})"
                  for f in c["facts"])]
    if kind == "country-removed":
        return [f"List '{c['list']}': removed {c['name']} ({c['country']})"]
    if kind == "country-renamed":
        return [f"{c['new']} ({c['country']}): name changed from “{c['old']}” to “{c['new']}”"]
    if kind == "list-order":
        return [f"List '{c['list']}': order changed; now {', '.join(c['names'])}"]
    if kind == "country-shown":
        what = "facts" if c["field"] == "facts" else "sources"
        head = f"List '{c['list']}': {c['name']} ({c['country']})"
        if c["order"]:
            return [f"{head}: the order of its {what} changed"]
        if c["field"] == "facts":
            return [f"{head}: {what} shown changed",
                    *(f"  - {f['statement']} (fact {f['fact']})" for f in c["removed"]),
                    *(f"  + {f['statement']} (fact {f['fact']})" for f in c["added"])]
        return [f"{head}: {what} shown changed",
                *(f"  - {source_words(x['source'], x['details'])}" for x in c["removed"]),
                *(f"  + {source_words(x['source'], x['details'])}" for x in c["added"])]
    if kind == "fact-changed":
        if c["field"] == "statement":
            return [f"{who}: statement changed", f"  was: {c['old']}", f"  now: {c['new']}"]
        label = "as-of date" if c["field"] == "as_of" else c["field"]
        return [f"{who}: {label} changed from {_value(c['field'], c['old'])} to "
                f"{_value(c['field'], c['new'])}"]
    if kind == "fact-source-added":
        return [f"{who}: source added: {source_words(c['source'], c['details'])}"]
    if kind == "fact-source-removed":
        return [f"{who}: source removed: {source_words(c['source'], c['details'])}"]
    if kind == "fact-added":
        return [f"{who}: fact added", f"  + {c['statement']} (as of {when(c['as_of'])})"]
    if kind == "fact-removed":
        return [f"{who}: fact removed", f"  was: {c['statement']}"]
    if kind == "source-added":
        return [f"Source added: {source_words(c['source'], c['details'])}"]
    if kind == "source-removed":
        return [f"Source removed: {source_words(c['source'], c['details'])}"]
    if kind == "source-changed":
        label = {"url": "web address", "archive_url": "archive address",
                 "print_only": "print only"}.get(c["field"], c["field"])
        return [f"Source {c['source']}: {label} changed from {_value(c['field'], c['old'])} "
                f"to {_value(c['field'], c['new'])}"]
    if kind == "section-added":
        return [f"New section “{c['heading']}”", *(f"  + {t}" for t in c["paragraphs"])]
    if kind == "section-removed":
        return [f"Section removed: “{c['heading']}”"]
    if kind == "heading-changed":
        return [f"Heading changed from “{c['old']}” to “{c['new']}”"]
    if kind == "paragraph-added":
        return [f"Section “{c['section']}”: paragraph added", f"  + {c['text']}"]
    if kind == "paragraph-removed":
        return [f"Section “{c['section']}”: paragraph removed", f"  was: {c['text']}"]
    if kind == "paragraph-changed":
        return [f"Section “{c['section']}”: paragraph changed", f"  was: {c['old']}",
                f"  now: {c['new']}"]
    if kind == "citations-changed":
        where = "Lead" if c["section"] is None else f"Section “{c['section']}”"
        was = [source_words(sid, c["details"].get(sid, {})) for sid in c["old"]] or ["(none)"]
        now = [source_words(sid, c["details"].get(sid, {})) for sid in c["new"]] or ["(none)"]
        return [f"{where}: sources cited changed", f"  in: {c['text']}",
                *(f"  was: {w}" for w in was), *(f"  now: {n}" for n in now)]
    if kind == "more-information-added":
        return [f"More information: added “{c['label']}” (source {c['source']})"]
    if kind == "more-information-removed":
        return [f"More information: removed “{c['label']}” (source {c['source']})"]
    if kind == "more-information-changed":
        return [f"More information: “{c['old']}” is now “{c['new']}” (source {c['source']})"]
    if kind == "calls-to-action":
        return [f"Calls to action changed from {', '.join(c['old']) or '(none)'} to "
                f"{', '.join(c['new']) or '(none)'}"]
    if kind == "publisher-changed":
        return [f"Publisher: {c['field']} changed from {_value('', c['old'])} to "
                f"{_value('', c['new'])}"]
    return [f"{kind}"]  # pragma: no cover - a kind without words


# ---------------------------------------------------------------------- for readers
_DIGITS = re.compile(r"\d+")


def _only_numbers(old: str | list[str], new: str | list[str]) -> bool:
    """Whether two texts differ in their figures only ("13 countries" -> "14 countries"):
    such changes follow from the lists, which the box already names."""
    return _DIGITS.sub("#", str(old)) == _DIGITS.sub("#", str(new))


class _Reader:
    """What changed, grouped the way a reader thinks of it."""

    def __init__(self, changes: list[Change], new: dict[str, Any]):
        self.listed: dict[str, list[str]] = {}  # list id -> names added
        self.unlisted: dict[str, list[str]] = {}
        self.new_lists: list[str] = []
        self.updated: list[str] = []  # entities whose facts changed, by name
        self.updated_listed: set[str] = set()
        self.cited_for: dict[str, int] = {}  # name -> sources added to its facts
        self.corrected: set[str] = set()
        self.new_sections: list[str] = []
        self.gone_sections: list[str] = []
        self.revised: list[str] = []  # sections (or "lead") with revised text
        self.recited: list[str] = []  # sections (or "" for the lead) citing other sources
        #: (list, "facts" or "sources") -> "no longer" or "now": every entry of the list
        #: stopped (or started) showing them (``show:`` changed)
        self.list_wide: dict[tuple[str, str], str] = {}
        shown: dict[tuple[str, str], list[Change]] = {}
        in_lists = {e["id"] for entries in new["lists"].values() for e in entries}
        added = {c["country"] for c in changes if c["kind"] == "country-added"}
        for c in changes:
            kind = c["kind"]
            if kind == "country-added":
                self.listed.setdefault(c["list"], []).append(c["name"])
            elif kind == "country-removed":
                self.unlisted.setdefault(c["list"], []).append(c["name"])
            elif kind == "list-added":
                self.new_lists.append(c["list"])
            elif kind in ("fact-changed", "fact-added", "fact-removed"):
                if c["country"] not in added and c["name"] not in self.updated:
                    self.updated.append(c["name"])
                    if c["country"] in in_lists:
                        self.updated_listed.add(c["name"])
            elif kind == "fact-source-added":
                self.cited_for[c["name"]] = self.cited_for.get(c["name"], 0) + 1
            elif kind == "country-shown":
                shown.setdefault((c["list"], c["field"]), []).append(c)
            elif kind == "citations-changed":
                where = c["section"] or ""
                if where not in self.recited:
                    self.recited.append(where)
            elif kind == "source-changed" and c["field"] in ("publisher", "title", "url",
                                                            "published", "archive_url"):
                self.corrected.add(c["source"])
            elif kind == "section-added":
                self.new_sections.append(c["heading"])
            elif kind == "section-removed":
                self.gone_sections.append(c["heading"])
            elif kind in ("paragraph-added", "paragraph-removed") or (
                    kind == "paragraph-changed" and not _only_numbers(c["old"], c["new"])):
                self.revise(c["section"])
            elif kind == "heading-changed" and not _only_numbers(c["old"], c["new"]):
                self.revise(c["new"])
            elif kind == "lead" and not _only_numbers(c["old"], c["new"]):
                self.revised.insert(0, "")
        for (lid, what), group in shown.items():  # of the entries in both: all, or some?
            kept = len(new["lists"].get(lid, ())) - len(self.listed.get(lid, ()))
            every = len(group) == kept and not any(c["order"] for c in group)
            if every and not any(c["new"] for c in group):
                self.list_wide[lid, what] = "no longer"
            elif every and not any(c["old"] for c in group):
                self.list_wide[lid, what] = "now"
            else:
                for c in group:
                    if c["name"] not in self.updated:
                        self.updated.append(c["name"])
                        self.updated_listed.add(c["name"])

    def revise(self, section: str) -> None:
        if section not in self.revised:
            self.revised.append(section)


def _list_label(new: dict[str, Any], lid: str, q: str) -> str:
    for s in new["sections"]:
        if s.get("list") == lid:
            return f"{q[0]}{s['heading']}{q[1]}"
    return lid


def box_lines(changes: list[Change], old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """A few short lines for the "What's new in this edition" box (none: no box)."""
    r = _Reader(changes, new)
    q = quotes_for(new.get("language") or "en")
    several = len(new["lists"]) > 1
    lines: list[str] = []
    for lid, added in r.listed.items():
        where = f" in {_list_label(new, lid, q)}" if several else ""
        lines.append(f"Now listed{where}: {names(added)}.")
    for lid, gone in r.unlisted.items():
        where = f" in {_list_label(new, lid, q)}" if several else ""
        lines.append(f"No longer listed{where}: {names(gone)}.")
    for lid in r.new_lists:
        lines.append(f"A new list: {_list_label(new, lid, q)}.")
    entries = [n for n in r.updated if n in r.updated_listed]
    others = [n for n in r.updated if n not in r.updated_listed]
    if len(entries) == 1:
        lines.append(f"{possessive(entries[0])} entry is updated.")
    elif entries:
        lines.append(f"The entries for {names(entries)} are updated.")
    if others:
        lines.append(f"Updated facts on {names(others)}.")
    for (lid, what), change in r.list_wide.items():
        shows = "show their statements" if what == "facts" else "list their sources"
        lines.append(f"The entries in {_list_label(new, lid, q)} {change} {shows}.")
    new_sources = [sid for sid in new["sources"] if sid not in old["sources"]]
    attributed = set(r.cited_for) and all(
        any(c["kind"] == "fact-source-added" and c["source"] == sid for c in changes)
        for sid in new_sources)
    if r.cited_for and (attributed or not new_sources):
        n = sum(r.cited_for.values())
        who = names(list(r.cited_for))
        lines.append(f"A new source for {who}." if n == 1 else f"{n} new sources for {who}.")
    elif new_sources:
        n = len(new_sources)
        lines.append("A new source." if n == 1 else f"{n} new sources.")
    if r.corrected:
        n = len(r.corrected)
        lines.append("Corrected details of a source." if n == 1 else
                     f"Corrected details of {n} sources.")
    for heading in r.new_sections:
        lines.append(f"A new section: {q[0]}{heading}{q[1]}.")
    for heading in r.gone_sections:
        lines.append(f"Removed: the section {q[0]}{heading}{q[1]}.")
    revised = [f"{q[0]}{h}{q[1]}" for h in r.revised if h and h not in r.new_sections]
    if "" in r.revised:
        lines.append("A revised introduction.")
    if revised:
        lines.append(f"Revised text in {names(revised)}.")
    recited = [h for h in r.recited if h not in r.revised]  # else said as revised text
    if recited:
        where = ["the introduction" if not h else f"{q[0]}{h}{q[1]}" for h in recited]
        lines.append(f"Revised citations in {names(where)}.")
    if len(lines) > BOX_LINES:
        lines = [*lines[:BOX_LINES - 1], "And other changes."]
    return lines


def summary(changes: list[Change], old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """One line: "Updated 28 November 2026: Japan’s entry, 2 new sources" (None: nothing a
    reader would notice changed)."""
    r = _Reader(changes, new)
    parts: list[str] = []
    added = [n for names_ in r.listed.values() for n in names_]
    gone = [n for names_ in r.unlisted.values() for n in names_]
    if added:
        parts.append(f"{names(added)} added" if len(added) <= 3 else
                     f"{len(added)} countries added")
    if gone:
        parts.append(f"{names(gone)} removed" if len(gone) <= 3 else
                     f"{len(gone)} countries removed")
    entries = [n for n in r.updated if n in r.updated_listed]
    others = [n for n in r.updated if n not in r.updated_listed]
    if len(entries) == 1:
        parts.append(f"{possessive(entries[0])} entry")
    elif 1 < len(entries) <= 3:
        parts.append(f"the entries for {names(entries)}")
    elif entries:
        parts.append(f"{len(entries)} entries")
    if others:
        parts.append(f"facts on {names(others)}" if len(others) <= 3 else
                     f"facts on {len(others)} others")
    for (_, what), change in r.list_wide.items():
        parts.append(("entries without " if change == "no longer" else "entries with ")
                     + ("statements" if what == "facts" else "sources"))
    new_sources = [sid for sid in new["sources"] if sid not in old["sources"]]
    if new_sources:
        parts.append(plural(len(new_sources), "new source"))
    elif r.cited_for:
        parts.append(plural(sum(r.cited_for.values()), "new source"))
    if r.corrected:
        parts.append(f"{plural(len(r.corrected), 'source')} corrected")
    if r.new_sections:
        parts.append(plural(len(r.new_sections), "new section"))
    if r.gone_sections:
        parts.append(f"{plural(len(r.gone_sections), 'section')} removed")
    if r.revised:
        parts.append("revised text")
    if any(h not in r.revised for h in r.recited):
        parts.append("revised citations")
    if not parts:
        return None
    return f"Updated {human_date(dt.date.fromisoformat(new['date']))}: {', '.join(parts)}"
