"""Quotation spans: pairing, refusal, speech/scare, frame schema, quote_share."""
import re
import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import quotes as quotes_module
from analysis.quotes import QUOTE_COLUMNS, find_quotes, quote_share, quote_spans
from analysis.segment import sentences


def inner(text):
    return [text[q["start"]:q["end"]] for q in quote_spans(text)]


# --- pairing on strings ----------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "I think it's Russia's problem and the troops' morale is low.",
    "Rock \u2019n\u2019 roll in the \u201990s, rock 'n' roll in the '90s, 'til dawn.",
    "It\u2019s Russia\u2019s troops\u2019 move.",
    "The Joneses' house and the boss's car.",
])
def test_apostrophes_make_no_spans(text):
    assert quote_spans(text) == []


def test_straight_double_with_attribution():
    text = '"We have seen no indication of any movement," Pentagon spokesman said.'
    [q] = quote_spans(text)
    assert (q["start"], q["end"], q["mark_start"], q["mark_end"]) == (1, 44, 0, 45)
    assert q["kind"] == "speech" and q["depth"] == 0 and q["n_paragraphs"] == 1


def test_curly_quotes_and_nested_single():
    text = "\u201cI told him, \u2018You can\u2019t do this,\u2019 and he laughed,\u201d she said."
    outer, nested = quote_spans(text)
    assert text[outer["start"]:outer["end"]] == \
        "I told him, \u2018You can\u2019t do this,\u2019 and he laughed,"
    assert outer["depth"] == 0
    assert text[nested["start"]:nested["end"]] == "You can\u2019t do this,"
    assert nested["depth"] == 1


def test_apostrophe_inside_quote_is_not_a_mark():
    text = "\"It's the troops' fault,\" he said."
    assert inner(text) == ["It's the troops' fault,"]


def test_single_quoted_headline_phrase():
    text = "Russia's 'significant forces'"
    [q] = quote_spans(text)
    assert text[q["start"]:q["end"]] == "significant forces"
    assert (q["mark_start"], q["mark_end"]) == (9, 29)


def test_multi_paragraph_quotation_by_news_convention():
    text = 'She said: "They knew the risks.\n\n"And they did it anyway," she added.'
    [q] = quote_spans(text)
    assert q["n_paragraphs"] == 2
    assert text[q["start"]:q["end"]] == 'They knew the risks.\n\n"And they did it anyway,'
    assert q["kind"] == "speech"


def test_unclosed_quote_without_reopening_is_refused():
    text = 'He said: "We will go on.\n\nThen he left. Later "it ended" there.'
    assert inner(text) == ["it ended"]


@pytest.mark.parametrize("text", ['Unmatched " here.', 'closing" only', '\u201d\u201c', '"""',
                                  "\u201c\u201d", "", "'", "a ' b ' c"])
def test_unmatched_marks_give_no_invented_span(text):
    assert quote_spans(text) == []


def test_unmatched_mark_does_not_disturb_neighbours():
    text = 'A "so-called "bad" example.'
    assert inner(text) == ["bad"]


def test_direction_from_context_for_straight_quotes():
    assert inner('"Hello,"he said. "Bye."') == ["Hello,", "Bye."]


# --- speech or scare --------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind", [
    ('Putin and Lavrov demanded that Kiev end what the Kremlin calls a "punitive operation".',
     "scare"),
    ('They dubbed it "Operation Storm" in the end.', "scare"),
    ('Russian media quoted Putin as reiterating that the government must cease its '
     '"anti-terrorism operation" aimed at recovering control.', "scare"),
    ('Valeriy Bolotov, the self-declared governor of a "people\'s republic", was detained.',
     "scare"),
    ('Lavrov said ties with NATO needed a "substantial rethink" in light of the differences.',
     "speech"),
    ('Rasmussen said he would "be the first" to welcome it.', "speech"),
    ('Putin issued an order declaring "planned spring exercises" completed.', "speech"),
    ('"No," he said.', "speech"),
    ('The Russian government also called for an "immediate halt of punitive operations and use '
     'of force," in southeast Ukraine.', "speech"),
    ('The bridge was "closed" for hours.', "scare"),
])
def test_kind(text, kind):
    [q] = quote_spans(text)
    assert q["kind"] == kind


