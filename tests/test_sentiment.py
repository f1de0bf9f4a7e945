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


# --- the fast paths are identical to the straightforward implementations ------------------------
# References: the per-sentence / per-article code the fast paths replaced, verbatim in logic, and
# vaderSentiment's stock SentimentIntensityAnalyzer.
import re  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from vaderSentiment import vaderSentiment as stock_vader  # noqa: E402

from analysis import sentiment as sentiment_mod  # noqa: E402
from analysis import vader_fast  # noqa: E402
from analysis.tokens import count_words  # noqa: E402


@pytest.fixture(scope="module")
def stock():
    return stock_vader.SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def fast():
    return vader_fast.FastSentimentIntensityAnalyzer()


def _same_scores(a: dict, b: dict) -> bool:
    """Equal dicts, same key order, same types and the same bits (float.hex tells -0.0 from 0.0)."""
    return list(a) == list(b) and all(
        type(a[k]) is type(b[k]) and float(a[k]).hex() == float(b[k]).hex() for k in a)


def _reference_sentence_sentiment(sentences, quotes, vader):
    qby: dict[str, list[tuple[int, int, int, int]]] = {}
    if quotes is not None and len(quotes):
        for d, s, e, a, b in zip(quotes["doc_id"], quotes["start"], quotes["end"],
                                 quotes["mark_start"], quotes["mark_end"]):
            qby.setdefault(str(d), []).append((int(s), int(e), int(a), int(b)))
    rows = []
    for d, sid, s0, text in zip(sentences["doc_id"], sentences["sent_id"], sentences["start"],
                                sentences["text"]):
        text = str(text)
        sc = vader.polarity_scores(text)
        spans = qby.get(str(d), [])
        s1 = int(s0) + len(text)
        if not re.search(f"[{sentiment_mod._QUOTE_MARKS}]", text) and not any(
                a < s1 and b > s0 for _, _, a, b in spans):
            own_c = sc["compound"] if count_words(text) else math.nan
            quo_c = math.nan
        else:
            own, quoted = sentiment_mod._split_voice(text, int(s0), spans)
            own_c = vader.polarity_scores(own)["compound"] if count_words(own) else math.nan
            quo_c = vader.polarity_scores(quoted)["compound"] if count_words(quoted) else math.nan
        rows.append((d, int(sid), sc["compound"], sc["pos"], sc["neg"], sc["neu"], own_c, quo_c))
    out = pd.DataFrame(rows, columns=SENTENCE_COLUMNS)
    out["sent_id"] = out["sent_id"].astype("int64")
    for c in SENTENCE_COLUMNS[2:]:
        out[c] = out[c].astype("float64")
    return out.sort_values(["doc_id", "sent_id"], kind="stable").reset_index(drop=True)


def _reference_article_sentiment(sent_sent, articles):
    rows = []
    groups = dict(list(sent_sent.groupby("doc_id", sort=False)))
    empty = sent_sent.iloc[0:0]
    for d in articles["doc_id"]:
        g = groups.get(d, empty)
        row = {"doc_id": d}
        for c, suffix in (("vader_compound", ""), ("vader_compound_own", "_own"),
                          ("vader_compound_quoted", "_quoted")):
            row.update(sentiment_mod._summary(g[c], suffix))
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in out.columns:
        if c.startswith("vader_n_sentences"):
            out[c] = out[c].astype("int64")
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)


def _reference_actor_mentions(sentences, actors="actors_ukraine_2014"):
    pats = sentiment_mod._actor_patterns(str(actors))
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
    out = pd.DataFrame(rows, columns=sentiment_mod.MENTION_COLUMNS)
    out = out.astype({"sent_id": "int64", "start": "int64", "end": "int64"})
    return out.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


