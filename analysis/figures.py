"""Frames -> figures: one place for outlet order, colours and labels; reshaping only, no new metrics.

Every figure of the kit is registered in :data:`FIGURES` as a :class:`FigureSpec`: a *data*
function that reshapes the kit's tables into one tidy frame (long form, one row per plotted
observation, the values the figure shows and nothing else) and a *plot* function that draws that
frame. Tests compare the tidy frames (Altair style: test the data, not pixels); the same frames
are written as CSV next to each figure by :func:`build_figures`.

Conventions (see ``shared/STYLE.md``):

* outlets are ordered once (:func:`outlet_order`, sorted by name unless an order is given) and
  coloured once (:func:`outlet_colors`, the Okabe-Ito colour-blind-safe palette);
* categories (voice, speaker group, hedge category) have fixed colours and orders, also here;
* figures are deterministic: bare Figure objects (no pyplot state), sorted data, seeded jitter,
  fixed SVG hash salt, glyphs drawn as paths,
  no timestamps in the files, so re-running gives byte-identical PNG and SVG files;
* a figure whose table is empty is *not available* (never an error):
  :func:`make_figure` returns an :class:`Unavailable` note saying which table is empty.

Public API: :func:`outlet_order`, :func:`outlet_colors`, :func:`metric_columns`,
:func:`figure_data`, :func:`make_figure`, :func:`render_figures`, :func:`build_figures`,
:func:`save_figure`, :data:`FIGURES`, :data:`OKABE_ITO`.
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from .tokens import count_words

__all__ = ["table", "OKABE_ITO", "FIGURES", "FigureSpec", "FigureResult", "Unavailable", "outlet_order",
           "outlet_colors", "category_colors", "metric_columns", "figure_data", "make_figure",
           "render_figures", "build_figures", "save_figure", "STYLE"]

#: Okabe & Ito (2008) colour-blind-safe palette, in the order outlets receive the colours
#: (yellow last: weakest contrast on white; black reserved for means and intervals).
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
             "#000000"]
#: Colours for categories that are not outlets (voice, speaker group, variants ...).
CATEGORY_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                    "#999999", "#000000"]
GREY = "#BBBBBB"
INK = "#222222"

VOICE_ORDER = ["own", "attributed", "quoted", "scare"]
VOICE_LABELS = {"own": "own voice (narration)", "attributed": "attributed (reported speech)",
                "quoted": "inside a quotation", "scare": "scare quotes"}
SPEAKER_GROUP_ORDER = ["western_official", "ukrainian_official", "russian_official", "separatist",
                       "analyst_expert", "media", "other", "unknown"]
HEDGE_ORDER = ["hedge", "booster", "evidential", "reporting_neutral", "reporting_distancing",
               "reporting_endorsing"]
HEDGE_LABELS = {"hedge": "hedges", "booster": "boosters", "evidential": "evidentials",
                "reporting_neutral": "reporting verbs: neutral",
                "reporting_distancing": "reporting verbs: distancing",
                "reporting_endorsing": "reporting verbs: endorsing"}
READABILITY_KEYS = ("flesch", "kincaid", "fog", "smog", "coleman", "dale", "read_",
                    "sentence_length", "readab")

#: rcParams every figure is drawn and saved with (deterministic output, system-independent font).
STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: same glyphs on every machine
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.edgecolor": "#888888",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.6,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "figure.titlesize": 11,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "media-kit",
    "svg.fonttype": "path",  # glyphs as paths: the SVG renders the same without the font
    "path.simplify": True,
    "image.composite_image": True,
}
DPI = 150
WIDTH = 8.0  # inches; 1200 px at 150 dpi


# ---------------------------------------------------------------------------------------------
# tables, order, colours
# ---------------------------------------------------------------------------------------------
def _table(tables, name: str) -> pd.DataFrame:
    """The frame ``name`` of a Tables/dict, or an empty frame when missing."""
    try:
        frame = tables[name]
    except (KeyError, TypeError):
        return pd.DataFrame()
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


def table(tables, name: str) -> pd.DataFrame:
    """Table ``name`` from a :class:`~analysis.pipeline.Tables` (or dict of frames); an empty
    frame when the tables do not have it (yet), so notebooks never fail on a missing table."""
    return _table(tables, name)


def _articles(tables) -> pd.DataFrame:
    a = _table(tables, "articles")
    if a.empty or "doc_id" not in a.columns:
        return pd.DataFrame(columns=["doc_id", "outlet", "event"])
    a = a.copy()
    a["doc_id"] = a["doc_id"].astype(str)
    for col in ("outlet", "event"):
        a[col] = a[col].fillna("unknown").astype(str) if col in a.columns else "unknown"
    return a


def _with_outlet(frame: pd.DataFrame, tables) -> pd.DataFrame:
    """Add ``outlet`` and ``event`` from ``articles`` (by doc_id) where the frame lacks them."""
    frame = frame.copy()
    need = [c for c in ("outlet", "event") if c not in frame.columns]
    if need and "doc_id" in frame.columns:
        frame["doc_id"] = frame["doc_id"].astype(str)
        meta = _articles(tables)[["doc_id"] + need]
        frame = frame.merge(meta, on="doc_id", how="left")
    for col in ("outlet", "event"):
        if col not in frame.columns:
            frame[col] = "unknown"
        frame[col] = frame[col].fillna("unknown").astype(str)
    return frame


def outlet_order(tables=None, order: Sequence[str] | None = None) -> list[str]:
    """The order outlets appear in every figure and table: ``order`` if given (outlets missing
    from it are appended by name), else sorted by name (case-insensitive, then exact)."""
    names: set[str] = set()
    if isinstance(tables, pd.DataFrame):
        if "outlet" in tables.columns:
            names |= set(tables["outlet"].dropna().astype(str))
    elif tables is not None:
        for key in ("articles", "outlets"):
            f = _table(tables, key)
            if "outlet" in f.columns:
                names |= set(f["outlet"].dropna().astype(str))
    ranked = sorted(names, key=lambda s: (s.casefold(), s))
    if order is None:
        return ranked
    given = [str(o) for o in order]
    return given + [o for o in ranked if o not in given]


def outlet_colors(outlets: Sequence[str]) -> dict[str, str]:
    """Outlet -> colour (Okabe-Ito, in outlet order; repeats after eight outlets)."""
    return {o: OKABE_ITO[i % len(OKABE_ITO)] for i, o in enumerate(outlets)}


def category_colors(categories: Sequence[str]) -> dict[str, str]:
    """Category -> colour for non-outlet categories (``unknown``/``other`` get grey)."""
    out, i = {}, 0
    for c in categories:
        if str(c) in ("unknown", ""):
            out[c] = GREY
            continue
        out[c] = CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)]
        i += 1
    return out


def _ordered(values, preferred: Sequence[str]) -> list[str]:
    vals = [str(v) for v in pd.unique(pd.Series(list(values), dtype=object).dropna())]
    first = [p for p in preferred if p in vals]
    return first + sorted((v for v in vals if v not in preferred), key=lambda s: (s.casefold(), s))


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """Metric columns of an estimates frame: every ``X`` with ``X_lo`` and ``X_hi`` columns."""
    cols = set(frame.columns)
    return [c for c in frame.columns if f"{c}_lo" in cols and f"{c}_hi" in cols]


def _label(name: str) -> str:
    """Readable label for a metric column name."""
    special = {
        "vader_compound_mean": "mean VADER compound",
        "vader_compound": "VADER compound",
        "quote_word_share": "share of words inside quotations",
        "flesch_reading_ease": "Flesch Reading Ease (higher = easier)",
        "read_flesch_reading_ease": "Flesch Reading Ease (higher = easier)",
        "flesch_kincaid_grade": "Flesch-Kincaid grade (higher = harder)",
        "read_flesch_kincaid_grade": "Flesch-Kincaid grade (higher = harder)",
        "read_gunning_fog": "Gunning Fog index (higher = harder)",
        "read_smog_index": "SMOG grade (higher = harder)",
        "read_coleman_liau_index": "Coleman-Liau index (higher = harder)",
        "read_dale_chall": "Dale-Chall score (higher = harder)",
        "read_mean_sentence_length": "words per sentence",
        "mean_sentence_length": "words per sentence",
    }
    if name in special:
        return special[name]
    s = name
    for cat, lab in sorted(HEDGE_LABELS.items(), key=lambda kv: -len(kv[0])):
        if s.startswith(cat):
            s = lab + s[len(cat):]
            break
    s = s.replace("_per_1k_words", " per 1,000 words").replace("_per_1k", " per 1,000 words")
    if s.startswith("read_"):
        s = s[5:]
    return s.replace("_", " ")


def _pretty(value) -> str:
    """A data value as a label: snake_case ids read as words (``ukraine_government``)."""
    return str(value).replace("_", " ")


def _trunc(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _n_events(df: pd.DataFrame) -> int:
    return df["event"].nunique() if "event" in df.columns else 1


def _row_keys(df: pd.DataFrame, order: list[str]) -> list[tuple[str, str]]:
    """(event, outlet) pairs present in ``df``, events sorted, outlets in ``order``."""
    pairs = set(zip(df["event"].astype(str), df["outlet"].astype(str)))
    rank = {o: i for i, o in enumerate(order)}
    return sorted(pairs, key=lambda p: (p[0], rank.get(p[1], len(rank)), p[1]))


def _row_label(key: tuple[str, str], multi: bool) -> str:
    return f"{key[1]}\n({key[0]})" if multi else key[1]


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------
@dataclass
class Unavailable:
    """A figure that cannot be drawn from these tables, with the reason (shown in reports)."""

    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: not available: {self.reason}"

    def _repr_markdown_(self) -> str:
        return f"*Figure `{self.name}` not available: {self.reason}.*"

    def __repr__(self) -> str:
        return str(self)


class _NotAvailable(Exception):
    pass


@dataclass
class FigureSpec:
    """One registered figure: tidy-data function, plot function and report texts."""

    name: str
    title: str
    caption: str
    section: str
    tables: tuple[str, ...]
    data: Callable[..., pd.DataFrame]
    plot: Callable[..., Figure]


@dataclass
class FigureResult:
    """A rendered figure (``figure`` and tidy ``data``) or an unavailable one (``reason``)."""

    spec: FigureSpec
    figure: Figure | None = None
    data: pd.DataFrame | None = None
    reason: str | None = None
    paths: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def available(self) -> bool:
        return self.figure is not None


def _require(tables, name: str, columns: Sequence[str] = ()) -> pd.DataFrame:
    frame = _table(tables, name)
    if frame.empty:
        raise _NotAvailable(f"table {name} is empty")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise _NotAvailable(f"table {name} has no column {', '.join(missing)}")
    return frame


def _filter_event(frame: pd.DataFrame, event) -> pd.DataFrame:
    if event is None or "event" not in frame.columns:
        return frame
    return frame[frame["event"].astype(str) == str(event)]


def _finish(df: pd.DataFrame, keys: Sequence[str], order: list[str]) -> pd.DataFrame:
    """Sort a tidy frame deterministically (outlets in figure order) and reset the index."""
    df = df.copy()
    sort_cols = [k for k in keys if k in df.columns]
    if "outlet" in df.columns:
        rank = {o: i for i, o in enumerate(order)}
        df["_o"] = df["outlet"].map(rank).fillna(len(rank)).astype(int)
        sort_cols = [("_o" if k == "outlet" else k) for k in sort_cols]
    if sort_cols:
        df = df.sort_values(sort_cols, kind="stable")
    return df.drop(columns=["_o"], errors="ignore").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# drawing helpers
# ---------------------------------------------------------------------------------------------
def _new_figure(height: float, ncols: int = 1, nrows: int = 1, width: float = WIDTH, **kw):
    # a bare Figure (not pyplot): nothing global to close, and a notebook shows it once
    fig = Figure(figsize=(width, max(1.8, height)), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _title(fig: Figure, title: str, note: str | None = None) -> None:
    """Figure title (what is shown) at the top, a short reading note at the bottom."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold", color=INK)
    if note:
        fig.supxlabel(textwrap.fill(note, 135), x=0.01, ha="left", fontsize=7.5,
                      color="#555555", fontweight="normal")


