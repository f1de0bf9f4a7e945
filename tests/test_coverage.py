"""Coverage: anchors, hand-made events, units pinned on the seed corpus, multi-event, scaling."""
import random
import re

import pandas as pd
import pytest

import importlib
from analysis import coverage, coverage_matrix, load_corpus, omissions, sentences
from analysis.coverage import COVERAGE_COLUMNS, sentence_anchors

cov_mod = importlib.import_module("analysis.coverage")


@pytest.fixture(scope="module")
def seed(example_path):
    arts = load_corpus(example_path)
    sents = sentences(arts)
    return arts, sents, coverage(arts, sents)


def unit_of(cov, doc, sent):
    """{doc_id: [sent_ids]} of the unit whose members include sentence ``sent`` of ``doc``."""
    rows = cov[(cov["doc_id"] == doc) & cov["present"] & ~cov["secondary"]]
    hit = rows[rows["sent_ids"].str.split(";").apply(lambda ids: str(sent) in ids)]
    assert len(hit) == 1, (doc, sent)
    u = cov[(cov["unit_id"] == hit["unit_id"].iloc[0]) & (cov["event"] == hit["event"].iloc[0])]
    return {r.doc_id: [int(x) for x in r.sent_ids.split(";")] for r in u.itertuples() if r.present}


def _frame(docs, event="ev"):
    arts, sents = [], []
    for doc, outlet, paras in docs:
        arts.append(dict(doc_id=doc, outlet=outlet, event=event, text="\n\n".join(paras)))
        pos = 0
        for i, p in enumerate(paras, 1):
            sents.append(dict(doc_id=doc, para_id=i, sent_id=i, start=pos, end=pos + len(p), text=p))
            pos += len(p) + 2
    return pd.DataFrame(arts), pd.DataFrame(sents)


# --- anchors -----------------------------------------------------------------------------------

def test_anchor_extraction():
    text = ("North Atlantic Treaty Organization officials said NATO Secretary-General Anders Fogh "
            "Rasmussen saw no pullback of the estimated 40,000 Russian soldiers on the 1,000-mile "
            "frontier, the third such claim in two weeks; about 6.5 million people, or 15%, voted "
            "on May 11 while Yanukovich fled.")
    other = "Rasmussen said Russia and Viktor Yanukovych lost 24 servicemen in 24 hours."
    arts, sents = _frame([("a", "A", [text]), ("b", "B", [other])])
    an = sentence_anchors(arts, sents)
    a = dict(zip(an.loc[an["doc_id"] == "a", "anchor"], an.loc[an["doc_id"] == "a", "kind"]))
    b = set(an.loc[an["doc_id"] == "b", "anchor"])
    for key, kind in [("#40000", "number"), ("#1000-mile", "number"), ("#6500000", "number"),
                      ("#15%", "number"), ("#may 11", "number"), ("#3th", "count"),
                      ("#2-week", "count"), ("@nato", "name"), ("@rasmussen", "name"),
                      ("@russia", "name"), ("soldier", "content"), ("pullback", "content")]:
        assert a.get(key) == kind, key
    # titles and first names are dropped; the acronym replaces the spelled-out name
    assert not {"@anders", "@fogh", "@north", "@organization", "@secretary"} & set(a)
    # spelling variants and demonyms are folded; numbers keep what they measure
    assert "@yanukovich" in a and "@yanukovich" in b and "@russia" in b
    assert {"#24", "#24-hour"} <= b
    assert an["weight"].gt(0).all()


# --- hand-made event -----------------------------------------------------------------------------

