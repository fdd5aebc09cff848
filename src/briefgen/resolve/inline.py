"""Inline Markdown (bold, italic, links, ``[^source-id]`` footnote references) to spans.

markdown-it-py does the parsing; a small inline rule adds source references, which name a
source in the registry rather than a footnote defined in the same text. The same parse sets
typographic quotes, apostrophes, dashes and ellipses for the briefing's language (see
:mod:`.typography`); code spans, link targets and written-out web addresses keep their
characters. A backslash keeps a straight quote: ``\\"``.

Footnote references are tidied here too, for every renderer alike:

* markers at one place are in ascending order, each number once ("¹,²", never "²,¹"), and
  sit on the word before them (a space before a reference is dropped);
* **one marker per run**: when consecutive paragraphs of one section (or the statements of
  one country list, all its entries together) cite exactly the same sources, the marker is
  printed on the first paragraph of the run only, where the run starts, as a source line
  sits above a table. A heading, a paragraph citing other sources or none, and a new
  country list end the run; the next citation shows its marker again. (The ADMM briefing
  cites one open letter for nearly every statement: 34 markers become 7.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .model import CountryListBlock, Heading, Para, Span
from .typography import typographic_parser

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


@lru_cache(maxsize=16)
def _parser(language: str) -> MarkdownIt:
    md = MarkdownIt("zero").enable(["emphasis", "link", "escape", "backticks", "newline"])
    md.inline.ruler.before("link", "source_ref", _source_ref)
    md.validateLink = lambda url: True  # we check schemes ourselves, to report them
    return typographic_parser(md, language)


@lru_cache(maxsize=8192)
def _inline_tokens(text: str, language: str) -> tuple:
    """markdown-it's inline tokens for ``text`` (read only; the same fact text recurs in many
    briefings, so a build parses it once)."""
    tokens = _parser(language).parseInline(text)
    return tuple(tokens[0].children or []) if tokens else ()


@dataclass
class InlineProblem:
    message: str


def parse_inline(text: str, note_number: Callable[[str], int | None], language: str = "en-GB"
                 ) -> tuple[list[Span], list[InlineProblem]]:
    """Parse ``text``; ``note_number(source_id)`` gives the footnote number, or None if the
    source is unknown (reported as a problem). Quotes follow ``language``."""
    problems: list[InlineProblem] = []
    spans: list[Span] = []
    bold = italic = 0
    href: str | None = None
    for tok in _inline_tokens(text.strip(), language):
        kind = tok.type
        if kind in ("text", "url_text"):
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


def order_markers(spans: list[Span]) -> list[Span]:
    """Markers at one place (adjacent note spans) in ascending order, each number once."""
    out: list[Span] = []
    i = 0
    while i < len(spans):
        if spans[i].note is None:
            out.append(spans[i])
            i += 1
            continue
        j = i
        while j < len(spans) and spans[j].note is not None:
            j += 1
        numbers = sorted({s.note for s in spans[i:j]})
        if out and out[-1].note is None and out[-1].text.endswith((" ", "\t", "\n")):
            last = out.pop()  # "checked. [^a]": the marker sits on the word, no space before it
            if last.text.strip():
                out.append(Span(last.text.rstrip(), last.bold, last.italic, last.code,
                                last.href))
        out.extend(Span(str(n), note=n) for n in numbers)
        i = j
    return out


def thin_citations(lead: list[Para], blocks: list) -> None:
    """One marker per run (see the module docstring): drop the markers of a paragraph that
    cites exactly the sources the paragraph before it in the same group cited."""
    groups: list[list[Para]] = [lead]
    current: list[Para] = []
    for block in blocks:
        if isinstance(block, Para):
            current.append(block)
            continue
        groups.append(current)
        current = []
        if isinstance(block, CountryListBlock):
            groups.append([p for entry in block.entries for p in entry.statements])
        elif not isinstance(block, Heading):  # pragma: no cover - a new kind of block
            pass
    groups.append(current)
    for group in groups:
        previous: frozenset[int] = frozenset()
        for para in group:
            cited = frozenset(para.notes)
            if cited and cited == previous:
                para.spans = _without_markers(para.spans)
            previous = cited


def _without_markers(spans: list[Span]) -> list[Span]:
    out = [s for s in spans if s.note is None]
    if out and out[-1].text.endswith(" "):  # "text [^a]": no space left dangling
        last = out[-1]
        out[-1] = Span(last.text.rstrip(), last.bold, last.italic, last.code, last.href)
    return _merge(out)


#: what would be Markdown in a paragraph but prints as written in a one-line text: a
#: footnote reference, **strong**, *emphasis*, [a link](target)
_LINE_MARKUP = re.compile(r"\[\^[^\]\s]+\]|\*\*[^*\s][^*]*\*\*|"
                          r"(?<![\w*])\*[^*\s][^*]*(?<=\S)\*(?![\w*])|"
                          r"\[[^\]]+\]\((?:[a-z]+:|/|#|www\.)[^)\s]*\)")  # not 3[a](ii)


def line_markup(text: str) -> tuple[str, str] | None:
    """(message, the markup) when a title, heading or label holds what would be a footnote
    or Markdown in a paragraph: it would be printed as written."""
    found = _LINE_MARKUP.search(text)
    if found is None:
        return None
    mark = found.group(0)
    if mark.startswith("[^"):
        return (f"'{mark}' would be printed as written: a title, heading or label takes no "
                "footnote; cite the source in the text below it", mark)
    return (f"'{mark}' would be printed as written: a title, heading or label takes no "
            "Markdown; write the words plainly", mark)
