"""Burmese text in the legacy Zawgyi encoding: found, located, never printed.

Zawgyi is a font hack that reuses the Myanmar Unicode code points for other shapes (a vowel
stored before its consonant, stacked forms as separate characters). Text pasted from older
websites and phones is often Zawgyi; set in a Unicode font it comes out as garbled Burmese
that a reader may not notice is wrong until it is printed. Google's detector
(``myanmartools``, a Markov model over code point pairs) tells the two apart; text it gives
a probability over 0.95 is reported at its file and line with the advice to convert it.

Short text is ambiguous (one syllable can be valid in both), so a text counts only when it
has at least :data:`MIN_LETTERS` Myanmar characters, or starts a syllable with the vowel
sign E (U+1031), which Unicode stores after its consonant and Zawgyi before it.

A Zawgyi sentence pasted into a Unicode paragraph is outweighed in the whole text, so each
phrase (between spaces and punctuation) is looked at too, against a stricter threshold
(:data:`PHRASE_THRESHOLD`): Zawgyi words score 0.9999 and more, while no phrase of the
project's Unicode translations scores above 0.75.
Text with no Myanmar character is never looked at: an English project pays one regular
expression search per string, and never imports the detector.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ..errors import Diagnostic
from ..load.yamlfile import KeyPath, YamlFile

THRESHOLD = 0.95
PHRASE_THRESHOLD = 0.999
MIN_LETTERS = 4
#: what separates phrases: spaces, Myanmar and ASCII punctuation, template and link marks
_PHRASES = re.compile(r"[\s\u104a\u104b!-/:-@\[-`{-~]+")
MYANMAR = re.compile("[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]")
#: U+1031 (vowel sign E) where a syllable starts: Zawgyi's visual order
_E_FIRST = re.compile(r"(?:^|[^\u1000-\u109f])\u1031")

MESSAGE = ("this text is in the Zawgyi encoding, not Unicode: it would print as garbled "
           "Burmese. Convert it to Unicode (for example with Google's Myanmar Tools or "
           "Rabbit Converter) and paste it again")


@lru_cache(maxsize=1)
def _detector():
    import warnings

    with warnings.catch_warnings():  # it reads its model with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        from myanmartools import ZawgyiDetector

        return ZawgyiDetector()


def is_zawgyi(text: str) -> bool:
    """Whether ``text``, or a phrase of it, is (very probably) Zawgyi-encoded Burmese."""
    if not _long_enough(text):
        return False
    detector = _detector()
    if detector.get_zawgyi_probability(text) > THRESHOLD:
        return True
    phrases = [p for p in _PHRASES.split(text) if p]
    return len(phrases) > 1 and any(
        _long_enough(p) and detector.get_zawgyi_probability(p) > PHRASE_THRESHOLD
        for p in phrases)


def _long_enough(text: str) -> bool:
    letters = len(MYANMAR.findall(text))
    return letters >= MIN_LETTERS or (letters > 0 and bool(_E_FIRST.search(text)))


def _strings(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            stack.extend(((*where, k), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(item))))


def zawgyi_problems(file: YamlFile, value: Any = None, path: KeyPath = ()) -> list[Diagnostic]:
    """An error at every text value in ``file`` (or in ``value`` at ``path``) that is Zawgyi."""
    if file.failed:
        return []
    if not path and value is None:
        value = file.data
    if not MYANMAR.search(file.raw_text):  # most files: no Burmese at all
        return []
    return [file.diag(where, MESSAGE) for where, text in _strings(value, path)
            if MYANMAR.search(text) and is_zawgyi(text)]
