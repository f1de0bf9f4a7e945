"""Contested terminology: lexicon validation, pattern syntax, matching rules, seed-corpus values."""
from __future__ import annotations

import textwrap

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import LexiconError
from analysis.lexicon import load_lexicon
from analysis.quotes import find_quotes
from analysis.segment import sentences as split_sentences
from analysis.terms import (TERM_COLUMNS, compile_pattern, find_terms, load_terms, match_terms,
                            variant_shares)

LEX = load_terms()


def hits(text, lexicon=LEX):
    return [(m["surface"], m["concept"], m["variant"]) for m in match_terms(text, lexicon)]


# --------------------------------------------------------------------------------------------
# The bundled lexicon
# --------------------------------------------------------------------------------------------
def test_bundled_lexicon_header_and_coverage():
    assert LEX.name == "terms_ukraine_2014"
    assert LEX.version == "1.0.0"
    assert LEX.licence and LEX.source and LEX.description
    concepts = {c.id for c in LEX.concepts}
    assert {"military_operation", "armed_groups", "capital_spelling", "crimea_status",
            "yanukovych_removal", "kyiv_government", "referendums", "troop_movement",
            "yanukovych_spelling"} <= concepts
    for v in LEX.variants:
        assert v.framing in LEX.framings
        assert v.source or v.rationale
    table = LEX.table()
    assert list(table.columns) == ["concept", "variant", "framing", "pattern", "source", "rationale"]
    assert len(table) == sum(len(v.patterns) for v in LEX.variants)


def test_template_lexicon_loads():
    lex = load_terms("terms_TEMPLATE")
    assert lex.version == "0.1.0"
    assert hits("The city council voted for the bypass.", lex)


# --------------------------------------------------------------------------------------------
# Pattern syntax
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["anti-terrorism operation", "anti-terrorism operations",
                                  "antiterrorism operation", "anti terrorism operation",
                                  "anti-terror operation", "Anti-Terrorist Operation",
                                  "anti\u2011terrorism operations", "anti-terrorism\noperation",
                                  "ANTI-TERRORISM   OPERATIONS"])
def test_ato_spelling_variants(text):
    assert hits(f"Kiev's {text} went on.")[1:] == [(text, "military_operation", "ato")]


def test_braces_brackets_and_wildcard():
    rx = compile_pattern("referend{um|ums|a}")
    assert [bool(rx.fullmatch(w)) for w in ("referendum", "referenda", "referendums", "referend")] \
        == [True, True, True, False]
    opt = compile_pattern("operation{s}")
    assert opt.fullmatch("operations") and opt.fullmatch("operation")
    br = compile_pattern("[central] government in K{iev|yiv}")
    assert br.fullmatch("central government in Kyiv") and br.fullmatch("government in Kiev")
    wild = compile_pattern("annexed * Crimea")
    assert wild.fullmatch("annexed Ukraine's Crimea") and not wild.fullmatch("annexed Crimea")


def test_acronym_in_capitals_is_case_sensitive():
    assert hits("The ATO continued.") == [("ATO", "military_operation", "ato")]
    assert hits("Ato continued; a tomato.") == []


def test_word_boundaries():
    assert hits("Kievan Rus was a medieval state.") == []
    assert hits("the separatists' anti-Kiev agenda") == [
        ("separatists", "armed_groups", "separatists"), ("Kiev", "capital_spelling", "kiev")]
    assert hits("Kiev's streets") == [("Kiev", "capital_spelling", "kiev")]
    assert hits("a populist rebellion in rebellious regions") == []   # not "rebels"
    assert hits("counter-terrorism and terrorism") == []              # not "terrorists"


def test_longest_match_wins_within_concept():
    assert hits("pro-Russian separatists seized it") == [
        ("pro-Russian separatists", "armed_groups", "pro_russian_separatists")]
    assert hits("pro-Russia separatists") == [
        ("pro-Russia separatists", "armed_groups", "pro_russian_separatists")]
    assert hits("the central government in Kyiv said") == [
        ("central government in Kyiv", "kyiv_government", "government_in_capital"),
        ("Kyiv", "capital_spelling", "kyiv")]
    assert hits("a sham referendum") == [("sham referendum", "referendums", "sham")]


