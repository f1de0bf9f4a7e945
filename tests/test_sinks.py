"""The CSV sink: runs merged by article blocks give exactly the one-shot sorted CSV."""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from analysis.pipeline import TABLE_KEYS, order_columns
from analysis.sinks import CsvSink, RenderCache, csv_text, doc_blocks, render, sort_frame, to_csv

TEXTS = ['plain', 'two\nlines', 'carriage\rreturn', 'crlf\r\nend', 'say "hi"', 'comma, here',
         '', 'three\n\nlines\n', 'ünïcödé “curly”', '\r']


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _same_table(path, expected_path) -> None:
    """Byte-identical when no value has a lone carriage return; else identical once parsed."""
    if b"\r" not in expected_path.read_bytes():
        assert path.read_bytes() == expected_path.read_bytes()
    pd.testing.assert_frame_equal(_read(path), _read(expected_path))


def _sentences(n_docs: int, texts=TEXTS) -> pd.DataFrame:
    rows = []
    for d in range(n_docs):
        for s in range(1 + d % 3):
            rows.append({"doc_id": f"d{(d * 7) % n_docs:03d}", "sent_id": s + 1,
                         "start": s * 10, "end": s * 10 + 5,
                         "text": texts[(d + s) % len(texts)], "vader_compound": (d - s) / 7})
    return pd.DataFrame(rows)


def _one_shot(frame: pd.DataFrame, name: str, path):
    frame = frame[order_columns(name, frame.columns)]
    to_csv(sort_frame(frame, TABLE_KEYS[name]), path)
    return path


def test_doc_blocks_count_physical_lines():
    frame = sort_frame(_sentences(10), ["doc_id", "sent_id"])
    blocks = dict(doc_blocks(frame))
    assert sum(blocks.values()) == len(frame) + sum(t.count("\n") for t in frame["text"])
    d = frame[frame["doc_id"] == "d009"]  # d = 7: two sentences, one with three newlines
    assert list(d["text"]) == ["three\n\nlines\n", "ünïcödé “curly”"]
    assert blocks["d009"] == 2 + 3


NO_CR = [t for t in TEXTS if "\r" not in t]


@pytest.mark.parametrize("texts", [TEXTS, NO_CR], ids=["with-cr", "no-cr"])
@pytest.mark.parametrize("n_runs", [1, 3, 7])
def test_block_merge_equals_one_shot_csv(tmp_path, n_runs, texts):
    frame = _sentences(30, texts)
    expected = _one_shot(frame, "sentences", tmp_path / "expected.csv")
    sink = CsvSink(tmp_path / "out", TABLE_KEYS, order_columns)
    docs = sorted(frame["doc_id"].unique())
    for i in range(n_runs):  # runs hold interleaved doc_ids, as chunks of events do
        mine = docs[i::n_runs]
        sink.add("sentences", frame[frame["doc_id"].isin(mine)])
    sink.finish()
    _same_table(tmp_path / "out" / "sentences.csv", expected)


def test_runs_with_other_columns_are_reheadered(tmp_path):
    frame = _sentences(12, NO_CR)
    frame["n_quoted_words_media"] = range(len(frame))
    expected = _one_shot(frame.fillna({"n_quoted_words_media": 0}), "sentences",
                         tmp_path / "expected.csv")
    sink = CsvSink(tmp_path / "out", TABLE_KEYS, order_columns)
    a = frame[frame["doc_id"] < "d006"]
    b = frame[frame["doc_id"] >= "d006"]
    sink.add("sentences", b.drop(columns=["n_quoted_words_media"]).assign(
        n_quoted_words_media=b["n_quoted_words_media"]))
    sink.add("sentences", a[[c for c in a.columns if c != "vader_compound"]].assign(
        vader_compound=a["vader_compound"]))
    sink.finish()
    _same_table(tmp_path / "out" / "sentences.csv", expected)


def test_rendered_runs_replay_byte_for_byte(tmp_path):
    frame = _sentences(20)
    cache = RenderCache(tmp_path / "cache")
    first = CsvSink(tmp_path / "first", TABLE_KEYS, order_columns)
    first.capture()
    first.add("sentences", frame.iloc[::2])
    first.add("sentences", frame.iloc[1::2])
    cache.put("k", first.captured(), n_ids=7)
    first.finish()  # deletes the sink's own runs: the cache keeps its copies
    second = CsvSink(tmp_path / "second", TABLE_KEYS, order_columns)
    runs, n_ids = cache.get("k")
    assert n_ids == 7 and [name for name, _ in runs] == ["sentences", "sentences"]
    for name, run in runs:
        second.add_run(name, run)
    second.finish()
    assert (tmp_path / "second" / "sentences.csv").read_bytes() == \
        (tmp_path / "first" / "sentences.csv").read_bytes()
    assert cache.get("missing") is None
    # an index in the format of an earlier kit version is a miss, not an error
    (tmp_path / "cache" / "render" / "k" / "runs.json").write_text("[]", encoding="utf-8")
    assert cache.get("k") is None


