"""``briefgen sources``: every source with its publisher, the date it was last seen, its
age, the briefings that use it, and its URL (or "no URL")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..workspace import Workspace


@dataclass
class SourceRow:
    id: str
    publisher: str
    title: str | None
    seen: dt.date | None  # accessed, else the earliest day of "published"
    seen_from: str  # "accessed", "published" or ""
    age_months: int | None  # before the newest briefing that uses it, else before today
    briefings: list[str]
    url: str | None
    stale: bool
    where: str  # file:line

    def as_json(self) -> dict:
        return {"id": self.id, "publisher": self.publisher, "title": self.title,
                "seen": self.seen.isoformat() if self.seen else None,
                "seen_from": self.seen_from or None, "age_months": self.age_months,
                "briefings": self.briefings, "url": self.url, "stale": self.stale,
                "where": self.where}


def _months(later: dt.date, earlier: dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


def source_rows(ws: Workspace, stale_months: int, today: dt.date | None = None
                ) -> list[SourceRow]:
    today = today or dt.date.today()
    users: dict[str, list[tuple[str, dt.date]]] = {}
    ws.evaluate_all()
    for bid, state in ws.states.items():
        if state.ok:
            for sid in state.used_sources:
                users.setdefault(sid, []).append((bid, dt.date.fromisoformat(state.date)))
    rows = []
    for sid, rec in sorted(ws.base.sources.items()):
        src = rec.source
        if src.accessed:
            seen, seen_from = src.accessed, "accessed"
        elif src.published:
            seen, seen_from = src.published.earliest, "published"
        else:
            seen, seen_from = None, ""
        docs = users.get(sid, [])
        reference = max((date for _, date in docs), default=today)
        age = _months(reference, seen) if seen else None
        rows.append(SourceRow(sid, src.publisher, src.title, seen, seen_from, age,
                              sorted(bid for bid, _ in docs), src.url,
                              bool(docs) and age is not None and age > stale_months,
                              str(rec.file.location(rec.path))))
    return rows
