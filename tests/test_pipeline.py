"""The pipeline: table contract, engines, cache, CLI."""
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import Settings, read_tables, run, run_to_dir, write_tables
from analysis.pipeline import CONTRACT_COLUMNS, TABLE_KEYS

ROOT = Path(__file__).resolve().parents[1]

# shared/TABLES.md: the columns each table must have, key columns first
CONTRACT = {
    "articles": ["doc_id", "outlet", "event", "title", "published", "source_path", "n_words",
                 "n_sentences", "text"],
    "removed": ["doc_id", "line", "rule"],
    "skipped": ["source", "record", "reason"],
    "sentences": ["doc_id", "para_id", "sent_id", "start", "end", "text"],
    "quotes": ["doc_id", "quote_id", "start", "end", "text", "kind", "speaker", "speaker_group",
               "cue"],
    "terms": ["doc_id", "sent_id", "start", "end", "surface", "concept", "variant", "framing",
              "voice"],
    "hedges": ["doc_id", "sent_id", "start", "end", "surface", "category", "voice"],
    "outlets": ["event", "outlet", "n_articles"],
    "keyness": ["event", "outlet", "term", "count", "log_odds", "z"],
    "shared": ["passage_id", "doc_id", "start", "end", "text", "similarity"],
    "coverage": ["event", "unit_id", "doc_id", "sent_id", "present"],
}


@pytest.fixture(scope="module")
def example_dir(tmp_path_factory, example_path):
    out = tmp_path_factory.mktemp("example_tables")
    run_to_dir(example_path, out, jobs=1)
    return out


@pytest.fixture(scope="module")
def multi_dir(tmp_path_factory, multi_event_path):
    out = tmp_path_factory.mktemp("multi_tables")
    run_to_dir(multi_event_path, out, jobs=1, settings=Settings(chunk_size=2))
    return out


@pytest.mark.parametrize("which", ["example_dir", "multi_dir"])
def test_every_table_follows_the_contract(which, request):
    folder = request.getfixturevalue(which)
    tables = read_tables(folder)
    for name, cols in CONTRACT.items():
        frame = tables[name]
        assert list(frame.columns[:len(cols)]) == cols, name
        keys = [k for k in TABLE_KEYS[name] if k in frame]
        if keys and len(frame):
            assert frame.equals(frame.sort_values(keys, kind="stable").reset_index(drop=True)), name
    assert "sentences" in tables and {"vader_compound", "quote_share"} <= set(tables["sentences"])
    metrics = [c[:-3] for c in tables["outlets"].columns if c.endswith("_lo")]
    assert len(metrics) >= 10 and all(f"{m}_hi" in tables["outlets"] for m in metrics)


@pytest.mark.parametrize("which", ["example_dir", "multi_dir"])
def test_every_span_round_trips(which, request):
    tables = read_tables(request.getfixturevalue(which))
    text = dict(zip(tables["articles"]["doc_id"], tables["articles"]["text"]))
    for name, col in [("sentences", "text"), ("quotes", "text"), ("terms", "surface"),
                      ("hedges", "surface"), ("shared", "text"), ("actors", "surface")]:
        frame = tables[name]
        assert len(frame), name
        for d, s, e, t in zip(frame["doc_id"], frame["start"], frame["end"], frame[col]):
            assert text[d][int(s):int(e)] == t, (name, d, s, e)


def test_example_tables_have_real_rows(example_dir):
    t = read_tables(example_dir)
    assert len(t["articles"]) == 5 and len(t["removed"]) == 12 and len(t["skipped"]) == 0
    assert t["sentences"].groupby("doc_id").size().to_dict() == {
        "castanet": 17, "cnn": 37, "commondreams": 11, "latimes": 19, "reuters": 24}
    assert set(t["outlets"]["outlet"]) == {"CNN", "Castanet", "Common Dreams",
                                           "Los Angeles Times", "Reuters"}
    assert (t["outlets"]["n_articles"] == 1).all()
    # one article per outlet: intervals resample sentences
    assert set(t["outlets"]["vader_compound_mean_unit"]) == {"sentence"}
    o = t["outlets"].set_index("outlet")
    assert (o["vader_compound_mean_lo"] <= o["vader_compound_mean"]).all()
    assert (o["vader_compound_mean"] <= o["vader_compound_mean_hi"]).all()
    assert len(t["outlet_effects"]) == 0  # one event: nothing to pool


