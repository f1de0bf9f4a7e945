"""The text model on the loaded example corpus: each pinned quotation sits in a pinned sentence."""
import pytest

from analysis import find_quotes, sentences

# (doc_id, quote start, sent_id, para_id, sentence start, sentence end, sentence opening)
QUOTE_SENTENCES = [
    ("latimes", 923, 5, 4, 922, 1192, "\"I think it's the third Putin statement"),
    ("reuters", 1935, 12, 10, 1934, 2086, "\"Now I think it's the third Putin statement"),
    ("cnn", 946, 8, 7, 945, 1081, "\"I think it's the third Putin statement"),
    ("reuters", 3832, 23, 18, 3743, 3901, "Putin and Lavrov both reiterated Russia's demand"),
    ("latimes", 1999, 9, 6, 1878, 2111, "Russian media also quoted Putin"),
    ("castanet", 1070, 6, 5, 971, 1175, "Putin specifically ordered Defence Minister"),
]


@pytest.fixture(scope="module")
def sents(articles):
    return sentences(articles)


@pytest.mark.parametrize("doc_id,q_start,sent_id,para_id,start,end,opening", QUOTE_SENTENCES)
def test_quotation_lies_in_its_sentence(articles, sents, doc_id, q_start, sent_id, para_id,
                                        start, end, opening):
    text = articles.set_index("doc_id").loc[doc_id, "text"]
    quotes = find_quotes(articles)
    quote = quotes[(quotes["doc_id"] == doc_id) & (quotes["start"] == q_start)].iloc[0]
    row = sents[(sents["doc_id"] == doc_id) & (sents["sent_id"] == sent_id)].iloc[0]
    assert (row["para_id"], row["start"], row["end"]) == (para_id, start, end)
    assert row["text"] == text[start:end] and row["text"].startswith(opening)
    assert start <= quote["mark_start"] and quote["mark_end"] <= end


def test_nato_sentence_ends_after_attribution(articles, sents):
    """LA Times: the NATO quotation's sentence runs to the attribution, and the next sentence
    (the second half of the quotation) starts a new sentence in the same paragraph."""
    la = sents[sents["doc_id"] == "latimes"].set_index("sent_id")
    assert la.loc[5, "text"].endswith("news conference at alliance headquarters in Brussels after "
                                      "Putin's announcement Monday.")
    assert la.loc[6, "text"].startswith("\"I strongly regret that")
    assert la.loc[6, "para_id"] == la.loc[5, "para_id"] == 4
