"""Jinja2 for untrusted spec text: sandboxed, strict about undefined names, and bounded.

Whatever spec text says, :func:`render_text` runs no outside code and soon ends, with the
text or a :class:`TextError` in plain words. Text with template code may be 10,000
characters long (``MAX_SOURCE``); rendering it may take at most

* 1 second and 1,000,000 steps (``TIME_LIMIT``, ``MAX_STEPS``): each turn of a loop is a
  step, as is each call, filter, test, ``[…]``/``{…}`` display and checked operator (these
  also read the clock); calls nest at most 100 deep (``MAX_DEPTH``). Loops are counted by
  the compiled template itself (see ``_Compiler``), not ``sys.settrace``: it costs little,
  and debuggers and coverage tools keep working;
* 100,000 characters of output (``MAX_TEXT``), counted as it streams out, and 2,000,000
  characters and items made on the way, in macros and ``set`` blocks (``MAX_MADE``);
* for each value, checked *before* it is made: 100,000 characters in a string (``*``, ``+``,
  ``~``, ``%``, ``format``, ``ljust``, ``center``, ``zfill``, ``expandtabs``, ``replace``,
  ``join``, ``translate``…), 1,000,000 items and characters in a list, tuple or dict
  (``MAX_WEIGHT``; a shared item counts each time it appears), 4,000 bits in an integer.

Only the filters in ``FILTER_NAMES`` exist, and lists and dicts cannot be changed in place.
The email templates use :class:`BriefingSandbox` too: they get the value checks and filters,
not the time and output limits, which only :func:`render_text` sets up.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Mapping, MappingView, Sequence, Set
from contextvars import ContextVar
from functools import lru_cache, wraps
from types import BuiltinMethodType, MethodType
from typing import Any

from jinja2 import (
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    sandbox,
)
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import markup_join, str_join
from jinja2.tests import TESTS
from markupsafe import Markup

MAX_SOURCE, MAX_TEXT, MAX_MADE, MAX_WEIGHT = 10_000, 100_000, 2_000_000, 1_000_000
MAX_INT_BITS, MAX_STEPS, MAX_DEPTH, TIME_LIMIT = 4_000, 1_000_000, 100, 1.0
FILTER_NAMES = ("abs", "capitalize", "count", "d", "default", "e", "escape", "first", "float",
                "int", "join", "last", "length", "list", "lower", "map", "max", "min", "reject",
                "rejectattr", "replace", "round", "select", "selectattr", "sort", "string",
                "sum", "title", "trim", "truncate", "unique", "upper", "wordcount")
TOO_LONG = "this text would produce more than 100,000 characters"
TOO_BIG_LIST = "this text builds a list that is too big (more than 1,000,000 items and characters)"
TOO_BIG_NUMBER = "this text works out a number that is too big (more than about 1,200 digits)"
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)
_CONTAINERS = (list, tuple, dict, set, frozenset, range, Mapping, Sequence, Set, MappingView)


class TextError(Exception):
    """A problem in one piece of spec text; the caller adds the location."""


class _Limit(SecurityError):
    """A limit of time or size was reached (reported as a template error)."""


class _Unprintable(TemplateError):
    """Spec text would print a list, a record or nothing, in Python's notation."""


_UNPRINTABLE_LIST = ("this would print a whole list, in Python's notation; print its parts, "
                     "such as {{ x | join(', ') }} or {{ x | length }}")
_UNPRINTABLE = ("this would print a whole record (or nothing), in Python's notation; print "
                "one of its fields, such as {{ country.name }}")


