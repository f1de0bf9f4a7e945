"""Load a corpus into the ``articles`` frame: one row per article, page furniture removed.

A corpus is either

* a **directory** with a ``manifest.csv`` naming each article's ``file`` (plain text or HTML)
  and its metadata, or
* a **single file** (CSV, JSONL or Parquet) with one article per row and a ``text`` column
  (other column names are mapped with ``columns=`` or a ``preset`` such as ``"mediacloud"``).

Nothing is dropped silently. A record that cannot be loaded raises :class:`CorpusError` naming
the file, line or field and the likely fix; with ``lenient=True`` it is recorded in
``skipped`` instead, and ``records in == articles loaded + records skipped`` always holds.
"""
from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import warnings
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CorpusError, problem
from .furniture import split_furniture
from .tokens import count_words

ARTICLE_COLUMNS = ["doc_id", "outlet", "event", "title", "published", "source_path",
                   "n_words", "n_sentences", "text"]
METADATA_COLUMNS = ["url", "outlet_type", "country", "wire_agency", "outlet_evidence",
                    "confidence", "encoding", "record", "duplicate_of"]
REMOVED_COLUMNS = ["doc_id", "line", "rule", "text"]
SKIPPED_COLUMNS = ["source", "record", "reason"]
FILE_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                 ".pq": "parquet"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}

#: Column mappings for common exports. Media Cloud's story lists name the outlet ``media_name``
#: and the date ``publish_date``; their ids are ``stories_id`` (legacy) or ``id`` (current).
PRESETS: dict[str, dict[str, str]] = {
    "mediacloud": {"stories_id": "doc_id", "id": "doc_id", "media_name": "outlet",
                   "publish_date": "published", "story_text": "text", "full_text": "text"},
}

#: Names under which exports commonly hold a kit column, tried in this order (case and
#: surrounding spaces ignored) when a single-file corpus has no column of the kit's name and no
#: ``columns``/``preset`` entry maps one to it; each use is reported as a loader warning. To
#: keep such a column out, map it to another name (``--column source=source_label``).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "story_text", "full_text", "article_text", "maintext", "content"),
    "outlet": ("outlet", "media_name", "source_name", "source.name", "publication", "publisher",
               "source", "media", "site_name", "sitename", "domain"),
    "published": ("published", "publish_date", "published_at", "publishedat", "publication_date",
                  "pub_date", "date"),
    "doc_id": ("doc_id", "stories_id", "story_id", "article_id", "id"),
    "title": ("title", "headline"),
    "event": ("event",),
}


class CorpusWarning(UserWarning):
    """Input is doubtful but usable (for example not UTF-8 and decoded as cp1252)."""


def _warn(warn: list[str], msg: str) -> None:
    """Issue a loader warning and keep it with the loaded corpus (the report lists them)."""
    warnings.warn(msg, CorpusWarning, stacklevel=4)
    warn.append(msg)


@dataclass
class LoadedCorpus:
    """The result of reading a corpus: articles, removed page furniture and skipped records."""

    articles: pd.DataFrame
    removed: pd.DataFrame
    skipped: pd.DataFrame
    n_records: int
    warnings: list[str] = field(default_factory=list)


class _Problems:
    """Collects per-record problems: raise on the first (strict) or record them (lenient)."""

    def __init__(self, lenient: bool):
        self.lenient = lenient
        self.rows: list[dict] = []

    def add(self, source, record, message: str) -> None:
        if not self.lenient:
            raise CorpusError(message + " (or load with lenient=True / --lenient to skip such "
                              "records and list them in skipped.csv)")
        self.rows.append({"source": str(source), "record": str(record), "reason": message})


# ---------------------------------------------------------------------------------------------
# decoding