# VADER's own examples (vaderSentiment.py __main__) and the rules' edge cases
VADER_CASES = [
    "VADER is smart, handsome, and funny.", "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.", "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.", "The book was good.",
    "At least it isn't a horrible book.", "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!", "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁", "Not bad at all",
    "Sentiment analysis has never been good.", "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.",
    "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.", "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!", "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.", "Without a doubt, an excellent idea.",
    "It was one of the worst movies I've seen, despite good reviews.", "VERY BAD movie!",
    "", "   ", "!!!", "???", "good??", "good????", "bad!!!!!!", "no", "no good", "no no good",
    "not no good", "good or no bad", "no one nor good", "never so good", "never this bad",
    "without doubt great", "without any doubt great", "the bomb", "THE BOMB", "kiss of death",
    "yeah right, great", "bus stop", "to die for", "beating heart", "cut the mustard",
    "kind of good", "KIND OF good", "sort of bad", "just enough good", "least good",
    "very least good", "at least good", "it's hardly good", "he isn't happy", "they ain't happy",
    "uh-uh good", "GOOD", "GOOD good", "GOOD GOOD", "good BUT bad", "good but bad but good",
    "but", "good but", "but bad", "good good but", "😁😁", "a😁b", "ok 💘", "İstanbul is great",
    "ſo good", "\u212aind of good", "good\u00a0day", "good\tday\nbad", ":) :( :-D",
    "I :) you", "Putin's troops were \"withdrawn\", NATO said, not convincingly.",
]


def test_fast_vader_matches_stock_on_vader_examples(stock, fast):
    for text in VADER_CASES:
        assert _same_scores(stock.polarity_scores(text), fast.polarity_scores(text)), text


def test_fast_vader_matches_stock_on_the_seed_corpus(articles, stock, fast):
    from analysis.quotes import find_quotes
    from analysis.segment import sentences

    sents = sentences(articles)
    texts = [str(t) for t in sents["text"]]
    quotes = find_quotes(articles)
    qby: dict[str, list] = {}
    for r in quotes.itertuples():
        qby.setdefault(str(r.doc_id), []).append((r.start, r.end, r.mark_start, r.mark_end))
    parts = [p for d, s0, t in zip(sents["doc_id"], sents["start"], texts)
             for p in sentiment_mod._split_voice(t, int(s0), qby.get(str(d), []))]
    for text in texts + parts + [t.upper() for t in texts] + [t.lower() for t in texts]:
        assert _same_scores(stock.polarity_scores(text), fast.polarity_scores(text)), text
    assert len(texts) > 100


def _vader_words():
    lex = stock_vader.SentimentIntensityAnalyzer().lexicon
    words = sorted(lex)[::7] + ["good", "bad", "great", "kind", "no", "least", "doubt", "bomb"]
    return words


_WORDS = _vader_words()
_PHRASES = ["kind of", "sort of", "just enough", "at least", "very least", "never so",
            "never this", "without doubt", "without a doubt", "the bomb", "the shit", "bad ass",
            "yeah right", "kiss of death", "to die for", "beating heart", "bus stop", "no", "nor",
            "or", "but", "BUT", "this", "so"]
_PUNCT = ["", "", "", "!", "!!", "!!!!!", "?", "??", "????", ".", ",", ":)", ":(", "'", '"', "...",
          "💘", "😁"]


@st.composite
def _vader_token(draw):
    word = draw(st.one_of(st.sampled_from(_WORDS), st.sampled_from(stock_vader.NEGATE),
                          st.sampled_from(sorted(stock_vader.BOOSTER_DICT)),
                          st.sampled_from(_PHRASES), st.text(max_size=4)))
    case = draw(st.sampled_from(["same", "same", "upper", "title"]))
    word = word.upper() if case == "upper" else word.title() if case == "title" else word
    return draw(st.sampled_from(_PUNCT)) + word + draw(st.sampled_from(_PUNCT))


@settings(max_examples=400, deadline=None)
@given(tokens=st.lists(_vader_token(), max_size=20),
       seps=st.lists(st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\u00a0"]), min_size=20,
                     max_size=20))
def test_fast_vader_matches_stock_on_generated_text(tokens, seps):
    text = "".join(t + s for t, s in zip(tokens, seps))
    a = stock_vader.SentimentIntensityAnalyzer.polarity_scores(_STOCK, text)
    b = _FAST.polarity_scores(text)
    assert _same_scores(a, b), text


_STOCK = stock_vader.SentimentIntensityAnalyzer()
_FAST = vader_fast.FastSentimentIntensityAnalyzer()


def test_fast_vader_token_assumptions():
    # the idiom pre-check needs tokens (no white space) to stay free of spaces when lower-cased;
    # the negation check relies on nothing else
    assert not [c for c in range(sys.maxunicode + 1) if c != 0x20 and " " in chr(c).lower()]


