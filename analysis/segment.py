"""Paragraph and sentence boundaries with character offsets, tuned for English news text.

Algorithm
---------
The splitter is a single left-to-right scan; it never rewrites the text, so every span is a
pair of offsets into the original string (``text[start:end]`` is the sentence).

1. **Paragraphs.** Any line break (``\\n``, ``\\r``, ``\\v``, ``\\f``, U+0085, U+2028, U+2029)
   ends a paragraph; blank lines are skipped; spans exclude surrounding whitespace. A headline
   or subhead line without final punctuation is therefore a sentence of its own.
2. **Hard breaks inside a paragraph.** A bullet (``•``, ``⁃``, ...) after whitespace starts a new
   sentence, and so does the next marker of an inline numbered or lettered list
   (``1.) a 2.) b``, ``1) a 2) b``, ``a. x b. y``) when the markers count up by one.
3. **Candidates.** A candidate is a run of terminal punctuation (``. ! ? …`` and spaced
   ellipses ``. . .``), plus any closing quotes or brackets, followed by whitespace. A period
   inside a token (``6.5``, ``U.S``, ``example.com``) is never a candidate.
4. **Decision.** Each candidate is judged from a bounded window: the token before it and the
   first word after it.

   * a lower-case next word never starts a sentence (``Yahoo! in``, ``"great." she said``,
     ``the U.S. for 20 years``, ``troops ... but so far``);
   * nothing is split before the sentence has a letter or digit, so a list marker (``1.``,
     ``a.``, ``• 9.``) or a leading ellipsis stays with what follows;
   * titles and other prepositive abbreviations (``Mr.``, ``Dr.``, ``Gen.``, ``Rear Adm.``,
     ``Lt. Col.``, ``Sen.``, ``Gov.``, ``St.``, ``Mt.``) never end a sentence;
   * ``No.``, ``p.``, ``Vol.`` ... before a number and month abbreviations before a number
     (``Jan. 5``) never end a sentence;
   * other abbreviations (``Inc.``, ``Corp.``, ``Co.``, ``Jr.``, ``etc.``), multi-period
     abbreviations (``U.S.``, ``U.N.``, ``J.R.R.``) and single capital initials (``John F.
     Kennedy``) end a sentence only when the next word is a typical sentence opener (a
     pronoun, article, conjunction or common adverb: ``in the U.S. The next`` splits,
     ``the U.S. Government`` does not);
   * ``a.m.`` / ``p.m.`` also end a sentence before a capitalised word that is not a day,
     month or time zone, unless the time phrase opens the sentence (``At 5 a.m. Mr. Smith``);
   * an ellipsis of three dots is an omission, not a boundary (``really ... well``), unless it
     closes a quotation or trails off a word before a sentence opener (``paused... Then``);
     four dots (``that....``, ``. . . .``) end a sentence; a period glued
     to a word and followed by a spaced ellipsis (``compounds. . . . The``) ends the sentence
     at the period and the ellipsis opens the next one; ``[...]`` is never a boundary;
   * otherwise (an ordinary word, a number, a URL or e-mail address, ``?``, ``!``) the
     candidate is a boundary.

All regular expressions use possessive quantifiers or fixed-size windows and every look-back
is capped, so the scan is linear in the length of the text (no catastrophic backtracking);
any Unicode string is accepted.

The rules follow the "Golden Rules" of the pragmatic_segmenter Ruby gem (Kevin Dias) as
packaged by pySBD; ``benchmarks/golden_rules.py`` scores this module on pySBD's 48 English
cases.

References
----------
Sadvilkar, N. and Neumann, M. (2020). PySBD: Pragmatic Sentence Boundary Disambiguation.
Proceedings of the Second Workshop for NLP Open Source Software (NLP-OSS), 110-114.
https://github.com/nipunsadvilkar/pySBD

Dias, K. pragmatic_segmenter, "Golden Rules (English)".
https://github.com/diasks2/pragmatic_segmenter
"""
from __future__ import annotations

import re
import threading

import pandas as pd

from .errors import KitError

__all__ = ["paragraph_spans", "sentence_spans", "sentences"]