def test_cached_id_runs_are_shifted_when_replayed(tmp_path):
    """Shared passages: runs numbered from 1 in a group, shifted by the passages before it."""
    frame = pd.DataFrame({"passage_id": [1, 1, 2], "doc_id": ["a", "b", "a"], "start": [0, 5, 9],
                          "end": [4, 8, 12], "text": ["one", "two", "three"], "similarity": 1.0})
    first = CsvSink(tmp_path / "first", TABLE_KEYS, order_columns, in_order=("shared",))
    first.capture()
    first.add("shared", frame)
    cache = RenderCache(tmp_path / "cache")
    cache.put("k", first.captured(), n_ids=2)
    runs, n_ids = cache.get("k")
    second = CsvSink(tmp_path / "second", TABLE_KEYS, order_columns, in_order=("shared",))
    second.add("shared", frame)            # an earlier group with passages 1 and 2
    for name, run in runs:
        run.id_offset += 2
        second.add_run(name, run)
    second.finish()
    out = pd.read_csv(tmp_path / "second" / "shared.csv")
    assert out["passage_id"].tolist() == [1, 1, 2, 3, 3, 4]
    assert out["text"].tolist() == ["one", "two", "three"] * 2


def test_overlapping_runs_fall_back_to_row_merge(tmp_path):
    frame = _sentences(9, NO_CR)
    expected = _one_shot(frame, "sentences", tmp_path / "expected.csv")
    sink = CsvSink(tmp_path / "out", TABLE_KEYS, order_columns)
    sink.add("sentences", frame[frame["sent_id"] == 1])  # the same doc_id in two runs
    sink.add("sentences", frame[frame["sent_id"] != 1])
    sink.finish()
    _same_table(tmp_path / "out" / "sentences.csv", expected)


@pytest.mark.parametrize("texts", [TEXTS, NO_CR], ids=["with-cr", "no-cr"])
def test_doc_blocks_from_rendered_text_equal_the_cell_scan(texts):
    frame = sort_frame(_sentences(30, texts), ["doc_id", "sent_id"])
    scanned = doc_blocks(frame)
    assert doc_blocks(frame, csv_text(frame).count("\n")) == scanned
    one_line = frame.assign(text="x")  # the fast path: one physical line per row
    assert doc_blocks(one_line, csv_text(one_line).count("\n")) == [(d, n) for d, n in
                                                         doc_blocks(one_line)]
    assert sum(n for _, n in doc_blocks(one_line, csv_text(one_line).count("\n"))) == len(frame)


def test_a_carriage_return_anywhere_quotes_every_text_value():
    plain = pd.DataFrame({"doc_id": ["a", "b"], "n": [1, 2], "text": ["x", "y"]})
    assert csv_text(plain) == "doc_id,n,text\na,1,x\nb,2,y\n"
    with_cr = plain.assign(text=["x", "y\rz"])
    assert csv_text(with_cr) == '"doc_id","n","text"\n"a",1,"x"\n"b",2,"y\rz"\n'


def test_runs_rendered_elsewhere_equal_runs_rendered_by_the_sink(tmp_path):
    """What a worker renders (:func:`render`) and the sink adds gives the same files."""
    frame = _sentences(30)
    by_sink = CsvSink(tmp_path / "a", TABLE_KEYS, order_columns)
    by_worker = CsvSink(tmp_path / "b", TABLE_KEYS, order_columns)
    docs = sorted(frame["doc_id"].unique())
    for i in range(3):
        part = frame[frame["doc_id"].isin(docs[i::3])]
        by_sink.add("sentences", part)
        by_worker.add_rendered("sentences", render(part, TABLE_KEYS["sentences"],
                                                   order_columns("sentences", part.columns)))
    by_worker.add_rendered("sentences", render(frame.iloc[:0], TABLE_KEYS["sentences"],
                                               list(frame.columns)))  # no rows: header only
    a, b = by_sink.finish(), by_worker.finish()
    assert a[0].read_bytes() == b[0].read_bytes()
    _same_table(b[0], _one_shot(frame, "sentences", tmp_path / "expected.csv"))


def test_id_offset_runs_are_renumbered_when_merged(tmp_path):
    """Shared passages rendered per event (numbered from 1) get the event's offset at the merge:
    the same file as rendering the renumbered frames, also with newlines and quotes in values
    and a run that needs a new header."""
    def passages(n, texts):
        return pd.DataFrame({"passage_id": [p for p in range(1, n + 1) for _ in (0, 1)],
                             "doc_id": [d for _ in range(n) for d in ("a", "b")],
                             "start": 0, "end": 5,
                             "text": [texts[i % len(texts)] for i in range(2 * n)],
                             "similarity": 0.75})
    def merged(first, second, folder):
        second = second.assign(outlet="X")            # a column the first lacks: reheadered
        keys, cols = TABLE_KEYS["shared"], order_columns("shared", second.columns)
        by_frames = CsvSink(folder / "a", TABLE_KEYS, order_columns, in_order=["shared"])
        by_frames.add("shared", first)
        by_frames.add("shared", second.assign(passage_id=second["passage_id"] + 3))
        offset = CsvSink(folder / "b", TABLE_KEYS, order_columns, in_order=["shared"])
        offset.add_rendered("shared", render(first, keys, order_columns("shared", first.columns)))
        offset.add_rendered("shared", render(second, keys, cols), id_offset=3)
        a, b = by_frames.finish(), offset.finish()
        assert a[0].read_bytes() == b[0].read_bytes()
        return b[0]

    # carriage returns: every text value quoted (csv_text); compared byte for byte
    merged(passages(3, TEXTS[:4]), passages(4, TEXTS[9:] + TEXTS[:3]), tmp_path / "cr")
    plain = [t for t in TEXTS if "\r" not in t]
    got = _read(merged(passages(3, plain[:3]), passages(4, plain[3:]), tmp_path / "lf"))
    assert got["passage_id"].tolist() == [str(p) for p in range(1, 8) for _ in (0, 1)]
    assert got["text"].tolist()[6:8] == plain[3:5]     # 'say "hi"', 'comma, here'
    assert got["outlet"].tolist() == [""] * 6 + ["X"] * 8


