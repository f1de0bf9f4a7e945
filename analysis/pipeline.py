"""The one pipeline: corpus -> every table of the contract (``python -m analysis tables``).

Per-article steps (each a pure function of a chunk of articles, see :data:`STEPS`):

* ``text``: sentences, quotation spans with speakers, reported speech, attributions;
* ``terms``: contested terminology with its voice;
* ``hedges``: hedges, boosters, evidentials, reporting verbs with their voice; rates;
* ``tone``: VADER sentiment per sentence, per article, actor sentiment;
* ``readability``: textstat formulas per article.

Cross-article steps run per event (:func:`analyze_event`): variant shares, distinctive language
(keyness), shared passages, coverage, and outlet estimates with bootstrap intervals; then outlets
are compared within events and pooled (:func:`analysis.compare.pooled_outlet_effects`).

How chunks run (worker processes, Dask, cache) is :mod:`analysis.engine`'s business; the same
functions run whatever the engine, so the tables are identical.
"""
from __future__ import annotations

from collections import deque
import hashlib
import json
import os
import pickle
import uuid
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import engine
from .engine import Runner, release_free_memory
from .sinks import (CsvSink, MemorySink, RenderCache, Rendered, Run, link_or_copy, render,
                    sort_frame, to_csv)
from .corpus import COLUMN_ALIASES, CorpusWarning, read_corpus
from .errors import KitError
from .lexicon import lexicon_path
from .tokens import WORD_RE, count_words

#: The tables the pipeline writes, in order, with their sort keys.
TABLE_KEYS: dict[str, list[str]] = {
    "articles": ["doc_id"],
    "removed": ["doc_id", "line"],
    "skipped": [],
    "sentences": ["doc_id", "sent_id"],
    "quotes": ["doc_id", "quote_id"],
    "attributions": ["doc_id", "start"],
    "terms": ["doc_id", "start"],
    "hedges": ["doc_id", "start"],
    "actors": ["doc_id", "start"],
    "term_shares": ["event", "outlet", "concept", "variant"],
    "actor_sentiment": ["event", "outlet", "actor"],
    "outlets": ["event", "outlet"],
    "outlet_effects": ["metric", "outlet"],
    "keyness": ["event", "outlet"],
    "shared": ["passage_id", "doc_id"],
    "coverage": ["event", "unit_id", "doc_id"],
    "notes": ["event", "table"],
}
PER_ARTICLE_TABLES = ("articles", "sentences", "quotes", "attributions", "terms", "hedges",
                      "actors")
PER_EVENT_TABLES = ("term_shares", "actor_sentiment", "outlets", "keyness", "shared", "coverage",
                    "notes")

#: Columns each contract table must have (``shared/TABLES.md``); used for empty tables.
CONTRACT_COLUMNS: dict[str, list[str]] = {
    "articles": ["doc_id", "outlet", "event", "title", "published", "source_path", "n_words",
                 "n_sentences", "text"],
    "removed": ["doc_id", "line", "rule", "text"],
    "skipped": ["source", "record", "reason"],
    "sentences": ["doc_id", "para_id", "sent_id", "start", "end", "text", "vader_compound",
                  "quote_share"],
    "quotes": ["doc_id", "quote_id", "start", "end", "text", "kind", "speaker", "speaker_group",
               "cue"],
    "terms": ["doc_id", "sent_id", "start", "end", "surface", "concept", "variant", "framing",
              "voice"],
    "hedges": ["doc_id", "sent_id", "start", "end", "surface", "category", "voice"],
    "outlets": ["event", "outlet", "n_articles"],
    "keyness": ["event", "outlet", "term", "count", "log_odds", "z"],
    "shared": ["passage_id", "doc_id", "start", "end", "text", "similarity"],
    "coverage": ["event", "unit_id", "doc_id", "sent_id", "present"],
}

HEDGE_CATEGORIES = ("hedge", "booster", "evidential", "reporting_neutral",
                    "reporting_distancing", "reporting_endorsing")


@dataclass
class Settings:
    """Everything besides the corpus that determines the tables (part of the cache key)."""

    terms: str = "terms_ukraine_2014"
    hedges: str = "hedges"
    actors: str = "actors_ukraine_2014"
    speaker_groups: str = "speaker_groups"
    reporting_verbs: str = "reporting_verbs"
    furniture: str | None = "furniture"
    #: leave out articles repeating the text of an earlier one of the same outlet and event
    drop_duplicates: bool = False
    n_boot: int = 2000
    random_state: int = 0
    chunk_size: int = 200
    #: events with more articles get no coverage table (it has units x articles rows)
    coverage_max_articles: int = 300
    #: events whose keyness table (outlets x terms) would be longer keep each outlet's own terms
    keyness_max_rows: int = 1_000_000

    def lexicons(self) -> dict[str, str]:
        """Lexicon role -> resolved file path, for provenance and cache keys."""
        roles = {"terms": self.terms, "hedges": self.hedges, "actors": self.actors,
                 "speaker_groups": self.speaker_groups, "reporting_verbs": self.reporting_verbs}
        if self.furniture:
            roles["furniture"] = self.furniture
        return {role: str(lexicon_path(name)) for role, name in roles.items()}


