"""Coverage: anchors, hand-made events, units pinned on the seed corpus, multi-event, scaling."""
import random
import re

import numpy as np
import pandas as pd
import pytest

import importlib
from analysis import coverage, coverage_matrix, load_corpus, omissions, sentences
from analysis.coverage import COVERAGE_COLUMNS, sentence_anchors

cov_mod = importlib.import_module("analysis.coverage")
cc_mod = importlib.import_module("analysis.coverage_cluster")


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
    real = cc_mod.cluster

    def counting(*a, **k):
        labels, pairs, n_scored = real(*a, **k)
        calls["n"] += n_scored
        return labels, pairs, n_scored

    monkeypatch.setattr(cc_mod, "cluster", counting)
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
        assert calls["n"] > 10 * n                      # the count is the clustering's work
        counts.append(calls["n"])
    assert counts[1] < 2.6 * counts[0], counts


def test_candidates_are_the_units_sharing_most_keys():
    """The compiled index ranks units by the number of keys they share, ties by lowest id."""
    rng = random.Random(0)
    counts, touched = np.zeros(100, dtype=np.int64), np.zeros(100, dtype=np.int64)
    for _ in range(300):
        n_units = rng.randint(0, 60)
        rows = [rng.sample(range(12), rng.randint(1, 6)) for _ in range(n_units)]
        query = rng.sample(range(12), rng.randint(1, 8))
        rows.append(query)
        top_ptr = np.cumsum([0] + [len(r) for r in rows]).astype(np.int64)
        top_key = np.array([k for r in rows for k in r], dtype=np.int64)
        st = cc_mod._state(100, 12, 0, 0, len(top_key))
        for cid in range(n_units):
            cc_mod._index(st, cid, top_ptr, top_key, cid)
        hits = {c: len(set(r) & set(query)) for c, r in enumerate(rows[:-1]) if set(r) & set(query)}
        for limit in (-1, 0, 1, 3, 8):
            want = sorted(hits)
            if limit >= 0 and len(hits) > limit:
                want = sorted(sorted(hits, key=lambda c: (-hits[c], c))[:limit])
            got = cc_mod._candidates(st, counts, touched, top_ptr, top_key, n_units, limit)
            assert got.tolist() == want
            assert not counts.any()


# The pure-Python clustering that analysis.coverage_cluster replaced: the compiled code must give
# the same units, to the bit, so this is kept as the reference.

def _hit_levels(masks):
    levels = []
    for m in masks:
        carry = m
        for k, level in enumerate(levels):
            if not carry:
                break
            levels[k] = level | carry
            carry &= level
        else:
            if carry:
                levels.append(carry)
    return levels


def _bits(mask, n=None):
    out = []
    while mask and (n is None or len(out) < n):
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class _ReferenceUnits(cov_mod._Clusters):
    """``coverage._Clusters`` with the bit-mask index and the removal the clustering needs."""

    def __init__(self, min_shared=1):
        super().__init__(min_shared)
        self.index = {}

    def new(self, vec, doc, keys, n2):
        cid = super().new(vec, doc, n2)
        self._index(cid, keys)
        return cid

    def add(self, cid, vec, doc, keys, n2):
        super().add(cid, vec, doc, n2)
        self._index(cid, keys)

    def _index(self, cid, keys):
        for a in keys:
            self.index[a] = self.index.get(a, 0) | (1 << cid)

    def remove(self, cid, vec, doc, n2):
        c = self.cen[cid]
        self.norm2[cid] += -2 * sum(w * c.get(a, 0.0) for a, w in vec.items()) + n2
        for a, w in vec.items():
            c[a] -= w
        part = self.parts[cid][doc]
        for a, w in vec.items():
            part[a] -= w
        if all(abs(w) < 1e-9 for w in part.values()):
            del self.parts[cid][doc]
        if not self.parts[cid]:
            self.cen[cid], self.norm2[cid] = {}, 0.0

    def candidates(self, keys, limit=None):
        levels = _hit_levels([self.index.get(a, 0) for a in keys])
        if not levels:
            return []
        if limit is None or levels[0].bit_count() <= limit:
            return _bits(levels[0])
        floor = 0
        while floor + 1 < len(levels) and levels[floor + 1].bit_count() >= limit:
            floor += 1
        above = levels[floor + 1] if floor + 1 < len(levels) else 0
        take = _bits(above)
        return sorted(take + _bits(levels[floor] & ~above, limit - len(take)))


