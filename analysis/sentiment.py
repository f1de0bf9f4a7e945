"""Sentence-level sentiment with VADER, split into the writer's own words and quoted words.

VADER (Hutto & Gilbert 2014) is a lexicon- and rule-based scorer built for short texts. Its
``compound`` score is the sum of the valence of the words, normalised with
``x / sqrt(x**2 + 15)`` into [-1, 1]; on a long text the sum grows with length and the compound
saturates towards -1 or +1, so the kit **never scores a whole article**: it scores sentences and
averages them. Hutto & Gilbert's thresholds classify a text as positive when
``compound >= 0.05`` and negative when ``compound <= -0.05``.

Sentences are split into own-voice text (the sentence with quotation spans removed) and quoted
text (the parts of quotations inside the sentence), so an outlet that quotes angry officials is
not confused with an outlet that is angry itself.

References
----------
Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for sentiment analysis
of social media text. *Proceedings of ICWSM-14*, 216-225.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import LexiconError, problem
from .lexicon import load_lexicon
from .tokens import WORD_RE

#: Hutto & Gilbert (2014) thresholds on the compound score.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

SENTENCE_COLUMNS = ["doc_id", "sent_id", "vader_compound", "vader_pos", "vader_neg", "vader_neu",
                    "vader_compound_own", "vader_compound_quoted"]
MENTION_COLUMNS = ["doc_id", "sent_id", "start", "end", "surface", "actor"]
_QUOTE_MARKS = "\"\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a\u2039\u203a"


@lru_cache(maxsize=1)
def analyzer():
    """The single VADER scorer of the process (its lexicon loads once).

    :class:`analysis.vader_fast.FastSentimentIntensityAnalyzer`, verified identical to
    vaderSentiment 3.3.2's ``SentimentIntensityAnalyzer``, when that release is installed;
    otherwise the stock ``SentimentIntensityAnalyzer``.
    """
    from .vader_fast import make_analyzer
    return make_analyzer()


def vader_scores(text: str) -> dict[str, float]:
    """VADER ``polarity_scores`` of one short text (a sentence): ``neg, neu, pos, compound``."""
    return analyzer().polarity_scores(text)


_QUOTE_RE = re.compile(f"[{_QUOTE_MARKS}]")
_SPACES_RE = re.compile(r"\s+")


def _has_word(text: str) -> bool:
    """``count_words(text) > 0``: the text holds a word."""
    return WORD_RE.search(text) is not None


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _split_voice(text: str, s0: int, spans: list[tuple[int, int, int, int]],
                 inner: list[tuple[int, int]] | None = None) -> tuple[str, str]:
    """(own text, quoted text) of a sentence starting at article offset ``s0``.

    ``spans`` are (start, end, mark_start, mark_end) of quotations, article offsets; ``inner``
    the union of their (start, end) (computed when not given).
    """
    s1 = s0 + len(text)
    remove = _union([(max(ms, s0), min(me, s1)) for _, _, ms, me in spans if ms < s1 and me > s0])
    if inner is None:
        inner = _union([(s, e) for s, e, _, _ in spans])
    quoted = [text[max(s, s0) - s0:min(e, s1) - s0] for s, e in inner if s < s1 and e > s0]
    own_parts, pos = [], s0
    for s, e in remove:
        own_parts.append(text[pos - s0:s - s0])
        pos = e
    own_parts.append(text[pos - s0:])
    # a quotation that starts in an earlier sentence leaves no mark here; strip stray marks
    own = " ".join(p.strip() for p in own_parts if p.strip())
    own = _QUOTE_RE.sub(" ", own)
    own = _SPACES_RE.sub(" ", own).strip()
    return own, " ".join(q.strip() for q in quoted if q.strip())


def sentence_sentiment(sentences: pd.DataFrame, quotes: pd.DataFrame | None,
                       quote_kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """VADER scores per sentence, for the whole sentence, its own-voice part and its quoted part.

    Parameters
    ----------
    sentences : DataFrame
        The kit's sentences (``doc_id, sent_id, start, text``).
    quotes : DataFrame or None
        The quotes frame (``doc_id, start, end`` without marks, optional ``mark_start,
        mark_end``, ``kind``). ``None``: no quotations.
    quote_kinds : tuple of str, optional
        Quote kinds treated as quoted text (default all: speech and scare quotes, as in
        :func:`analysis.hedging.hedge_rates`).

    Returns
    -------
    DataFrame
        One row per sentence, sorted by ``doc_id, sent_id``:

        - ``vader_compound``, ``vader_pos``, ``vader_neg``, ``vader_neu``: VADER on the whole
          sentence (compound in [-1, 1]; pos/neg/neu are proportions of the text summing to 1).
        - ``vader_compound_own``: compound of the sentence with quotation spans (and their marks)
          removed; NaN when no word is left.
        - ``vader_compound_quoted``: compound of the quoted parts inside the sentence, joined by
          spaces; NaN when the sentence has no quoted words.

    Notes
    -----
    Scores are per sentence only: VADER's compound saturates on long texts (Hutto & Gilbert
    2014), so article-level figures are means over sentences (:func:`article_sentiment`).
    """
    qby: dict[str, list[tuple[int, int, int, int]]] = {}
    if quotes is not None and len(quotes):
        q = quotes if quote_kinds is None else quotes[quotes["kind"].isin(quote_kinds)]
        ms = q["mark_start"] if "mark_start" in q.columns else q["start"]
        me = q["mark_end"] if "mark_end" in q.columns else q["end"]
        for d, s, e, a, b in zip(q["doc_id"], q["start"], q["end"], ms, me):
            qby.setdefault(str(d), []).append((int(s), int(e), int(a), int(b)))
    # per article: quotation mark spans sorted by start, and the running maximum of their ends, so
    # "does a quotation (with its marks) overlap [s0, s1)" is one bisection
    marks, inner = {}, {}
    for d, spans in qby.items():
        ordered = sorted((a, b) for _, _, a, b in spans)
        marks[d] = ([a for a, _ in ordered], list(accumulate((b for _, b in ordered), max)))
        inner[d] = _union([(s, e) for s, e, _, _ in spans])
    score = analyzer().polarity_scores
    rows = []
    for d, sid, s0, text in zip(sentences["doc_id"].tolist(), sentences["sent_id"].tolist(),
                                sentences["start"].tolist(), sentences["text"].tolist()):
        text = str(text)
        sc = score(text)
        key = str(d)
        s1 = int(s0) + len(text)
        touched = False
        if key in marks:
            starts, max_end = marks[key]
            k = bisect_left(starts, s1)
            touched = k > 0 and max_end[k - 1] > s0
        if not touched and not _QUOTE_RE.search(text):
            # no quotation touches the sentence: its own-voice text is the sentence itself
            # (VADER tokenises on white space, so the score is the same), nothing is quoted
            own_c = sc["compound"] if _has_word(text) else math.nan
            quo_c = math.nan
        else:
            own, quoted = _split_voice(text, int(s0), qby.get(key, []), inner.get(key, []))
            own_c = score(own)["compound"] if _has_word(own) else math.nan
            quo_c = score(quoted)["compound"] if _has_word(quoted) else math.nan
        rows.append((d, int(sid), sc["compound"], sc["pos"], sc["neg"], sc["neu"], own_c, quo_c))
    out = pd.DataFrame(rows, columns=SENTENCE_COLUMNS)
    out["sent_id"] = out["sent_id"].astype("int64")
    for c in SENTENCE_COLUMNS[2:]:
        out[c] = out[c].astype("float64")
    return out.sort_values(["doc_id", "sent_id"], kind="stable").reset_index(drop=True)


def _summary(values: pd.Series, suffix: str) -> dict[str, float]:
    v = values.dropna()
    n = len(v)
    return {
        f"vader_mean_compound{suffix}": float(v.mean()) if n else math.nan,
        f"vader_share_positive{suffix}": float((v >= POSITIVE_THRESHOLD).mean()) if n else math.nan,
        f"vader_share_negative{suffix}": float((v <= NEGATIVE_THRESHOLD).mean()) if n else math.nan,
        f"vader_n_sentences{suffix}": n,
    }


def _summary_array(v: np.ndarray, suffix: str) -> dict[str, float]:
    """:func:`_summary` of a float64 array without NaN: the same figures, bit for bit.

    ``Series.mean`` of a NaN-free float64 Series is ``values.sum() / float(n)`` (numpy's
    pairwise sum of the same contiguous values); a share is ``k / n`` of two exact integers.
    """
    n = len(v)
    if not n:
        return {f"vader_mean_compound{suffix}": math.nan, f"vader_share_positive{suffix}": math.nan,
                f"vader_share_negative{suffix}": math.nan, f"vader_n_sentences{suffix}": 0}
    return {
        f"vader_mean_compound{suffix}": float(v.sum() / np.float64(n)),
        f"vader_share_positive{suffix}": int(np.count_nonzero(v >= POSITIVE_THRESHOLD)) / n,
        f"vader_share_negative{suffix}": int(np.count_nonzero(v <= NEGATIVE_THRESHOLD)) / n,
        f"vader_n_sentences{suffix}": n,
    }


_VOICES = (("vader_compound", ""), ("vader_compound_own", "_own"),
           ("vader_compound_quoted", "_quoted"))


def article_sentiment(sent_sent: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Per-article summary of sentence sentiment, for whole sentences, own voice and quotations.

    Parameters
    ----------
    sent_sent : DataFrame
        Output of :func:`sentence_sentiment`.
    articles : DataFrame
        ``doc_id``; every article gets a row (NaN metrics when it has no scored sentence).

    Returns
    -------
    DataFrame
        One row per article, sorted by ``doc_id``. For each suffix ``""`` (whole sentences),
        ``"_own"`` (own-voice text) and ``"_quoted"`` (quoted text): ``vader_mean_compound``,
        ``vader_share_positive`` (share of sentences with compound >= 0.05),
        ``vader_share_negative`` (compound <= -0.05), ``vader_n_sentences`` (sentences behind
        the figures; a sentence with no own/quoted words is not counted for that voice).
        Thresholds from Hutto & Gilbert (2014).
    """
    rows = []
    if all(sent_sent[c].dtype == np.float64 for c, _ in _VOICES):
        # one stable sort by article; each article's sentences are a contiguous slice, in the
        # order groupby would give them
        codes, uniques = pd.factorize(sent_sent["doc_id"])   # NaN ids: -1, dropped like groupby
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        lo = np.searchsorted(sorted_codes, np.arange(len(uniques)), side="left").tolist()
        hi = np.searchsorted(sorted_codes, np.arange(len(uniques)), side="right").tolist()
        slices = dict(zip(list(uniques), zip(lo, hi)))
        values = [(sent_sent[c].to_numpy(dtype=np.float64)[order], suffix) for c, suffix in _VOICES]
        empty = np.zeros(0, dtype=np.float64)
        for d in articles["doc_id"]:
            row = {"doc_id": d}
            sl = slices.get(d)
            for v, suffix in values:
                if sl is None:
                    seg = empty
                else:
                    seg = v[sl[0]:sl[1]]
                    seg = seg[~np.isnan(seg)]
                row.update(_summary_array(seg, suffix))
            rows.append(row)
    else:
        groups = dict(list(sent_sent.groupby("doc_id", sort=False)))
        empty = sent_sent.iloc[0:0]
        for d in articles["doc_id"]:
            g = groups.get(d, empty)
            row = {"doc_id": d}
            for c, suffix in _VOICES:
                row.update(_summary(g[c], suffix))
            rows.append(row)
    out = pd.DataFrame(rows)
    for c in out.columns:
        if c.startswith("vader_n_sentences"):
            out[c] = out[c].astype("int64")
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# actors
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=16)
def _actor_patterns(actors: str) -> tuple[tuple[str, re.Pattern], ...]:
    lex = load_lexicon(actors)
    path = lex["_path"]
    table = lex.get("actors")
    cats = lex.get("categories") or {}
    if not isinstance(table, dict) or not table:
        raise LexiconError(problem(path, "field 'actors' missing or empty; expected a mapping "
                                         "actor -> [patterns]"))
    out = []
    for actor, pats in table.items():
        if actor not in cats:
            raise LexiconError(problem(path, f"actors.{actor}: actor not defined under 'categories' "
                                             f"(defined: {', '.join(cats)})"))
        if not isinstance(pats, list) or not pats:
            raise LexiconError(problem(path, f"actors.{actor}: expected a non-empty list of "
                                             f"patterns, found {pats!r}"))
        for k, p in enumerate(pats, 1):
            if not isinstance(p, str) or not p.strip():
                raise LexiconError(problem(path, f"actors.{actor}, pattern {k}: empty or not a "
                                                 f"string ({p!r})"))
            try:
                rx = re.compile(rf"(?<![\w\-])(?:{p})(?![\w\-])")
            except re.error as exc:
                raise LexiconError(problem(path, f"actors.{actor}, pattern {k} {p!r}: invalid "
                                                 f"regular expression ({exc})",
                                           fix="escape '.' and brackets with a backslash")) from None
            out.append((str(actor), rx))
    return tuple(out)


