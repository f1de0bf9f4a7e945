"""The one pipeline: corpus -> every table of the contract (``python -m analysis tables``).

``run()`` loads a corpus, runs the per-article steps (sentences, quotations and speakers,
terminology, hedging, sentiment, readability) and then the cross-article steps per event
(distinctive language, shared passages, coverage, outlet statistics). ``write_tables()`` writes
the frames as CSV per ``shared/TABLES.md``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .corpus import read_corpus

#: The tables of the contract, in the order they are written, with their key columns.
TABLE_KEYS: dict[str, list[str]] = {
    "articles": ["doc_id"],
    "removed": ["doc_id", "line"],
    "skipped": ["source", "record"],
    "sentences": ["doc_id", "sent_id"],
    "quotes": ["doc_id", "quote_id"],
    "attributions": ["doc_id", "start"],
    "terms": ["doc_id", "start"],
    "term_shares": ["event", "outlet", "concept", "variant"],
    "hedges": ["doc_id", "start"],
    "actors": ["doc_id", "start"],
    "actor_sentiment": ["event", "outlet", "actor"],
    "outlets": ["event", "outlet"],
    "outlet_effects": ["metric", "outlet"],
    "keyness": ["event", "outlet"],
    "shared": ["passage_id", "doc_id"],
    "coverage": ["event", "unit_id", "doc_id"],
}

#: Columns each contract table must have (from shared/TABLES.md); used for empty tables.
CONTRACT_COLUMNS: dict[str, list[str]] = {
    "articles": ["doc_id", "outlet", "event", "title", "published", "source_path", "n_words",
                 "n_sentences", "text"],
    "removed": ["doc_id", "line", "rule"],
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


@dataclass
class Settings:
    """Everything besides the corpus that determines the tables (part of the cache key)."""

    terms: str = "terms_ukraine_2014"
    hedges: str = "hedges"
    actors: str = "actors_ukraine_2014"
    speaker_groups: str = "speaker_groups"
    furniture: str | None = "furniture"
    n_boot: int = 2000
    random_state: int = 0


@dataclass
class Tables:
    """All frames produced by :func:`run`, by table name (``tables["terms"]``)."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    n_records: int = 0
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def __contains__(self, name: str) -> bool:
        return name in self.frames

    def __iter__(self):
        return iter(self.frames)

    def items(self):
        return self.frames.items()


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=CONTRACT_COLUMNS.get(name, TABLE_KEYS.get(name, [])))


def run(corpus, *, settings: Settings | None = None, lenient: bool = False,
        columns: dict[str, str] | None = None, preset: str | None = None,
        progress: bool = False, jobs: int | None = None, engine: str = "local",
        scheduler: str | None = None, cache=None) -> Tables:
    """Run the whole analysis on a corpus and return every table.

    Parameters
    ----------
    corpus : str or Path
        Corpus directory with ``manifest.csv`` or a CSV/JSONL/Parquet file.
    settings : Settings, optional
        Lexicons and statistics settings.
    lenient, columns, preset
        Passed to :func:`analysis.read_corpus`.

    Returns
    -------
    Tables
    """
    settings = settings or Settings()
    loaded = read_corpus(corpus, lenient=lenient, columns=columns, preset=preset,
                         furniture=settings.furniture, count_sentences=False)
    frames = {"articles": loaded.articles, "removed": loaded.removed, "skipped": loaded.skipped}
    per_article = analyze_articles(loaded.articles, settings)
    frames.update(per_article)
    frames["articles"] = per_article.pop("articles_enriched", frames["articles"])
    frames.update(analyze_events(frames, settings))
    for name in CONTRACT_COLUMNS:
        frames.setdefault(name, _empty(name))
    return Tables(frames, loaded.n_records, loaded.warnings)


def analyze_articles(articles: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """Per-article steps: every output row depends on one article only."""
    from . import segment

    out: dict[str, pd.DataFrame] = {}
    sentences = segment.sentences(articles[["doc_id", "text"]])
    arts = articles.copy()
    arts["n_sentences"] = arts["doc_id"].map(sentences.groupby("doc_id").size()).fillna(0).astype("int64")
    out["sentences"] = sentences
    out["articles_enriched"] = arts
    return out


def analyze_events(frames: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    """Cross-article steps, run per event."""
    return {}



def write_tables(tables: Tables, out_dir) -> list[Path]:
    """Write each table as ``<name>.csv`` (UTF-8, RFC 4180, floats round-trip, sorted by keys)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLE_KEYS:
        if name not in tables:
            continue
        frame = tables[name]
        keys = [k for k in TABLE_KEYS[name] if k in frame.columns]
        if keys and len(frame):
            frame = frame.sort_values(keys, kind="stable")
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n",
                     quoting=csv.QUOTE_MINIMAL)  # pandas writes shortest round-trip floats
        written.append(path)
    return written


def read_tables(folder) -> Tables:
    """Read tables written by :func:`write_tables` back into a :class:`Tables` (fast re-use).

    ``doc_id`` and other id-like text columns stay strings; ``text`` keeps its exact characters.
    """
    folder = Path(folder)
    frames = {}
    for name in TABLE_KEYS:
        path = folder / f"{name}.csv"
        if path.exists():
            frames[name] = pd.read_csv(path, dtype={"doc_id": str, "record": str, "source": str,
                                                    "text": str, "title": str, "outlet": str,
                                                    "event": str, "speaker": str, "cue": str},
                                       keep_default_na=False, na_values=[""], encoding="utf-8")
    return Tables(frames)