def _grid_x(ax) -> None:
    ax.grid(True, axis="x")
    ax.set_axisbelow(True)


def _point_ci_panels(data: pd.DataFrame, order: list[str], title: str, subtitle: str,
                     ncols: int = 2) -> Figure:
    """Small multiples: one panel per metric, one row per outlet, point and interval."""
    metrics = list(dict.fromkeys(data["metric"]))
    multi = _n_events(data) > 1
    keys = _row_keys(data, order)
    colors = outlet_colors(order)
    ncols = min(ncols, len(metrics))
    nrows = -(-len(metrics) // ncols)
    fig, axes = _new_figure(0.9 + nrows * (0.45 + 0.24 * len(keys) * (1.6 if multi else 1)),
                            ncols=ncols, nrows=nrows, sharey=True)
    ypos = {k: len(keys) - 1 - i for i, k in enumerate(keys)}
    for i, metric in enumerate(metrics):
        ax = axes[i // ncols][i % ncols]
        d = data[data["metric"] == metric]
        has_ci = False
        for row in d.itertuples(index=False):
            key = (str(row.event), str(row.outlet))
            y = ypos[key]
            c = colors.get(key[1], INK)
            lo, hi = getattr(row, "lo", np.nan), getattr(row, "hi", np.nan)
            if pd.notna(lo) and pd.notna(hi):
                has_ci = True
                ax.plot([lo, hi], [y, y], color=c, lw=2.2, solid_capstyle="butt")
            ax.plot([row.value], [y], "o", color=c, ms=6, mec="white", mew=0.8, zorder=3,
                    clip_on=False)
        unit = d["unit"].iloc[0] if "unit" in d.columns and len(d) else ""
        panel = _label(metric)
        if unit.startswith("per 1,000 words"):
            panel = panel.replace(" per 1,000 words", "")
        ax.set_title(textwrap.fill(panel, 28 if ncols > 2 else 60))
        ax.set_xlabel(unit + ("" if has_ci else "  (no interval available)"))
        _grid_x(ax)
        ax.set_yticks(list(ypos.values()), [_row_label(k, multi) for k in ypos])
        ax.set_ylim(-0.6, len(keys) - 0.4)
        vals = pd.concat([d["value"], d.get("lo", d["value"]), d.get("hi", d["value"])]).dropna()
        if len(vals) and vals.min() >= 0:
            ax.set_xlim(0, max(float(vals.max()) * 1.08, 1.0))
    for j in range(len(metrics), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    _title(fig, title, subtitle)
    return fig


def _stacked_barh(ax, rows: list, labels: list[str], cats: list[str], values: pd.DataFrame,
                  colors: dict[str, str], totals: list | None = None, hatch_rows=()) -> None:
    """Horizontal stacked bars: ``values`` indexed by row key with one column per category."""
    n = len(rows)
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    for cat in cats:
        v = np.array([float(values.at[r, cat]) if r in values.index and cat in values.columns
                      and pd.notna(values.at[r, cat]) else 0.0 for r in rows])
        ax.barh(y, v, left=left, color=colors[cat], edgecolor="white", linewidth=0.5, height=0.72,
                label=cat)
        left += v
    for i in hatch_rows:
        ax.barh([y[i]], [left[i]], fill=False, hatch="////", edgecolor="white", linewidth=0,
                height=0.72)
    if totals is not None:
        for yy, lft, t in zip(y, left, totals):
            if t is not None:
                ax.text(lft, yy, f" {t}", va="center", ha="left", fontsize=7.5, color="#444444")
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, n - 0.4)


# ---------------------------------------------------------------------------------------------
# 1. corpus: article lengths and removed page furniture
# ---------------------------------------------------------------------------------------------
def article_lengths_data(tables, event=None, order=None) -> pd.DataFrame:
    """One row per article (``measure="body_words"``) and per article x furniture rule
    (``measure="removed_lines"``): ``event, outlet, doc_id, measure, category, value``."""
    a = _filter_event(_articles(tables), event)
    if a.empty:
        raise _NotAvailable("table articles is empty")
    if "n_words" not in a.columns:
        raise _NotAvailable("table articles has no column n_words")
    order = outlet_order(a, order)
    rows = a[["event", "outlet", "doc_id"]].assign(measure="body_words", category="words",
                                                   value=pd.to_numeric(a["n_words"]).astype(int))
    removed = _table(tables, "removed")
    if not removed.empty and {"doc_id", "rule"} <= set(removed.columns):
        r = removed.copy()
        r["doc_id"] = r["doc_id"].astype(str)
        r = r[r["doc_id"].isin(set(a["doc_id"]))]
        r = r.groupby(["doc_id", "rule"], as_index=False).size().rename(
            columns={"size": "value", "rule": "category"})
        r = r.merge(a[["doc_id", "event", "outlet"]], on="doc_id").assign(measure="removed_lines")
        rows = pd.concat([rows, r[rows.columns]], ignore_index=True)
    return _finish(rows, ["event", "outlet", "doc_id", "measure", "category"], order)


def article_lengths_plot(data: pd.DataFrame, order=None) -> Figure:
    order = outlet_order(data, order)
    colors = outlet_colors(order)
    multi = _n_events(data) > 1
    words = data[data["measure"] == "body_words"]
    removed = data[data["measure"] == "removed_lines"]
    keys = _row_keys(words, order)
    labels = [_row_label(k, multi) for k in keys]
    fig, axes = _new_figure(1.1 + 0.36 * len(keys) * (1.5 if multi else 1), ncols=2,
                            gridspec_kw={"width_ratios": [3, 2]}, sharey=True)
    ax = axes[0][0]
    y = np.arange(len(keys))[::-1]
    for yy, key in zip(y, keys):
        d = words[(words["event"] == key[0]) & (words["outlet"] == key[1])].sort_values("doc_id")
        vals = d["value"].to_numpy(float)
        ax.barh([yy], [vals.mean()], color=colors.get(key[1], INK), height=0.62, alpha=0.9)
        if len(vals) > 1:
            offs = np.linspace(-0.22, 0.22, len(vals))
            ax.plot(vals, yy + offs, "o", color=INK, ms=3.5, mfc="white", mew=0.9)
            note = f" mean {vals.mean():,.0f} ({len(vals)} articles)"
        else:
            note = f" {vals[0]:,.0f}"
        ax.text(max(vals.max(), vals.mean()), yy, note, va="center", fontsize=7.5, color="#444444")
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(keys) - 0.4)
    ax.set_xlabel("words in the article body (after page furniture removed)")
    ax.set_title("Article length")
    ax.margins(x=0.18)
    _grid_x(ax)
    ax2 = axes[0][1]
    ax2.set_title("Page furniture removed")
    ax2.set_xlabel("lines removed (by rule)")
    if removed.empty:
        ax2.text(0.5, 0.5, "no lines removed", transform=ax2.transAxes, ha="center",
                 va="center", color="#666666")
        ax2.set_xticks([])
    else:
        cats = sorted(removed["category"].astype(str).unique())
        table = removed.groupby([removed["event"].astype(str), removed["outlet"].astype(str),
                                 "category"])["value"].sum().unstack("category")
        totals = [int(table.loc[[k]].sum(axis=1).iloc[0]) if k in table.index else None
                  for k in keys]
        _stacked_barh(ax2, keys, labels, cats, table, category_colors(cats), totals=totals)
        fig.legend(*ax2.get_legend_handles_labels(), loc="outside right upper", fontsize=7.5,
                   handlelength=1, title="rule", title_fontsize=7.5)
        ax2.margins(x=0.15)
        _grid_x(ax2)
        ax2.xaxis.get_major_locator().set_params(integer=True)
    _title(fig, "How long each article is and what was stripped before analysis",
           "Bars: words per article (mean when an outlet has several). Right: page furniture "
           "(captions, credits, comment notices ...) removed, by rule; see removed.csv.")
    return fig


# ---------------------------------------------------------------------------------------------
# 2. terminology and voice
# ---------------------------------------------------------------------------------------------
def term_variants_data(tables, event=None, order=None, max_concepts: int = 8) -> pd.DataFrame:
    """Share of each variant within its concept, per outlet, over all voices and in the outlet's
    own voice: ``event, outlet, concept, variant, framing, scope, n, share``.

    From ``term_shares`` (``n, share, n_own, share_own``) when available, else counted from
    ``terms`` (share = variant matches / concept matches of the outlet).
    """
    ts = _filter_event(_table(tables, "term_shares"), event)
    order = outlet_order(tables, order)
    if not ts.empty and {"outlet", "concept", "variant", "n", "share"} <= set(ts.columns):
        ts = ts.copy()
        if "event" not in ts.columns:
            ts["event"] = "unknown"
        if "framing" not in ts.columns:
            ts["framing"] = ""
        parts = [ts.assign(scope="all voices")[["event", "outlet", "concept", "variant",
                                                 "framing", "scope", "n", "share"]]]
        if {"n_own", "share_own"} <= set(ts.columns):
            parts.append(ts.assign(scope="own voice", n=ts["n_own"], share=ts["share_own"])[
                parts[0].columns])
        data = pd.concat(parts, ignore_index=True)
    else:
        terms = _filter_event(_with_outlet(_require(tables, "terms", ["concept", "variant"]),
                                           tables), event)
        if terms.empty:
            raise _NotAvailable("table terms is empty")
        terms = terms.copy()
        if "framing" not in terms.columns:
            terms["framing"] = ""
        pieces = []
        scopes = [("all voices", terms)]
        if "voice" in terms.columns:
            scopes.append(("own voice", terms[terms["voice"] == "own"]))
        for scope, t in scopes:
            g = t.groupby(["event", "outlet", "concept", "variant"], as_index=False).agg(
                framing=("framing", "first"), n=("variant", "size"))
            g["share"] = g["n"] / g.groupby(["event", "outlet", "concept"])["n"].transform("sum")
            pieces.append(g.assign(scope=scope))
        data = pd.concat(pieces, ignore_index=True)[["event", "outlet", "concept", "variant",
                                                     "framing", "scope", "n", "share"]]
    data["framing"] = data["framing"].fillna("").astype(str)
    data["n"] = pd.to_numeric(data["n"], errors="coerce").fillna(0).astype(int)
    data["share"] = pd.to_numeric(data["share"], errors="coerce").fillna(0.0)
    data = data[data["n"] > 0]
    if data.empty:
        raise _NotAvailable("no term matches")
    # keep the most used concepts (deterministic: by total matches, then name)
    tot = data[data["scope"] == "all voices"].groupby("concept")["n"].sum()
    keep = sorted(tot.index, key=lambda c: (-tot[c], c))[:max_concepts]
    data = data[data["concept"].isin(keep)]
    return _finish(data, ["concept", "event", "outlet", "scope", "variant"], order)


def term_variants_plot(data: pd.DataFrame, order=None) -> Figure:
    order = outlet_order(data, order)
    multi = _n_events(data) > 1
    concepts = sorted(data["concept"].unique(), key=lambda c: (-data.loc[
        (data["concept"] == c) & (data["scope"] == "all voices"), "n"].sum(), c))
    scopes = [s for s in ("all voices", "own voice") if s in set(data["scope"])]
    all_keys = _row_keys(data, order)
    per_panel = [(c, data[data["concept"] == c], all_keys) for c in concepts]
    heights = [0.55 + 0.19 * len(keys) * len(scopes) for _, _, keys in per_panel]
    fig, axes = _new_figure(0.8 + sum(heights), nrows=len(concepts),
                            gridspec_kw={"height_ratios": heights})
    for ax, (concept, d, keys) in zip(axes[:, 0], per_panel):
        tot = d[d["scope"] == "all voices"].groupby("variant")["n"].sum()
        variants = sorted(d["variant"].unique(), key=lambda v: (-tot.get(v, 0), v))
        framing = d.groupby("variant")["framing"].first()
        colors = category_colors(variants)
        rows, labels, totals, hatched = [], [], [], []
        wide = d.pivot_table(index=["event", "outlet", "scope"], columns="variant",
                             values="share", aggfunc="sum")
        nsum = d.groupby(["event", "outlet", "scope"])["n"].sum()
        for k in keys:
            for s in scopes:
                rows.append((k[0], k[1], s))
                name = _row_label(k, multi).replace("\n", " ")
                labels.append(f"{name} \u2014 all voices" if s == "all voices" else
                              "own voice only" if len(scopes) > 1 else name)
                n = nsum.get((k[0], k[1], s))
                totals.append(f"n={int(n)}" if n is not None and not pd.isna(n) else "n=0")
                if s == "own voice":
                    hatched.append(len(rows) - 1)
        _stacked_barh(ax, rows, labels, variants, wide, colors, totals=totals)
        for b in range(1, len(keys)):
            ax.axhline(len(rows) - b * len(scopes) - 0.5, color="#CCCCCC", lw=0.6)
        ax.set_xlim(0, 1.13)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.set_title(_pretty(concept))
        handles = [Rectangle((0, 0), 1, 1, color=colors[v]) for v in variants]
        names = [f"{_pretty(v)} ({_pretty(framing[v])})" if framing.get(v) else _pretty(v)
                 for v in variants]
        ax.legend(handles, names, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7.5,
                  handlelength=1)
        _grid_x(ax)
    axes[-1][0].set_xlabel("share of the concept's mentions using each variant "
                           "(all voices, and the outlet's own narration only)")
    _title(fig, "Which word each outlet uses for contested concepts",
           "Each bar sums to 100% of the concept's mentions in the outlet; n = mentions. "
           "'own' counts only the journalist's narration (not quotations or attributed speech).")
    return fig


def voice_mix_data(tables, event=None, order=None) -> pd.DataFrame:
    """Term matches by voice per outlet: ``event, outlet, voice, n, share`` (share of the
    outlet's term matches)."""
    terms = _filter_event(_with_outlet(_require(tables, "terms", ["voice"]), tables), event)
    if terms.empty:
        raise _NotAvailable("table terms is empty")
    order = outlet_order(tables, order)
    g = terms.groupby(["event", "outlet", "voice"], as_index=False).size().rename(
        columns={"size": "n"})
    g["share"] = g["n"] / g.groupby(["event", "outlet"])["n"].transform("sum")
    rank = {v: i for i, v in enumerate(_ordered(g["voice"], VOICE_ORDER))}
    g["_v"] = g["voice"].map(rank)
    return _finish(g, ["event", "outlet", "_v"], order).drop(columns="_v")


def voice_mix_plot(data: pd.DataFrame, order=None) -> Figure:
    order = outlet_order(data, order)
    multi = _n_events(data) > 1
    keys = _row_keys(data, order)
    voices = _ordered(data["voice"], VOICE_ORDER)
    colors = category_colors(voices)
    fig, axes = _new_figure(1.3 + 0.34 * len(keys) * (1.5 if multi else 1))
    ax = axes[0][0]
    wide = data.pivot_table(index=["event", "outlet"], columns="voice", values="share",
                            aggfunc="sum")
    n = data.groupby(["event", "outlet"])["n"].sum()
    _stacked_barh(ax, keys, [_row_label(k, multi) for k in keys], voices, wide, colors,
                  totals=[f"n={int(n.get(k, 0))}" for k in keys])
    ax.set_xlim(0, 1.12)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("share of the outlet's contested-term mentions, by who is speaking")
    handles = [Rectangle((0, 0), 1, 1, color=colors[v]) for v in voices]
    fig.legend(handles, [VOICE_LABELS.get(v, v) for v in voices], loc="outside right upper",
               title="voice", title_fontsize=7.5)
    _grid_x(ax)
    _title(fig, "Whose words carry the contested terms",
           "Own voice = the journalist's narration; attributed = reported speech without "
           "quotation marks; quoted = inside a quotation; scare = a term set in scare quotes.")
    return fig


# ---------------------------------------------------------------------------------------------
# 3. tone and certainty
# ---------------------------------------------------------------------------------------------
def _pick_metric(frame: pd.DataFrame, *needles: str, prefer: Sequence[str] = ()) -> str | None:
    metrics = metric_columns(frame)
    for p in prefer:
        if p in metrics:
            return p
    for m in metrics:
        if all(n in m for n in needles):
            return m
    return None


def sentiment_data(tables, event=None, order=None) -> pd.DataFrame:
    """Sentence VADER compound scores (``kind="sentence"``) and each outlet's mean with its
    interval from ``outlets`` (``kind="outlet_mean"``): ``event, outlet, kind, doc_id, sent_id,
    value, lo, hi``."""
    s = _require(tables, "sentences", ["vader_compound"])
    s = _filter_event(_with_outlet(s, tables), event)
    s = s[pd.to_numeric(s["vader_compound"], errors="coerce").notna()]
    if s.empty:
        raise _NotAvailable("column vader_compound of table sentences is empty")
    order = outlet_order(tables, order)
    sent = pd.DataFrame({"event": s["event"], "outlet": s["outlet"], "kind": "sentence",
                         "doc_id": s["doc_id"].astype(str),
                         "sent_id": pd.to_numeric(s["sent_id"]).astype("Int64"),
                         "value": pd.to_numeric(s["vader_compound"]).astype(float),
                         "lo": np.nan, "hi": np.nan})
    outlets = _filter_event(_table(tables, "outlets"), event)
    metric = _pick_metric(outlets, "compound", prefer=("vader_compound_mean", "vader_compound",
                                                       "mean_vader_compound"))
    if metric:
        o = outlets
        means = pd.DataFrame({"event": o["event"].astype(str), "outlet": o["outlet"].astype(str),
                              "kind": "outlet_mean", "doc_id": "", "sent_id": pd.NA,
                              "value": o[metric].astype(float), "lo": o[f"{metric}_lo"].astype(float),
                              "hi": o[f"{metric}_hi"].astype(float)})
    else:  # no estimate table yet: the plain mean, drawn without an interval
        means = sent.groupby(["event", "outlet"], as_index=False)["value"].mean().assign(
            kind="outlet_mean", doc_id="", sent_id=pd.NA, lo=np.nan, hi=np.nan)
    means["sent_id"] = means["sent_id"].astype("Int64")
    data = pd.concat([sent, means[sent.columns]], ignore_index=True)
    return _finish(data, ["event", "outlet", "kind", "doc_id", "sent_id"], order)


def sentiment_plot(data: pd.DataFrame, order=None, random_state: int = 0) -> Figure:
    order = outlet_order(data, order)
    colors = outlet_colors(order)
    multi = _n_events(data) > 1
    sent = data[data["kind"] == "sentence"]
    means = data[data["kind"] == "outlet_mean"]
    keys = _row_keys(data, order)
    fig, axes = _new_figure(1.3 + 0.55 * len(keys) * (1.3 if multi else 1))
    ax = axes[0][0]
    rng = np.random.default_rng(random_state)
    y = {k: len(keys) - 1 - i for i, k in enumerate(keys)}
    ax.axvline(0, color="#999999", lw=0.8, zorder=0)
    has_ci = False
    for k in keys:
        d = sent[(sent["event"] == k[0]) & (sent["outlet"] == k[1])]
        vals = d["value"].to_numpy(float)
        c = colors.get(k[1], INK)
        if len(vals):
            ax.boxplot([vals], positions=[y[k] + 0.18], orientation="horizontal", widths=0.22,
                       showfliers=False, patch_artist=True, manage_ticks=False,
                       boxprops=dict(facecolor="white", edgecolor="#777777", lw=0.8),
                       medianprops=dict(color="#555555", lw=1.2),
                       whiskerprops=dict(color="#777777", lw=0.8),
                       capprops=dict(color="#777777", lw=0.8))
            jitter = rng.uniform(-0.13, 0.13, len(vals))
            ax.plot(vals, y[k] - 0.12 + jitter, "o", color=c, ms=3.2, alpha=0.55, mew=0)
        m = means[(means["event"] == k[0]) & (means["outlet"] == k[1])]
        for row in m.itertuples(index=False):
            if pd.notna(row.lo) and pd.notna(row.hi):
                has_ci = True
                ax.plot([row.lo, row.hi], [y[k] + 0.42] * 2, color=INK, lw=2, solid_capstyle="butt")
            ax.plot([row.value], [y[k] + 0.42], "D", color=INK, ms=5, mec="white", mew=0.6)
        ax.text(1.04, y[k], f"{len(vals)} sent.", va="center", fontsize=7.5, color="#444444")
    ax.set_yticks([v + 0.15 for v in y.values()], [_row_label(k, multi) for k in y])
    ax.set_ylim(-0.6, len(keys) - 0.25)
    ax.set_xlim(-1.05, 1.22)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax.set_xlabel("VADER compound score per sentence (\u22121 most negative, +1 most positive)")
    _grid_x(ax)
    ci = ("black diamond and line: outlet mean with 95% bootstrap interval" if has_ci else
          "black diamond: outlet mean (no interval in the outlets table)")
    _title(fig, "Sentence-level sentiment by outlet",
           f"Dots: sentences (jittered vertically); box: quartiles and 1.5 IQR; {ci}.")
    return fig


def actor_sentiment_data(tables, event=None, order=None, max_actors: int = 15) -> pd.DataFrame:
    """Mean sentiment of sentences mentioning each actor, per outlet: ``event, outlet, actor,
    n_sentences, value, lo, hi`` (from ``actor_sentiment``; the value column is discovered)."""
    a = _filter_event(_require(tables, "actor_sentiment", ["outlet", "actor"]), event).copy()
    if a.empty:
        raise _NotAvailable("table actor_sentiment is empty")
    order = outlet_order(tables, order)
    metrics = metric_columns(a)
    value = next((c for c in ("mean_compound", "vader_compound_mean", "compound_mean",
                              "vader_compound", "mean") if c in a.columns), None)
    if value is None:
        value = next((m for m in metrics), None) or next(
            (c for c in a.columns if "compound" in c and pd.api.types.is_numeric_dtype(a[c])),
            None)
    if value is None:
        raise _NotAvailable("table actor_sentiment has no mean compound column")
    n_col = next((c for c in ("n_sentences", "n", "n_mentions") if c in a.columns), None)
    if "event" not in a.columns:
        a["event"] = "unknown"
    data = pd.DataFrame({
        "event": a["event"].astype(str), "outlet": a["outlet"].astype(str),
        "actor": a["actor"].astype(str),
        "n_sentences": (pd.to_numeric(a[n_col]).fillna(0).astype(int) if n_col else 0),
        "value": pd.to_numeric(a[value], errors="coerce"),
        "lo": pd.to_numeric(a[f"{value}_lo"], errors="coerce") if f"{value}_lo" in a else np.nan,
        "hi": pd.to_numeric(a[f"{value}_hi"], errors="coerce") if f"{value}_hi" in a else np.nan,
    })
    data = data[data["value"].notna()]
    tot = data.groupby("actor")["n_sentences"].sum()
    keep = sorted(tot.index, key=lambda x: (-tot[x], x))[:max_actors]
    data = data[data["actor"].isin(keep)]
    return _finish(data, ["event", "actor", "outlet"], order)


def actor_sentiment_plot(data: pd.DataFrame, order=None) -> Figure:
    order = outlet_order(data, order)
    colors = outlet_colors(order)
    multi = _n_events(data) > 1
    tot = data.groupby(["event", "actor"])["n_sentences"].sum()
    actors = sorted(tot.index, key=lambda k: (k[0], -tot[k], k[1]))
    outlets_present = [o for o in order if o in set(data["outlet"])]
    k = len(outlets_present)
    fig, axes = _new_figure(1.4 + 0.2 * len(actors) * max(2, k) * 0.55)
    ax = axes[0][0]
    ax.axvline(0, color="#999999", lw=0.8, zorder=0)
    band = 0.8
    offs = {o: (i - (k - 1) / 2) * (band / max(k, 1)) for i, o in enumerate(outlets_present)}
    ypos = {a: len(actors) - 1 - i for i, a in enumerate(actors)}
    for i, a in enumerate(actors):
        if i % 2 == 0:
            ax.axhspan(ypos[a] - 0.5, ypos[a] + 0.5, color="#F4F4F4", zorder=0, lw=0)
    has_ci = False
    for row in data.itertuples(index=False):
        yy = ypos[(row.event, row.actor)] - offs[row.outlet]
        c = colors.get(row.outlet, INK)
        if pd.notna(row.lo) and pd.notna(row.hi):
            has_ci = True
            ax.plot([row.lo, row.hi], [yy, yy], color=c, lw=1.4, alpha=0.8)
        size = 3 + 2.2 * np.sqrt(max(row.n_sentences, 1))
        ax.plot([row.value], [yy], "o", color=c, ms=min(size, 11), mec="white", mew=0.6, zorder=3)
        ax.text(1.03, yy, f"n={row.n_sentences}", fontsize=6.5, va="center", color=c,
                transform=ax.get_yaxis_transform())
    ax.set_yticks(list(ypos.values()),
                  [f"{_pretty(a)}\n({e})" if multi else _pretty(a) for (e, a) in ypos])
    ax.set_ylim(-0.5, len(actors) - 0.5)
    ax.set_xlim(-1.02, 1.02)
    ax.set_xlabel("mean VADER compound of the sentences mentioning the actor "
                  "(\u22121 negative, +1 positive)")
    handles = [Line2D([], [], marker="o", ls="", color=colors[o]) for o in outlets_present]
    fig.legend(handles, outlets_present, loc="outside right upper", title="outlet",
               title_fontsize=7.5)
    _grid_x(ax)
    ci = "lines: 95% bootstrap interval; " if has_ci else ""
    _title(fig, "Tone of the sentences that mention each actor",
           f"One dot per outlet; dot size and n = sentences mentioning the actor; {ci}"
           "few sentences mean a fragile average.")
    return fig


def hedging_data(tables, event=None, order=None) -> pd.DataFrame:
    """Hedges, boosters, evidentials and reporting verbs per 1,000 words per outlet with the
    intervals of ``outlets``: ``event, outlet, metric, value, lo, hi, unit, source``.

    Falls back to counts from ``hedges`` over the outlet's words (no interval) when ``outlets``
    has no such metric columns.
    """
    order = outlet_order(tables, order)
    o = _filter_event(_table(tables, "outlets"), event)
    keys = ("hedge", "booster", "evidential", "reporting")
    # all-voice rates only: "<category>_own_per_1k_words" (narration only) stays in the table
    metrics = [m for m in metric_columns(o) if any(k in m for k in keys) and "1k" in m
               and "_own" not in m]
    unit = "per 1,000 words"
    if metrics:
        rank = {c: i for i, c in enumerate(HEDGE_ORDER)}
        metrics.sort(key=lambda m: (min([rank[c] for c in rank if m.startswith(c)] or [99]), m))
        rows = []
        for m in metrics:
            rows.append(pd.DataFrame({"event": o["event"].astype(str),
                                      "outlet": o["outlet"].astype(str), "metric": m,
                                      "value": o[m].astype(float), "lo": o[f"{m}_lo"].astype(float),
                                      "hi": o[f"{m}_hi"].astype(float), "unit": unit,
                                      "source": "outlets"}))
        data = pd.concat(rows, ignore_index=True)
        data["_m"] = data["metric"].map({m: i for i, m in enumerate(metrics)})
        return _finish(data, ["_m", "event", "outlet"], order).drop(columns="_m")
    h = _filter_event(_with_outlet(_require(tables, "hedges", ["category"]), tables), event)
    if h.empty:
        raise _NotAvailable("table hedges is empty")
    a = _filter_event(_articles(tables), event)
    words = a.groupby(["event", "outlet"])["n_words"].sum()
    cats = _ordered(h["category"], HEDGE_ORDER)
    cnt = h.groupby(["event", "outlet", "category"]).size()
    rows = []
    for m in cats:
        for (ev, out), w in words.items():
            n = int(cnt.get((ev, out, m), 0))
            rows.append((ev, out, f"{m}_per_1k_words", 1000.0 * n / w if w else np.nan, np.nan,
                         np.nan, unit, "hedges (counts; no interval)"))
    data = pd.DataFrame(rows, columns=["event", "outlet", "metric", "value", "lo", "hi", "unit",
                                       "source"])
    data["_m"] = data["metric"].map({f"{m}_per_1k_words": i for i, m in enumerate(cats)})
    return _finish(data, ["_m", "event", "outlet"], order).drop(columns="_m")


def hedging_plot(data: pd.DataFrame, order=None) -> Figure:
    return _point_ci_panels(
        data, outlet_order(data, order), "How firmly claims are made: hedges, boosters, "
        "evidentials and reporting verbs",
        "Rate per 1,000 words of the article bodies; lines are 95% bootstrap intervals "
        "(within-article variation when an outlet has one article).", ncols=3)


_READ_SKIP = ("_lo", "_hi", "_unit", "_valid", "read_n_", "n_sentences", "n_words")


def _readability_columns(frame: pd.DataFrame) -> list[str]:
    cols = [c for c in frame.columns if any(k in c for k in READABILITY_KEYS)
            and not any(x in c for x in _READ_SKIP) and pd.api.types.is_numeric_dtype(frame[c])]
    if "mean_sentence_length" in cols and "read_mean_sentence_length" in cols:
        cols.remove("read_mean_sentence_length")  # the same number; keep the one with an interval
    return cols


def readability_data(tables, event=None, order=None) -> pd.DataFrame:
    """Readability scores per outlet from ``outlets`` (with the ``_lo``/``_hi`` interval where
    the table has one) or, when ``outlets`` has none, per article from ``articles`` (``read_*``):
    ``event, outlet, doc_id, metric, value, lo, hi, unit``."""
    order = outlet_order(tables, order)
    o = _filter_event(_table(tables, "outlets"), event)
    metrics = _readability_columns(o) if not o.empty else []
    if metrics:
        rows = [pd.DataFrame({"event": o["event"].astype(str), "outlet": o["outlet"].astype(str),
                              "doc_id": "", "metric": m, "value": o[m].astype(float),
                              "lo": o[f"{m}_lo"].astype(float) if f"{m}_lo" in o else np.nan,
                              "hi": o[f"{m}_hi"].astype(float) if f"{m}_hi" in o else np.nan,
                              "unit": "words" if "sentence_length" in m else "score"})
                for m in metrics]
        data = pd.concat(rows, ignore_index=True)
    else:
        a = _filter_event(_articles(tables), event)
        metrics = _readability_columns(a) if not a.empty else []
        if not metrics:
            raise _NotAvailable("no readability columns in tables outlets or articles")
        data = a.melt(id_vars=["event", "outlet", "doc_id"], value_vars=metrics,
                      var_name="metric", value_name="value").assign(lo=np.nan, hi=np.nan)
        data["unit"] = np.where(data["metric"].str.contains("sentence_length"), "words",
                                "score (per article)")
    data["_m"] = data["metric"].map({m: i for i, m in enumerate(metrics)})
    return _finish(data, ["_m", "event", "outlet", "doc_id"], order).drop(columns="_m")


def readability_plot(data: pd.DataFrame, order=None) -> Figure:
    return _point_ci_panels(
        data, outlet_order(data, order), "How hard the articles are to read",
        "Classic readability formulas on the article bodies (textstat); each formula's direction "
        "is in its title. Lines: 95% bootstrap intervals where available.", ncols=3)


# ---------------------------------------------------------------------------------------------
# 4. sources
# ---------------------------------------------------------------------------------------------
def source_mix_data(tables, event=None, order=None) -> pd.DataFrame:
    """Speech quotations and quoted words by speaker group per outlet (from
    :func:`analysis.sources.source_mix`): ``event, outlet, speaker_group, n_quotes, n_words,
    share_quotes, share_words``."""
    from .sources import UNATTRIBUTED, source_mix

    q = _require(tables, "quotes", ["text", "kind", "speaker_group"])
    arts = table(tables, "articles")
    mix = source_mix(q, arts) if len(q) and len(arts) else pd.DataFrame()
    mix = _filter_event(mix, event) if len(mix) else mix
    if mix.empty:
        raise _NotAvailable("table quotes has no speech quotations")
    order = outlet_order(tables, order)
    g = mix.drop(columns=["n_first", "n_articles"])
    g["speaker_group"] = g["speaker_group"].replace(UNATTRIBUTED, "unknown")
    rank = {v: i for i, v in enumerate(_ordered(g["speaker_group"], SPEAKER_GROUP_ORDER))}
    g["_g"] = g["speaker_group"].map(rank)
    return _finish(g, ["event", "outlet", "_g"], order).drop(columns="_g")


def source_mix_plot(data: pd.DataFrame, order=None) -> Figure:
    order = outlet_order(data, order)
    multi = _n_events(data) > 1
    keys = _row_keys(data, order)
    groups = _ordered(data["speaker_group"], SPEAKER_GROUP_ORDER)
    colors = category_colors(groups)
    fig, axes = _new_figure(1.5 + 0.36 * len(keys) * (1.5 if multi else 1), ncols=2, sharey=True)
    labels = [_row_label(k, multi) for k in keys]
    for ax, col, xl, t in ((axes[0][0], "n_quotes", "quotations", "Quotations"),
                           (axes[0][1], "n_words", "words inside quotation marks",
                            "Quoted words")):
        wide = data.pivot_table(index=["event", "outlet"], columns="speaker_group", values=col,
                                aggfunc="sum")
        tot = data.groupby(["event", "outlet"])[col].sum()
        _stacked_barh(ax, keys, labels, groups, wide, colors,
                      totals=[f"{int(tot.get(k, 0))}" for k in keys])
        ax.set_xlabel(xl)
        ax.set_title(t)
        ax.margins(x=0.12)
        _grid_x(ax)
    handles = [Rectangle((0, 0), 1, 1, color=colors[g]) for g in groups]
    fig.legend(handles, [g.replace("_", " ") for g in groups], loc="outside right upper",
               title="speaker group", title_fontsize=7.5)
    _title(fig, "Who is quoted, and how much of the text they get",
           "Direct quotations (scare quotes excluded) by the speaker's group; "
           "'unknown' = no speaker attributed.")
    return fig


def shared_quotations_data(tables, event=None, order=None, max_passages: int = 30) -> pd.DataFrame:
    """Which outlets carry each shared passage: ``event, passage_id, passage_kind, label,
    outlet, doc_id, similarity`` (one row per passage x article)."""
    sh = _filter_event(_with_outlet(_require(tables, "shared", ["passage_id", "doc_id"]), tables),
                       event).copy()
    if sh.empty:
        raise _NotAvailable("table shared is empty")
    order = outlet_order(tables, order)
    if "passage_kind" not in sh.columns:
        sh["passage_kind"] = sh["kind"] if "kind" in sh.columns else ""
    sh["passage_kind"] = sh["passage_kind"].fillna("").astype(str)
    sh["similarity"] = pd.to_numeric(sh.get("similarity", 1.0), errors="coerce")
    sh["_len"] = sh["text"].fillna("").astype(str).str.len() if "text" in sh.columns else 0
    if "is_reference" in sh.columns:
        ref = sh[sh["is_reference"].astype(str).str.lower().isin(["true", "1"])]
    else:
        ref = sh.sort_values(["passage_id", "_len"], ascending=[True, False]).drop_duplicates(
            "passage_id")
    ref = ref.drop_duplicates("passage_id").set_index("passage_id")
    text = ref["text"] if "text" in ref.columns else pd.Series("", ref.index)
    kind_pref = sh.groupby("passage_id")["passage_kind"].agg(
        lambda s: "quote" if "quote" in set(s) else (sorted(set(s))[0] if len(s) else ""))
    sh["passage_kind"] = sh["passage_id"].map(kind_pref)
    sh["label"] = sh["passage_id"].map(lambda p: _trunc(text.get(p, ""), 70))
    n_out = sh.groupby("passage_id")["outlet"].nunique()
    is_quote = sh.groupby("passage_id")["passage_kind"].agg(lambda s: bool((s == "quote").any()))
    pids = sorted(n_out.index, key=lambda p: (not is_quote[p], -n_out[p], p))[:max_passages]
    data = sh[sh["passage_id"].isin(pids)][["event", "passage_id", "passage_kind", "label",
                                             "outlet", "doc_id", "similarity"]]
    data = data.assign(_p=data["passage_id"].map({p: i for i, p in enumerate(pids)}))
    return _finish(data, ["_p", "outlet", "doc_id"], order).drop(columns="_p")


def shared_quotations_plot(data: pd.DataFrame, order=None) -> Figure:
    order = [o for o in outlet_order(data, order) if o in set(data["outlet"])]
    pids = list(dict.fromkeys(data["passage_id"]))
    info = data.drop_duplicates("passage_id").set_index("passage_id")
    fig, axes = _new_figure(1.6 + 0.3 * len(pids), width=WIDTH + 1)
    ax = axes[0][0]
    mat = np.full((len(pids), len(order)), np.nan)
    sim = data.groupby(["passage_id", "outlet"])["similarity"].max()
    for i, p in enumerate(pids):
        for j, o in enumerate(order):
            if (p, o) in sim.index:
                v = sim[(p, o)]
                mat[i, j] = 1.0 if pd.isna(v) else float(v)
    cmap = matplotlib.colormaps["Blues"].with_extremes(bad="#F2F2F2")
    ax.imshow(np.ma.masked_invalid(mat), cmap=cmap, vmin=0, vmax=1.15, aspect="auto",
              interpolation="nearest")
    for i in range(len(pids)):
        for j in range(len(order)):
            if not np.isnan(mat[i, j]):
                ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if mat[i, j] > 0.6 else INK)
    ax.set_xticks(range(len(order)), [textwrap.fill(o, 12) for o in order])
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(pids)), [
        f"#{p} {'quote' if info.at[p, 'passage_kind'] == 'quote' else 'text '}  {info.at[p, 'label']}"
        for p in pids], fontsize=7.5)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_xticks(np.arange(-0.5, len(order)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(pids)), minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="minor", length=0)
    _title(fig, "Passages (mostly quotations) that several outlets carry",
           "Filled cell: the outlet carries the passage; the number is the share of words of the "
           "shorter version aligned with the longest version (1.00 = nothing trimmed).")
    return fig


