"""Jinja2 for untrusted spec text: sandboxed, strict about undefined names, bounded in size."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

MAX_TEXT = 100_000  # characters one expression may produce


class TextError(Exception):
    """A problem in one piece of spec text; the caller adds the location."""


class BriefingSandbox(SandboxedEnvironment):
    """The sandbox that renders spec text and email templates.

    Attribute access to anything private or unsafe is refused by the sandbox; we also cap
    ``*`` and ``**`` so that ``'x' * 10**9`` cannot exhaust memory, and remove the default
    globals (``cycler``, ``joiner``, ``lipsum``…) that text has no use for.
    """

    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, *, autoescape: bool = False, keep_trailing_newline: bool = False) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape,
                         keep_trailing_newline=keep_trailing_newline)
        self.globals = {"range": self.globals["range"]}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise SecurityError("exponent too large")
            return left**right
        if isinstance(left, str | list) and isinstance(right, int) and \
                len(left) * right > MAX_TEXT:
            raise SecurityError("result too large")
        if isinstance(right, str | list) and isinstance(left, int) and \
                len(right) * left > MAX_TEXT:
            raise SecurityError("result too large")
        return left * right


_ENV = BriefingSandbox()


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


@lru_cache(maxsize=4096)
def _compile(text: str):
    return _ENV.from_string(text)


def render_text(text: str, context: dict[str, Any]) -> str:
    """Render one piece of spec text; raises :class:`TextError` with a plain message."""
    if not has_template(text):
        return text
    try:
        out = _compile(text).render(context)
    except TemplateSyntaxError as exc:
        raise TextError(f"template syntax error: {exc.message} (line {exc.lineno} of the "
                        "text)") from None
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
    except RecursionError:
        raise TextError("template error: too deeply nested") from None
    if len(out) > MAX_TEXT:
        raise TextError("template produced more than 100,000 characters")
    return out
