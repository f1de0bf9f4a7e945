"""Outlet-level estimates with bootstrap confidence intervals, pairwise differences and pooling.

Every outlet-level number the kit reports (hedges per 1,000 words, mean VADER compound, share of
quoted text, ...) is an *estimate* and carries a percentile bootstrap interval. The bootstrap
resamples the unit that was sampled:

* **sentences** (within the article) when the outlet has a single article for the event;
* **whole articles** (cluster bootstrap, all sentences of a drawn article come along) when it has
  several, because sentences of one article are not independent of each other.

Statistics are ratio estimators ``sum(numerator) / sum(denominator) * scale`` over the rows
(sentences) of the resample: :class:`Ratio` (e.g. hedges per 1,000 words =
``Ratio("n_hedges", "n_words", 1000)``) and :class:`Mean` (e.g. mean VADER compound over
sentences; missing values are skipped). Their bootstrap is vectorised: each group is reduced to
per-unit sums once, and each replicate is a vector of resampling counts, so 2,000 replicates over
100,000 sentences take seconds. Any other callable ``frame -> float`` works too, slowly.

Honest limits. With one article per outlet the interval describes within-article variability only
(how much the figure depends on which sentences the article happens to contain); it says nothing
about how the outlet's *other* articles, or the outlet in general, would score. With two or three
articles the cluster bootstrap has very few distinct resamples and its interval is too narrow. The
intervals are percentile intervals (no bias correction, no BCa), are not adjusted for multiple
comparisons, and treat sentences or articles as exchangeable.

Determinism. Each group draws from its own ``numpy.random.Generator(PCG64(SeedSequence(
random_state, spawn_key=<hash of the group key>)))``, so results are identical for the same
``random_state`` and do not change when other outlets or events are added to the data.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
(percentile interval ch. 13; ratio estimators ch. 9).
Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*. Cambridge
University Press (cluster / two-stage resampling, section 3.8).
Field, C. A., & Welsh, A. H. (2007). Bootstrapping clustered data. *JRSS B*, 69(3), 369-390.
"""
from __future__ import annotations

import copy
import warnings
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np
import pandas as pd

from .errors import require_columns
from .tokens import count_words

__all__ = ["Ratio", "Mean", "bootstrap_ci", "outlet_estimates", "pairwise_differences",
           "pooled_outlet_effects", "count_per_sentence"]

# Elements of the (replicates x units) resampling matrix materialised at once (4 MB of float64;
# the draws, their counts and the product take about five times that: 2,000,000 elements made an
# outlet of a 10,000-article event peak 77 MB above its start).
_CHUNK_ELEMENTS = 500_000


# ---------------------------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ratio:
    """Ratio estimator ``sum(num) / sum(den) * scale`` over the rows of a (resampled) frame.

    ``den=None`` counts rows. Rows where ``num`` or ``den`` is missing are skipped.
    Example: hedges per 1,000 words ``Ratio("n_hedges", "n_words", 1000)``.
    """

    num: str
    den: str | None = None
    scale: float = 1.0

    def columns(self) -> list[str]:
        return [self.num] + ([self.den] if self.den else [])

    def arrays(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        num = pd.to_numeric(df[self.num], errors="coerce").to_numpy(dtype=float)
        den = (np.ones(len(df)) if self.den is None
               else pd.to_numeric(df[self.den], errors="coerce").to_numpy(dtype=float))
        ok = np.isfinite(num) & np.isfinite(den)
        return np.where(ok, num, 0.0) * self.scale, np.where(ok, den, 0.0)


@dataclass(frozen=True)
class Mean:
    """Mean of a row-level column (e.g. ``Mean("vader_compound")`` over sentences); NaN skipped."""

    col: str

    def columns(self) -> list[str]:
        return [self.col]

    def arrays(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        v = pd.to_numeric(df[self.col], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(v)
        return np.where(ok, v, 0.0), ok.astype(float)


def _as_stat(stat):
    if isinstance(stat, (Ratio, Mean)):
        return stat
    if isinstance(stat, str):
        return Mean(stat)
    if callable(stat):
        return stat
    raise TypeError("a statistic must be a Ratio, a Mean, a column name (its mean) or a callable "
                    f"frame -> float; got {stat!r}")


# ---------------------------------------------------------------------------------------------
# resampling core
# ---------------------------------------------------------------------------------------------
def _seed_int(random_state) -> int:
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    if random_state is None:
        return 0
    if isinstance(random_state, (int, np.integer)) and int(random_state) >= 0:
        return int(random_state)
    raise ValueError(f"parameter random_state must be a non-negative int or a numpy Generator; got {random_state!r}")


def _rng(seed: int, *key) -> np.random.Generator:
    """Generator for one group: independent of the other groups, fixed by (seed, key)."""
    spawn = tuple(zlib.crc32(str(k).encode("utf-8")) for k in key)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=spawn)))


