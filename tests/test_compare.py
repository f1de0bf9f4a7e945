"""Bootstrap intervals, resampling units, pairwise differences and within-event pooling."""
import time

import numpy as np
import pandas as pd
import pytest

from analysis.compare import (Mean, Ratio, bootstrap_ci, count_per_sentence, outlet_estimates,
                              pairwise_differences, pooled_outlet_effects)

METRICS = {"hedge_per_1k_words": Ratio("n_hedges", "n_words", 1000), "tone": Mean("tone")}


def toy():
    """Outlet A: one article (40 sentences); B: two articles with different hedge rates; C: one."""
    rng = np.random.default_rng(11)
    arts = pd.DataFrame({"doc_id": ["a1", "b1", "b2", "c1"], "outlet": ["A", "B", "B", "C"],
                         "event": "e"})
    rows = []
    for doc, n, lam, tone in [("a1", 40, 0.5, 0.2), ("b1", 30, 0.2, -0.1), ("b2", 25, 1.0, 0.3),
                              ("c1", 35, 0.4, 0.0)]:
        for i in range(n):
            rows.append({"doc_id": doc, "sent_id": i + 1, "n_words": int(rng.integers(8, 35)),
                         "n_hedges": int(rng.poisson(lam)), "tone": float(rng.normal(tone, 0.4))})
    return pd.DataFrame(rows), arts


def test_schema_and_point_estimates():
    sents, arts = toy()
    est = outlet_estimates(sents, arts, METRICS, n_boot=500)
    assert list(est.columns) == ["event", "outlet", "n_articles", "n_sentences", "n_units",
                                 "hedge_per_1k_words", "hedge_per_1k_words_lo", "hedge_per_1k_words_hi",
                                 "hedge_per_1k_words_unit", "tone", "tone_lo", "tone_hi", "tone_unit"]
    assert est["outlet"].tolist() == ["A", "B", "C"]
    b = sents[sents.doc_id.isin(["b1", "b2"])]
    row_b = est.set_index("outlet").loc["B"]
    assert row_b["hedge_per_1k_words"] == pytest.approx(b.n_hedges.sum() / b.n_words.sum() * 1000)
    assert row_b["tone"] == pytest.approx(b.tone.mean())
    assert row_b["n_articles"] == 2 and row_b["n_sentences"] == 55


def test_ci_contains_point_estimate():
    sents, arts = toy()
    est = outlet_estimates(sents, arts, METRICS, n_boot=1000)
    for m in METRICS:
        assert (est[f"{m}_lo"] <= est[m]).all() and (est[m] <= est[f"{m}_hi"]).all()
        assert (est[f"{m}_lo"] < est[f"{m}_hi"]).all()


def test_unit_sentence_for_single_article_cluster_for_several():
    sents, arts = toy()
    est = outlet_estimates(sents, arts, METRICS, n_boot=2000).set_index("outlet")
    assert est.loc["A", "tone_unit"] == "sentence" and est.loc["A", "n_units"] == 40
    assert est.loc["B", "tone_unit"] == "article" and est.loc["B", "n_units"] == 2
    # with two articles a cluster resample is b1 only, b2 only or both (1/4, 1/4, 1/2), so the
    # 2.5% / 97.5% percentiles are exactly the two articles' own rates
    rates = sents.groupby("doc_id").apply(lambda d: d.n_hedges.sum() / d.n_words.sum() * 1000)
    lo, hi = sorted([rates["b1"], rates["b2"]])
    assert est.loc["B", "hedge_per_1k_words_lo"] == pytest.approx(lo, abs=1e-9)
    assert est.loc["B", "hedge_per_1k_words_hi"] == pytest.approx(hi, abs=1e-9)
    # resampling sentences instead ignores the clustering and gives a narrower interval
    s = outlet_estimates(sents, arts, METRICS, n_boot=2000, unit="sentence").set_index("outlet")
    assert s.loc["B", "tone_unit"] == "sentence"
    assert s.loc["B", "hedge_per_1k_words_lo"] > lo + 1e-6
    assert s.loc["B", "hedge_per_1k_words_hi"] < hi - 1e-6