def _decode(data: bytes, path: Path, warn: list[str]) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM allowed), else cp1252 with a warning; refuse binary data."""
    head = data[:8192]
    if b"\x00" in head:
        raise CorpusError(problem(path, "binary data (NUL bytes), not a text file",
                                  fix="point the manifest at the article's .txt or .html file"))
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise CorpusError(problem(path, f"not UTF-8 (byte {data[exc.start]:#04x} at offset "
                                      f"{exc.start}) and not cp1252 either",
                                      fix="re-save the file as UTF-8")) from None
        msg = problem(path, f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}); "
                      "decoded as cp1252 (Windows-1252)", fix="re-save the file as UTF-8 if the "
                      "characters look wrong")
        _warn(warn, msg)
        return text, "cp1252"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------------
# readers: each yields (record_number, source_path, fields dict) in input order

#: characters (bytes for the UTF-8 check) read at a time from a corpus file
READ_BLOCK = 1 << 20


def _is_utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8 (read in blocks, never held in memory)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(READ_BLOCK), b""):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text_lines(path: Path, warn: list[str]):
    """The file's lines, decoded and newline-normalised, streamed.

    The same lines as ``_normalise_newlines(_decode(...)).split("\\n")``, but a UTF-8 file is
    read block by block, so a large corpus file is never held in memory whole. Files that need
    the binary check's error or the cp1252 fallback (and its warning) take that path.
    """
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if b"\x00" in head or not _is_utf8(path):
        text, _ = _decode(path.read_bytes(), path, warn)
        yield from _normalise_newlines(text).split("\n")
        return
    pending, carry = "", ""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for block in iter(lambda: fh.read(READ_BLOCK), ""):
            block = carry + block
            carry = "\r" if block.endswith("\r") else ""  # maybe the first half of "\r\n"
            lines = _normalise_newlines(block[:len(block) - len(carry)]).split("\n")
            lines[0] = pending + lines[0]
            pending = lines.pop()
            yield from lines
    yield from (pending + _normalise_newlines(carry)).split("\n")


def _csv_source(lines):
    """Lines as ``csv.reader`` input: each with its ``\\n``, except the last (as in the file)."""
    prev = None
    for line in lines:
        if prev is not None:
            yield prev + "\n"
        prev = line
    if prev:
        yield prev


def _read_csv_records(path: Path, warn: list[str], problems: _Problems):
    reader = csv.reader(_csv_source(_text_lines(path, warn)))
    try:
        header = next(reader)
    except StopIteration:
        raise CorpusError(problem(path, "empty CSV file (no header row)",
                                  fix="the first line must name the columns")) from None
    header = [h.strip() for h in header]

    def rows():
        start = reader.line_num + 1
        for row in reader:
            if row and any(c.strip() for c in row):
                yield start, row
            start = reader.line_num + 1

    # streamed with one row of look-ahead (a record cut short is recognised by the next row)
    it = rows()
    current = next(it, None)
    while current is not None:
        line, row = current
        following = next(it, None)
        if len(row) != len(header):
            problems.add(path, line, problem(
                path, f"expected {len(header)} fields (header: {', '.join(header)}), found "
                f"{len(row)}", line=line, fix="a field containing a line break, comma or quote "
                "must be enclosed in double quotes (RFC 4180)"))
        elif following is not None and len(following[1]) < len(header):
            # the next line is a fragment: this record was most likely cut by an unquoted line
            # break, so its last field is incomplete; refuse it rather than load half a text
            problems.add(path, line, problem(
                path, f"record probably cut short: line {following[0]} continues it with "
                f"{len(following[1])} field(s)", line=line, fix="enclose fields that contain "
                "line breaks in double quotes (RFC 4180)"))
        else:
            yield line, path, dict(zip(header, row))
        current = following


def _read_jsonl_records(path: Path, warn: list[str], problems: _Problems):
    for line_no, line in enumerate(_text_lines(path, warn), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(path, line_no, problem(
                path, f"malformed JSON ({exc.msg}, column {exc.colno})", line=line_no,
                fix="each line must be one complete JSON object; a truncated last line is a "
                "common cause"))
            continue
        if not isinstance(obj, dict):
            problems.add(path, line_no, problem(path, f"expected a JSON object, found "
                                                f"{type(obj).__name__}", line=line_no))
            continue
        yield line_no, path, _flatten(obj)


def _flatten(rec: dict) -> dict:
    """A record with each nested object one level down made columns ``key.subkey`` (NewsAPI's
    ``"source": {"id": ..., "name": "Reuters"}`` gives ``source.id`` and ``source.name``); a
    ``text`` object is kept whole, for the loader's error."""
    if not any(isinstance(v, dict) for v in rec.values()):
        return rec
    out = {}
    for k, v in rec.items():
        if isinstance(v, dict) and k != "text":
            for kk, vv in v.items():
                out[f"{k}.{kk}"] = vv
        else:
            out[k] = v
    return out


def _read_parquet_records(path: Path, warn: list[str], problems: _Problems):
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for corrupt files
        raise CorpusError(problem(path, f"cannot be read as Parquet ({exc})",
                                  fix="check that the file is a complete Parquet file")) from None
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        yield i, path, _flatten(rec)


# ---------------------------------------------------------------------------------------------
# field helpers

def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and pd.isna(value):
        return ""
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.isoformat()
    return str(value).strip()


def _iso_date(value: str, source, line, problems_list: list[str]) -> str:
    """Normalise a date to ISO ``YYYY-MM-DD`` (or full ISO datetime when a time is given)."""
    if not value:
        return ""
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        msg = problem(source, f"'published' value '{value}' is not a date", line=line,
                      field="published", fix="use ISO 8601, e.g. 2014-05-19")
        raise CorpusError(msg) from None
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    if ts == ts.normalize():
        return ts.date().isoformat()
    return ts.isoformat()