# Literal prefilter for the actor patterns. Running every pattern over every sentence costs one
# regex scan per sentence and pattern; most patterns name a word ("Putin", "separatist") that a
# sentence must contain to match. From the parsed pattern we take such required texts (a set of
# alternatives, e.g. {"Separatist", "separatist"}), find them in all sentences at once and run the
# pattern only on the sentences that contain one, from shortly before the first occurrence (see
# _Joined.candidates). The pattern still searches each sentence's own text, so its matches are
# those of the plain per-sentence search; a pattern the analysis does not understand is searched
# in every sentence.
_SEP = "\n"           # joins the sentence texts for the prefilter; never part of a required text
_MAX_ALTERNATIVES = 64
_MAX_REQUIREMENTS = 3


def _op_name(op) -> str:
    return getattr(op, "name", str(op))


def _exact(items, icase: bool):
    """Every text a parsed (sub)pattern can match, as tuples of atoms, or None if unknown/too many.

    An atom is a character (case-sensitive) or a 1-tuple ``(character,)`` (case-insensitive).
    """
    out = {()}
    for op, av in items:
        e = _exact_node(_op_name(op), av, icase)
        if e is None:
            return None
        out = {a + b for a in out for b in e}
        if len(out) > _MAX_ALTERNATIVES:
            return None
    return out


