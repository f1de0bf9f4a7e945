"""Voice: own / quoted / scare / attributed, and reported speech without quotation marks."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.quotes import find_quotes
from analysis.segment import sentences as split_sentences
from analysis.terms import find_terms
from analysis.voice import REPORTED_COLUMNS, assign_voice, reported_speech


def one_sentence(text, doc_id="x"):
    articles = pd.DataFrame({"doc_id": [doc_id], "text": [text]})
    sents = pd.DataFrame({"doc_id": [doc_id], "para_id": [1], "sent_id": [1], "start": [0],
                          "end": [len(text)], "text": [text]})
    return articles, sents


def contents(text):
    articles, sents = one_sentence(text)
    rep = reported_speech(articles, sents)
    return [(text[r.start:r.end], r.cue, r.source_text) for r in rep.itertuples()]


# --------------------------------------------------------------------------------------------
# reported_speech on strings
# --------------------------------------------------------------------------------------------
def test_pre_posed_said():
    assert contents("Putin said Kiev must cease its anti-terrorism operation.") == [
        ("Kiev must cease its anti-terrorism operation", "said", "Putin")]


def test_post_posed_and_inverted():
    assert contents("No troops have moved, NATO said.") == [("No troops have moved", "said", "NATO")]
    t = ("Anti-terrorism operations have killed 24 servicemen, said Valentyn Nalyvaichenko, "
         "head of the Ukrainian Security Service.")
    assert contents(t) == [("Anti-terrorism operations have killed 24 servicemen", "said",
                            "Valentyn Nalyvaichenko, head of the Ukrainian Security Service")]


def test_parenthetical_reporting_clause():
    assert contents("The withdrawal has started, he said, and could take some time to finish.") == [
        ("The withdrawal has started", "said", "he"), ("could take some time to finish", "said", "he")]


def test_according_to():
    assert contents("According to Kiev, the separatists are terrorists.") == [
        ("the separatists are terrorists", "according to", "Kiev")]
    assert contents("The separatists are terrorists, according to the SBU.") == [
        ("The separatists are terrorists", "according to", "the SBU")]


def test_accused_urged_called_what_x_calls():
    assert contents("The ministry accused Ukrainian troops of attacking citizens.") == [
        ("Ukrainian troops of attacking citizens", "accused", "The ministry")]
    assert contents("NATO urged Russia to withdraw its troops.") == [
        ("Russia to withdraw its troops", "urged", "NATO")]
    assert contents("Kiev must end what the Kremlin calls a punitive operation.") == [
        ("a punitive operation", "calls", "the Kremlin")]
    assert contents("Moscow also called for an end to the punitive operation.") == [
        ("an end to the punitive operation", "called", "Moscow")]


def test_that_after_adverbial_and_content_noun():
    assert contents("Rasmussen said at a news conference in Brussels that he saw no withdrawal.") == [
        ("he saw no withdrawal", "said", "Rasmussen")]
    assert contents("Putin and Lavrov reiterated Russia's demand that Kiev end its offensive.") == [
        ("Kiev end its offensive", "demand", "Russia")]


def test_not_reported_speech():
    # negated reporting, a noun, a name, an NP object, a topic verb
    assert contents("The Kremlin statement didn't say how many troops would be pulled out.") == []
    assert contents("There were ongoing reports of violence in the east.") == []
    assert contents("The United States imposed sanctions on Russia.") == []
    assert contents("Leaders of the regions have declared independence from Ukraine, and "
                    "separatists in Donetsk have appealed to Russia.") == []
    assert contents("He praised the opening of talks with the government in Kiev.") == []


def test_contrast_ends_the_content():
    t = "The Kremlin said troops would return to their bases, but NATO saw no sign of a pullback."
    assert contents(t) == [("troops would return to their bases", "said", "The Kremlin")]


def test_reported_speech_schema_and_empty():
    articles, sents = one_sentence("Nothing is reported here.")
    rep = reported_speech(articles, sents)
    assert list(rep.columns) == REPORTED_COLUMNS and len(rep) == 0
    articles, sents = one_sentence("Putin said Kiev must cease the operation.")
    rep = reported_speech(articles, sents)
    assert list(rep.columns) == REPORTED_COLUMNS
    r = rep.iloc[0]
    assert (r.cue_start, r.cue_end, r.source_start, r.source_end) == (6, 10, 0, 5)


# --------------------------------------------------------------------------------------------
# assign_voice on hand-made frames
# --------------------------------------------------------------------------------------------
def test_assign_voice_rules_on_hand_made_frames():
    text = ('Kiev ended what it called "a long anti-terrorism operation against armed groups in '
            'the east" and a "punitive operation", Lavrov said. The rebels held out.')
    articles = pd.DataFrame({"doc_id": ["x"], "text": [text]})
    q1s = text.index('"a long') + 1
    q1e = text.index(' east"') + 5
    q2s = text.index('"punitive') + 1
    q2e = q2s + len("punitive operation")
    quotes = pd.DataFrame({"doc_id": ["x", "x"], "quote_id": [1, 2], "start": [q1s, q2s],
                           "end": [q1e, q2e], "kind": ["speech", "speech"], "depth": [0, 0]})
    reported = pd.DataFrame({"doc_id": ["x"], "sent_id": [1], "start": [0],
                             "end": [text.index(", Lavrov")], "cue": ["said"], "cue_start": [0],
                             "cue_end": [0], "source_start": [0], "source_end": [0],
                             "source_text": ["Lavrov"]})

    def span(s):
        i = text.index(s)
        return (i, i + len(s))

    spans = pd.DataFrame([("x", *span(s)) for s in
                          ("anti-terrorism operation", "punitive operation", "Kiev", "rebels")],
                         columns=["doc_id", "start", "end"], index=[10, 11, 12, 13])
    voice = assign_voice(spans, articles, None, quotes, reported=reported)
    assert voice.index.tolist() == [10, 11, 12, 13]
    assert voice.tolist() == ["quoted", "scare", "attributed", "own"]
    # a quotation marked scare by the quote finder is scare even when the term is a small part
    quotes.loc[0, "kind"] = "scare"
    assert assign_voice(spans, articles, None, quotes, reported=reported).iloc[0] == "scare"


def test_nested_quote_inside_speech_is_quoted():
    text = 'He said: "They call it a \'punitive operation\' but it is not." Fine.'
    articles = pd.DataFrame({"doc_id": ["x"], "text": [text]})
    inner = text.index("punitive")
    quotes = pd.DataFrame({"doc_id": ["x", "x"], "start": [text.index("They"), inner],
                           "end": [text.index('."') + 1, inner + 18], "kind": ["speech", "scare"],
                           "depth": [0, 1]})
    spans = pd.DataFrame({"doc_id": ["x"], "start": [inner], "end": [inner + 18]})
    empty = reported_speech(articles, pd.DataFrame(columns=["doc_id", "sent_id", "start", "end"]))
    assert assign_voice(spans, articles, None, quotes, reported=empty).tolist() == ["quoted"]


def test_own_voice_ato_when_no_reporting_clause():
    """The CNN sentence without its reporting clause is the outlet's own voice."""
    text = ("Anti-terrorism operations that started in April in the Donetsk and Luhansk regions "
            "have killed 24 Ukrainian servicemen so far.")
    articles = pd.DataFrame({"doc_id": ["x"], "text": [text]})
    terms = find_terms(articles, split_sentences(articles), find_quotes(articles))
    assert terms[["surface", "variant", "voice"]].values.tolist() == [
        ["Anti-terrorism operations", "ato", "own"]]
    tagged = text[:-1] + ", said Valentyn Nalyvaichenko, head of the Ukrainian Security Service."
    articles = pd.DataFrame({"doc_id": ["x"], "text": [tagged]})
    sents, quotes = split_sentences(articles), find_quotes(articles)
    terms = find_terms(articles, sents, quotes)
    assert terms["voice"].tolist() == ["own"]  # a post-posed tag does not embed the clause
    rep = reported_speech(articles, sents)
    assert rep["construction"].tolist() == ["tag"]
    assert rep["source_text"].str.startswith("Valentyn Nalyvaichenko").tolist() == [True]
    assert assign_voice(terms, articles, sents, quotes, tag_voice="attributed").tolist() == [
        "attributed"]
    framed = ("Valentyn Nalyvaichenko said anti-terrorism operations had killed 24 Ukrainian "
              "servicemen.")
    articles = pd.DataFrame({"doc_id": ["x"], "text": [framed]})
    terms = find_terms(articles, split_sentences(articles), find_quotes(articles))
    assert terms["voice"].tolist() == ["attributed"]  # the reporting frame comes first