def _line_set(value: str, source, line) -> frozenset[int]:
    if not value:
        return frozenset()
    try:
        return frozenset(int(v) for v in re.split(r"[;,\s]+", value) if v)
    except ValueError:
        raise CorpusError(problem(source, f"expected line numbers separated by ';', found "
                                  f"'{value}'", line=line, field="drop_lines/keep_lines")) from None


def detect_columns(columns, mapping: dict[str, str] | None = None,
                   targets=tuple(COLUMN_ALIASES)) -> dict[str, str]:
    """Extra ``{input column: kit column}`` entries for kit columns that ``columns`` (one
    record's names) lack under ``mapping``: the first of :data:`COLUMN_ALIASES` present, case
    and surrounding spaces ignored ("Text", "media_name", "publish_date"). Input columns that
    ``mapping`` already maps, or that hold a kit column's name, are left alone."""
    mapping = mapping or {}
    present = {mapping.get(c, c) for c in columns}
    free = {}                                    # normalised name -> first such input column
    for c in columns:
        if isinstance(c, str) and c not in mapping and c not in COLUMN_ALIASES:
            free.setdefault(c.strip().lower(), c)
    found: dict[str, str] = {}
    for target in targets:
        if target in present:
            continue
        for alias in COLUMN_ALIASES[target]:
            c = free.get(alias)
            if c is not None and c not in found:
                found[c] = target
                break
    return found


def _column_notes(path: Path, columns, mapping: dict[str, str], targets) -> tuple[dict, list]:
    """``mapping`` plus :func:`detect_columns`' entries for the first record's ``columns``, and
    the loader warnings saying which columns were read as which and which kit columns are still
    missing (an outlet column above all: without one every article's outlet is 'unknown')."""
    found = detect_columns(columns, mapping, targets)
    messages = []
    if found:
        pairs = ", ".join(f"'{c}' as {t}" for c, t in found.items())
        messages.append(f"{path.name}: read column {pairs} (no column of the kit's name); to "
                        "read another, map it with --column NAME=TARGET (columns= in Python)")
        mapping = {**mapping, **found}
    present = {mapping.get(c, c) for c in columns}
    if "outlet" not in present:
        cols = ", ".join(map(str, columns))
        messages.append(f"{path.name}: no outlet column (columns: {cols}): every article's "
                        "outlet is 'unknown', so outlets cannot be compared; map the column "
                        "naming the outlet with --column NAME=outlet")
    return mapping, messages


def _map_columns(rec: dict, mapping: dict[str, str]) -> dict:
    out = {}
    for key, value in rec.items():
        target = mapping.get(key, key)
        if target in out and _clean(out[target]):
            continue  # first non-empty mapped source wins (e.g. "id" vs "stories_id")
        out[target] = value
    return out


# ---------------------------------------------------------------------------------------------
# article assembly

def _html_to_text(html: str, path: Path) -> tuple[str, str]:
    """Main text and title of an HTML page, extracted with trafilatura."""
    import trafilatura

    text = trafilatura.extract(html, output_format="txt", include_comments=False,
                               include_tables=False, include_images=False, deduplicate=False)
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta is not None and meta.title else "") or ""
    return text or "", title


def _assemble(rec: dict, *, doc_id: str, raw: str, source_path: str, source, line,
              furniture, encoding: str, removed_rows: list, problems: _Problems,
              defaults: dict, body=None) -> dict | None:
    try:
        return _assemble_checked(rec, doc_id=doc_id, raw=raw, source_path=source_path,
                                 source=source, line=line, furniture=furniture, encoding=encoding,
                                 removed_rows=removed_rows, problems=problems, defaults=defaults,
                                 body=body)
    except CorpusError as exc:  # a bad field: stop (strict) or skip only this record (lenient)
        problems.add(source, line, str(exc))
        return None


def _unpaired_surrogate(rec: dict) -> str | None:
    """Name of the first text field holding an unpaired UTF-16 surrogate (cannot be UTF-8)."""
    for key, value in rec.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return str(key)
    return None


def _body_job(rec: dict, raw: str, furniture, source, line) -> tuple:
    """The arguments of :func:`_split_body` for a record (raises CorpusError for a bad
    ``keep_lines``/``drop_lines`` field)."""
    return (_normalise_newlines(raw), _clean(rec.get("title")), furniture,
            _line_set(_clean(rec.get("keep_lines")), source, line),
            _line_set(_clean(rec.get("drop_lines")), source, line))