def test_concepts_may_overlap_each_other():
    assert hits("the Kiev authorities") == [("Kiev", "capital_spelling", "kiev"),
                                             ("Kiev authorities", "kyiv_government",
                                              "capital_authorities")]


@pytest.mark.parametrize("text", ["She ordered Chicken Kiev.", "chicken Kyiv again",
                                  "Dynamo Kyiv won", "Dynamo Kiev lost", "Kyiv Post reported",
                                  "the Kiev Rus chronicle", "Kyiv-Mohyla Academy"])
def test_exclusions_suppress_the_capital(text):
    assert [h for h in hits(text) if h[1] == "capital_spelling"] == []


def test_exclusion_does_not_suppress_nearby_match():
    assert hits("Chicken Kiev is served in Kiev.") == [("Kiev", "capital_spelling", "kiev")]


def test_context_window_for_crimea():
    assert hits("Russia's annexation of Crimea") == [
        ("annexation", "crimea_status", "annexation")]
    assert hits("Russia's invasion and annexation of the Crimean peninsula") == [
        ("invasion", "crimea_status", "invasion"), ("annexation", "crimea_status", "annexation")]
    # the context must be in the same sentence
    assert hits("No response on the annexation appeals. Unlike in Crimea, most agree.") == []
    assert hits("Separatists appealed to Russia to also annex their territory.") == [
        ("Separatists", "armed_groups", "separatists")]
    assert hits("fears of an invasion ahead of the election") == []


def test_coup_needs_no_context_but_ousted_does():
    assert hits("after the February coup") == [("coup", "yanukovych_removal", "coup")]
    assert hits("the ousted president") == [("ousted", "yanukovych_removal", "ousted")]
    assert hits("the team ousted its coach") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Kiev", "Kyiv", "pro-Russian", "separatists", "anti-terrorism",
                                 "operation", "Chicken", "authorities", "the", "rebels", ",", ".",
                                 "\n", "\n\n", "punitive", "action", "annexed", "Crimea", '"']),
                min_size=0, max_size=25),
       st.sampled_from([" ", "", "  ", "\n"]))
def test_offsets_and_no_overlap_within_concept(pieces, sep):
    text = sep.join(pieces)
    ms = match_terms(text, LEX)
    for m in ms:
        assert text[m["start"]:m["end"]] == m["surface"]
    by_concept = {}
    for m in ms:
        by_concept.setdefault(m["concept"], []).append((m["start"], m["end"]))
    for spans in by_concept.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert [m["start"] for m in ms] == sorted(m["start"] for m in ms)


# --------------------------------------------------------------------------------------------
# Malformed lexicons: the error names the file and the entry
# --------------------------------------------------------------------------------------------
GOOD = """\
name: terms_x
version: "0.0.1"
source: test
licence: CC0-1.0
description: test lexicon
framings:
  a: "Framing A."
  b: "Framing B."
concepts:
  - id: capital
    description: "The capital."
    variants:
      - id: kyiv
        framing: a
        patterns: ["Kyiv"]
        source: "somewhere"
      - id: kiev
        framing: b
        patterns: ["Kiev"]
        rationale: "judgement"
"""


