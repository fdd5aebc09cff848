"""Warnings over the whole project: sources without a web address or unused, statements too
long to take in, and facts and sources old for the briefings that use them. Each has a
``code`` naming its cause, so that ``check`` can show one line per cause."""

from __future__ import annotations

import datetime as dt

from ..errors import Diagnostic, Severity
from ..incremental.index import BriefingState
from ..load.yamlfile import format_key_path
from ..validate.factbase import FactBase

#: a statement longer than this draws a warning: a reader takes in one or two sentences
LONG_STATEMENT = 600


def _months(later: dt.date, earlier: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def _stale(seen: dt.date | None, said: str, users: list[BriefingState],
           months: int) -> str | None:
    """``said`` is how the date is described: "was last verified 2026-01-02", "is as of
    2021" (never "verified" when nobody verified it)."""
    if seen is None or not users:
        return None
    latest = max(users, key=lambda s: s.date)
    age = _months(dt.date.fromisoformat(latest.date), seen)
    if age <= months:
        return None
    others = f" and {len(users) - 1} more" if len(users) > 1 else ""
    return (f"{said}, {age} months before briefing '{latest.id}'{others} "
            f"(limit {months} months)")


def warnings(base: FactBase, states: list[BriefingState], months: int,
             today: dt.date | None = None) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    built = [s for s in states if s.ok]
    users: dict[str, list[BriefingState]] = {}
    fact_users: dict[str, list[BriefingState]] = {}
    for state in built:
        for sid in state.used_sources:
            users.setdefault(sid, []).append(state)
        for key in state.used_facts:
            fact_users.setdefault(key, []).append(state)
    everything_resolved = len(built) == len(states)
    for sid, rec in sorted(base.sources.items()):
        src, where, key = rec.source, rec.file.location(rec.path, key=True), \
            format_key_path(rec.path)
        if src.url is None and not src.print_only:
            out.append(Diagnostic(where, key, f"source '{sid}' has no URL; its note will say so "
                                  "(write `url: none` if it exists only in print)",
                                  Severity.WARNING, "no-url"))
        if sid not in users and everything_resolved:
            out.append(Diagnostic(where, key, f"source '{sid}' is not used by any briefing",
                                  Severity.WARNING, "unused-source"))
        if src.accessed:
            seen, said = src.accessed, f"was last opened {src.accessed.isoformat()}"
        elif src.published:
            seen, said = src.published.earliest, f"was published {src.published.iso()}"
        else:
            seen, said = None, ""
        stale = _stale(seen, said, users.get(sid, []), months)
        if stale:
            out.append(Diagnostic(where, key, f"source '{sid}' {stale}", Severity.WARNING,
                                  "stale-source"))
    for fkey, frec in sorted(base.facts.items()):
        fact = frec.fact
        if fact.verified:
            seen, said = fact.verified, f"was last verified {fact.verified.isoformat()}"
        else:
            seen, said = fact.as_of.earliest, f"is as of {fact.as_of.iso()} (never verified)"
        stale = _stale(seen, said, fact_users.get(fkey, []), months)
        if stale:
            out.append(Diagnostic(frec.file.location(frec.path), format_key_path(frec.path),
                                  f"fact '{fkey}' {stale}", Severity.WARNING, "stale-fact"))
        if len(fact.statement) > LONG_STATEMENT:
            path = (*frec.path, "statement")
            out.append(Diagnostic(frec.file.location(path), format_key_path(path),
                                  f"statement of {len(fact.statement):,} characters; keep it "
                                  f"under {LONG_STATEMENT} (one or two sentences)",
                                  Severity.WARNING, "long-statement"))
    return out
