"""Speaker attribution: patterns, within-article resolution, groups, reported speech."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import speakers as speakers_module
from analysis.lexicon import load_lexicon
from analysis.quotes import find_quotes
from analysis.segment import sentences
from analysis.speakers import attribute_speakers, attributions, speaker_group

ROOT = Path(__file__).resolve().parents[1]


def attribute(text):
    arts = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    return attribute_speakers(arts, find_quotes(arts))


def speakers_of(text):
    q = attribute(text)
    return list(q.loc[q.kind == "speech", "speaker"])


# --- patterns on strings ----------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ('"We will go," NATO Secretary-General Anders Fogh Rasmussen said.', ["Anders Fogh Rasmussen"]),
    ('"We will go," said Jay Carney, the White House spokesman.', ["Jay Carney"]),
    ('Health Minister Patty Hajdu said: "The situation is under control."', ["Patty Hajdu"]),
    ('"It is over," the prosecutor, Angela Brandt, told the jury.', ["Angela Brandt"]),
    ('According to police spokesman Mark Reid, the driver "was well over the limit" at the time.',
     ["Mark Reid"]),
    ('Coach Mike Ramsey was blunt: "We played terribly and I take responsibility."',
     ["Mike Ramsey"]),
    ('"This agreement is a milestone," the European Commission said in a statement, "and a model '
     'for the future."', ["European Commission", "European Commission"]),
    ('A spokeswoman for the Department of Transportation said the agency "will review the '
     'incident."', ["spokeswoman for the Department of Transportation"]),
])
def test_patterns(text, expected):
    assert speakers_of(text) == expected


def test_pronoun_takes_previous_speaker_and_second_quote_continues():
    text = ('Dr. Aisha Khan, an epidemiologist, warned that cases could double. "We have a narrow '
            'window," she said. "If we miss it, hospitals will be overwhelmed."')
    q = attribute(text)
    assert list(q.speaker) == ["Aisha Khan", "Aisha Khan"]
    assert list(q.speaker_mention) == ["she", "she"]
    assert q.cue.iloc[0] == "said" and q.cue.iloc[1] == ""


def test_multi_paragraph_quote_attributed_at_its_close():
    text = ('Sen. Elizabeth Warren said the bank acted recklessly.\n\n"They knew the risks.\n\n'
            '"And they did it anyway," she said.')
    q = attribute(text)
    assert len(q) == 1 and q.n_paragraphs.iloc[0] == 2
    assert q.speaker.iloc[0] == "Elizabeth Warren"


def test_scare_quotes_get_no_speaker():
    q = attribute('Kiev must end what the Kremlin calls a "punitive operation" soon.')
    assert q.kind.iloc[0] == "scare" and q.speaker.iloc[0] == ""


def test_speaker_group_function():
    assert speaker_group("Sergei Lavrov", "Russian Foreign Minister") == "russian_official"
    assert speaker_group("Anton Lavrov", "military analyst") == "analyst_expert"
    assert speaker_group("Lavrov") == "russian_official"
    assert speaker_group("Poroshenko") == "ukrainian_official"
    assert speaker_group("Vasiliy Nikitin", "separatist spokesman") == "separatist"
    assert speaker_group("Kremlin") == "russian_official"
    assert speaker_group("Jane Doe") == "other"
    assert speaker_group("") == ""


def test_groups_lexicon_loads_with_definitions():
    lex = load_lexicon("speaker_groups")
    assert set(lex["groups"]) == {"western_official", "russian_official", "ukrainian_official",
                                  "separatist", "analyst_expert", "media", "other"}
    assert all(g["definition"].strip() for g in lex["groups"].values())
    assert set(lex["order"]) == set(lex["groups"])


def test_custom_groups_file(tmp_path):
    path = tmp_path / "my_groups.yaml"
    path.write_text(
        "name: my_groups\nversion: '1'\nsource: test\nlicence: CC0-1.0\ndescription: test\n"
        "order: [club, other]\ndefault: other\ngroups:\n"
        "  club:\n    definition: football clubs\n    patterns: ['\\bcoach\\b']\n    names: []\n"
        "  other:\n    definition: everyone else\n    patterns: []\n    names: []\n",
        encoding="utf-8")
    arts = pd.DataFrame({"doc_id": ["d"], "text": ['"We lost," said coach Mike Ramsey.']})
    q = attribute_speakers(arts, find_quotes(arts), groups=str(path))
    assert q.speaker_group.iloc[0] == "club"


# --- seeds ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_speakers(articles):
    return attribute_speakers(articles, find_quotes(articles))


SEED_SPEAKERS = [
    ("latimes", "planned spring exercises", "Vladimir Putin", "russian_official"),
    ("latimes", "I think it's the third", "Anders Fogh Rasmussen", "western_official"),
    ("latimes", "I strongly regret", "Anders Fogh Rasmussen", "western_official"),
    ("latimes", "alarming deterioration", "United Nations human rights observers", "other"),
    ("castanet", "planned spring drills", "Kremlin", "russian_official"),
    ("castanet", "not seen any evidence", "Anders Fogh Rasmussen", "western_official"),
    ("reuters", "Unfortunately I have to say", "Anders Fogh Rasmussen", "western_official"),
    ("reuters", "We have seen no indication", "John Kirby", "western_official"),
    ("reuters", "Now I think it's the third", "Anders Fogh Rasmussen", "western_official"),
    ("reuters", "substantial rethink", "Sergei Lavrov", "russian_official"),
    ("reuters", "places of permanent deployment", "Kremlin", "russian_official"),
    ("reuters", "Before, we would see", "Oleh Slobodyan", "ukrainian_official"),
    ("reuters", "smokescreen", "Sergei Lavrov", "russian_official"),
    ("commondreams", "As the planned spring stage", "Kremlin", "russian_official"),
    ("commondreams", "immediate halt", "Russian government", "russian_official"),
    ("commondreams", "test", "Russian defense experts", "analyst_expert"),
    ("commondreams", "If they actually go back", "Anton Lavrov", "analyst_expert"),
    ("cnn", "As you know", "Jay Carney", "western_official"),
    ("cnn", "be the first", "Anders Fogh Rasmussen", "western_official"),
    ("cnn", "I think it's the third", "Anders Fogh Rasmussen", "western_official"),
    ("cnn", "We urge the armed", "Anders Fogh Rasmussen", "western_official"),
    ("cnn", "Russia should demonstrate", "Anders Fogh Rasmussen", "western_official"),
    ("cnn", "regular exercises", "Vladimir Putin", "russian_official"),
    ("cnn", "The fact is", "senior U.S. administration official", "western_official"),
    ("cnn", "As you'll recall", "senior U.S. administration official", "western_official"),
    ("cnn", "Such punitive action", "Russian Foreign Ministry", "russian_official"),
]


@pytest.mark.parametrize("doc_id, opening, speaker, group", SEED_SPEAKERS)
def test_seed_speakers(seed_speakers, doc_id, opening, speaker, group):
    row = seed_speakers[(seed_speakers.doc_id == doc_id) &
                        seed_speakers.text.str.startswith(opening)]
    assert len(row) == 1
    assert (row.speaker.iloc[0], row.speaker_group.iloc[0]) == (speaker, group)


def test_seed_pronoun_resolution_cnn(articles, seed_speakers):
    row = seed_speakers[(seed_speakers.doc_id == "cnn") &
                        seed_speakers.text.str.startswith("I think it's the third")].iloc[0]
    assert row.speaker_mention == "he" and row.cue == "said"
    text = articles.set_index("doc_id").loc["cnn", "text"]
    assert text[row.speaker_start:row.speaker_end] == "he"
    assert text[row.cue_start:row.cue_end] == "said"


def test_seed_institutional_speakers(articles, seed_speakers):
    text = articles.set_index("doc_id").loc["cnn", "text"]
    row = seed_speakers[(seed_speakers.doc_id == "cnn") &
                        seed_speakers.text.str.startswith("Such punitive")].iloc[0]
    assert text[row.speaker_start:row.speaker_end] == "a ministry statement"
    cd = seed_speakers[(seed_speakers.doc_id == "commondreams") &
                       seed_speakers.text.str.startswith("As the planned")].iloc[0]
    assert (cd.speaker, cd.cue, cd.speaker_mention) == ("Kremlin", "announced", "the Kremlin")


def test_scare_rows_have_no_speaker(seed_speakers):
    assert (seed_speakers.loc[seed_speakers.kind == "scare", "speaker"] == "").all()


def test_attribute_schema(seed_speakers):
    for c in ("speaker_start", "speaker_end", "speaker_mention", "cue_start", "cue_end"):
        assert c in seed_speakers.columns
    assert list(seed_speakers.columns[:13]) == list(find_quotes(
        pd.DataFrame({"doc_id": ["x"], "text": ['"a b c d e," he said.']})).columns)
    assert isinstance(seed_speakers.index, pd.RangeIndex)


# --- reported speech without quotes -------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_attributions(articles):
    return attributions(articles, sentences(articles))


@pytest.mark.parametrize("doc_id, content_start, speaker, group, cue", [
    ("castanet", "they saw no sign of a pullout", "U.S. and NATO", "western_official", "said"),
    ("reuters", "Putin had ordered troops", "Kremlin", "russian_official", "said"),
    ("cnn", "Anti-terrorism operations that started", "Valentyn Nalyvaichenko",
     "ukrainian_official", "said"),
    ("cnn", "The withdrawal has started", "Dmitry Peskov", "russian_official", "said"),
])
def test_seed_attributions(articles, seed_attributions, doc_id, content_start, speaker, group, cue):
    text = articles.set_index("doc_id").loc[doc_id, "text"]
    rows = seed_attributions[seed_attributions.doc_id == doc_id]
    hit = [r for r in rows.itertuples() if text[r.start:r.end].startswith(content_start)]
    assert hit, f"no attribution starting {content_start!r}"
    r = hit[0]
    assert (r.speaker, r.speaker_group, r.cue) == (speaker, group, cue)
    assert text[r.cue_start:r.cue_end] == cue


def test_attributions_schema(seed_attributions):
    assert list(seed_attributions.columns[:9]) == ["doc_id", "sent_id", "start", "end", "speaker",
                                                   "speaker_group", "cue", "cue_start", "cue_end"]
    assert isinstance(seed_attributions.index, pd.RangeIndex)


def test_attributions_reuse_the_articles_of_attribute_speakers(articles, seed_attributions):
    quotes = attribute_speakers(articles, find_quotes(articles))
    assert len(speakers_module._handoff) == len(articles)
    reused = attributions(articles, sentences(articles), quotes=quotes)
    assert speakers_module._handoff == {}  # taken by the call: nothing is kept
    pd.testing.assert_frame_equal(reused, seed_attributions, check_exact=True)
    again = attributions(articles, sentences(articles), quotes=quotes)
    pd.testing.assert_frame_equal(again, seed_attributions, check_exact=True)


def test_handoff_is_capped(monkeypatch, articles):
    monkeypatch.setattr(speakers_module, "_HANDOFF_MAX", 2)
    attribute_speakers(articles, find_quotes(articles))
    assert len(speakers_module._handoff) == 2
    speakers_module._handoff.clear()


# --- benchmark ------------------------------------------------------------------------------------
def test_gold_file_covers_seeds_and_synthetic():
    gold = [json.loads(line) for line in
            (ROOT / "tests" / "data" / "quotes_gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(g["id"].startswith("synthetic:") for g in gold) >= 15
    for g in gold:
        for q in g["quotes"]:
            assert g["text"][q["start"]:q["end"]] == q["text"] and q["speaker"]


def test_eval_script_runs_and_meets_target():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "quotes_eval.py")],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    scores = dict(line.split() for line in out.strip().splitlines())
    assert float(scores["lenient_f1"]) >= 0.9
    assert float(scores["speaker_accuracy"]) >= 0.9