def _exact_node(op: str, av, icase: bool):
    if op == "LITERAL":
        return {((chr(av),),)} if icase else {(chr(av),)}
    if op == "IN" and not icase:
        chars = []
        for iop, iav in av:
            if _op_name(iop) == "LITERAL":
                chars.append(chr(iav))
            elif _op_name(iop) == "RANGE" and iav[1] - iav[0] < 16:
                chars.extend(chr(c) for c in range(iav[0], iav[1] + 1))
            else:
                return None
        return {(c,) for c in chars}
    if op in ("ASSERT", "ASSERT_NOT", "AT"):
        return {()}   # zero width: adds no text
    if op == "SUBPATTERN":
        _, add, rm, sub = av
        return _exact(sub, _subflags(icase, add, rm))
    if op == "BRANCH":
        out = set()
        for alt in av[1]:
            e = _exact(alt, icase)
            if e is None:
                return None
            out |= e
        return out if len(out) <= _MAX_ALTERNATIVES else None
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        lo, hi, sub = av
        if hi > 3:
            return None
        e = _exact(sub, icase)
        if e is None:
            return None
        out, power = set(), {()}
        for k in range(hi + 1):
            if k >= lo:
                out |= power
            power = {a + b for a in power for b in e}
            if len(out) + len(power) > _MAX_ALTERNATIVES:
                return None
        return out
    return None