def test_hand_made_event_units_and_omissions():
    arts, sents = _frame([
        ("a1", "Alpha", ["Officials said 2,593 people have died in the fighting since April.",
                         "The mayor of Donetsk urged residents to stay indoors on Friday."]),
        ("b1", "Beta", ["The United Nations says the conflict has killed 2,593 people since April.",
                        "Exports of grain fell sharply last month, traders said."]),
        ("c1", "Gamma", ["At least 2,593 people have died since fighting began in April, the UN said."]),
    ])
    cov = coverage(arts, sents)
    assert list(cov.columns) == COVERAGE_COLUMNS
    toll = unit_of(cov, "a1", 1)
    assert toll == {"a1": [1], "b1": [1], "c1": [1]}
    assert unit_of(cov, "a1", 2) == {"a1": [2]}
    grain = cov[cov["unit_label"].str.startswith("Exports of grain")]
    assert grain["present"].tolist() == [False, True, False]
    assert grain["only_outlet"].unique().tolist() == ["Beta"]
    assert grain.loc[~grain["present"], "sent_id"].isna().all()
    assert len(cov) == cov["unit_id"].nunique() * 3           # every unit x every article
    om = omissions(cov)
    assert om["finding"].value_counts().to_dict() == {"exclusive": 2}
    assert set(om["outlet"]) == {"Alpha", "Beta"}
    mat = coverage_matrix(cov)
    assert mat.columns.tolist() == ["event", "unit_id", "unit_label", "n_articles_present",
                                    "Alpha", "Beta", "Gamma"]
    assert mat.iloc[0][["Alpha", "Beta", "Gamma"]].tolist() == [True, True, True]


def test_different_numbers_stay_apart():
    arts, sents = _frame([
        ("a1", "Alpha", ["Observers said the fighting had killed at least 127 people in eastern Ukraine."]),
        ("b1", "Beta", ["The operation has killed 24 Ukrainian servicemen in eastern Ukraine so far."]),
    ])
    cov = coverage(arts, sents)
    assert cov["unit_id"].nunique() == 2 and cov["n_articles_present"].eq(1).all()


def test_min_score_and_bad_arguments():
    arts, sents = _frame([("a1", "A", ["The bank raised rates by 0.5 points on Tuesday."]),
                          ("b1", "B", ["On Tuesday the bank raised interest rates by 0.5 points."])])
    assert coverage(arts, sents)["unit_id"].nunique() == 1
    assert coverage(arts, sents, min_score=0.99)["unit_id"].nunique() == 2
    with pytest.raises(ValueError, match="min_score"):
        coverage(arts, sents, min_score=0)
    with pytest.raises(ValueError, match="sentences: missing column"):
        coverage(arts, sents.drop(columns="text"))


# --- seed corpus (doc ids: latimes 000, castanet 001, reuters 002, commondreams 003, cnn 004) ----

def test_seed_schema(seed):
    arts, sents, cov = seed
    assert list(cov.columns) == COVERAGE_COLUMNS
    n_units = cov["unit_id"].nunique()
    assert len(cov) == n_units * len(arts)
    assert cov["unit_id"].min() == 1 and cov["unit_id"].max() == n_units
    assert cov.index.equals(pd.RangeIndex(len(cov)))
    assert cov.loc[cov["present"], "sent_id"].notna().all()
    assert cov.loc[~cov["present"], "sent_id"].isna().all()
    # every sentence is the member of exactly one unit
    prim = cov[cov["present"] & ~cov["secondary"]]
    ids = prim.assign(s=prim["sent_ids"].str.split(";")).explode("s")
    assert len(ids) == len(sents) and not ids.duplicated(["doc_id", "s"]).any()
    pres = cov.groupby("unit_id")["present"].sum()
    assert (cov.set_index("unit_id")["n_articles_present"].groupby(level=0).first() == pres).all()