def test_reproducible_same_seed_different_other_seed():
    sents, arts = toy()
    a = outlet_estimates(sents, arts, METRICS, n_boot=300, random_state=7)
    b = outlet_estimates(sents, arts, METRICS, n_boot=300, random_state=7)
    c = outlet_estimates(sents, arts, METRICS, n_boot=300, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["tone_lo"], c["tone_lo"])
    pd.testing.assert_series_equal(a["tone"], c["tone"])  # point estimates do not depend on the seed


def test_group_results_do_not_depend_on_other_groups():
    sents, arts = toy()
    full = outlet_estimates(sents, arts, METRICS, n_boot=300)
    only_a = outlet_estimates(sents[sents.doc_id == "a1"], arts[arts.outlet == "A"], METRICS, n_boot=300)
    pd.testing.assert_frame_equal(full.iloc[[0]].reset_index(drop=True), only_a)


def test_columns_the_statistics_do_not_read_change_nothing():
    sents, arts = toy()
    plain = outlet_estimates(sents, arts, METRICS, n_boot=300)
    extra = sents.assign(text=[f"sentence {i} of {d}" for i, d in zip(sents.sent_id, sents.doc_id)],
                         outlet="ignored: the articles' outlet is used", other=1.5)
    pd.testing.assert_frame_equal(outlet_estimates(extra, arts, METRICS, n_boot=300), plain)
    # a callable may read any column, so then every column is kept
    mixed = outlet_estimates(extra, arts, {"tone": Mean("tone"),
                                           "max_hedges": lambda f: float(f.n_hedges.max())}, n_boot=50)
    pd.testing.assert_series_equal(mixed["tone"], plain["tone"])
    assert mixed["max_hedges"].tolist() == [float(sents[sents.doc_id.isin(d)].n_hedges.max())
                                            for d in (["a1"], ["b1", "b2"], ["c1"])]
    # without n_words the words are counted in the text column, which is then kept
    texts = extra.drop(columns="n_words").assign(text=["two words", "now three words"] * 65)
    words = outlet_estimates(texts, arts, {"len": Mean("n_words")}, n_boot=20)
    n = texts["text"].str.split().str.len().groupby(texts["doc_id"].map(
        dict(zip(arts.doc_id, arts.outlet)))).mean()
    assert words["len"].tolist() == pytest.approx(n.tolist()) and n.loc["A"] == 2.5
    assert n.loc["B"] == pytest.approx(137 / 55)  # 55 rows: 28 of two words, 27 of three


def test_generic_callable_gets_the_same_resamples():
    sents, arts = toy()
    df = sents.merge(arts, on="doc_id")
    fast = bootstrap_ci(df, Ratio("n_hedges", "n_words", 1000), unit="doc_id", by="outlet", n_boot=200)
    slow = bootstrap_ci(df, lambda f: f.n_hedges.sum() / f.n_words.sum() * 1000, unit="doc_id",
                        by="outlet", n_boot=200)
    pd.testing.assert_frame_equal(fast, slow)
    assert list(fast.columns) == ["outlet", "estimate", "lo", "hi", "n_units", "n_rows"]
    assert fast["n_units"].tolist() == [1, 2, 1]


def test_mean_skips_missing_values():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 5.0]})
    r = bootstrap_ci(df, "x", n_boot=100)
    assert r.loc[0, "estimate"] == pytest.approx(3.0)
    assert 1.0 <= r.loc[0, "lo"] <= r.loc[0, "hi"] <= 5.0


