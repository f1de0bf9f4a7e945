"""Distinctive language: weighted log-odds ratios with an informative Dirichlet prior.

One function, :func:`keyness`, compares the word use of each outlet with the other outlets that
covered the same event ("Fightin' Words", Monroe, Colaresi & Quinn 2008). Terms are the kit's
words (:func:`analysis.tokens.words`), lowercased; optionally also bigrams.

The method in one paragraph. For term *w*, outlet *i* with ``y_i`` occurrences among ``n_i``
terms and the comparison corpus *j* with ``y_j`` among ``n_j``, and Dirichlet prior counts
``a_w`` summing to ``a0``::

    delta_w = log((y_i + a_w) / (n_i + a0 - y_i - a_w)) - log((y_j + a_w) / (n_j + a0 - y_j - a_w))
    var_w   ~ 1 / (y_i + a_w) + 1 / (y_j + a_w)
    z_w     = delta_w / sqrt(var_w)

(Monroe et al. 2008, section 3.5, eqs. 16-22). ``delta`` is the posterior log-odds ratio, ``z``
its variance-standardised value. **Positive z: the term is more typical of this outlet than of the
comparison; negative: less typical (including terms the outlet never used).** ``|z| > 1.96`` is
the conventional "notable" line, but with thousands of terms some pass it by chance; read z as a
ranking, not a test.

The prior. With ``prior="informative"`` (default) the prior counts are proportional to the term's
frequency in the whole event corpus (every outlet, plus an external reference if one is given):
``a_w = alpha0 * y_w / n``. ``alpha0`` defaults to ``n``, the number of terms in that background,
so ``a_w = y_w``: the prior carries as much weight as the data. This is the empirical-Bayes
default of common implementations (tidylo's ``bind_log_odds``; Jurafsky et al. 2014 use the
background counts directly). It shrinks frequent function words towards zero, so stopwords need
not be removed, and keeps rare terms (count 1) in the table with small |z| instead of dropping
them. Smaller ``alpha0`` gives a weaker prior and larger |z|. ``prior="uniform"`` uses the same
``a_w = alpha0 / V`` for every term (default ``alpha0 = 0.01 V``, i.e. the small constant
pseudo-count 0.01 of Hessel's widely used FightingWords script). A mapping ``term -> count`` (e.g. a
large background corpus) fixes the *shape* of an informative prior; terms missing from it get a
pseudo-count of 0.5 and ``alpha0`` again defaults to the size of the event corpus.

Variance: ``variance="approx"`` (default) is the paper's approximation above, used by the common
implementations; ``variance="full"`` adds the delta-method terms
``1/(n_i + a0 - y_i - a_w) + 1/(n_j + a0 - y_j - a_w)``, which matter only for very frequent
terms in small corpora.

No frequency cut-off is applied: every term that occurs in the outlet or its comparison is a row
(``min_count`` can impose one explicitly). Counting uses ``collections.Counter`` and one sparse
outlet x term matrix per event, so memory grows with the vocabulary, not with documents x terms.

References
----------
Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature selection
and evaluation for identifying the content of political conflict. *Political Analysis*, 16(4),
372-403. https://doi.org/10.1093/pan/mpn018

Jurafsky, D., Chahuneau, V., Routledge, B. R., & Smith, N. A. (2014). Narrative framing of consumer
sentiment in online restaurant reviews. *First Monday*, 19(4).

Schnoebelen, T., Silge, J., & Hayes, A. tidylo: Weighted Tidy Log Odds Ratio (R package).
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from scipy import sparse

from .errors import require_columns
from .tokens import WORD_RE

log = logging.getLogger(__name__)

__all__ = ["keyness", "KEYNESS_COLUMNS"]

#: Columns of the frame :func:`keyness` returns, in order (the stratum and group columns are named
#: after ``within`` and ``by``; ``event`` and ``outlet`` by default).
KEYNESS_COLUMNS = ["event", "outlet", "term", "count", "log_odds", "z", "count_other", "n_words",
                   "n_words_other", "share", "share_other", "delta", "variance", "prior", "ngram",
                   "comparison"]

# Two words form a bigram only when separated by spaces alone: no punctuation (sentence or
# clause boundary, quotation mark, bracket) and no line break (paragraph boundary).
_BIGRAM_GAP = re.compile(r"[ \t\u00a0]+\Z")


def _ngram_orders(ngram) -> list[int]:
    if isinstance(ngram, (int, np.integer)):
        lo = hi = int(ngram)
    else:
        try:
            lo, hi = (int(v) for v in ngram)
        except (TypeError, ValueError):
            raise ValueError(f"keyness: parameter ngram must be an int or a (min, max) pair; got {ngram!r}") from None
    if not 1 <= lo <= hi <= 2:
        raise ValueError(f"keyness: parameter ngram must be within (1, 2), e.g. 1 or (1, 2); got {ngram!r}")
    return list(range(lo, hi + 1))


def _term_counts(texts: Iterable, orders: list[int], stop: frozenset) -> dict[int, Counter]:
    """Counts of lowercased unigrams / bigrams over ``texts``, one Counter per n-gram order."""
    out = {k: Counter() for k in orders}
    uni = out.get(1)
    bi = out.get(2)
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        if bi is None:
            toks = map(str.lower, WORD_RE.findall(text))
            uni.update(t for t in toks if t not in stop) if stop else uni.update(toks)
            continue
        prev_tok, prev_end = None, -1
        for m in WORD_RE.finditer(text):
            tok = m.group().lower()
            keep = tok not in stop
            if uni is not None and keep:
                uni[tok] += 1
            if (prev_tok is not None and keep and prev_tok not in stop
                    and _BIGRAM_GAP.match(text, prev_end, m.start())):
                bi[prev_tok + " " + tok] += 1
            prev_tok, prev_end = tok, m.end()
    return out


def _prior_vector(prior, vocab: list[str], bg: np.ndarray, alpha0) -> np.ndarray:
    n_bg = float(bg.sum())
    if isinstance(prior, str) and prior == "informative":
        a0 = n_bg if alpha0 is None else float(alpha0)
        return a0 * bg / n_bg
    if isinstance(prior, str) and prior == "uniform":
        a0 = 0.01 * len(vocab) if alpha0 is None else float(alpha0)
        return np.full(len(vocab), a0 / len(vocab))
    if isinstance(prior, (Mapping, pd.Series)):
        get = prior.get
        shape = np.fromiter((float(get(t, 0.0) or 0.0) for t in vocab), float, len(vocab))
        shape[shape <= 0] = 0.5
        a0 = n_bg if alpha0 is None else float(alpha0)
        return a0 * shape / shape.sum()
    raise ValueError("keyness: parameter prior must be 'informative', 'uniform' or a mapping "
                     f"term -> background count; got {prior!r}")


def _compare(y_i, y_j, a, variance: str):
    n_i, n_j, a0 = y_i.sum(), y_j.sum(), a.sum()
    delta = (np.log(y_i + a) - np.log(n_i + a0 - y_i - a)) - (np.log(y_j + a) - np.log(n_j + a0 - y_j - a))
    var = 1.0 / (y_i + a) + 1.0 / (y_j + a)
    if variance == "full":
        var = var + 1.0 / (n_i + a0 - y_i - a) + 1.0 / (n_j + a0 - y_j - a)
    return delta, var


def _string_ranks(values: list[str]) -> np.ndarray | None:
    """Rank of each of the distinct strings ``values`` in numpy's string order (the order of
    ``np.lexsort`` on ``to_numpy(dtype=str)``); None if numpy takes two of them for equal
    (it ignores trailing NUL characters)."""
    uniq, inv = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return inv.reshape(-1) if len(uniq) == len(values) else None


def _term_ranks(vocabs: dict[int, list[str]]) -> dict[int, np.ndarray]:
    """For each n-gram order, the rank of each (sorted) vocabulary term among the terms of all
    orders (terms are words or words joined by a space: no NUL, so string and numpy order agree)."""
    if len(vocabs) == 1:
        return {k: np.arange(len(v)) for k, v in vocabs.items()}
    rank = {t: i for i, t in enumerate(sorted(set().union(*vocabs.values())))}
    return {k: np.fromiter((rank[t] for t in v), np.int64, len(v)) for k, v in vocabs.items()}


def _sorted_by_strings(pieces: list[dict]) -> pd.DataFrame:
    """The pieces as one frame sorted by event, outlet, descending z, term."""
    if pieces:
        out = pd.DataFrame({c: np.concatenate([p[c] for p in pieces]) for c in KEYNESS_COLUMNS})
    else:
        out = pd.DataFrame({c: pd.Series(dtype=("int64" if c in ("count", "count_other", "n_words",
                                                                   "n_words_other", "ngram") else
                                                  "float64" if c in ("log_odds", "z", "share", "share_other",
                                                                     "delta", "variance", "prior") else object))
                            for c in KEYNESS_COLUMNS})
    order = np.lexsort((out["term"].to_numpy(dtype=str), -out["z"].to_numpy(dtype=float),
                        out["outlet"].to_numpy(dtype=str), out["event"].to_numpy(dtype=str)))
    return out.iloc[order].reset_index(drop=True)


def _sorted_by_ranks(pieces: list[dict], sort_keys: list[tuple]) -> pd.DataFrame:
    """What :func:`_sorted_by_strings` gives, sorting on the integer ranks of the strings
    (``sort_keys``: event rank, outlet rank and term ranks of each piece) instead."""
    cols = {c: np.concatenate([p[c] for p in pieces]) for c in KEYNESS_COLUMNS}
    sizes = [len(p["z"]) for p in pieces]
    order = np.lexsort((np.concatenate([t for _, _, t in sort_keys]), -cols["z"],
                        np.repeat([o for _, o, _ in sort_keys], sizes),
                        np.repeat([e for e, _, _ in sort_keys], sizes)))
    return pd.DataFrame({c: v[order] for c, v in cols.items()})


def keyness(articles: pd.DataFrame, by: str = "outlet", within: str | None = "event",
            reference=None, prior="informative", alpha0: float | None = None, min_count: int = 1,
            stopwords: Iterable[str] | None = None, ngram=1, variance: str = "approx",
            max_rows: int | None = None) -> pd.DataFrame:
    """Distinctive terms of each outlet within each event (Fightin' Words log-odds ratios).

    Parameters
    ----------
    articles : DataFrame
        One row per article with a ``text`` column and the ``by`` / ``within`` columns.
    by : str, default "outlet"
        Column whose values are compared (the "outlet").
    within : str or None, default "event"
        Column defining separate comparisons (one per event). ``None``: the whole frame is one
        comparison and the output has no stratum column.
    reference : None, str or DataFrame
        Comparison corpus. ``None``: each outlet against all other outlets of the event pooled.
        A value of ``by`` (e.g. ``"Reuters"``): every other outlet against that outlet (events
        without it are skipped with a warning; the reference gets no rows). A DataFrame with a
        ``text`` column: every outlet against that corpus (restricted to the same event when it has
        a ``within`` column); its words also enter the background of the prior.
    prior : "informative", "uniform" or mapping term -> count
        Dirichlet prior, see the module docstring.
    alpha0 : float, optional
        Total prior count (prior strength). Default: size of the event corpus (informative) or
        ``0.01 * V`` (uniform).
    min_count : int, default 1
        Keep terms occurring at least this often in outlet + comparison. 1 keeps every term.
    stopwords : iterable of str, optional
        Lowercased words removed before counting (and bigrams containing them). Default none: the
        informative prior already neutralises function words.
    ngram : int or (int, int), default 1
        1 = unigrams, 2 = bigrams, (1, 2) = both. Each order is its own multinomial (``n_words``
        counts terms of that order), so unigram results do not change when bigrams are added.
        A bigram is two words separated by spaces only (no punctuation or line break between).
    variance : "approx" or "full"
        See the module docstring.
    max_rows : int, optional
        When an event's full table (outlets x terms of the event) would have more rows than
        this, keep for each outlet only the terms it used (``count >= 1``): an event with
        hundreds of outlets (a Media Cloud export) otherwise gives millions of rows, mostly
        terms an outlet never wrote. The frame's ``attrs["used_terms_only"]`` lists those
        events. Default: no limit.

    Returns
    -------
    DataFrame
        One row per term x outlet x event for every term used by the outlet or its comparison,
        sorted by event, outlet, descending z, term. Columns: ``event, outlet, term, count,
        log_odds, z`` then ``count_other`` (count in the comparison), ``n_words`` /
        ``n_words_other`` (terms of that n-gram order in outlet / comparison), ``share`` /
        ``share_other`` (count / n_words), ``delta`` (= ``log_odds``, the paper's symbol),
        ``variance``, ``prior`` (the term's prior count a_w), ``ngram`` (1 or 2) and
        ``comparison`` ("rest", the reference outlet's name or "reference").
        Positive z: more typical of the outlet than of the comparison.

    References
    ----------
    Monroe, Colaresi & Quinn (2008), Political Analysis 16(4): 372-403, eqs. 16-22.
    """
    orders = _ngram_orders(ngram)
    if variance not in ("approx", "full"):
        raise ValueError(f"keyness: parameter variance must be 'approx' or 'full'; got {variance!r}")
    if int(min_count) < 1:
        raise ValueError(f"keyness: parameter min_count must be >= 1; got {min_count!r}")
    cols = ["text", by] + ([within] if within is not None else [])
    require_columns(articles, cols, "articles", "keyness",
                    fix="pass by=/within= naming existing columns")
    stop = frozenset(w.lower() for w in stopwords) if stopwords else frozenset()
    ref_frame = reference if isinstance(reference, pd.DataFrame) else None
    ref_name = None if reference is None or ref_frame is not None else reference
    if ref_frame is not None and "text" not in ref_frame.columns:
        raise ValueError("keyness: reference frame has no column 'text'; pass a frame with one article per row")

    group_col, strat_col = by, within
    data = articles[cols].copy()
    if within is None:
        strat_col = "__all__"
        data[strat_col] = ""
    data[group_col] = data[group_col].astype(str)
    data[strat_col] = data[strat_col].astype(str)

    pieces: list[dict] = []
    sort_keys: list[tuple] = []          # per piece: (event rank, outlet rank, term ranks)
    used_only: list[str] = []            # events whose rows are the outlets' own terms only
    strata = list(data.groupby(strat_col, sort=True))
    event_rank = _string_ranks([stratum for stratum, _ in strata])
    for si, (stratum, sdf) in enumerate(strata):
        groups = sorted(sdf[group_col].unique())
        if ref_name is not None and ref_name not in groups:
            log.warning("keyness: %s %r has no article from reference %s %r; skipped",
                        within or "corpus", stratum, by, ref_name)
            continue
        focus = [g for g in groups if g != ref_name]
        if ref_frame is None and ref_name is None and len(groups) < 2:
            log.warning("keyness: %s %r has a single %s (%r), nothing to compare; skipped",
                        within or "corpus", stratum, by, groups[0])
            continue
        texts = {g: [] for g in groups}
        for g, text in zip(sdf[group_col].tolist(), sdf["text"].tolist()):
            texts[g].append(text)
        counts = {g: _term_counts(texts[g], orders, stop) for g in groups}
        ref_counts = None
        if ref_frame is not None:
            rdf = ref_frame
            if within is not None and within in ref_frame.columns:
                rdf = ref_frame[ref_frame[within].astype(str) == stratum]
            ref_counts = _term_counts(rdf["text"], orders, stop)
        vocabs = {}
        for k in orders:
            vocab_set = set().union(*(counts[g][k].keys() for g in groups))
            if ref_counts is not None:
                vocab_set.update(ref_counts[k].keys())
            if vocab_set:
                vocabs[k] = sorted(vocab_set)
        term_rank = _term_ranks(vocabs)
        used_terms_only = max_rows is not None and \
            len(focus) * sum(len(v) for v in vocabs.values()) > max_rows
        if used_terms_only:
            used_only.append(stratum)
        ranks = _string_ranks(focus)
        outlet_rank = None if ranks is None else dict(zip(focus, ranks))
        for k, vocab in vocabs.items():
            index = {t: i for i, t in enumerate(vocab)}
            rows, colidx, vals = [], [], []
            for gi, g in enumerate(groups):
                c = counts[g][k]
                rows.append(np.full(len(c), gi, dtype=np.int64))
                colidx.append(np.fromiter((index[t] for t in c), np.int64, len(c)))
                vals.append(np.fromiter(c.values(), float, len(c)))
            mat = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(colidx))),
                                    shape=(len(groups), len(vocab)))
            total = np.asarray(mat.sum(axis=0)).ravel()
            ref_vec = None
            if ref_counts is not None:
                rc = ref_counts[k]
                ref_vec = np.zeros(len(vocab))
                ref_vec[np.fromiter((index[t] for t in rc), np.int64, len(rc))] = np.fromiter(rc.values(), float, len(rc))
            bg = total if ref_vec is None else total + ref_vec
            a = _prior_vector(prior, vocab, bg, alpha0)
            vocab_arr = np.asarray(vocab, dtype=object)
            for g in focus:
                y_i = mat.getrow(groups.index(g)).toarray().ravel()
                if ref_vec is not None:
                    y_j, comparison = ref_vec, "reference"
                elif ref_name is not None:
                    y_j, comparison = mat.getrow(groups.index(ref_name)).toarray().ravel(), ref_name
                else:
                    y_j, comparison = total - y_i, "rest"
                if y_j.sum() == 0:
                    log.warning("keyness: %s %r: comparison for %s %r has no %d-grams; skipped",
                                within or "corpus", stratum, by, g, k)
                    continue
                delta, var = _compare(y_i, y_j, a, variance)
                keep = (y_i + y_j) >= max(int(min_count), 1)
                if used_terms_only:
                    keep &= y_i > 0
                n_i, n_j = y_i.sum(), y_j.sum()
                pieces.append({
                    "event": np.full(keep.sum(), stratum, dtype=object),
                    "outlet": np.full(keep.sum(), g, dtype=object),
                    "term": vocab_arr[keep],
                    "count": y_i[keep].astype(np.int64),
                    "log_odds": delta[keep],
                    "z": delta[keep] / np.sqrt(var[keep]),
                    "count_other": y_j[keep].astype(np.int64),
                    "n_words": np.full(keep.sum(), int(n_i), dtype=np.int64),
                    "n_words_other": np.full(keep.sum(), int(n_j), dtype=np.int64),
                    "share": y_i[keep] / n_i if n_i else np.zeros(keep.sum()),
                    "share_other": y_j[keep] / n_j,
                    "delta": delta[keep],
                    "variance": var[keep],
                    "prior": a[keep],
                    "ngram": np.full(keep.sum(), k, dtype=np.int64),
                    "comparison": np.full(keep.sum(), comparison, dtype=object),
                })
                if event_rank is not None and outlet_rank is not None:
                    sort_keys.append((event_rank[si], outlet_rank[g], term_rank[k][keep]))
    if pieces and len(sort_keys) == len(pieces):
        out = _sorted_by_ranks(pieces, sort_keys)
    else:
        out = _sorted_by_strings(pieces)
    for c in ("event", "outlet", "term", "comparison"):
        out[c] = out[c].astype(str)
    rename = {"outlet": by}
    if within is None:
        out = out.drop(columns="event")
    else:
        rename["event"] = within
    out = out.rename(columns=rename)
    out.attrs["used_terms_only"] = used_only
    return out
