"""Figures: tidy data (not pixels), outlet order and colours, byte-identical files, empty tables."""
import hashlib

import numpy as np
import pandas as pd
import pytest

from analysis import figures as F
from analysis.pipeline import CONTRACT_COLUMNS, Tables


# ---------------------------------------------------------------------------------------------
# a tiny hand-made set of tables with known values
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny():
    ev = "ev-2014-05-19"
    articles = pd.DataFrame({
        "doc_id": ["a1", "b1", "c1"], "outlet": ["Zeta News", "Alpha Post", "beta wire"],
        "event": ev, "title": ["", "", ""], "published": "2014-05-19", "source_path": "",
        "n_words": [1000, 500, 2000], "n_sentences": [3, 2, 1], "text": ["x", "y", "z"],
        "read_flesch_reading_ease": [50.0, 60.0, 40.0]})
    removed = pd.DataFrame({"doc_id": ["a1", "a1", "b1"], "line": [1, 9, 2],
                            "rule": ["photo_credit", "comment_notice", "photo_credit"],
                            "text": ["Photo", "Comments", "Photo"]})
    sentences = pd.DataFrame({"doc_id": ["a1", "a1", "a1", "b1", "b1", "c1"],
                              "para_id": 1, "sent_id": [1, 2, 3, 1, 2, 1], "start": 0, "end": 1,
                              "text": "s", "quote_share": 0.0,
                              "vader_compound": [0.5, -0.5, 0.0, 0.2, 0.4, -0.9]})
    terms = pd.DataFrame({
        "doc_id": ["a1", "a1", "a1", "b1", "c1"], "sent_id": 1, "start": [0, 5, 9, 0, 0],
        "end": [1, 6, 10, 1, 1], "surface": ["Kiev", "Kyiv", "Kiev", "Kyiv", "Kiev"],
        "concept": "capital", "variant": ["kiev", "kyiv", "kiev", "kyiv", "kiev"],
        "framing": ["ru", "ua", "ru", "ua", "ru"], "voice": ["own", "quoted", "own", "own", "scare"]})
    quotes = pd.DataFrame({"doc_id": ["a1", "a1", "b1", "b1"], "quote_id": [1, 2, 1, 2],
                           "start": 0, "end": 1,
                           "text": ["one two three", "four five", "six", "scare"],
                           "kind": ["speech", "speech", "speech", "scare"],
                           "speaker": ["A", "", "B", ""],
                           "speaker_group": ["western_official", "", "separatist", ""],
                           "cue": "said"})
    outlets = pd.DataFrame({"event": ev, "outlet": ["Alpha Post", "Zeta News", "beta wire"],
                            "n_articles": 1,
                            "vader_compound_mean": [0.3, 0.0, -0.9],
                            "vader_compound_mean_lo": [0.2, -0.5, -0.9],
                            "vader_compound_mean_hi": [0.4, 0.5, -0.9],
                            "hedge_per_1k_words": [2.0, 4.0, 0.0],
                            "hedge_per_1k_words_lo": [0.0, 1.0, 0.0],
                            "hedge_per_1k_words_hi": [6.0, 9.0, 0.0],
                            "hedge_own_per_1k_words": [1.0, 1.0, 0.0],
                            "hedge_own_per_1k_words_lo": [0.0, 0.0, 0.0],
                            "hedge_own_per_1k_words_hi": [2.0, 2.0, 0.0]})
    keyness = pd.DataFrame({"event": ev, "outlet": ["Alpha Post"] * 3 + ["Zeta News"] * 2,
                            "term": ["kiev", "rebels", "the", "kyiv", "and"],
                            "count": [3, 2, 9, 4, 5], "log_odds": [1.0, 0.5, 0.0, 1.2, -0.1],
                            "z": [2.5, 1.1, -0.2, 3.0, -0.5]})
    coverage = pd.DataFrame({"event": ev, "unit_id": ["u1", "u1", "u1", "u2", "u2", "u2"],
                             "doc_id": ["a1", "b1", "c1"] * 2, "sent_id": 1,
                             "present": [True, True, False, False, True, False],
                             "unit_label": ["Troops ordered back"] * 3 + ["NATO doubts"] * 3})
    shared = pd.DataFrame({"passage_id": [1, 1], "doc_id": ["a1", "b1"], "start": 0, "end": 5,
                           "text": ["We see no sign", "We see no"], "similarity": [1.0, 0.8],
                           "is_reference": [True, False], "passage_kind": "quote"})
    actor = pd.DataFrame({"event": ev, "outlet": ["Alpha Post", "Zeta News"],
                          "actor": ["nato", "nato"], "n_sentences": [2, 5],
                          "mean_compound": [0.1, -0.2]})
    frames = {name: pd.DataFrame(columns=cols) for name, cols in CONTRACT_COLUMNS.items()}
    frames.update(articles=articles, removed=removed, sentences=sentences, terms=terms,
                  quotes=quotes, outlets=outlets, keyness=keyness, coverage=coverage,
                  shared=shared, actor_sentiment=actor)
    return Tables(frames)


