"""Source mix per outlet on the example corpus."""
import pytest

from analysis import find_quotes
from analysis.sources import first_speakers, source_mix
from analysis.speakers import attribute_speakers


@pytest.fixture(scope="module")
def quotes(articles):
    return attribute_speakers(articles, find_quotes(articles))


def test_source_mix_counts(quotes, articles):
    mix = source_mix(quotes, articles).set_index(["outlet", "speaker_group"])
    # CNN quotes Western officials most: Rasmussen, Carney, the senior U.S. official
    cnn = mix.loc["CNN"]
    assert cnn["n_quotes"].sum() == 12
    assert cnn["n_quotes"].idxmax() == "western_official"
    assert cnn.loc["western_official", "n_quotes"] == 10
    # Common Dreams gives most quotations to analysts and experts
    cd = mix.loc["Common Dreams"]
    assert cd["n_quotes"].idxmax() == "analyst_expert"
    # shares sum to one per outlet
    sums = mix.groupby(level="outlet")["share_quotes"].sum()
    assert (sums.round(12) == 1.0).all()
    # words inside the quotation marks, by the kit's word definition
    assert cnn.loc["western_official", "n_words"] == 227
    assert mix.loc[("Reuters", "ukrainian_official"), "n_words"] == 32  # border guards' Slobodyan
    assert mix.loc[("Reuters", "western_official"), "n_first"] == 1


def test_who_speaks_first(quotes, articles):
    first = first_speakers(quotes, articles).set_index("doc_id")
    assert first.loc["reuters", "speaker"] == "Anders Fogh Rasmussen"
    assert first.loc["reuters", "speaker_group"] == "western_official"
    assert len(first) == 5
