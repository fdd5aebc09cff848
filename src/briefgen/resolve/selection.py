"""Which countries a list holds, and what spec text sees of them.

A list names its countries, or selects them by topic and status (:func:`topic_members`,
the one rule for the resolver and for the index's check that a selection still holds the
same members); its order is the spec's (``alphabetical``, ``date``) or as named. Spec text
sees each country as a :class:`CountryView` (``{{ countries[0].facts[0].statement }}``).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass

from ..validate.factbase import EntityRecord, FactBase, FactRecord
from ..validate.models import CountryList, Fact


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
class Selection:
    """A country chosen for a list: its facts shown there, and why it is there."""

    entity: EntityRecord
    facts: list[FactRecord]
    reasons: list[str]


def matches(fact: Fact, topics: list[str] | None, status: list[str] | None) -> bool:
    if topics is not None and not set(fact.topics) & set(topics):
        return False
    return status is None or fact.status in status


def view_of(sel: Selection) -> CountryView:
    return CountryView(sel.entity.entity.id, sel.entity.entity.name, tuple(
        FactView(f.fact.id, f.fact.statement, f.fact.as_of.iso(), f.fact.status,
                 tuple(f.fact.topics)) for f in sel.facts))


_EPOCH = dt.date(1, 1, 1)


def name_key(name: str) -> tuple[str, str]:
    """Alphabetical order as a reader expects it: Türkiye before Tuvalu, Åland among the
    A's, case aside (code point order put them after Vietnam, and lower case after every
    capital); the name itself breaks a tie."""
    letters = "".join(ch for ch in unicodedata.normalize("NFKD", name)
                      if not unicodedata.combining(ch))
    return letters.casefold(), name


def order_by(items: list, order: str, entity_of, facts_of) -> None:
    if order == "alphabetical":
        items.sort(key=lambda s: name_key(entity_of(s).entity.name))
    elif order == "date":
        items.sort(key=lambda s: max((f.fact.as_of.earliest for f in facts_of(s)),
                                     default=None) or _EPOCH, reverse=True)


def topic_members(base: FactBase, cl: CountryList) -> list[EntityRecord]:
    """The countries a topic-selected list holds, in its order (the one rule for both the
    resolver and the reuse check of the index)."""
    wanted = cl.fact_topics or cl.topics
    chosen = []
    for rec in sorted(base.countries.values(), key=lambda r: name_key(r.entity.name)):
        eid = rec.entity.id
        if eid in cl.exclude or not any(matches(f, cl.topics, cl.status)
                                        for f in rec.entity.facts):
            continue
        shown = [base.facts[f"{eid}.{f.id}"] for f in rec.entity.facts
                 if matches(f, wanted, cl.status)]
        chosen.append((rec, shown))
    order_by(chosen, cl.order, lambda c: c[0], lambda c: c[1])
    return [rec for rec, _ in chosen]


def members_key(cl: CountryList) -> str:
    """The index's name for a topic selection: its rule, as JSON."""
    return "members:" + json.dumps({"topics": cl.topics, "status": cl.status,
                                    "exclude": cl.exclude, "order": cl.order,
                                    "fact_topics": cl.fact_topics}, sort_keys=True)