def test_multi_event_tables(multi_dir):
    t = read_tables(multi_dir)
    outlets = t["outlets"]
    assert outlets.groupby("event").size().to_dict() == {
        e: n for e, n in outlets.groupby("event").size().items()}
    assert outlets["event"].nunique() == 3
    two = outlets[outlets["n_articles"] == 2]
    assert len(two) == 1 and (two["vader_compound_mean_unit"] == "article").all()
    eff = t["outlet_effects"]
    assert set(eff.columns) >= {"outlet", "metric", "effect", "effect_lo", "effect_hi", "n_events"}
    assert len(eff) > 0 and eff["n_events"].max() == 3
    assert set(t["coverage"]["event"]) == set(t["articles"]["event"])
    assert len(t["keyness"]) > 0 and t["keyness"]["event"].nunique() == 3


def test_memory_and_streaming_outputs_are_byte_identical(tmp_path, example_dir, example_path):
    write_tables(run(example_path), tmp_path)
    for name in TABLE_KEYS:
        assert filecmp.cmp(tmp_path / f"{name}.csv", example_dir / f"{name}.csv", shallow=False), name


def _same_dirs(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.glob("*.csv"))
    assert names == sorted(p.name for p in b.glob("*.csv"))
    for n in names:
        assert filecmp.cmp(a / n, b / n, shallow=False), n


def test_processes_and_dask_give_identical_tables(tmp_path, multi_dir, multi_event_path):
    small = Settings(chunk_size=2)
    run_to_dir(multi_event_path, tmp_path / "procs", jobs=2, settings=small)
    _same_dirs(multi_dir, tmp_path / "procs")
    pytest.importorskip("dask.distributed")
    run_to_dir(multi_event_path, tmp_path / "dask", jobs=2, settings=small, engine="dask")
    _same_dirs(multi_dir, tmp_path / "dask")


def test_dask_on_the_example_corpus(tmp_path, example_dir, example_path):
    pytest.importorskip("dask.distributed")
    run_to_dir(example_path, tmp_path / "dask", jobs=2, engine="dask",
               settings=Settings(chunk_size=2))
    _same_dirs(example_dir, tmp_path / "dask")


def _batches(cache: Path) -> dict[str, int]:
    """Per-article step -> computed batches; "events" -> computed events; "render" -> groups."""
    out = {step.name: len(list(step.glob("*.keys.parquet"))) for step in cache.iterdir()
           if step.name not in ("events", "render", "load")}
    out["events"] = len(list((cache / "events").glob("*.done")))
    out["render"] = len(list((cache / "render").glob("*/runs.json")))
    return out


def test_cache_recomputes_only_what_changed(tmp_path, multi_event_path, multi_dir):
    corpus = tmp_path / "corpus"
    shutil.copytree(multi_event_path, corpus)
    cache = tmp_path / "cache"
    small = Settings(chunk_size=100)
    run_to_dir(corpus, tmp_path / "cold", jobs=1, settings=small, cache=cache)
    _same_dirs(multi_dir, tmp_path / "cold")
    cold = _batches(cache)
    assert set(cold) == {"text", "terms", "hedges", "tone", "readability", "events", "render"}
    assert cold["events"] == 3
    assert cold["render"] == 1  # one group of events, rendered once

    run_to_dir(corpus, tmp_path / "warm", jobs=1, settings=small, cache=cache)
    assert _batches(cache) == cold  # nothing recomputed
    _same_dirs(tmp_path / "cold", tmp_path / "warm")

    # edit one article: every step recomputes that article only (one new batch of one key), and
    # the cross-article steps recompute its event only
    art = sorted(corpus.glob("*.txt"))[0]
    art.write_text(art.read_text(encoding="utf-8") + "\n\nRebels said the offensive continued.\n",
                   encoding="utf-8")
    run_to_dir(corpus, tmp_path / "edit", jobs=1, settings=small, cache=cache)
    after = _batches(cache)
    assert after == {k: v + 1 for k, v in cold.items()}
    for step in cache.iterdir():
        if step.name in ("events", "render", "load"):
            continue
        newest = max(step.glob("*.keys.parquet"), key=lambda p: p.stat().st_mtime_ns)
        assert len(pd.read_parquet(newest)) == 1

    # a changed terms lexicon invalidates the terms step only, for every article
    lex = (ROOT / "analysis" / "lexicons" / "terms_ukraine_2014.yaml").read_text(encoding="utf-8")
    mine = tmp_path / "terms_mine.yaml"
    mine.write_text(lex.replace('version: "1.0.0"', 'version: "1.0.1"', 1), encoding="utf-8")
    assert mine.read_text(encoding="utf-8") != lex
    run_to_dir(corpus, tmp_path / "lex", jobs=1, settings=Settings(chunk_size=100, terms=str(mine)),
               cache=cache)
    final = _batches(cache)
    assert final["terms"] == after["terms"] + 1
    assert final["events"] == after["events"] + 3  # term shares of every event depend on it
    assert final["render"] == after["render"] + 1
    assert {k: v for k, v in final.items() if k not in ("terms", "events", "render")} == {
        k: v for k, v in after.items() if k not in ("terms", "events", "render")}


