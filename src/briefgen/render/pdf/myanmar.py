"""Where a line may break in Myanmar script: between syllables.

Burmese is written without spaces between words (spaces separate phrases), so a line must
be able to end inside a phrase. Word processors break it at syllable boundaries, found by
rules over the structure of Myanmar syllables rather than a dictionary; briefgen does the
same. (ICU's dictionary breaker gives word boundaries, which would be a little better, but
it needs ICU's libraries and its answers change with ICU's dictionary, so the same inputs
would no longer give the same PDF on every machine; see the README.)

A syllable starts at a consonant, an independent vowel, a standalone symbol (၌ ၍ ၎ ၏) or
a number, except where the consonant

* is stacked under the one before it (it follows the stacker, U+1039 VIRAMA), or
* is killed: followed by the asat (U+103A), with or without the dot below (U+1037) between
  them, or by the stacker (kinzi: ``င်္``) — it then ends the syllable before it.

So a break never falls before a dependent mark (vowel signs, medials, asat, tone marks:
they are never syllable starts), never after the stacker, never inside a number, and never
before the section marks ၊ and ။, which close what comes before them. Only Myanmar text is
broken this way: between a Myanmar letter and a Latin one there is no break unless there is
a space, as in Unicode's line breaking rules (the Latin word is glued to its Burmese
particle: "ASEAN၏").

This is a plain function over a string: it knows nothing of fonts, widths or PDF.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

#: every Myanmar code point (the main block and the extended blocks A and B)
MYANMAR = "\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff"
MYANMAR_RE = re.compile(f"[{MYANMAR}]")
_CONSONANT = re.compile("[\u1000-\u1021\u103f\u1050-\u1055\u105a-\u105d\u1061\u1065\u1066"
                        "\u106e-\u1070\u1075-\u1081\u108e\ua9e0-\ua9e4\ua9e7-\ua9ef"
                        "\ua9fa-\ua9fe\uaa60-\uaa6f\uaa71-\uaa76\uaa7a\uaa7e\uaa7f]")
#: independent vowels and the symbols that are syllables of their own
_OTHER_START = re.compile("[\u1023-\u102a\u104c-\u104f]")
_DIGIT = re.compile("[\u1040-\u1049\u1090-\u1099\ua9f0-\ua9f9\uaa70]")
STACKER = "\u1039"  # MYANMAR SIGN VIRAMA: the next consonant is stacked
ASAT = "\u103a"
DOT_BELOW = "\u1037"
#: dependent marks: a line never starts with one
DEPENDENT = re.compile("[\u102b-\u103e\u1056-\u1059\u105e-\u1060\u1062-\u1064\u1067-\u106d"
                       "\u1071-\u1074\u1082-\u108d\u108f\u109a-\u109d\ua9e5\ua9e6"
                       "\uaa7b-\uaa7d]")


def is_myanmar(ch: str) -> bool:
    return bool(ch) and MYANMAR_RE.match(ch) is not None


def _starts(text: str, i: int, before: str) -> bool:
    ch = text[i]
    prev = text[i - 1] if i else before
    if not prev or not is_myanmar(prev) or prev == STACKER:
        return False
    if _DIGIT.match(ch):
        return not _DIGIT.match(prev)  # a number is one unit
    if _OTHER_START.match(ch):
        return True
    if not _CONSONANT.match(ch):
        return False  # a mark, a section mark, punctuation: it stays with what precedes
    nxt = text[i + 1:i + 3]
    # a killed consonant or kinzi ends the syllable before it
    return not (nxt[:1] in (ASAT, STACKER) or
                (nxt[:1] == DOT_BELOW and nxt[1:2] in (ASAT, STACKER)))


@lru_cache(maxsize=50_000)
def syllable_breaks(text: str, before: str = "") -> tuple[int, ...]:
    """Offsets in ``text`` where a line may break with nothing added and no gap: the
    starts of its Myanmar syllables (``before`` is the character just before ``text``, if
    it continues a word: a break may then fall at offset 0). A zero-width space (U+200B)
    is a break opportunity too, after it."""
    out = []
    for i in range(len(text)):
        if (text[i - 1:i] == "\u200b" and i) or (is_myanmar(text[i]) and _starts(text, i, before)):
            out.append(i)
    return tuple(out)


def syllables(text: str) -> list[str]:
    """``text`` cut at every syllable break (for tests and for people)."""
    cuts = [0, *syllable_breaks(text), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(cuts) if b > a]
