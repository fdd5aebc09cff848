"""Inline Markdown (bold, italic, links, ``[^source-id]`` footnote references) to spans.

markdown-it-py does the parsing; a small inline rule adds source references, which name a
source in the registry rather than a footnote defined in the same text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .model import Span

_REF = re.compile(r"\[\^([^\]\s]+)\]")


def _source_ref(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[^", state.pos):
        return False
    m = _REF.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("source_ref", "", 0)
        token.meta = {"id": m.group(1)}
        token.content = m.group(0)
    state.pos = m.end()
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero").enable(["emphasis", "link", "escape", "backticks", "newline"])
    md.inline.ruler.before("link", "source_ref", _source_ref)
    md.validateLink = lambda url: True  # we check schemes ourselves, to report them
    return md


_MD = _parser()


@lru_cache(maxsize=8192)
def _inline_tokens(text: str) -> tuple:
    """markdown-it's inline tokens for ``text`` (read only; the same fact text recurs in many
    briefings, so a build parses it once)."""
    tokens = _MD.parseInline(text)
    return tuple(tokens[0].children or []) if tokens else ()


@dataclass
class InlineProblem:
    message: str


def parse_inline(text: str, note_number: Callable[[str], int | None]
                 ) -> tuple[list[Span], list[InlineProblem]]:
    """Parse ``text``; ``note_number(source_id)`` gives the footnote number, or None if the
    source is unknown (reported as a problem)."""
    problems: list[InlineProblem] = []
    spans: list[Span] = []
    bold = italic = 0
    href: str | None = None
    for tok in _inline_tokens(text.strip()):
        kind = tok.type
        if kind == "text":
            spans.append(Span(tok.content, bold > 0, italic > 0, href=href))
        elif kind in ("softbreak", "hardbreak"):
            spans.append(Span(" ", bold > 0, italic > 0, href=href))
        elif kind == "code_inline":
            spans.append(Span(tok.content, bold > 0, italic > 0, code=True, href=href))
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            url = str(tok.attrGet("href") or "")
            scheme = urlsplit(url).scheme.lower()
            if scheme not in ("http", "https", "mailto"):
                shown = f"'{scheme}:'" if scheme else "no scheme"
                problems.append(InlineProblem(
                    f"link '{url}' has {shown}; only http://, https:// and mailto: links "
                    "are allowed"))
                href = None
            else:
                href = url
        elif kind == "link_close":
            href = None
        elif kind == "source_ref":
            sid = tok.meta["id"]
            number = note_number(sid)
            if number is not None:
                spans.append(Span(str(number), note=number))
            else:
                problems.append(InlineProblem(f"[^{sid}]"))
        else:  # pragma: no cover - rules we did not enable
            spans.append(Span(tok.content, bold > 0, italic > 0, href=href))
    return _merge(spans), problems


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for span in spans:
        if out and span.note is None and out[-1].note is None and \
                (out[-1].bold, out[-1].italic, out[-1].code, out[-1].href) == \
                (span.bold, span.italic, span.code, span.href):
            prev = out.pop()
            span = Span(prev.text + span.text, span.bold, span.italic, span.code, span.href)
        out.append(span)
    return out