def _draws(rng: np.random.Generator, n: int, n_boot: int):
    """Resampling draws in chunks: yields (first replicate, int array (chunk x n) of unit indices).

    Both the vectorised and the generic path consume the generator through this function, so a
    statistic gets the same resamples whichever path computes it.
    """
    chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    for b0 in range(0, n_boot, chunk):
        yield b0, rng.integers(0, n, size=(min(chunk, n_boot - b0), n))


def _replicate_sums(unit_values: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates of column sums: ``unit_values`` is (units x k); returns (n_boot x k).

    Each replicate draws ``n_units`` units with replacement; the draw is turned into a count per
    unit (bincount) and the replicate sums are one matrix product (counts @ unit_values).
    """
    n = unit_values.shape[0]
    out = np.empty((n_boot, unit_values.shape[1]))
    for b0, idx in _draws(rng, n, n_boot):
        c = idx.shape[0]
        flat = (idx + (np.arange(c) * n)[:, None]).ravel()
        counts = np.bincount(flat, minlength=c * n).reshape(c, n).astype(float)
        out[b0:b0 + c] = counts @ unit_values
    return out


def _percentile(reps: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over the last axis, ignoring replicates that are NaN (zero denominator)."""
    a = (1.0 - ci) / 2.0
    q = [a, 1.0 - a]
    reps = np.where(np.isfinite(reps), reps, np.nan)
    if reps.ndim == 1 or not reps.size:
        return _nan_quantiles(reps, q)
    # np.nanquantile loops over the rows in Python (apply_along_axis); the rows without a NaN,
    # usually all of them, get one vectorised np.quantile, whose values are the same bits
    rows = reps.reshape(-1, reps.shape[-1])
    complete = ~np.isnan(rows).any(axis=1)
    bounds = np.empty((2, rows.shape[0]))
    if complete.any():
        bounds[:, complete] = np.quantile(rows[complete], q, axis=-1)
    if not complete.all():
        bounds[:, ~complete] = _nan_quantiles(rows[~complete], q)
    return bounds[0].reshape(reps.shape[:-1]), bounds[1].reshape(reps.shape[:-1])


def _nan_quantiles(reps: np.ndarray, q: list[float]) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slice -> NaN bounds
        lo, hi = np.nanquantile(reps, q, axis=-1)
    return lo, hi


def _group_boot(df: pd.DataFrame, stats: list, unit: str | None, n_boot: int,
                rng: np.random.Generator, arrays: dict | None = None
                ) -> tuple[np.ndarray, np.ndarray, int]:
    """Point estimates (k,) and replicates (k x n_boot) of ``stats`` for one group of rows.

    ``unit=None``: rows are the resampling units; else rows are clustered by that column.
    ``arrays``: stat index -> ``stats[i].arrays(df)`` when the caller has them already (cut
    from the arrays of a larger frame).
    """
    if unit is None:
        codes = np.arange(len(df))
        n_units = len(df)
    else:
        codes, uniques = pd.factorize(df[unit], sort=True)
        n_units = len(uniques)
    k = len(stats)
    points = np.full(k, np.nan)
    reps = np.full((k, n_boot), np.nan)
    if n_units == 0:
        return points, reps, 0
    fast = [i for i, s in enumerate(stats) if isinstance(s, (Ratio, Mean))]
    slow_rng = copy.deepcopy(rng)  # same state: the generic path sees the fast path's resamples
    slow = [i for i, s in enumerate(stats) if i not in fast]
    if fast:
        cols = []
        for i in fast:
            num, den = stats[i].arrays(df) if arrays is None else arrays[i]
            cols.append(np.bincount(codes, weights=num, minlength=n_units))
            cols.append(np.bincount(codes, weights=den, minlength=n_units))
        unit_values = np.column_stack(cols)
        totals = unit_values.sum(axis=0)
        sums = _replicate_sums(unit_values, n_boot, rng)
        with np.errstate(divide="ignore", invalid="ignore"):
            for j, i in enumerate(fast):
                points[i] = totals[2 * j] / totals[2 * j + 1] if totals[2 * j + 1] else np.nan
                den = sums[:, 2 * j + 1]
                reps[i] = np.where(den > 0, sums[:, 2 * j] / np.where(den > 0, den, 1.0), np.nan)
    if slow:
        # generic path: materialise each resampled frame (python loop; fine for small data).
        rows_of = [np.flatnonzero(codes == u) for u in range(n_units)]
        for i in slow:
            points[i] = float(stats[i](df))
        for b0, idx in _draws(slow_rng, n_units, n_boot):
            for c, draw in enumerate(idx):
                sample = df.iloc[np.concatenate([rows_of[u] for u in draw])]
                for i in slow:
                    reps[i, b0 + c] = float(stats[i](sample))
    return points, reps, n_units


def _as_list(by) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _check(df: pd.DataFrame, cols, name: str, func: str) -> None:
    require_columns(df, cols, name, func)


def _check_boot(n_boot, ci, func):
    if int(n_boot) < 1:
        raise ValueError(f"{func}: parameter n_boot must be >= 1; got {n_boot!r}")
    if not 0.0 < float(ci) < 1.0:
        raise ValueError(f"{func}: parameter ci must be between 0 and 1 (e.g. 0.95); got {ci!r}")


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------
def bootstrap_ci(df: pd.DataFrame, stat, unit: str | None = None, by=None, n_boot: int = 2000,
                 ci: float = 0.95, random_state=0) -> pd.DataFrame:
    """Point estimate and percentile bootstrap interval of ``stat`` per group.

    Parameters
    ----------
    df : DataFrame
        One row per observation (e.g. sentence).
    stat : Ratio, Mean, str or callable
        :class:`Ratio` / :class:`Mean` (fast, vectorised), a column name (its mean), or any
        ``callable(frame) -> float`` (evaluated on every resampled frame; slow).
    unit : str, optional
        Column identifying resampling clusters (e.g. ``"doc_id"`` to resample whole articles).
        Default: rows are resampled individually.
    by : str or list of str, optional
        Grouping columns; each group is bootstrapped separately.
    n_boot : int, default 2000
    ci : float, default 0.95
    random_state : int or numpy Generator, default 0

    Returns
    -------
    DataFrame
        One row per group, sorted by ``by``: the ``by`` columns, ``estimate``, ``lo``, ``hi``
        (percentile interval), ``n_units`` (units resampled), ``n_rows``.
    """
    func = "bootstrap_ci"
    by = _as_list(by)
    _check(df, by + ([unit] if unit else []), "df", func)
    _check_boot(n_boot, ci, func)
    st = _as_stat(stat)
    if isinstance(st, (Ratio, Mean)):
        _check(df, st.columns(), "df", func)
    seed = _seed_int(random_state)
    groups = df.groupby(by, sort=True, dropna=False) if by else [((), df)]
    rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        p, r, n_units = _group_boot(g, [st], unit, int(n_boot), _rng(seed, *key))
        lo, hi = _percentile(r, ci)
        rows.append((*key, p[0], lo[0], hi[0], n_units, len(g)))
    return pd.DataFrame(rows, columns=by + ["estimate", "lo", "hi", "n_units", "n_rows"])


def count_per_sentence(sentences: pd.DataFrame, spans: pd.DataFrame, name: str,
                       query: str | None = None) -> pd.DataFrame:
    """Add column ``name``: the number of ``spans`` rows (hedges, terms, ...) in each sentence.

    ``spans`` needs ``doc_id, sent_id``; ``query`` (a ``DataFrame.query`` string such as
    ``"category == 'hedge'"``) filters it first. Sentences without spans get 0.
    """
    _check(sentences, ["doc_id", "sent_id"], "sentences", "count_per_sentence")
    _check(spans, ["doc_id", "sent_id"], "spans", "count_per_sentence")
    s = spans.query(query) if query else spans
    n = s.groupby(["doc_id", "sent_id"]).size().rename(name)
    out = sentences.drop(columns=[name], errors="ignore").merge(
        n, left_on=["doc_id", "sent_id"], right_index=True, how="left")
    out[name] = out[name].fillna(0).astype("int64")
    return out.reset_index(drop=True)


def _prepare_units(sentence_metrics, articles, metrics, by, func):
    if not isinstance(metrics, Mapping) or not metrics:
        raise ValueError(f"{func}: parameter metrics must be a non-empty dict name -> Ratio/Mean/column/callable; "
                         f"got {metrics!r}")
    stats = {name: _as_stat(s) for name, s in metrics.items()}
    _check(articles, ["doc_id"] + by, "articles", func)
    _check(sentence_metrics, ["doc_id"], "sentence_metrics", func)
    need = {c for s in stats.values() if isinstance(s, (Ratio, Mean)) for c in s.columns()}
    if all(isinstance(s, (Ratio, Mean)) for s in stats.values()):
        # only the columns the statistics read: the frame is copied below (merge, groups)
        count_from_text = "n_words" in need and "n_words" not in sentence_metrics.columns
        keep = [c for c in sentence_metrics.columns if c not in by and
                (c == "doc_id" or c in need or (c == "text" and count_from_text))]
        sm = sentence_metrics[keep]
    else:
        sm = sentence_metrics.drop(columns=[c for c in by if c in sentence_metrics.columns])
    if "n_words" in need and "n_words" not in sm.columns:
        if "text" not in sm.columns:
            raise ValueError(f"{func}: sentence_metrics has neither 'n_words' nor 'text' to count words from")
        sm = sm.assign(n_words=[count_words(t) if isinstance(t, str) else 0 for t in sm["text"]])
    _check(sm, sorted(need), "sentence_metrics", func)
    arts = articles[["doc_id"] + by].copy()
    arts["doc_id"] = arts["doc_id"].astype(str)
    sm = _join_articles(sm.assign(doc_id=sm["doc_id"].astype(str)), arts)
    return stats, arts, sm


def _join_articles(sm: pd.DataFrame, arts: pd.DataFrame) -> pd.DataFrame:
    """``sm.merge(arts, on="doc_id", how="inner")``: the rows of ``sm`` whose article is in
    ``arts``, in their order, with the article's other columns. With unique article ids the
    rows are matched through integer codes (the merge hashed the ids as Python strings: 120 MB
    and 3 s on a 10,000-article event)."""
    if not arts["doc_id"].is_unique:
        return sm.merge(arts, on="doc_id", how="inner")
    codes, _ = pd.factorize(pd.concat([arts["doc_id"], sm["doc_id"]], ignore_index=True))
    row_of = np.full(int(codes.max()) + 1 if len(codes) else 0, -1, dtype=np.int64)
    row_of[codes[:len(arts)]] = np.arange(len(arts))
    rows = row_of[codes[len(arts):]]
    keep = rows >= 0
    out = sm.reset_index(drop=True) if keep.all() else sm[keep].reset_index(drop=True)
    rows = rows[keep]
    for c in arts.columns.drop("doc_id"):
        out[c] = arts[c].take(rows).reset_index(drop=True)
    return out


def _estimates(sentence_metrics, articles, metrics, by, n_boot, ci, random_state, unit, func):
    """Shared by outlet_estimates / pairwise / pooled: the frame plus replicate arrays."""
    by = _as_list(by)
    _check_boot(n_boot, ci, func)
    if unit not in ("auto", "sentence", "article"):
        raise ValueError(f"{func}: parameter unit must be 'auto', 'sentence' or 'article'; got {unit!r}")
    stats, arts, sm = _prepare_units(sentence_metrics, articles, metrics, by, func)
    seed = _seed_int(random_state)
    names = list(stats)
    stat_list = [stats[n] for n in names]
    def _key(k):
        return k if isinstance(k, tuple) else (k,)

    n_articles = arts.groupby(by, sort=True, dropna=False).size()
    # row positions per group, not copies of the groups: each group is taken when it is used
    sm = sm.reset_index(drop=True)  # index labels are row positions
    # (.indices, not iterating the groups: that sorts a copy of the whole frame first, 260 MB
    # on a 10,000-article event)
    units = {_key(k): pos for k, pos in
             sm.groupby(by, sort=True, dropna=False).indices.items()} if len(sm) else {}
    # the Ratio/Mean columns as numbers once for all groups (elementwise, so a group's slice of
    # them is what Ratio.arrays gives on the group); a callable stat gets the whole group frame
    whole = {i: st.arrays(sm) for i, st in enumerate(stat_list) if isinstance(st, (Ratio, Mean))}
    taken = sm if len(whole) < len(stat_list) else sm[["doc_id"]]
    rows, reps = [], []
    for key, n_art in n_articles.items():
        key_t = _key(key)
        pos = units.get(key_t)
        if pos is None:
            pos = np.empty(0, dtype=np.intp)
        g = taken.take(pos)
        n_docs = g["doc_id"].nunique()
        u = unit if unit != "auto" else ("article" if n_docs >= 2 else "sentence")
        p, r, n_units = _group_boot(g, stat_list, "doc_id" if u == "article" else None, int(n_boot),
                                    _rng(seed, *key_t),
                                    arrays={i: (num[pos], den[pos]) for i, (num, den) in whole.items()})
        lo, hi = _percentile(r, ci)
        row = dict(zip(by, key_t))
        row.update(n_articles=int(n_art), n_sentences=len(g), n_units=int(n_units))
        for i, n in enumerate(names):
            row[n], row[f"{n}_lo"], row[f"{n}_hi"], row[f"{n}_unit"] = p[i], lo[i], hi[i], u
        rows.append(row)
        reps.append(r)
    cols = by + ["n_articles", "n_sentences", "n_units"] + [
        c for n in names for c in (n, f"{n}_lo", f"{n}_hi", f"{n}_unit")]
    frame = pd.DataFrame(rows, columns=cols)
    rep_arr = np.stack(reps, axis=1) if reps else np.empty((len(names), 0, int(n_boot)))
    return frame, names, rep_arr  # rep_arr: (metrics x groups x n_boot)


def outlet_estimates(sentence_metrics: pd.DataFrame, articles: pd.DataFrame, metrics: Mapping,
                     by=("event", "outlet"), n_boot: int = 2000, ci: float = 0.95, random_state=0,
                     unit: str = "auto") -> pd.DataFrame:
    """Each outlet's metrics within each event, with bootstrap confidence intervals.

    Parameters
    ----------
    sentence_metrics : DataFrame
        One row per sentence with ``doc_id`` and the columns the metrics use (e.g. ``n_words``,
        ``n_hedges``, ``vader_compound``). ``n_words`` is counted from ``text`` with the kit's
        word definition if it is missing. Outlet and event are taken from ``articles``.
    articles : DataFrame
        ``doc_id`` and the ``by`` columns; every article counts in ``n_articles``.
    metrics : dict
        Output name -> :class:`Ratio`, :class:`Mean`, column name (its mean over sentences) or
        callable. E.g. ``{"hedge_per_1k_words": Ratio("n_hedges", "n_words", 1000),
        "vader_compound": Mean("vader_compound")}``.
    by : sequence of str, default ("event", "outlet")
    n_boot, ci, random_state :
        Bootstrap replicates, interval level, seed.
    unit : "auto", "sentence" or "article"
        Resampling unit. "auto": sentences when the group has one article, whole articles
        (cluster bootstrap) when it has two or more.

    Returns
    -------
    DataFrame
        One row per ``by`` group present in ``articles``, sorted by ``by``: the ``by`` columns,
        ``n_articles``, ``n_sentences``, ``n_units`` (units resampled), then for each metric
        ``<metric>``, ``<metric>_lo``, ``<metric>_hi`` (percentile interval) and
        ``<metric>_unit`` ("sentence" or "article").

    Notes
    -----
    With one article per outlet the interval reflects within-article (sentence-to-sentence)
    variability only, not variation between articles or the outlet's general practice.
    """
    frame, _, _ = _estimates(sentence_metrics, articles, metrics, by, n_boot, ci, random_state,
                             unit, "outlet_estimates")
    return frame


def pairwise_differences(sentence_metrics: pd.DataFrame, articles: pd.DataFrame, metrics: Mapping,
                         outlets: Sequence[str] | None = None, by=("event", "outlet"),
                         n_boot: int = 2000, ci: float = 0.95, random_state=0,
                         unit: str = "auto") -> pd.DataFrame:
    """Difference between two outlets' metrics within each event, with a bootstrap interval.

    The two outlets are resampled independently (each with its own unit, as in
    :func:`outlet_estimates`, and the same replicates), and the interval is the percentile
    interval of the replicate differences.

    Parameters
    ----------
    outlets : (str, str), optional
        ``(a, b)``: one row per event that has both, difference a - b. Default: every ordered
        pair of outlets within each event (a - b and b - a both listed).
    Other parameters as in :func:`outlet_estimates`; the last ``by`` column is the outlet.

    Returns
    -------
    DataFrame
        Sorted by the stratum columns, ``outlet``, ``other``, ``metric``: the stratum columns
        (``event``), ``outlet``, ``other``, ``metric``, ``difference`` (outlet - other),
        ``difference_lo``, ``difference_hi``, ``value``, ``value_other``, ``unit``,
        ``unit_other``.
    """
    func = "pairwise_differences"
    by = _as_list(by)
    if not by:
        raise ValueError(f"{func}: parameter by must name at least the outlet column")
    frame, names, reps = _estimates(sentence_metrics, articles, metrics, by, n_boot, ci, random_state,
                                    unit, func)
    strata, oc = by[:-1], by[-1]
    if outlets is not None:
        if len(outlets) != 2:
            raise ValueError(f"{func}: parameter outlets must be a pair (a, b); got {outlets!r}")
        pairs_wanted = [tuple(outlets)]
    rows = []
    grouped = frame.groupby(strata, sort=True, dropna=False) if strata else [((), frame)]
    for key, g in grouped:
        key_t = key if isinstance(key, tuple) else (key,)
        pos = dict(zip(g[oc], g.index))
        pairs = pairs_wanted if outlets is not None else list(permutations(sorted(pos), 2))
        for a, b in pairs:
            if a not in pos or b not in pos:
                continue
            ia, ib = pos[a], pos[b]
            for m_i, n in enumerate(names):
                d = reps[m_i, ia] - reps[m_i, ib]
                lo, hi = _percentile(d, ci)
                va, vb = frame.at[ia, n], frame.at[ib, n]
                rows.append((*key_t, a, b, n, va - vb, float(lo), float(hi), va, vb,
                             frame.at[ia, f"{n}_unit"], frame.at[ib, f"{n}_unit"]))
    cols = strata + ["outlet", "other", "metric", "difference", "difference_lo", "difference_hi",
                     "value", "value_other", "unit", "unit_other"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(strata + ["outlet", "other", "metric"], kind="stable").reset_index(drop=True)


def pooled_outlet_effects(data: pd.DataFrame, metrics=None, *, articles: pd.DataFrame | None = None,
                          method: str = "centered", event: str = "event", outlet: str = "outlet",
                          n_boot: int = 2000, ci: float = 0.95, random_state=0, min_outlets: int = 2,
                          unit: str = "auto") -> pd.DataFrame:
    """Outlet effects pooled over events, comparing outlets only *within* events.

    Raw averages over events credit an outlet with the events it happened to cover (an outlet
    that covered only a grim event looks negative). Here each event is first reduced to
    within-event contrasts, then the contrasts are averaged over events, each event weighted
    equally:

    * ``method="centered"``: an outlet's value minus the mean of all outlets covering that event,
      itself included (so with k outlets it is (1 - 1/k) times its distance from the others'
      mean); events with fewer than ``min_outlets`` outlets are dropped. The effect is the mean
      of these deviations over the events the outlet covered.
    * ``method="pairwise"``: for each ordered pair (outlet, other), the mean of outlet - other over
      the events both covered.

    Intervals: bootstrap over events (the events an outlet, or a pair, covered are resampled with
    replacement). If ``articles`` is given, ``data`` is a sentence-level frame and ``metrics`` a
    dict as in :func:`outlet_estimates`, and the bootstrap is two-stage: every replicate also
    redraws each event-outlet value from its within-event bootstrap replicate, so sampling
    variability inside events enters the interval. Otherwise ``data`` is an
    :func:`outlet_estimates` frame and the event values are taken as fixed.

    Parameters
    ----------
    data : DataFrame
        Outlet estimates (``event, outlet, <metric>...``) or sentence metrics (with ``articles``).
    metrics : list of str or dict, optional
        Estimates input: metric columns (default: every column ``m`` with ``m_lo`` and ``m_hi``).
        Sentence input: dict name -> statistic (required).
    articles : DataFrame, optional
        Articles frame (``doc_id, event, outlet``), switches on the sentence-level input.
    method : "centered" or "pairwise"
    event, outlet : str
        Column names.
    min_outlets : int, default 2
        Minimum number of outlets an event needs to be used.

    Returns
    -------
    DataFrame
        Sorted by outlet (, other), metric: ``outlet`` (, ``other`` for "pairwise"), ``metric``,
        ``effect``, ``effect_lo``, ``effect_hi``, ``n_events``. ``effect`` is in the metric's
        units (e.g. hedges per 1,000 words above the event average).

    Notes
    -----
    With few events (fewer than about 10) the event bootstrap is coarse and its interval too
    narrow; ``n_events`` is reported so readers can judge.
    """
    func = "pooled_outlet_effects"
    if method not in ("centered", "pairwise"):
        raise ValueError(f"{func}: parameter method must be 'centered' or 'pairwise'; got {method!r}")
    _check_boot(n_boot, ci, func)
    n_boot = int(n_boot)
    seed = _seed_int(random_state)
    if articles is not None:
        frame, names, reps = _estimates(data, articles, metrics, [event, outlet], n_boot, ci,
                                        random_state, unit, func)
    else:
        _check(data, [event, outlet], "data", func)
        if metrics is None:
            names = [c for c in data.columns if f"{c}_lo" in data.columns and f"{c}_hi" in data.columns]
            if not names:
                raise ValueError(f"{func}: data has no metric columns with _lo/_hi bounds; pass metrics=[...] "
                                 "or sentence metrics with articles=")
        else:
            names = list(metrics)
        _check(data, names, "data", func)
        frame = data.reset_index(drop=True)
        reps = None
    events = sorted(frame[event].astype(str).unique())
    outs = sorted(frame[outlet].astype(str).unique())
    ev_i = {e: i for i, e in enumerate(events)}
    out_i = {o: i for i, o in enumerate(outs)}
    E, O = len(events), len(outs)
    rows = []
    for m_i, name in enumerate(names):
        X = np.full((E, O), np.nan)
        XB = np.full((n_boot, E, O), np.nan) if reps is not None else None
        for r_i, (e, o, v) in enumerate(zip(frame[event].astype(str), frame[outlet].astype(str),
                                            pd.to_numeric(frame[name], errors="coerce"))):
            X[ev_i[e], out_i[o]] = v
            if XB is not None:
                XB[:, ev_i[e], out_i[o]] = reps[m_i, r_i] if np.isfinite(v) else np.nan
        covered = np.isfinite(X)
        keep_e = covered.sum(axis=1) >= int(min_outlets)
        if method == "centered":
            with np.errstate(all="ignore"):
                D = X - np.nanmean(np.where(keep_e[:, None], X, np.nan), axis=1, keepdims=True)
                DB = None if XB is None else XB - np.nanmean(XB, axis=2, keepdims=True)
            for o in outs:
                j = out_i[o]
                ev = np.flatnonzero(covered[:, j] & keep_e)
                eff, lo, hi = _pool(D[ev, j], None if DB is None else DB[:, ev, j], n_boot, ci,
                                    _rng(seed, "pooled", o))
                rows.append((o, name, eff, lo, hi, len(ev)))
        else:
            for a, b in permutations(outs, 2):
                ja, jb = out_i[a], out_i[b]
                ev = np.flatnonzero(covered[:, ja] & covered[:, jb] & keep_e)
                d = X[ev, ja] - X[ev, jb]
                dB = None if XB is None else XB[:, ev, ja] - XB[:, ev, jb]
                # the pair's resample is shared by (a, b) and (b, a): the sign flips exactly
                eff, lo, hi = _pool(d, dB, n_boot, ci, _rng(seed, "pooled", *sorted((a, b))))
                rows.append((a, b, name, eff, lo, hi, len(ev)))
    if method == "centered":
        cols = ["outlet", "metric", "effect", "effect_lo", "effect_hi", "n_events"]
        keys = ["outlet", "metric"]
    else:
        cols = ["outlet", "other", "metric", "effect", "effect_lo", "effect_hi", "n_events"]
        keys = ["outlet", "other", "metric"]
    out = pd.DataFrame(rows, columns=cols)
    out["n_events"] = out["n_events"].astype("int64")
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def _pool(d: np.ndarray, dB: np.ndarray | None, n_boot: int, ci: float, rng: np.random.Generator):
    """Mean of per-event contrasts ``d`` and its event-bootstrap percentile interval.

    ``dB`` (n_boot x events) are within-event replicates of the contrasts (two-stage bootstrap).
    """
    m = len(d)
    if m == 0:
        return np.nan, np.nan, np.nan
    eff = float(np.mean(d))
    idx = rng.integers(0, m, size=(n_boot, m))
    with np.errstate(all="ignore"):
        boot = (d[idx] if dB is None else np.take_along_axis(dB, idx, axis=1)).mean(axis=1)
    lo, hi = _percentile(boot, ci)
    return eff, float(lo), float(hi)
