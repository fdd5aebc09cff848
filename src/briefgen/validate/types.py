"""Small value types shared by the schemas: ids, web addresses, partial dates."""

from __future__ import annotations

import datetime as dt
import re
from functools import total_ordering
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from ..ids import ID_PATTERN, check_id, check_output_id  # noqa: F401 - re-exported

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        raise ValueError(f"'{value}' is not a web address: it has {scheme}, "
                         "only http:// and https:// are allowed")
    if not parts.netloc or any(c.isspace() for c in value.strip()):
        raise ValueError(f"'{value}' is not a complete web address")
    return value.strip()


Id = Annotated[str, AfterValidator(check_id), Field(max_length=100)]
#: a paragraph or a statement (bounded, so that no value can outgrow a page)
Text = Annotated[str, AfterValidator(_check_text), Field(max_length=20_000)]
#: a name, a title, a label: one line's worth
Line = Annotated[str, AfterValidator(_check_text), Field(max_length=400)]
WebUrl = Annotated[str, AfterValidator(_check_url), Field(max_length=2_000)]


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
    def __get_pydantic_core_schema__(cls, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
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


def _strict_date(value: Any) -> Any:
    """Accept YAML dates and ISO date text only (not numbers, which pydantic would read as
    seconds since 1970)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is not a valid date: use YYYY-MM-DD") from None
    raise ValueError(f"{value!r} is not a valid date: use YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_strict_date)]