def _split_body(job: tuple) -> tuple[str, int, list, str | None]:
    """A record's text without its page furniture, its word count, the removed lines and the
    headline found (``job``: :func:`_body_job`). Pure: it may run in a worker process."""
    raw, title, furniture, keep, drop = job
    body, removed, title_found = split_furniture(raw, title=title, rules=furniture,
                                                 keep_lines=keep, drop_lines=drop)
    text = "\n\n".join(ln for _, ln in body)
    return text, count_words(text), removed, title_found


def _split_bodies(jobs: list) -> list:
    """:func:`_split_body` of each job (one task of the read-ahead, :func:`_read_ahead`)."""
    return [_split_body(job) for job in jobs]


def _assemble_checked(rec: dict, *, doc_id: str, raw: str, source_path: str, source, line,
                      furniture, encoding: str, removed_rows: list, problems: _Problems,
                      defaults: dict, body=None) -> dict | None:
    bad = _unpaired_surrogate({**rec, "text": raw})
    if bad:
        raise CorpusError(problem(source, "contains an unpaired UTF-16 surrogate (an escape such "
                                  "as \\ud83d: half of an emoji), which is not valid text",
                                  line=line, field=bad, fix="repair the export (the full escape "
                                  "pair is needed) or drop the broken character"))
    title = _clean(rec.get("title"))
    job = _body_job(rec, raw, furniture, source, line)
    # ``body``: (job, result) computed ahead, maybe in another process; used only if its job is
    # this one (the read-ahead's guess of the record's job can differ only in odd records)
    text, n_words, removed, title_found = (
        body[1] if body is not None and body[0] == job else _split_body(job))
    if not n_words:
        what = ("empty text" if not raw.strip() else "no words in the text" if not count_words(raw)
                else "no text left after removing page furniture")
        if source_path and not source_path.startswith(f"{Path(str(source)).name}#"):
            where_ = Path(str(source)).parent / source_path  # folder corpus: the article file
            msg = problem(where_, f"{what} ({Path(str(source)).name} line {line})",
                          fix="check the article file; a record needs text")
        else:
            msg = problem(source, what, line=line, field="text",
                          fix="check the record; a record needs text")
        problems.add(source, line, msg)
        return None
    removed_rows.extend({"doc_id": doc_id, "line": r.line, "rule": r.rule, "text": r.text}
                        for r in removed)
    row = {k: _clean(v) for k, v in rec.items() if k not in ("text", "file")}
    row.update({
        "doc_id": doc_id,
        "outlet": _clean(rec.get("outlet")) or defaults["outlet"],
        "event": _clean(rec.get("event")) or defaults["event"],
        "title": title or title_found or "",
        "published": _iso_date(_clean(rec.get("published")), source, line, []),
        "source_path": source_path,
        "n_words": n_words,
        "text": text,
        "encoding": encoding,
        "record": str(line),
    })
    return row


#: rows converted to a frame at a time while loading (bounds the loader's Python objects)
ROW_BATCH = 2000


class _Rows:
    """The loaded articles' rows, turned into Arrow-backed frames every :data:`ROW_BATCH` rows.

    A row's text then lives in Python only briefly; holding every row as Python objects until
    the end tripled the loader's peak memory (1.5 GB for a 260 MB corpus of 50,000 articles).
    """

    def __init__(self):
        self.frames: list[pd.DataFrame] = []
        self.batch: list[dict] = []
        self.columns: dict[str, None] = {}

    def append(self, row: dict) -> None:
        self.batch.append(row)
        self.columns.update(dict.fromkeys(row))
        if len(self.batch) >= ROW_BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.batch:
            self.frames.append(pd.DataFrame(self.batch))
            self.batch = []

    def frame(self, columns: list[str]) -> pd.DataFrame:
        """All rows with ``columns`` (a column a batch lacks is missing there), sorted by doc_id."""
        self._flush()
        if not self.frames:
            return pd.DataFrame(columns=columns)
        frames = [f.reindex(columns=columns) if list(f.columns) != columns else f
                  for f in self.frames]
        self.frames = []
        out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        del frames
        for c in columns:  # a column missing from some batches: strings with missing values
            if out[c].dtype == object and c != "n_words":
                out[c] = out[c].astype("str")
        order = out["doc_id"].argsort(kind="stable").to_numpy()  # doc_ids are unique
        if (order != np.arange(len(out))).any():
            out = out.take(order).reset_index(drop=True)
        return out