def test_bad_arguments():
    sents, arts = toy()
    with pytest.raises(ValueError, match="no column 'n_hedges'"):
        outlet_estimates(sents.drop(columns="n_hedges"), arts, METRICS)
    with pytest.raises(ValueError, match="unit"):
        outlet_estimates(sents, arts, METRICS, unit="paragraph")
    with pytest.raises(ValueError, match="ci"):
        bootstrap_ci(sents, "tone", ci=95)


def test_pairwise_differences():
    sents, arts = toy()
    d = pairwise_differences(sents, arts, METRICS, n_boot=500)
    assert list(d.columns) == ["event", "outlet", "other", "metric", "difference", "difference_lo",
                               "difference_hi", "value", "value_other", "unit", "unit_other"]
    assert len(d) == 3 * 2 * 2  # ordered pairs x metrics
    ab = d[(d.outlet == "A") & (d.other == "B") & (d.metric == "tone")].iloc[0]
    ba = d[(d.outlet == "B") & (d.other == "A") & (d.metric == "tone")].iloc[0]
    assert ab["difference"] == pytest.approx(ab["value"] - ab["value_other"])
    assert ab["difference"] == pytest.approx(-ba["difference"])
    assert ab["difference_lo"] == pytest.approx(-ba["difference_hi"])
    assert ab["difference_lo"] <= ab["difference"] <= ab["difference_hi"]
    assert (ab["unit"], ab["unit_other"]) == ("sentence", "article")
    one = pairwise_differences(sents, arts, METRICS, outlets=("C", "A"), n_boot=500)
    assert set(zip(one.outlet, one.other)) == {("C", "A")}


# --- pooling over events -------------------------------------------------------------------------
def coverage_design():
    """Two upbeat and two grim events; C covers only the grim ones and is average within them."""
    values = {("e1", "A"): 0.52, ("e1", "B"): 0.48,
              ("e2", "A"): 0.45, ("e2", "B"): 0.55,
              ("e3", "A"): -0.50, ("e3", "B"): -0.46, ("e3", "C"): -0.52,
              ("e4", "A"): -0.55, ("e4", "B"): -0.49, ("e4", "C"): -0.47}
    est = pd.DataFrame([{"event": e, "outlet": o, "tone": v, "tone_lo": v - 0.1, "tone_hi": v + 0.1}
                        for (e, o), v in values.items()])
    return est, values


def test_pooling_removes_the_coverage_artefact():
    est, v = coverage_design()
    naive = est.groupby("outlet")["tone"].mean()
    assert naive["C"] - naive["A"] < -0.4  # raw averages blame C for the events it covered
    eff = pooled_outlet_effects(est, n_boot=2000).set_index("outlet")
    assert list(eff.columns) == ["metric", "effect", "effect_lo", "effect_hi", "n_events"]
    # by hand: C - event mean in e3 and e4, averaged
    c = ((v["e3", "C"] - (v["e3", "A"] + v["e3", "B"] + v["e3", "C"]) / 3)
         + (v["e4", "C"] - (v["e4", "A"] + v["e4", "B"] + v["e4", "C"]) / 3)) / 2
    assert eff.loc["C", "effect"] == pytest.approx(c, abs=1e-12)
    assert abs(eff.loc["C", "effect"]) < 0.05
    assert eff.loc["C", "effect_lo"] <= 0 <= eff.loc["C", "effect_hi"]
    assert eff.loc["C", "n_events"] == 2 and eff.loc["A", "n_events"] == 4


def test_pooling_detects_a_real_within_event_difference():
    rows = [{"event": f"e{i}", "outlet": o, "tone": base + (0.3 if o == "D" else 0.0) + noise}
            for i, base in enumerate([0.5, -0.4, 0.1, -0.7])
            for o, noise in zip("ABD", [0.0, 0.01, -0.01])]
    est = pd.DataFrame(rows)
    eff = pooled_outlet_effects(est, metrics=["tone"], n_boot=1000).set_index("outlet")
    # centered effect of an outlet 0.3 above the two others: 0.3 * (1 - 1/3), minus the noise term
    assert eff.loc["D", "effect"] == pytest.approx(0.2 - 0.01 + (0.0 + 0.01 - 0.01) / 3, abs=1e-9)
    assert eff.loc["D", "effect_lo"] > 0.1


