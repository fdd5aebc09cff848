"""Total-fit line breaking (after Knuth and Plass) and hyphenation for our text blocks.

A paragraph is a row of *atoms*: words, or the parts of a word between its hyphenation
points. Each atom has a width and the gap before it (a space, or nothing when it continues a
hyphenated word). :func:`optimal_breaks` chooses where lines end so that, in this order:

1. the paragraph takes as few lines as possible (never more than greedy breaking);
2. no last line holds a single word (a *runt*) when the paragraph has three or more lines
   (two or more when balancing);
3. the right edge is as even as possible: each line costs the square of its unused width
   (the last line is free, unless balancing), a break at a hyphen costs a little, two
   hyphens in a row and a hyphen on the line before the last cost more.

It is a shortest path over break points: for each place a line may end, every place the
line may start (going back only while the line still fits), so its cost is the number of
atoms times the atoms per line, about 15 steps per word. Text blocks run it only for
paragraphs that greedy breaking sets on three lines or more (two for balanced titles and
headings): a paragraph of one or two ragged lines is already as good as it gets, and those
are most of a briefing's blocks. A five-line paragraph costs about 0.5 ms more than
greedy breaking (0.36 ms), hyphenation included: a few milliseconds per briefing.

*Soft* breaks are where a script without spaces between words may end a line: between
Myanmar syllables (:mod:`.myanmar`). Nothing is added there and it is no hyphen: it costs
a little (:data:`SYLLABLE`, so that a break at a space between phrases is preferred when
the right edge is as even) and never counts towards the hyphen penalties; a last line of
one syllable is a runt like a last line of one word.

With *balance* (titles, subtitles, headings) the last line costs like any other, so the
lines come out of about equal length ("13 countries involved in training and / cooperation
with the Burmese military", not a long line and a stub).

Hyphenation points come from pyphen (the dictionaries WeasyPrint and LibreOffice use) in
the briefing's language; :func:`hyphenation_points` leaves alone what must not be broken:
words with capitals (names of countries, people and organisations, acronyms), digits,
links, code, and words under seven letters.
"""

from __future__ import annotations

from functools import lru_cache

LINE = 1_000_000.0  # each line: fewer lines always win
RUNT = 10_000.0  # a single word on the last line
HYPHEN = 50.0  # a break at a hyphenation point
DOUBLE_HYPHEN = 3_000.0  # two hyphenated lines in a row
FINAL_HYPHEN = 5_000.0  # a hyphen on the line before the last
SYLLABLE = 2.0  # a break between two syllables of unspaced text (Myanmar)
_EPS = 1e-6


def optimal_breaks(widths: list[float], gaps: list[float], joined: list[bool],
                   hyphens: list[float], width: float, *, balance: bool = False,
                   soft: list[bool] | None = None) -> list[int] | None:
    found = optimal_breaks_cost(widths, gaps, joined, hyphens, width, balance=balance,
                                soft=soft)
    return None if found is None else found[0]


