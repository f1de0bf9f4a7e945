"""Keyword in context: offsets, context trimming, matching options, side-by-side layout."""
import pandas as pd
import pytest

from analysis.kwic import KWIC_COLUMNS, kwic, kwic_side_by_side

TEXT_A = ("Troops left Kiev on Monday.\n\nThe Kievan Rus was old; kiev is a city. "
          "The government in Kyiv\u2019s centre called it an anti-terrorism operation.")
TEXT_B = "Moscow demanded that Kiev end its punitive   operation against the separatists."


def frame():
    return pd.DataFrame({"doc_id": ["b1", "a1"], "outlet": ["Beta", "Alpha"], "event": ["e", "e"],
                         "text": [TEXT_B, TEXT_A]})


def test_schema_sort_and_offsets_round_trip():
    k = kwic(frame(), ["Kiev", "Kyiv's", "punitive operation"], window=30)
    assert list(k.columns) == KWIC_COLUMNS
    assert isinstance(k.index, pd.RangeIndex)
    assert k["outlet"].tolist() == sorted(k["outlet"].tolist())
    texts = frame().set_index("doc_id")["text"]
    for r in k.itertuples():
        assert texts[r.doc_id][r.start:r.end] == r.match
    assert k[k.outlet == "Alpha"]["start"].is_monotonic_increasing
    # Kiev (twice in A, case-insensitive), Kyiv’s via the curly apostrophe, Kiev + phrase in B
    assert k["match"].tolist() == ["Kiev", "kiev", "Kyiv\u2019s", "Kiev", "punitive   operation"]


def test_whole_words_only_by_default():
    k = kwic(frame(), "Kiev")
    assert "Kievan" not in k["match"].tolist()
    k = kwic(frame(), "Kiev", words=False)
    assert "Kiev" in [m for m in k["match"]] and len(k) == 4  # Kievan now matches too
    k = kwic(frame(), "terrorism")
    assert len(k) == 1  # a hyphen is a word boundary: found inside anti-terrorism


def test_case_and_regex():
    assert len(kwic(frame(), "kiev", case=True)) == 1
    k = kwic(frame(), r"K(?:iev|yiv)\b", regex=True, case=True)
    assert sorted(k["match"]) == ["Kiev", "Kiev", "Kyiv"]
    with pytest.raises(ValueError, match="regular expression"):
        kwic(frame(), "(", regex=True)


def test_context_is_whole_words_within_window_and_newlines_are_spaces():
    k = kwic(frame(), "Monday", window=14)
    r = k.iloc[0]
    # 14 chars before "Monday" are "s left Kiev on ": the cut word "s" is dropped
    assert r["left"] == "left Kiev on "
    assert len(r["left"]) <= 14
    assert "\n" not in r["right"]
    k = kwic(frame(), "Monday", window=20)
    # ".\n\nThe Kievan Rus wa" is cut back to the last whole word; the break becomes one space
    assert k.iloc[0]["right"] == ". The Kievan Rus"
    for r in kwic(frame(), ["Kiev", "operation"], window=25).itertuples():
        assert len(r.left) <= 25 and len(r.right) <= 25
        assert "\n" not in r.left + r.right


def test_no_match_gives_empty_frame_with_columns():
    k = kwic(frame(), "junta")
    assert k.empty and list(k.columns) == KWIC_COLUMNS


def test_side_by_side():
    k = kwic(frame(), "Kiev")
    wide = kwic_side_by_side(k)
    assert list(wide.columns) == ["Alpha", "Beta"]
    assert wide.index.tolist() == [1, 2]
    assert wide.loc[2, "Beta"] == ""  # Beta has one line only
    assert "[Kiev]" in wide.loc[1, "Beta"]
    assert wide.loc[1, "Beta"].startswith("Moscow demanded that [Kiev] end")
    assert kwic_side_by_side(k, max_lines=1).shape == (1, 2)


def test_seed_corpus(articles):
    k = kwic(articles, "punitive")
    assert set(k.outlet) == {"CNN", "Common Dreams", "Reuters"}
    texts = articles.set_index("doc_id")["text"]
    for r in k.itertuples():
        assert texts[r.doc_id][r.start:r.end].lower() == "punitive"


def test_multi_event_fixture(multi_event_path):
    from analysis import load_corpus

    arts = load_corpus(multi_event_path)
    k = kwic(arts, "junta")
    assert set(k.outlet) == {"Eastern Dispatch"} and len(k) == 2
    wide = kwic_side_by_side(kwic(arts, ["Kiev", "Kyiv"]))
    assert isinstance(wide.index, pd.MultiIndex) and wide.index.names == ["event", "line"]
    assert set(wide.columns) == {"Capital Courier", "Eastern Dispatch", "Harbour Wire"}