# --- character classes ---------------------------------------------------------------------
_NEWLINES = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_TERMINALS = ".!?\u2026\u203c\u2047\u2048\u2049\u3002\uff01\uff1f"  # . ! ? … ‼ ⁇ ⁈ ⁉ 。 ！ ？
_CLOSERS = "\"'\u201d\u2019\u00bb\u203a)]}"  # " ' ” ’ » › ) ] }
_OPENERS = "\"'\u201c\u2018\u00ab\u2039([{\u00bf\u00a1\u201e\u201a"  # " ' “ ‘ « ‹ ( [ { ¿ ¡ „ ‚
_BULLETS = "\u2022\u2023\u2043\u25aa\u25e6\u25b8\u25ba"  # • ‣ ⁃ ▪ ◦ ▸ ►

_LINE_RE = re.compile(f"[^{_NEWLINES}]++")
_NONSPACE_RE = re.compile(r"\S")
_WORDCHAR_RE = re.compile(r"[^\W_]")
_T = re.escape(_TERMINALS)
# A run of terminals, optionally separated by single spaces (". . ."), then closing marks, then
# whitespace or the end of the region. Possessive quantifiers keep the scan linear; the two
# look-behinds (placed after the first terminal, so the scan can jump from terminal to terminal)
# start a run only at its first character.
_CANDIDATE_RE = re.compile(
    f"(?P<run>[{_T}](?<![{_T}][{_T}])(?<![{_T}] [{_T}])(?:[ \u00a0]?[{_T}])*+)"
    f"(?P<close>[{re.escape(_CLOSERS)}]*+)"
    r"(?=\s|\Z)"
)
_NEXT_RE = re.compile(r"\s*+(\S{0,48})")
_NEXT_WORD_RE = re.compile(f"[{re.escape(_OPENERS)}]*+(\\S?)(?:[^\\W\\d_]*+)")
_LETTERS_RE = re.compile(r"[^\W\d_]++")
_BULLET_RE = re.compile(f"[{_BULLETS}](?<=\\s[{_BULLETS}])")  # a bullet after whitespace
# Inline list markers: "1.)", "1)", "1." or "a." preceded by whitespace (or region start) and
# followed by whitespace.
_MARKER_RE = re.compile(r"(?<!\S)(?:(?P<num>\d{1,2})|(?P<let>[a-z]))(?P<style>\.\)|\)|\.)(?=\s)")
_LIST_TOKEN_RE = re.compile(r"(?:\d{1,2}|[A-Za-z]|[ivxIVX]{1,4})[.)]{0,2}")
_MULTI_PERIOD_RE = re.compile(r"[A-Za-z]{1,2}(?:\.[A-Za-z]{1,2})++")

_TOKEN_WINDOW = 64  # characters looked back for the token before a candidate
_FRONTED_TIME_WORDS = 3  # "At 5 a.m." opens a sentence; "left the bank at 6 p.m." ends one

# --- word lists ------------------------------------------------------------------------------
# Titles and other abbreviations written before a name: never the end of a sentence.
_PREPOSITIVE = frozenset("""
    mr mrs ms messrs mme mlle dr prof gen gens adm lt col maj capt cmdr cdr sgt cpl pvt brig
    sen sens rep reps gov govs pres rev hon amb atty supt det insp st ste mt ft rt fr vs
""".split())
# Abbreviations that may end a sentence (decided by the next word).
_AMBIGUOUS = frozenset("""
    inc corp co cos ltd llc plc bros jr sr esq etc al approx est dept div univ assn govt intl
    natl ave blvd rd hwy pl sq mfg ph cf ca viz
""".split())
# Abbreviations that stand before a number ("No. 5", "p. 55", "Vol. 3").
_NUMERIC = frozenset("no nos nr n\u00b0 p pp vol vols art arts fig figs ch chap para sec op ed eds".split())
_MONTHS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())
_TIMES = frozenset(["a.m", "p.m"])
_CALENDAR = frozenset("""
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
    sat sun january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec local today tonight
""".split())
# Words that typically open an English sentence; after an ambiguous abbreviation such a word
# (capitalised) signals a boundary ("in the U.S. The next ...").
_STARTERS = frozenset("""
    i a an the this that these those there then thus he she it we they you his her its our
    their my your but and or so yet however meanwhile also in on at as after before when while
    if although though since because what who whom whose why how where which is are was were
    do does did has have had not some many most all both each every even now later earlier
    today yesterday tomorrow for from with without under over by among such other another here
    asked according despite during until unlike instead moreover furthermore nevertheless
    nor let please one two three four five six seven eight nine ten
""".split())