class _Budget:
    """What one :func:`render_text` call may still spend."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + TIME_LIMIT
        self.steps = self.made = self.depth = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Limit("this text takes too many steps to work out (more than 1,000,000); "
                         "simplify its loops")
        if time.monotonic() > self.deadline:
            raise _Limit("this text takes too long to work out (more than 1 second); "
                         "simplify its loops")

    def count(self, iterable: Any) -> Any:
        """The items a loop goes through, a step each (reading the clock every 64th)."""
        for item in iterable:
            if self.steps & 63 == 63:
                self.tick()
            else:
                self.steps += 1
            yield item

    def spend(self, made: int) -> None:
        self.made += made
        _fits(self.made, MAX_MADE, "this text builds too much along the way (more than "
                                   "2,000,000 characters); simplify it")


_BUDGET: ContextVar[_Budget | None] = ContextVar("briefgen_text_budget", default=None)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()


def _fits(size: int, limit: int = MAX_TEXT, message: str = TOO_LONG) -> None:
    if size > limit:
        raise _Limit(message)


def _weight(value: Any, limit: int = MAX_WEIGHT) -> int:
    """About how long ``value`` is written out: characters of strings, digits of integers,
    items of containers plus their own weight, a shared item counted each time (as ``str``
    and ``==`` visit it). Stops counting once past ``limit``."""
    total, todo = 0, [value]
    while todo and total <= limit:
        item = todo.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif item is None or isinstance(item, float) or not isinstance(item, _CONTAINERS):
            total += 1
        else:
            total += len(item) + 2
            todo += item
            if isinstance(item, dict | Mapping):
                todo += item.values()
    return total


def _checked(value: Any, walk: bool = False) -> Any:
    """``value`` if no bigger than a value made by spec text may be (lists and dicts are only
    measured when ``walk``), charging its size to the budget."""
    if isinstance(value, str | bytes):
        _fits(len(value))
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _Limit(TOO_BIG_NUMBER)
    elif walk and isinstance(value, list | tuple | dict | set | frozenset):
        _fits(_weight(value), MAX_WEIGHT, TOO_BIG_LIST)
    budget = _BUDGET.get()
    if budget is not None and isinstance(value, _SIZED):
        budget.spend(len(value))
    return value


def _method_size(owner: Any, name: str, args: tuple, kwargs: dict) -> int:
    """How long method ``name`` of a str, bytes or int makes its result, where the arguments
    decide that (0 where they do not, or are wrong: the call itself then complains)."""
    first = args[0] if args else next(iter(kwargs.values()), None)
    try:
        if name in ("ljust", "rjust", "center", "zfill", "to_bytes"):
            return first if isinstance(first, int) else 0
        if name == "expandtabs":
            tabs = owner.count(b"\t" if isinstance(owner, bytes) else "\t")
            return len(owner) + tabs * (8 if first is None else first)
        if name == "replace":
            old, new, count = [*args, *kwargs.values(), -1][:3]
            n = owner.count(old) if old else len(owner) + 1
            return len(owner) + min(n, n if count < 0 else count) * (len(new) - len(old))
        if name == "join":
            return _weight(first, MAX_TEXT) + len(owner) * len(first)
        if name == "translate" and isinstance(first, dict):
            return len(owner) * max([1, *(len(v) for v in first.values() if isinstance(v, str))])
    except TypeError:
        pass
    return 0


_PERCENT = re.compile(r"%(\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?[hlL]?.", re.S)


def _percent_size(fmt: str | bytes, args: Any) -> int:
    """At least the length of ``fmt % args``, worked out without doing it."""
    text = fmt.decode("latin-1") if isinstance(fmt, bytes) else fmt
    by_name = isinstance(args, Mapping)
    size = len(text) + (0 if by_name else _weight(args, MAX_TEXT))
    for key, width, precision in _PERCENT.findall(text):
        if "*" in (width, precision) or len(width) > 6 or len(precision) > 6:
            return MAX_TEXT + 1
        size += int(width or 0) + int(precision or 0)
        size += _weight(args.get(key[1:-1]), MAX_TEXT) if key and by_name else 0
        if size > MAX_TEXT:
            break
    return size


class _SizedFormat:
    """For ``str.format``: no field wider than MAX_TEXT, no result longer."""

    made = 0

    def format_field(self, value: Any, format_spec: str) -> Any:
        if any(len(n) > 6 or int(n) > MAX_TEXT for n in re.findall(r"\d+", format_spec)):
            raise _Limit(TOO_LONG)
        out = super().format_field(value, format_spec)
        self.made += len(out)
        _fits(self.made)
        return out


class _TextFormatter(_SizedFormat, sandbox.SandboxedFormatter): ...


class _MarkupFormatter(_SizedFormat, sandbox.SandboxedEscapeFormatter): ...


class _Compiler(CodeGenerator):
    """Jinja's code generator, except that loops count their turns (``environment.iterate``),
    and ``[…]``, ``(…)``, ``{…}`` (``sized``) and ``~`` (``join_text``) are measured."""

    loop_iter = None  # the iterable of the loop being written

    def visit(self, node: Any, *args: Any, **kwargs: Any) -> Any:
        if self.loop_iter is None or node is not self.loop_iter:
            return super().visit(node, *args, **kwargs)
        self._around("iterate", super().visit, node, *args, **kwargs)

    def _around(self, method: str, visit: Any, *args: Any, **kwargs: Any) -> None:
        self.write(f"environment.{method}(")
        visit(*args, **kwargs)
        self.write(")")

    def visit_For(self, node, frame) -> None:
        outer, self.loop_iter = self.loop_iter, node.iter
        try:
            super().visit_For(node, frame)
        finally:
            self.loop_iter = outer

    def visit_List(self, node, frame) -> None:
        self._around("sized", super().visit_List, node, frame)

    def visit_Dict(self, node, frame) -> None:
        self._around("sized", super().visit_Dict, node, frame)

    def visit_Tuple(self, node, frame) -> None:
        if node.ctx != "load":  # a target, as in {% for a, b in pairs %}
            return super().visit_Tuple(node, frame)
        self._around("sized", super().visit_Tuple, node, frame)

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.join_text((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("), context.eval_ctx.autoescape)")


def _range(*args: int) -> range:
    numbers = range(*args)
    _fits(len(numbers), message="range() can count at most 100,000 numbers")
    return numbers


def _guarded(name: str) -> Any:
    """Filter ``name``, taking a step, refusing a result too big and, for the filters whose
    arguments decide how big it is, refusing those arguments before it runs."""
    func = FILTERS[name]
    signature = inspect.signature(func) if name in ("join", "replace", "sum", "round") else None

    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if signature is not None:
            call = signature.bind(*args, **kwargs)
            call.apply_defaults()
            arg = call.arguments
            if name == "join":
                arg["value"] = items = list(arg["value"])
                _fits(_weight(items, MAX_TEXT) + len(str(arg["d"])) * len(items))
            elif name == "replace":
                count = -1 if arg["count"] is None else arg["count"]
                _fits(_method_size(str(arg["s"]), name, (str(arg["old"]), str(arg["new"]),
                                                         count), {}))
            elif name == "sum" and not isinstance(arg["start"], int | float):
                raise SecurityError("the sum filter adds up numbers only")
            elif name == "round" and not (isinstance(arg["precision"], int)
                                          and abs(arg["precision"]) <= 100):
                raise _Limit("round() can keep at most 100 decimal places")
            args, kwargs = call.args, call.kwargs
        return _checked(func(*args, **kwargs))

    return guarded


def _stepping(test: Any) -> Any:
    """Test ``test`` (``odd``, ``in``…), taking a step: ``select`` and ``reject`` call them."""

    @wraps(test)
    def stepping(*args: Any, **kwargs: Any) -> Any:
        _tick()
        return test(*args, **kwargs)

    return stepping


_FILTERS = {name: _guarded(name) for name in FILTER_NAMES}
_TESTS = {name: _stepping(test) for name, test in TESTS.items()}


class BriefingSandbox(sandbox.SandboxedEnvironment):
    """The sandbox that renders spec text and email templates.

    Attribute access to anything private or unsafe is refused by the sandbox, as is changing
    lists and dicts; the operators, methods and filters that can make big values check their
    arguments first (see the module docstring). The default globals (``cycler``, ``joiner``,
    ``lipsum``…) are gone.
    """

    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _Compiler

    def __init__(self, *, autoescape: bool = False, keep_trailing_newline: bool = False) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape,
                         keep_trailing_newline=keep_trailing_newline, finalize=self._finalize)
        self.globals = {"range": _range}
        self.filters, self.tests = dict(_FILTERS), dict(_TESTS)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _tick()
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int):
                    limit = MAX_TEXT if isinstance(seq, str | bytes) else MAX_WEIGHT
                    if _weight(seq, limit) * times > limit:
                        raise SecurityError("this would make a text or list too big "
                                            f"(more than {limit:,})")
            _fits(ints and left.bit_length() + right.bit_length(), MAX_INT_BITS, TOO_BIG_NUMBER)
        elif operator == "**" and ints and right > 0:
            _fits((abs(left).bit_length() - 1) * right, MAX_INT_BITS, TOO_BIG_NUMBER)
        elif operator == "+" and isinstance(left, str | bytes) and isinstance(right, str | bytes):
            _fits(len(left) + len(right))
        elif operator == "+" and isinstance(left, list | tuple) and isinstance(right, list | tuple):
            _fits(_weight(left) + _weight(right), MAX_WEIGHT, TOO_BIG_LIST)
        elif operator == "%" and isinstance(left, str | bytes):
            _fits(_percent_size(left, right))
        return _checked(self.binop_table[operator](left, right))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        owner = obj.__self__ if isinstance(obj, BuiltinMethodType) else None
        name = getattr(obj, "__name__", "")
        if isinstance(owner, list | dict | set) and sandbox.modifies_known_mutable(owner, name):
            raise SecurityError(f"lists, dicts and sets cannot be changed ({name})")
        if isinstance(owner, str | bytes | int):
            if name == "join" and args:
                args = (list(args[0]), *args[1:])
            _fits(_method_size(owner, name, args, kwargs))
        if len(args) + len(kwargs) > 1:  # as a macro's varargs, they can be a big tuple
            _fits(_weight((args, kwargs)), MAX_WEIGHT, TOO_BIG_LIST)
        budget = _BUDGET.get()
        if budget is None:
            return _checked(super().call(context, obj, *args, **kwargs), walk=True)
        budget.tick()
        budget.depth += 1
        try:
            _fits(budget.depth, MAX_DEPTH, "too deeply nested (more than 100 calls inside "
                                           "each other); check for a macro that calls itself")
            return _checked(super().call(context, obj, *args, **kwargs), walk=True)
        finally:
            budget.depth -= 1

    def wrap_str_format(self, value: Any) -> Any:
        if not (isinstance(value, MethodType | BuiltinMethodType) and isinstance(
                value.__self__, str) and value.__name__ in ("format", "format_map")):
            return None
        text, by_name = value.__self__, value.__name__ == "format_map"

        def bounded(*args: Any, **kwargs: Any) -> str:
            if by_name and (kwargs or len(args) != 1):
                raise TypeError("format_map() takes exactly one argument")
            args, kwargs = ((), args[0]) if by_name else (args, kwargs)
            formatter = (_MarkupFormatter(self, escape=text.escape) if isinstance(text, Markup)
                         else _TextFormatter(self))
            return type(text)(formatter.vformat(text, args, kwargs))

        return bounded

    def iterate(self, iterable: Any) -> Any:
        """What a loop goes through: counted, when there is a budget."""
        budget = _BUDGET.get()
        return iterable if budget is None else budget.count(iterable)

    def sized(self, value: Any) -> Any:
        """A list, tuple or dict the template writes out, if not too big."""
        _tick()
        return _checked(value, walk=True)

    def join_text(self, parts: tuple, autoescape: bool) -> str:
        """``a ~ b``, if not too long."""
        _tick()
        _fits(_weight(parts, MAX_TEXT))
        return _checked((markup_join if autoescape else str_join)(parts))

    def concat(self, parts: Any) -> str:  # joins the output of macros and blocks
        if _BUDGET.get() is None:
            return "".join(parts)
        parts = list(parts)
        _fits(_weight(parts, MAX_TEXT))
        return _checked("".join(parts))

    def _finalize(self, value: Any) -> Any:  # every {{ expression }}, before it is written
        size = len(value) if isinstance(value, str) else _weight(value, MAX_TEXT)
        _fits(size)
        budget = _BUDGET.get()
        if budget is not None:
            budget.spend(size)
            if not isinstance(value, str | int | float | Undefined):  # a whole record
                raise _Unprintable(_UNPRINTABLE_LIST if isinstance(value, list | tuple)
                                   else _UNPRINTABLE)  # or None: Python's notation for it
        return value


_ENV = BriefingSandbox()


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


_LITERAL = "briefgen_literal_"


@lru_cache(maxsize=8192)
def _compile(text: str) -> tuple[Any, dict[str, str]]:
    """The compiled template for ``text`` and the values it needs besides the context.

    Compiling costs about a millisecond, and a project's texts differ mostly in their plain
    words ("{{ lists.countries | length }} countries in briefing 12"). Text made only of
    plain words and ``{{ expressions }}`` is compiled as its *skeleton*, with each run of
    plain words replaced by a variable, so all texts of one shape share one compiled
    template. Jinja's own lexer finds the runs (a ``}}`` inside a quoted string stays
    code); anything with ``{% %}`` or ``{# #}`` is compiled as it is.
    """
    if "{%" not in text and "{#" not in text:
        parts: list[str] = []
        literals: dict[str, str] = {}
        try:
            for _, kind, value in _ENV.lex(text):
                if kind == "data":
                    name = f"{_LITERAL}{len(literals)}"
                    literals[name] = value
                    parts.append("{{ " + name + " }}")
                else:
                    parts.append(value)
        except TemplateSyntaxError:
            pass  # compiled as it is below, for the message with its line number
        else:
            return _shape("".join(parts)), literals
    return _ENV.from_string(text), {}


@lru_cache(maxsize=4096)
def _shape(skeleton: str):
    return _ENV.from_string(skeleton)


def render_text(text: str, context: dict[str, Any]) -> str:
    """Render one piece of spec text; raises :class:`TextError` with a plain message."""
    if not has_template(text):
        return text
    token, parts, size = _BUDGET.set(_Budget()), [], 0
    try:
        _fits(len(text), MAX_SOURCE, "text with {{ }} or {% %} in it may be at most 10,000 "
                                     "characters long")
        template, literals = _compile(text)
        if literals:
            context = {**context, **literals}
        for chunk in template.root_render_func(template.new_context(context)):
            size += len(chunk)
            if size > MAX_TEXT:
                raise _Limit(TOO_LONG)
            parts.append(chunk)
    except TemplateSyntaxError as exc:
        message = (exc.message or "").rstrip(".")
        hint = f"; the filters are: {', '.join(FILTER_NAMES)}" if "No filter" in message else ""
        raise TextError(f"template syntax error: {message} (line {exc.lineno} of the text)"
                        f"{hint}") from None
    except _Limit as exc:
        raise TextError(f"template error: {exc}") from None
    except SecurityError as exc:
        raise TextError(f"not allowed in briefing text: {exc}") from None
    except UndefinedError as exc:
        msg = str(exc)
        if "unsafe" in msg:
            raise TextError(f"not allowed in briefing text: {msg}") from None
        raise TextError(f"undefined name in template: {msg}") from None
    except TemplateError as exc:
        raise TextError(f"template error: {exc}") from None
    except (ArithmeticError, TypeError, ValueError, LookupError, AttributeError) as exc:
        raise TextError(f"template error: {type(exc).__name__}: {exc}") from None
    except (RecursionError, SyntaxError):  # SyntaxError: Python's limit on nested loops
        raise TextError("template error: too deeply nested") from None
    except MemoryError:
        raise TextError("template error: this text needs too much memory") from None
    finally:
        _BUDGET.reset(token)
    return "".join(parts)