def test_a_run_without_leading_ids_is_an_internal_error(tmp_path):
    sink = CsvSink(tmp_path / "a", TABLE_KEYS, order_columns, in_order=["shared"])
    bad = pd.DataFrame({"passage_id": ["x1"], "doc_id": ["a"]})
    sink.add_rendered("shared", render(bad, ["doc_id"], ["passage_id", "doc_id"]), id_offset=2)
    with pytest.raises(RuntimeError, match="record without a leading id"):
        sink.finish()


@pytest.mark.parametrize("texts", [TEXTS, [t for t in TEXTS if "\r" not in t],
                                   ["a", "b, c", 'd "e"']])
def test_runs_written_to_a_file_in_slices_equal_one_shot_rendering(tmp_path, monkeypatch, texts):
    """A worker on the same machine writes its run to a file, a few rows at a time: the same
    bytes and article blocks as rendering it at once (also when a late slice has a carriage
    return, which switches the whole run to quoting every text value)."""
    import analysis.sinks as sinks
    monkeypatch.setattr(sinks, "RENDER_SLICE", 4)
    frame = _sentences(25, texts)
    keys, cols = TABLE_KEYS["sentences"], order_columns("sentences", frame.columns)
    at_once = render(frame, keys, cols)
    to_file = render(frame, keys, cols, folder=tmp_path)
    assert to_file.data is None and to_file.blocks == at_once.blocks
    assert Path(to_file.path).read_bytes() == at_once.data
    sink = CsvSink(tmp_path / "out", TABLE_KEYS, order_columns)
    sink.add_rendered("sentences", to_file)
    _same_table(sink.finish()[0], _one_shot(frame, "sentences", tmp_path / "expected.csv"))


def _random_frame(rng, n_rows: int) -> pd.DataFrame:
    """Columns of every type the kit writes, with missing values, tricky text, repeated values
    and floats of every shape (negative zero, huge, tiny, infinite, NaN)."""
    import numpy as np
    pool = TEXTS + ["x", "y", " lead", "trail ", "a,b", '"', '""', "\u2028sep", "tab\there"]
    floats = [0.0, -0.0, 1.0, 0.1, 1e-05, 1e16, 123456789.125, -2.5, 1 / 3, float("inf"),
              float("-inf"), float("nan"), 5e-324,
              np.frombuffer(np.int64(0x7FF8000000000001).tobytes())[0]]  # a NaN of other bits
    text = [rng.choice(pool) if rng.random() > 0.1 else None for _ in range(n_rows)]
    return pd.DataFrame({
        "doc_id": pd.array([f"d{rng.randrange(5)}" for _ in range(n_rows)], dtype="str"),
        "n": np.array([rng.randrange(-5, 10**12) for _ in range(n_rows)], dtype=np.int64),
        "share": np.array([rng.choice(floats) if rng.random() < 0.5 else rng.uniform(-1e3, 1e3)
                           for _ in range(n_rows)]),
        "flag": np.array([rng.random() < 0.5 for _ in range(n_rows)]),
        "maybe_n": pd.array([rng.randrange(100) if rng.random() > 0.3 else None
                             for _ in range(n_rows)], dtype="Int64"),
        "maybe_flag": pd.array([rng.random() < 0.5 if rng.random() > 0.3 else None
                                for _ in range(n_rows)], dtype="boolean"),
        "text": pd.array(text, dtype="str"),
        "label": pd.Series(text, dtype=object),
    })


def test_csv_text_is_pandas_to_csv_byte_for_byte():
    """The kit's own CSV formatting gives exactly pandas's text, for every column type."""
    import random
    rng = random.Random(3)
    for trial in range(60):
        frame = _random_frame(rng, rng.randint(0, 40))
        want = frame.to_csv(index=False, lineterminator="\n")
        if "\r" in want:
            want = frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
        assert csv_text(frame) == want, trial
        # pandas writes what the fast path does not take: other types, non-text objects
        mixed = frame.assign(label=[1.5] + [None] * (len(frame) - 1)) if len(frame) else frame
        assert csv_text(mixed) == mixed.to_csv(index=False, lineterminator="\n") or "\r" in want