@dataclass
class Tables:
    """All frames produced by :func:`run`, by table name (``tables["terms"]``)."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    n_records: int = 0
    warnings: list[str] = field(default_factory=list)
    settings: Settings | None = None

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def __setitem__(self, name: str, frame: pd.DataFrame) -> None:
        self.frames[name] = frame

    def __contains__(self, name: str) -> bool:
        return name in self.frames

    def __iter__(self):
        return iter(self.frames)

    def items(self):
        return self.frames.items()


# ---------------------------------------------------------------------------------------------
# per-article steps: (articles chunk, inputs from earlier steps, settings) -> frames

def _step_text(arts, inputs, s: Settings) -> dict[str, pd.DataFrame]:
    from . import quotes as quotes_mod
    from . import segment, speakers, voice

    sentences = segment.sentences(arts[["doc_id", "text"]])
    quotes = speakers.attribute_speakers(arts, quotes_mod.find_quotes(arts),
                                         groups=s.speaker_groups)
    sentences["quote_share"] = quotes_mod.quote_share(sentences, quotes).to_numpy()
    sentences["n_words"] = [count_words(t) for t in sentences["text"]]
    reported = voice.reported_speech(arts, sentences, lexicon=s.reporting_verbs)
    attributions = speakers.attributions(arts, sentences, groups=s.speaker_groups, quotes=quotes)
    return {"sentences": sentences, "quotes": quotes, "reported": reported,
            "attributions": attributions}


def _step_terms(arts, inputs, s: Settings) -> dict[str, pd.DataFrame]:
    from . import terms

    found = terms.find_terms(arts, inputs["sentences"], inputs["quotes"], lexicon=s.terms,
                             reported=inputs["reported"])
    return {"terms": found}


def _step_hedges(arts, inputs, s: Settings) -> dict[str, pd.DataFrame]:
    from . import hedging, voice

    sentences, quotes = inputs["sentences"], inputs["quotes"]
    hedges = hedging.match_hedges(sentences, lexicon=s.hedges, reporting=s.reporting_verbs)
    hedges["voice"] = voice.assign_voice(hedges, arts, sentences, quotes,
                                         reported=inputs["reported"]).to_numpy()
    per_sentence = sentences[["doc_id", "sent_id"]].copy()
    per_sentence["uncertain"] = hedging.sentence_uncertainty(hedges, sentences).to_numpy()
    for cat in HEDGE_CATEGORIES:
        sub = hedges[hedges["category"] == cat]
        counts = sub.groupby(["doc_id", "sent_id"]).size()
        own = sub[sub["voice"] == "own"].groupby(["doc_id", "sent_id"]).size()
        idx = pd.MultiIndex.from_frame(per_sentence[["doc_id", "sent_id"]])
        per_sentence[f"n_{cat}"] = counts.reindex(idx, fill_value=0).to_numpy()
        per_sentence[f"n_{cat}_own"] = own.reindex(idx, fill_value=0).to_numpy()
    rates = hedging.hedge_rates(hedges, sentences, arts, quotes)
    rates = rates.drop(columns=[c for c in ("n_words", "n_sentences") if c in rates])
    return {"hedges": hedges, "sentence_hedges": per_sentence, "article_hedges": rates}


def _step_tone(arts, inputs, s: Settings) -> dict[str, pd.DataFrame]:
    from . import sentiment

    sentences = inputs["sentences"]
    sent = sentiment.sentence_sentiment(sentences, inputs["quotes"])
    mentions = sentiment.actor_mentions(sentences, actors=s.actors)
    per_article = sentiment.article_sentiment(sent, arts)
    actor = sentiment.actor_sentiment(sent, mentions, actors=s.actors)
    return {"sentence_tone": sent, "article_tone": per_article, "actors": mentions,
            "article_actors": actor}


def _step_readability(arts, inputs, s: Settings) -> dict[str, pd.DataFrame]:
    from .readability import readability

    return {"article_readability": readability(arts, inputs["sentences"])}


#: name -> (function, lexicon roles it reads, steps whose outputs it needs)
STEPS: dict[str, tuple] = {
    "text": (_step_text, ("reporting_verbs", "speaker_groups"), ()),
    "terms": (_step_terms, ("terms", "reporting_verbs"), ("text",)),
    "hedges": (_step_hedges, ("hedges", "reporting_verbs"), ("text",)),
    "tone": (_step_tone, ("actors",), ("text",)),
    "readability": (_step_readability, (), ("text",)),
}


def kit_version() -> str:
    from . import __version__

    return __version__


def step_hashes(settings: Settings) -> dict[str, str]:
    """Per step: SHA-256 of the kit version, the step name and the lexicon files it reads.

    Changing a lexicon changes the hash (and so the cache keys) of exactly the steps that read
    it, and of the steps that depend on those.
    """
    paths = settings.lexicons()
    out: dict[str, str] = {}
    for name, (_, roles, deps) in STEPS.items():
        h = hashlib.sha256(f"{kit_version()}\0{name}".encode())
        for role in roles:
            h.update(Path(paths[role]).read_bytes())
        for dep in deps:
            h.update(out[dep].encode())
        out[name] = h.hexdigest()
    return out


class ArticleFailure(KitError, RuntimeError):
    """A per-article step raised an unexpected error (a bug or an input the kit cannot handle)."""


def _run_step(fn, name: str, sub: pd.DataFrame, results: dict, settings: Settings,
              failures: list[dict]) -> dict[str, pd.DataFrame]:
    """Run one step on a chunk; if it fails, run it article by article and record the failures."""
    def inputs_for(docs):
        return {t: f[f["doc_id"].isin(docs)] for t, f in results.items()}

    try:
        return fn(sub, inputs_for(set(sub["doc_id"])), settings)
    except Exception:
        if len(sub) == 1:
            raise
    out: dict[str, list[pd.DataFrame]] = {}
    for i in range(len(sub)):
        one = sub.iloc[i:i + 1]
        try:
            part = fn(one, inputs_for({one["doc_id"].iloc[0]}), settings)
        except Exception as exc:  # noqa: BLE001 - recorded, never silently dropped
            failures.append({"source": str(one["source_path"].iloc[0]) if "source_path" in one
                             else "", "record": str(one["doc_id"].iloc[0]),
                             "reason": f"analysis step '{name}' failed for doc_id "
                             f"'{one['doc_id'].iloc[0]}': {type(exc).__name__}: {exc}"})
            continue
        for t, f in part.items():
            out.setdefault(t, []).append(f)
    return {t: pd.concat(fs, ignore_index=True) for t, fs in out.items()}


def analyze_chunk(task) -> dict[str, pd.DataFrame]:
    """Run every per-article step on one chunk, reusing cached results where keys match.

    ``task`` is ``(articles_chunk, settings, cache_root_or_None, step_hashes, lenient)``; a tuple
    so that it pickles to worker processes and Dask workers alike. An article whose step raises
    is dropped from every table and listed in ``_failures`` (lenient) or raises
    :class:`ArticleFailure` naming it (strict); the other articles' results are kept.
    """
    arts, settings, cache_root, hashes, lenient = task
    cache = engine.ArticleCache.for_process(cache_root) if cache_root else None
    results: dict[str, pd.DataFrame] = {}
    failures: list[dict] = []
    for name, (fn, _, deps) in STEPS.items():
        keys = {d: engine.article_key(d, t, hashes[name]) for d, t in zip(arts["doc_id"], arts["text"])}
        todo = cache.missing(name, keys.values()) if cache else list(keys.values())
        todo_set = set(todo)
        done_docs = [d for d, k in keys.items() if k not in todo_set]
        parts: dict[str, list[pd.DataFrame]] = {}
        if done_docs:
            for table in _step_tables(cache, name):
                frame = cache.read(name, table, [keys[d] for d in done_docs])
                parts.setdefault(table, []).append(frame.drop(columns=[engine.KEY], errors="ignore"))
        if todo:
            sub = arts[arts["doc_id"].map(keys).isin(todo_set)]
            try:
                out = _run_step(fn, name, sub, results, settings, failures)
            except Exception as exc:
                doc = sub["doc_id"].iloc[0]
                raise ArticleFailure(f"analysis step '{name}' failed for doc_id '{doc}': "
                                     f"{type(exc).__name__}: {exc} (run with lenient=True / "
                                     "--lenient to skip such articles and list them in "
                                     "skipped.csv)") from exc
            if failures and not lenient:
                raise ArticleFailure(failures[0]["reason"] + " (run with lenient=True / --lenient "
                                     "to skip such articles and list them in skipped.csv)")
            for table, frame in out.items():
                parts.setdefault(table, []).append(frame)
            if cache and out:
                computed = [keys[d] for d in sub["doc_id"] if d not in {f["record"] for f in failures}]
                cache.write(name, {t: f.assign(**{engine.KEY: f["doc_id"].map(keys)})
                                   for t, f in out.items()}, computed)
        failed = {f["record"] for f in failures}
        if failed:  # a failed article leaves every table, and later steps skip it
            arts = arts[~arts["doc_id"].isin(failed)]
            results = {t: f[~f["doc_id"].isin(failed)] for t, f in results.items()}
        for table, frames in parts.items():
            frames = [f[~f["doc_id"].isin(failed)] if "doc_id" in f else f
                      for f in frames if len(f.columns)]
            results[table] = sort_frame(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(),
                                   ["doc_id"] + [c for c in ("sent_id", "quote_id", "start", "actor")
                                                 if frames and c in frames[0].columns])
    results["_failures"] = pd.DataFrame(failures, columns=["source", "record", "reason"])
    return results


def _step_tables(cache, step: str) -> list[str]:
    folder = cache.root / step
    names = {p.name.split(".")[1] for p in folder.glob("*.parquet")} - {"keys"}
    return sorted(names)


def order_columns(name: str, columns) -> list[str]:
    """The contract's columns of table ``name`` first (in contract order), then the rest."""
    columns = list(dict.fromkeys(columns))
    head = [c for c in CONTRACT_COLUMNS.get(name, TABLE_KEYS.get(name, [])) if c in columns]
    return head + [c for c in columns if c not in head]


