"""Small value types shared by the schemas: ids, web addresses, partial dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field

from ..ids import ID_PATTERN, check_id, check_output_id  # noqa: F401 - re-exported
from .dates import PartialDate, human_date  # noqa: F401 - re-exported


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