@pytest.fixture(scope="module")
def empty_tables(tiny):
    frames = {name: pd.DataFrame(columns=cols) for name, cols in CONTRACT_COLUMNS.items()}
    frames["articles"] = tiny["articles"]
    return Tables(frames)


def test_outlet_order_sorted_by_name_case_insensitive(tiny):
    assert F.outlet_order(tiny) == ["Alpha Post", "beta wire", "Zeta News"]
    assert F.outlet_order(tiny, ["Zeta News"]) == ["Zeta News", "Alpha Post", "beta wire"]


def test_outlet_colors_are_okabe_ito_in_order():
    colors = F.outlet_colors(["A", "B", "C"])
    assert list(colors.values()) == F.OKABE_ITO[:3]
    assert F.outlet_colors([str(i) for i in range(9)])["8"] == F.OKABE_ITO[0]


def test_metric_columns_need_lo_and_hi(tiny):
    assert F.metric_columns(tiny["outlets"]) == ["vader_compound_mean", "hedge_per_1k_words",
                                                 "hedge_own_per_1k_words"]


def test_article_lengths_data(tiny):
    d = F.figure_data("article_lengths", tiny)
    words = d[d["measure"] == "body_words"]
    assert words["outlet"].tolist() == ["Alpha Post", "beta wire", "Zeta News"]
    assert words["value"].tolist() == [500, 2000, 1000]
    rem = d[d["measure"] == "removed_lines"].set_index(["doc_id", "category"])["value"]
    assert rem.to_dict() == {("b1", "photo_credit"): 1, ("a1", "comment_notice"): 1,
                             ("a1", "photo_credit"): 1}


def test_term_variants_from_terms_own_voice_vs_all(tiny):
    d = F.figure_data("term_variants", tiny)
    zeta = d[d["outlet"] == "Zeta News"].set_index(["scope", "variant"])
    assert zeta.loc[("all voices", "kiev"), "n"] == 2
    assert zeta.loc[("all voices", "kiev"), "share"] == pytest.approx(2 / 3)
    assert zeta.loc[("own voice", "kiev"), "share"] == pytest.approx(1.0)
    assert ("own voice", "kyiv") not in zeta.index  # the Kyiv mention was quoted
    for _, g in d.groupby(["outlet", "scope"]):
        assert g["share"].sum() == pytest.approx(1.0)


def test_term_variants_prefers_term_shares(tiny):
    ts = pd.DataFrame({"event": "e", "outlet": ["Alpha Post"], "concept": ["c"], "variant": ["v"],
                       "framing": ["f"], "n": [4], "share": [1.0], "n_own": [2],
                       "share_own": [1.0]})
    t = Tables({**tiny.frames, "term_shares": ts})
    d = F.figure_data("term_variants", t)
    assert d[["scope", "n", "share"]].values.tolist() == [["all voices", 4, 1.0],
                                                         ["own voice", 2, 1.0]]