def _subflags(icase: bool, add: int, rm: int) -> bool:
    return (icase or bool(add & re.IGNORECASE)) and not rm & re.IGNORECASE


def _requirements(items, icase: bool) -> list[frozenset]:
    """Sets of alternative texts such that every match of ``items`` contains a text of each set."""
    reqs: list[frozenset] = []
    run = {()}

    def flush():
        if () not in run:
            reqs.append(frozenset(run))

    for op, av in items:
        op = _op_name(op)
        e = _exact_node(op, av, icase)
        if e is not None:
            joined = {a + b for a in run for b in e}
            if len(joined) <= _MAX_ALTERNATIVES:
                run = joined
                continue
            flush()
            run = e
            continue
        flush()
        run = {()}
        if op == "SUBPATTERN":
            reqs += _requirements(av[3], _subflags(icase, av[1], av[2]))
        elif op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
            reqs += _requirements(av[2], icase)
        elif op == "BRANCH":
            alts = [_best(_requirements(alt, icase)) for alt in av[1]]
            if all(a is not None for a in alts):
                union = frozenset().union(*alts)
                if len(union) <= _MAX_ALTERNATIVES:
                    reqs.append(union)
    flush()
    return reqs


def _best(reqs: list[frozenset]) -> frozenset | None:
    return max(reqs, key=_score, default=None)