def test_pooled_pairwise_uses_only_shared_events():
    est, v = coverage_design()
    p = pooled_outlet_effects(est, method="pairwise", n_boot=500)
    ca = p[(p.outlet == "C") & (p.other == "A")].iloc[0]
    ac = p[(p.outlet == "A") & (p.other == "C")].iloc[0]
    assert ca["n_events"] == 2
    assert ca["effect"] == pytest.approx(((v["e3", "C"] - v["e3", "A"]) + (v["e4", "C"] - v["e4", "A"])) / 2)
    assert ac["effect"] == pytest.approx(-ca["effect"]) and ac["effect_hi"] == pytest.approx(-ca["effect_lo"])


def test_pooled_two_stage_from_sentences_and_determinism():
    rng = np.random.default_rng(3)
    levels = {"e1": 0.5, "e2": 0.4, "e3": -0.5, "e4": -0.6}
    arts, sents = [], []
    for e, lvl in levels.items():
        for o in ("A", "B", "C"):
            if o == "C" and lvl > 0:
                continue
            for j in range(2 if o == "B" else 1):
                doc = f"{e}-{o}-{j}"
                arts.append({"doc_id": doc, "event": e, "outlet": o})
                sents += [{"doc_id": doc, "tone": x} for x in rng.normal(lvl, 0.3, 30)]
    arts, sents = pd.DataFrame(arts), pd.DataFrame(sents)
    kw = dict(metrics={"tone": Mean("tone")}, articles=arts, n_boot=400, random_state=1)
    a = pooled_outlet_effects(sents, **kw)
    b = pooled_outlet_effects(sents, **kw)
    pd.testing.assert_frame_equal(a, b)
    c = a.set_index("outlet").loc["C"]
    assert abs(c["effect"]) < 0.1 and c["effect_lo"] <= 0 <= c["effect_hi"] and c["n_events"] == 2
    # the same as pooling the point estimates (the two-stage bootstrap only changes the interval)
    est = outlet_estimates(sents, arts, {"tone": Mean("tone")}, n_boot=400, random_state=1)
    a2 = pooled_outlet_effects(est, metrics=["tone"], n_boot=400, random_state=1)
    assert np.allclose(a["effect"], a2["effect"])
    assert not np.allclose(a["effect_lo"], a2["effect_lo"])


def test_count_per_sentence():
    sents = pd.DataFrame({"doc_id": ["d", "d", "e"], "sent_id": [1, 2, 1]})
    spans = pd.DataFrame({"doc_id": ["d", "d", "e"], "sent_id": [1, 1, 1], "category": ["hedge", "booster", "hedge"]})
    out = count_per_sentence(sents, spans, "n_hedges", query="category == 'hedge'")
    assert out["n_hedges"].tolist() == [1, 0, 1]


def test_bootstrap_100k_sentences_is_fast():
    rng = np.random.default_rng(0)
    n = 100_000
    sents = pd.DataFrame({"doc_id": rng.integers(0, 400, n).astype(str), "n_words": rng.integers(5, 40, n),
                          "n_hedges": rng.poisson(0.3, n), "tone": rng.uniform(-1, 1, n)})
    arts = pd.DataFrame({"doc_id": np.arange(400).astype(str), "event": "e", "outlet": "o"})
    t = time.perf_counter()
    est = outlet_estimates(sents, arts, METRICS, n_boot=2000, unit="sentence")
    assert time.perf_counter() - t < 30
    assert est.loc[0, "n_units"] == n