def write(tmp_path, text, name="terms_x.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_good_tmp_lexicon_loads(tmp_path):
    lex = load_terms(write(tmp_path, GOOD))
    assert hits("Kyiv, not Kiev", lex) == [("Kyiv", "capital", "kyiv"), ("Kiev", "capital", "kiev")]


@pytest.mark.parametrize("old,new,expected", [
    ("framing: a\n", "framing: foo\n",
     "concept 'capital', variant 'kyiv': 'framing' 'foo' not declared in framings (declared: a, b)"),
    ('        source: "somewhere"\n', "", "concept 'capital', variant 'kyiv': needs a 'source'"),
    ('patterns: ["Kyiv"]', 'pattern: ["Kyiv"]', "variant 'kyiv': unknown key(s) 'pattern'"),
    ('patterns: ["Kyiv"]', 'patterns: "Kyiv"', "variant 'kyiv': 'patterns' must be a YAML list"),
    ('patterns: ["Kyiv"]', 'patterns: ["Ky{iv"]', "variant 'kyiv': pattern 'Ky{iv': '{' is never"),
    ('patterns: ["Kyiv"]', 'patterns: ["Ky(iv)"]', "not part of the pattern syntax"),
    ('patterns: ["Kyiv"]', 'patterns: ["Kiev"]',
     "variant 'kiev': pattern 'Kiev' also listed under variant 'kyiv'"),
    ("id: kiev", "id: kyiv", "concept 'capital', variant 'kyiv': duplicate variant id"),
    ("id: kiev", "id: Kiev", "variant 'Kiev': 'id' must be lower_snake_case"),
    ('    description: "The capital."\n', "", "concept 'capital': 'description' missing"),
    ("  b: \"Framing B.\"\n", "  b: \"\"\n", "framing 'b': needs a one-line definition"),
    ("concepts:", "concept:", "unknown top-level key(s) 'concept'"),
    ("    description: \"The capital.\"\n", "    description: \"The capital.\"\n    context_window: 0\n",
     "concept 'capital': 'context_window' must be a positive whole number"),
])
def test_malformed_lexicon_names_file_and_entry(tmp_path, old, new, expected):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(LexiconError) as err:
        load_terms(path)
    msg = str(err.value)
    assert "terms_x.yaml" in msg
    assert expected in msg


def test_malformed_header_and_yaml(tmp_path):
    with pytest.raises(LexiconError, match=r"terms_x\.yaml: header field\(s\) licence"):
        load_terms(write(tmp_path, GOOD.replace("licence: CC0-1.0\n", "")))
    with pytest.raises(LexiconError, match=r"terms_y\.yaml, line \d+: not valid YAML"):
        load_terms(write(tmp_path, GOOD.replace("  - id: capital", "  - id: [capital"),
                         "terms_y.yaml"))
    with pytest.raises(LexiconError, match="'concepts' must be a non-empty YAML list"):
        load_terms(write(tmp_path, GOOD.split("concepts:")[0] + "concepts: {}\n", "terms_z.yaml"))


# --------------------------------------------------------------------------------------------
# The seed corpus: pinned values
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed(articles):
    sents = split_sentences(articles)
    quotes = find_quotes(articles)
    return find_terms(articles, sents, quotes)


# (doc_id, surface, nth occurrence of that surface in the article, concept, variant, voice)
PINNED = [
    # CNN: the SBU head's paraphrased claim is reported speech, not CNN's own voice
    ("cnn", "Anti-terrorism operations", 0, "military_operation", "ato", "own"),  # ", said X." tag
    ("cnn", "punitive action", 0, "military_operation", "punitive", "quoted"),
    ("cnn", "Kiev authorities", 0, "kyiv_government", "capital_authorities", "quoted"),
    ("cnn", "Kiev", 0, "capital_spelling", "kiev", "own"),
    ("cnn", "pro-Russian separatist", 0, "armed_groups", "pro_russian_separatists", "quoted"),
    ("cnn", "Russian separatists", 0, "armed_groups", "pro_russian_separatists", "own"),
    ("cnn", "takeover", 0, "crimea_status", "takeover", "own"),
    ("cnn", "people's republic", 0, "separatist_entities", "peoples_republic", "scare"),
    ("cnn", "separatists", 0, "armed_groups", "separatists", "attributed"),
    ("cnn", "returning to their permanent bases", 0, "troop_movement", "return_to_bases",
     "attributed"),
    # LA Times
    ("latimes", "anti-terrorism operation", 0, "military_operation", "ato", "scare"),
    ("latimes", "interim government", 0, "kyiv_government", "interim_government", "own"),
    ("latimes", "pro-Russia separatists", 0, "armed_groups", "pro_russian_separatists", "own"),
    ("latimes", "Yanukovich", 0, "yanukovych_spelling", "yanukovich", "own"),
    ("latimes", "fled", 0, "yanukovych_removal", "fled", "own"),
    ("latimes", "Kiev", 1, "capital_spelling", "kiev", "own"),           # inside "anti-Kiev"
    ("latimes", "invasion", 0, "crimea_status", "invasion", "own"),
    ("latimes", "secession referendums", 0, "referendums", "independence_referendum", "own"),
    ("latimes", "central government in Kiev", 0, "kyiv_government", "government_in_capital", "own"),
    ("latimes", "withdrawn", 0, "troop_movement", "withdrawal", "attributed"),
    ("latimes", "pull back", 0, "troop_movement", "pullback", "own"),
    # Castanet
    ("castanet", "Kyiv", 0, "capital_spelling", "kyiv", "own"),
    ("castanet", "Kyiv", 1, "capital_spelling", "kyiv", "own"),
    ("castanet", "government in Kyiv", 0, "kyiv_government", "government_in_capital", "own"),
    ("castanet", "Yanukovych", 0, "yanukovych_spelling", "yanukovych", "own"),
    ("castanet", "ousted", 0, "yanukovych_removal", "ousted", "own"),
    ("castanet", "annexation", 0, "crimea_status", "annexation", "own"),
    ("castanet", "pulled out", 0, "troop_movement", "pullout", "own"),
    ("castanet", "pull back", 0, "troop_movement", "pullback", "own"),   # tag: ", the Kremlin said."
    # Reuters
    ("reuters", "punitive operation", 0, "military_operation", "punitive", "scare"),
    ("reuters", "military operation", 0, "military_operation", "military_operation", "own"),
    ("reuters", "pro-Russian separatists", 0, "armed_groups", "pro_russian_separatists", "own"),
    ("reuters", "supporters of federalisation", 0, "armed_groups", "federalisation_supporters",
     "scare"),
    ("reuters", "rebels", 0, "armed_groups", "rebels", "attributed"),   # Kiev ... fear they ...
    ("reuters", "rebels", 1, "armed_groups", "rebels", "own"),
    ("reuters", "annexed", 0, "crimea_status", "annexation", "own"),
    ("reuters", "toppled", 0, "yanukovych_removal", "toppled", "own"),
    ("reuters", "vote on independence", 0, "referendums", "independence_referendum", "own"),
    ("reuters", "pro-Western government", 0, "kyiv_government", "pro_western_government",
     "attributed"),
    ("reuters", "places of permanent deployment", 0, "troop_movement", "permanent_deployment",
     "scare"),
    ("reuters", "central authorities", 0, "kyiv_government", "ukrainian_government", "attributed"),
    # Common Dreams
    ("commondreams", "punitive operations", 0, "military_operation", "punitive", "quoted"),
    ("commondreams", "military operations", 0, "military_operation", "military_operation", "own"),
    ("commondreams", "terrorists", 0, "armed_groups", "terrorists", "scare"),
    ("commondreams", "overthrow", 0, "yanukovych_removal", "overthrow", "own"),
    ("commondreams", "interim government", 0, "kyiv_government", "interim_government", "own"),
    ("commondreams", "Kiev government", 0, "kyiv_government", "government_in_capital", "own"),
    ("commondreams", "back to home base", 0, "troop_movement", "return_to_bases", "quoted"),
]


@pytest.mark.parametrize("doc_id,surface,nth,concept,variant,voice", PINNED,
                         ids=[f"{p[0]}-{p[1]}-{p[2]}" for p in PINNED])
def test_seed_pinned_occurrences(seed, articles, doc_id, surface, nth, concept, variant, voice):
    rows = seed[(seed["doc_id"] == doc_id) & (seed["surface"] == surface)
                & (seed["concept"] == concept)]
    assert len(rows) > nth, f"{surface!r} not found {nth + 1} time(s) in {doc_id}"
    row = rows.iloc[nth]
    text = articles.set_index("doc_id").loc[doc_id, "text"]
    assert text[row["start"]:row["end"]] == surface
    assert (row["variant"], row["voice"]) == (variant, voice)


def test_seed_ato_own_voice_in_cnn_scare_quoted_in_latimes(seed):
    """CNN narrates "Anti-terrorism operations" (post-posed tag), the LA Times scare-quotes it."""
    ato = seed[seed["variant"] == "ato"]
    assert sorted(zip(ato["doc_id"], ato["surface"], ato["voice"])) == [
        ("cnn", "Anti-terrorism operations", "own"), ("latimes", "anti-terrorism operation", "scare")]


def test_seed_capital_spelling_by_outlet(seed):
    cap = seed[seed["concept"] == "capital_spelling"]
    assert set(cap[cap["doc_id"] == "castanet"]["variant"]) == {"kyiv"}
    for doc in ("latimes", "reuters", "commondreams", "cnn"):
        assert set(cap[cap["doc_id"] == doc]["variant"]) == {"kiev"}
    assert cap.groupby("doc_id").size().to_dict() == {
        "castanet": 2, "cnn": 2, "commondreams": 4, "latimes": 2, "reuters": 6}


def test_find_terms_schema(seed, articles):
    assert list(seed.columns[:9]) == TERM_COLUMNS
    assert seed["voice"].isin(["own", "quoted", "scare", "attributed"]).all()
    assert seed["sent_id"].notna().all()
    assert str(seed["start"].dtype) == "int64" and str(seed["end"].dtype) == "int64"
    assert seed.equals(seed.sort_values(["doc_id", "start"], kind="stable")
                       .reset_index(drop=True))
    assert isinstance(seed.index, pd.RangeIndex)
    texts = dict(zip(articles["doc_id"], articles["text"]))
    assert all(texts[d][s:e] == surf for d, s, e, surf in
               zip(seed["doc_id"], seed["start"], seed["end"], seed["surface"]))
    assert len(seed) == 119


def test_find_terms_empty_and_missing_columns(articles):
    empty = find_terms(articles.assign(text=""), split_sentences(articles.assign(text="")),
                       find_quotes(articles.assign(text="")))
    assert list(empty.columns[:9]) == TERM_COLUMNS and len(empty) == 0
    with pytest.raises(ValueError, match="articles needs column"):
        find_terms(articles.drop(columns="text"))


def test_variant_shares_seed(seed, articles):
    shares = variant_shares(seed, articles, lexicon=LEX)
    assert list(shares.columns) == ["event", "outlet", "concept", "variant", "framing", "n",
                                    "share", "n_own", "share_own", "n_unquoted", "share_unquoted"]
    cap = shares[shares["concept"] == "capital_spelling"].set_index(["outlet", "variant"])
    assert cap.loc[("Castanet", "kyiv"), "share"] == 1.0
    assert cap.loc[("Castanet", "kiev"), "n"] == 0           # zero rows are rows, not gaps
    assert cap.loc[("Reuters", "kiev"), "n"] == 6
    assert cap.loc[("Reuters", "kiev"), "n_own"] == 4      # 2 more are attributed
    op = shares[shares["concept"] == "military_operation"].set_index(["outlet", "variant"])
    # Reuters: one scare-quoted punitive, one own-voice "military operation"
    assert op.loc[("Reuters", "punitive"), "share"] == 0.5
    assert op.loc[("Reuters", "punitive"), "share_own"] == 0.0
    assert op.loc[("Reuters", "military_operation"), "share_own"] == 1.0
    # CNN: the ATO mention is in CNN's own voice (clause with a post-posed attribution tag)
    assert op.loc[("CNN", "ato"), "share_own"] == 1.0
    assert op.loc[("CNN", "ato"), "share_unquoted"] == 1.0
    # the LA Times uses the label only inside quotation marks: no own-voice or unquoted use
    assert op.loc[("Los Angeles Times", "ato"), "n"] == 1
    assert op.loc[("Los Angeles Times", "ato"), "n_own"] == 0
    # shares sum to 1 within outlet x concept wherever there are matches
    sums = shares.groupby(["event", "outlet", "concept"])["share"].sum()
    assert ((sums.round(12) == 1.0) | (sums == 0)).all()
    # without a lexicon only variants seen in the terms appear
    seen = variant_shares(seed, articles)
    assert set(seen["variant"]) == set(seed["variant"])
