"""Source mix: who is quoted, how much, and who speaks first, per outlet.

Counts come from the speech quotations of the quotes frame (depth 0; scare quotes are labels,
not sources) with the speaker groups assigned by :mod:`analysis.speakers`. Interval estimates of
the quoted-word shares by group are in ``outlets.csv`` (``source_share_<group>``, bootstrap over
sentences or articles, :mod:`analysis.compare`); this module gives the plain counts.
"""
from __future__ import annotations

import pandas as pd

from .tokens import count_words

UNATTRIBUTED = "unattributed"


def _speech(quotes: pd.DataFrame) -> pd.DataFrame:
    q = quotes[(quotes["kind"] == "speech") & (quotes.get("depth", 0) == 0)].copy()
    q["speaker_group"] = q["speaker_group"].replace("", UNATTRIBUTED).fillna(UNATTRIBUTED)
    return q


def source_mix(quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Quotations and quoted words by speaker group, per event and outlet.

    Parameters
    ----------
    quotes : DataFrame
        The quotes frame with speakers (``analysis.attribute_speakers`` or ``run(...)["quotes"]``).
    articles : DataFrame
        ``doc_id, outlet, event``.

    Returns
    -------
    DataFrame
        One row per event x outlet x speaker group (groups with no quotation in the outlet are
        omitted), sorted by ``event, outlet, speaker_group``: ``n_quotes``, ``n_words`` (words
        inside the quotation marks), ``share_quotes`` and ``share_words`` (of the outlet's speech
        quotations in the event), ``n_first`` (articles in which this group speaks first),
        ``n_articles`` (the outlet's articles in the event). Unattributed quotations are
        grouped as ``"unattributed"``.
    """
    cols = ["event", "outlet", "speaker_group", "n_quotes", "n_words", "share_quotes",
            "share_words", "n_first", "n_articles"]
    q = _speech(quotes)
    arts = articles[["doc_id", "event", "outlet"]]
    n_art = arts.groupby(["event", "outlet"]).size().rename("n_articles")
    if q.empty:
        return pd.DataFrame(columns=cols)
    q = q.merge(arts, on="doc_id")
    q["n_words"] = q["text"].fillna("").astype(str).map(count_words)  # text == article[start:end]
    first = (q.sort_values(["doc_id", "start"]).drop_duplicates("doc_id")
             .groupby(["event", "outlet", "speaker_group"]).size().rename("n_first"))
    g = q.groupby(["event", "outlet", "speaker_group"])
    out = pd.DataFrame({"n_quotes": g.size(), "n_words": g["n_words"].sum()})
    out = out.join(first).fillna({"n_first": 0})
    totals = out.groupby(level=["event", "outlet"])[["n_quotes", "n_words"]].transform("sum")
    out["share_quotes"] = out["n_quotes"] / totals["n_quotes"]
    out["share_words"] = (out["n_words"] / totals["n_words"]).where(totals["n_words"] > 0)
    out = out.reset_index().merge(n_art.reset_index(), on=["event", "outlet"], how="left")
    out = out.astype({"n_quotes": "int64", "n_words": "int64", "n_first": "int64",
                      "n_articles": "int64"})
    return out[cols].sort_values(["event", "outlet", "speaker_group"]).reset_index(drop=True)


def first_speakers(quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Who speaks first in each article: the speaker and group of its first speech quotation.

    Returns
    -------
    DataFrame
        One row per article with at least one speech quotation, sorted by ``doc_id``: ``doc_id,
        event, outlet, quote_id, speaker, speaker_group, start``.
    """
    q = _speech(quotes).sort_values(["doc_id", "start"]).drop_duplicates("doc_id")
    q = q.merge(articles[["doc_id", "event", "outlet"]], on="doc_id")
    return q[["doc_id", "event", "outlet", "quote_id", "speaker", "speaker_group", "start"]
             ].sort_values("doc_id").reset_index(drop=True)
