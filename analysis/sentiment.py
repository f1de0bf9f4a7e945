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
from functools import lru_cache

import numpy as np
import pandas as pd

from .errors import LexiconError, problem
from .lexicon import load_lexicon
from .tokens import count_words

#: Hutto & Gilbert (2014) thresholds on the compound score.
POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

SENTENCE_COLUMNS = ["doc_id", "sent_id", "vader_compound", "vader_pos", "vader_neg", "vader_neu",
                    "vader_compound_own", "vader_compound_quoted"]
MENTION_COLUMNS = ["doc_id", "sent_id", "start", "end", "surface", "actor"]
_QUOTE_MARKS = "\"\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019\u201a\u2039\u203a"


@lru_cache(maxsize=1)
def analyzer():
    """The single VADER ``SentimentIntensityAnalyzer`` of the process (its lexicon loads once)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    return SentimentIntensityAnalyzer()


def vader_scores(text: str) -> dict[str, float]:
    """VADER ``polarity_scores`` of one short text (a sentence): ``neg, neu, pos, compound``."""
    return analyzer().polarity_scores(text)


_QUOTE_RE = re.compile(f"[{_QUOTE_MARKS}]")


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _split_voice(text: str, s0: int, spans: list[tuple[int, int, int, int]]) -> tuple[str, str]:
    """(own text, quoted text) of a sentence starting at article offset ``s0``.

    ``spans`` are (start, end, mark_start, mark_end) of quotations, article offsets.
    """
    s1 = s0 + len(text)
    remove = _union([(max(ms, s0), min(me, s1)) for _, _, ms, me in spans if ms < s1 and me > s0])
    inner = _union([(s, e) for s, e, _, _ in spans])
    quoted = [text[max(s, s0) - s0:min(e, s1) - s0] for s, e in inner if s < s1 and e > s0]
    own_parts, pos = [], s0
    for s, e in remove:
        own_parts.append(text[pos - s0:s - s0])
        pos = e
    own_parts.append(text[pos - s0:])
    # a quotation that starts in an earlier sentence leaves no mark here; strip stray marks
    own = " ".join(p.strip() for p in own_parts if p.strip())
    own = re.sub(f"[{_QUOTE_MARKS}]", " ", own)
    own = re.sub(r"\s+", " ", own).strip()
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
    rows = []
    for d, sid, s0, text in zip(sentences["doc_id"], sentences["sent_id"], sentences["start"],
                                sentences["text"]):
        text = str(text)
        sc = vader_scores(text)
        spans = qby.get(str(d), [])
        s1 = int(s0) + len(text)
        if not _QUOTE_RE.search(text) and not any(a < s1 and b > s0 for _, _, a, b in spans):
            # no quotation touches the sentence: its own-voice text is the sentence itself
            # (VADER tokenises on white space, so the score is the same), nothing is quoted
            own_c = sc["compound"] if count_words(text) else math.nan
            quo_c = math.nan
        else:
            own, quoted = _split_voice(text, int(s0), spans)
            own_c = vader_scores(own)["compound"] if count_words(own) else math.nan
            quo_c = vader_scores(quoted)["compound"] if count_words(quoted) else math.nan
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
    groups = dict(list(sent_sent.groupby("doc_id", sort=False)))
    empty = sent_sent.iloc[0:0]
    for d in articles["doc_id"]:
        g = groups.get(d, empty)
        row = {"doc_id": d}
        row.update(_summary(g["vader_compound"], ""))
        row.update(_summary(g["vader_compound_own"], "_own"))
        row.update(_summary(g["vader_compound_quoted"], "_quoted"))
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
        actor`` (offsets into ``articles.text``). Overlapping matches keep the longest
        ("pro-Russian separatists" is one separatists mention, not also a Russia mention).
    """
    pats = _actor_patterns(str(actors))
    rows = []
    for d, sid, s0, text in zip(sentences["doc_id"], sentences["sent_id"], sentences["start"],
                                sentences["text"]):
        text = str(text)
        found = [(m.start(), m.end(), actor) for actor, rx in pats for m in rx.finditer(text)
                 if m.end() > m.start()]
        chosen: list[tuple[int, int, str]] = []
        for s, e, actor in sorted(found, key=lambda t: (-(t[1] - t[0]), t[0])):
            if all(e <= cs or s >= ce for cs, ce, _ in chosen):
                chosen.append((s, e, actor))
        for s, e, actor in chosen:
            rows.append((d, int(sid), int(s0) + s, int(s0) + e, text[s:e], actor))
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