@pytest.mark.parametrize("anchor_doc, anchor_sent, expected", [
    # Putin ordered the troops back to their bases (the LA Times and Reuters leads, which pack
    # more into the sentence, are not matched: see the known misses)
    ("castanet", 1, {"castanet": [1], "cnn": [2], "commondreams": [2]}),
    # NATO's 40,000 estimate; Reuters says "tens of thousands", Common Dreams gives no figure
    ("castanet", 11, {"castanet": [11], "cnn": [16], "latimes": [4]}),
    # the troops are in the Rostov, Belgorod and Bryansk regions (CNN names no region)
    ("castanet", 6, {"castanet": [6], "commondreams": [4], "latimes": [2], "reuters": [15]}),
    # "I think it's the third Putin statement on withdrawal ..." (Common Dreams' "the third-such
    # announcement" sentence is not matched: see the known misses)
    ("reuters", 12, {"cnn": [8], "latimes": [5], "reuters": [12]}),
    # "I strongly regret that ..." and CNN's different rendering of the same remark
    ("reuters", 13, {"cnn": [9], "latimes": [6], "reuters": [13]}),
    # the separatists' May 11 vote (Reuters' "held a vote on independence" has no date: missed)
    ("latimes", 13, {"commondreams": [9], "latimes": [13]}),
    # border guards saw less Russian activity: Reuters only, stated twice
    ("reuters", 5, {"reuters": [5, 17]}),
    # UN: at least 127 killed (LA Times) and 24 servicemen killed (CNN) are different units
    ("latimes", 8, {"latimes": [8]}),
    ("cnn", 31, {"cnn": [31]}),
    # Lavrov: ties need a "substantial rethink"; talks as a "smokescreen" (Reuters only)
    ("reuters", 14, {"reuters": [14]}),
    ("reuters", 21, {"reuters": [21]}),
    # Putin's order two weeks earlier (the LA Times' "two weeks ago" sentence is missed)
    ("castanet", 7, {"castanet": [7], "cnn": [18]}),
    # Kiev launched an operation against the rebels
    ("reuters", 24, {"commondreams": [10], "reuters": [24]}),
])
def test_seed_units(seed, anchor_doc, anchor_sent, expected):
    assert unit_of(seed[2], anchor_doc, anchor_sent) == expected


def test_seed_unit_details(seed):
    arts, sents, cov = seed
    u40 = cov[cov["anchors"].str.startswith("40,000")]
    assert u40["unit_id"].nunique() == 1
    assert u40.set_index("doc_id")["present"].to_dict() == {
        "castanet": True, "cnn": True, "commondreams": False, "latimes": True, "reuters": False}
    assert u40["score"].notna().sum() == 3 and u40["score"].dropna().between(0.3, 1).all()
    guards = cov[(cov["doc_id"] == "reuters") & cov["sent_ids"].eq("5;17")]
    assert guards["only_outlet"].tolist() == ["Reuters"]
    # the LA Times sentence with the quotation and the Brussels news conference also reports the
    # news-conference unit of Common Dreams and Reuters (a secondary presence)
    conf = unit_of(cov, "commondreams", 6)
    assert conf == {"commondreams": [6], "latimes": [5], "reuters": [7]}
    assert cov[(cov["doc_id"] == "latimes") & (cov["sent_ids"] == "5") & cov["secondary"]].shape[0] == 1


def test_seed_matrix_and_omissions(seed):
    arts, _, cov = seed
    mat = coverage_matrix(cov)
    outlets = ["CNN", "Castanet", "Common Dreams", "Los Angeles Times", "Reuters"]
    assert mat.columns.tolist()[4:] == outlets
    row = mat[mat["unit_id"] == cov.loc[cov["anchors"].str.startswith("40,000"), "unit_id"].iloc[0]]
    assert row[outlets].iloc[0].tolist() == [True, True, False, True, False]
    om = omissions(cov)
    regions = om[om["anchors"].str.contains("Belgorod")]
    assert regions[["outlet", "finding", "n_outlets_present"]].values.tolist() == [["CNN", "omitted", 4]]
    forty = om[om["anchors"].str.startswith("40,000")]
    assert sorted(forty["outlet"]) == ["Common Dreams", "Reuters"]
    assert (om.loc[om["finding"] == "exclusive", "n_outlets_present"] == 1).all()
    assert om[om["anchors"].str.contains("decrease")]["outlet"].tolist() == ["Reuters"]


