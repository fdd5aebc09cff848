"""Documents and brands as the PDF renderer sees them: plain Python values, no pydantic.

A resolved document holds two validated models (the publisher and the language's strings)
and a brand holds its sheet (a tree of models). The PDF renderer only reads their values,
so :func:`plain_document` and :func:`plain_brand` copy those into :class:`Record` objects,
and the renderer always draws from the copies: in the build's own process and in a worker,
one way. A worker can then unpickle a document and a brand without importing pydantic or
the schemas (about 0.15 s), which is what lets a one-briefing build start its worker before
the schemas are imported, and have it ready when the parent has resolved the briefing.

The copies are made of what the models hold (``model_fields``), so nothing a model computes
on the fly survives: the renderer reads fields only (a test renders from models and from
copies and compares the bytes).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, Any

from ..validate.wording import PLACES, Wording

if TYPE_CHECKING:
    from ..resolve.model import Document
    from ..validate.branding import Brand


class Record:
    """A validated model's values as attributes; compared and hashed by value, read-only."""

    def __init__(self, values: dict[str, Any]):
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:  # like a frozen model: a list among the values cannot hash
        return hash(tuple(self.__dict__.values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({inner})"


class PlainStrings(Wording, Record):
    """A language's strings (:class:`~briefgen.validate.strings.Strings`) as a record, with
    the same formatting methods."""

    PLACES = PLACES

    def text_names(self) -> tuple[str, ...]:
        return self.__dict__["_names"]


def plain(value: Any) -> Any:
    """``value`` with every pydantic model in it replaced by a :class:`Record` of its
    fields (lists, tuples and dicts copied; anything else kept as it is)."""
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:
        return Record({name: plain(getattr(value, name)) for name in fields})
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


#: id() of an object converted -> (the object, its copy): the same brand or strings give
#: the same copy while they live (the renderer keeps caches on a brand, by identity)
_COPIES: dict[int, tuple[Any, Any]] = {}


def _cached(obj: Any, make) -> Any:
    hit = _COPIES.get(id(obj))
    if hit is not None and hit[0] is obj:
        return hit[1]
    if len(_COPIES) >= 64:
        _COPIES.clear()
    out = make(obj)
    _COPIES[id(obj)] = (obj, out)
    return out


def plain_strings(strings: Any) -> PlainStrings:
    if isinstance(strings, PlainStrings):
        return strings

    def make(s: Any) -> PlainStrings:
        names = s.text_names()
        return PlainStrings({"_names": names, **{n: plain(getattr(s, n)) for n in names}})

    return _cached(strings, make)


def plain_document(doc: Document) -> Document:
    """``doc`` with its publisher and strings as records (itself when they already are)."""
    if isinstance(doc.strings, PlainStrings) and type(doc.publisher) is Record:
        return doc
    return dataclasses.replace(doc, publisher=_cached(doc.publisher, plain),
                               strings=plain_strings(doc.strings))


def plain_brand(brand: Brand) -> Brand:
    """``brand`` with its sheet (and each language's brand) as records."""
    if type(brand.sheet) is Record:
        return brand

    def make(b: Brand) -> Brand:
        out = copy.copy(b)
        # what the renderer caches on a brand (names starting with _) is not shared
        out.__dict__ = {k: v for k, v in b.__dict__.items() if not k.startswith("_")}
        out.sheet = plain(b.sheet)
        out.languages = {lang: plain_brand(lb) for lang, lb in b.languages.items()}
        return out

    return _cached(brand, make)