def _finish(rows: _Rows, removed: list[dict], problems: _Problems, n_records: int,
            warn: list[str], count_sentences: bool) -> LoadedCorpus:
    extra = sorted(c for c in rows.columns if c not in ARTICLE_COLUMNS + METADATA_COLUMNS)
    present = dict(rows.columns)
    articles = rows.frame(ARTICLE_COLUMNS + METADATA_COLUMNS + extra)
    if count_sentences and len(articles):
        from .segment import sentences as split_sentences

        counts = split_sentences(articles[["doc_id", "text"]]).groupby("doc_id").size()
        articles["n_sentences"] = articles["doc_id"].map(counts).fillna(0).astype("int64")
    else:
        articles["n_sentences"] = pd.Series(pd.NA, index=articles.index, dtype="Int64")
    for col in METADATA_COLUMNS:
        if col not in present:
            articles[col] = ""
    articles["n_words"] = articles["n_words"].astype("int64")
    removed_df = pd.DataFrame(removed, columns=REMOVED_COLUMNS)
    removed_df = removed_df.sort_values(["doc_id", "line"], kind="stable").reset_index(drop=True)
    skipped = pd.DataFrame(problems.rows, columns=SKIPPED_COLUMNS)
    if len(articles) + len(skipped) != n_records:  # the kit's bookkeeping promise
        raise AssertionError(f"records in ({n_records}) != loaded ({len(articles)}) + skipped "
                             f"({len(skipped)}); please report this bug")
    return LoadedCorpus(articles, removed_df, skipped, n_records, warn)


class _Duplicates:
    """Articles whose text repeats that of an earlier article (in record order) of the same
    outlet and event, whitespace aside: an export that lists a story twice (two URLs, a
    re-crawl) would count it twice in that outlet's figures. Each row gets ``duplicate_of``
    (the first article's doc_id, or ""); with ``drop``, repeats are left out and listed in
    ``skipped`` instead (in strict mode too: it was asked for)."""

    def __init__(self, source: Path, drop: bool):
        self.source, self.drop = source, drop
        self.first: dict[bytes, str] = {}
        self.n = 0
        self.dropped: set[str] = set()

    def keep(self, row: dict, line, problems: _Problems) -> bool:
        key = hashlib.blake2b("\0".join((row["outlet"], row["event"], " ".join(
            row["text"].split()))).encode("utf-8", "surrogatepass"), digest_size=16).digest()
        first = self.first.setdefault(key, row["doc_id"])
        row["duplicate_of"] = "" if first == row["doc_id"] else first
        if not row["duplicate_of"]:
            return True
        self.n += 1
        if not self.drop:
            return True
        self.dropped.add(row["doc_id"])
        problems.rows.append({"source": str(self.source), "record": str(line), "reason": problem(
            self.source, f"same text as doc_id '{first}' of the same outlet and event, left out "
            "(drop_duplicates / --drop-duplicates)", line=line, field="text")})
        return False

    def notes(self, warn: list[str], removed: list[dict]) -> list[dict]:
        """Warn how many repeats there were; ``removed`` without the dropped articles' lines."""
        if self.n:
            msg = (f"{self.source.name}: {self.n:,} article(s) repeat the text of an earlier "
                   "article of the same outlet and event")
            msg += ("; left out (--drop-duplicates) and listed in skipped.csv" if self.drop else
                    " (articles.csv column duplicate_of names it); they are analysed like the "
                    "others: pass --drop-duplicates (drop_duplicates=True) to leave them out")
            _warn(warn, msg)
        if self.dropped:
            removed = [r for r in removed if r["doc_id"] not in self.dropped]
        return removed


def _register_id(doc_id: str, seen: dict, source, line, problems: _Problems) -> bool:
    if doc_id in seen:
        problems.add(source, line, problem(source, f"duplicate doc_id '{doc_id}' (first used on "
                                           f"line {seen[doc_id]})", line=line, field="doc_id",
                                           fix="every article needs a unique doc_id"))
        return False
    seen[doc_id] = line
    return True


