"""``briefgen new``: start a briefing spec with every field present and explained, or from a
copy of an existing one with a new id, date and title."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ..errors import UsageError
from ..files import write_atomic
from ..load.project import Layout, find_root
from ..resolve.inline import line_markup
from ..validate.schema import did_you_mean
from ..validate.types import check_id

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schemas/briefing.schema.json\n"

#: names that the command line uses for something else
RESERVED = {"status"}

_TEMPLATE = """\
{schema}# A briefing. Check it with `briefgen check`; build it with `briefgen build {id}`.
title: {title}  # the big title on page 1; Jinja2 allowed, e.g. {{{{ lists.countries | length }}}}
short_title: {title}  # the running header on later pages
subtitle: null  # one line under the title, or null
date: {date}  # the date of this edition (YYYY-MM-DD); staleness is measured from it
language: en-GB  # written to the PDF as /Lang
brand: default  # the brand sheet in styles/<brand>.yaml
lead: null  # the standfirst under the title; cite a source with [^source-id]
keywords: []  # PDF keywords; empty means: the topics of the facts used
sections:  # at least one; each has a heading, paragraphs and an optional country list
  - heading: Background  # a section heading (also an outline entry)
    paragraphs:  # text (Markdown: **bold**, *italic*, [^source-id]) or {{fact: country.fact-id}}
      - Replace this paragraph with the first point of the briefing.
    # country_list:  # a numbered list, by explicit ids or by the topics of their facts
    #   countries: [australia, japan]  # or: topics: [military-training]
    #   show: [facts, sources]  # what each entry shows: facts, notes, sources
more_information: []  # appendix links: - {{label: "...", source: source-id}}
calls_to_action: [more_briefings, donate]  # panels before the publisher block
mail:  # used by `briefgen mail`
  subject: null  # the email subject; null means the title
  audiences: []  # default list segments to mail, e.g. [supporters, journalists]
"""


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def new_briefing(root: Path | str, bid: str, *, title: str | None = None,
                 copy_from: str | None = None, today: dt.date | None = None) -> Path:
    """Write ``briefings/<bid>.yaml``; refuses an unsafe id or an existing file."""
    layout = Layout(find_root(Path(root)))
    try:
        check_id(bid)
    except ValueError as exc:
        raise UsageError(f"briefing id: {exc}") from None
    if bid in RESERVED:
        raise UsageError(f"'{bid}' is a command word; choose another id")
    path = layout.briefings / f"{bid}.yaml"
    if path.exists():
        raise UsageError(f"{path.relative_to(layout.root)} already exists; not overwritten")
    date = (today or dt.date.today()).isoformat()
    if title is not None and ("\n" in title or not title.strip()):
        raise UsageError("--title must be one non-empty line")
    if title is not None and any(mark in title for mark in ("{{", "{%", "{#")):
        # the file must pass check as written: template code belongs in the file itself
        raise UsageError("--title holds template code ({{, {% or {#): give a plain title, "
                         "then write the code in the file")
    marked = line_markup(title) if title is not None else None
    if marked:  # check refuses it in a title: the file would not pass
        raise UsageError(f"--title: {marked[0]}")
    if copy_from is None:
        text = _TEMPLATE.format(schema=SCHEMA_COMMENT, id=bid, date=date,
                                title=_yaml_text(title or f"New briefing: {bid}"))
    else:
        source = layout.briefings / f"{copy_from}.yaml"
        if not source.is_file():
            known = sorted(p.stem for p in layout.briefings.glob("*.yaml"))
            raise UsageError(f"no briefing '{copy_from}'{did_you_mean(copy_from, known)}")
        text = source.read_text(encoding="utf-8")
        text = _replace_top_level(text, "date", date)
        if title is not None:
            text = _replace_top_level(text, "title", _yaml_text(title))
            text = _replace_top_level(text, "short_title", _yaml_text(title))
        if not text.startswith("# yaml-language-server"):
            text = SCHEMA_COMMENT + text
    write_atomic(path, text.encode("utf-8"))
    return path


def _replace_top_level(text: str, key: str, value: str) -> str:
    """Replace a one-line top-level ``key: value`` (keeping any comment), or add it."""
    pattern = re.compile(rf"^{key}:[^\n#]*(#.*)?$", re.M)
    match = pattern.search(text)
    if match is None:
        return text.rstrip("\n") + f"\n{key}: {value}\n" if key != "short_title" else text
    comment = f"  {match.group(1)}" if match.group(1) else ""
    rest = text[match.end():]
    continuation = re.match(r"(\n[ \t]+[^\n]*|\n[ \t]*(?=\n[ \t]))*", rest)
    rest = rest[continuation.end():] if continuation else rest  # a folded or long value
    return text[:match.start()] + f"{key}: {value}{comment}" + rest
