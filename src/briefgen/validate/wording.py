"""How a language's fixed texts are filled in (digits, dates, page numbers): the methods of
:class:`~briefgen.validate.strings.Strings`, in plain Python.

They live apart from the schema so that a renderer's worker process, which receives the
strings as a plain record (:mod:`briefgen.render.plain`), formats them with the same code
without importing pydantic.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .dates import PartialDate

#: the digit sets a brand or a strings file may choose
DIGITS = {"latin": "0123456789", "myanmar": "၀၁၂၃၄၅၆၇၈၉"}

#: the placeholders each text must use (and may not go beyond)
PLACES: dict[str, tuple[str, ...]] = {
    "date": ("day", "month", "year"), "month_year": ("month", "year"), "year": ("year",),
    "page": ("number", "total"), "published_by": ("publisher",), "phone": ("phone",),
    "as_of": ("date",), "facts_as_of": ("date",), "list_number": ("number",),
    "web_feed_title": ("publisher",), "web_date_range": ("oldest", "newest"),
    "web_edition_of": ("date",), "web_note": ("number",), "web_back": ("number",),
    "web_back_to": ("citation", "number"),
}


class Wording:
    """The formatting methods of a language's strings; a subclass gives the texts as
    attributes and their names in :meth:`text_names`."""

    __slots__ = ()

    # A subclass gives digits, months, date, month_year, year, list_number, page and every
    # other text as attributes. (Not annotated here: pydantic would take the annotations
    # of a base class for fields, in this order, and reorder the schema's.)

    def text_names(self) -> tuple[str, ...]:
        """The names of every text, in the schema's order."""
        raise NotImplementedError

    def where(self, name: str):
        """Where the strings file sets the text ``name`` (a Location), for errors about it;
        None when not known (the built-in English, a worker's plain copy)."""
        return None

    def number(self, n: int | str) -> str:
        """``n`` in this language's digits."""
        text = str(n)
        if self.digits == "latin":
            return text
        return text.translate(_table(self.digits))

    def date_text(self, value: dt.date) -> str:
        return self.date.format(day=self.number(value.day), month=self.months[value.month - 1],
                                year=self.number(value.year))

    def partial(self, value: PartialDate) -> str:
        """A date known to the day, month or year, as :meth:`PartialDate.human` in English."""
        if value.day:
            return self.date_text(value.earliest)
        if value.month:
            return self.month_year.format(month=self.months[value.month - 1],
                                          year=self.number(value.year))
        return self.year.format(year=self.number(value.year))

    def list_text(self, number: int) -> str:
        return self.list_number.format(number=self.number(number))

    def page_text(self, number: int, total: int) -> str:
        return self.page.format(number=self.number(number), total=self.number(total))

    def fixed_texts(self) -> list[str]:
        """Every fixed text and digit this language prints (for the glyph check)."""
        out = [getattr(self, name).format(**{p: "" for p in PLACES.get(name, ())})
               for name in self.text_names() if name not in ("digits", "months")]
        return [*out, *self.months, DIGITS[self.digits]]


_TABLES: dict[str, dict[int, str]] = {}


def _table(digits: str) -> dict[int, str]:
    if digits not in _TABLES:
        _TABLES[digits] = str.maketrans(DIGITS["latin"], DIGITS[digits])
    return _TABLES[digits]