def _score(req: frozenset) -> tuple[int, int]:
    return min(len(t) for t in req), -len(req)


def _reduce(req: frozenset) -> frozenset:
    """Drop case-sensitive alternatives that contain another one (the shorter one is implied)."""
    plain = {t: "".join(t) for t in req if all(isinstance(a, str) for a in t)}
    return frozenset(t for t in req
                     if t not in plain or not any(u != t and u in plain and plain[u] in plain[t]
                                                  for u in req))


def _atom_rx(a) -> str:
    return re.escape(a) if isinstance(a, str) else f"(?i:{re.escape(a[0])})"


def _common_substring(texts: list[str]) -> str:
    """Longest text contained in every one of ``texts``."""
    short = min(texts, key=len)
    for size in range(len(short), 0, -1):
        for k in range(len(short) - size + 1):
            sub = short[k:k + size]
            if all(sub in t for t in texts):
                return sub
    return ""


def _literals(texts: list[str]) -> tuple[str, ...] | None:
    """Few plain texts, one of which occurs wherever one of ``texts`` occurs (None: too many).

    The longest common substring if it has 4 characters (or is a whole text), else the fewest
    (at most 4) shared prefixes of at least 3 characters, the longest such.
    """
    texts = sorted(set(texts))
    if len(texts) == 1:
        return tuple(texts)
    common = _common_substring(texts)
    shortest = min(map(len, texts))
    if len(common) >= min(4, shortest):
        return (common,)
    for groups in range(2, 5):
        for size in range(shortest, 2, -1):
            prefixes = sorted({t[:size] for t in texts})
            if len(prefixes) <= groups:
                return tuple(prefixes)
    return None


class _Plan(NamedTuple):
    """How to find the sentences holding one text of a required-text set."""
    literals: tuple[str, ...] | None   # plain texts, one of which occurs where the set does
    lower: bool                        # literals are lower-cased, for lower-cased ASCII text
    alternation: re.Pattern            # the exact set as a regex


def _search_plan(req: frozenset) -> _Plan:
    """Search plan of one required-text set.

    Case-sensitive texts are searched as plain literals. ASCII texts with case-insensitive
    characters are searched lower-cased in the lower-cased text when no character of the text
    matches them case-insensitively other than by ``str.lower`` (see :meth:`_Joined.lowered`);
    otherwise the alternation regex is used.
    """
    alternation = re.compile("|".join(sorted("".join(map(_atom_rx, t)) for t in req)))
    lower = not all(isinstance(a, str) for t in req for a in t)
    if not lower:
        lits = _literals(["".join(t) for t in req])
    else:
        plain = ["".join(a if isinstance(a, str) else a[0] for a in t) for t in req]
        lits = _literals([t.lower() for t in plain]) if all(map(str.isascii, plain)) else None
    return _Plan(tuple(lits) if lits else None, lower, alternation)


class _Prefilter(NamedTuple):
    plans: tuple[_Plan, ...]   # required-text sets: a match holds one text of each
    max_width: int | None      # longest match (None: unbounded, or the pattern can match empty)