# --- paragraphs ------------------------------------------------------------------------------
def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` to exclude leading and trailing whitespace (may become empty)."""
    m = _NONSPACE_RE.search(text, start, end)
    if m is None:
        return start, start
    start = m.start()
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the paragraphs of ``text``.

    Any line break ends a paragraph (the kit's articles separate paragraphs by ``"\\n\\n"``,
    user text may use single newlines). Spans exclude surrounding whitespace; blank lines give
    no paragraph.
    """
    spans = []
    for m in _LINE_RE.finditer(text):
        start, end = _strip_span(text, m.start(), m.end())
        if end > start:
            spans.append((start, end))
    return spans


# --- hard breaks: bullets and inline lists ----------------------------------------------------
def _marker_value(m: re.Match) -> tuple[str, int]:
    """Style key and ordinal of a list marker match (``("num.)", 2)``, ``("let.", 1)``)."""
    if m.group("num") is not None:
        return "num" + m.group("style"), int(m.group("num"))
    return "let" + m.group("style"), ord(m.group("let")) - ord("a") + 1


def _list_breaks(text: str, start: int, end: int) -> list[int]:
    """Offsets where an inline list item starts a new sentence (second and later items).

    A marker counts only when the previous marker of the same style has the previous number,
    so ``1. The first item 2. The second item`` breaks before ``2.`` while a stray ``2.`` does
    not.
    """
    last: dict[str, int] = {}
    breaks = []
    for m in _MARKER_RE.finditer(text, start, end):
        style, value = _marker_value(m)
        after_bullet = text[max(start, m.start() - 2):m.start()].strip()[-1:] in set(_BULLETS)
        if last.get(style) == value - 1 and not after_bullet:
            breaks.append(m.start())
        last[style] = value
    breaks.extend(m.start() for m in _BULLET_RE.finditer(text, start, end))
    return sorted(set(breaks))


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph at its hard breaks."""
    bounds = [start, *(b for b in _list_breaks(text, start, end) if start < b < end), end]
    return [(a, b) for a, b in zip(bounds, bounds[1:])]


# --- candidate decisions ----------------------------------------------------------------------
def _token_before(text: str, lo: int, pos: int) -> str:
    """The whitespace-delimited token ending at ``pos`` (at most ``_TOKEN_WINDOW`` characters),
    without leading opening marks."""
    window = text[max(lo, pos - _TOKEN_WINDOW):pos]
    if not window or window[-1].isspace():
        return ""
    return window.rsplit(None, 1)[-1].lstrip(_OPENERS)


def _next_word(text: str, pos: int, end: int) -> tuple[str, str]:
    """First character and first word (letters) of the token after ``pos``, skipping whitespace
    and opening marks; ``("", "")`` at the end of the region."""
    m = _NEXT_RE.match(text, pos, end)
    token = m.group(1) if m else ""
    w = _NEXT_WORD_RE.match(token)
    first = w.group(1) if w else ""
    word = w.group(0).lstrip(_OPENERS) if w else ""
    return first, word


def _is_starter(word: str) -> bool:
    return bool(word) and word[0].isupper() and word.lower() in _STARTERS


def _is_titlecase(word: str) -> bool:
    return bool(word) and word[0].isupper() and (len(word) == 1 or not word.isupper())


def _few_words(text: str, lo: int, hi: int, n: int) -> bool:
    """True when ``text[lo:hi]`` holds fewer than ``n`` words (bounded look)."""
    count = 0
    for _ in _LETTERS_RE.finditer(text, lo, min(hi, lo + 40 * n)):
        count += 1
        if count >= n:
            return False
    return count < n and hi - lo <= 40 * n


def _period_ends(token: str, first: str, word: str, fronted: bool) -> bool:
    """Does a single period after ``token`` end the sentence, given the next word?

    ``fronted`` says the token opens the sentence (fewer than three words before it); it only
    matters for a.m./p.m.
    """
    low = token.lower()
    if low in _PREPOSITIVE:
        return False
    if (low in _NUMERIC or low in _MONTHS) and first.isdigit():
        return False
    if low in _TIMES:
        if _is_starter(word):
            return True
        return _is_titlecase(word) and word.lower() not in _CALENDAR and not fronted
    abbreviation = (
        low in _AMBIGUOUS or low in _MONTHS
        or (len(token) == 1 and token.isalpha())
        or _MULTI_PERIOD_RE.fullmatch(token) is not None
    )
    if abbreviation:
        return _is_starter(word)
    return True


def _ellipsis_split(run: str, close: str, glued: bool, bracketed: bool, starter: bool) -> str:
    """How an ellipsis run behaves before a non-lower-case word.

    ``glued``: the run follows a word without a space; ``starter``: the next word is a typical
    sentence opener. Returns ``"none"`` (omission inside the sentence), ``"end"`` (boundary
    after the run and its closing marks) or ``"first"`` (boundary after the first period only).
    """
    dots = run.count(".") + 3 * run.count("\u2026")
    if bracketed:
        return "none"
    if glued and " " in run.strip() and run[0] == ".":
        return "first"
    if dots >= 4 or dots == 2 or close:
        return "end"  # "that.... She", ". . . . Next", '..." He', and the typo "end.. Next"
    if glued and starter and " " not in run:
        return "end"  # trailing off: "He paused... Then he spoke."
    return "none"  # omission: "really ... well", "is . . . I didn't mean it", "... Putin is"


def _decide(text: str, m: re.Match, lo: int, end: int, sent_start: int,
            first_word: int) -> int | None:
    """Offset where the sentence ends at candidate ``m``, or ``None`` for no boundary."""
    run, close = m.group("run"), m.group("close")
    first, word = _next_word(text, m.end(), end)
    if not first or first.islower():
        return None
    token = _token_before(text, lo, m.start())
    tok_start = m.start() - len(token)
    if first_word >= m.start():
        return None  # nothing but punctuation so far (a leading ellipsis)
    if first_word >= tok_start and _LIST_TOKEN_RE.fullmatch(token.lstrip(_BULLETS)):
        return None  # list marker opening the sentence: "1.", "a.", "• 9."
    stripped = run.replace(" ", "").replace("\u00a0", "")
    if len(stripped) > 1 and set(stripped) <= {".", "\u2026"} or stripped == "\u2026":
        glued = bool(token)
        bracketed = m.start() > lo and text[m.start() - 1] in "[("
        how = _ellipsis_split(run, close, glued, bracketed, _is_starter(word))
        if how == "none":
            return None
        return m.start() + 1 if how == "first" else m.end()
    if stripped != "." or close:
        return m.end()  # ? ! ‼ ..., or a closing quote/bracket after the period
    fronted = token.lower() in _TIMES and _few_words(text, sent_start, tok_start,
                                                      _FRONTED_TIME_WORDS)
    return m.end() if _period_ends(token, first, word, fronted) else None


# --- sentences -------------------------------------------------------------------------------
def _first_word(text: str, start: int, end: int) -> int:
    m = _WORDCHAR_RE.search(text, start, end)
    return m.start() if m else end


def _split_piece(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of one piece of a paragraph (no hard breaks inside)."""
    start, end = _strip_span(text, start, end)
    if end <= start:
        return []
    spans = []
    sent_start, first_word = start, _first_word(text, start, end)
    for m in _CANDIDATE_RE.finditer(text, start, end):
        if m.start() < sent_start:
            continue
        stop = _decide(text, m, start, end, sent_start, first_word)
        if stop is None:
            continue
        a, b = _strip_span(text, sent_start, stop)
        nxt = _NONSPACE_RE.search(text, stop, end)
        if b > a and nxt is not None:
            spans.append((a, b))
            sent_start = nxt.start()
            first_word = _first_word(text, sent_start, end)
    a, b = _strip_span(text, sent_start, end)
    if b > a:
        spans.append((a, b))
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences in ``text[start:end]``.

    Offsets index ``text``. Spans are non-empty, carry no leading or trailing whitespace, never
    cross ``end`` or a line break, and together cover every non-space character of the region.
    See the module docstring for the rules.
    """
    n = len(text)
    end = n if end is None else max(0, min(end, n))
    start = max(0, min(start, end))
    spans = []
    for m in _LINE_RE.finditer(text, start, end):
        spans.extend(_line_sentences(text, m.start(), m.end()))
    return spans


# --- memo of line segmentations ----------------------------------------------------------------
# sentences(), quotation classification and speaker attribution each segment the same articles,
# line by line: the spans of the whole lines of the most recently segmented texts are kept, up
# to _MEMO_CHARS characters of text (oldest text dropped first).
_MEMO_CHARS = 4_000_000
_memo: dict[str, dict[tuple[int, int], tuple[tuple[int, int], ...]]] = {}
_memo_chars = 0
_memo_lock = threading.Lock()


def _line_sentences(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """Sentence spans of ``text[start:end]``, a region without line breaks (memoised when it
    is a whole line)."""
    whole = ((start == 0 or text[start - 1] in _NEWLINES)
             and (end == len(text) or text[end] in _NEWLINES))
    with _memo_lock:
        spans = _memo.get(text, {}).get((start, end)) if whole else None
    if spans is None:
        spans = tuple(sp for a, b in _pieces(text, start, end) for sp in _split_piece(text, a, b))
        if whole:
            _remember(text, (start, end), spans)
    return spans


def _remember(text: str, line: tuple[int, int], spans: tuple[tuple[int, int], ...]) -> None:
    """Keep the spans of a line, dropping the oldest texts to stay within ``_MEMO_CHARS``."""
    global _memo_chars
    if len(text) > _MEMO_CHARS:
        return
    with _memo_lock:
        if text not in _memo:
            while _memo and _memo_chars + len(text) > _MEMO_CHARS:
                oldest = next(iter(_memo))
                _memo_chars -= len(oldest)
                del _memo[oldest]
            _memo[text] = {}
            _memo_chars += len(text)
        _memo[text][line] = spans


_COLUMNS = ["doc_id", "para_id", "sent_id", "start", "end", "text"]


def _article_rows(doc_id: str, text: str) -> list[tuple]:
    rows = []
    sent_id = 0
    for para_id, (ps, pe) in enumerate(paragraph_spans(text), start=1):
        for a, b in sentence_spans(text, ps, pe):
            sent_id += 1
            rows.append((doc_id, para_id, sent_id, a, b, text[a:b]))
    return rows


def sentences(articles: pd.DataFrame) -> pd.DataFrame:
    """Split every article into paragraphs and sentences.

    Parameters
    ----------
    articles : pandas.DataFrame
        One row per article with columns ``doc_id`` (str) and ``text`` (str; missing text
        gives no sentences).

    Returns
    -------
    pandas.DataFrame
        One row per sentence, columns ``doc_id, para_id, sent_id, start, end, text``.
        ``para_id`` and ``sent_id`` are 1-based within the article (``sent_id`` runs across
        paragraphs); ``start``/``end`` are offsets into the article text
        (``article_text[start:end] == text``). Sorted by ``doc_id, sent_id``; RangeIndex.
        Sentences never cross paragraph boundaries.
    """
    missing = [c for c in ("doc_id", "text") if c not in articles.columns]
    if missing:
        raise KitError(
            f"segment.sentences, articles frame: missing column(s) {missing}; "
            f"found {list(articles.columns)}; pass the frame returned by load_corpus"
        )
    rows = []
    for doc_id, text in zip(articles["doc_id"], articles["text"]):
        if not isinstance(text, str):
            if pd.isna(text):
                continue
            raise KitError(
                f"segment.sentences, article {doc_id!r}, field 'text': expected str, "
                f"found {type(text).__name__}; convert the column with .astype(str)"
            )
        rows.extend(_article_rows(str(doc_id), text))
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame = frame.astype({"doc_id": str, "text": str, "para_id": "int64", "sent_id": "int64",
                          "start": "int64", "end": "int64"})
    frame = frame.sort_values(["doc_id", "sent_id"], kind="stable").reset_index(drop=True)
    return frame
