"""Fightin' Words keyness: hand computations on toy corpora, then the seed and multi-event corpora."""
import logging
import math
import time

import numpy as np
import pandas as pd
import pytest

from analysis.keyness import KEYNESS_COLUMNS, keyness


def toy():
    # A: kiev 2, junta 1, the 3 (n=6); B: kyiv 1, the 2, army 1 (n=4)
    return pd.DataFrame({
        "doc_id": ["a1", "a2", "b1"],
        "outlet": ["A", "A", "B"],
        "event": ["e", "e", "e"],
        "text": ["Kiev, the junta!", "The kiev the", "Kyiv the. The army"],
    })


def row(k, outlet, term):
    r = k[(k["outlet"] == outlet) & (k["term"] == term)]
    assert len(r) == 1, (outlet, term, r)
    return r.iloc[0]


def fw_z(y_i, n_i, y_j, n_j, a, a0, full=False):
    """Monroe et al. (2008) eqs. 16-22, written out independently of the module."""
    d = math.log((y_i + a) / (n_i + a0 - y_i - a)) - math.log((y_j + a) / (n_j + a0 - y_j - a))
    v = 1 / (y_i + a) + 1 / (y_j + a)
    if full:
        v += 1 / (n_i + a0 - y_i - a) + 1 / (n_j + a0 - y_j - a)
    return d, v, d / math.sqrt(v)


def test_schema_and_sort():
    k = keyness(toy())
    assert list(k.columns) == KEYNESS_COLUMNS
    assert isinstance(k.index, pd.RangeIndex)
    # one row per term x outlet: the event vocabulary is kiev, junta, the, kyiv, army
    assert len(k) == 2 * 5
    for _, g in k.groupby("outlet"):
        z = g["z"].to_numpy()
        assert np.all(np.diff(z) <= 1e-12)  # descending z within outlet
    assert k["outlet"].tolist() == sorted(k["outlet"].tolist())
    assert k["count"].dtype == np.int64 and k["z"].dtype == np.float64


def test_hand_computed_informative_prior():
    k = keyness(toy())
    r = row(k, "A", "kiev")
    # by hand: y_i=2, n_i=6, y_j=0, n_j=4; prior a_w = background count = 2, a0 = 10
    #   delta = log(4/12) - log(2/12) = log 2 ; var = 1/4 + 1/2 ; z = 0.8004
    assert r["count"] == 2 and r["count_other"] == 0
    assert r["n_words"] == 6 and r["n_words_other"] == 4
    assert r["prior"] == pytest.approx(2.0)
    assert r["log_odds"] == pytest.approx(math.log(2), abs=1e-12)
    assert r["variance"] == pytest.approx(0.75)
    assert round(r["z"], 4) == 0.8004
    d, v, z = fw_z(2, 6, 0, 4, 2.0, 10.0)
    assert r["z"] == pytest.approx(z, abs=1e-12)
    assert r["delta"] == r["log_odds"]
    assert r["share"] == pytest.approx(2 / 6)


def test_hand_computed_alpha0_and_full_variance():
    k = keyness(toy(), alpha0=1.0)
    r = row(k, "A", "kiev")
    # a_kiev = 1 * 2/10 = 0.2: delta = log(2.2/4.8) - log(0.2/4.8) = log 11, var = 1/2.2 + 1/0.2
    assert r["log_odds"] == pytest.approx(math.log(11), abs=1e-12)
    assert round(r["z"], 4) == 1.0267
    kf = keyness(toy(), variance="full")
    rf = row(kf, "A", "kiev")
    assert round(rf["z"], 4) == 0.7240  # var = 0.75 + 1/12 + 1/12
    assert rf["z"] == pytest.approx(fw_z(2, 6, 0, 4, 2.0, 10.0, full=True)[2], abs=1e-12)


def test_uniform_prior():
    k = keyness(toy(), prior="uniform")
    r = row(k, "B", "army")
    # V = 5 terms, default alpha0 = 0.01 * V -> a_w = 0.01
    assert r["prior"] == pytest.approx(0.01)
    assert r["z"] == pytest.approx(fw_z(1, 4, 0, 6, 0.01, 0.05)[2], abs=1e-12)