@lru_cache(maxsize=64)
def _prefilter(pattern: str, flags: int) -> _Prefilter | None:
    """Required texts of an actor pattern and its match widths, or None (search everything)."""
    try:
        try:
            from re import _parser as sre_parse
        except ImportError:  # Python < 3.11
            import sre_parse
        parsed = sre_parse.parse(pattern, flags)
        reqs = [_reduce(r) for r in _requirements(list(parsed), bool(flags & re.IGNORECASE))]
        reqs = [r for r in reqs if _score(r)[0] >= 2]
        reqs = sorted(set(reqs), key=lambda r: (_score(r), sorted(map(repr, r))), reverse=True)
        out = []
        for r in reqs[:_MAX_REQUIREMENTS]:
            if any(re.fullmatch(_atom_rx(a), _SEP) for t in r for a in t):
                continue  # a required text could run across the separator
            out.append(_search_plan(r))
        if not out:
            return None
        lo, hi = parsed.getwidth()
        return _Prefilter(tuple(out), hi if 0 < lo and hi < 10_000 else None)
    except Exception:  # noqa: BLE001 - unknown regex internals: no prefilter, search everything
        return None


@lru_cache(maxsize=16)
def _literal_scanner(literals: tuple[str, ...]) -> tuple[re.Pattern, dict[str, list[str]]]:
    """One regex finding, at every position, the longest of ``literals`` starting there.

    Each alternative consumes only the first character and looks ahead for the rest (longest
    first), so no occurrence hides another; the shorter literals that also start at a position
    are the reported literal's prefixes (returned per literal).
    """
    by_first: dict[str, list[str]] = {}
    for lit in literals:
        by_first.setdefault(lit[0], []).append(lit[1:])
    alts = []
    for first in sorted(by_first):
        rests = sorted(by_first[first], key=lambda r: (-len(r), r))
        alts.append(f"{re.escape(first)}(?=({'|'.join(map(re.escape, rests))}))")
    prefixes = {lit: [p for p in literals if p != lit and lit.startswith(p)] for lit in literals}
    return re.compile("|".join(alts)), prefixes


_ASCII_RUNS_RE = re.compile(r"[\x00-\x7f]+")