def test_fast_vader_only_for_the_verified_release(monkeypatch):
    assert vader_fast.VERIFIED_VERSION == "3.3.2"
    assert isinstance(analyzer(), vader_fast.FastSentimentIntensityAnalyzer) == \
        vader_fast.is_verified_install()
    monkeypatch.setattr(vader_fast, "installed_version", lambda: "3.3.3")
    assert not vader_fast.is_verified_install()
    assert type(vader_fast.make_analyzer()) is stock_vader.SentimentIntensityAnalyzer
    monkeypatch.setattr(vader_fast, "installed_version", lambda: "3.3.2")
    monkeypatch.setattr(vader_fast, "VERIFIED_SOURCE_SHA256", "0" * 64)
    assert type(vader_fast.make_analyzer()) is stock_vader.SentimentIntensityAnalyzer


def test_fast_vader_non_str_input_goes_to_stock(fast, stock):
    class Text(str):
        pass

    assert _same_scores(fast.polarity_scores(Text("not good!")),
                        stock.polarity_scores(Text("not good!")))
    with pytest.raises(TypeError):
        fast.polarity_scores(42)


def test_sentence_sentiment_matches_reference_on_the_seed_corpus(articles, stock):
    from analysis.quotes import find_quotes
    from analysis.segment import sentences

    sents = sentences(articles)
    quotes = find_quotes(articles)
    pd.testing.assert_frame_equal(sentence_sentiment(sents, quotes),
                                  _reference_sentence_sentiment(sents, quotes, stock),
                                  check_exact=True)
    pd.testing.assert_frame_equal(sentence_sentiment(sents, None),
                                  _reference_sentence_sentiment(sents, None, stock),
                                  check_exact=True)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_sentence_sentiment_matches_reference_on_generated_quotes(data):
    words = ["He", "said", "good", "terrible", "not", "war", '"', "\u201c", "\u201d", "'", "!"]
    text = " ".join(data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=40)))
    sents, _ = frames(text)
    n = len(text)
    spans = data.draw(st.lists(st.tuples(st.integers(1, max(1, n - 1)), st.integers(0, 8)),
                               max_size=4))
    quotes = [(s, min(n - 1, s + w)) for s, w in spans if s < n - 1]
    _, q = frames(text, quotes=quotes)
    pd.testing.assert_frame_equal(sentence_sentiment(sents, q),
                                  _reference_sentence_sentiment(sents, q, _STOCK),
                                  check_exact=True)


def test_article_sentiment_matches_reference(articles):
    from analysis.quotes import find_quotes
    from analysis.segment import sentences

    ss = sentence_sentiment(sentences(articles), find_quotes(articles))
    arts = pd.concat([articles[["doc_id"]], pd.DataFrame({"doc_id": ["none"]})])
    pd.testing.assert_frame_equal(article_sentiment(ss, arts),
                                  _reference_article_sentiment(ss, arts), check_exact=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_article_sentiment_matches_reference_on_generated_scores(data):
    # group sizes past numpy's pairwise-summation block (128) and unsorted doc ids
    sizes = data.draw(st.lists(st.integers(0, 300), min_size=1, max_size=5))
    values = st.one_of(st.floats(-1, 1, allow_nan=False), st.just(math.nan), st.just(0.05),
                       st.just(-0.05))
    docs = [f"d{k}" for k, size in enumerate(sizes) for _ in range(size)]
    docs = data.draw(st.permutations(docs))
    cols = {c: data.draw(st.lists(values, min_size=len(docs), max_size=len(docs)))
            for c in ("vader_compound", "vader_compound_own", "vader_compound_quoted")}
    ss = pd.DataFrame({"doc_id": docs, "sent_id": range(len(docs)), **cols,
                       "vader_pos": 0.0, "vader_neg": 0.0, "vader_neu": 1.0})
    for c in cols:
        ss[c] = ss[c].astype("float64")
    arts = pd.DataFrame({"doc_id": [f"d{k}" for k in range(len(sizes) + 1)][::-1]})
    pd.testing.assert_frame_equal(article_sentiment(ss, arts),
                                  _reference_article_sentiment(ss, arts), check_exact=True)


def test_article_sentiment_other_dtypes_take_the_reference_path():
    ss = pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": [1, 2, 1],
                       "vader_compound": pd.array([0.5, None, 0.1], dtype="Float64"),
                       "vader_compound_own": [0.5, math.nan, 0.1],
                       "vader_compound_quoted": [math.nan, math.nan, math.nan]})
    arts = pd.DataFrame({"doc_id": ["a", "b"]})
    pd.testing.assert_frame_equal(article_sentiment(ss, arts),
                                  _reference_article_sentiment(ss, arts), check_exact=True)