def _reference_cluster(vecs, docs, norms, tops, min_score, same_score, secondary_score,
                       max_candidates, min_shared):
    def best_of(cl, i):
        best, best_s = -1, 0.0
        for cid in cl.candidates(tops[i], max_candidates):
            other, same = cl.score(cid, vecs[i], norms[i], docs[i], min_score)
            if other is None:
                good, s = same is not None and same >= same_score, same or 0.0
            else:
                good, s = other >= min_score and (same is None or same >= same_score), other
            if good and s > best_s:
                best, best_s = cid, s
        return best

    cl = _ReferenceUnits(min_shared)
    labels = []
    for i in range(len(vecs)):
        b = best_of(cl, i)
        if b < 0:
            b = cl.new(vecs[i], docs[i], tops[i], norms[i])
        else:
            cl.add(b, vecs[i], docs[i], tops[i], norms[i])
        labels.append(b)
    for i in range(len(vecs)):
        cl.remove(labels[i], vecs[i], docs[i], norms[i])
        b = best_of(cl, i)
        if b < 0 and cl.parts[labels[i]]:
            labels[i] = cl.new(vecs[i], docs[i], tops[i], norms[i])
        else:
            b = labels[i] if b < 0 else b
            cl.add(b, vecs[i], docs[i], tops[i], norms[i])
            labels[i] = b
    fin, remap = _ReferenceUnits(min_shared), {}
    for i, lab in enumerate(labels):
        if lab not in remap:
            remap[lab] = fin.new(vecs[i], docs[i], tops[i], norms[i])
        else:
            fin.add(remap[lab], vecs[i], docs[i], tops[i], norms[i])
    labels = [remap[lab] for lab in labels]
    pairs = []
    for i in range(len(vecs)):
        for cid in fin.candidates(tops[i], max_candidates):
            if cid == labels[i] or docs[i] in fin.parts[cid]:
                continue
            other, _ = fin.score(cid, vecs[i], norms[i], docs[i])
            if other is not None and other >= secondary_score:
                pairs.append((cid, i))
    return labels, pairs


def _random_event(rng, n_sentences, n_docs, n_anchors):
    """Anchor vectors shaped like an event's: fixed weight per anchor (kind x IDF), frequent
    and rare anchors (Zipf), sentences in article order."""
    weight = {f"a{k}": rng.choice([1.0, 2.0, 3.0]) * rng.uniform(0.2, 5.0) for k in range(n_anchors)}
    names = list(weight)
    zipf = [1 / (k + 1) for k in range(n_anchors)]
    docs = sorted(f"d{rng.randrange(n_docs):03d}" for _ in range(n_sentences))
    vecs = []
    for _ in range(n_sentences):
        picked = dict.fromkeys(rng.choices(names, weights=zipf, k=rng.randint(0, 12)))
        vecs.append({a: weight[a] for a in picked})
    return vecs, docs


@pytest.mark.parametrize("settings", [
    dict(min_score=0.3, same_score=0.45, secondary_score=0.45, max_candidates=8, min_shared=2),
    dict(min_score=0.2, same_score=0.3, secondary_score=0.3, max_candidates=2, min_shared=1),
    dict(min_score=0.5, same_score=0.6, secondary_score=2.0, max_candidates=None, min_shared=3),
    dict(min_score=0.1, same_score=0.0, secondary_score=0.1, max_candidates=0, min_shared=0),
])
def test_compiled_clustering_is_the_python_clustering(settings):
    """Same labels and secondary presence as the reference on random events, exactly: every
    float operation is the same, in the same order."""
    rng = random.Random(1)
    merged = 0
    for trial in range(25):
        vecs, docs = _random_event(rng, rng.randint(0, 250), rng.randint(1, 30),
                                   rng.randint(5, 120))
        norms = [sum(w * w for w in v.values()) for v in vecs]
        tops = [cov_mod._heaviest(v, 8) for v in vecs]
        want = _reference_cluster(vecs, docs, norms, tops, **settings)
        labels, pairs, n_scored = cc_mod.cluster(vecs, docs, norms, tops, **settings)
        assert (labels, pairs) == want, trial
        merged += len(set(labels)) < len(labels)
    # units of several sentences were formed (none can be with no candidates at all)
    assert merged > 5 if settings["max_candidates"] != 0 else merged == 0