class _Joined:
    """The sentence texts joined by ``_SEP``: where the required texts of the patterns occur."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.n = len(texts)
        lengths = np.fromiter((len(t) + len(_SEP) for t in texts), dtype=np.int64, count=self.n)
        self.starts = np.cumsum(lengths) - lengths     # offset of each sentence in self.text
        self.text = _SEP.join(texts)
        self._found: dict[str, list[int]] = {}          # case-sensitive literal -> positions
        self._lower: str | None = None
        self._non_ascii: set[str] = set()

    def index(self, literals) -> None:
        """Find the positions of case-sensitive ``literals`` (one pass for the capitalised ones,
        whose first letters are rare; ``str.find`` for the others)."""
        todo = sorted(set(literals) - set(self._found))
        capital = tuple(lit for lit in todo if lit[:1].isupper())
        if capital:
            scanner, prefixes = _literal_scanner(capital)
            hits: dict[str, list[int]] = {lit: [] for lit in capital}
            for m in scanner.finditer(self.text):
                hits[m.group(0) + m.group(m.lastindex)].append(m.start())
            for lit in capital:
                self._found[lit] = list(hits[lit])
            for lit in capital:
                for p in prefixes[lit]:
                    self._found[p] += hits[lit]
        for lit in todo:
            if not lit[:1].isupper():
                self._found[lit] = self._find_all(lit, self.text)

    def lowered(self, chars: str) -> str | None:
        """The text lower-cased, if searching lower-cased ASCII ``chars`` in it finds every place
        where SRE's case-insensitive match of them does (None otherwise)."""
        if self._lower is None:
            low = self.text.lower()
            self._lower = low if len(low) == len(self.text) else ""   # "": offsets would shift
            self._non_ascii = set(_ASCII_RUNS_RE.sub("", self.text))
        if not self._lower:
            return None
        # a non-ASCII character that matches one of the ASCII characters case-insensitively
        # (Kelvin sign for k, long s for s) is not found by a lower-cased search
        for c in set(chars):
            rx = re.compile(f"(?i:{re.escape(c)})")
            if any(rx.fullmatch(ch) for ch in self._non_ascii):
                return None
        return self._lower

    def _find_all(self, lit: str, hay: str) -> list[int]:
        find = hay.find
        pos, k = [], find(lit)
        while k >= 0:
            pos.append(k)
            k = find(lit, k + 1)
        return pos

    def occurrences(self, plan: _Plan) -> tuple[list[int], bool]:
        """Positions in the joined text where a required text of ``plan`` may start, and whether
        they are complete (every occurrence of a literal of the plan; else only the leftmost of
        overlapping ones)."""
        if plan.literals is not None and not plan.lower:
            self.index(plan.literals)
            return [k for lit in plan.literals for k in self._found[lit]], True
        if plan.literals is not None:
            hay = self.lowered("".join(plan.literals))
            if hay is not None:
                return [k for lit in plan.literals for k in self._find_all(lit, hay)], True
        return [m.start() for m in plan.alternation.finditer(self.text)], False

    def candidates(self, rx: re.Pattern) -> tuple[list[int] | range, dict | None]:
        """Indices (ascending) of the sentences that may contain a match of ``rx``, and per index
        the search window ``(first, last)``: no match starts before offset ``first``, none after
        the first match that ends past offset ``last`` (None: search whole sentences).

        The first required-text set is searched in the joined text, the others in the sentences
        that hold the first. A match of width at most ``w`` holding a required literal of length
        ``>= l`` that starts at ``o`` starts at or after ``o + l - w``; a match starting at or
        after ``e`` holds a literal starting at or after ``e``.
        """
        pre = _prefilter(rx.pattern, rx.flags)
        if pre is None:
            return range(self.n), None
        plan = pre.plans[0]
        pos, complete = self.occurrences(plan)
        pos = np.sort(np.asarray(pos, dtype=np.int64))
        idx = np.searchsorted(self.starts, pos, side="right") - 1
        uniq, first = np.unique(idx, return_index=True)
        keep = uniq.tolist()
        windows = None
        if complete and pre.max_width is not None and len(pos):
            rel = pos - self.starts[idx]
            last = np.append(first[1:], len(pos)) - 1
            shortest = min(map(len, plan.literals))
            lo = np.maximum(rel[first] + shortest - pre.max_width, 0)
            windows = dict(zip(keep, zip(lo.tolist(), rel[last].tolist())))
        texts = self.texts
        for plan in pre.plans[1:]:
            if plan.literals is not None and not plan.lower:
                keep = [i for i in keep if any(lit in texts[i] for lit in plan.literals)]
            else:
                keep = [i for i in keep if plan.alternation.search(texts[i])]
        return keep, windows


def actor_mentions(sentences: pd.DataFrame, actors: str = "actors_ukraine_2014") -> pd.DataFrame:
    """Mentions of each actor of an actor lexicon, with offsets.

    Parameters
    ----------
    sentences : DataFrame
        The kit's sentences (``doc_id, sent_id, start, text``).
    actors : str
        Bundled actor lexicon name or path (default ``"actors_ukraine_2014"``).

    Returns
    -------
    DataFrame
        One row per mention, sorted by ``doc_id, start``: ``doc_id, sent_id, start, end, surface,
        actor`` (offsets into ``articles.text``). Each pattern is searched in each sentence's
        text alone (a literal prefilter skips sentences that cannot match). Overlapping matches
        keep the longest ("pro-Russian separatists" is one separatists mention, not also a
        Russia mention); equal lengths keep the earlier start, then the earlier pattern.
    """
    pats = _actor_patterns(str(actors))
    texts = [str(t) for t in sentences["text"].tolist()]
    joined = _Joined(texts)
    # the capitalised required texts of all patterns in one pass
    firsts = [pre.plans[0] for pre in (_prefilter(rx.pattern, rx.flags) for _, rx in pats) if pre]
    joined.index(lit for plan in firsts if plan.literals is not None and not plan.lower
                 for lit in plan.literals)
    found: dict[int, list[tuple[int, int, str]]] = {}
    for actor, rx in pats:
        keep, windows = joined.candidates(rx)
        for i in keep:
            if windows is None:
                matches = rx.finditer(texts[i])
                last = math.inf
            else:
                first, last = windows[i]
                # pos: the search still sees the text before it (look-behinds, \b), as from 0
                matches = rx.finditer(texts[i], first)
            for m in matches:
                s, e = m.span()
                if e > s:
                    found.setdefault(i, []).append((s, e, actor))
                if e > last:
                    break
    rows = []
    if found:
        docs, sids, s0s = (sentences[c].tolist() for c in ("doc_id", "sent_id", "start"))
        for i in sorted(found):
            text, d, sid, s0 = texts[i], docs[i], sids[i], int(s0s[i])
            chosen = found[i]
            if len(chosen) > 1:
                chosen = []
                for s, e, actor in sorted(found[i], key=lambda t: (-(t[1] - t[0]), t[0])):
                    if all(e <= cs or s >= ce for cs, ce, _ in chosen):
                        chosen.append((s, e, actor))
            for s, e, actor in chosen:
                rows.append((d, int(sid), s0 + s, s0 + e, text[s:e], actor))
    out = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    out = out.astype({"sent_id": "int64", "start": "int64", "end": "int64"})
    return out.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