def test_actor_mentions_match_reference_on_the_seed_corpus(articles):
    from analysis.segment import sentences

    sents = sentences(articles)
    out = actor_mentions(sents)
    pd.testing.assert_frame_equal(out, _reference_actor_mentions(sents), check_exact=True)
    assert len(out) > 50


_ACTOR_PIECES = [
    "Putin", "putin", "PUTIN", "Vladimir", "Kiev", "Kyiv", "Kiev's", "Kiev\u2019s", "the", "The",
    "in", "from", "near", "people's", "People's", "PEOPLE'S", "republic", "Republic", "republics",
    "Donetsk", "separatist", "Separatists", "pro-Russian", "anti-Kiev", "Russia", "Russian",
    "Russia's", "U.S.", "US", "officials", "government", "authorities", "of", "Lavrov", "Anton",
    "Sergei", "self-declared", "Self-styled", "governor", "gunmen", "Gunmen", "rebels", "armed",
    "Kremlin", "Kremlin-friendly", "NATO-Russia", "West", "Western", "EU", "the EU",
    "\u017feparatist", "\u212aremlin", "\u0130", "\u0131", "-", ",", ".", "\n", "aa", "aaa", "ab",
    "\u2014", "\u201c",
]
_TRICKY_PATTERNS = [
    r"(?:the )?Kremlin(?:'s|’s)?", r"(?<!in )(?<!from )Kiev", r"(?<!Anton )(?:Sergei )?Lavrov",
    r"(?:Donetsk )?(?i:people's republics?)", r"(?i:kremlin)", r"(?i:s)eparatists?",
    r"[Ss]eparatists?", r"(?:the )?US(?= (?:government|officials?))", r"(?:the )?U\.S\.", r"aa",
    r"a+", r"(?:aa)+", r"a{2,3}", r"ab|ba", r"\w+ist", r"x?y?", r"the\s+Kremlin", r"[^ ]+ Kremlin",
    r".+ist", r"(Putin) \1", r"^Putin", r"Putin$", r"[A-Z][a-z]+", r"(?:a|)b", r"(?>Put)in",
    r"(?i:i)", r"(?i:[a-c]+)", r"(?:the )?[Ww]est(?:'s)?", r"ab{1,2}c?",
    r"(?:Kiev|Kyiv)(?:'s|’s)? (?:government|authorities)",
    r"(?:the )?(?:central |new )?(?:government|authorities) (?:in|of) (?:Kiev|Kyiv)",
]


@pytest.fixture(scope="module")
def tricky_lexicons(tmp_path_factory):
    import yaml

    out = []
    for k in range(0, len(_TRICKY_PATTERNS), 5):
        pats = _TRICKY_PATTERNS[k:k + 5]
        lex = {"name": f"tricky{k}", "version": "1", "source": "tests", "licence": "CC0-1.0",
               "description": "d", "categories": {"a": "a", "b": "b"},
               "actors": {"a": pats[::2], "b": pats[1::2] or pats[:1]}}
        path = tmp_path_factory.mktemp("lex") / f"tricky{k}.yaml"
        path.write_text(yaml.safe_dump(lex, allow_unicode=True), encoding="utf-8")
        out.append(str(path))
    return out


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_actor_mentions_match_reference_on_generated_text(data, tricky_lexicons):
    n = data.draw(st.integers(1, 12))
    texts = [" ".join(data.draw(st.lists(st.sampled_from(_ACTOR_PIECES), max_size=14)))
             for _ in range(n)]
    starts = np.cumsum([0] + [len(t) + 2 for t in texts[:-1]]).tolist()
    sents = pd.DataFrame({"doc_id": [f"d{k % 2}" for k in range(n)], "sent_id": range(1, n + 1),
                          "start": starts, "text": texts})
    for lex in ["actors_ukraine_2014", *tricky_lexicons]:
        pd.testing.assert_frame_equal(actor_mentions(sents, lex),
                                      _reference_actor_mentions(sents, lex), check_exact=True)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_fast_vader_matches_stock_on_any_text(text):
    assert _same_scores(_STOCK.polarity_scores(text), _FAST.polarity_scores(text)), text