def test_every_term_against_independent_loop():
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(60)]
    texts = [" ".join(rng.choice(vocab, size=80, p=np.arange(60, 0, -1) / 1830)) for _ in range(6)]
    df = pd.DataFrame({"text": texts, "outlet": list("AABBCC"), "event": "e"})
    k = keyness(df)
    counts = {o: pd.Series(" ".join(df.text[df.outlet == o]).split()).value_counts() for o in "ABC"}
    total = pd.concat(counts.values()).groupby(level=0).sum()
    n = total.sum()
    for o in "ABC":
        g = k[k.outlet == o].set_index("term")
        assert set(g.index) == set(total.index)
        n_i = counts[o].sum()
        for term in total.index:
            y_i = counts[o].get(term, 0)
            y_j = total[term] - y_i
            z = fw_z(y_i, n_i, y_j, n - n_i, total[term], n)[2]
            assert g.at[term, "z"] == pytest.approx(z, abs=1e-10)


def test_two_outlets_are_mirror_images():
    k = keyness(toy())
    a = k[k.outlet == "A"].set_index("term")["z"]
    b = k[k.outlet == "B"].set_index("term")["z"]
    assert np.allclose(a.sort_index(), -b.sort_index())


def test_rare_terms_kept_no_cutoff():
    k = keyness(toy())
    r = row(k, "A", "junta")
    assert r["count"] == 1 and r["z"] > 0
    assert row(k, "B", "junta")["z"] < 0  # absent from B: listed with a negative z
    assert row(k, "B", "army")["count"] == 1


def test_min_count_and_stopwords():
    k = keyness(toy(), min_count=2)
    assert set(k.term) == {"kiev", "the"}
    k = keyness(toy(), stopwords=["The"])
    assert "the" not in set(k.term)
    assert row(k, "A", "kiev")["n_words"] == 3


def test_bigrams_do_not_cross_punctuation():
    df = pd.DataFrame({"outlet": ["A", "B"], "event": "e",
                       "text": ["a punitive operation. Kiev said\n\nnew line", "an anti-terrorism operation"]})
    k = keyness(df, ngram=(1, 2))
    bi = set(k.loc[k.ngram == 2, "term"])
    assert {"punitive operation", "kiev said", "anti-terrorism operation"} <= bi
    assert "operation kiev" not in bi and "said new" not in bi
    # each order is its own multinomial: unigram rows are identical to a unigram-only run
    uni = k[k.ngram == 1].reset_index(drop=True)
    only = keyness(df)
    pd.testing.assert_frame_equal(uni, only)
    # A's bigrams: a punitive, punitive operation, kiev said, new line
    assert row(k[k.ngram == 2], "A", "punitive operation")["n_words"] == 4


def test_reference_outlet_and_frame():
    df = pd.concat([toy(), pd.DataFrame({"doc_id": ["c1"], "outlet": ["C"], "event": ["e"],
                                         "text": ["kiev army army"]})], ignore_index=True)
    k = keyness(df, reference="B")
    assert set(k.outlet) == {"A", "C"} and set(k.comparison) == {"B"}
    r = row(k, "A", "kiev")
    # prior from the whole event (kiev 3 of 13 words); comparison is B alone (kiev 0 of 4)
    assert r["count_other"] == 0 and r["n_words_other"] == 4
    assert r["z"] == pytest.approx(fw_z(2, 6, 0, 4, 3.0, 13.0)[2], abs=1e-12)
    ref = pd.DataFrame({"text": ["kyiv kyiv the army"]})
    k2 = keyness(toy(), reference=ref)
    assert set(k2.comparison) == {"reference"} and set(k2.outlet) == {"A", "B"}
    r2 = row(k2, "B", "kyiv")
    # background = A + B + reference: kyiv 3 of 14
    assert r2["z"] == pytest.approx(fw_z(1, 4, 2, 4, 3.0, 14.0)[2], abs=1e-12)