def test_voice_mix_shares(tiny):
    d = F.figure_data("voice_mix", tiny).set_index(["outlet", "voice"])["share"]
    assert d[("Zeta News", "own")] == pytest.approx(2 / 3)
    assert d[("beta wire", "scare")] == pytest.approx(1.0)


def test_sentiment_data_has_sentences_and_outlet_intervals(tiny):
    d = F.figure_data("sentiment", tiny)
    sent = d[d["kind"] == "sentence"]
    assert len(sent) == 6
    assert sent.groupby("outlet")["value"].size().to_dict() == {"Alpha Post": 2, "Zeta News": 3,
                                                                 "beta wire": 1}
    means = d[d["kind"] == "outlet_mean"].set_index("outlet")
    assert means.loc["Zeta News", ["value", "lo", "hi"]].tolist() == [0.0, -0.5, 0.5]


def test_hedging_uses_all_voice_rates_with_intervals(tiny):
    d = F.figure_data("hedging", tiny)
    assert d["metric"].unique().tolist() == ["hedge_per_1k_words"]
    row = d.set_index("outlet").loc["Zeta News"]
    assert (row["value"], row["lo"], row["hi"]) == (4.0, 1.0, 9.0)


def test_hedging_falls_back_to_counts_without_interval(tiny):
    hedges = pd.DataFrame({"doc_id": ["a1", "a1", "b1"], "sent_id": 1, "start": [0, 1, 2],
                           "end": 1, "surface": "may", "category": ["hedge", "booster", "hedge"],
                           "voice": "own"})
    t = Tables({**tiny.frames, "hedges": hedges, "outlets": pd.DataFrame(
        columns=["event", "outlet", "n_articles"])})
    d = F.figure_data("hedging", t).set_index(["metric", "outlet"])
    assert d.loc[("hedge_per_1k_words", "Zeta News"), "value"] == pytest.approx(1.0)  # 1/1000
    assert d.loc[("hedge_per_1k_words", "Alpha Post"), "value"] == pytest.approx(2.0)  # 1/500
    assert d["lo"].isna().all()


def test_source_mix_counts_speech_quotes_and_words(tiny):
    d = F.figure_data("source_mix", tiny).set_index(["outlet", "speaker_group"])
    assert d.loc[("Zeta News", "western_official"), "n_words"] == 3
    assert d.loc[("Zeta News", "unknown"), "n_quotes"] == 1
    assert ("Alpha Post", "unknown") not in d.index  # the scare quote is not a source


def test_coverage_matrix(tiny):
    d = F.figure_data("coverage", tiny)
    assert d["unit_id"].drop_duplicates().tolist() == ["u1", "u2"]  # most reported first
    m = d.set_index(["unit_id", "outlet"])["present"]
    assert bool(m[("u1", "Zeta News")]) and not bool(m[("u1", "beta wire")])
    assert d.set_index("unit_id")["n_outlets"].to_dict() == {"u1": 2, "u2": 1}


def test_distinctive_words_top_positive_z(tiny):
    d = F.figure_data("distinctive_words", tiny)
    assert d[["outlet", "rank", "term"]].values.tolist() == [
        ["Alpha Post", 1, "kiev"], ["Alpha Post", 2, "rebels"], ["Zeta News", 1, "kyiv"]]


def test_shared_and_actor_data(tiny):
    s = F.figure_data("shared_quotations", tiny)
    assert s[["outlet", "similarity"]].values.tolist() == [["Alpha Post", 0.8], ["Zeta News", 1.0]]
    a = F.figure_data("actor_sentiment", tiny)
    assert a[["outlet", "n_sentences", "value"]].values.tolist() == [["Alpha Post", 2, 0.1],
                                                                     ["Zeta News", 5, -0.2]]