def assemble_articles(arts: pd.DataFrame, r: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Merge a chunk's step outputs into the contract's per-article tables."""
    sentences = r["sentences"]
    for extra in ("sentence_tone", "sentence_hedges"):
        if extra in r and len(r[extra]):
            sentences = sentences.merge(r[extra], on=["doc_id", "sent_id"], how="left")
    quotes = r["quotes"]
    articles = arts.copy()
    articles["n_sentences"] = articles["doc_id"].map(
        sentences.groupby("doc_id").size()).fillna(0).astype("int64")
    articles = articles.merge(_quote_stats(articles, quotes, sentences), on="doc_id", how="left")
    for extra in ("article_readability", "article_tone", "article_hedges"):
        if extra in r and len(r[extra]):
            add = r[extra].drop(columns=[c for c in r[extra].columns
                                         if c != "doc_id" and c in articles.columns])
            articles = articles.merge(add, on="doc_id", how="left")
    terms = r.get("terms", pd.DataFrame(columns=CONTRACT_COLUMNS["terms"]))
    for voice_name in ("own", "quoted", "scare", "attributed"):
        n = terms[terms["voice"] == voice_name].groupby("doc_id").size() if len(terms) else {}
        articles[f"terms_n_{voice_name}"] = articles["doc_id"].map(n).fillna(0).astype("int64")
    return {"articles": articles, "sentences": sentences, "quotes": quotes,
            "attributions": r.get("attributions", pd.DataFrame()), "terms": terms,
            "hedges": r.get("hedges", pd.DataFrame()), "actors": r.get("actors", pd.DataFrame()),
            "article_actors": r.get("article_actors", pd.DataFrame())}


def _quote_stats(articles: pd.DataFrame, quotes: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Per article: quotations, quoted words, share of words inside speech quotations, first group."""
    rows = []
    speech = quotes[(quotes["kind"] == "speech") & (quotes["depth"] == 0)] if len(quotes) else quotes
    by_doc = {d: g for d, g in speech.groupby("doc_id")} if len(speech) else {}
    for doc_id, text, n_words in zip(articles["doc_id"], articles["text"], articles["n_words"]):
        g = by_doc.get(doc_id)
        if g is None or not len(g):
            rows.append({"doc_id": doc_id, "quotes_n_speech": 0, "quotes_n_words": 0,
                         "quotes_word_share": 0.0, "quotes_n_speakers": 0,
                         "quotes_first_group": ""})
            continue
        words = sum(count_words(text[s:e]) for s, e in zip(g["start"], g["end"]))
        first = g.sort_values("start")["speaker_group"].iloc[0]
        speakers = g["speaker"].replace("", np.nan).dropna().nunique()
        rows.append({"doc_id": doc_id, "quotes_n_speech": len(g), "quotes_n_words": words,
                     "quotes_word_share": words / n_words if n_words else 0.0,
                     "quotes_n_speakers": int(speakers), "quotes_first_group": first or ""})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# cross-article steps, per event

def sentence_metrics(sentences: pd.DataFrame, quotes: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Per sentence the numerators and denominators of the outlet estimates.

    The float columns are written into one preallocated array, then framed without a copy
    (assigning them one at a time peaked 680 MB above the step's start on a 10,000-article
    event, for a result of 200 MB)."""
    quoted = bool(len(quotes))
    fill: list = []   # (column, function giving its float64 values)
    if quoted:        # with quotations every count is a float, as the quoted-word counts
        fill.append(("n_words", lambda: sentences["n_words"].to_numpy(dtype="float64")))
    for col in ("vader_compound", "vader_compound_own", "vader_compound_quoted", "uncertain",
                "quote_share"):
        if col in sentences:
            fill.append((col, lambda col=col: sentences[col].astype("float64").to_numpy()))
    if "vader_compound" in sentences:
        compound = sentences["vader_compound"]
        fill.append(("is_positive", lambda: (compound >= 0.05).to_numpy(dtype="float64")))
        fill.append(("is_negative", lambda: (compound <= -0.05).to_numpy(dtype="float64")))
    for cat in HEDGE_CATEGORIES:
        for suffix in ("", "_own"):
            col = f"n_{cat}{suffix}"
            if col in sentences:
                fill.append((col, lambda col=col: sentences[col].fillna(0).to_numpy(dtype="float64")))
    groups = sorted(set(quotes["speaker_group"].replace("", "unattributed"))) if quoted else []
    names = [c for c, _ in fill] + ["n_quoted_words"] + [f"n_quoted_words_{g}" for g in groups]
    block = np.zeros((len(names), len(sentences)))   # one row per column, as pandas keeps them
    for row, (_, values) in enumerate(fill):
        block[row] = values()
    if quoted:
        speech = quotes[(quotes["kind"] == "speech") & (quotes["depth"] == 0)]
        _add_quoted_words(block[len(fill):], sentences, speech, articles, groups)
    m = sentences[["doc_id", "sent_id"] if quoted else ["doc_id", "sent_id", "n_words"]].copy()
    if quoted:
        m["sent_id"] = m["sent_id"].astype("int64")
    # a frame per column over its row of the block: one block of all the columns would be
    # copied by every selection of some of them (the outlet estimates select theirs)
    return pd.concat([m] + [pd.DataFrame({c: block[i]}, index=sentences.index, copy=False)
                            for i, c in enumerate(names)], axis=1)


def _add_quoted_words(counts: np.ndarray, sentences: pd.DataFrame, speech: pd.DataFrame,
                      articles: pd.DataFrame, groups: list) -> None:
    """Add the words of speech quotations inside each sentence to ``counts``: row 0 in all,
    row 1 + i for ``groups[i]`` (a quotation without a group counts as "unattributed").

    Sentences are located by binary search on sorted (article, start) arrays, the pieces of
    quotation they hold counted article by article (one article's text in memory at a time)."""
    n = len(sentences)
    if not len(speech) or not n:
        return
    codes, uniques = pd.factorize(sentences["doc_id"], sort=False)
    doc = codes.astype(np.int64)
    start = sentences["start"].to_numpy(dtype=np.int64)
    end = sentences["end"].to_numpy(dtype=np.int64)
    # sorted by article, then start (then end and sent_id)
    order = np.lexsort((sentences["sent_id"].to_numpy(dtype=np.int64), end, start, doc))
    doc, start, end = doc[order], start[order], end[order]
    width = int(max(start.max(), end.max(), speech["end"].max())) + 2
    keys = doc * width + start
    first_of = np.searchsorted(doc, np.arange(len(uniques)), side="left")
    q_code = pd.Index(uniques).get_indexer(speech["doc_id"]).astype(np.int64)
    q_article = pd.Index(articles["doc_id"]).get_indexer(speech["doc_id"]).astype(np.int64)
    q_start = speech["start"].to_numpy(dtype=np.int64)
    q_end = speech["end"].to_numpy(dtype=np.int64)
    q_group = pd.Index(groups).get_indexer(speech["speaker_group"].replace("", "unattributed"))
    q_group = q_group.astype(np.int64) + 1
    found = (q_code >= 0) & (q_article >= 0)
    base = np.where(found, q_code, 0) * width
    # sentences do not overlap: only those starting before the quotation ends can meet it
    lo = np.maximum(np.searchsorted(keys, base + q_start, side="right") - 1,
                    first_of[np.where(found, q_code, 0)])
    hi = np.searchsorted(keys, base + q_end, side="left")
    span = np.where(found, np.maximum(hi - lo, 0), 0)
    # one pair per (quotation, sentence it may meet)
    q = np.repeat(np.arange(len(speech)), span)
    k = lo[q] + np.arange(len(q)) - np.repeat(np.cumsum(span) - span, span)
    a, b = np.maximum(start[k], q_start[q]), np.minimum(end[k], q_end[q])
    meet = a < b
    q, k, a, b = q[meet], k[meet], a[meet], b[meet]
    by_article = np.argsort(q_article[q], kind="stable")
    q, k, a, b = q[by_article], k[by_article], a[by_article], b[by_article]
    texts = articles["text"]
    words = np.empty(len(q))
    current, text = -1, ""
    for i, (art, s, e) in enumerate(zip(q_article[q].tolist(), a.tolist(), b.tolist())):
        if art != current:
            current, text = art, texts.iat[art]
        words[i] = count_words(text[s:e])
    rows = order[k]
    np.add.at(counts[0], rows, words)
    np.add.at(counts, (q_group[q], rows), words)


def outlet_metric_specs(metrics: pd.DataFrame) -> dict:
    """The outlet-level estimates (name -> statistic), for the columns present."""
    from .compare import Mean, Ratio

    spec = {"mean_sentence_length": Mean("n_words")}
    for col, name in (("vader_compound", "vader_compound_mean"),
                      ("vader_compound_own", "vader_compound_own_mean"),
                      ("vader_compound_quoted", "vader_compound_quoted_mean"),
                      ("is_positive", "share_positive_sentences"),
                      ("is_negative", "share_negative_sentences"),
                      ("uncertain", "share_uncertain_sentences")):
        if col in metrics:
            spec[name] = Mean(col)
    for cat in HEDGE_CATEGORIES:
        if f"n_{cat}" in metrics:
            spec[f"{cat}_per_1k_words"] = Ratio(f"n_{cat}", "n_words", 1000)
            spec[f"{cat}_own_per_1k_words"] = Ratio(f"n_{cat}_own", "n_words", 1000)
    spec["quoted_word_share"] = Ratio("n_quoted_words", "n_words")
    for col in sorted(c for c in metrics.columns if c.startswith("n_quoted_words_")):
        group = col[len("n_quoted_words_"):]
        spec[f"source_share_{group}"] = Ratio(col, "n_quoted_words")
    return spec


def analyze_event(articles: pd.DataFrame, tables: dict[str, pd.DataFrame],
                  settings: Settings, shared_folder=None,
                  release: bool = False) -> dict[str, pd.DataFrame]:
    """Cross-article tables for the articles of one event (or several, each handled apart).

    With ``shared_folder``, the shared passages of one event are written there as a rendered
    CSV run as they are found, and ``shared`` is an :class:`engine.RunFile` instead of a frame
    (a large event's table is never held in memory). With ``release``, each input table is
    removed from ``tables`` once no step left needs it, and the passage search gets copies of
    only the columns it reads (on a 10,000-article event the inputs take 300-450 MB).
    """
    from . import terms
    from .compare import outlet_estimates
    from .coverage import coverage
    from .keyness import keyness
    from .shared import shared_passages

    out: dict[str, pd.DataFrame] = {}
    if release:  # texts no step reads: the quotations', and the sentences' unless coverage runs
        with_coverage = bool((articles.groupby("event").size() <=
                              settings.coverage_max_articles).any())
        for name in ("quotes",) if with_coverage else ("quotes", "sentences"):
            tables[name] = tables[name].drop(columns=["text"], errors="ignore")
        release_free_memory()
    sentences, quotes = tables["sentences"], tables["quotes"]
    lexicon = terms.load_terms(settings.terms)
    out["term_shares"] = terms.variant_shares(tables["terms"], articles, lexicon=lexicon)
    actors = tables.get("article_actors")
    if actors is not None and len(actors):
        out["actor_sentiment"] = _actor_by_outlet(actors, articles)
    del actors
    if release:
        tables.pop("terms", None)
        tables.pop("article_actors", None)
    # first, while the event's other tables do not exist yet: on a 10,000-article event the
    # bootstrap's working copies took 370 MB on top of the shared-passage table
    metrics = sentence_metrics(sentences, quotes, articles)
    est = outlet_estimates(metrics, articles, outlet_metric_specs(metrics),
                           n_boot=settings.n_boot, random_state=settings.random_state)
    del metrics
    out["outlets"] = est.merge(_outlet_descriptives(articles), on=["event", "outlet"], how="left")
    del est
    out["keyness"] = keyness(articles, max_rows=settings.keyness_max_rows) \
        if articles["outlet"].nunique() > 1 else None
    keyness_notes = []
    for event in (out["keyness"].attrs.get("used_terms_only", []) if out["keyness"] is not None
                  else []):
        keyness_notes.append({"event": event, "table": "keyness", "note": (
            "each outlet's rows are the terms it used: with every term of the event for every "
            f"outlet the table would pass keyness_max_rows={settings.keyness_max_rows:,} rows "
            "(terms an outlet never used, with negative z, are left out); raise the limit with "
            "--keyness-max-rows to get them")})
    notes = []
    for event, n in articles.groupby("event", sort=True).size().items():
        if n > settings.coverage_max_articles:
            notes.append({"event": event, "table": "coverage", "note": (
                f"not computed: the event has {n:,} articles, more than coverage_max_articles="
                f"{settings.coverage_max_articles:,} (the table has one row per information unit "
                "x article, which grows with the square of the event's size); split the corpus "
                "into smaller events (the 'event' column) or raise the limit with "
                "--coverage-max-articles")})
    large = [n["event"] for n in notes]
    if release:  # only what the passage search and coverage read is kept from here on
        sentences = _columns_copy(tables.pop("sentences"), ("doc_id", "sent_id", "start", "end",
                                                            "text"))
        quotes = _columns_copy(tables.pop("quotes"), ("doc_id", "quote_id", "start", "end",
                                                      "mark_start", "mark_end"))
        release_free_memory()
    for event in large:
        notes.append({"event": event, "table": "shared", "note": (
            f"word {4}-grams found in more than {SHARED_MAX_SHINGLE_UNITS} sentences or "
            "quotations of the event were left out of the blocking index (boilerplate of a large "
            "event); a passage whose every 4-gram is that frequent is not listed")})
    searches = [(articles[articles["event"].isin(large)], SHARED_MAX_SHINGLE_UNITS)] if large else []
    rest = articles[~articles["event"].isin(large)]
    if len(rest) or not searches:
        searches.append((rest, None))
    streamed = _write_shared(searches[0], sentences, quotes, shared_folder) \
        if shared_folder is not None and len(searches) == 1 else None
    if streamed is not None:
        out["shared"] = streamed
    else:
        parts = [shared_passages(arts, sentences, quotes, max_shingle_units=cap)
                 for arts, cap in searches]
        out["shared"] = _renumber_passages(parts)
        del parts
    release_free_memory()  # the passage search's scratch (hundreds of MB on a large event)
    small = articles[~articles["event"].isin([n["event"] for n in notes])]
    if len(small):
        out["coverage"] = compact_coverage(coverage(small, sentences[sentences["doc_id"].isin(
            small["doc_id"])]))
    out["notes"] = pd.DataFrame(notes + keyness_notes, columns=["event", "table", "note"]).sort_values(
        ["event", "table"], kind="stable").reset_index(drop=True)
    return {k: v for k, v in out.items() if v is not None}


def _columns_copy(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy of only ``columns`` of ``frame`` (those it has): a selection alone would keep
    the other columns' memory alive (they share blocks)."""
    return frame[[c for c in columns if c in frame.columns]].copy()


def _write_shared(search: tuple, sentences: pd.DataFrame, quotes: pd.DataFrame,
                  folder) -> engine.RunFile | None:
    """The shared passages of ``search`` (articles, shingle cap) written to a new run file in
    ``folder`` (:func:`shared.write_shared_passages`), or None when they need the frame."""
    from .shared import SHARED_COLUMNS, write_shared_passages

    arts, cap = search
    columns = order_columns("shared", SHARED_COLUMNS)
    path = Path(folder) / f"run.{uuid.uuid4().hex}.csv"
    n = write_shared_passages(path, columns, arts, sentences, quotes, max_shingle_units=cap)
    if n is None:
        return None
    return engine.RunFile(str(path) if n else None, columns, n)


#: in events above ``coverage_max_articles``, shingles in more units are not used for blocking
SHARED_MAX_SHINGLE_UNITS = 200


def _renumber_passages(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Shared-passage frames of disjoint sets of events as one, numbered by event then passage."""
    parts = [p for p in parts if len(p)] or parts[:1]
    if len(parts) == 1:
        return parts[0]
    frame = pd.concat(parts, ignore_index=True)
    key = list(zip(frame["event"].astype(str), frame["passage_id"].astype("int64")))
    rank = {k: i for i, k in enumerate(sorted(set(key)), 1)}
    return frame.assign(passage_id=[rank[k] for k in key]).sort_values(
        ["passage_id", "doc_id"], kind="stable").reset_index(drop=True)


#: unit-level columns of the coverage table: the same for every row of a unit
COVERAGE_UNIT_COLUMNS = ("unit_label", "anchors", "n_articles_present", "n_outlets_present",
                         "only_outlet")


def compact_coverage(cov: pd.DataFrame) -> pd.DataFrame:
    """Keep the unit-level columns only on the rows where the unit is present.

    ``coverage.csv`` has one row per unit x article of the event, so repeating a unit's label
    and anchors on every article that lacks it would make the table many times larger (about
    150 MB for 1,000 articles). Readers take them from any present row (``groupby().first()``
    skips the blanks); every unit has at least one.
    """
    present = cov["present"].astype(bool).to_numpy()
    at = np.flatnonzero(present)
    cov = cov.copy()
    for c in COVERAGE_UNIT_COLUMNS:
        if c in cov.columns:
            if c.startswith("n_"):
                cov[c] = cov[c].astype("Int64").mask(~present)
            else:  # (only the present rows' values become Python objects)
                values = np.full(len(cov), None, dtype=object)
                values[at] = cov[c].take(at).to_numpy(dtype=object)
                cov[c] = pd.Series(values, index=cov.index, dtype=object)
    return cov


def _outlet_descriptives(articles: pd.DataFrame) -> pd.DataFrame:
    """Per outlet and event: descriptive figures that are exact properties of the texts."""
    cols = [c for c in articles.columns if c.startswith("read_") and c not in
            ("read_smog_valid", "read_n_sentences", "read_n_words")]
    agg = articles.groupby(["event", "outlet"], sort=True)
    out = agg.agg(n_words=("n_words", "sum"), n_sentences=("n_sentences", "sum"))
    out = out.rename(columns={"n_words": "words_total", "n_sentences": "sentences_total"})
    for c in cols:
        out[c] = agg[c].mean()
    if "quotes_first_group" in articles:
        out["first_speaker_group"] = agg["quotes_first_group"].agg(
            lambda s: s.value_counts().sort_index().idxmax() if len(s) else "")
    for v in ("own", "quoted", "scare", "attributed"):
        if f"terms_n_{v}" in articles:
            out[f"terms_n_{v}"] = agg[f"terms_n_{v}"].sum()
    return out.reset_index()


def _actor_by_outlet(actors: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    a = actors.merge(articles[["doc_id", "event", "outlet"]], on="doc_id")
    a = a.assign(_sum=a["actor_mean_compound"].fillna(0) * a["actor_n_sentences"])
    g = a.groupby(["event", "outlet", "actor"], sort=True)
    out = g.agg(n_sentences=("actor_n_sentences", "sum"), n_mentions=("actor_n_mentions", "sum"),
                _sum=("_sum", "sum")).reset_index()
    out["mean_compound"] = np.where(out["n_sentences"] > 0,
                                    out["_sum"] / out["n_sentences"].where(out["n_sentences"] > 0, 1),
                                    np.nan)
    return out.drop(columns="_sum")


# ---------------------------------------------------------------------------------------------
# the entry points

def _event_groups(articles: pd.DataFrame, min_articles: int, max_articles: int):
    """Consecutive groups of whole events (sorted by event name).

    A group ends after an event whose name hashes to 0 modulo 8 once it holds ``min_articles``,
    or when it reaches ``max_articles``. Boundaries thus depend on event names, not on running
    totals, so adding articles to one event leaves the other groups (and their cached rendered
    tables) as they were.
    """
    group, size = [], 0
    for event, n in articles.groupby("event", sort=True).size().items():
        group.append(event)
        size += n
        mark = hashlib.sha256(str(event).encode("utf-8", "surrogatepass")).digest()[0] % 8 == 0
        if size >= max_articles or (size >= min_articles and mark):
            yield group
            group, size = [], 0
    if group:
        yield group


def _process(loaded, settings: Settings, sink, *, runner, cache, progress,
             lenient=False) -> None:
    # the loaded frame stays as it is (sorted by doc_id); each group's rows are taken and sorted
    # by event when it is processed, so the corpus is never copied whole (a sorted copy of a
    # 50,000-article corpus doubled the main process's memory, 0.5 to 1 GB)
    articles = loaded.articles
    engine.limit_heap_growth()
    sink.add("removed", loaded.removed)
    sink.add("skipped", loaded.skipped)
    hashes = step_hashes(settings)
    cache_root = str(cache) if cache else None
    event_cache = engine.EventCache(cache_root) if cache_root else None
    render_cache = RenderCache(cache_root) if cache_root and hasattr(sink, "add_run") else None
    groups = list(_event_groups(articles, 2 * settings.chunk_size, max(5 * settings.chunk_size, 1000)))
    sizes = [int(articles["event"].isin(g).sum()) for g in groups]
    scratch = getattr(sink, "tmp", None)
    if scratch is not None and len(groups) > 1:
        # the CLI: each group's articles go to a file of their own and the main process lets go
        # of the corpus, so its memory no longer grows with the corpus (260 MB of text at 50,000
        # articles); the API (MemorySink) returns the articles table and keeps it
        group_files = _spill_groups(articles, groups, Path(scratch) / "groups")
        loaded.articles = articles = articles.iloc[:0]
        release_free_memory()

        def group_articles(i, events):
            return pd.read_feather(group_files[i])
    else:
        def group_articles(i, events):
            return _group_rows(articles, events)
    bar = _progress(progress, sum(-(-n // settings.chunk_size) for n in sizes))
    state = {"passage_offset": 0, "effects": []}
    # events are processed in groups so memory depends on the group, not on the corpus
    spill = None
    if scratch is not None and runner.engine == "local":
        # chunks leave the cross-article steps' inputs in files that the event tasks read: the
        # main process never holds a group's sentences, quotes and terms (1 GB for an event of
        # 10,000 articles); a Dask cluster's workers need not share a disk, so there they travel
        spill = Path(scratch) / "inputs"
        spill.mkdir(parents=True, exist_ok=True)
    context = _RunContext(settings, sink, cache_root, event_cache, render_cache, hashes,
                          lenient, bar, state, spill)
    work = (_Group(i, events, group_articles(i, events), size)
            for i, (events, size) in enumerate(zip(groups, sizes)))
    tiny = len(groups) == 1 and sizes[0] <= settings.chunk_size and len(groups[0]) == 1
    _run_groups(work, context, runner, in_process=runner.engine == "local" and (
        runner.jobs == 1 or tiny))
    if bar is not None:
        bar.close()
    sink.add("outlet_effects", _pooled(state["effects"], settings))


def _group_rows(articles: pd.DataFrame, events: list) -> pd.DataFrame:
    """The articles of ``events``, sorted by event and doc_id."""
    return articles[articles["event"].isin(events)].sort_values(
        ["event", "doc_id"], kind="stable").reset_index(drop=True)


def _spill_groups(articles: pd.DataFrame, groups: list, folder: Path) -> list[Path]:
    """Write each group's articles (:func:`_group_rows`) to an Arrow IPC (Feather) file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, events in enumerate(groups):
        path = folder / f"{i:06d}.feather"
        _group_rows(articles, events).to_feather(path)
        paths.append(path)
    return paths


def group_key(arts: pd.DataFrame, hashes: dict[str, str], settings: Settings) -> str:
    """Cache key of a group's rendered tables: kit, steps, settings and every article field."""
    h = hashlib.sha256(json.dumps({"kit": kit_version(), "steps": hashes,
                                   "settings": asdict(settings)}, sort_keys=True,
                                  default=str).encode())
    cols = sorted(arts.columns)
    h.update(json.dumps(cols).encode())
    for row in arts.sort_values("doc_id", kind="stable")[cols].itertuples(index=False):
        for value in row:
            h.update(repr(value).encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
    return h.hexdigest()


def _add_event_tables(out: dict[str, pd.DataFrame], sink, state, only=PER_EVENT_TABLES,
                      group=None) -> None:
    """Send one event's cross-article tables to the sink (shared passages numbered corpus-wide)."""
    if "shared" in out and len(out["shared"]):
        out["shared"] = out["shared"].assign(
            passage_id=out["shared"]["passage_id"] + state["passage_offset"])
        state["passage_offset"] = int(out["shared"]["passage_id"].max())
    for name in PER_EVENT_TABLES:
        if name in only:
            sink.add(name, out.get(name), group)
    if "outlets" in out and len(out["outlets"]):  # (empty frames are left out when pooling)
        effects = state["effects"]
        effects.append(out["outlets"])
        if len(effects) >= 64:  # one frame per 64 events: a small frame's overhead is ~70 KB
            effects[:] = [pd.concat(effects, ignore_index=True)]


class _RunContext(NamedTuple):
    """What every group of a run shares (``spill``: folder for the chunks' event inputs, or
    None to pass them through the main process)."""
    settings: Settings
    sink: object
    cache_root: str | None
    event_cache: object
    render_cache: object
    hashes: dict
    lenient: bool
    bar: object
    state: dict
    spill: Path | None = None


class _Group:
    """A group of whole events on its way through the pipeline."""

    def __init__(self, index: int, events: list, arts: pd.DataFrame, size: int):
        self.index, self.events, self.arts, self.size = index, events, arts, size
        self.gkey = None
        self.replay = None          # (runs, n_passages, per-event outlets) from the render cache
        self.chunks_left = 0
        self.parts: dict[int, dict] = {}
        self.event_results: dict[int, tuple] = {}
        self.events_left = None     # None until the event tasks exist
        self.n_failed = 0           # articles of the group whose per-article steps failed
        self.spilled: list = []     # chunk files of event inputs, removed when the group ends

    @property
    def complete(self) -> bool:
        return self.replay is not None or (self.chunks_left == 0 and self.events_left == 0)


def _run_groups(groups, ctx: _RunContext, runner, in_process: bool) -> None:
    """Run every group's chunk tasks and then its event tasks, keeping the workers busy.

    A group's event tasks can only start when all its chunks are done; meanwhile the next
    group's chunk tasks are already running, so the workers do not wait at group boundaries.
    At most two groups are open at a time (memory stays bounded by the group size). Results
    reach the sink in group order, so tables and the render cache are as with one group at a
    time.
    """
    s = ctx.settings
    render = hasattr(ctx.sink, "add_rendered")
    window = 1 if in_process else 2 * runner.jobs
    queue: deque = deque()      # (kind, group, index, task) not yet submitted
    inflight: deque = deque()   # (kind, group, index, future) in submission order
    open_groups: deque = deque()
    groups = iter(groups)

    def open_next() -> bool:
        g = next(groups, None)
        if g is None:
            return False
        open_groups.append(g)
        if ctx.render_cache:
            g.gkey = group_key(g.arts, ctx.hashes, s)
            g.replay = _replayable(g, ctx)
            if g.replay is not None:
                return True
            ctx.sink.capture(g.index)
        tasks = [((chunk, s, ctx.cache_root, ctx.hashes, ctx.lenient), render,
                  ctx.spill / f"g{g.index:06d}-c{i:06d}.pkl" if ctx.spill else None)
                 for i, chunk in enumerate(engine.chunks(g.arts, s.chunk_size))]
        g.chunks_left = len(tasks)
        queue.extend(("chunk", g, i, t) for i, t in enumerate(tasks))
        if not tasks:
            g.events_left = 0
        return True

    more = True
    while True:
        while len(inflight) < window:
            if not queue and more and len(open_groups) < 2:
                more = open_next()
                continue
            if not queue:
                break
            kind, g, i, task = queue.popleft()
            fn = _chunk_task if kind == "chunk" else _event_task
            if kind == "event" and not inflight and not in_process and _large(task):
                runner.recycle()  # a fresh worker for a large event; the others exit
            inflight.append((kind, g, i, runner.submit(fn, task, in_process)))
        if inflight:
            kind, g, i, fut = inflight.popleft()
            out = runner.collect(fut)
            if kind == "chunk":
                _chunk_done(g, i, out, ctx, render)
                if g.chunks_left == 0:
                    tasks = _event_tasks(g, ctx, render)
                    g.events_left = len(tasks)
                    queue.extendleft(reversed(tasks))  # before the next group's chunks
            else:
                g.event_results[i] = out
                g.events_left -= 1
        while open_groups and open_groups[0].complete:
            _finish_group(open_groups.popleft(), ctx)
        if not inflight and not queue and not (more and len(open_groups) < 2):
            if open_groups:  # cannot happen: every open group has work queued or in flight
                raise RuntimeError("internal error: a group of events never completed")
            return


def _replayable(g: _Group, ctx: _RunContext):
    """The group's runs rendered by an earlier run (shared passages numbered from 1 in the group,
    and how many there are) and its events' cached outlet estimates (pooled at the end), or None."""
    cached = ctx.render_cache.get(g.gkey)
    if cached is None:
        return None
    runs, n_passages = cached
    per_event = []
    for event in g.events:
        ev = g.arts[g.arts["event"] == event]
        out = ctx.event_cache.get(event_key(ev, ctx.hashes, ctx.settings), tables=("outlets",))
        if out is None:
            return None
        per_event.append(out)
    return runs, n_passages, per_event


def _chunk_done(g: _Group, i: int, out, ctx: _RunContext, render: bool) -> None:
    failed, per_article, inputs = out
    g.n_failed += len(failed)
    if len(failed):
        ctx.sink.add("skipped", failed, g.index)
    for name in PER_ARTICLE_TABLES:  # written chunk by chunk: memory holds only what
        _add(ctx.sink, name, per_article.get(name), render, g.index)  # cross-article steps read
    g.parts[i] = inputs
    g.chunks_left -= 1
    if ctx.bar is not None:
        ctx.bar.update(1)


def _event_tasks(g: _Group, ctx: _RunContext, render: bool) -> list:
    """One task per event of the group, from the group's per-article tables (or, when the
    chunks spilled them, the files of the chunks holding the event's articles)."""
    parts = [g.parts[i] for i in sorted(g.parts)]
    g.parts = {}
    if parts and isinstance(parts[0], Path):
        g.spilled = parts
        if g.n_failed >= len(g.arts):
            return []  # every article of these events failed (listed in skipped)
        return _spilled_event_tasks(g, parts, ctx, render)
    group = {name: pd.concat([p[name] for p in parts if name in p], ignore_index=True)
             for name in parts[0]} if parts else {}
    del parts
    if not group or not len(group.get("articles", [])):
        return []  # every article of these events failed (listed in skipped)
    ev_docs = group["articles"].groupby("event")["doc_id"].agg(set).to_dict()
    tasks = []
    for n, event in enumerate(g.events):
        if len(g.events) == 1:  # no copy: a group of one (possibly very large) event
            ev_tables = {k: v for k, v in group.items() if k in EVENT_INPUTS}
        else:
            docs = ev_docs.get(event, set())
            ev_tables = {k: v[v["doc_id"].isin(docs)] for k, v in group.items()
                         if k in EVENT_INPUTS}
        tasks.append(("event", g, n, (ev_tables, ctx.settings, ctx.hashes, ctx.cache_root,
                                      render)))
    return tasks


def _spilled_event_tasks(g: _Group, files: list[Path], ctx: _RunContext, render: bool) -> list:
    """Event tasks that read their inputs from the chunk files holding the event's articles
    (the chunks are consecutive slices of the group's articles, sorted by event)."""
    size = ctx.settings.chunk_size
    first = {}
    for pos, event in enumerate(g.arts["event"].tolist()):
        first.setdefault(event, pos)
    last = {event: pos for pos, event in enumerate(g.arts["event"].tolist())}
    tasks = []
    for n, event in enumerate(g.events):
        if event not in first:
            continue
        ev_files = files[first[event] // size:last[event] // size + 1]
        # an event sure to be above coverage_max_articles even if every failed article of the
        # group is its own gets no coverage table: its sentences' text is not read (50 MB at
        # 10,000 articles)
        large = last[event] - first[event] + 1 - g.n_failed > ctx.settings.coverage_max_articles
        tasks.append(("event", g, n, (_SpilledInputs(ev_files, event, large), ctx.settings,
                                      ctx.hashes, ctx.cache_root, render)))
    return tasks


def _large(event_task) -> bool:
    """Whether an event task is for an event above ``coverage_max_articles`` (spilled inputs)."""
    inputs = event_task[0]
    return isinstance(inputs, _SpilledInputs) and inputs.without_sentence_text


class _SpilledInputs(NamedTuple):
    """An event's inputs left in chunk files (:func:`_chunk_task`), read by the event task."""
    files: list
    event: str
    without_sentence_text: bool = False

    def read(self) -> dict[str, pd.DataFrame]:
        """The event's rows of every table, in chunk order (as the concatenated group gives)."""
        parts = []
        for f in self.files:
            with open(f, "rb") as fh:
                part = pickle.load(fh)
            if self.without_sentence_text and "sentences" in part:
                part["sentences"] = part["sentences"].drop(columns=["text"], errors="ignore")
            parts.append(part)
        group = {name: pd.concat([p[name] for p in parts if name in p], ignore_index=True)
                 for name in parts[0]}
        del parts
        arts = group["articles"]
        if arts["event"].eq(self.event).all():
            return group
        docs = set(arts.loc[arts["event"] == self.event, "doc_id"].tolist())
        return {k: v[v["doc_id"].isin(docs)] for k, v in group.items()}


def _finish_group(g: _Group, ctx: _RunContext) -> None:
    """Send a finished group's per-event tables to the sink, in event order; cache its runs."""
    sink, state = ctx.sink, ctx.state
    first = state["passage_offset"]  # passages before this group's
    if g.replay is not None:
        runs, n_passages, per_event = g.replay
        for name, run in runs:
            if name == "shared":  # the cached run is numbered within its group
                run.id_offset += first
            sink.add_run(name, run)
        state["passage_offset"] = first + n_passages
        for out in per_event:
            _add_event_tables(out, sink, state, only=())
        if ctx.bar is not None:
            ctx.bar.update(-(-g.size // ctx.settings.chunk_size))
        return
    render = hasattr(sink, "add_rendered")
    for n in sorted(g.event_results):
        out, rendered = g.event_results[n]
        _add_event_tables(out, sink, state, only=("shared",) if render else PER_EVENT_TABLES,
                          group=g.index)
        for name, r in (rendered or {}).items():
            if isinstance(r, _SharedRun):  # passages are numbered across the corpus
                sink.add_rendered(name, r.rendered, g.index, id_offset=state["passage_offset"])
                state["passage_offset"] += r.n_passages
            else:
                sink.add_rendered(name, r, g.index)
    for f in g.spilled:
        f.unlink(missing_ok=True)
    if ctx.render_cache:
        # shared passages are numbered across the corpus: the cached runs count from the
        # group's first passage, and a warm run shifts them (the main process never holds them)
        runs = [(t, Run(r.path, r.columns, r.blocks, r.id_offset - first)
                 if t == "shared" and r.path is not None else r) for t, r in sink.captured(g.index)]
        ctx.render_cache.put(g.gkey, runs, n_ids=state["passage_offset"] - first)
    # the group's unpickled results are freed, but glibc keeps such pages unless asked: without
    # this the main process grew by 0.7 GB over a 50,000-article run (measured: 538 MB at the
    # end of a 4,000-article run, 293 MB after the trim)
    release_free_memory()


def _add(sink, name: str, table, rendered: bool, group=None) -> None:
    if rendered:
        sink.add_rendered(name, table, group)
    else:
        sink.add(name, table, group)


def render_table(name: str, frame: pd.DataFrame | None, folder=None):
    """``frame`` rendered as a CSV run of table ``name`` (:func:`sinks.render`; written to a
    file in ``folder`` when given), or None."""
    if frame is None or not len(frame.columns):
        return None
    return render(frame, TABLE_KEYS.get(name, []), order_columns(name, frame.columns), folder)


#: the per-article tables the cross-article steps read
EVENT_INPUTS = ("articles", "sentences", "quotes", "terms", "article_actors")


def _chunk_task(task):
    """One chunk's per-article steps and tables (a picklable task for the engine).

    Returns ``(failures, per_article, event_inputs)``: the failed articles, the contract's
    per-article tables (rendered CSV runs when ``render``, else frames) and the frames the
    cross-article steps read.
    """
    (arts, *rest), render, spill = task
    engine.limit_heap_growth()
    r = analyze_chunk((arts, *rest))
    failed = r.pop("_failures")
    tables = assemble_articles(arts[~arts["doc_id"].isin(failed["record"])], r)
    per_article = {name: tables.get(name) for name in PER_ARTICLE_TABLES}
    if render:
        folder = spill.parent if spill is not None else None  # on this machine: runs as files
        per_article = {name: render_table(name, f, folder) for name, f in per_article.items()}
    inputs = {k: v for k, v in tables.items() if k in EVENT_INPUTS}
    del r, tables
    if spill is not None:  # the event tasks read them from there, not via the main process
        tmp = spill.with_name(f".{spill.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(inputs, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, spill)
        inputs = spill
    release_free_memory()  # a worker's heap then follows the chunk, not the run's history
    return failed, per_article, inputs


def _event_task(task):
    """One event's cross-article tables (a picklable task for the engine), cached per event.

    Returns ``(tables, rendered)``. When ``render``, every per-event table but ``shared``
    (numbered across the corpus by the main process) comes back as a rendered CSV run and
    ``tables`` keeps only ``shared`` and ``outlets``.
    """
    tables, settings, hashes, cache_root, render = task
    engine.limit_heap_growth()
    folder = None
    if isinstance(tables, _SpilledInputs):  # on this machine: rendered runs go to files
        folder = Path(tables.files[0]).parent
        tables = tables.read()
    store = engine.EventCache(cache_root) if cache_root else None
    key = event_key(tables["articles"], hashes, settings) if store else None
    out = store.get(key) if store else None
    # on this machine the shared passages go straight to a run file (see analyze_event)
    stream = folder if render else None
    if out is not None and isinstance(out.get("shared"), engine.RunFile):
        if stream is None:
            out = None  # cached as a CSV run, but this engine needs the frame: computed again
        elif out["shared"].path is not None:  # the sink's run is a link to the cached file
            path = folder / f"run.{uuid.uuid4().hex}.csv"
            link_or_copy(out["shared"].path, path)
            out["shared"] = out["shared"]._replace(path=str(path))
    if out is None:
        out = analyze_event(tables["articles"], tables, settings, shared_folder=stream,
                            release=True)
        if store:
            store.put(key, out)
    if not render:
        return out, None
    rendered = {}
    for name in PER_EVENT_TABLES:
        table = out.get(name)
        if isinstance(table, engine.RunFile):  # numbered from 1; the sink adds the offset
            rendered[name] = _SharedRun(Rendered(table.columns, None, None, table.path),
                                        table.n_ids)
        elif name == "shared" and table is not None:
            rendered[name] = _SharedRun(render_table(name, table, folder),
                                        int(table["passage_id"].max()) if len(table) else 0)
        elif table is not None:
            rendered[name] = render_table(name, table, folder)
    keep = {k: v for k, v in out.items() if k == "outlets"}
    del out, tables
    release_free_memory()
    return keep, rendered


class _SharedRun(NamedTuple):
    """An event's shared passages rendered by its task, numbered 1 to ``n_passages``."""
    rendered: object
    n_passages: int


def event_key(articles: pd.DataFrame, hashes: dict[str, str], settings: Settings) -> str:
    """Cache key of an event's cross-article results: every input they depend on."""
    h = hashlib.sha256(json.dumps({"kit": kit_version(), "steps": hashes,
                                   "n_boot": settings.n_boot, "seed": settings.random_state,
                                   "coverage_max_articles": settings.coverage_max_articles,
                                   "keyness_max_rows": settings.keyness_max_rows,
                                   "terms": hashes["terms"]}, sort_keys=True).encode())
    cols = [c for c in ("doc_id", "outlet", "event", "wire_agency", "text") if c in articles]
    for row in articles.sort_values("doc_id")[cols].itertuples(index=False):
        for value in row:
            h.update(str(value).encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
    return h.hexdigest()


def _pooled(outlet_frames: list[pd.DataFrame], settings: Settings) -> pd.DataFrame:
    from .compare import pooled_outlet_effects

    cols = ["outlet", "metric", "effect", "effect_lo", "effect_hi", "n_events"]
    frames = [f for f in outlet_frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=cols)
    est = pd.concat(frames, ignore_index=True)
    if est["event"].nunique() < 2:
        return pd.DataFrame(columns=cols)
    metrics = [c[:-3] for c in est.columns if c.endswith("_lo") and f"{c[:-3]}_hi" in est]
    with warnings.catch_warnings():
        # a metric undefined for every outlet of an event (e.g. no quotations) pools to NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return pooled_outlet_effects(est, metrics, n_boot=settings.n_boot,
                                     random_state=settings.random_state)


def _progress(enabled: bool, total_chunks: int):
    """A progress bar over chunks on stderr (tqdm), or None."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total_chunks, unit="chunk", desc="analysing articles", leave=False)


def _load(corpus, settings: Settings, *, lenient, columns, preset, cache, executor=None):
    """:func:`read_corpus`, through :class:`engine.LoadCache` when a cache folder is given
    (``executor``: the workers that split page furniture off the records while they are read)."""
    def read():
        return read_corpus(corpus, lenient=lenient, columns=columns, preset=preset,
                           furniture=settings.furniture, count_sentences=False,
                           drop_duplicates=settings.drop_duplicates, executor=executor)

    if not cache or Path(corpus).is_dir() and not (Path(corpus) / "manifest.csv").exists():
        return read()  # (a folder without a manifest: let the loader say so)
    import pandas as _pd

    furniture = Path(settings.lexicons()["furniture"]).read_bytes() if settings.furniture else b""
    options = {"kit": kit_version(), "pandas": _pd.__version__, "lenient": lenient,
               "columns": columns, "preset": preset, "column_aliases": COLUMN_ALIASES,
               "drop_duplicates": settings.drop_duplicates,
               "furniture": hashlib.sha256(furniture).hexdigest()}
    store = engine.LoadCache(cache)
    key = store.key(corpus, options)
    loaded = store.get(key)
    if loaded is None:
        loaded = read()
        store.put(key, loaded)
    else:
        for message in loaded.warnings:  # the same warnings as when it was first read
            warnings.warn(message, CorpusWarning, stacklevel=3)
    return loaded


def _execute(corpus, sink, settings: Settings, *, lenient, columns, preset, progress, jobs,
             engine, scheduler, cache):
    """Load the corpus and send every table to ``sink``; return the loaded corpus.

    The local workers start while the corpus is read: they split page furniture off its
    records (after the first few hundred, so a small corpus never starts them) and are ready,
    their libraries imported, when the analysis begins."""
    import gc

    with Runner(jobs, engine, scheduler) as runner:
        loaded = _load(corpus, settings, lenient=lenient, columns=columns, preset=preset,
                       cache=cache, executor=runner.executor())
        gc.collect()
        release_free_memory()  # the loader's temporary objects: not kept for the whole run
        if len(loaded.articles):
            _process(loaded, settings, sink, runner=runner, cache=cache, progress=progress,
                     lenient=lenient)
        else:
            sink.add("removed", loaded.removed)
            sink.add("skipped", loaded.skipped)
    return loaded


def run(corpus, *, settings: Settings | None = None, lenient: bool = False,
        columns: dict[str, str] | None = None, preset: str | None = None,
        progress: bool = False, jobs: int | None = None, engine: str = "local",
        scheduler: str | None = None, cache=None) -> Tables:
    """Run the whole analysis on a corpus and return every table as a dataframe.

    Parameters
    ----------
    corpus : str or Path
        Corpus directory with ``manifest.csv`` or a CSV/JSONL/Parquet file.
    settings : Settings, optional
        Lexicons, bootstrap settings, chunk size.
    lenient, columns, preset
        Passed to :func:`analysis.read_corpus`.
    progress : bool
        Show a progress bar on stderr.
    jobs : int or None
        Worker processes (``None``: all cores; 1: in this process). A corpus that fits in one
        chunk always runs in this process.
    engine : {"local", "dask"}
        Where chunks run; ``scheduler`` is the Dask scheduler address (default: LocalCluster).
    cache : path, optional
        On-disk cache of per-article results (see :mod:`analysis.engine`).

    Returns
    -------
    Tables
        ``articles, removed, skipped, sentences, quotes, attributions, terms, hedges, actors,
        term_shares, actor_sentiment, outlets, outlet_effects, keyness, shared, coverage``.
    """
    settings = settings or Settings()
    sink = MemorySink(TABLE_KEYS, order_columns)
    loaded = _execute(corpus, sink, settings, lenient=lenient, columns=columns, preset=preset,
                      progress=progress, jobs=jobs, engine=engine, scheduler=scheduler,
                      cache=cache)
    frames = sink.finish()
    frames.setdefault("articles", loaded.articles)
    for name in TABLE_KEYS:
        frames.setdefault(name, pd.DataFrame(columns=CONTRACT_COLUMNS.get(name, TABLE_KEYS[name])))
    ordered = {name: frames[name] for name in TABLE_KEYS}
    return Tables(ordered, loaded.n_records, loaded.warnings, settings)


def run_to_dir(corpus, out_dir, *, settings: Settings | None = None, lenient: bool = False,
               columns=None, preset=None, progress: bool = False, jobs: int | None = None,
               engine: str = "local", scheduler: str | None = None, cache=None) -> list[Path]:
    """Like :func:`run` but stream every table to ``<out_dir>/<table>.csv`` (bounded memory)."""
    settings = settings or Settings()
    sink = CsvSink(out_dir, TABLE_KEYS, order_columns, in_order=PER_EVENT_TABLES)
    for name in CONTRACT_COLUMNS:  # every contract table gets its header even when empty
        sink.add(name, pd.DataFrame(columns=CONTRACT_COLUMNS[name]))
    try:
        _execute(corpus, sink, settings, lenient=lenient, columns=columns, preset=preset,
                 progress=progress, jobs=jobs, engine=engine, scheduler=scheduler, cache=cache)
        for name in TABLE_KEYS:  # and so does every other table
            if name not in sink.columns:
                sink.add(name, pd.DataFrame(columns=TABLE_KEYS[name]))
        paths = sink.finish()
    except BaseException:  # an error or Ctrl-C: no half-written scratch folder left behind
        sink.discard()
        raise
    order = {n: i for i, n in enumerate(TABLE_KEYS)}
    return sorted(paths, key=lambda p: order.get(p.stem, 99))


def write_tables(tables: Tables, out_dir) -> list[Path]:
    """Write each table as ``<name>.csv`` (UTF-8, RFC 4180, floats round-trip, sorted by keys)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLE_KEYS:
        if name not in tables:
            continue
        path = out / f"{name}.csv"
        frame = tables[name]
        to_csv(sort_frame(frame[order_columns(name, frame.columns)], TABLE_KEYS[name]), path)
        written.append(path)
    return written


def read_tables(folder) -> Tables:
    """Read tables written by :func:`write_tables` back into a :class:`Tables` (fast re-use).

    Id-like and text columns stay strings; ``text`` keeps its exact characters.
    """
    folder = Path(folder)
    frames = {}
    text_cols = {"doc_id", "record", "source", "text", "title", "outlet", "event", "speaker",
                 "speaker_group", "cue", "surface", "term", "unit_label", "published"}
    for name in TABLE_KEYS:
        path = folder / f"{name}.csv"
        if path.exists():
            header = pd.read_csv(path, nrows=0).columns
            frames[name] = pd.read_csv(path, dtype={c: str for c in header if c in text_cols},
                                       keep_default_na=False, na_values=[""], encoding="utf-8")
            for c in frames[name].columns:
                if c in text_cols:
                    frames[name][c] = frames[name][c].fillna("")
    return Tables(frames)