def actor_sentiment(sent_sent: pd.DataFrame, mentions: pd.DataFrame,
                    actors: str | None = "actors_ukraine_2014") -> pd.DataFrame:
    """Mean sentence sentiment of the sentences that mention each actor, per article.

    Parameters
    ----------
    sent_sent : DataFrame
        Output of :func:`sentence_sentiment`.
    mentions : DataFrame
        Output of :func:`actor_mentions` (keeps the sentence ids and offsets behind each figure).
    actors : str or None
        Actor lexicon whose actors make the full grid (every article x every actor, zero counts
        included); ``None``: only actors present in ``mentions``.

    Returns
    -------
    DataFrame
        One row per article x actor, sorted by ``doc_id, actor``: ``actor_n_mentions``,
        ``actor_n_sentences`` (sentences mentioning the actor), ``actor_mean_compound`` (mean
        whole-sentence VADER compound of those sentences), ``actor_mean_compound_own`` (mean
        own-voice compound over those with own words), ``actor_n_sentences_own``.

    Notes
    -----
    A sentence's sentiment is attributed to every actor it mentions; VADER does not score
    sentiment *toward* a target, so this is the tone of the context an actor appears in.
    """
    names = [a for a, _ in _actor_patterns(str(actors))] if actors else []
    names = sorted(set(names) | set(mentions["actor"].unique()))
    docs = sorted(set(sent_sent["doc_id"]))
    cols = ["doc_id", "actor", "actor_n_mentions", "actor_n_sentences", "actor_mean_compound",
            "actor_mean_compound_own", "actor_n_sentences_own"]
    grid = pd.MultiIndex.from_product([docs, names], names=["doc_id", "actor"])
    m = mentions[mentions["doc_id"].isin(docs)]
    n_mentions = m.groupby(["doc_id", "actor"]).size()
    pairs = m[["doc_id", "actor", "sent_id"]].astype({"sent_id": "int64"}).drop_duplicates()
    scored = pairs.merge(sent_sent[["doc_id", "sent_id", "vader_compound", "vader_compound_own"]],
                         on=["doc_id", "sent_id"], how="inner")
    g = scored.groupby(["doc_id", "actor"])
    out = pd.DataFrame(index=grid)
    out["actor_n_mentions"] = n_mentions.reindex(grid, fill_value=0).astype("int64")
    out["actor_n_sentences"] = pairs.groupby(["doc_id", "actor"]).size().reindex(
        grid, fill_value=0).astype("int64")
    out["actor_mean_compound"] = g["vader_compound"].mean().reindex(grid).astype("float64")
    out["actor_mean_compound_own"] = g["vader_compound_own"].mean().reindex(grid).astype("float64")
    out["actor_n_sentences_own"] = g["vader_compound_own"].count().reindex(
        grid, fill_value=0).astype("int64")
    out = out.reset_index()[cols]
    return out.sort_values(["doc_id", "actor"]).reset_index(drop=True)


__all__ = ["sentence_sentiment", "article_sentiment", "actor_mentions", "actor_sentiment",
           "vader_scores", "analyzer", "POSITIVE_THRESHOLD", "NEGATIVE_THRESHOLD"]
