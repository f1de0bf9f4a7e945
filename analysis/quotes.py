"""Quotation spans in news text: where the quotation marks are, and what they are doing.

Pairing rule
------------
One left-to-right scan over the quotation marks (linear in the length of the text) with a small
stack of open marks, after textacy's ``extract.triples.direct_quotations`` and the conventions
of news style (AP Stylebook, "quotations in the news"; Reuters Handbook of Journalism):

* **Double marks** ``"`` ``“`` ``”`` ``„`` are quotation marks. Direction comes from context,
  not from the glyph (curly marks are often wrong after copy-editing and conversion): a mark
  preceded by the start of the text, whitespace, an opening bracket, a dash, a slash, a colon
  or another opening mark opens; a mark preceded by anything else closes. A straight mark
  with whitespace on both sides closes when a quotation is open and is ignored otherwise.
* **Single marks** ``'`` ``‘`` ``’`` are quotation marks only where they cannot be
  apostrophes: a mark between two letters or digits (``it's``, ``Russia's``, ``rock'n'roll``)
  is an apostrophe; so is a mark that begins a known elision (``’90s``, ``’em``, ``’til``,
  ``’tis``, ``’cause``, ``rock ’n’ roll``); a closing-shaped single mark with no single
  quotation open (``troops'``) is a plural possessive. What remains pairs like a double mark,
  so single quotes nested in double quotes (depth 1) and single-quoted headline phrases
  (``Russia's 'significant forces'``) are both found.
* **Paragraphs.** A line break ends a paragraph. A quotation still open at the end of a
  paragraph survives only by the news convention for multi-paragraph quotations: the
  outermost quotation is left open and the next paragraph *reopens* with the same kind of
  mark; the quotation then runs on and is closed only in its last paragraph. Anything else
  still open at a paragraph end is unmatched.
* **Refusal.** An unmatched mark (an opening never closed, a closing never opened) yields no
  span and does not disturb its neighbours; a quotation never runs past its paragraph except
  by the convention above. Pairs with no word inside are dropped.

``depth`` is the number of other quotations that contain the span (0 outer, 1 nested).

Speech versus scare quotes
--------------------------
Quotation marks either *report words* (speech: direct quotation or a partial quotation of a
source's words inside reported speech, "said ties needed a "substantial rethink"") or *mention
a label* while keeping the writer's distance from it (scare quotes; Predelli 2003;
Gutzmann & Stei 2011). A quotation is ``scare`` only when all of these hold:

1. it is short (at most ``SCARE_MAX_WORDS`` = 4 words), lies within one paragraph and does
   not open its sentence (a quotation that opens a sentence is an utterance, ``"No," he
   said``); and
2. one of, in this order of precedence:

   a. a *naming cue* precedes it in the same sentence with at most 8 words between (``so-called``,
      ``dubbed``, ``termed``, ``branded``, ``labelled``, ``nicknamed``, ``known as``,
      ``referred to as``, ``described ... as``, ``self-styled/-declared/-proclaimed``,
      ``call/calls/called`` other than ``called for/on``, ``what X say is/are``): the words
      are presented as a name someone uses, not as something someone said;
   b. it contains a *contested political label* (``CONTESTED_LABELS``: terrorist,
      anti-terrorism, punitive, people's republic, referendum, junta, regime, fascist,
      federalisation, peacekeepers ...), which news style quotes to avoid adopting one
      side's name for a thing even inside reported speech (``must cease its
      "anti-terrorism operation"``);
   c. otherwise it is ``speech`` when the same words occur inside a longer speech quotation in
      the same text (a headline or lead *echoing* a source, ``Russia's 'significant forces'``)
      or when its sentence, outside the quotation marks, contains a reporting verb or cue from
      the ``reporting_verbs`` lexicon (``said``, ``told``, ``declaring``, ``according to``), in
      which case the marks signal a partial quotation of that source;
   d. a short quotation with no reporting frame at all is ``scare`` (``the self-declared
      governor of a "people's republic"``).

Longer quotations, and all multi-paragraph quotations, are ``speech``.

References
----------
Predelli, S. (2003). Scare quotes and their relation to other semantic issues. *Linguistics
and Philosophy* 26(1), 1-28. Gutzmann, D. & Stei, E. (2011). How quotation marks what people
do with words. *Journal of Pragmatics* 43(10), 2650-2663. textacy ``direct_quotations``
(refuses unmatched marks). Asr, F. T. et al. (2021). The Gender Gap Tracker. *PLOS ONE* 16(1).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .errors import KitError
from .lexicon import load_lexicon
from .segment import sentence_spans
from .tokens import WORD_RE

SCARE_MAX_WORDS = 4
NAMING_WINDOW_WORDS = 8
MAX_DEPTH = 3

QUOTE_COLUMNS = ["doc_id", "quote_id", "start", "end", "text", "kind", "speaker", "speaker_group",
                 "cue", "mark_start", "mark_end", "n_paragraphs", "depth"]

_DOUBLE = '"\u201c\u201d\u201e\u201f\u2033'
_SINGLE = "'\u2018\u2019\u201a\u201b"
_BREAKS = "\n\r\v\f\x85\u2028\u2029"
_BREAK_RE = re.compile(f"[{_BREAKS}]")
_MARK_RE = re.compile(f"[{_DOUBLE}{_SINGLE}]|[{_BREAKS}]+")
# Characters after which a mark opens a quotation.
_OPEN_CTX = set(" \t\u00a0\u2009\u202f([{<\u2014\u2013-/:") | set(_BREAKS) | set(
    "\"\u201c\u201e\u2018'")
# Elisions: the apostrophe starts a clipped word, it is not an opening quotation mark.
# (The look-behind "not after a word character" follows the mark, so the scan jumps from mark
# to mark.)
_ELISION_RE = re.compile(
    r"['\u2018\u2019](?<!\w['\u2018\u2019])"
    r"(?:n['\u2019](?!\w)|(?=(?:em|til|tis|twas|cause|cos|bout|round|nuff|kay|\d0s|\d\ds?)\b))",
    re.IGNORECASE)

# Naming cues (rule 2a). Matched against the sentence text before the opening mark.
_NAMING_RE = re.compile(
    r"\b(?:so-called|so called|dubbed|dubs|termed|terms|branded|brands|labell?ed|labels|"
    r"nicknamed|self-(?:styled|declared|proclaimed)|known as|referred to as|refers to as|"
    r"describ(?:e|es|ed|ing)\b(?:\W+\w+){0,6}?\W+as|"
    r"(?:call|calls|called|calling)(?!\s+(?:for|on|off|up|in|out|upon|back|at|into)\b)|"
    r"what\s+(?:\w+\s+){1,4}?(?:say|says|said|consider|considers|see|sees)(?:\s+(?:is|are|was|were))?)"
    r"(?P<gap>(?:\W+[\w'\u2019-]+){0,%d})\W*$" % NAMING_WINDOW_WORDS,
    re.IGNORECASE)

# Contested political labels (rule 2b), matched as word prefixes, case-insensitively.
CONTESTED_LABELS = (
    "terrorist", "terrorism", "anti-terror", "counter-terror", "punitive", "people's republic",
    "people\u2019s republic", "referendum", "junta", "regime", "fascist", "neo-nazi", "nazi",
    "denazif", "federalis", "federaliz", "peacekeep", "self-defen", "liberation", "genocide",
    "demilitari", "freedom fighter", "martyr", "occupiers", "militants", "separatists",
)
_LABEL_RE = re.compile(r"(?<!\w)(?:%s)" % "|".join(re.escape(x) for x in CONTESTED_LABELS),
                       re.IGNORECASE)


# --- scanning ---------------------------------------------------------------------------------
def _mark_direction(text: str, i: int, single: bool, elided: set[int]) -> str:
    """Return 'open', 'close', 'either' or '' (not a quotation mark) for the mark at ``i``."""
    prev = text[i - 1] if i > 0 else "\n"
    nxt = text[i + 1] if i + 1 < len(text) else "\n"
    if single:
        if i in elided or (prev.isalnum() and nxt.isalnum()):
            return ""
    if prev in _OPEN_CTX or prev.isspace():
        if nxt.isspace():
            return "either" if not single else ""
        return "open"
    if nxt.isalnum() and single:
        return ""  # glued to a word on both sides after punctuation: not a quotation mark
    return "close"


def _next_para_opens(text: str, pos: int, single: bool) -> int:
    """Offset of an opening mark of the given kind starting the paragraph at ``pos``, or -1."""
    n = len(text)
    while pos < n and text[pos] in " \t\u00a0":
        pos += 1
    if pos + 1 < n and text[pos] in (_SINGLE if single else _DOUBLE) and not text[pos + 1].isspace():
        return pos
    return -1


def _elided(text: str) -> set[int]:
    """Offsets of the apostrophes of elisions (both marks of ``'n'``)."""
    out = set()
    for m in _ELISION_RE.finditer(text):
        out.add(m.start())
        if m.group().lower().endswith(("n'", "n\u2019")):
            out.add(m.end() - 1)
    return out


def _scan(text: str) -> list[tuple[int, int, int]]:
    """Pair quotation marks; return ``(mark_start, mark_end, n_paragraphs)`` tuples."""
    elided = _elided(text)
    stack: list[list] = []  # [single, open_pos, n_paragraphs]
    out: list[tuple[int, int, int]] = []
    skip = -1
    for m in _MARK_RE.finditer(text):
        i = m.start()
        ch = text[i]
        if ch in _BREAKS:
            keep = None
            if stack:
                bottom = stack[0]
                reopen = _next_para_opens(text, m.end(), bottom[0])
                if reopen >= 0:
                    keep, skip = bottom, reopen
                    bottom[2] += 1
            stack = [keep] if keep else []
            continue
        if i == skip:
            continue
        single = ch in _SINGLE
        d = _mark_direction(text, i, single, elided)
        if not d:
            continue
        if d == "either":
            d = "close" if any(e[0] == single for e in stack) else ""
            if not d:
                continue
        if d == "close":
            k = len(stack) - 1
            while k >= 0 and stack[k][0] != single:
                k -= 1
            if k < 0:
                continue  # unmatched closing mark (or a plural possessive): refuse
            entry = stack[k]
            del stack[k:]
            out.append((entry[1], i + 1, entry[2]))
        else:
            if len(stack) >= MAX_DEPTH:
                stack.pop()  # runaway nesting: the innermost opener is unmatched
            stack.append([single, i, 1])
    return out


def _depths(spans: list[tuple[int, int, int]]) -> list[int]:
    """Nesting depth of each span (spans are properly nested, sorted by start)."""
    depths, ends = [], []
    for ms, me, _ in spans:
        while ends and ends[-1] <= ms:
            ends.pop()
        depths.append(len(ends))
        ends.append(me)
    return depths


# --- speech or scare --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _frame_re() -> re.Pattern:
    lex = load_lexicon("reporting_verbs")
    forms = set()
    for section in ("verbs", "cues"):
        for lemmas in (lex.get(section) or {}).values():
            for fs in (lemmas or {}).values():
                forms.update(str(f).lower() for f in fs)
    alt = "|".join(sorted((re.escape(f).replace(r"\ ", r"\s+") for f in forms), key=len,
                          reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alt})(?![\w-])", re.IGNORECASE)


class _Sentences:
    """Lazily computed sentence bounds, one paragraph at a time (each paragraph split once)."""

    def __init__(self, text: str):
        self.text = text
        self.breaks = [m.start() for m in _BREAK_RE.finditer(text)]
        self.cache: dict[int, tuple[list[int], list[tuple[int, int]]]] = {}

    def around(self, pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.breaks, pos)
        if k not in self.cache:
            ps = self.breaks[k - 1] + 1 if k > 0 else 0
            pe = self.breaks[k] if k < len(self.breaks) else len(self.text)
            spans = sentence_spans(self.text, ps, pe)
            self.cache[k] = ([a for a, _ in spans], spans)
        starts, spans = self.cache[k]
        j = bisect.bisect_right(starts, pos) - 1
        if j >= 0 and spans[j][0] <= pos < spans[j][1]:
            return spans[j]
        return pos, pos + 1


def _norm_words(s: str) -> tuple[str, ...]:
    return tuple(w.lower().replace("\u2019", "'") for w in WORD_RE.findall(s))


class _Ngrams:
    """The word n-grams (n <= ``SCARE_MAX_WORDS``) of ``texts``, each size built on first use."""

    def __init__(self):
        self.texts: list[tuple[str, ...]] = []
        self.sets: dict[int, set[tuple[str, ...]]] = {}

    def __contains__(self, words: tuple[str, ...]) -> bool:
        n = len(words)
        if not 1 <= n <= SCARE_MAX_WORDS:
            return False
        if n not in self.sets:
            self.sets[n] = {w[j:j + n] for w in self.texts for j in range(len(w) - n + 1)}
        return words in self.sets[n]


def _classify(text: str, spans: list[dict]) -> None:
    """Set ``kind`` on each span dict (see the module docstring for the rule)."""
    sents = _Sentences(text)
    long_ngrams = _Ngrams()
    short = []
    for q in spans:
        words = _norm_words(text[q["start"]:q["end"]])
        q["kind"] = "speech"
        if len(words) > SCARE_MAX_WORDS or q["n_paragraphs"] > 1:
            long_ngrams.texts.append(words)
        else:
            short.append((q, words))
    for q, words in short:
        ss, se = sents.around(q["mark_start"])
        ss = max(ss, q["mark_start"] - 600)  # bounded look-back keeps the scan linear
        se = min(se, q["mark_end"] + 600)
        before = text[ss:q["mark_start"]]
        if not before.strip(" \t-\u2014\u2013(\"'\u201c\u2018"):
            continue  # the quotation opens its sentence: an utterance
        if _NAMING_RE.search(before[-400:]):
            q["kind"] = "scare"
        elif _LABEL_RE.search(text, q["start"], q["end"]):
            q["kind"] = "scare"
        elif words in long_ngrams:
            continue
        else:
            se = max(se, q["mark_end"])
            outside = before + " " + text[q["mark_end"]:se]
            if not _frame_re().search(outside):
                q["kind"] = "scare"


# --- public API -------------------------------------------------------------------------------
def quote_spans(text: str) -> list[dict]:
    """Find the quotation spans of one text.

    Parameters
    ----------
    text : str
        Article text (paragraphs separated by line breaks). Any string is accepted.

    Returns
    -------
    list of dict
        One dict per quotation, in text order (by ``mark_start``, outer before nested), with keys
        ``start``, ``end`` (the quoted words, without the outer marks), ``mark_start``,
        ``mark_end`` (with the marks), ``kind`` (``"speech"`` or ``"scare"``),
        ``n_paragraphs`` (paragraphs spanned) and ``depth`` (0 outer, 1 nested, ...).
        See the module docstring for the pairing and classification rules.
    """
    if not isinstance(text, str) or not text:
        return []
    pairs = sorted(_scan(text))
    pairs = [p for p in pairs if WORD_RE.search(text, p[0] + 1, p[1] - 1)]
    out = [{"start": ms + 1, "end": me - 1, "mark_start": ms, "mark_end": me, "kind": "speech",
            "n_paragraphs": n, "depth": d} for (ms, me, n), d in zip(pairs, _depths(pairs))]
    _classify(text, out)
    return out


def _empty_quotes() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="int64" if c in _INT_COLS else str)
                          for c in QUOTE_COLUMNS})
    return frame


_INT_COLS = {"quote_id", "start", "end", "mark_start", "mark_end", "n_paragraphs", "depth"}


def find_quotes(articles: pd.DataFrame) -> pd.DataFrame:
    """Find every quotation in every article.

    Parameters
    ----------
    articles : pandas.DataFrame
        One row per article with columns ``doc_id`` and ``text``.

    Returns
    -------
    pandas.DataFrame
        The quotes frame, one row per quotation span: ``doc_id``, ``quote_id`` (1-based within the
        article, in text order), ``start``, ``end`` (offsets of the quoted words without the outer
        marks; ``text == article_text[start:end]``), ``text``, ``kind`` (``speech``/``scare``),
        ``speaker``, ``speaker_group``, ``cue`` (empty strings; filled by
        ``speakers.attribute_speakers``), ``mark_start``, ``mark_end`` (with the marks),
        ``n_paragraphs`` and ``depth``. Sorted by ``doc_id, quote_id``; RangeIndex.
    """
    missing = [c for c in ("doc_id", "text") if c not in articles.columns]
    if missing:
        raise KitError(f"quotes.find_quotes, articles frame: missing column(s) {missing}; found "
                       f"{list(articles.columns)}; pass the frame returned by load_corpus")
    rows = []
    for doc_id, text in zip(articles["doc_id"], articles["text"]):
        if not isinstance(text, str):
            continue
        for qid, q in enumerate(quote_spans(text), start=1):
            rows.append((str(doc_id), qid, q["start"], q["end"], text[q["start"]:q["end"]],
                         q["kind"], "", "", "", q["mark_start"], q["mark_end"],
                         q["n_paragraphs"], q["depth"]))
    if not rows:
        return _empty_quotes()
    frame = pd.DataFrame(rows, columns=QUOTE_COLUMNS)
    frame = frame.astype({c: "int64" for c in _INT_COLS})
    return frame.sort_values(["doc_id", "quote_id"], kind="stable").reset_index(drop=True)


def quote_share(sentences: pd.DataFrame, quotes: pd.DataFrame) -> pd.Series:
    """Fraction of each sentence's characters that lie inside a depth-0 quotation.

    Quotation extent is ``[start, end)`` *without* the quotation marks (the quoted words), so a
    sentence that is entirely a quotation scores slightly below 1 (its marks and attribution
    are outside). Both ``speech`` and ``scare`` quotations count.

    Parameters
    ----------
    sentences : pandas.DataFrame
        Columns ``doc_id``, ``start``, ``end``.
    quotes : pandas.DataFrame
        Columns ``doc_id``, ``start``, ``end`` and optionally ``depth`` (rows with depth > 0 are
        ignored; they lie inside a depth-0 span anyway).

    Returns
    -------
    pandas.Series
        ``quote_share`` (float in [0, 1]) aligned to ``sentences.index``; 0.0 for an empty
        sentence.
    """
    share = np.zeros(len(sentences), dtype=float)
    if len(sentences) == 0 or len(quotes) == 0:
        return pd.Series(share, index=sentences.index, name="quote_share")
    q = quotes
    if "depth" in q.columns:
        q = q[q["depth"] == 0]
    by_doc = {d: (g["start"].to_numpy(np.int64), g["end"].to_numpy(np.int64))
              for d, g in q.sort_values("start").groupby(q["doc_id"].astype(str))}
    docs = sentences["doc_id"].astype(str).to_numpy()
    s_start = sentences["start"].to_numpy(np.int64)
    s_end = sentences["end"].to_numpy(np.int64)
    for i in range(len(sentences)):
        spans = by_doc.get(docs[i])
        length = s_end[i] - s_start[i]
        if spans is None or length <= 0:
            continue
        qs, qe = spans
        k = np.searchsorted(qe, s_start[i], side="right")
        inside = 0
        while k < len(qs) and qs[k] < s_end[i]:
            inside += max(0, min(qe[k], s_end[i]) - max(qs[k], s_start[i]))
            k += 1
        share[i] = inside / length
    return pd.Series(share, index=sentences.index, name="quote_share")
