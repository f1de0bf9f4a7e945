"""Hedges, boosters, evidentials and reporting verbs: context rules, counts, rates, lexicon."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import hedging as hedging_module
from analysis.errors import LexiconError
from analysis.hedging import (CATEGORIES, hedge_rates, load_hedge_lexicon, match_hedges, match_text,
                              own_word_count, sentence_uncertainty)
from analysis.lexicon import load_lexicon
from analysis.tokens import word_spans


def cues(text: str) -> list[tuple[str, str]]:
    return [(r.surface, r.category) for r in match_text(text).itertuples()]


def hedges_only(text: str) -> list[str]:
    return [s for s, c in cues(text) if c == "hedge"]


# --- the month "May" versus the modal -------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Separatists held referendums on May 11 in the east.",
    "Putin announced on May 7 that troops had been withdrawn.",
    "The vote was held in May.",
    "May 11 was the day of the referendum.",
    "Talks resumed in early May 2014.",
    "Theresa May spoke to reporters.",
    "May God protect Ukraine.",
])
def test_may_month_name_or_optative_is_not_a_hedge(text):
    assert hedges_only(text) == []


@pytest.mark.parametrize("text, surface", [
    ("Putin's order may have been intended to create distance.", "may"),
    ("In what could be an attempt to ease tensions, Putin ordered troops home.", "could"),
    ("Analysts say the announcement may be a sign of de-escalation.", "may"),
    ("Putin May Pull Troops Back From Border", "May"),  # title-case headline
])
def test_epistemic_modals_are_hedges(text, surface):
    assert hedges_only(text) == [surface]


# --- other context rules --------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("They could not confirm it.", []),
    ("They couldn't reach the border.", []),
    ("From the hill they could see the border.", []),
    ("Russia showed its military might.", []),
    ("Russia might withdraw its troops.", ["might"]),
    ("He appeared at a news conference in Brussels.", []),
    ("The order appears to go further than before.", ["appears"]),
    ("He asked about Moscow's attitude.", []),
    ("The regions have about 6.5 million people.", ["about"]),
    ("There were some 40,000 troops.", ["some"]),
    ("Some analysts disagree.", []),
    ("The seemingly conciliatory approach suggested that Putin was satisfied.", ["suggested"]),
    ("He suggested holding a meeting next week.", []),
    ("I think it's the third statement.", ["think"]),
    ("Kiev thinks the Kremlin wants a weak centre.", []),
    ("The troops would return to their bases, he said.", ["would"]),
    ("He said the troops would return to their bases.", []),
    ("A withdrawal would be a first important contribution.", ["would"]),
    ("We would like to see evidence.", []),
    ("Before, we would see 10 or more aircraft.", []),
    ("They did not rule out talks.", ["rule out"]),
    ("Do it as soon as possible.", []),
    ("A deal is possible.", ["possible"]),
])
def test_context_rules(text, expected):
    assert hedges_only(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Kiev must cease its operation.", []),
    ("Someone must have known.", ["must"]),
    ("It must be a mistake.", ["must"]),
    ("The attack must be stopped.", []),
    ("Clearly, it is indeed a step; in fact, of course, it is.", ["Clearly", "indeed", "in fact",
                                                                 "of course"]),
])
def test_boosters(text, expected):
    assert [s for s, c in cues(text) if c == "booster"] == expected


@pytest.mark.parametrize("text, expected", [
    ("NATO said it had seen no evidence of a pullback.", ["no evidence"]),
    ("They saw no signs of a withdrawal.", ["no signs"]),
    ("There was no indication troops had pulled back.", ["no indication"]),
    ("We haven't seen any evidence at all.", ["any evidence"]),
    ("We have yet to see any indication that it has been fulfilled.", ["any indication"]),
    ("Is there any evidence of it?", []),
    ("Troops were reportedly withdrawing, allegedly under orders.", ["reportedly", "allegedly"]),
    ("The leader is believed to be in Moscow.", ["is believed to"]),
])
def test_evidentials(text, expected):
    assert [s for s, c in cues(text) if c == "evidential"] == expected


def test_reporting_verbs_and_their_noun_readings():
    got = cues("NATO and the United States say previous pledges failed. The ongoing reports of "
               "violence grew. Rasmussen claimed victory. He said the Kremlin confirmed it. "
               "Moscow wants to maintain its clout.")
    assert got == [("say", "reporting_neutral"), ("claimed", "reporting_distancing"),
                   ("said", "reporting_neutral"), ("confirmed", "reporting_endorsing")]


def test_exact_counts_on_a_small_hand_text():
    text = ("I think the troops may withdraw. NATO said there was no sign of a pullback. "
            "He appeared at a news conference. The order appears to go further. "
            "About 40,000 troops were there, and the official clearly disputed it.")
    got = cues(text)
    assert got == [("think", "hedge"), ("may", "hedge"), ("said", "reporting_neutral"),
                   ("no sign", "evidential"), ("appears", "hedge"), ("About", "hedge"),
                   ("clearly", "booster"), ("disputed", "reporting_distancing")]
    counts = pd.Series([c for _, c in got]).value_counts().to_dict()
    assert counts == {"hedge": 4, "reporting_neutral": 1, "evidential": 1, "booster": 1,
                      "reporting_distancing": 1}


# --- match_hedges on sentence frames --------------------------------------------------------
def _frames(text: str, doc_id: str = "d1"):
    from analysis.segment import sentence_spans

    spans = sentence_spans(text)
    sentences = pd.DataFrame({"doc_id": doc_id, "para_id": 1, "sent_id": range(1, len(spans) + 1),
                              "start": [s for s, _ in spans], "end": [e for _, e in spans],
                              "text": [text[s:e] for s, e in spans]})
    return pd.DataFrame({"doc_id": [doc_id], "text": [text]}), sentences


def test_match_hedges_offsets_and_schema():
    text = ("Putin's order, like his appeal to delay their May 11 referendums, may have been "
            "intended to create distance. Separatists voted on May 11.")
    articles, sentences = _frames(text)
    h = match_hedges(sentences)
    assert list(h.columns) == ["doc_id", "sent_id", "start", "end", "surface", "category", "cue"]
    hed = h[h["category"] == "hedge"]
    assert hed["surface"].tolist() == ["may"] and hed["sent_id"].tolist() == [1]
    for r in h.itertuples():
        assert text[r.start:r.end] == r.surface
    assert set(h["category"]) <= set(CATEGORIES)
    assert isinstance(h.index, pd.RangeIndex)


# --- aggregation with voice -----------------------------------------------------------------
QUOTED_TEXT = ('NATO may act soon. "We think Russia may be bluffing," Rasmussen said. '
               "There was no sign of a pullback.")


def _hand_voice_frames():
    articles, sentences = _frames(QUOTED_TEXT)
    qs = QUOTED_TEXT.index('"') + 1
    qe = QUOTED_TEXT.index(',"')
    quotes = pd.DataFrame({"doc_id": ["d1"], "quote_id": [1], "start": [qs], "end": [qe],
                           "kind": ["speech"], "mark_start": [qs - 1], "mark_end": [qe + 2]})
    h = match_hedges(sentences)
    # voice built by hand: inside the quotation -> quoted, else own
    h["voice"] = ["quoted" if qs <= s < qe else "own" for s in h["start"]]
    return articles, sentences, quotes, h


def test_hedge_rates_exclude_quoted_hedges_from_own_voice():
    articles, sentences, quotes, h = _hand_voice_frames()
    assert h[["surface", "category", "voice"]].values.tolist() == [
        ["may", "hedge", "own"], ["think", "hedge", "quoted"], ["may", "hedge", "quoted"],
        ["said", "reporting_neutral", "own"], ["no sign", "evidential", "own"]]
    r = hedge_rates(h, sentences, articles, quotes).iloc[0]
    assert r["n_words"] == 19 and r["n_own_words"] == 13  # 6 quoted words
    assert r["hedge_n"] == 3 and r["hedge_n_own"] == 1 and r["hedge_n_quoted"] == 2
    assert r["hedge_per_1k_words"] == pytest.approx(3000 / 19)
    assert r["hedge_per_1k_own_words"] == pytest.approx(1000 / 13)
    assert r["evidential_n_own"] == 1 and r["booster_n"] == 0
    assert r["uncertain_sentence_share"] == pytest.approx(2 / 3)


def test_sentence_uncertainty_ignores_quoted_cues():
    articles, sentences, quotes, h = _hand_voice_frames()
    flags = sentence_uncertainty(h, sentences)
    assert flags.tolist() == [True, False, True]
    assert flags.name == "uncertain" and flags.index.equals(sentences.index)


def test_rates_require_voice_column():
    articles, sentences = _frames(QUOTED_TEXT)
    with pytest.raises(ValueError, match="voice"):
        hedge_rates(match_hedges(sentences), sentences, articles, None)


def test_seed_quoted_hedge_gets_quoted_voice(articles):
    from analysis.quotes import find_quotes
    from analysis.segment import sentences as segment
    from analysis.voice import assign_voice

    sents = segment(articles)
    quotes = find_quotes(articles)
    h = match_hedges(sents)
    h["voice"] = assign_voice(h, articles, sents, quotes)
    text = articles.set_index("doc_id").loc["latimes", "text"]
    lat = h[h["doc_id"] == "latimes"]
    # '"I think it's the third Putin statement ..." NATO Secretary-General ... said'
    think = lat[lat["surface"] == "think"].iloc[0]
    assert think["voice"] == "quoted" and text[think.start - 3:think.end] == '"I think'
    # 'may have been intended' is the writer's own hedge; 'May 11' before it is not matched
    may = lat[lat["surface"].str.lower() == "may"]
    assert may["surface"].tolist() == ["may"] and may["voice"].tolist() == ["own"]
    assert text[may.iloc[0].start:may.iloc[0].start + 22] == "may have been intended"
    rates = hedge_rates(h, sents, articles, quotes).set_index("doc_id")
    own = h[(h["doc_id"] == "latimes") & (h["category"] == "hedge") & (h["voice"] == "own")]
    assert rates.loc["latimes", "hedge_n_own"] == len(own) < rates.loc["latimes", "hedge_n"]
    assert "think" not in own["surface"].tolist()
    # castanet: "In what could be an attempt ..." (own voice)
    cast = h[(h["doc_id"] == "castanet") & (h["category"] == "hedge")]
    assert cast.iloc[0]["surface"] == "could" and cast.iloc[0]["voice"] == "own"


# --- lexicon ----------------------------------------------------------------------------------
def test_hedge_lexicon_header_and_entries():
    lex = load_hedge_lexicon()
    assert lex["version"] and lex["source"] and lex["licence"]
    assert set(lex["categories"]) == {"hedge", "booster", "evidential"}
    for cat, entries in lex["entries"].items():
        for name, spec in entries.items():
            assert spec["forms"] and spec["source"], f"{cat}.{name}"
            assert all(s in lex["sources"] for s in spec["source"])
            if "rule" in spec:
                assert spec["rule"] in lex["rules"]


def test_reporting_lexicon_loads():
    lex = load_lexicon("reporting_verbs")
    assert lex["version"] and lex["source"]


def test_malformed_lexicon_names_file_and_entry(tmp_path):
    bad = tmp_path / "bad_hedges.yaml"
    bad.write_text(
        "name: bad\nversion: '0.1'\nsource: test\nlicence: CC0-1.0\ndescription: broken\n"
        "categories: {hedge: h, booster: b, evidential: e}\n"
        "sources: {hyland2005: Hyland}\nrules: {}\n"
        "entries:\n  hedge:\n    perhaps: {forms: [perhaps]}\n", encoding="utf-8")
    with pytest.raises(LexiconError) as err:
        match_text("Perhaps.", lexicon=str(bad))
    msg = str(err.value)
    assert str(bad) in msg and "hedge.perhaps" in msg and "source" in msg


def test_lexicon_with_unknown_rule_is_refused(tmp_path):
    bad = tmp_path / "bad_rule.yaml"
    bad.write_text(
        "name: bad\nversion: '0.1'\nsource: test\nlicence: CC0-1.0\ndescription: broken\n"
        "categories: {hedge: h, booster: b, evidential: e}\n"
        "sources: {k: kit}\nrules: {}\n"
        "entries:\n  booster:\n    sure: {forms: [surely], source: [k], rule: magic}\n",
        encoding="utf-8")
    with pytest.raises(LexiconError, match=r"booster\.sure.*rule 'magic'"):
        match_text("Surely.", lexicon=str(bad))


# --- helpers kept exact ----------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "It may rain, officials said.",
    "\u0130stanbul may host the talks.",  # capital dotted I: lowering changes the length
    "\u039f\u0394\u039f\u03a3:\u0391 could be it.",  # capital sigma: the final-sigma rule
    "Russia\u2019s claims \u2018may\u2019 be false.",
])
def test_context_words_are_lowered_word_by_word(text):
    c = hedging_module._Ctx(text)
    assert c.low == [w.lower().translate(hedging_module._APOS) for w in c.raw]


@pytest.mark.parametrize("spans", [[], [(0, 5)], [(3, 9), (0, 5)], [(20, 10)], [(4, 4)],
                                   [(0, 12), (6, 30), (40, 41)], [(-5, 3)]])
def test_own_word_count_counts_words_starting_outside_the_spans(spans):
    text = "One two three, four-five six. Seven eight nine ten eleven."
    words = word_spans(text)
    outside = [ws for ws, _ in words if not any(s <= ws < e for s, e in spans)]
    assert own_word_count(text, spans) == len(outside)
