"""Where finished rows go: frames in memory (the API) or sorted CSV files (the CLI).

:class:`CsvSink` writes each frame it receives as a sorted CSV *run* and, at the end, merges
the runs of a table into one sorted CSV per table, streaming, so memory does not grow with the
corpus. Per-article tables (sorted by ``doc_id`` first) are merged by *article blocks*: when a
run is written the sink records how many physical lines each article's rows take, so the merge
copies whole blocks of lines in ``doc_id`` order instead of parsing every row. Runs already
rendered by an earlier run (:class:`RenderCache`) are merged the same way without being
rendered again.
"""
from __future__ import annotations

import csv
import heapq
import io
import json
import mmap
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["MemorySink", "CsvSink", "RenderCache", "Rendered", "render", "to_csv", "csv_text",
           "merge_runs", "csv_line"]

#: key columns compared as integers when merging rows (they are written as digits)
INT_KEYS = {"sent_id", "quote_id", "start", "line", "unit_id", "passage_id", "record"}


def sort_frame(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` sorted (stable) by the ``keys`` it has, with a fresh index."""
    keys = [k for k in keys if k in frame.columns]
    if keys and len(frame):
        frame = frame.sort_values(keys, kind="stable")
    return frame.reset_index(drop=True)


def to_csv(frame: pd.DataFrame, path) -> None:
    """The tables contract's CSV: UTF-8, header, RFC 4180 quoting, ``\\n`` line ends."""
    Path(path).write_bytes(csv_text(frame).encode("utf-8"))


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as the contract's CSV text (header, RFC 4180 quoting, ``\\n`` line ends).

    Python's CSV writer quotes a value with a line feed but not one with a lone carriage
    return (not part of the ``\\n`` terminator); readers would split the row there. Article
    text is normalised to ``\\n`` on loading, so this is rare: a frame with a ``\\r`` anywhere
    is written with every non-numeric value quoted. (A ``\\r`` can only come from a value, so
    the rendered text is checked rather than every cell.)
    """
    text = _frame_csv(frame, True, csv.QUOTE_MINIMAL)
    if "\r" in text:
        text = _frame_csv(frame, True, csv.QUOTE_NONNUMERIC)
    return text  # shortest round-trip floats


def _frame_csv(frame: pd.DataFrame, header: bool, quoting: int) -> str:
    """``frame.to_csv(index=False, header=header, lineterminator="\\n", quoting=quoting)``,
    the same text, faster for minimal quoting and the usual column types: floats are written
    with ``repr`` (the same shortest round-trip digits as NumPy's formatting, three times
    faster), every column is formatted and quoted once per distinct value, and the rows are
    joined without the CSV writer's check of every field."""
    cells = _csv_cells(frame) if quoting == csv.QUOTE_MINIMAL and len(frame) else None
    if cells is None:
        return frame.to_csv(index=False, header=header, lineterminator="\n", quoting=quoting)
    rows = "\n".join(map(",".join, zip(*cells))) + "\n"
    if not header:
        return rows
    return ",".join(_csv_quoted([str(c) for c in frame.columns])) + "\n" + rows


_NEEDS_QUOTES = re.compile(r'[,"\n]')


def _csv_quoted(values: list[str]) -> list[str]:
    """``values`` as Python's CSV writer writes them with minimal quoting (a lone ``\\r`` is
    not quoted either: :func:`csv_text` then writes the frame again quoting all text)."""
    search = _NEEDS_QUOTES.search
    return [f'"{v.replace(chr(34), chr(34) * 2)}"' if search(v) else v for v in values]


def _csv_cells(frame: pd.DataFrame) -> list[list[str]] | None:
    """Each column's CSV fields, or None when pandas must write the frame: a column type other
    than the usual ones, an object column holding more than text, a single column (whose empty
    field the writer quotes) or repeated column names. Each column is formatted once per
    distinct value (tables such as coverage repeat a unit's label on every row; sentiment
    scores and shares repeat too)."""
    if len(frame.columns) < 2 or not frame.columns.is_unique:
        return None
    out = []
    for name in frame.columns:
        col = frame[name]
        dtype = col.dtype
        if isinstance(dtype, np.dtype) and dtype == np.float64:
            # formatted once per distinct bit pattern (so -0.0 stays "-0.0"); NaN: empty field
            values = np.ascontiguousarray(col.to_numpy())
            codes, uniques = pd.factorize(values.view(np.int64))
            uniques = uniques.view(np.float64)
            fields = np.array(list(map(repr, uniques.tolist())), dtype=object)
            fields[np.isnan(uniques)] = ""
            out.append(fields[codes].tolist())
            continue
        if not (isinstance(dtype, np.dtype) and dtype.kind in "iub" or dtype == object
                or isinstance(dtype, (pd.StringDtype, pd.Int64Dtype, pd.BooleanDtype))):
            return None
        codes, uniques = pd.factorize(col.array, use_na_sentinel=True)
        uniques = uniques.tolist()
        if dtype == object or isinstance(dtype, pd.StringDtype):
            if any(type(v) is not str for v in uniques):
                return None
            fields = _csv_quoted(uniques)
        else:
            fields = [str(v) for v in uniques]
        # a missing value's code is -1: the last entry, the empty field
        out.append(np.array(fields + [""], dtype=object)[codes].tolist())
    return out


def _char_counts(col: pd.Series, char: str) -> pd.Series | None:
    """Occurrences of ``char`` in each value of a text column (0 for missing); None if not text."""
    if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        return col.str.count(char).fillna(0).astype("int64")  # vectorised (Arrow strings)
    if col.dtype == object:
        return pd.Series([v.count(char) if isinstance(v, str) else 0 for v in col.tolist()],
                         index=col.index, dtype="int64")
    return None


class Rendered(NamedTuple):
    """A frame rendered as one sorted CSV run, ready for :meth:`CsvSink.add_rendered`.

    ``data`` is the UTF-8 CSV with its header (None for a table with no rows, whose header
    still counts, or when the run was written to ``path``); ``blocks`` as in :func:`doc_blocks`.
    Rendering is pure, so it can run in a worker process and only bytes (or, on one machine,
    only the file name) travel back.
    """
    columns: list[str]
    data: bytes | None
    blocks: list[tuple[str, int]] | None
    path: str | None = None


#: rows rendered at a time when a run is written to a file (bounds the text held at once)
RENDER_SLICE = 20_000


def render(frame: pd.DataFrame, keys: list[str], columns: list[str], folder=None) -> Rendered:
    """``frame[columns]`` sorted by ``keys`` and rendered (article blocks when keyed by doc_id);
    with ``folder``, written to a new file there, ``RENDER_SLICE`` rows at a time."""
    if not len(frame):
        return Rendered(list(columns), None, None)
    frame = sort_frame(frame[columns], keys)
    by_doc = keys[:1] == ["doc_id"]
    if folder is None:
        text = csv_text(frame)
        blocks = doc_blocks(frame, text.count("\n")) if by_doc else None
        return Rendered(list(columns), text.encode("utf-8"), blocks)
    path = Path(folder) / f"run.{uuid.uuid4().hex}.csv"
    with open(path, "wb") as fh:
        n_lines = _write_csv(frame, fh)
    return Rendered(list(columns), None, doc_blocks(frame, n_lines) if by_doc else None,
                    str(path))


def _write_csv(frame: pd.DataFrame, fh) -> int:
    """Write :func:`csv_text` of ``frame`` to ``fh`` slice by slice (the same bytes); returns
    the number of line feeds written."""
    quoting = csv.QUOTE_MINIMAL
    while True:
        fh.seek(0)
        fh.truncate()
        n_lines = 0
        for start in range(0, len(frame), RENDER_SLICE):
            text = _frame_csv(frame.iloc[start:start + RENDER_SLICE], start == 0, quoting)
            if "\r" in text and quoting == csv.QUOTE_MINIMAL:
                break  # as csv_text: every non-numeric value quoted, from the start
            n_lines += text.count("\n")
            fh.write(text.encode("utf-8"))
        else:
            return n_lines
        quoting = csv.QUOTE_NONNUMERIC


def csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def doc_blocks(frame: pd.DataFrame, n_lines: int | None = None) -> list[tuple[str, int]] | None:
    """``(doc_id, physical lines)`` per article of a frame sorted by ``doc_id``, or None.

    A row takes one line plus one per newline inside its values (CSV keeps them in quotes).
    ``n_lines``, the line feeds of the frame's rendered CSV, when known: if it has one line
    per row, no value holds a newline and the cells need not be scanned.
    """
    if "doc_id" not in frame.columns or not len(frame):
        return None
    if n_lines is not None and n_lines == len(frame) + 1:
        per_doc = frame.groupby(frame["doc_id"].astype(str), sort=False).size()
        return [(str(d), int(n)) for d, n in per_doc.items()]
    lines = pd.Series(1, index=frame.index, dtype="int64")
    for c in frame.columns:
        counts = _char_counts(frame[c], "\n")
        if counts is not None:
            lines += counts
    per_doc = lines.groupby(frame["doc_id"].astype(str), sort=False).sum()
    return [(str(d), int(n)) for d, n in per_doc.items()]


class MemorySink:
    """Collect frames in memory; :meth:`finish` returns them concatenated and sorted."""

    def __init__(self, table_keys: dict[str, list[str]], order_columns):
        self.parts: dict[str, list[pd.DataFrame]] = {}
        self.table_keys = table_keys
        self.order_columns = order_columns

    def add(self, name: str, frame: pd.DataFrame, group=None) -> None:
        if frame is not None and len(frame.columns):
            self.parts.setdefault(name, []).append(frame)

    def finish(self) -> dict[str, pd.DataFrame]:
        out = {}
        for name, frames in self.parts.items():
            frames = [f for f in frames if len(f)] or frames[:1]
            frame = pd.concat(frames, ignore_index=True)
            frame = frame[self.order_columns(name, frame.columns)]
            out[name] = sort_frame(frame, self.table_keys.get(name, []))
        return out


class Run:
    """One sorted CSV run: its file, header and (per-article tables) its article blocks."""

    def __init__(self, path: Path | None, columns: list[str],
                 blocks: list[tuple[str, int]] | None, id_offset: int = 0):
        """``path=None``: no rows, only the header of an empty table. ``id_offset``: added to
        the first column (an id numbered from 1 in the run, e.g. ``passage_id``) when merged."""
        self.path = Path(path) if path is not None else None
        self.columns, self.blocks = list(columns), blocks
        self.id_offset = id_offset

    def to_json(self, base: Path) -> dict:
        file = self.path.relative_to(base).as_posix() if self.path is not None else None
        return {"file": file, "columns": self.columns, "blocks": self.blocks,
                "id_offset": self.id_offset}

    @classmethod
    def from_json(cls, data: dict, base: Path) -> "Run":
        blocks = [tuple(b) for b in data["blocks"]] if data["blocks"] is not None else None
        path = base / data["file"] if data["file"] is not None else None
        return cls(path, data["columns"], blocks, data.get("id_offset", 0))


class CsvSink:
    """Write frames as sorted CSV runs, then merge the runs into one sorted CSV per table.

    ``in_order`` tables are written in key order run after run (per-event tables, event by
    event) and are merged by concatenation; the others by a streaming k-way merge.
    """

    def __init__(self, out_dir, table_keys: dict[str, list[str]], order_columns,
                 in_order=()):
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=".runs-", dir=self.out))
        self.table_keys = table_keys
        self.order_columns = order_columns
        self.in_order = set(in_order)
        self.runs: dict[str, list[Run]] = {}
        self.columns: dict[str, list[str]] = {}
        self._captured: dict[object, list[tuple[str, Run]]] = {}
        self._names: dict = {}  # one copy of each header and doc_id for all runs (memory)

    def _note_columns(self, name: str, columns) -> None:
        cols = self.columns.setdefault(name, list(columns))
        for c in columns:
            if c not in cols:
                cols.append(c)

    def add(self, name: str, frame: pd.DataFrame, group=None) -> None:
        """Render ``frame`` as a run of table ``name`` (recorded for ``group`` if captured)."""
        if frame is None or not len(frame.columns):
            return
        # the final column order, so that runs of the same columns need no rewriting at merge
        self.add_rendered(name, render(frame, self.table_keys.get(name, []),
                                       self.order_columns(name, frame.columns)), group)

    def add_rendered(self, name: str, rendered: Rendered | None, group=None,
                     id_offset: int = 0) -> None:
        """Add a run rendered by :func:`render` (possibly in a worker process); ``id_offset``
        is added to its first column when the runs are merged (see :class:`Run`)."""
        if rendered is None:
            return
        self._note_columns(name, rendered.columns)
        if rendered.path is not None:  # written by a worker on this machine
            self._append(name, Run(rendered.path, rendered.columns, rendered.blocks, id_offset),
                         group)
            return
        if rendered.data is None:
            if group in self._captured:  # an empty table still fixes its header
                self._captured[group].append((name, Run(None, rendered.columns, None)))
            return
        path = self.tmp / f"{name}.{uuid.uuid4().hex}.csv"
        path.write_bytes(rendered.data)
        self._append(name, Run(path, rendered.columns, rendered.blocks, id_offset), group)

    def _shared(self, value):
        return self._names.setdefault(value, value)

    def add_run(self, name: str, run: Run) -> None:
        """Add a run rendered earlier (from :class:`RenderCache`); its file is only read."""
        self._note_columns(name, run.columns)
        if run.path is not None:
            self._append(name, run)

    def _append(self, name: str, run: Run, group=None) -> None:
        # runs arrive unpickled from workers, each with its own copies of the same strings
        run.columns = list(self._shared(tuple(run.columns)))
        if run.blocks is not None:
            run.blocks = [(self._shared(d), n) for d, n in run.blocks]
        self.runs.setdefault(name, []).append(run)
        if group in self._captured:
            self._captured[group].append((name, run))

    def capture(self, group=None) -> None:
        """Start recording the runs added for ``group`` (to store with :meth:`RenderCache.put`).

        Several groups can be captured at once (the pipeline analyses one group's articles
        while the previous group's events finish); each add names its group.
        """
        self._captured[group] = []

    def captured(self, group=None) -> list[tuple[str, Run]]:
        """The runs recorded for ``group`` since :meth:`capture`; recording stops."""
        return self._captured.pop(group, [])

    def discard(self) -> None:
        """Remove the scratch folder of runs (after a failed or interrupted run)."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def finish(self) -> list[Path]:
        written = []
        for name in self.columns:
            path = self.out / f"{name}.csv"
            merge_runs(self.runs.get(name, []), self.order_columns(name, self.columns[name]),
                       self.table_keys.get(name, []), path, self.tmp,
                       in_order=name in self.in_order)
            written.append(path)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return written


def _reheader(run: Run, columns: list[str], tmp: Path) -> Run:
    """The run rewritten with ``columns`` (missing ones empty); line counts are unchanged."""
    if run.columns == columns:
        return run
    if run.id_offset and columns[:1] != run.columns[:1]:
        raise ValueError(f"a run with id_offset needs the same first column: {run.columns[:1]} "
                         f"vs {columns[:1]}")
    path = tmp / f"reheader.{uuid.uuid4().hex}.csv"
    with open(run.path, newline="", encoding="utf-8") as fh, \
            open(path, "w", newline="", encoding="utf-8") as out:
        reader = csv.reader(fh)
        idx = {c: i for i, c in enumerate(next(reader))}
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in reader:
            writer.writerow([row[idx[c]] if c in idx else "" for c in columns])
    return Run(path, columns, run.blocks, run.id_offset)


def _merge_blocks(runs: list[Run], out) -> None:
    """Copy each article's block of lines, in ``doc_id`` order, from the run holding it.

    Files are read as bytes so that only ``\n`` ends a line (a ``\r`` inside a quoted value
    does not).
    """
    handles = []
    try:
        for run in runs:
            fh = open(run.path, "rb")
            fh.readline()  # header
            handles.append(fh)
        streams = [[(doc, i, n) for doc, n in run.blocks] for i, run in enumerate(runs)]
        for _, i, n in heapq.merge(*streams):
            fh = handles[i]
            for _ in range(n):
                out.write(fh.readline())
        for run, fh in zip(runs, handles):
            if fh.read(1):
                raise RuntimeError(f"internal error: {run.path} has more lines than its article "
                                   "blocks record; delete the cache folder and run again")
    finally:
        for fh in handles:
            fh.close()


def merge_runs(runs: list[Run], columns: list[str], keys: list[str], path: Path, tmp: Path,
               in_order: bool = False) -> None:
    """Merge sorted CSV runs into one sorted CSV with ``columns`` (streaming).

    ``in_order``: the runs follow each other in key order; they are concatenated. Runs with
    article blocks whose ``doc_id`` sets are disjoint are merged block by block; any other
    runs row by row.
    """
    header_line = csv_line(columns)
    tmp = Path(tmp)  # the sink's scratch folder (re-headered runs), removed with it
    if in_order:
        with open(path, "wb") as out:
            out.write(header_line.encode("utf-8"))
            for run in runs:
                run = _reheader(run, columns, tmp)
                with open(run.path, "rb") as fh:
                    fh.readline()
                    if run.id_offset:
                        _copy_with_offset(fh, out, run.id_offset, run.path)
                    else:
                        shutil.copyfileobj(fh, out)
        return
    if any(r.id_offset for r in runs):
        raise ValueError(f"runs with an id_offset must be merged in order (table {path.name}): "
                         "pass the table in the sink's in_order")
    if runs and keys[:1] == ["doc_id"] and all(r.blocks is not None for r in runs) \
            and _disjoint(runs):
        with open(path, "wb") as out:
            out.write(header_line.encode("utf-8"))
            _merge_blocks([_reheader(r, columns, tmp) for r in runs], out)
        return
    _merge_rows(runs, columns, keys, path, header_line)


#: one CSV record whose first field is an unquoted integer: (id)(rest of the record, ``\n``)
_ID_RECORD = re.compile(rb'(\d++)((?:"[^"]*+"|[^"\n]++)*+\n)')


def _copy_with_offset(fh, out, offset: int, name) -> None:
    """Copy the records after ``fh``'s position to ``out`` with ``offset`` added to the first
    field (read through a memory map: the run is never held in memory whole)."""
    start = fh.tell()
    size = os.fstat(fh.fileno()).st_size
    if start >= size:
        return
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        pos = start
        while pos < size:
            m = _ID_RECORD.match(data, pos)
            if m is None:
                raise RuntimeError(f"internal error: {name} has a record without a leading id "
                                   f"at byte {pos}")
            out.write(b"%d" % (int(m[1]) + offset))
            out.write(m[2])
            pos = m.end()


def _disjoint(runs: list[Run]) -> bool:
    seen: set[str] = set()
    for run in runs:
        docs = [d for d, _ in run.blocks]
        if seen.intersection(docs) or len(set(docs)) != len(docs):
            return False
        seen.update(docs)
    return True


def _merge_rows(runs: list[Run], columns: list[str], keys: list[str], path: Path,
                header_line: str) -> None:
    def rows(run: Run):
        with open(run.path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            idx = {c: i for i, c in enumerate(next(reader))}
            pick = [idx.get(c) for c in columns]
            kpos = [idx[k] for k in keys]
            kint = [k in INT_KEYS for k in keys]
            for row in reader:
                key = tuple((0, int(row[i]), "") if ki and row[i].lstrip("-").isdigit()
                            else (1, 0, row[i]) for i, ki in zip(kpos, kint))
                yield key, [row[i] if i is not None else "" for i in pick]

    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(header_line)
        writer = csv.writer(fh, lineterminator="\n")
        for _, values in heapq.merge(*(rows(r) for r in runs), key=lambda kv: kv[0]):
            writer.writerow(values)


def link_or_copy(src, dest: Path) -> None:
    """``dest`` holds ``src``'s bytes: a hard link when both are on one file system, else a copy
    (written under a temporary name, so ``dest`` is never partial)."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


class RenderCache:
    """CSV runs rendered for a group of events, stored under a key of all the group's inputs.

    Layout: ``<root>/render/<key>/`` with the run files and ``runs.json`` (table, file, header,
    article blocks, id offset; and ``n_ids``, how many ids the group numbered, e.g. shared
    passages) written last, so an interrupted write is ignored. A warm run whose group key
    matches adds these runs to the sink: nothing is analysed or rendered again.
    """

    FORMAT = 2

    def __init__(self, root):
        self.folder = Path(root) / "render"

    def get(self, key: str) -> tuple[list[tuple[str, Run]], int] | None:
        """``(runs, n_ids)`` as given to :meth:`put`, or None (not stored, or an older format)."""
        base = self.folder / key
        index = base / "runs.json"
        if not index.exists():
            return None
        data = json.loads(index.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != self.FORMAT:
            return None
        return [(item["table"], Run.from_json(item, base)) for item in data["runs"]], data["n_ids"]

    def put(self, key: str, runs: list[tuple[str, Run]], n_ids: int = 0) -> None:
        """Store ``runs``; ``n_ids``: how many ids (numbered with the runs' ``id_offset``) they use."""
        base = self.folder / key
        base.mkdir(parents=True, exist_ok=True)
        items = []
        for n, (table, run) in enumerate(runs):
            if run.path is None:
                items.append({"table": table, **run.to_json(base)})
                continue
            dest = base / f"{n:05d}.{table}.csv"
            link_or_copy(run.path, dest)
            items.append({"table": table,
                          **Run(dest, run.columns, run.blocks, run.id_offset).to_json(base)})
        tmp = base / f".runs.json.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"format": self.FORMAT, "runs": items, "n_ids": int(n_ids)}),
                       encoding="utf-8")
        os.replace(tmp, base / "runs.json")