def _read_directory(root: Path, *, furniture, lenient, defaults, count_sentences,
                    mapping, detect=True, drop_duplicates=False) -> LoadedCorpus:
    manifest = root / "manifest.csv"
    if not manifest.is_file():
        found = sorted(p.name for p in root.iterdir() if p.suffix in {".txt", ".html", ".htm"})[:5]
        hint = f" (article files seen: {', '.join(found)})" if found else ""
        raise CorpusError(problem(root, f"no manifest.csv in this folder{hint}",
                                  fix="create manifest.csv with at least a 'file' column (and "
                                  "outlet, event, title, published), or pass a CSV/JSONL/"
                                  "Parquet file with a 'text' column"))
    warn: list[str] = []
    problems = _Problems(lenient)
    records = list(_read_csv_records(manifest, warn, problems))
    n_records = len(records) + len(problems.rows)
    if records:   # (the text comes from each row's file, not from a column)
        targets = ("outlet", "published", "doc_id", "title", "event") if detect else ()
        mapping, messages = _column_notes(manifest, list(records[0][2]), mapping, targets)
        for msg in messages:
            _warn(warn, msg)
    if records and "file" not in _map_columns(records[0][2], mapping):
        cols = ", ".join(records[0][2])
        raise CorpusError(problem(manifest, f"no 'file' column (columns: {cols})",
                                  line=1, fix="add a 'file' column naming each article's file"))
    rows, removed, seen = _Rows(), [], {}
    repeats = _Duplicates(manifest, drop_duplicates)
    root_resolved = root.resolve()
    for line, _, rec in records:
        rec = _map_columns(rec, mapping)
        name = _clean(rec.get("file"))
        if not name:
            problems.add(manifest, line, problem(manifest, "empty 'file' field", line=line,
                                                 field="file", fix="name the article's file"))
            continue
        path = (root / name)
        try:
            resolved = path.resolve()
            resolved.relative_to(root_resolved)
        except ValueError:
            problems.add(manifest, line, problem(
                manifest, f"file '{name}' lies outside the corpus folder", line=line,
                field="file", fix="copy the article into the corpus folder and name it relative "
                "to manifest.csv, without '../'"))
            continue
        if not resolved.is_file():
            problems.add(manifest, line, problem(
                manifest, f"file '{name}' not found in {root}", line=line, field="file",
                fix="check the spelling and that the file is in the corpus folder"))
            continue
        doc_id = _clean(rec.get("doc_id")) or Path(name).stem
        if not _register_id(doc_id, seen, manifest, line, problems):
            continue
        try:
            raw, encoding = _decode(resolved.read_bytes(), path, warn)
            if resolved.suffix.lower() in HTML_SUFFIXES:
                raw, html_title = _html_to_text(raw, path)
                if not _clean(rec.get("title")) and html_title:
                    rec["title"] = html_title
        except CorpusError as exc:
            problems.add(path, line, f"{exc} (manifest.csv line {line})")
            del seen[doc_id]
            continue
        rel = path.relative_to(root).as_posix()
        row = _assemble(rec, doc_id=doc_id, raw=raw, source_path=rel, source=manifest,
                        line=line, furniture=furniture, encoding=encoding,
                        removed_rows=removed, problems=problems, defaults=defaults)
        if row is None:
            del seen[doc_id]
            continue
        if repeats.keep(row, line, problems):
            rows.append(row)
    removed = repeats.notes(warn, removed)
    return _finish(rows, removed, problems, n_records, warn, count_sentences)


def _read_file(path: Path, *, kind: str, furniture, lenient, defaults, count_sentences,
               mapping, detect=True, drop_duplicates=False, executor=None) -> LoadedCorpus:
    warn: list[str] = []
    problems = _Problems(lenient)
    reader = {"csv": _read_csv_records, "jsonl": _read_jsonl_records,
              "parquet": _read_parquet_records}[kind]
    # the reader records its problems in ``shadow``; _read_ahead passes them on to ``problems``
    # in their place among the records, so reading ahead changes neither errors nor their order
    shadow = _Problems(lenient=True)
    counted = _Counted(reader(path, warn, shadow), shadow)  # streamed, never listed whole
    records = iter(counted)
    first = next(records, None)
    _replay(shadow.rows, problems)
    if first is not None:
        mapping, messages = _column_notes(path, list(first[2]), mapping,
                                          tuple(COLUMN_ALIASES) if detect else ())
        for msg in messages:
            _warn(warn, msg)
        if "text" not in _map_columns(first[2], mapping):
            cols = ", ".join(map(str, counted.first_columns))
            raise CorpusError(problem(path, f"no 'text' column (columns: {cols})",
                                      field="text", fix="map the column holding the article "
                                      "body, e.g. columns={'body': 'text'} or --column body=text"))

    def prepare(item):
        line, _, rec = item
        rec = _map_columns(rec, mapping)
        raw = rec.get("text")
        try:  # the record's job if it passes the checks below (else it is never used)
            job = _body_job(rec, raw, furniture, path, line) if isinstance(raw, str) else None
        except CorpusError:
            job = None
        return rec, job

    rows, removed, seen = _Rows(), [], {}
    repeats = _Duplicates(path, drop_duplicates)
    ahead = _read_ahead(itertools.chain([first] if first else [], records), shadow, problems,
                        prepare, executor)
    for n, ((line, _, _), rec, body) in enumerate(ahead, start=1):
        doc_id = _clean(rec.get("doc_id")) or str(n)
        if not _register_id(doc_id, seen, path, line, problems):
            continue
        raw = rec.get("text")
        if isinstance(raw, (list, dict, tuple)) or (not isinstance(raw, str) and hasattr(raw, "__len__")
                                                     and not isinstance(raw, (str, bytes))):
            problems.add(path, line, problem(path, f"the text must be a string, found "
                                             f"{type(raw).__name__}", line=line, field="text",
                                             fix="join the paragraphs into one string"))
            del seen[doc_id]
            continue
        raw = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)
        if "\x00" in raw:
            problems.add(path, line, problem(path, "binary data (NUL bytes) in the text field",
                                             line=line, field="text"))
            del seen[doc_id]
            continue
        row = _assemble(rec, doc_id=doc_id, raw=raw, source_path=f"{path.name}#{line}",
                        source=path, line=line, furniture=furniture, encoding="utf-8",
                        removed_rows=removed, problems=problems, defaults=defaults, body=body)
        if row is None:
            del seen[doc_id]
            continue
        if repeats.keep(row, line, problems):
            rows.append(row)
    removed = repeats.notes(warn, removed)
    n_records = counted.n_records
    if n_records == 0:
        raise CorpusError(problem(path, "no records (the file holds no article)",
                                  fix="check that the export finished writing"))
    return _finish(rows, removed, problems, n_records, warn, count_sentences)


