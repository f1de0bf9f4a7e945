"""Shared passages: seed-corpus findings, hand-made near-duplicates, schema, wire rule, scaling."""
import json
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import importlib
from analysis import find_quotes, load_corpus, sentences, shared_passages, shared_summary
from analysis.shared import SHARED_COLUMNS
from analysis.tokens import WORD_RE

shared_mod = importlib.import_module("analysis.shared")
ROOT = Path(__file__).resolve().parents[1]

NATO = "third Putin statement on withdrawal of Russian troops"


@pytest.fixture(scope="module")
def seed(example_path):
    arts = load_corpus(example_path)
    return arts, sentences(arts), find_quotes(arts)


@pytest.fixture(scope="module")
def seed_shared(seed):
    return shared_passages(*seed)


def _passage(sh, needle):
    pids = sh.loc[sh["text"].str.contains(needle, regex=False), "passage_id"].unique()
    assert len(pids) == 1, f"{needle!r} in passages {list(pids)}"
    return sh[sh["passage_id"] == pids[0]].set_index("doc_id")


def _frame(rows, event="ev"):
    """Articles, sentences (one sentence per paragraph) for hand-made tests."""
    arts, sents = [], []
    for doc, outlet, paras, *rest in rows:
        text = "\n\n".join(paras)
        arts.append(dict(doc_id=doc, outlet=outlet, event=rest[0] if rest else event, text=text,
                         wire_agency=rest[1] if len(rest) > 1 else ""))
        pos = 0
        for i, p in enumerate(paras, 1):
            sents.append(dict(doc_id=doc, para_id=i, sent_id=i, start=pos, end=pos + len(p), text=p))
            pos += len(p) + 2
    return pd.DataFrame(arts), pd.DataFrame(sents)


# --- seed corpus -------------------------------------------------------------------------------

def test_nato_quotation_is_one_passage_of_three_outlets(seed, seed_shared):
    arts = seed[0].set_index("doc_id")
    p = _passage(seed_shared, NATO)
    assert set(p.index) == {"latimes", "reuters", "cnn"}
    assert p["n_outlets"].eq(3).all() and p["kind"].eq("quote").all()
    # the longest version (Reuters, with "Now") is the reference; the others lack its first word
    assert p["is_reference"].to_dict() == {"cnn": False, "latimes": False, "reuters": True}
    assert p.loc["reuters", "text"].startswith("Now I think it's the third")
    assert p.loc["latimes", "trimmed_before"] == "Now" and p.loc["cnn", "trimmed_before"] == "Now"
    assert (p["trimmed_after"] == "").all() and (p["omitted"] == "").all()
    assert p.loc["cnn", "text"].count("...") == 1          # CNN's elision is kept in its text
    # 22 of the 22 words of the LA Times and CNN versions align with Reuters' 23
    assert p.loc["latimes", ["n_words", "n_aligned"]].tolist() == [22, 22]
    assert p.loc["reuters", ["n_words", "n_aligned"]].tolist() == [23, 22]
    assert p["similarity"].tolist() == [1.0, 1.0, 1.0]
    assert p.loc["reuters", "added"] == "Now"
    for doc, r in p.iterrows():
        assert arts.loc[doc, "text"][r["start"]:r["end"]] == r["text"]
        assert arts.loc[doc, "text"][r["kept_start"]:r["kept_end"]] == r["kept"]


def test_second_nato_quotation_and_the_evidence_quotation(seed_shared):
    regret = _passage(seed_shared, "I strongly regret that")
    assert set(regret.index) == {"latimes", "reuters"}
    assert regret["similarity"].tolist() == [1.0, 1.0]
    # Castanet (AP copy) and Reuters quote Rasmussen's "not seen any evidence" differently:
    # 15 of Castanet's 18 words align in order ("Ukrainian border" vs "Ukraine borders")
    ev = _passage(seed_shared, "started withdrawal of troops")
    assert set(ev.index) == {"castanet", "reuters"}
    assert ev.loc["castanet", ["n_words", "n_aligned"]].tolist() == [18, 15]
    assert ev.loc["castanet", "similarity"] == pytest.approx(15 / 18)
    assert ev.loc["castanet", "trimmed_before"] == "Unfortunately I have to say that we haven't"