# ---------------------------------------------------------------------------------------------
# 5. coverage and distinctive language
# ---------------------------------------------------------------------------------------------
def coverage_data(tables, event=None, order=None, max_units: int = 45) -> pd.DataFrame:
    """Which outlet reports which information unit: ``event, unit_id, unit_label, outlet,
    present, n_outlets`` (present = any of the outlet's articles of the event has it)."""
    cov = _filter_event(_with_outlet(_require(tables, "coverage", ["unit_id", "present"]),
                                     tables), event).copy()
    if cov.empty:
        raise _NotAvailable("table coverage is empty")
    order = outlet_order(tables, order)
    cov["present"] = cov["present"].astype(str).str.lower().isin(["true", "1", "1.0", "yes"])
    if "unit_label" not in cov.columns:
        cov["unit_label"] = cov["unit_id"].astype(str)
    # the label is on the rows where the unit is present (pipeline.compact_coverage)
    labels = cov.dropna(subset=["unit_label"]).groupby(["event", "unit_id"])["unit_label"].first()
    g = cov.groupby(["event", "unit_id", "outlet"], as_index=False).agg(present=("present", "any"))
    g["unit_label"] = [str(labels.get((e, u), u)) for e, u in zip(g["event"], g["unit_id"])]
    g["n_outlets"] = g.groupby(["event", "unit_id"])["present"].transform("sum").astype(int)
    units = g.drop_duplicates(["event", "unit_id"]).sort_values(
        ["event", "n_outlets", "unit_id"], ascending=[True, False, True], kind="stable")
    n_total = len(units)
    units = units.head(max_units)
    g["n_units_total"] = n_total
    rank = {(e, u): i for i, (e, u) in enumerate(zip(units["event"], units["unit_id"]))}
    g["_u"] = [rank.get((e, u)) for e, u in zip(g["event"], g["unit_id"])]
    g = g[g["_u"].notna()]
    return _finish(g[["event", "unit_id", "unit_label", "outlet", "present", "n_outlets",
                      "n_units_total", "_u"]],
                   ["_u", "outlet"], order).drop(columns="_u")