class _Finished:
    """A read-ahead task done in this process (the part of a future the read-ahead uses)."""

    def __init__(self, value):
        self.value = value

    def done(self) -> bool:
        return True

    def cancel(self) -> bool:
        return False

    def result(self):
        return self.value


def _replay(rows: list[dict], problems: _Problems) -> None:
    """Pass ``rows`` (problems a reader recorded) to ``problems`` (strict: raise the first)."""
    for row in rows:
        problems.add(row["source"], row["record"], row["reason"])


#: records per read-ahead task, and how many tasks the read-ahead keeps in flight
READ_AHEAD_TASK = 16
READ_AHEAD_TASKS = 8
#: records read before the read-ahead uses the executor: a corpus of fewer records (the
#: pipeline's "tiny" corpus, run in one process) never starts worker processes to load
READ_AHEAD_SERIAL = 256


def _read_ahead(items, shadow: _Problems, problems: _Problems, prepare, executor=None):
    """Yield ``(item, prepared, body)`` for each reader item, in order.

    ``prepare(item)`` gives ``(prepared, job)``; ``body`` is ``(job, _split_body(job))``, or
    None when ``job`` is None. With an ``executor`` (anything with ``submit``, such as a
    ``ProcessPoolExecutor``), the furniture splits of the next records run in its workers while
    this process goes through the current ones, after the first :data:`READ_AHEAD_SERIAL`
    records; a task its workers have not started yet when its turn comes is run here instead.
    The reader's problems (``shadow``, which the reader reports to) are passed to ``problems``
    just before the record that followed them, as if read in step: in strict mode the same
    problem raises, after the same records.
    """
    it = iter(items)
    mark = len(shadow.rows)   # the reader's problems before the first item were replayed
    queue: deque = deque()    # tasks [entries, jobs, future or None]; an entry is
                              # (reader problems before it, item, prepared, job)
    n_read, tail = 0, None

    def fill() -> None:
        nonlocal mark, n_read, tail
        while tail is None and len(queue) < READ_AHEAD_TASKS:
            entries = []
            while len(entries) < READ_AHEAD_TASK:
                item = next(it, None)
                rows = shadow.rows[mark:]
                mark = len(shadow.rows)
                if item is None:
                    tail = rows
                    break
                entries.append((rows, item, *prepare(item)))
            n_read += len(entries)
            jobs = [e[3] for e in entries if e[3] is not None]
            use = executor is not None and jobs and n_read > READ_AHEAD_SERIAL
            queue.append([entries, jobs, executor.submit(_split_bodies, jobs) if use else None])

    def results_of(task) -> list:
        _, jobs, future = task
        if future is None or (not future.done() and future.cancel()):
            return _split_bodies(jobs)
        return future.result()

    while True:
        fill()
        if not queue:
            break
        head = queue.popleft()
        while head[2] is not None and not head[2].done():
            # waiting (for example while the workers start): do a task no worker has taken yet,
            # the last one queued, here
            idle = next((t for t in reversed(queue) if t[2] is not None and t[2].cancel()), None)
            if idle is None:
                break
            idle[2] = _Finished(_split_bodies(idle[1]))
        results = iter(results_of(head))
        for rows, item, prepared, job in head[0]:
            _replay(rows, problems)
            yield item, prepared, None if job is None else (job, next(results))
    _replay(tail or [], problems)