def test_interrupted_batch_is_ignored(tmp_path, example_path, example_dir):
    cache = tmp_path / "cache"
    run_to_dir(example_path, tmp_path / "a", jobs=1, cache=cache)
    # simulate Ctrl-C during a write: a batch whose keys file (or event marker) never landed
    for step in cache.iterdir():
        if step.name == "events":
            for marker in step.glob("*.done"):
                marker.unlink()
            continue
        if step.name == "render":
            for index in step.glob("*/runs.json"):
                index.unlink()
            continue
        if step.name == "load":
            for tmp in step.glob("*.pickle"):  # a pickle is renamed into place only when whole
                tmp.rename(tmp.with_name(f".{tmp.name}.123.tmp"))
            continue
        keys = sorted(step.glob("*.keys.parquet"))
        keys[0].unlink()
    run_to_dir(example_path, tmp_path / "b", jobs=1, cache=cache)
    _same_dirs(example_dir, tmp_path / "b")


def test_cli_help_explains_every_option():
    out = subprocess.run([sys.executable, "-m", "analysis", "tables", "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    for opt in ("--out", "--lenient", "--preset", "--column", "--terms", "--actors",
                "--speaker-groups", "--no-furniture", "--n-boot", "--seed", "--jobs", "--engine",
                "--scheduler", "--cache", "--no-progress"):
        assert opt in out, opt
    assert "manifest.csv" in out


def test_cli_reports_bad_corpus_clearly(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "analysis", "tables", str(tmp_path), "--out",
                          str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 2
    assert "no manifest.csv in this folder" in res.stderr and "Traceback" not in res.stderr


def test_cli_shows_loader_warnings_as_plain_lines(tmp_path):
    corpus = tmp_path / "mc.csv"
    corpus.write_text("stories_id,media_name,text\n7,Reuters,\"Rebels left Sloviansk.\"\n",
                      encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "analysis", "tables", str(corpus), "--out",
                          str(tmp_path / "out"), "--jobs", "1", "--no-progress"], cwd=ROOT,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines() == [
        "warning: mc.csv: read column 'media_name' as outlet, 'stories_id' as doc_id (no column "
        "of the kit's name); to read another, map it with --column NAME=TARGET (columns= in "
        "Python)"]
    arts = pd.read_csv(tmp_path / "out" / "articles.csv")
    assert (arts.loc[0, "doc_id"], arts.loc[0, "outlet"]) == (7, "Reuters")


def test_contract_columns_constant_matches_tables_md():
    for name, cols in CONTRACT.items():
        assert CONTRACT_COLUMNS[name][:len(cols)] == cols


def test_large_events_get_a_note_instead_of_a_coverage_matrix(tmp_path, multi_event_path, multi_dir):
    full = pd.read_csv(multi_dir / "coverage.csv", keep_default_na=False)
    sizes = pd.read_csv(multi_dir / "articles.csv").groupby("event").size()
    assert pd.read_csv(multi_dir / "notes.csv").empty  # default limit: every event has coverage
    limit = int(sizes.min())  # events larger than the smallest lose their coverage matrix
    big = sorted(sizes[sizes > limit].index)
    assert big, "the fixture needs events of different sizes"
    run_to_dir(multi_event_path, tmp_path / "capped", jobs=1,
               settings=Settings(coverage_max_articles=limit))
    notes = pd.read_csv(tmp_path / "capped" / "notes.csv")
    assert list(zip(notes["event"], notes["table"])) == [(e, t) for e in big
                                                         for t in ("coverage", "shared")]
    for event, note in zip(notes["event"][::2], notes["note"][::2]):
        assert f"the event has {sizes[event]:,} articles" in note
        assert "--coverage-max-articles" in note
    assert all("more than 200 sentences or quotations" in n for n in notes["note"][1::2])
    # no 4-gram of these small events is that frequent: shared passages are unchanged
    assert filecmp.cmp(multi_dir / "shared.csv", tmp_path / "capped" / "shared.csv", shallow=False)
    capped = pd.read_csv(tmp_path / "capped" / "coverage.csv", keep_default_na=False)
    assert set(capped["event"]) == set(sizes.index) - set(big)
    kept = full[~full["event"].isin(big)].reset_index(drop=True)
    pd.testing.assert_frame_equal(capped, kept)  # the other events' coverage is unchanged


def test_loaded_corpus_is_cached_by_its_bytes(tmp_path, multi_event_path, multi_dir):
    from analysis import engine

    corpus = tmp_path / "corpus"
    shutil.copytree(multi_event_path, corpus)
    cache = tmp_path / "cache"
    run_to_dir(corpus, tmp_path / "a", jobs=1, cache=cache)
    assert len(list((cache / "load").glob("*.pickle"))) == 1
    run_to_dir(corpus, tmp_path / "b", jobs=1, cache=cache)
    assert len(list((cache / "load").glob("*.pickle"))) == 1  # same bytes: reused
    _same_dirs(multi_dir, tmp_path / "b")
    art = sorted(corpus.glob("*.txt"))[1]
    art.write_text(art.read_text(encoding="utf-8") + "\n\nMonitors reported calm in Kyiv.\n",
                   encoding="utf-8")
    run_to_dir(corpus, tmp_path / "c", jobs=1, cache=cache)
    assert len(list((cache / "load").glob("*.pickle"))) == 2  # an edited file: read again
    fresh = read_tables(tmp_path / "c")["articles"]
    doc = pd.read_csv(corpus / "manifest.csv").set_index("file").loc[art.name, "doc_id"]
    assert fresh.loc[fresh["doc_id"] == doc, "text"].str.endswith("Monitors reported calm in "
                                                                   "Kyiv.").all()
    assert (fresh["doc_id"] == doc).sum() == 1
    assert engine.LoadCache.key(corpus, {}) != engine.LoadCache.key(corpus, {"lenient": True})


def test_groups_of_events_overlap_and_tables_stay_identical(tmp_path, multi_dir, multi_event_path,
                                                            monkeypatch):
    """With one event per group the scheduler runs a group's event tasks while the next group's
    chunks run; the tables, cold and replayed from the cache, are those of one group at a time."""
    from analysis import pipeline

    seen = []

    def one_event_per_group(articles, min_articles, max_articles):
        groups = [[e] for e in sorted(articles["event"].unique())]
        seen.append(len(groups))
        return iter(groups)

    monkeypatch.setattr(pipeline, "_event_groups", one_event_per_group)
    small, cache = Settings(chunk_size=1), tmp_path / "cache"
    for run_name in ("cold", "warm"):
        run_to_dir(multi_event_path, tmp_path / run_name, jobs=2, settings=small, cache=cache)
        _same_dirs(multi_dir, tmp_path / run_name)
    assert seen == [3, 3]
    assert len(list((cache / "render").glob("*/runs.json"))) == 3  # one rendered group each
    frames = run(multi_event_path, jobs=1, settings=small)  # in process, to memory
    write_tables(frames, tmp_path / "memory")
    _same_dirs(multi_dir, tmp_path / "memory")
    assert pd.read_csv(multi_dir / "shared.csv")["event"].nunique() == 1  # the first event's

    # one outlet copies another's paragraph in the last event: that group is analysed again and
    # its new passages are numbered after the first group's, replayed from the cache; a second
    # run replays every group, the last one's passages shifted by the first's
    corpus = tmp_path / "corpus"
    shutil.copytree(multi_event_path, corpus)
    manifest = pd.read_csv(corpus / "manifest.csv")
    last = manifest[manifest["event"] == sorted(manifest["event"].unique())[-1]]
    a, b = [last[last["outlet"] == o]["file"].iloc[0] for o in sorted(last["outlet"].unique())[:2]]
    paragraph = max((corpus / a).read_text(encoding="utf-8").split("\n\n"), key=len).strip()
    (corpus / b).write_text((corpus / b).read_text(encoding="utf-8") + "\n\n" + paragraph + "\n",
                            encoding="utf-8")
    run_to_dir(corpus, tmp_path / "edited_cold", jobs=1, settings=small)
    edited = pd.read_csv(tmp_path / "edited_cold" / "shared.csv")
    assert edited["event"].nunique() == 2
    assert edited.groupby("event")["passage_id"].min().sort_index().iloc[-1] > 1
    for run_name in ("edited_warm", "edited_replayed"):
        run_to_dir(corpus, tmp_path / run_name, jobs=1, settings=small, cache=cache)
        _same_dirs(tmp_path / "edited_cold", tmp_path / run_name)
    assert len(list((cache / "render").glob("*/runs.json"))) == 4  # one group rendered again


def test_a_failed_run_leaves_no_scratch_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(Exception, match="no such file or folder"):
        run_to_dir(tmp_path / "missing.jsonl", out)
    assert list(out.iterdir()) == []


def test_spilled_groups_read_back_exactly(tmp_path, multi_event_path):
    """The CLI keeps each group's articles in a file, not in memory; they read back identical."""
    from analysis import read_corpus
    from analysis.pipeline import _group_rows, _spill_groups

    articles = read_corpus(multi_event_path).articles
    groups = [[e] for e in sorted(articles["event"].unique())]
    paths = _spill_groups(articles, groups, tmp_path / "groups")
    assert [p.name for p in paths] == ["000000.feather", "000001.feather", "000002.feather"]
    for events, path in zip(groups, paths):
        back = pd.read_feather(path)
        pd.testing.assert_frame_equal(back, _group_rows(articles, events))
        assert list(back.dtypes) == list(articles.dtypes)
        assert set(back["event"]) == set(events) and back["doc_id"].is_monotonic_increasing


def test_ctrl_c_says_how_to_resume_and_leaves_no_scratch_folder(tmp_path, monkeypatch, capsys,
                                                                 multi_event_path):
    from analysis import __main__ as cli
    from analysis import pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_execute", interrupted)
    out, cache = tmp_path / "out", tmp_path / "cache"
    rc = cli.main(["tables", str(multi_event_path), "--out", str(out), "--cache", str(cache)])
    assert rc == 130
    err = capsys.readouterr().err
    assert f"the files in {out} are missing or incomplete" in err
    assert f"the cache in {cache} is valid: run the same command again to resume" in err
    assert list(out.iterdir()) == []  # the sink's scratch folder was removed


def test_large_events_run_in_a_fresh_worker_with_the_same_tables(tmp_path, multi_event_path,
                                                                 monkeypatch):
    """Events above coverage_max_articles: their task reads no sentence text and, with nothing
    else in flight, gets a fresh worker (the pool is recycled); the tables equal an in-process
    run's, and the notes say coverage was left out."""
    from analysis import engine
    small = Settings(chunk_size=2, coverage_max_articles=2)
    run_to_dir(multi_event_path, tmp_path / "one", jobs=1, settings=small)
    recycled = []
    real = engine.Runner.recycle
    monkeypatch.setattr(engine.Runner, "recycle", lambda self: (recycled.append(1), real(self)))
    run_to_dir(multi_event_path, tmp_path / "procs", jobs=2, settings=small)
    _same_dirs(tmp_path / "one", tmp_path / "procs")
    assert recycled, "no event task got a fresh worker"
    notes = pd.read_csv(tmp_path / "procs" / "notes.csv")
    assert (notes["table"] == "coverage").sum() == 2    # election (4 articles), ceasefire (3)


def test_article_cache_key_index_maps_keys_to_their_latest_batch():
    """The compact index (16-byte digest prefixes) answers like a dict of the hex keys."""
    import hashlib
    from analysis.engine import _KeyIndex
    keys = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(300)]
    idx, plain = _KeyIndex(), {}
    for b in range(6):                      # batches of 50, some keys written twice
        chunk = keys[b * 50:(b + 1) * 50] + (keys[:10] if b == 5 else [])
        idx.add(chunk, f"batch{b}")
        plain.update({k: f"batch{b}" for k in chunk})
    others = [hashlib.sha256(f"x{i}".encode()).hexdigest() for i in range(40)]
    assert idx.batches(keys + others) == [plain[k] for k in keys] + [None] * 40
    assert idx.batches(keys[:10]) == ["batch5"] * 10 and len(idx) == 310
    with pytest.raises(ValueError, match="not a hex SHA-256"):
        idx.batches(["abc"])


@pytest.mark.parametrize("env_pool, expected", [(None, "system"), ("mimalloc", "mimalloc")])
def test_limit_heap_growth_puts_arrow_on_the_system_allocator(env_pool, expected):
    """Arrow's own pool keeps freed pages (160 MB on a 10,000-article event's shared passages);
    the kit's processes use glibc's, unless the researcher chose a pool."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env_pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = env_pool
    code = ("from analysis import engine; engine.limit_heap_growth(); import pyarrow; "
            "print(pyarrow.default_memory_pool().backend_name)")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == expected


def test_shared_passages_cached_as_a_csv_run(tmp_path, multi_event_path, multi_dir):
    """On this machine each event's shared passages go straight to a CSV run, which the event
    cache keeps as a file: a run that only replays events (a title changed: the group is
    rendered again, no event is analysed again) links it, and a run that needs the frame (the
    API) computes it again; the tables are those of runs without a cache."""
    corpus, cache = tmp_path / "corpus", tmp_path / "cache"
    shutil.copytree(multi_event_path, corpus)
    small = Settings(chunk_size=100)
    run_to_dir(corpus, tmp_path / "cold", jobs=1, settings=small, cache=cache)
    _same_dirs(multi_dir, tmp_path / "cold")
    events = cache / "events"
    assert len(list(events.glob("*.shared.run.json"))) == 3 and not list(events.glob("*.shared.pkl"))
    assert len(list(events.glob("*.shared.csv"))) == 1   # one event has shared passages
    manifest = pd.read_csv(corpus / "manifest.csv")
    manifest.loc[0, "title"] = "A new title"
    manifest.to_csv(corpus / "manifest.csv", index=False)
    run_to_dir(corpus, tmp_path / "uncached", jobs=1, settings=small)
    before = _batches(cache)
    run_to_dir(corpus, tmp_path / "retitled", jobs=1, settings=small, cache=cache)
    after = _batches(cache)
    assert after["render"] == before["render"] + 1 and after["events"] == before["events"]
    _same_dirs(tmp_path / "uncached", tmp_path / "retitled")
    write_tables(run(corpus, jobs=1, settings=small, cache=cache), tmp_path / "memory")
    _same_dirs(tmp_path / "uncached", tmp_path / "memory")
    assert len(list(events.glob("*.shared.pkl"))) == 3     # the API stored the frames
    assert not list(events.glob("*.shared.run.json"))
    manifest.loc[0, "title"] = "Another title"
    manifest.to_csv(corpus / "manifest.csv", index=False)
    run_to_dir(corpus, tmp_path / "uncached2", jobs=1, settings=small)
    run_to_dir(corpus, tmp_path / "retitled2", jobs=1, settings=small, cache=cache)
    _same_dirs(tmp_path / "uncached2", tmp_path / "retitled2")


def test_sentence_metrics_count_the_words_of_speech_inside_each_sentence():
    from analysis.pipeline import sentence_metrics

    text = ('Putin said: "Troops will return. They are leaving now." '
            'Officials were "not sure" of it. Nobody else spoke.')
    other = 'Lavrov said "a pullback began" on Monday.'
    cuts = [0, text.index("They"), text.index("Officials"), text.index("Nobody"), len(text)]
    sentences = pd.DataFrame({
        "doc_id": ["a"] * 4 + ["b"], "sent_id": [0, 1, 2, 3, 0],
        "start": cuts[:4] + [0], "end": [c - 1 for c in cuts[1:4]] + [len(text), len(other)],
        "n_words": [6, 4, 5, 3, 6], "vader_compound": [0.1, 0.0, -0.2, 0.0, 0.0]})
    sentences = sentences.iloc[[4, 2, 0, 3, 1]]   # rows out of order: counts follow the rows
    span = lambda t, s: (t.index(s), t.index(s) + len(s))   # noqa: E731
    rows = [("a", *span(text, "Troops will return. They are leaving now."), "speech", 0, "government"),
            ("a", *span(text, "not sure"), "speech", 0, ""),
            ("a", *span(text, "leaving"), "speech", 1, "media"),      # nested: not counted
            ("a", *span(text, "Putin"), "scare", 0, "expert"),        # not speech: not counted
            ("b", *span(other, "a pullback began"), "speech", 0, "government")]
    quotes = pd.DataFrame(rows, columns=["doc_id", "start", "end", "kind", "depth", "speaker_group"])
    articles = pd.DataFrame({"doc_id": ["a", "b"], "text": [text, other]})
    m = sentence_metrics(sentences, quotes, articles)
    assert list(m.columns) == ["doc_id", "sent_id", "n_words", "vader_compound", "is_positive",
                               "is_negative", "n_quoted_words", "n_quoted_words_expert",
                               "n_quoted_words_government", "n_quoted_words_media",
                               "n_quoted_words_unattributed"]
    got = m.set_index(["doc_id", "sent_id"]).sort_index()
    assert got["n_quoted_words"].tolist() == [3.0, 4.0, 2.0, 0.0, 3.0]
    assert got["n_quoted_words_government"].tolist() == [3.0, 4.0, 0.0, 0.0, 3.0]
    assert got["n_quoted_words_unattributed"].tolist() == [0.0, 0.0, 2.0, 0.0, 0.0]
    assert got["n_quoted_words_media"].sum() == 0 and got["n_quoted_words_expert"].sum() == 0
    assert got["is_negative"].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert (m.dtypes.drop(["doc_id", "sent_id"]) == "float64").all() and m["sent_id"].dtype == "int64"
    assert m.index.tolist() == sentences.index.tolist()
    # without quotations the counts are zero and the word count keeps its integer type
    m0 = sentence_metrics(sentences, quotes.iloc[:0], articles)
    assert m0["n_quoted_words"].sum() == 0 and m0["n_words"].dtype == "int64"
    assert list(m0.columns) == ["doc_id", "sent_id", "n_words", "vader_compound", "is_positive",
                                "is_negative", "n_quoted_words"]


def test_event_cache_keeps_frames_exactly_and_reads_parquet_of_earlier_versions(tmp_path):
    from analysis.engine import EventCache, RunFile

    store = EventCache(tmp_path)
    outlets = pd.DataFrame({"outlet": ["RT", "BBC"], "vader_compound_mean": [0.1 + 0.2, -1e-17],
                            "n_articles": [3, 4]}, index=[7, 9]).astype({"outlet": "str"})
    (tmp_path / "run.csv").write_text("passage_id,doc_id\n1,a\n", encoding="utf-8")
    store.put("k1", {"outlets": outlets, "shared": RunFile(str(tmp_path / "run.csv"), ["passage_id", "doc_id"], 1)})
    got = store.get("k1")
    assert list(got) == ["outlets", "shared"] and got["shared"].n_ids == 1
    pd.testing.assert_frame_equal(got["outlets"], outlets.reset_index(drop=True), check_exact=True)
    assert list(store.get("k1", tables=("outlets",))) == ["outlets"]
    # an entry written as Parquet by an earlier version
    outlets.to_parquet(store.folder / "k0.outlets.parquet", index=False)
    (store.folder / "k0.done").write_text("ok\n")
    pd.testing.assert_frame_equal(store.get("k0", tables=("outlets",))["outlets"],
                                  outlets.reset_index(drop=True), check_exact=True)
    assert store.get("k2") is None