def coverage_plot(data: pd.DataFrame, order=None) -> Figure:
    order = [o for o in outlet_order(data, order) if o in set(data["outlet"])]
    multi = _n_events(data) > 1
    units = list(dict.fromkeys(zip(data["event"], data["unit_id"])))
    lab = data.drop_duplicates(["event", "unit_id"]).set_index(["event", "unit_id"])["unit_label"]
    fig, axes = _new_figure(1.6 + 0.26 * len(units), width=WIDTH + 1)
    ax = axes[0][0]
    mat = np.full((len(units), len(order)), np.nan)
    pres = data.set_index(["event", "unit_id", "outlet"])["present"]
    for i, u in enumerate(units):
        for j, o in enumerate(order):
            if (u[0], u[1], o) in pres.index:
                mat[i, j] = 1.0 if bool(pres[(u[0], u[1], o)]) else 0.0
    cmap = matplotlib.colors.ListedColormap(["#EEEEEE", "#0072B2"]).with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(mat), cmap=cmap, vmin=0, vmax=1, aspect="auto",
              interpolation="nearest")
    ax.set_xticks(range(len(order)), [textwrap.fill(o, 12) for o in order])
    ax.xaxis.tick_top()
    ylabels = []
    for u in units:
        text = _trunc(lab.get(u, "") or u[1], 75)
        ylabels.append(f"{text}  [{u[0]}]" if multi else text)
    ax.set_yticks(range(len(units)), ylabels, fontsize=7.5)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.set_xticks(np.arange(-0.5, len(order)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(units)), minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="minor", length=0)
    handles = [Rectangle((0, 0), 1, 1, color="#0072B2"),
               Rectangle((0, 0), 1, 1, color="#EEEEEE")]
    fig.legend(handles, ["reported", "not reported"], loc="outside right upper")
    shown = f"the {len(units)} most widely reported of {int(data['n_units_total'].max())} units" \
        if int(data["n_units_total"].max()) > len(units) else "every unit"
    _title(fig, "What each outlet includes and omits",
           f"Rows: information units of the event, {shown} (coverage.csv has all); "
           "blue = the outlet's article reports the unit.")
    return fig