def test_assign_voice_needs_sentences_or_reported():
    articles, _ = one_sentence("Kiev.")
    spans = pd.DataFrame({"doc_id": ["x"], "start": [0], "end": [4]})
    with pytest.raises(ValueError, match="pass sentences"):
        assign_voice(spans, articles, None, None)
    assert assign_voice(spans.iloc[:0], articles, None, None).tolist() == []


# --------------------------------------------------------------------------------------------
# Seed corpus
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_reported(articles):
    return reported_speech(articles, split_sentences(articles))


def _row(rep, articles, doc_id, content_prefix):
    texts = dict(zip(articles["doc_id"], articles["text"]))
    for r in rep[rep["doc_id"] == doc_id].itertuples():
        if texts[doc_id][r.start:r.end].startswith(content_prefix):
            return texts[doc_id], r
    raise AssertionError(f"no reported content starting {content_prefix!r} in {doc_id}")


@pytest.mark.parametrize("doc_id,content_prefix,cue,source", [
    ("cnn", "Anti-terrorism operations that started", "said",
     "Valentyn Nalyvaichenko, head of the Ukrainian Security Service"),
    ("cnn", "President Vladimir Putin ordered tens of thousands", "said",
     "his spokesman Dmitry Peskov"),
    ("cnn", "Ukrainian troops of attacking Ukrainian citizens", "accused",
     "the Russian Foreign Ministry"),
    ("reuters", "the Kremlin wants to weaken the central authorities", "fears", "Kiev"),
    ("reuters", "Kiev end what the Kremlin calls", "demand", "Russia"),
    ("reuters", "a sham", "describe as", "Western countries"),
    ("latimes", "Russian forces were being withdrawn", "said", "Kremlin officials"),
    ("castanet", "Putin specifically ordered Defence Minister", "said", "the Kremlin"),
    ("commondreams", "he had seen no sign of troop movements", "said", "NATO secretary general"),
])
def test_seed_reported_speech(seed_reported, articles, doc_id, content_prefix, cue, source):
    text, r = _row(seed_reported, articles, doc_id, content_prefix)
    assert r.cue == cue
    assert r.source_text == source == text[r.source_start:r.source_end]
    assert text[r.cue_start:r.cue_end].lower() == cue


