"""VADER sentence sentiment split by voice, article summaries and actor-context sentiment."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.errors import LexiconError
from analysis.lexicon import load_lexicon
from analysis.sentiment import (SENTENCE_COLUMNS, actor_mentions, actor_sentiment, analyzer,
                                article_sentiment, sentence_sentiment, vader_scores)


def frames(text: str, doc_id: str = "d1", quotes: list[tuple[int, int]] = ()):
    from analysis.segment import sentence_spans

    spans = sentence_spans(text)
    sents = pd.DataFrame({"doc_id": doc_id, "para_id": 1, "sent_id": range(1, len(spans) + 1),
                          "start": [s for s, _ in spans], "end": [e for _, e in spans],
                          "text": [text[s:e] for s, e in spans]})
    q = pd.DataFrame({"doc_id": doc_id, "quote_id": range(1, len(quotes) + 1),
                      "start": [s for s, _ in quotes], "end": [e for _, e in quotes],
                      "mark_start": [s - 1 for s, _ in quotes], "mark_end": [e + 1 for _, e in quotes],
                      "kind": "speech"})
    return sents, q


def test_one_analyzer_per_process():
    assert analyzer() is analyzer()


def test_vader_compound_of_a_seed_sentence():
    # castanet seed: 'It also would be easily verifiable by Western intelligence.'
    s = vader_scores("It also would be easily verifiable by Western intelligence.")
    assert round(s["compound"], 4) == 0.6705
    assert (s["neg"], s["neu"], s["pos"]) == (0.0, 0.56, 0.44)


def test_own_and_quoted_parts_are_scored_separately():
    text = 'He said "this is a terrible disaster" and smiled happily.'
    qs = text.index('"') + 1
    qe = text.index('" and')
    sents, quotes = frames(text, quotes=[(qs, qe)])
    out = sentence_sentiment(sents, quotes)
    assert list(out.columns) == SENTENCE_COLUMNS
    row = out.iloc[0]
    assert row["vader_compound"] == vader_scores(text)["compound"]
    assert row["vader_compound_quoted"] == vader_scores("this is a terrible disaster")["compound"]
    assert round(row["vader_compound_quoted"], 4) == -0.802
    assert row["vader_compound_own"] == vader_scores("He said and smiled happily.")["compound"]
    assert row["vader_compound_own"] > 0 > row["vader_compound_quoted"]


def test_nan_when_nothing_is_quoted_or_nothing_is_left():
    text = '"Everything is wonderful." The war goes on.'
    sents, quotes = frames(text, quotes=[(1, text.index('."') + 1)])
    out = sentence_sentiment(sents, quotes)
    assert math.isnan(out.loc[0, "vader_compound_own"])  # the whole sentence is quoted
    assert out.loc[0, "vader_compound_quoted"] > 0.5
    assert math.isnan(out.loc[1, "vader_compound_quoted"])  # no quotation in sentence 2
    assert out.loc[1, "vader_compound_own"] == out.loc[1, "vader_compound"]


def test_article_sentiment_thresholds_and_counts():
    ss = pd.DataFrame({
        "doc_id": ["a", "a", "a", "a", "b"], "sent_id": [1, 2, 3, 4, 1],
        "vader_compound": [0.5, -0.5, 0.04, -0.05, 0.2],
        "vader_pos": 0.0, "vader_neg": 0.0, "vader_neu": 1.0,
        "vader_compound_own": [0.5, math.nan, 0.04, -0.05, 0.2],
        "vader_compound_quoted": [math.nan, -0.5, math.nan, math.nan, math.nan],
    })
    arts = pd.DataFrame({"doc_id": ["b", "a", "c"]})
    out = article_sentiment(ss, arts).set_index("doc_id")
    assert out.loc["a", "vader_mean_compound"] == pytest.approx(-0.0025)
    assert out.loc["a", "vader_share_positive"] == 0.25  # only 0.5 (0.04 < 0.05)
    assert out.loc["a", "vader_share_negative"] == 0.5   # -0.5 and -0.05 (<= -0.05)
    assert out.loc["a", "vader_n_sentences"] == 4
    assert out.loc["a", "vader_n_sentences_own"] == 3
    assert out.loc["a", "vader_mean_compound_quoted"] == -0.5
    assert out.loc["a", "vader_n_sentences_quoted"] == 1
    assert out.loc["b", "vader_n_sentences_quoted"] == 0
    assert math.isnan(out.loc["b", "vader_mean_compound_quoted"])
    assert out.loc["c", "vader_n_sentences"] == 0 and math.isnan(out.loc["c", "vader_mean_compound"])
    assert list(out.index) == ["a", "b", "c"]


def test_seed_sentence_with_quotation(articles):
    from analysis.quotes import find_quotes
    from analysis.segment import sentences

    sents = sentences(articles)
    out = sentence_sentiment(sents, find_quotes(articles)).merge(sents, on=["doc_id", "sent_id"])
    row = out[out["text"].str.startswith('"We have seen no indication of any movement,"')].iloc[0]
    assert row["doc_id"] == "reuters"
    assert round(row["vader_compound"], 4) == 0.0258
    assert round(row["vader_compound_quoted"], 4) == -0.296   # "We have seen no indication ..."
    assert round(row["vader_compound_own"], 4) == 0.3182      # "Pentagon spokesman ... told Reuters."
    per_article = article_sentiment(out, articles)
    assert len(per_article) == 5 and (per_article["vader_n_sentences"] > 10).all()


# --- actors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Pro-Kremlin media praised Putin.", [("Putin", "russia")]),
    ("The pro-Russian separatists seized a building.", [("pro-Russian separatists", "separatists")]),
    ("The separatists have their own anti-Kiev agenda.", [("separatists", "separatists")]),
    ("Talks were held in Kiev.", []),
    ("Kiev said it was monitoring the area.", [("Kiev", "ukraine_government")]),
    ("Military analyst Anton Lavrov disagreed.", []),
    ("Sergei Lavrov met the EU envoy.", [("Sergei Lavrov", "russia"), ("the EU", "west")]),
    ("NATO and the United States said so.", [("NATO", "west"), ("the United States", "west")]),
    ("Regions in western Ukraine voted.", []),
    ("Valeriy Bolotov, the self-declared governor of a \"people's republic\" in Luhansk.",
     [("Valeriy Bolotov", "separatists"), ("self-declared governor", "separatists"),
      ("people's republic", "separatists")]),
])
def test_actor_mentions(text, expected):
    sents, _ = frames(text)
    m = actor_mentions(sents)
    assert list(zip(m["surface"], m["actor"])) == expected
    for r in m.itertuples():
        assert text[r.start:r.end] == r.surface


def test_actor_sentiment_grid_and_means():
    text = "Putin praised the wonderful talks. NATO condemned the brutal attack by Putin."
    sents, quotes = frames(text)
    ss = sentence_sentiment(sents, quotes)
    m = actor_mentions(sents)
    out = actor_sentiment(ss, m)
    assert out["actor"].tolist() == ["russia", "separatists", "ukraine_government", "west"]
    ru = out.set_index("actor").loc["russia"]
    assert ru["actor_n_mentions"] == 2 and ru["actor_n_sentences"] == 2
    assert ru["actor_mean_compound"] == pytest.approx(ss["vader_compound"].mean())
    west = out.set_index("actor").loc["west"]
    assert west["actor_n_sentences"] == 1
    assert west["actor_mean_compound"] == ss.loc[1, "vader_compound"] < 0
    assert out.set_index("actor").loc["separatists", "actor_n_sentences"] == 0


def test_actor_lexicon_header():
    lex = load_lexicon("actors_ukraine_2014")
    assert lex["version"] and lex["source"] and lex["licence"]
    assert set(lex["actors"]) == {"russia", "west", "ukraine_government", "separatists"}


def test_malformed_actor_lexicon_names_file_and_actor(tmp_path):
    bad = tmp_path / "bad_actors.yaml"
    bad.write_text("name: bad\nversion: '0.1'\nsource: t\nlicence: CC0-1.0\ndescription: d\n"
                   "categories: {russia: r}\nactors:\n  russia: ['Putin(']\n", encoding="utf-8")
    sents, _ = frames("Putin spoke.")
    with pytest.raises(LexiconError) as err:
        actor_mentions(sents, actors=str(bad))
    assert str(bad) in str(err.value) and "actors.russia, pattern 1" in str(err.value)