def distinctive_words_data(tables, event=None, order=None, top: int = 10) -> pd.DataFrame:
    """Each outlet's most distinctive words (highest positive z of the weighted log-odds):
    ``event, outlet, rank, term, count, log_odds, z``."""
    k = _filter_event(_require(tables, "keyness", ["outlet", "term", "z"]), event).copy()
    if k.empty:
        raise _NotAvailable("table keyness is empty")
    order = outlet_order(tables, order)
    if "ngram" in k.columns and (pd.to_numeric(k["ngram"], errors="coerce") == 1).any():
        k = k[pd.to_numeric(k["ngram"], errors="coerce") == 1]
    if "event" not in k.columns:
        k["event"] = "unknown"
    k["z"] = pd.to_numeric(k["z"], errors="coerce")
    k = k[k["z"] > 0]
    for col in ("count", "log_odds"):
        if col not in k.columns:
            k[col] = np.nan
    k = k.sort_values(["event", "outlet", "z", "term"], ascending=[True, True, False, True],
                      kind="stable")
    k = k.groupby(["event", "outlet"], sort=False).head(top)
    k["rank"] = k.groupby(["event", "outlet"]).cumcount() + 1
    data = k[["event", "outlet", "rank", "term", "count", "log_odds", "z"]]
    return _finish(data, ["event", "outlet", "rank"], order)