# --- multi-event fixture -----------------------------------------------------------------------

def test_multi_event_runs_per_event(multi_event_path):
    arts = load_corpus(multi_event_path)
    cov = coverage(arts, sentences(arts))
    ev_of = dict(zip(arts["doc_id"], arts["event"]))
    assert (cov["doc_id"].map(ev_of) == cov["event"]).all()
    for ev, g in cov.groupby("event"):
        n_docs = (arts["event"] == ev).sum()
        assert len(g) == g["unit_id"].nunique() * n_docs
        assert g["unit_id"].min() == 1
    # the UN toll of 2,593 (ceasefire) and the 60 percent turnout (election) are matched ...
    assert unit_of(cov, "hw-ceasefire", 1) == {"cc-ceasefire": [6], "hw-ceasefire": [1]}
    assert unit_of(cov, "hw-election", 2) == {"cc-election-1": [3], "hw-election": [2]}
    # ... while "1,000 troops" in the ceasefire story and "1,000 Russian soldiers" at the summit
    # belong to different events and so to different units
    assert unit_of(cov, "hw-ceasefire", 6) == {"hw-ceasefire": [6]}
    assert unit_of(cov, "hw-summit", 4) == {"hw-summit": [4]}
    om = omissions(cov)
    assert set(om["event"]) <= set(arts["event"])


# --- scaling -----------------------------------------------------------------------------------

def test_work_grows_linearly_with_articles(example_path, monkeypatch):
    """Sentence-unit comparisons for 150 and 300 synthetic articles (seed sentences recombined,
    words substituted): doubling the corpus must not quadruple them."""
    seed_sents = sentences(load_corpus(example_path))["text"].tolist()
    vocab = sorted({w for t in seed_sents for w in re.findall(r"[a-z]{4,}", t)})
    calls = {"n": 0}
    real = cov_mod._Clusters.score

    def counting(self, *a, **k):
        calls["n"] += 1
        return real(self, *a, **k)

    monkeypatch.setattr(cov_mod._Clusters, "score", counting)
    counts = []
    for n in (150, 300):
        rng = random.Random(0)
        rows = []
        for i in range(n):
            out = []
            for t in rng.sample(seed_sents, rng.randint(12, 20)):
                toks = t.split(" ")
                j = rng.randrange(len(toks))
                if re.fullmatch(r"[a-z]+", toks[j]):
                    toks[j] = rng.choice(vocab)
                out.append(" ".join(toks))
            rows.append(dict(doc_id=f"d{i:04d}", outlet=f"o{i % 10}", event="big", text="\n\n".join(out)))
        arts = pd.DataFrame(rows)
        calls["n"] = 0
        cov = coverage(arts, sentences(arts))
        assert cov["unit_id"].nunique() < 300          # recombined facts are recognised
        counts.append(calls["n"])
    assert counts[1] < 2.6 * counts[0], counts


def test_candidates_are_the_units_sharing_most_keys():
    """The bit-mask index ranks units by the number of keys they share, ties by lowest id."""
    rng = random.Random(0)
    for _ in range(300):
        cl = cov_mod._Clusters()
        keys = [f"k{i}" for i in range(12)]
        hits_of = {}
        for cid in range(rng.randint(0, 60)):
            ks = rng.sample(keys, rng.randint(1, 6))
            cl._index(cid, ks)
            hits_of[cid] = set(ks)
        query = rng.sample(keys, rng.randint(1, 8))
        hits = {c: len(ks & set(query)) for c, ks in hits_of.items() if ks & set(query)}
        for limit in (None, 1, 3, 8):
            want = sorted(hits)
            if limit is not None and len(hits) > limit:
                want = sorted(sorted(hits, key=lambda c: (-hits[c], c))[:limit])
            assert cl.candidates(query, limit) == want