def test_seed_passages_complete_and_ordered(seed, seed_shared):
    sh = seed_shared
    assert list(sh.columns) == SHARED_COLUMNS
    assert list(sh.columns[:6]) == ["passage_id", "doc_id", "start", "end", "text", "similarity"]
    # four passages: the three quotations above and one attribution formula shared by the LA
    # Times and Reuters ("NATO Secretary-General Anders Fogh Rasmussen ... news conference in
    # Brussels", 10 of Reuters' 11 words), which is not wire copy (under 12 words)
    assert sh["passage_id"].nunique() == 4
    formula = _passage(sh, "told a news conference in Brussels")
    assert set(formula.index) == {"latimes", "reuters"}
    assert formula["kind"].eq("sentence").all() and not formula["wire_copy"].any()
    assert not sh["wire_copy"].any()
    assert sh["passage_id"].tolist() == sorted(sh["passage_id"])
    firsts = sh.groupby("passage_id").first()
    assert list(zip(firsts["event"], firsts.index)) == sorted(zip(firsts["event"], firsts.index))
    keys = sh.groupby("passage_id").apply(lambda g: (g["doc_id"].min(), g.loc[g["doc_id"].idxmin(), "start"]),
                                          include_groups=False).tolist()
    assert keys == sorted(keys)
    assert sh.index.equals(pd.RangeIndex(len(sh)))
    # same result on a second run and on shuffled input rows (stable ids)
    arts, sents, quotes = seed
    again = shared_passages(arts.sample(frac=1, random_state=1), sents.sample(frac=1, random_state=2),
                            quotes.sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(again, sh)


def test_shared_summary_presence(seed, seed_shared):
    summ = shared_summary(seed_shared, seed[0])
    row = summ[summ["text"].str.contains(NATO, regex=False)].iloc[0]
    assert row[["CNN", "Los Angeles Times", "Reuters"]].tolist() == [True, True, True]
    assert row[["Castanet", "Common Dreams"]].tolist() == [False, False]
    assert summ["passage_id"].tolist() == [1, 2, 3, 4]


def test_multi_event_fixture_passages_stay_within_events(multi_event_path):
    arts = load_corpus(multi_event_path)
    sh = shared_passages(arts, sentences(arts), find_quotes(arts))
    ev = dict(zip(arts["doc_id"], arts["event"]))
    assert all(sh.groupby("passage_id")["doc_id"].agg(lambda d: len({ev[x] for x in d}) == 1))


# --- hand-made frames --------------------------------------------------------------------------

BASE = ("The central bank raised its main interest rate by half a point on Tuesday to fight "
        "inflation in the region.")
VARIANT = ("The central bank raised its key interest rate by half a point on Tuesday to fight "
           "inflation in the region.")


def test_near_duplicate_pair_similarity_and_wire_flag():
    arts, sents = _frame([("a1", "A", ["Unrelated opening words here.", BASE]),
                          ("b1", "B", [VARIANT, "Something else entirely different."])])
    sh = shared_passages(arts, sents)
    assert sh["passage_id"].unique().tolist() == [1]
    p = sh.set_index("doc_id")
    # 20 words each, one substituted: 19 align
    assert p["n_words"].tolist() == [20, 20] and p["n_aligned"].tolist() == [19, 19]
    assert p["similarity"].tolist() == [pytest.approx(19 / 20)] * 2
    assert p.loc["b1", "omitted"] == "main" and p.loc["b1", "added"] == "key"
    assert p["kind"].eq("sentence").all() and p["wire_copy"].all()   # narrative, >= 12 words, >= 0.8
    for doc, r in p.iterrows():
        assert arts.set_index("doc_id").loc[doc, "text"][r["start"]:r["end"]] == r["text"]


def test_trimmed_version_and_threshold():
    short = "raised its main interest rate by half a point on Tuesday"
    arts, sents = _frame([("a1", "A", [BASE]), ("b1", "B", [f"Officials said the bank {short}."])])
    p = shared_passages(arts, sents).set_index("doc_id")
    # "bank raised ... Tuesday" aligns: 12 of B's 15 words (a lone "the" is not a run)
    assert p.loc["b1", "similarity"] == pytest.approx(12 / 15)
    assert p.loc["b1", "trimmed_before"] == "The central"
    assert p.loc["b1", "trimmed_after"] == "to fight inflation in the region"
    assert p.loc["b1", "added"] == "Officials said the"
    assert shared_passages(arts, sents, min_similarity=0.85).empty


def test_no_cross_event_and_no_same_outlet_only_passages():
    arts, sents = _frame([("a1", "A", [BASE], "ev1"), ("b1", "B", [BASE], "ev2")])
    assert shared_passages(arts, sents).empty
    arts, sents = _frame([("a1", "A", [BASE]), ("a2", "A", [BASE])])
    assert shared_passages(arts, sents).empty
    arts, sents = _frame([("a1", "A", [BASE]), ("a2", "A", [BASE]), ("b1", "B", [BASE])])
    sh = shared_passages(arts, sents).set_index("doc_id")
    assert sh["outlet_repeat"].to_dict() == {"a1": True, "a2": True, "b1": False}
    assert sh["n_outlets"].eq(2).all() and sh["n_docs"].eq(3).all()


def test_short_passages_ignored():
    arts, sents = _frame([("a1", "A", ["Prices rose again today."]), ("b1", "B", ["Prices rose again today."])])
    assert shared_passages(arts, sents).empty
    assert len(shared_passages(arts, sents, min_words=4)) == 2


def test_wire_rule_quotes_and_agency():
    quote = "We will do whatever it takes to keep prices stable for every family this year"
    texts = [f'"{quote}," the governor said.', f'"{quote}," he told reporters on Tuesday.']
    arts, sents = _frame([("a1", "A", [texts[0]]), ("b1", "B", [texts[1]])])
    quotes = pd.DataFrame([dict(doc_id=d, quote_id=1, start=1, end=1 + len(quote), text=quote,
                                kind="speech") for d in ("a1", "b1")])
    sh = shared_passages(arts, sents, quotes)
    assert sh["kind"].eq("quote").all() and sh["similarity"].eq(1.0).all()
    assert not sh["wire_copy"].any()            # a shared quotation is not wire copy
    # an edited narrative sentence (similarity 0.7, 14 aligned words) is wire copy only when
    # one of the articles is credited to a wire agency
    a = ("Officials in the capital said on Monday that the new bridge across the river would "
         "open to traffic next spring after long delays")
    b = ("The new bridge across the river will open to traffic next spring after long delays, "
         "the city said")
    arts, sents = _frame([("a1", "A", [a]), ("b1", "B", [b])])
    sh = shared_passages(arts, sents)
    assert sh["n_aligned"].min() >= 12 and 0.6 <= sh["similarity"].min() < 0.8
    assert not sh["wire_copy"].any()
    arts["wire_agency"] = ["Agence X", ""]
    sh = shared_passages(arts, sents)
    assert sh["wire_copy"].all() and sh.set_index("doc_id").loc["a1", "wire_agency"] == "Agence X"


def test_bad_arguments():
    arts, sents = _frame([("a1", "A", [BASE])])
    with pytest.raises(ValueError, match="min_similarity"):
        shared_passages(arts, sents, min_similarity=0)
    with pytest.raises(ValueError, match="sentences: missing column"):
        shared_passages(arts, sents.drop(columns="start"))


def test_empty_result_has_schema():
    arts, sents = _frame([("a1", "A", [BASE]), ("b1", "B", ["Nothing in common with the other one."])])
    sh = shared_passages(arts, sents)
    assert sh.empty and list(sh.columns) == SHARED_COLUMNS


# --- scaling -----------------------------------------------------------------------------------

def _synthetic(seed_sents, n, rng_seed=0):
    """``n`` articles of one event recombining seed sentences with random word substitutions."""
    rng = random.Random(rng_seed)
    pool = seed_sents["text"].tolist()
    vocab = sorted({w for t in pool for w in re.findall(r"[a-z]{4,}", t)})
    rows = []
    for i in range(n):
        out = []
        for t in rng.sample(pool, rng.randint(12, 20)):
            toks = t.split(" ")
            for _ in range(rng.randint(0, 3)):
                j = rng.randrange(len(toks))
                if re.fullmatch(r"[a-z]+", toks[j]):
                    toks[j] = rng.choice(vocab)
            out.append(" ".join(toks))
        rows.append(dict(doc_id=f"d{i:05d}", outlet=f"o{i % 20:02d}", event="big",
                         text="\n\n".join(" ".join(out[k:k + 2]) for k in range(0, len(out), 2))))
    return pd.DataFrame(rows)


def test_work_grows_linearly_with_articles(seed, monkeypatch):
    """Pairs verified (LCS computed) for 150 and 300 articles: doubling the corpus must not
    quadruple the comparisons (all-pairs would)."""
    from analysis import align

    calls = {"n": 0}
    real = align.claim_batch

    def counting(*args):
        blocks, n_blocks, n_compared = real(*args)
        calls["n"] += n_compared
        return blocks, n_blocks, n_compared

    monkeypatch.setattr(align, "claim_batch", counting)
    counts = []
    for n in (150, 300):
        arts = _synthetic(seed[1], n)
        calls["n"] = 0
        sh = shared_passages(arts, sentences(arts), find_quotes(arts))
        assert sh["passage_id"].nunique() > 50
        counts.append(calls["n"])
    assert counts[1] < 2.6 * counts[0], counts


# --- alignment -----------------------------------------------------------------------------------

def _random_pairs(n, max_len, seed=0):
    """Random id sequences with many repeats, half of them an edited copy of the other."""
    rng = random.Random(seed)
    for _ in range(n):
        vocab = rng.choice([2, 3, 5, 30, 1000])
        a = [rng.randrange(vocab) for _ in range(rng.randint(0, max_len))]
        if a and rng.random() < 0.5:
            b = [x if rng.random() < 0.8 else rng.randrange(vocab) for x in a]
            b = b[rng.randint(0, len(a) // 2):]
            if rng.random() < 0.5:
                b.insert(rng.randint(0, len(b)), rng.randrange(vocab))
        else:
            b = [rng.randrange(vocab) for _ in range(rng.randint(0, max_len))]
        yield a, b


def test_blocks_are_difflibs_matching_blocks():
    """The compiled alignment gives difflib's matching blocks (autojunk off) of at least
    ``min_run`` items, on random sequences with many repeats and on edited copies, up to 200
    items (several 64-bit words)."""
    import difflib

    from analysis.align import matching_blocks

    for a, b in _random_pairs(3000, 30):
        for min_run in (1, 2, 3):
            sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
            want = [(i, j, n) for i, j, n in sm.get_matching_blocks() if n >= min_run]
            assert matching_blocks(a, b, min_run) == want, (a, b, min_run)
    for a, b in _random_pairs(300, 200, seed=1):
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        want = [(i, j, n) for i, j, n in sm.get_matching_blocks() if n >= 2]
        assert matching_blocks(a, b, 2) == want, (a, b)


def test_lcs_is_rapidfuzz_lcs():
    """The compiled bit-parallel LCS equals rapidfuzz's on sequences of 0 to 300 ids (one to
    five 64-bit words, lengths at and around the word boundaries included)."""
    from rapidfuzz.distance import LCSseq

    from analysis.align import lcs_length

    pairs = list(_random_pairs(2000, 300, seed=2))
    rng = random.Random(3)
    for n in (63, 64, 65, 127, 128, 129):
        a = [rng.randrange(20) for _ in range(n)]
        pairs += [(a, a), (a, a[::-1]), (a, [x + 1 for x in a]), (a, a[1:] + a[:1])]
    for a, b in pairs:
        assert lcs_length(a, b) == LCSseq.similarity(a, b), (a, b)
    assert lcs_length(list(range(64)), list(range(64))) == 64


def _id_units(units):
    """Word ids of units given as lists, as :func:`_shingle_matrix` takes them."""
    import numpy as np
    flat = np.array([i for ids in units for i in ids], dtype=np.uint32)
    return flat, np.array([len(ids) for ids in units], dtype=np.int64)


def test_alignment_of_a_huge_unit_takes_memory_linear_in_its_length():
    """A unit of 400,000 words (an unpunctuated page) against a short one: the LCS and the
    blocks are exact, and the process stays small (a dense table of 40,000 ids x 6,250 words
    of bits would take 2 GB)."""
    code = textwrap.dedent("""
        import difflib, json, random
        from rapidfuzz.distance import LCSseq
        from analysis.align import lcs_length, matching_blocks
        rng = random.Random(0)
        a = [rng.randrange(40_000) for _ in range(400_000)]
        b = a[1000:1040]
        b[5] = 99_999
        got = (lcs_length(a, b), matching_blocks(a, b, 2))
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        want = (LCSseq.similarity(a, b), [tuple(x) for x in sm.get_matching_blocks() if x[2] >= 2])
        # (VmHWM: this process's peak; ru_maxrss would start from the forking pytest's)
        hwm = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
        print(json.dumps({"same": got == want, "lcs": got[0], "blocks": got[1],
                          "peak_mb": int(hwm) / 1024}))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["same"] and out["lcs"] == 39
    assert out["blocks"] == [[1000, 0, 5], [1006, 6, 34]]
    assert out["peak_mb"] < 600, out


def _shared_rows(x, order, placed, batch):
    """(unit, units sharing a shingle with it, how many) for each row of the batches."""
    from analysis.shared import _shared_batches
    for ks, part in _shared_batches(x, order, placed, batch=batch):
        for r, k in enumerate(ks.tolist()):
            row = slice(part.indptr[r], part.indptr[r + 1])
            yield k, part.indices[row], part.data[row]


def _shared_counts(units, size, max_units=None, batch=2):
    """Units x units shared-shingle counts, assembled from the batched rows."""
    import numpy as np
    from analysis.shared import _shingle_matrix
    x = _shingle_matrix(*_id_units(units), size, max_units)
    out = np.zeros((len(units), len(units)), dtype=int)
    order = list(range(len(units)))[::-1]
    for k, cand, hits in _shared_rows(x, order, np.zeros(len(units)), batch=batch):
        assert list(cand) == sorted(cand)
        out[k, cand] = hits
    assert (out == (x @ x.T).toarray()).all()
    return out


def test_frequent_shingles_can_be_left_out_of_blocking():
    """A boilerplate 4-gram in many units is dropped from the index only when asked to."""
    boiler = [1, 2, 3, 4]
    units = [boiler + [10 + k, 20 + k, 30 + k, 40 + k] for k in range(5)]
    units[1] = boiler + [10, 20, 30, 40, 50]             # shares a rare 4-gram with 5
    units.append([10, 20, 30, 40, 50])
    full = _shared_counts(units, 4)
    assert full[0, 2] == 1 and full[0, 4] == 1         # the boilerplate links every pair
    capped = _shared_counts(units, 4, max_units=3)
    assert capped[0, 2] == 0 and capped[0, 4] == 0     # carried by 5 units > 3: left out
    assert capped[1, 5] == 2 and full[1, 5] == 2       # the rare 4-grams still link 1 and 5
    assert capped[0, 0] == full[0, 0] - 1              # each unit loses exactly that shingle


def test_shared_rows_skip_placed_units_and_match_the_full_product():
    """Rows come in the order asked, batch by batch, and units placed before their batch is
    computed are passed over."""
    import numpy as np
    from analysis.shared import _shingle_matrix
    units = [[k % 3, 7, 8, 9, k % 2] for k in range(7)]
    units.append([5, 6])                               # shorter than a shingle: itself one
    x = _shingle_matrix(*_id_units(units), 3)
    placed = np.zeros(len(units), dtype=np.int8)
    placed[[2, 5]] = 1
    order = [6, 5, 4, 3, 2, 1, 0, 7]
    got = [(k, cand.tolist(), hits.tolist()) for k, cand, hits in
           _shared_rows(x, order, placed, batch=3)]
    assert [k for k, _, _ in got] == [6, 4, 3, 1, 0, 7]
    dense = (x @ x.T).toarray()
    for k, cand, hits in got:
        assert cand == np.flatnonzero(dense[k]).tolist() and hits == dense[k][cand].tolist()
    assert got[-1][1:] == ([7], [1])


def test_unit_ids_number_normalised_words_by_first_appearance(seed):
    """A unit's ids are its words, lower-cased with straight apostrophes, numbered by first
    appearance in the event: equal ids exactly where the normalised words are equal."""
    arts, sents, quotes = seed
    units = shared_mod._build_units(arts.assign(event="e"), sents, quotes, 6)
    assert len(units) > 100 and units.flat.dtype == np.uint32
    k = int(np.argmax(units.lens))
    text = arts.set_index("doc_id")["text"][units.unit(k).doc_id]
    words = [shared_mod._norm(w) for w in WORD_RE.findall(text, units.start[k], units.end[k])]
    ids = units.ids(k)
    assert len(ids) == len(words) > 20
    assert all((ids[i] == ids[j]) == (words[i] == words[j])
               for i in range(len(ids)) for j in range(len(ids)))
    first_seen = pd.unique(units.flat)           # numbered 0, 1, 2 ... as they first appear
    assert (first_seen == np.arange(len(first_seen))).all()


# --- written straight to CSV ---------------------------------------------------------------------

def _rendered(sh):
    from analysis.pipeline import TABLE_KEYS, order_columns
    from analysis.sinks import render

    return render(sh, TABLE_KEYS["shared"], order_columns("shared", sh.columns)).data


def _written(tmp_path, *args, **kw):
    from analysis.pipeline import order_columns

    path = tmp_path / "shared.csv"
    n = shared_mod.write_shared_passages(path, order_columns("shared", SHARED_COLUMNS), *args, **kw)
    left = sorted(p.name for p in tmp_path.iterdir())
    return n, (path.read_bytes() if path.exists() else None), left


def test_written_passages_are_the_rendered_frame_byte_for_byte(seed, seed_shared, tmp_path):
    """The CLI writes shared passages as it finds them; the file is what rendering the frame
    gives: seed corpus (quotation rows, empty quote ids) and a passage quoted with commas,
    quotation marks and a line break inside, whose rows are numbered by the sort key and not
    by the order they are found in."""
    n, data, left = _written(tmp_path, *seed)
    assert n == seed_shared["passage_id"].max() == 4
    assert data == _rendered(seed_shared) and left == ["shared.csv"]
    assert seed_shared["quote_id"].isna().any() and seed_shared["quote_id"].notna().any()
    odd = ('Prices, the minister said, "will rise"\nagain next year across every region of the '
           'country and in the capital, where the rents of flats doubled')
    arts, sents = _frame([("a1", "A", ["Short opening line for a.", BASE]),
                          ("b1", "B", [odd + ".", VARIANT]), ("c1", "C", [odd + "!", "Other."])])
    sh = shared_passages(arts, sents)
    assert sh["passage_id"].max() == 2 and sh["text"].str.contains("\n").any()
    # the longer passage (b1, c1) is found first but numbered second: the other starts in a1
    assert len(odd.split()) > len(BASE.split())
    assert sh.loc[sh["passage_id"] == 1, "doc_id"].tolist() == ["a1", "b1"]
    (tmp_path / "two").mkdir()
    n, data, left = _written(tmp_path / "two", arts, sents)
    assert n == 2 and data == _rendered(sh) and left == ["shared.csv"]


def test_written_passages_without_rows_or_with_a_carriage_return(tmp_path):
    arts, sents = _frame([("a1", "A", [BASE]), ("a2", "A", [BASE])])    # one outlet only
    assert _written(tmp_path, arts, sents) == (0, None, [])
    cr = BASE.replace("half a point", "half a\rpoint")
    arts, sents = _frame([("a1", "A", [cr]), ("b1", "B", [cr])])
    assert len(shared_passages(arts, sents)) == 2
    # rendering then quotes every text value: the caller renders the frame instead
    assert _written(tmp_path, arts, sents) == (None, None, [])
    with pytest.raises(ValueError, match="passage_id first"):
        shared_mod.write_shared_passages(tmp_path / "x.csv", SHARED_COLUMNS[1:] + ["passage_id"],
                                         arts, sents)


def test_texts_are_read_from_the_column_when_asked_for_and_few_are_kept():
    texts = pd.Series(["Kiev said.", "Kyiv \u2019said\u2019.", "Moscow said."], dtype="str")
    found = shared_mod._Texts(["a", "b", "c"], texts.array, keep=2)
    order = ["a", "b", "c", "a", "c", "b", "b"]
    assert [found[d] for d in order] == [texts[["a", "b", "c"].index(d)] for d in order]
    assert len(found._recent) == 2 and all(isinstance(t, str) for t in found._recent.values())
    with pytest.raises(KeyError):
        found["z"]