def distinctive_words_plot(data: pd.DataFrame, order=None) -> Figure:
    order = outlet_order(data, order)
    colors = outlet_colors(order)
    multi = _n_events(data) > 1
    keys = _row_keys(data, order)
    ncols = 3 if len(keys) > 4 else max(1, min(len(keys), 2))
    nrows = -(-len(keys) // ncols)
    top = int(data["rank"].max())
    fig, axes = _new_figure(0.8 + nrows * (0.5 + 0.17 * top), ncols=ncols, nrows=nrows,
                            sharex=True)
    for i, k in enumerate(keys):
        ax = axes[i // ncols][i % ncols]
        d = data[(data["event"] == k[0]) & (data["outlet"] == k[1])].sort_values("rank")
        y = np.arange(len(d))[::-1]
        ax.barh(y, d["z"], color=colors.get(k[1], INK), height=0.7)
        ax.set_yticks(y, d["term"].tolist(), fontsize=8)
        for yy, z, c in zip(y, d["z"], d["count"]):
            if pd.notna(c):
                ax.text(z, yy, f" {int(c)}\u00d7", va="center", fontsize=6.5, color="#444444")
        ax.set_ylim(-0.6, top - 0.4)
        ax.set_title(f"{k[1]} ({k[0]})" if multi else k[1])
        ax.axvline(1.96, color="#999999", lw=0.7, ls="--")
        _grid_x(ax)
    for j in range(len(keys), nrows * ncols):
        axes[j // ncols][j % ncols].set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("z of weighted log-odds vs other outlets")
    zmax = float(data["z"].max()) if len(data) else 1.0
    axes[0][0].set_xlim(0, zmax * 1.25)
    _title(fig, "Words each outlet uses more than the others covering the same event",
           "Fightin' Words (Monroe et al. 2008) z-score with informative Dirichlet prior; "
           "label = times the outlet used the word; dashed line z = 1.96. A ranking, not a test.")
    return fig


# ---------------------------------------------------------------------------------------------
# registry and output
# ---------------------------------------------------------------------------------------------
FIGURES: dict[str, FigureSpec] = {s.name: s for s in [
    FigureSpec("article_lengths", "Article length and removed page furniture",
               "Words in each article body by outlet, and the lines removed as page furniture "
               "(captions, credits, comment notices) by rule.", "corpus", ("articles", "removed"),
               article_lengths_data, article_lengths_plot),
    FigureSpec("term_variants", "Term variants by outlet",
               "For each contested concept, the share of mentions using each variant, over all "
               "voices and in the outlet's own narration only; n = mentions.", "terms",
               ("term_shares", "terms"), term_variants_data, term_variants_plot),
    FigureSpec("voice_mix", "Voice of contested terms",
               "Who uses the contested terms: the journalist's own voice, attributed speech, "
               "quotations or scare quotes, as shares of the outlet's term mentions.", "terms",
               ("terms",), voice_mix_data, voice_mix_plot),
    FigureSpec("sentiment", "Sentence sentiment by outlet",
               "VADER compound score of every sentence (dots, box) and each outlet's mean with "
               "its 95% bootstrap interval.", "tone", ("sentences", "outlets"), sentiment_data,
               sentiment_plot),
    FigureSpec("actor_sentiment", "Actor sentiment",
               "Mean sentiment of the sentences mentioning each actor, per outlet, with the "
               "number of sentences it rests on.", "tone", ("actor_sentiment",),
               actor_sentiment_data, actor_sentiment_plot),
    FigureSpec("hedging", "Hedges, boosters, evidentials and reporting verbs",
               "Rates per 1,000 words with 95% bootstrap intervals.", "tone",
               ("outlets", "hedges"), hedging_data, hedging_plot),
    FigureSpec("readability", "Readability",
               "Readability formulas per outlet with 95% bootstrap intervals where available.",
               "tone", ("outlets", "articles"), readability_data, readability_plot),
    FigureSpec("source_mix", "Source mix",
               "Direct quotations and quoted words by speaker group per outlet.", "sources",
               ("quotes",), source_mix_data, source_mix_plot),
    FigureSpec("shared_quotations", "Shared passages",
               "Passages carried by two or more outlets and how completely each carries them.",
               "sources", ("shared",), shared_quotations_data, shared_quotations_plot),
    FigureSpec("coverage", "Coverage matrix",
               "Information units of the event and which outlets report them.", "coverage",
               ("coverage",), coverage_data, coverage_plot),
    FigureSpec("distinctive_words", "Distinctive words",
               "Each outlet's most distinctive words against the other outlets of the event "
               "(weighted log-odds z).", "coverage", ("keyness",), distinctive_words_data,
               distinctive_words_plot),
]}


def _spec(name: str) -> FigureSpec:
    try:
        return FIGURES[name]
    except KeyError:
        raise ValueError(f"figure {name!r} unknown; known figures: {', '.join(FIGURES)}") from None


def figure_data(name: str, tables, *, event=None, order=None,
                missing: str = "raise") -> pd.DataFrame:
    """The tidy data of figure ``name`` (one row per plotted observation).

    Parameters
    ----------
    missing : "raise" or "empty"
        What to do when the figure is not available from these tables (its table is empty):
        raise ``ValueError`` naming the table, or return an empty frame.
    """
    try:
        return _spec(name).data(tables, event=event, order=order)
    except _NotAvailable as exc:
        if missing == "empty":
            return pd.DataFrame()
        raise ValueError(f"figure {name}: not available: {exc}") from None


def make_figure(name: str, tables, *, event=None, order=None) -> Figure | Unavailable:
    """Draw figure ``name`` from the tables; an :class:`Unavailable` note when its table is empty.

    In a notebook both display themselves (the figure, or a one-line note).
    """
    res = _render(_spec(name), tables, event=event, order=order)
    return res.figure if res.available else Unavailable(name, res.reason)


def _render(spec: FigureSpec, tables, event=None, order=None) -> FigureResult:
    try:
        data = spec.data(tables, event=event, order=order)
    except _NotAvailable as exc:
        return FigureResult(spec, reason=str(exc))
    if data.empty:
        return FigureResult(spec, reason=f"no rows to plot (tables {', '.join(spec.tables)})")
    with matplotlib.rc_context(STYLE):
        fig = spec.plot(data, order=order)
    return FigureResult(spec, figure=fig, data=data)


def render_figures(tables, *, event=None, order=None,
                   names: Sequence[str] | None = None) -> list[FigureResult]:
    """Render every registered figure (or ``names``), in registry order."""
    return [_render(_spec(n), tables, event=event, order=order) for n in (names or FIGURES)]


def save_figure(fig: Figure, data: pd.DataFrame | None, out_dir, stem: str) -> list[Path]:
    """Write ``stem.png`` (dpi 150), ``stem.svg`` and ``stem.csv`` (tidy data) reproducibly."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    with matplotlib.rc_context(STYLE):
        p = out / f"{stem}.png"
        fig.savefig(p, dpi=DPI, format="png", metadata={"Software": None})
        paths.append(p)
        p = out / f"{stem}.svg"
        fig.savefig(p, format="svg", metadata={"Date": None, "Creator": None, "Format": None,
                                               "Type": None})
        paths.append(p)
    if data is not None:
        p = out / f"{stem}.csv"
        data.to_csv(p, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(p)
    return paths


def build_figures(tables, out_dir, *, event=None, order=None,
                  results: list | None = None) -> list[Path]:
    """Write every available figure as PNG + SVG + CSV into ``out_dir``; return the paths.

    Figures whose tables are empty are skipped; their reasons are written to
    ``out_dir/NOT_AVAILABLE.txt`` (removed when every figure is available) and, if ``results``
    is a list, the :class:`FigureResult` objects are appended to it.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    missing = []
    for res in render_figures(tables, event=event, order=order):
        if res.available:
            res.paths = save_figure(res.figure, res.data, out, res.name)
            paths.extend(res.paths)
        else:
            missing.append(f"{res.name}: not available: {res.reason}\n")
            for suffix in (".png", ".svg", ".csv"):  # no stale figure from an earlier run
                (out / f"{res.name}{suffix}").unlink(missing_ok=True)
        if results is not None:
            results.append(res)
    note = out / "NOT_AVAILABLE.txt"
    if missing:
        note.write_text("".join(missing), encoding="utf-8")
    else:
        note.unlink(missing_ok=True)
    return paths