def test_reference_missing_from_event_is_skipped(caplog):
    df = toy().assign(event=["e", "f", "f"])
    with caplog.at_level(logging.WARNING, logger="analysis.keyness"):
        k = keyness(df, reference="B")
    assert set(k.event) == {"f"}
    assert "skipped" in caplog.text


def test_within_none_and_custom_by():
    df = toy().rename(columns={"outlet": "source"})
    k = keyness(df, by="source", within=None)
    assert list(k.columns[:2]) == ["source", "term"] and "event" not in k.columns


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="no column 'medium'"):
        keyness(toy(), by="medium")
    with pytest.raises(ValueError, match="prior"):
        keyness(toy(), prior="flat")
    with pytest.raises(ValueError, match="ngram"):
        keyness(toy(), ngram=3)


def test_scales_linearly_enough():
    rng = np.random.default_rng(0)
    vocab = np.array([f"t{i}" for i in range(20000)])
    p = 1 / np.arange(1, 20001)
    p /= p.sum()
    texts = [" ".join(rng.choice(vocab, size=400, p=p)) for _ in range(600)]
    df = pd.DataFrame({"text": texts, "outlet": [f"o{i % 6}" for i in range(600)], "event": "e"})
    t = time.perf_counter()
    k = keyness(df)
    assert time.perf_counter() - t < 30
    assert k.groupby("outlet").size().nunique() == 1  # every outlet gets the whole vocabulary


# --- real corpora -------------------------------------------------------------------------------
def test_seed_corpus_contested_terms(articles):
    k = keyness(articles)
    assert set(k.outlet) == set(articles.outlet)
    # rare contested terms are present with count 1
    r = k[(k.term == "terrorists") & (k.outlet == "Common Dreams")].iloc[0]
    assert r["count"] == 1 and r["z"] > 0
    assert (k[(k.term == "punitive")]["count"] >= 0).all() and (k.term == "punitive").sum() == 5
    kyiv = k[(k.term == "kyiv")].set_index("outlet")["z"]
    assert kyiv.idxmax() == "Castanet"  # the only outlet spelling Kyiv


def test_multi_event_fixture(multi_event_path):
    from analysis import load_corpus

    arts = load_corpus(multi_event_path)
    k = keyness(arts)
    assert set(k.event) == set(arts.event)
    summit = k[k.event == "summit-2014-09-04"]
    assert set(summit.outlet) == {"Capital Courier", "Harbour Wire"}
    ed = k[(k.event == "election-2014-05-25") & (k.outlet == "Eastern Dispatch")].set_index("term")
    assert ed.at["junta", "count"] == 1 and ed.at["junta", "z"] > 0
    assert ed.at["kiev", "z"] > 0 and ed.at["punitive", "z"] > 0
    cc = k[(k.outlet == "Capital Courier") & (k.term == "kyiv")]
    assert (cc["z"] > 0).all() and len(cc) == 3


def test_max_rows_keeps_each_outlets_own_terms_only():
    """Above max_rows (outlets x terms of the event) an outlet's rows are the terms it used:
    exactly the full table's rows with count >= 1, same values; the event is listed."""
    arts = toy()
    full = keyness(arts)
    assert not full.attrs["used_terms_only"] and (full["count"] == 0).any()
    n_full = len(full)
    thin = keyness(arts, max_rows=n_full - 1)
    assert thin.attrs["used_terms_only"] == sorted(arts["event"].unique().tolist())
    expected = full[full["count"] >= 1].reset_index(drop=True)
    pd.testing.assert_frame_equal(thin.reset_index(drop=True), expected)
    assert keyness(arts, max_rows=n_full).attrs["used_terms_only"] == []   # at the limit: all


def test_pipeline_notes_a_thinned_keyness_table(tmp_path, example_path):
    from analysis import Settings, run_to_dir
    run_to_dir(example_path, tmp_path, jobs=1, settings=Settings(keyness_max_rows=100))
    notes = pd.read_csv(tmp_path / "notes.csv")
    note = notes.loc[notes["table"] == "keyness", "note"].tolist()
    assert len(note) == 1 and "keyness_max_rows=100 rows" in note[0]
    assert (pd.read_csv(tmp_path / "keyness.csv")["count"] >= 1).all()
