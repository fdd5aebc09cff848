"""Turn pydantic's validation errors into located, plain-English diagnostics."""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Diagnostic
from ..hints import did_you_mean
from ..load.yamlfile import KeyPath, YamlFile, format_key_path

M = TypeVar("M", bound=BaseModel)


#: the patterns of the schemas, in words
FORMS = {
    r"^[a-z]{2,3}(-[A-Z]{2})?$": "a language code: two or three lower-case letters, such as "
                                 "en or my, perhaps with a country, such as en-GB",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "an email address, such as info@example.org",
    r"^[a-z0-9-]+\.[a-z0-9-]+$": "a fact, written country.fact-id, such as "
                                "japan.training-review",
}


def describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ('{value}')"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of keys"
    return type(value).__name__


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional/Union/Annotated peeled off)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the mapping found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        candidates = _unwrap(current)
        nxt = None
        for cand in candidates:
            origin = typing.get_origin(cand)
            if isinstance(cand, type) and issubclass(cand, BaseModel) and isinstance(part, str):
                field = cand.model_fields.get(part)
                if field is not None:
                    nxt = field.annotation
                    break
            elif origin in (list, tuple) and isinstance(part, int):
                nxt = typing.get_args(cand)[0]
                break
            elif origin is dict and isinstance(part, str):
                nxt = typing.get_args(cand)[1]
                break
        if nxt is None:
            return None
        current = nxt
    for cand in _unwrap(current):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def _message(err: dict[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        allowed = sorted(owner.model_fields) if owner else []
        hint = did_you_mean(str(loc[-1]), allowed)
        tail = f"; allowed: {', '.join(allowed)}" if allowed and not hint else ""
        return f"unknown key '{loc[-1]}'{hint}{tail}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "string_type":
        if isinstance(value, bool):  # topics: [no]
            return (f"expected text, got {describe(value)}: YAML reads a bare yes, no, on, off, "
                    "true or false as true/false; put the word in quotes, such as 'no'")
        return f"expected text, got {describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {describe(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of keys, got {describe(value)}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        hint = did_you_mean(str(value), options)
        return f"'{value}' is not allowed{hint}; allowed: {', '.join(options)}"
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return f"needs at least {need} item{'s' if need != 1 else ''}"
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        return (f"too long: {len(value) if isinstance(value, str) else '?':,} characters, "
                f"at most {limit:,} are allowed here")
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        shown = f"{limit:g}" if isinstance(limit, int | float) else limit
        return f"{value} is too small: {'at least' if 'ge' in ctx else 'more than'} {shown}"
    if kind == "too_long":  # a limit checked after another validator: text or a list
        limit = ctx.get("max_length", 0)
        if isinstance(value, str):
            return f"too long: {len(value):,} characters, at most {limit:,} are allowed here"
        return f"too many: {ctx.get('actual_length', '?')} items, at most {limit:,} here"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        form = FORMS.get(pattern)
        if form:
            return f"'{value}' is not {form}"
        return f"'{value}' does not have the expected form ({pattern})"
    if kind in ("value_error", "assertion_error"):
        exc = ctx.get("error")
        return str(exc) if exc is not None else err["msg"]
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"'{value}' is not a valid date: use YYYY-MM-DD"
    if kind in ("int_type", "int_parsing", "float_type", "float_parsing"):
        return f"expected a number, got {describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {describe(value)}"
    return err["msg"]


def validate_model(model: type[M], file: YamlFile, data: Any,
                   base: KeyPath = ()) -> tuple[M | None, list[Diagnostic]]:
    """Validate ``data`` (found at ``base`` in ``file``) against ``model``."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        diags = []
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            path = (*base, *loc)
            is_key = err["type"] in ("extra_forbidden",)
            if err["type"] == "missing":
                diags.append(Diagnostic(file.location(path[:-1]), format_key_path(path),
                                        _message(err, model, loc)))
            else:
                diags.append(file.diag(path, _message(err, model, loc), key=is_key))
        return None, diags