def test_seed_reported_speech_absent_where_not_reported(seed_reported, articles):
    texts = dict(zip(articles["doc_id"], articles["text"]))
    spans = [texts[r.doc_id][r.start:r.end] for r in seed_reported.itertuples()]
    # negated: "The Kremlin statement didn't say how many troops would be pulled out"
    assert not any(s.startswith("how many troops") for s in spans)
    # "Self-styled leaders ... have declared independence from Ukraine, and separatists ..."
    assert not any(s.startswith("independence from Ukraine") for s in spans)
    # "United States" is not the verb "state"
    assert not any("said they saw no sign" in s for s in spans)
    assert seed_reported["sent_id"].ge(1).all()
    assert seed_reported.equals(seed_reported.sort_values(
        ["doc_id", "start", "end", "cue_start"], kind="stable").reset_index(drop=True))


# --- constructions written in capitals (the sentence pre-check lowers the text) --------------
@pytest.mark.parametrize("text, expected", [
    ("ACCORDING TO the ministry, troops left the border area.",
     ("troops left the border area", "according to", "the ministry")),
    ("They rejected WHAT THE KREMLIN CALLS a peace plan for the east.",
     ("a peace plan for the east", "calls", "THE KREMLIN")),
    ("Russia's DEMAND THAT Kiev end its operation was rejected.",
     ("Kiev end its operation was rejected", "demand", "Russia")),
])
def test_upper_case_constructions(text, expected):
    assert contents(text) == [expected]
