"""Dates known to the year, month or day, and dates in words: plain Python, no pydantic, so
that a renderer's worker process can use them without importing the schemas."""

from __future__ import annotations

import datetime as dt
import re
from functools import total_ordering
from typing import Any

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def _year_to_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@total_ordering
class PartialDate:
    """A date known to the year, month or day: ``2021``, ``2021-02`` or ``2021-02-01``.

    Facts often come with only a year or a month; writing a day we do not know would be
    inventing one.
    """

    _FORMS = (re.compile(r"^(\d{4})$"), re.compile(r"^(\d{4})-(\d{2})$"),
              re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"))

    def __init__(self, year: int, month: int | None = None, day: int | None = None):
        dt.date(year, month or 1, day or 1)  # raises ValueError when impossible
        self.year, self.month, self.day = year, month, day

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        value = _year_to_text(value)
        if isinstance(value, str):
            for form in cls._FORMS:
                m = form.match(value.strip())
                if m:
                    nums = [int(g) for g in m.groups()]
                    try:
                        return cls(*nums)
                    except ValueError as exc:
                        raise ValueError(f"'{value}' is not a valid date ({exc})") from None
        raise ValueError(f"'{value}' is not a valid date: use YYYY, YYYY-MM or YYYY-MM-DD")

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        out = f"{self.year:04d}"
        if self.month:
            out += f"-{self.month:02d}"
        if self.day:
            out += f"-{self.day:02d}"
        return out

    def human(self) -> str:
        if self.day:
            return f"{self.day} {_MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{_MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def __str__(self) -> str:
        return self.iso()

    def __repr__(self) -> str:
        return f"PartialDate({self.iso()!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartialDate) and self.iso() == other.iso()

    def __lt__(self, other: PartialDate) -> bool:
        return self.earliest < other.earliest

    def __hash__(self) -> int:
        return hash(self.iso())

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema  # only the schemas need it, never a renderer

        return core_schema.no_info_plain_validator_function(
            cls.parse,
            json_schema_input_schema=core_schema.union_schema([
                core_schema.str_schema(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
                core_schema.int_schema(ge=1000, le=9999),
            ]),
            serialization=core_schema.plain_serializer_function_ser_schema(lambda v: v.iso()),
        )


def human_date(value: dt.date) -> str:
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
