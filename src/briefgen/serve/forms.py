"""The editor's forms: what each field is (label, help from the models' own descriptions),
turning what was typed into the values written to YAML, and putting each diagnostic next
to the field it belongs to.

Form input is never validated here by rules of its own: it is turned into YAML values as
plainly as possible ("2021" becomes the year 2021, "2021-03-04" a date, anything else the
text as typed) and judged by the same loaders and schemas ``briefgen check`` uses, so that
the messages are the ones ``check`` would print.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, get_args
from urllib.parse import parse_qsl

from ..errors import Diagnostic
from ..load.yamlfile import KeyPath
from ..validate.models import Briefing, Fact, Source, SourceKind, Status
from .yamledit import REMOVE

STATUSES = list(get_args(Status))
KINDS = list(get_args(SourceKind))
FACT_ORDER = list(Fact.model_fields)
SOURCE_ORDER = [k for k in Source.model_fields if k != "print_only"]
BRIEFING_ORDER = list(Briefing.model_fields)
MAX_BODY = 1_000_000


@dataclass
class Field:
    name: str
    label: str
    help: str = ""
    kind: str = "text"  # text, textarea, select, date
    choices: list[str] = field(default_factory=list)
    required: bool = False


def _help(model, name: str, extra: str = "") -> str:
    info = model.model_fields[name]
    return " ".join(x for x in (info.description or "", extra) if x)


FACT_FIELDS = [
    Field("statement", "Statement", _help(Fact, "statement", "Inline Markdown and footnotes "
          "to sources, [^source-id], may be used."), "textarea", required=True),
    Field("topics", "Topics", "What the country does, e.g. military-training, arms-supply, "
          "admm-plus; separate them with commas. Briefings choose countries by these."),
    Field("as_of", "As of", _help(Fact, "as_of"), required=True),
    Field("status", "Status", "Is it still so?", "select", STATUSES),
    Field("verified", "Verified on", _help(Fact, "verified", "YYYY-MM-DD; may be left empty."),
          "date"),
]
SOURCE_FIELDS = [
    Field("title", "Title", "As the source gives it; leave empty if it has none."),
    Field("publisher", "Publisher", "Who published it, e.g. The Irrawaddy.", required=True),
    Field("url", "Web address", _help(Source, "url", "Starts with https://.")),
    Field("published", "Published", "When: YYYY, YYYY-MM or YYYY-MM-DD; may be left empty."),
    Field("accessed", "Last opened", _help(Source, "accessed", "YYYY-MM-DD."), "date"),
    Field("archive_url", "Archived copy", "An archive's address of the page, if any."),
    Field("kind", "Kind", "What sort of source it is.", "select", KINDS),
]
BRIEFING_FIELDS = [
    Field("title", "Title", _help(Briefing, "title"), required=True),
    Field("short_title", "Short title", _help(Briefing, "short_title")),
    Field("subtitle", "Subtitle"),
    Field("date", "Date of issue", "YYYY-MM-DD.", "date", required=True),
    Field("lead", "Lead", _help(Briefing, "lead"), "textarea"),
]


def parse_form(body: bytes) -> dict[str, list[str]]:
    """An urlencoded form body -> name -> every value given (in order)."""
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(body.decode("utf-8", errors="replace"),
                                keep_blank_values=True, max_num_fields=5000):
        out.setdefault(key, []).append(value)
    return out


def one(form: dict[str, list[str]], name: str) -> str:
    return form.get(name, [""])[0]


def clean_text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def changed_only(values: dict[str, Any], form: dict[str, list[str]], before: dict[str, str],
                 names: list[str]) -> dict[str, Any]:
    """``values`` without the fields of ``names`` that were not changed: missing from the
    form, or sent as the form showed them (``before``), line ends and the spaces and line
    breaks around the text aside. Such a value is left as it is written: a ``|`` or ``>``
    text keeps its layout and final line break, a year written as text stays text."""
    return {k: v for k, v in values.items()
            if k not in names or (k in form and clean_text(one(form, k)) !=
                                  clean_text(before.get(k, "")))}


def date_value(value: str) -> Any:
    """What YAML would make of the date as typed: a year, a date, or the text."""
    value = value.strip()
    if re.fullmatch(r"\d{4}", value):
        return int(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # the schema says why it is not a date
    return value


def optional(value: Any) -> Any:
    return REMOVE if value in ("", None) else value


def id_list(value: str) -> list[str]:
    seen: list[str] = []
    for item in re.split(r"[,\s]+", value.strip()):
        if item and item not in seen:
            seen.append(item)
    return seen


def fact_values(form: dict[str, list[str]]) -> dict[str, Any]:
    sources = [s for s in form.get("sources", []) if s]
    new_source = one(form, "new_source_id").strip()
    if new_source and new_source not in sources:
        sources.append(new_source)
    values: dict[str, Any] = {
        "statement": clean_text(one(form, "statement")),
        "topics": id_list(one(form, "topics")),
        "as_of": date_value(one(form, "as_of")),
        "status": one(form, "status").strip() or "current",
        "sources": list(dict.fromkeys(sources)),
        "verified": optional(date_value(one(form, "verified"))),
    }
    return values


def source_values(form: dict[str, list[str]], prefix: str = "") -> dict[str, Any]:
    def get(name: str) -> str:
        return clean_text(one(form, prefix + name))

    return {
        "title": optional(get("title")),
        "publisher": get("publisher"),
        "url": optional(get("url")),
        "published": optional(date_value(get("published"))),
        "accessed": optional(date_value(get("accessed"))),
        "archive_url": optional(get("archive_url")),
        "kind": get("kind") or "news",
    }


def fact_form_values(fact: dict[str, Any]) -> dict[str, str]:
    """A fact as it is written -> the text each field shows."""
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    return {k: text(fact.get(k)) for k in FACT_ORDER}


def source_form_values(source: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key in SOURCE_ORDER:
        value = source.get(key)
        out[key] = "" if value is None else (value.isoformat() if isinstance(value, dt.date)
                                             else str(value))
    return out


def new_dict(values: dict[str, Any], order: list[str]) -> dict[str, Any]:
    """The mapping written for a new entry: in the model's order, without empty keys."""
    return {k: values[k] for k in order if k in values and values[k] is not REMOVE
            and values[k] != []}


# ---------------------------------------------------------------------- errors in place
def key_path(key: str) -> KeyPath:
    """``facts[0].sources[1]`` -> ("facts", 0, "sources", 1)."""
    out: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        if part.startswith("["):
            out.append(int(part[1:-1]))
        else:
            out.append(int(part) if part.isdigit() else part)
    return tuple(out)


def place(diagnostics: list[Diagnostic], display: str, prefix: KeyPath,
          fields: list[str]) -> tuple[dict[str, list[Diagnostic]], list[Diagnostic]]:
    """Diagnostics of the file ``display`` under ``prefix`` -> by field (the longest field
    name its key path starts with; names are dotted paths), and the others."""
    by_field: dict[str, list[Diagnostic]] = {}
    rest: list[Diagnostic] = []
    for d in diagnostics:
        path = key_path(d.key)
        if d.location.path == display and path[:len(prefix)] == tuple(prefix):
            tail = ".".join(str(p) for p in path[len(prefix):])
            match = max((f for f in fields if tail == f or tail.startswith(f + ".")),
                        key=len, default=None)
            if match is not None:
                by_field.setdefault(match, []).append(d)
                continue
        rest.append(d)
    return by_field, rest
