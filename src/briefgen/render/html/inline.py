"""Inline text as HTML: spans with their emphasis, links and footnote markers.

Every character of content is escaped here, and only http, https and mailto links become
links (the resolver already refuses others; this is the second lock on the same door). A
link whose text is not its address shows the address after the text, so that every
external link shows where it goes, on screen and on paper.

Footnote markers have the shape pandoc and markdown-it-py's footnote plugin produce::

    <sup><a role="doc-noteref" id="ref-3-2" href="#fn-3" aria-label="Note 3">3</a></sup>

``ref-N-k`` is the k-th place note N is cited, so its note can link back to each of them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ...resolve.model import Span
from ...validate.strings import ENGLISH, Strings

SCHEMES = ("http", "https", "mailto")
# C0 and C1 control characters except tab and newline (not allowed in HTML text)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# never in a link: spaces of any kind and control characters
_UNSAFE = re.compile("[\\s\x00-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an http, https or mailto address with no space or control
    character in it, else None (the text is then shown without a link)."""
    if not url:
        return None
    url = url.strip()
    if _UNSAFE.search(url):
        return None
    return url if urlsplit(url).scheme.lower() in SCHEMES else None


def shown_url(url: str) -> str:
    """How an address is written out: a mailto link shows its address."""
    return url[len("mailto:"):] if url.lower().startswith("mailto:") else url


def url_link(url: str | None) -> Markup:
    """An address as a link whose text is the whole address (or the address as text)."""
    href = safe_href(url)
    if href is None:
        return Markup('<span class="url">{}</span>').format(clean(url or ""))
    return Markup('<a class="url" href="{}">{}</a>').format(href, clean(shown_url(href)))


class Citations:
    """Numbers the places each note is cited, in reading order: ``ref-N-1``, ``ref-N-2``."""

    def __init__(self, strings: Strings = ENGLISH) -> None:
        self.places: dict[int, list[str]] = {}
        self.strings = strings  # the markers' digits and spoken label

    def cite(self, note: int) -> str:
        places = self.places.setdefault(note, [])
        places.append(f"ref-{note}-{len(places) + 1}")
        return places[-1]


def _styled(span: Span) -> Markup:
    out = escape(clean(span.text))
    if span.code:
        out = Markup("<code>{}</code>").format(out)
    if span.italic:
        out = Markup("<em>{}</em>").format(out)
    if span.bold:
        out = Markup("<strong>{}</strong>").format(out)
    return out


def spans_html(spans: list[Span], citations: Citations) -> Markup:
    parts: list[Markup] = []
    i, n = 0, len(spans)
    while i < n:
        span = spans[i]
        if span.note is not None:
            if i and spans[i - 1].note is not None:
                parts.append(Markup("<sup>{}</sup>").format(citations.strings.marker_separator))
            ref = citations.cite(span.note)
            s = citations.strings
            parts.append(Markup('<sup><a role="doc-noteref" id="{ref}" href="#fn-{n}" '
                                'aria-label="{label}">{shown}</a></sup>')
                         .format(ref=ref, n=span.note, shown=s.number(span.note),
                                 label=s.web_note.format(number=s.number(span.note))))
            i += 1
            continue
        j = i + 1
        while j < n and span.href is not None and spans[j].note is None and \
                spans[j].href == span.href:
            j += 1
        inner = Markup("").join(_styled(s) for s in spans[i:j])
        href = safe_href(span.href)
        if href is None:
            parts.append(inner)
        else:
            text = "".join(s.text for s in spans[i:j]).strip()
            shown = shown_url(href)
            after = Markup("") if text in (href, shown) else \
                Markup(' <span class="url">({})</span>').format(clean(shown))
            parts.append(Markup('<a href="{}">{}{}</a>').format(href, inner, after))
        i = j
    return Markup("").join(parts)


def plain(spans: list[Span]) -> str:
    """The text without note markers, on one line."""
    return " ".join(clean("".join(s.text for s in spans if s.note is None)).split())
