"""Ids: what makes a valid id for a briefing, a country, a fact or a source (kept free of
heavy imports: the build's no-op path checks the ids in its manifest)."""

from __future__ import annotations

import re

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_PATTERN = _ID.pattern  # for the JSON Schemas


def check_id(value: str) -> str:
    if not _ID.fullmatch(value):  # not match: "$" also takes a final newline
        raise ValueError(f"'{value}' is not a valid id: use lower-case letters, digits and "
                         "single hyphens, e.g. 'north-korea'")
    return value


#: what a build writes: a briefing's id, or a translated edition's (``military-cooperation.my``)
_OUTPUT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z]{2,3}(?:-[A-Z]{2})?)?$")


def check_output_id(value: str) -> str:
    """A briefing id, or a briefing id and a language: the name of a PDF a build writes."""
    if not _OUTPUT_ID.fullmatch(value):  # not match: "$" also takes a final newline
        raise ValueError(f"'{value}' is not a briefing or edition id")
    return value