# --- the multi-event fixture ---------------------------------------------------------------------
def test_multi_event_fixture(multi_event_path):
    from analysis import load_corpus
    from analysis.segment import sentences

    arts = load_corpus(multi_event_path)
    sents = sentences(arts)
    sents["n_hedges"] = sents["text"].str.count(r"(?i)\b(?:may|could|reportedly|allegedly)\b")
    sents["has_quote"] = sents["text"].str.contains("[\"\u201c]").astype(float)
    metrics = {"hedge_per_1k_words": Ratio("n_hedges", "n_words", 1000), "quote_share": Mean("has_quote")}
    est = outlet_estimates(sents, arts, metrics, n_boot=500)
    assert len(est) == 8  # Eastern Dispatch did not cover the summit
    key = est.set_index(["event", "outlet"])
    cc = key.loc[("election-2014-05-25", "Capital Courier")]
    assert cc["n_articles"] == 2 and cc["hedge_per_1k_words_unit"] == "article"
    assert (est.drop(index=est.index[(est.event == "election-2014-05-25") & (est.outlet == "Capital Courier")])
            ["quote_share_unit"] == "sentence").all()
    pooled = pooled_outlet_effects(est, n_boot=500)
    assert set(pooled.metric) == set(metrics)
    assert pooled.set_index(["outlet", "metric"]).loc[("Eastern Dispatch", "quote_share"), "n_events"] == 2


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_sentences_join_their_articles_as_an_inner_merge(dtype):
    from analysis.compare import _join_articles

    sm = pd.DataFrame({"doc_id": ["b", "a", "x", "b", "c", "a"], "n_words": [5, 7, 9, 2, 4, 1]},
                      index=[10, 11, 12, 13, 14, 15]).astype({"doc_id": dtype})
    arts = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "event": ["e1", "e1", "e2", "e2"],
                         "outlet": ["RT", "BBC", "RT", None]}).astype({"doc_id": dtype})
    got = _join_articles(sm, arts)
    # the article "x" is not in arts: its sentence is left out, the others keep their order
    assert got["doc_id"].tolist() == ["b", "a", "b", "c", "a"]
    assert got["outlet"].tolist() == ["BBC", "RT", "BBC", "RT", "RT"]
    assert got["n_words"].tolist() == [5, 7, 2, 4, 1]
    pd.testing.assert_frame_equal(got, sm.merge(arts, on="doc_id", how="inner"))
    # a repeated article id: the merge's rows (one per match), not a silent choice of one
    dup = pd.concat([arts, arts.iloc[[0]].assign(outlet="TASS")], ignore_index=True)
    got = _join_articles(sm, dup)
    assert len(got) == 7 and sorted(got.loc[got["doc_id"] == "a", "outlet"]) == ["RT", "RT", "TASS", "TASS"]


def test_percentile_bounds_are_numpy_nanquantile_bit_for_bit():
    """The interval skips np.nanquantile's per-row loop for rows without NaN; same bits."""
    import warnings

    from analysis.compare import _percentile

    rng = np.random.default_rng(5)
    reps = rng.normal(size=(6, 3, 401))
    reps[1, 2, :7] = np.nan                    # a row with missing replicates
    reps[2, 0, :] = np.inf                     # a row with none finite: NaN bounds
    reps[3, 1] = np.round(reps[3, 1], 1)       # ties
    reps[4] = 0.1 + 0.2                        # constant rows
    for ci in (0.95, 0.5, 0.9):
        a = (1 - ci) / 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nanquantile(np.where(np.isfinite(reps), reps, np.nan), [a, 1 - a], axis=-1)
        lo, hi = _percentile(reps, ci)
        assert lo.shape == hi.shape == (6, 3)
        assert lo.tobytes() == want[0].tobytes() and hi.tobytes() == want[1].tobytes()
        assert np.isnan(lo[2, 0]) and not np.isnan(lo[1, 2])
        flo, fhi = _percentile(reps[0, 0], ci)  # one row
        assert (flo, fhi) == (want[0][0, 0], want[1][0, 0])
