"""Typographic quotes, apostrophes, dashes and ellipses for every text that comes from YAML.

This is part of the format-neutral resolve stage, so every renderer prints the same
characters. Quotes and apostrophes are markdown-it-py's own ``smartquotes`` rule (the
parser briefgen already uses for inline Markdown): it knows opening from closing by the
characters around each quote, turns apostrophes inside words into ``’``, and never touches
code spans. Link targets are attributes, not text, and web addresses written out in the
text are kept out of its way by :func:`bare_url` (their own token type), so an address is
printed exactly as written.

Dashes and ellipses are a small rule of our own (:func:`dashes`) rather than markdown-it's
``replacements``: that rule also turns ``(c)`` into ``©`` and ``(r)`` into ``®``, which
would corrupt treaty references such as "Article 2(c)". Ours makes ``---`` an em dash, ``--``
and a hyphen between two numbers ("1990-2000", "pages 10-12") an en dash, a hyphen with a
space on each side a spaced en dash (the British convention), and ``...`` an ellipsis.

Quote characters per language (the briefing's ``language``, e.g. ``en-GB``):

==========  ==========  ============================================================
language    quotes      why
==========  ==========  ============================================================
en (all)    “…” ‘…’     the house style of Burma Campaign UK's own briefings (the seed
                        texts): double quotes outside, single inside, ’ as apostrophe
de          „…“ ‚…‘     German convention
fr          «…» ‹…›     French guillemets
es, it, pt  «…» “…”     guillemets outside, English double quotes inside
ru          «…» „…“
nl          “…” ‘…’
my          “…” ‘…’     Burmese text uses English quotation marks
==========  ==========  ============================================================

Any other language gets the English marks.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

QUOTES = {
    "en": "“”‘’",
    "de": "„“‚‘",
    "fr": "«»‹›",
    "es": "«»“”",
    "it": "«»“”",
    "pt": "«»“”",
    "ru": "«»„“",
    "nl": "“”‘’",
    "my": "“”‘’",
}

#: an address runs to the next space, quote or bracket of a link label; ' and ( ) may be
#: part of it (People's_Defence_Force, Foo_(bar)), but not its last character
_URL = re.compile(r"(?:https?://|mailto:)[^\s<>\"`\[\]]*[^\s<>\"'`.,;:!?()\[\]]", re.I)
#: addresses without a scheme, which only the dash rules could reach: kept as written
_PLAIN_ADDRESS = re.compile(r"(?<![\w@.'-])(?:www\.[^\s<>\"`]*[^\s<>\"'`.,;:!?()\[\]]|"
                            r"[\w+-][\w.+'-]*@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]\w*)")
_SCHEME = re.compile(r"(?:https?|mailto)$", re.I)


def quotes_for(language: str) -> str:
    """The four quote characters (double open, close, single open, close) for a language."""
    return QUOTES.get(language.split("-")[0].lower(), QUOTES["en"])


def bare_url(state: StateInline, silent: bool) -> bool:
    """An inline rule: a web address written out in text becomes a ``url_text`` token, which
    the quote and dash rules leave alone. It runs at the ``:`` after the scheme (the text
    rule has already taken the scheme into ``pending``, as markdown-it's linkify does)."""
    pos = state.pos
    if state.src[pos] != ":" or not _SCHEME.search(state.pending):
        return False
    scheme = _SCHEME.search(state.pending).group(0)
    start = pos - len(scheme)
    if start > 0 and (state.src[start - 1].isalnum() or state.src[start - 1] == "_"):
        return False
    m = _URL.match(state.src, start)
    if not m:
        return False
    end = m.end()
    while end < state.posMax and state.src[end] == ")" and \
            state.src.count("(", start, end) > state.src.count(")", start, end):
        end += 1  # Foo_(bar): the closing parenthesis is the address's own
    if not silent:
        state.pending = state.pending[: len(state.pending) - len(scheme)]
        token = state.push("url_text", "", 0)
        token.content = state.src[start:end]
    state.pos = end
    return True


_DASH_RULES = (
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"(?<![\w.,/-])(\d+)-(\d+)(?![\w/-]|[.,]\d)"), "\\1\u2013\\2"),
    (re.compile(r"(?<=\S) - (?=\S)"), " \u2013 "),
    (re.compile(r"\.\.\.|\. \. \."), "\u2026"),
)


def dashes(text: str) -> str:
    """Dashes and ellipses in plain text; an address without a scheme (www.…, an email
    address) is kept as written."""
    if "-" not in text and "." not in text:
        return text
    held: list[str] = []
    kept = _hold(text, held)
    return _dashes(text) if kept is None else _give_back(_dashes(kept), held)


def _dashes(text: str) -> str:
    for pattern, repl in _DASH_RULES:
        text = pattern.sub(repl, text)
    return text


#: an address without a scheme stands aside as one character of Unicode's plane 15 (private
#: use) while quotes and dashes are set, so that the rules still see what is around it
_HELD = 0xF0000
_HELD_CHARS = re.compile("[\U000F0000-\U000FFFFD]")


def _hold(text: str, held: list[str]) -> str | None:
    """``text`` with each www./email address replaced by a stand-in (kept in ``held``);
    None when there is none, or when the text has such characters of its own."""
    if ("www." not in text and "@" not in text) or _HELD_CHARS.search(text):
        return None

    def stand_in(match: re.Match) -> str:
        held.append(match.group(0))
        return chr(_HELD + len(held) - 1)

    out = _PLAIN_ADDRESS.sub(stand_in, text)
    return out if held else None


def _give_back(text: str, held: list[str]) -> str:
    return _HELD_CHARS.sub(lambda m: held[ord(m.group()) - _HELD], text)


def _hold_rule(state: StateCore) -> None:
    held = state.env.setdefault("briefgen_held", [])
    for token in state.tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "text":
                    kept = _hold(child.content, held)
                    if kept is not None:
                        child.content = kept


def _give_back_rule(state: StateCore) -> None:
    held = state.env.get("briefgen_held")
    if not held:
        return
    for token in state.tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "text":
                    child.content = _give_back(child.content, held)


def _dash_rule(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "text" and ("-" in child.content or "." in child.content):
                    child.content = _dashes(child.content)


def typographic_parser(md: MarkdownIt, language: str) -> MarkdownIt:
    """Add the typography rules to ``md`` (quotes for ``language``); returns ``md``."""
    md.options["typographer"] = True
    md.options["quotes"] = quotes_for(language)
    md.inline.ruler.push("bare_url", bare_url)
    md.enable("smartquotes")
    md.core.ruler.before("smartquotes", "hold_addresses", _hold_rule)
    md.core.ruler.after("smartquotes", "dashes", _dash_rule)
    md.core.ruler.after("dashes", "give_back_addresses", _give_back_rule)
    return md


@lru_cache(maxsize=16)
def _plain_parser(language: str) -> MarkdownIt:
    return typographic_parser(MarkdownIt("zero"), language)


@lru_cache(maxsize=8192)
def typographic(text: str, language: str = "en-GB") -> str:
    """``text`` (plain, not Markdown: a title, heading or label) with typographic quotes,
    apostrophes, dashes and ellipses for ``language``; web addresses in it are kept."""
    if not any(ch in text for ch in "'\"-."):
        return text
    tokens = _plain_parser(language).parseInline(text)
    children = tokens[0].children if tokens else None
    if not children:
        return text
    return "".join(t.content if t.type in ("text", "url_text") else
                   "\n" if t.type in ("softbreak", "hardbreak") else t.content
                   for t in children)
