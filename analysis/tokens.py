"""Word tokens with character offsets: the single definition of a "word" used for every count and rate."""
from __future__ import annotations

import re

# A word is a run of letters/digits, with inner apostrophes, hyphens, periods or commas between
# alphanumerics ("it's", "anti-terrorism", "U.S", "1,000", "6.5"). Punctuation is not a word.
# (The same matches as r"[^\W_](?:\w|['\u2019\-.,](?=[^\W_]))*", written without a lookahead
# per character: a third faster; tests/test_robustness.py checks the two agree.)
WORD_RE = re.compile(r"[^\W_]\w*(?:['\u2019\-.,][^\W_]\w*)*", re.UNICODE)


def word_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the words of ``text[start:end]`` (offsets into ``text``)."""
    end = len(text) if end is None else end
    return [m.span() for m in WORD_RE.finditer(text, start, end)]


def word_starts(text: str) -> list[int]:
    """Start offsets of the words of ``text`` (cheaper than :func:`word_spans` when the ends are
    not needed)."""
    return [m.start() for m in WORD_RE.finditer(text)]


def count_words(text: str) -> int:
    """Number of words in ``text`` (see ``WORD_RE``)."""
    return len(WORD_RE.findall(text))


def words(text: str) -> list[str]:
    """The words of ``text`` as strings, in order."""
    return WORD_RE.findall(text)