def optimal_breaks_cost(widths: list[float], gaps: list[float], joined: list[bool],
                        hyphens: list[float], width: float, *, balance: bool = False,
                        soft: list[bool] | None = None) -> tuple[list[int], float] | None:
    """Where lines end: indices ``j`` such that a line holds atoms ``[previous j, j)``.

    ``gaps[k]`` is the space before atom ``k`` (0 for the first atom and for a part that
    continues a word, ``joined[k]``); a line may end before an atom with a space (the space
    is dropped) or before a joined part, adding a hyphen of width ``hyphens[k]`` (0 after a
    hyphen the word already has).
    ``soft[k]`` marks a joined atom that follows a syllable boundary (see the module
    docstring). Returns None when some atom is wider than ``width`` (the caller cuts it).
    """
    n = len(widths)
    if n == 0:
        return [], 0.0
    cum = [0.0] * (n + 1)
    spaces = [0] * (n + 1)  # spaces[k]: word starts among atoms 1..k-1
    total = 0.0
    count = 0
    for k in range(n):
        total += gaps[k] + widths[k]
        cum[k + 1] = total
        if k and (not joined[k] or (soft is not None and soft[k])):
            count += 1
        spaces[k + 1] = count
    inf = float("inf")
    best = [inf] * (n + 1)
    prev = [0] * (n + 1)
    lines = [0] * (n + 1)
    hyph = [False] * (n + 1)
    best[0] = 0.0
    limit = width + _EPS
    for j in range(1, n + 1):
        at_hyphen = j < n and joined[j]
        at_syllable = at_hyphen and soft is not None and soft[j]
        if at_syllable:
            at_hyphen = False
        if j < n and not at_hyphen and not at_syllable and gaps[j] <= 0:
            continue  # no break point here (two atoms touching)
        last = j == n
        extra = hyphens[j] if at_hyphen else 0.0
        end = cum[j] + extra
        best_j = inf
        for i in range(j - 1, -1, -1):
            if i and not joined[i] and gaps[i] <= 0:
                continue  # a line cannot start here
            w = end - cum[i] - (0.0 if joined[i] else gaps[i])
            if w > limit:
                break
            base = best[i]
            if base == inf:
                continue
            cost = base + LINE
            if not last or balance:
                slack = (width - w) / width
                cost += slack * slack * 100.0
            if at_hyphen:
                cost += HYPHEN + (DOUBLE_HYPHEN if hyph[i] else 0.0)
            elif at_syllable:
                cost += SYLLABLE
            if last:
                if hyph[i]:
                    cost += FINAL_HYPHEN
                if lines[i] + 1 >= (2 if balance else 3) and spaces[n] == spaces[i + 1]:
                    cost += RUNT  # one word (maybe in hyphenated parts) on the last line
            if cost < best_j:
                best_j = cost
                prev[j], lines[j] = i, lines[i] + 1
                hyph[j] = at_hyphen
        best[j] = best_j
    if best[n] == inf:
        return None
    ends = []
    j = n
    while j > 0:
        ends.append(j)
        j = prev[j]
    ends.reverse()
    return ends, best[n]


def hyphens_cannot_help(cost: float, lines: int, total: float, width: float) -> bool:
    """Whether dictionary hyphenation cannot improve a paragraph set without it, at ``cost``
    in ``lines`` lines (``total``: its whole width on one line).

    It cannot save a line when the text is longer than one line fewer could hold, and any
    break at a hyphenation point costs at least ``HYPHEN`` more than the lines themselves:
    when the unhyphenated setting's cost beyond its lines is below that, it is the best
    setting there is. Most paragraphs qualify, and then the hyphenation dictionary (about
    0.1 s to load) is never read."""
    return total > (lines - 1) * width + _EPS and cost - lines * LINE < HYPHEN


_TRAIL = ".,;:!?’”)]»›…"
_LEAD = "‘“([«‹"


class Hyphenator:
    """pyphen's hyphenation points for one language, cached per word. The dictionary is
    read when first needed (most paragraphs never need it)."""

    def __init__(self, language: str):
        self.language = language
        self._dic: object = False  # not read yet

    @property
    def dic(self):
        if self._dic is False:
            import pyphen

            lang = pyphen.language_fallback(self.language.replace("-", "_"))
            self._dic = pyphen.Pyphen(lang=lang, left=2, right=3) if lang else None
        return self._dic

    def points(self, word: str) -> list[int]:
        return hyphenation_points(self, word)


@lru_cache(maxsize=20_000)
def _points(dic, word: str) -> tuple[int, ...]:
    return tuple(dic.positions(word))


def hyphenation_points(hyph: Hyphenator, word: str) -> list[int]:
    """Offsets in ``word`` where it may be hyphenated; none for names, numbers, codes."""
    if len(word) < 7 or hyph.dic is None:
        return []
    start, end = 0, len(word)
    while start < end and word[start] in _LEAD:
        start += 1
    while end > start and word[end - 1] in _TRAIL:
        end -= 1
    core = word[start:end]
    if len(core) < 7 or not core.isalpha() or not core.islower():
        return []  # capitals: a name, a proper noun or an acronym; never broken
    return [start + p for p in _points(hyph.dic, core)]


@lru_cache(maxsize=16)
def hyphenator(language: str) -> Hyphenator:
    return Hyphenator(language)