class _Counted:
    """Iterate a reader's records, counting them and the records the reader itself skipped."""

    def __init__(self, records, problems: _Problems):
        self._records, self._problems = records, problems
        self.n_yielded = self.n_reader_skipped = 0
        self.first_columns: list = []

    def __iter__(self):
        it = iter(self._records)
        while True:
            before = len(self._problems.rows)
            item = next(it, None)
            self.n_reader_skipped += len(self._problems.rows) - before
            if item is None:
                return
            if not self.n_yielded:
                self.first_columns = list(item[2])
            self.n_yielded += 1
            yield item

    @property
    def n_records(self) -> int:
        return self.n_yielded + self.n_reader_skipped


def read_corpus(path, *, columns: dict[str, str] | None = None, preset: str | None = None,
                lenient: bool = False, furniture: str | None = "furniture",
                default_outlet: str = "unknown", default_event: str = "unknown",
                count_sentences: bool = True, detect: bool = True,
                drop_duplicates: bool = False, executor=None) -> LoadedCorpus:
    """Read a corpus and return articles, removed furniture lines and skipped records.

    Parameters
    ----------
    path : str or Path
        A corpus directory with ``manifest.csv`` or a ``.csv``, ``.jsonl`` or ``.parquet`` file.
    columns : dict, optional
        Map input column names to the kit's names, e.g. ``{"media_name": "outlet"}``.
    preset : {"mediacloud"}, optional
        A named column mapping for a known export format (``columns`` entries take precedence).
    lenient : bool
        Record unloadable records in ``skipped`` instead of raising :class:`CorpusError`.
    furniture : str or None
        Page-furniture rules file (bundled name or path); ``None`` keeps every line.
    default_outlet, default_event : str
        Values used where a record has no outlet or event.
    count_sentences : bool
        Fill ``n_sentences`` (splits every article into sentences once).
    detect : bool
        Read a kit column the input lacks from a common export name for it (``body`` or
        ``content`` as text, ``media_name`` or ``source`` as outlet, ``publish_date`` as
        published, ``Title`` as title: :data:`COLUMN_ALIASES`), judged on the first record,
        and warn which were used. Without an outlet column at all a warning says so either way.
    drop_duplicates : bool
        Leave out (and list in ``skipped``) articles whose text repeats, whitespace aside, an
        earlier article's of the same outlet and event. Without it they are kept, marked in
        ``duplicate_of`` with the first article's doc_id, and a warning counts them.
    executor : concurrent.futures.Executor, optional
        Split page furniture off the records of a CSV, JSONL or Parquet corpus in this
        executor's worker processes while the records are read (the pipeline passes its own
        workers); the result is the same as without it.

    Returns
    -------
    LoadedCorpus
        ``articles`` (one row per article: doc_id, outlet, event, title, published,
        source_path, n_words, n_sentences, text, then metadata), ``removed`` (doc_id, line,
        rule, text), ``skipped`` (source, record, reason) and ``n_records``.
    """
    path = Path(path)
    mapping: dict[str, str] = {}
    if preset is not None:
        if preset not in PRESETS:
            raise CorpusError(f"preset '{preset}' unknown; known presets: {', '.join(PRESETS)}")
        mapping.update(PRESETS[preset])
    mapping.update(columns or {})
    defaults = {"outlet": default_outlet, "event": default_event}
    kw = dict(furniture=furniture, lenient=lenient, defaults=defaults,
              count_sentences=count_sentences, mapping=mapping, detect=detect,
              drop_duplicates=drop_duplicates)
    if path.is_dir():
        return _read_directory(path, **kw)
    if not path.exists():
        raise CorpusError(problem(path, "no such file or folder",
                                  fix="give a corpus folder with manifest.csv or a CSV/JSONL/"
                                  "Parquet file"))
    kind = FILE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise CorpusError(problem(path, f"unsupported corpus file type '{path.suffix}'",
                                  fix=f"use one of {', '.join(sorted(FILE_SUFFIXES))} or a folder "
                                  "with manifest.csv"))
    return _read_file(path, kind=kind, executor=executor, **kw)


def load_corpus(path, **options) -> pd.DataFrame:
    """Load a corpus as the ``articles`` frame (see :func:`read_corpus` for the options).

    Returns
    -------
    pandas.DataFrame
        One row per article: ``doc_id, outlet, event, title, published, source_path, n_words,
        n_sentences, text`` followed by metadata columns (url, outlet_type, country,
        wire_agency, outlet_evidence, confidence, encoding, record, duplicate_of, and any other
        manifest column). Sorted by ``doc_id``.
    """
    return read_corpus(path, **options).articles