def test_every_figure_renders_from_tiny_tables(tiny, tmp_path):
    results = []
    paths = F.build_figures(tiny, tmp_path, results=results)
    assert [r.name for r in results] == list(F.FIGURES)
    assert all(r.available for r in results), [(r.name, r.reason) for r in results]
    assert {p.suffix for p in paths} == {".png", ".svg", ".csv"}
    assert len(paths) == 3 * len(F.FIGURES)
    assert not (tmp_path / "NOT_AVAILABLE.txt").exists()


def test_empty_tables_are_skipped_with_a_note(empty_tables, tmp_path):
    results = []
    F.build_figures(empty_tables, tmp_path, results=results)
    status = {r.name: r.reason for r in results}
    assert status["article_lengths"] is None
    assert status["voice_mix"] == "table terms is empty"
    assert status["coverage"] == "table coverage is empty"
    note = (tmp_path / "NOT_AVAILABLE.txt").read_text()
    assert "source_mix: not available: table quotes is empty" in note
    fig = F.make_figure("distinctive_words", empty_tables)
    assert isinstance(fig, F.Unavailable) and "keyness" in str(fig)
    assert F.figure_data("coverage", empty_tables, missing="empty").empty
    with pytest.raises(ValueError, match="table coverage is empty"):
        F.figure_data("coverage", empty_tables)


def test_missing_table_is_not_available(tiny):
    t = Tables({"articles": tiny["articles"]})
    assert isinstance(F.make_figure("term_variants", t), F.Unavailable)
    assert F.table(t, "quotes").empty


def test_jitter_is_seeded(tiny):
    d = F.figure_data("sentiment", tiny)
    a = F.sentiment_plot(d)
    b = F.sentiment_plot(d)
    ya = [ln.get_ydata() for ln in a.axes[0].lines]
    yb = [ln.get_ydata() for ln in b.axes[0].lines]
    assert all(np.array_equal(x, y) for x, y in zip(ya, yb))


# ---------------------------------------------------------------------------------------------
# the example corpus: byte-identical files and the committed data
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def example_tables(example_path):
    from analysis.pipeline import run

    return run(example_path)


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_figures_are_byte_identical_between_runs(example_tables, tmp_path):
    F.build_figures(example_tables, tmp_path / "a")
    F.build_figures(example_tables, tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b
    assert any(name.endswith(".png") for name in a)
    svg = (tmp_path / "a" / "article_lengths.svg").read_text()
    assert "<dc:date>" not in svg
    png = (tmp_path / "a" / "article_lengths.png").read_bytes()
    assert b"Software" not in png and b"Date" not in png


def test_example_article_lengths_data(example_tables):
    d = F.figure_data("article_lengths", example_tables)
    words = d[d["measure"] == "body_words"].set_index("outlet")["value"]
    assert words.index.tolist() == ["Castanet", "CNN", "Common Dreams", "Los Angeles Times",
                                    "Reuters"]
    assert (words > 300).all()
    removed = d[d["measure"] == "removed_lines"].groupby("outlet")["value"].sum().to_dict()
    assert removed == {"Castanet": 2, "CNN": 3, "Common Dreams": 4, "Los Angeles Times": 1,
                       "Reuters": 2}


def test_committed_figure_data_matches_the_pipeline(example_tables, tmp_path):
    """The CSV data beside each committed figure equals a fresh run (regenerate with
    `make figures` when an analysis changes on purpose)."""
    from pathlib import Path

    committed = Path(__file__).resolve().parents[1] / "figures"
    csvs = sorted(committed.glob("*.csv"))
    if not csvs:
        pytest.skip("figures/ has no committed figures yet (run `make figures`)")
    F.build_figures(example_tables, tmp_path)
    for path in csvs:
        fresh = tmp_path / path.name
        assert fresh.exists(), f"{path.name} is committed but the figure is no longer drawn"
        assert fresh.read_bytes() == path.read_bytes(), (
            f"figures/{path.name} differs from a fresh run; regenerate with `make figures`")