def test_headline_echo_of_a_speech_quote_is_speech():
    text = ("Russia's 'significant forces'\n\n\"The fact is that Russia has been maintaining "
            "significant forces in forward deployment areas,\" the official said.")
    first, second = quote_spans(text)
    assert first["kind"] == "speech" and second["kind"] == "speech"


# --- robustness -------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("\"'\u201c\u201d\u2018\u2019 ab.,\n")) |
               st.characters(), max_size=300))
def test_any_unicode_never_crashes_and_spans_are_consistent(text):
    for q in quote_spans(text):
        assert 0 <= q["mark_start"] < q["start"] <= q["end"] < q["mark_end"] <= len(text)
        assert q["kind"] in ("speech", "scare")
        assert q["depth"] >= 0 and q["n_paragraphs"] >= 1


def test_ten_megabytes_in_linear_time():
    chunk = 'He said "the so-called thing" was fine. It\'s "ok," she said.\n\n'
    text = (chunk * (10_000_000 // len(chunk) + 1))[:10_000_000]
    t0 = time.perf_counter()
    spans = quote_spans(text)
    assert time.perf_counter() - t0 < 60
    assert len(spans) > 300_000


def test_quote_never_runs_to_end_of_article():
    text = 'Intro "opens here.\n\nSecond paragraph.\n\nThird "x" end.'
    assert inner(text) == ["x"]


# --- seeds ------------------------------------------------------------------------------------
NATO_QUOTE = "I think it's the third Putin statement on withdrawal of Russian troops"
SEED_SPANS = [
    ("latimes", 388, 412, "planned spring exercises", "speech"),
    ("latimes", 923, 1044, None, "speech"),
    ("latimes", 1194, 1325, None, "speech"),
    ("latimes", 1826, 1848, "alarming deterioration", "speech"),
    ("latimes", 1999, 2023, "anti-terrorism operation", "scare"),
    ("castanet", 1070, 1091, "planned spring drills", "speech"),
    ("reuters", 1181, 1224, "We have seen no indication of any movement,", "speech"),
    ("reuters", 1935, 2059, None, "speech"),
    ("reuters", 2351, 2370, "substantial rethink", "speech"),
    ("reuters", 3171, 3199, "supporters of federalisation", "scare"),
    ("reuters", 3470, 3481, "smokescreen", "speech"),
    ("reuters", 3832, 3850, "punitive operation", "scare"),
    ("cnn", 915, 927, "be the first", "speech"),
    ("cnn", 946, 1070, None, "speech"),
    ("cnn", 1714, 1732, "significant forces", "speech"),
    ("cnn", 2059, 2097, "regular exercises at the test grounds.", "speech"),
    ("cnn", 4101, 4118, "people's republic", "scare"),
    ("commondreams", 1375, 1379, "test", "speech"),
    ("commondreams", 1960, 1971, "terrorists.", "scare"),
]


@pytest.fixture(scope="module")
def seed_quotes(articles):
    return find_quotes(articles)


@pytest.mark.parametrize("doc_id, start, end, text, kind", SEED_SPANS)
def test_seed_spans(articles, seed_quotes, doc_id, start, end, text, kind):
    art = articles.set_index("doc_id").loc[doc_id, "text"]
    row = seed_quotes[(seed_quotes.doc_id == doc_id) & (seed_quotes.start == start)]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["end"] == end and row["kind"] == kind
    assert row["text"] == art[start:end]
    if text is not None:
        assert row["text"] == text
    assert art[row["mark_start"]] in "\"'\u201c\u2018" and row["mark_end"] == end + 1


@pytest.mark.parametrize("doc_id", ["latimes", "reuters", "cnn"])
def test_nato_quotation_in_three_outlets(seed_quotes, doc_id):
    rows = seed_quotes[(seed_quotes.doc_id == doc_id) & seed_quotes.text.str.contains(
        NATO_QUOTE, regex=False)]
    assert len(rows) == 1
    assert rows.iloc[0]["text"].rstrip(",").endswith("we haven't seen any withdrawal at all")


def test_seed_counts(seed_quotes):
    counts = seed_quotes.groupby(["doc_id", "kind"]).size().to_dict()
    assert counts == {("castanet", "speech"): 2, ("cnn", "speech"): 12, ("cnn", "scare"): 1,
                      ("commondreams", "speech"): 6, ("commondreams", "scare"): 1,
                      ("latimes", "speech"): 4, ("latimes", "scare"): 1,
                      ("reuters", "speech"): 8, ("reuters", "scare"): 2}


def test_seed_apostrophes_give_no_spans(articles, seed_quotes):
    # "it's", "Russia's", "troops'" occur in the seeds; none starts or ends a quotation
    for doc_id, text in zip(articles.doc_id, articles.text):
        for q in seed_quotes[seed_quotes.doc_id == doc_id].itertuples():
            for pos in (q.mark_start, q.mark_end - 1):
                assert not (text[pos - 1:pos].isalnum() and text[pos + 1:pos + 2].isalnum())


# --- frame schema and quote_share ---------------------------------------------------------------
def test_find_quotes_schema(seed_quotes):
    assert list(seed_quotes.columns) == QUOTE_COLUMNS
    assert isinstance(seed_quotes.index, pd.RangeIndex)
    assert seed_quotes.equals(seed_quotes.sort_values(["doc_id", "quote_id"]).reset_index(drop=True))
    for doc_id, g in seed_quotes.groupby("doc_id"):
        assert list(g.quote_id) == list(range(1, len(g) + 1))
        assert list(g.mark_start) == sorted(g.mark_start)
    assert (seed_quotes[["speaker", "speaker_group", "cue"]] == "").all().all()
    for c in ("quote_id", "start", "end", "mark_start", "mark_end", "n_paragraphs", "depth"):
        assert seed_quotes[c].dtype == "int64"


def test_find_quotes_empty_frame_keeps_schema():
    out = find_quotes(pd.DataFrame({"doc_id": ["a"], "text": ["No quotes here."]}))
    assert list(out.columns) == QUOTE_COLUMNS and len(out) == 0


def test_quote_share():
    arts = pd.DataFrame({"doc_id": ["d"], "text": ['"We will win," he said. No quotes here.']})
    sents = sentences(arts)
    share = quote_share(sents, find_quotes(arts))
    assert share.name == "quote_share"
    assert share.iloc[0] == pytest.approx(len("We will win,") / len('"We will win," he said.'))
    assert share.iloc[1] == 0.0


def test_quote_share_on_seeds(articles, seed_quotes):
    sents = sentences(articles)
    share = quote_share(sents, seed_quotes)
    assert share.between(0, 1).all()
    i = sents.index[(sents.doc_id == "reuters") & sents.text.str.startswith('"We have seen no')][0]
    assert share[i] == pytest.approx(len("We have seen no indication of any movement,") /
                                     len(sents.text[i]))
    assert share[sents.text.str.startswith("Moscow has massed")].eq(0).all()


# --- elision pattern: equal to its reference form --------------------------------------------
# _ELISION_RE puts its look-behind after the mark, so the scan jumps from mark to mark.
_REFERENCE_ELISION = re.compile(
    r"(?<!\w)['\u2018\u2019]n['\u2019](?!\w)"
    r"|(?<!\w)['\u2018\u2019](?=(?:em|til|tis|twas|cause|cos|bout|round|nuff|kay|\d0s|\d\ds?)\b)",
    re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "n", "'", "\u2019", "\u2018", " ", "em", "TIL", "90s", "99",
                                 "rock", "x"]), max_size=15).map("".join))
def test_elision_pattern_matches_reference(text):
    assert ([(m.span(), m.group()) for m in quotes_module._ELISION_RE.finditer(text)]
            == [(m.span(), m.group()) for m in _REFERENCE_ELISION.finditer(text)])


def test_short_quote_echoing_a_long_quote_stays_speech():
    text = ('"We will not allow significant forces to cross the border," the minister said.\n\n'
            'Officials spoke of "significant forces" near the town.')
    assert [q["kind"] for q in quote_spans(text)] == ["speech", "speech"]
