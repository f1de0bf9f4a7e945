"""Shared passages: quotations and sentences several outlets of one event carry (near-)verbatim.

The method is the seed-and-verify design of text-reuse detection (Smith, Cordell & Mullen 2015,
"Computational methods for uncovering reprinted texts in antebellum newspapers"; Clough et al.
2002, METER corpus of journalistic text reuse):

1. **Units.** Each article contributes its quotations (``quotes`` rows, spans without the marks)
   and the narrative stretches of its sentences (a sentence minus any quotation inside it, split
   at the quotation) with at least ``min_words`` words (``analysis.tokens`` words).
2. **Blocking.** Words are lower-cased (curly apostrophes straightened); each unit is indexed by
   its word ``shingle_size``-grams (a sparse unit x shingle matrix built per event, whose
   product with itself counts the shingles two units share). Only units that share a
   shingle are ever compared, so the cost grows with the number of copies of each passage, not with
   the square of the number of articles.
3. **Verification and alignment.** A candidate pair is checked with the longest common
   subsequence of the two word sequences (an upper bound on what can align); survivors are
   aligned as ``difflib.SequenceMatcher`` aligns words (the longest common run, then the same
   on each side of it), keeping matching runs of at least ``min_run`` words. Both are compiled
   (``analysis.align``).
   ``similarity`` = aligned words / words of the *shorter* version, so a trimmed quotation that
   keeps its words in order scores 1.0 against the full one.
4. **Passages.** Leader ("star") clustering per event: units are visited longest first; a unit
   not yet placed becomes a passage's *reference* version and takes every unit of another article
   that aligns with it at ``similarity >= min_similarity`` with at least ``min_words`` aligned
   words; a unit already taken by an earlier (longer) reference moves only if it aligns strictly
   better with the new one. Members are compared with their reference, not with each other, so
   chains of partial overlaps cannot merge unrelated text. Passages whose articles come from fewer
   than two outlets are dropped (``outlet_repeat`` marks an outlet with several articles in a
   passage, e.g. story updates).

Wire copy (``wire_copy``, one value per passage): at least two outlets carry the passage as
*narrative* (not inside quotation marks) with at least 12 aligned words and ``similarity >= 0.8``;
when one of the passage's articles is credited to a wire agency (non-empty
``articles.wire_agency``) the similarity floor drops to ``min_similarity``, because outlets edit
the wire copy they run. A shared quotation never counts (outlets quote the same news conference
independently), nor does a short formula ("X told a news conference in Brussels").
"""
from __future__ import annotations

import csv
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice, repeat
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse

from .sinks import csv_line
from .tokens import WORD_RE, word_spans

__all__ = ["shared_passages", "write_shared_passages", "shared_summary", "SHARED_COLUMNS"]

#: Columns of :func:`shared_passages`, in order (the first six are the tables contract).
SHARED_COLUMNS = [
    "passage_id", "doc_id", "start", "end", "text", "similarity",
    "event", "outlet", "kind", "passage_kind", "is_reference", "n_words", "n_aligned",
    "kept_start", "kept_end", "kept", "trimmed_before", "trimmed_after", "omitted", "added",
    "n_outlets", "n_docs", "outlet_repeat", "sent_id", "quote_id", "wire_agency", "wire_copy",
]

WIRE_MIN_SIMILARITY = 0.8
WIRE_MIN_WORDS = 12

_QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a\u2039\u203a"
_EDGE_STRIP = " \t\n,;:-\u2013\u2014" + _QUOTE_CHARS


@dataclass(slots=True)
class _Unit:
    idx: int
    doc_id: str
    event: str
    outlet: str
    kind: str                      # 'quote' or 'sentence'
    start: int
    end: int
    quote_id: object = pd.NA
    spans: list | None = None      # word offsets, while its passage's rows are made


@lru_cache(maxsize=1 << 16)
def _norm(word: str) -> str:
    return word.lower().replace("\u2019", "'").replace("\u2018", "'")


def _require(frame: pd.DataFrame, name: str, cols) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}; "
                         f"found {', '.join(map(str, frame.columns))}")


def _fragments(s: int, e: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split [s, e) at the (sorted) hole spans; return the pieces."""
    out, pos = [], s
    for hs, he in holes:
        if he <= pos or hs >= e:
            continue
        if hs > pos:
            out.append((pos, hs))
        pos = max(pos, he)
    if pos < e:
        out.append((pos, e))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _EDGE_STRIP:
        s += 1
    while e > s and text[e - 1] in _EDGE_STRIP:
        e -= 1
    return s, e


class _Texts:
    """doc_id -> article text, read from the frame's text column when asked for (the last
    ``keep`` kept): every text of a large event as a Python string took 170 MB."""

    def __init__(self, doc_ids: list, texts, keep: int = 1024):
        self._row = {d: i for i, d in enumerate(doc_ids)}
        self._texts = texts            # a column's values (pandas array or list)
        self._recent: dict = {}
        self._keep = keep

    def __getitem__(self, doc):
        text = self._recent.get(doc)
        if text is None:
            text = self._texts[self._row[doc]]
            if len(self._recent) >= self._keep:
                del self._recent[next(iter(self._recent))]   # the first fetched of those kept
            self._recent[doc] = text
        return text


class _Units:
    """The units of :func:`_build_units`, column by column (one object per unit took 400-600
    bytes: 480 MB on a 10,000-article event); a unit becomes a :class:`_Unit` only when it joins
    a passage (:meth:`unit`).

    ``flat`` holds every unit's word ids one after the other (uint32: what the LCS and the
    alignment compare), ``offsets`` where each unit's ids start (one more entry than units)."""

    __slots__ = ("doc_names", "doc_event", "doc_outlet", "doc_rank", "doc", "kind", "start",
                 "end", "quote_id", "has_quote_id", "flat", "offsets", "lens")

    def __init__(self, doc_names, doc_event, doc_outlet, doc, kind, start, end, quote_id,
                 has_quote_id, flat, offsets):
        self.doc_names, self.doc_event, self.doc_outlet = doc_names, doc_event, doc_outlet
        rank = np.empty(len(doc_names), dtype=np.int64)       # doc code -> rank of its doc_id
        rank[sorted(range(len(doc_names)), key=doc_names.__getitem__)] = np.arange(len(doc_names))
        self.doc_rank = rank
        self.doc, self.kind, self.start, self.end = doc, kind, start, end
        self.quote_id, self.has_quote_id = quote_id, has_quote_id
        self.flat = flat
        self.offsets = np.frombuffer(offsets, dtype=np.int64)
        self.lens = np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.doc)

    def ids(self, k: int) -> list[int]:
        """Word ids of unit ``k``."""
        return self.flat[self.offsets[k]:self.offsets[k + 1]].tolist()

    def unit(self, k: int) -> _Unit:
        d = int(self.doc[k])
        return _Unit(k, self.doc_names[d], self.doc_event[d], self.doc_outlet[d],
                     "quote" if self.kind[k] else "sentence", int(self.start[k]),
                     int(self.end[k]), int(self.quote_id[k]) if self.has_quote_id[k] else pd.NA)

    def ids_of(self, idx: np.ndarray) -> np.ndarray:
        """The word ids of units ``idx`` (ascending), one after the other."""
        if len(idx) == len(self):
            return self.flat
        out = np.empty(int(self.lens[idx].sum()), dtype=np.uint32)
        pos = 0
        for lo in range(0, len(idx), 20_000):         # bounded temporaries
            part = idx[lo:lo + 20_000]
            lens = self.lens[part]
            at = np.repeat(self.offsets[part] - (np.cumsum(lens) - lens), lens)
            at += np.arange(len(at))
            out[pos:pos + len(at)] = self.flat[at]
            pos += len(at)
        return out


def _build_units(articles, sentences, quotes, min_words, texts=None) -> _Units:
    """The quotation and narrative units, each with its words as ids of one vocabulary
    (normalised words numbered by first appearance). Word offsets are found again only for the
    units that end up in a passage. ``texts``: doc_id -> text (:class:`_Texts`), when the caller
    has it."""
    if texts is None:
        texts = _Texts(articles["doc_id"].astype(str).tolist(), articles["text"].array)
    info = {}                                    # doc_id -> (event, outlet, doc_id)
    for doc, event, outlet in zip(*(articles[c].tolist() for c in ("doc_id", "event", "outlet"))):
        info[str(doc)] = (event, outlet, str(doc))
    holes: dict[str, list] = defaultdict(list)
    vocab: dict[str, int] = {}
    code_of: dict[str, int] = {}
    doc_names, doc_event, doc_outlet = [], [], []
    doc, kind, starts, ends = array("i"), array("b"), array("q"), array("q")
    quote_ids, has_quote_id = array("q"), array("b")
    flat, offsets = array("I"), array("q", [0])

    def add(d, is_quote, s, e, quote_id=None):
        event, outlet, d = info[d]
        words = WORD_RE.findall(texts[d], s, e)
        if len(words) < min_words:
            return
        code = code_of.get(d)
        if code is None:
            code = code_of[d] = len(doc_names)
            doc_names.append(d)
            doc_event.append(event)
            doc_outlet.append(outlet)
        flat.extend([vocab.setdefault(_norm(w), len(vocab)) for w in words])
        offsets.append(len(flat))
        doc.append(code)
        kind.append(is_quote)
        starts.append(s)
        ends.append(e)
        quote_ids.append(0 if quote_id is None else quote_id)
        has_quote_id.append(quote_id is not None)

    if quotes is not None and len(quotes):
        q = quotes.sort_values(["doc_id", "start", "end"])
        has_marks = "mark_start" in q.columns and "mark_end" in q.columns
        n = len(q)
        marks = (zip(*_column_slices(q, ("mark_start", "mark_end"))) if has_marks else
                 repeat((pd.NA, pd.NA), n))
        qids = _column_slices(q, ("quote_id",))[0] if "quote_id" in q.columns else repeat(pd.NA, n)
        for d, s, e, (ms, me), qid in zip(*_column_slices(q, ("doc_id", "start", "end")),
                                          marks, qids):
            d = str(d)
            if d not in info:
                continue
            s, e = int(s), int(e)
            if has_marks and pd.notna(ms) and pd.notna(me):
                holes[d].append((int(ms), int(me)))
            else:
                text = texts[d]
                hs = s - 1 if s > 0 and text[s - 1] in _QUOTE_CHARS else s
                he = e + 1 if e < len(text) and text[e] in _QUOTE_CHARS else e
                holes[d].append((hs, he))
            add(d, 1, s, e, int(qid) if pd.notna(qid) else None)
    for d in holes:
        holes[d].sort()
    sent = sentences.sort_values(["doc_id", "start"])
    for d, s, e in zip(*_column_slices(sent, ("doc_id", "start", "end"))):
        d = str(d)
        if d not in info:
            continue
        text = texts[d]
        for fs, fe in _fragments(int(s), int(e), holes.get(d, [])):
            fs, fe = _trim(text, fs, fe)
            if fe > fs:
                add(d, 0, fs, fe)
    del vocab, holes
    ids = np.frombuffer(flat, dtype=np.uint32) if len(flat) else np.zeros(0, np.uint32)

    def column(values, dtype):
        return np.frombuffer(values, dtype=dtype) if len(values) else np.zeros(0, dtype)

    return _Units(doc_names, doc_event, doc_outlet, column(doc, np.int32), column(kind, np.int8),
                  column(starts, np.int64), column(ends, np.int64), column(quote_ids, np.int64),
                  column(has_quote_id, np.int8).astype(bool), ids, offsets)


def _column_slices(frame: pd.DataFrame, columns, size: int = 20_000) -> list:
    """One iterator per column over its values as Python objects, converted ``size`` rows at
    a time: whole columns as lists (a million rows of a large event) left the heap fragmented
    by 100 MB or more."""
    def values(col):
        for lo in range(0, len(frame), size):
            yield from frame[col].iloc[lo:lo + size].tolist()
    return [values(c) for c in columns]


def _shingle_matrix(flat: np.ndarray, lens: np.ndarray, size: int,
                    max_units: int | None = None) -> sparse.csr_matrix:
    """Units x shingles: which distinct word ``size``-grams ("shingles") each unit has, 1 per
    shingle (a unit shorter than ``size`` words is one shingle, all of it); ``flat`` holds the
    units' word ids one after the other, ``lens`` how many each has. Its product with its
    transpose counts the shingles two units share (:func:`_shared_batches`).

    ``max_units``: shingles found in more units than this are left out (boilerplate of a very
    large event; each would add the square of its frequency to the product)."""
    lens = np.asarray(lens, dtype=np.int64)
    n_units = len(lens)
    # (int32 positions, and shingles numbered in 16 slices by their first word: a
    # 10,000-article event has 8 million words; numbering them all at once took 300 MB at the
    # peak, sort-based np.unique with int64 temporaries 0.6 GB)
    left = np.repeat(lens.astype(np.int32), lens)            # words from each position on
    left -= np.arange(len(flat), dtype=np.int32) - np.repeat(
        (np.cumsum(lens) - lens).astype(np.int32), lens)
    starts = np.flatnonzero(left >= size).astype(np.int32)   # where a whole n-gram starts
    del left
    rows = [np.repeat(np.arange(n_units, dtype=np.int32), lens)[starts]]
    cols = [_shingle_codes(flat, starts, size)]
    n_codes = int(cols[0].max()) + 1 if len(starts) else 0
    del starts
    short: dict[bytes, int] = {}
    ends = np.cumsum(lens)
    for k in np.flatnonzero(lens < size).tolist():
        rows.append(np.array([k], dtype=np.int32))
        key = flat[ends[k] - lens[k]:ends[k]].tobytes()
        cols.append(np.array([n_codes + short.setdefault(key, len(short))], dtype=np.int32))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                          shape=(n_units, n_codes + len(short)))
    del rows, cols
    x.data[:] = 1                     # a shingle counts once per unit
    if max_units is not None:
        # entries of the shingles in too many units are dropped (their columns stay, empty)
        frequent = np.bincount(x.indices, minlength=x.shape[1]) > max_units
        if frequent.any():
            keep = ~frequent[x.indices]
            kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
            np.cumsum(keep, out=kept_before[1:])
            x = sparse.csr_matrix((x.data[keep], x.indices[keep], kept_before[x.indptr]),
                                  shape=x.shape)
    return x


#: slices in which shingles are numbered (by their first word), to bound the memory it takes
SHINGLE_SLICES = 16


def _shingle_codes(flat: np.ndarray, starts: np.ndarray, size: int) -> np.ndarray:
    """A number (int32) for the word ``size``-gram starting at each of ``starts`` in ``flat``
    (word ids): equal n-grams get equal numbers, different ones different numbers. Numbered one
    word at a time (dense codes keep the numbers small), slice by slice of first words; which
    number a shingle gets does not matter, only which positions share one."""
    out = np.empty(len(starts), dtype=np.int32)
    if not len(starts):
        return out
    base = int(flat.max()) + 1
    slice_of = (flat[starts] % SHINGLE_SLICES).astype(np.uint8)
    offset = 0
    for b in range(SHINGLE_SLICES):
        where = np.flatnonzero(slice_of == b)
        if not len(where):
            continue
        pos = starts[where]
        code = flat[pos].astype(np.int64)
        for t in range(1, size):
            code *= base
            code += flat[pos + t]
            code = pd.factorize(code)[0]
        if size == 1:
            code = pd.factorize(code)[0]
        out[where] = code + offset
        offset += int(code.max()) + 1
    return out


#: rows of the shared-shingle product computed at a time (bounds its memory on a large event)
SHARED_ROWS_BATCH = 4096


def _shared_batches(x: sparse.csr_matrix, order, placed: np.ndarray,
                    batch: int = SHARED_ROWS_BATCH):
    """The rows of ``x @ x.T`` (units sharing a shingle, and how many) for the units of
    ``order``, ``batch`` units at a time instead of the whole product (on a 10,000-article
    event that is about 100 million entries): ``(ks, part)``, the units (int64) and their rows
    (CSR, indices ascending). Units already ``placed`` (non-zero) when their batch is computed
    are left out."""
    xt = x.T.tocsr()
    order = np.asarray(order, dtype=np.int64)
    for b in range(0, len(order), batch):
        ks = order[b:b + batch]
        ks = ks[placed[ks] == 0]
        if not len(ks):
            continue
        part = (x[ks] @ xt).tocsr()
        part.sort_indices()
        yield ks, part


def _cluster_event(units: _Units, idx: np.ndarray, min_similarity, min_words, shingle_size,
                   min_run, max_steal=50, max_shingle_units=None):
    """Leader clustering of one event's units (``idx``: their positions in ``units``,
    ascending); returns list of (reference, [(member, blocks)]), units by position. The steps
    for each unit are compiled (:func:`analysis.align.claim_batch`; imported here, as numba
    takes 60-130 MB per process, which only the processes that search need)."""
    from .align import claim_batch

    n_ids = units.lens[idx]
    docs = units.doc[idx].astype(np.int64)
    # longest first, then by doc_id and start (np.lexsort is stable, as sorted() with a key;
    # a key tuple per unit took 100 MB on a large event, the order as a list 36 MB)
    order = np.lexsort((units.start[idx], units.doc_rank[docs], -n_ids))
    role = np.zeros(len(idx), dtype=np.int8)         # 0 free, 1 reference, 2 member
    owner = np.full(len(idx), -1, dtype=np.int64)
    best = np.zeros(len(idx))
    blocks = np.empty((1024, 3), dtype=np.int64)     # matching blocks of the members, by span
    span = np.zeros((len(idx), 2), dtype=np.int64)
    n_blocks = 0
    x = _shingle_matrix(units.ids_of(idx), n_ids, shingle_size, max_shingle_units)
    flat, positions = units.flat, idx.astype(np.int64)
    row_of = np.full(int(flat.max()) + 1 if len(flat) else 1, -1, dtype=np.int32)  # (scratch)
    for ks, part in _shared_batches(x, order, role):
        blocks, n_blocks, _ = claim_batch(
            ks, part.indptr.astype(np.int64), part.indices, part.data, role, owner, best, docs,
            n_ids, positions, flat, units.offsets, row_of, min_words,
            float(min_similarity), min_run, max_steal, blocks, span, n_blocks)
    # each reference's members, ascending (one stable sort, not a scan of all units per reference)
    at = idx.tolist()
    placed = np.flatnonzero(owner >= 0)
    placed = placed[np.argsort(owner[placed], kind="stable")]
    members_of: dict[int, list] = {}
    for c, k, lo, hi in zip(placed.tolist(), owner[placed].tolist(), span[placed, 0].tolist(),
                            span[placed, 1].tolist()):
        members_of.setdefault(k, []).append(
            (at[c], [tuple(b) for b in blocks[lo:hi].tolist()]))
    return [(at[k], members_of[k]) for k in order.tolist() if role[k] == 1 and k in members_of]


def _join_gaps(text: str, spans: list, idx: list[int]) -> str:
    """Text of the words at positions ``idx`` (sorted), runs joined by ' … '."""
    if not idx:
        return ""
    pieces, run = [], [idx[0]]
    for i in idx[1:]:
        if i == run[-1] + 1:
            run.append(i)
        else:
            pieces.append(run)
            run = [i]
    pieces.append(run)
    return " \u2026 ".join(text[spans[r[0]][0]:spans[r[-1]][1]] for r in pieces)


def _version_rows(ref: _Unit, members, texts: _Texts, max_gap_words: int):
    """One record per article: merge an article's member units that lie close together."""
    by_doc = defaultdict(list)
    for v, blocks in members:
        by_doc[v.doc_id].append((v, blocks))
    out = []
    for doc, items in by_doc.items():
        items.sort(key=lambda t: t[0].start)
        text = texts[doc]
        groups, cur = [], [items[0]]
        for it in items[1:]:
            # words between the pieces, counted up to one more than allowed
            gap = sum(1 for _ in islice(WORD_RE.finditer(text, cur[-1][0].end, it[0].start),
                                        max_gap_words + 1))
            if gap <= max_gap_words:
                cur.append(it)
            else:
                groups.append(cur)
                cur = [it]
        groups.append(cur)
        best = None
        for g in groups:
            # Positions: concatenate the group's words; ref positions aligned by each unit's blocks.
            spans, ref_pos, own_pos, off = [], set(), set(), 0
            for v, blocks in g:
                for i, j, n in blocks:
                    ref_pos.update(range(i, i + n))
                    own_pos.update(range(off + j, off + j + n))
                spans.extend(v.spans)
                off += len(v.spans)
            score = len(own_pos)
            if best is None or score > best[0]:
                best = (score, g, spans, ref_pos, own_pos)
        _, g, spans, ref_pos, own_pos = best
        out.append(dict(doc_id=doc, units=[v for v, _ in g], spans=spans,
                        ref_pos=sorted(ref_pos), own_pos=sorted(own_pos)))
    return out


def shared_passages(articles: pd.DataFrame, sentences: pd.DataFrame,
                    quotes: pd.DataFrame | None = None, min_similarity: float = 0.6,
                    min_words: int = 6, *, shingle_size: int = 4, min_run: int = 2,
                    max_gap_words: int = 12,
                    max_shingle_units: int | None = None) -> pd.DataFrame:
    """Find quotations and sentences that two or more outlets of the same event share.

    Parameters
    ----------
    articles : DataFrame
        ``doc_id, outlet, event, text`` (``wire_agency`` used when present).
    sentences : DataFrame
        ``doc_id, sent_id, start, end`` (``analysis.segment.sentences``).
    quotes : DataFrame, optional
        ``doc_id, quote_id, start, end`` (``mark_start, mark_end`` used when present), as from
        ``analysis.quotes.find_quotes``. Without it only sentences are compared.
    min_similarity : float
        Minimum share of the shorter version's words aligned, in order, with the reference
        version (0-1). Higher is stricter.
    min_words : int
        Minimum words of a unit and minimum aligned words of a match.
    shingle_size : int
        Word n-gram length of the blocking index (smaller finds more, slower).
    min_run : int
        Matching runs shorter than this many words are ignored when aligning (stray "the").
    max_gap_words : int
        An article's pieces of one passage (a quotation split by "he said") are merged into one
        row when at most this many words lie between them; otherwise the best piece is kept.
    max_shingle_units : int, optional
        Leave shingles carried by more units than this out of the blocking index (default: keep
        all). On an event of thousands of articles, boilerplate n-grams ("said in a statement
        on") make candidate pairs grow with the square of their frequency; a passage all of
        whose shingles are that frequent is then not found. The pipeline sets it only for
        events larger than ``Settings.coverage_max_articles`` and says so in ``notes.csv``.

    Returns
    -------
    DataFrame
        One row per (passage, article), sorted by ``passage_id, doc_id``. Columns:
        ``passage_id`` (1-based, ordered by event, first doc_id, start), ``doc_id``, ``start``,
        ``end`` (this article's version: offsets into ``articles.text``), ``text``
        (``text[start:end]``), ``similarity`` (share of the shorter of this version and the
        reference version aligned with the other; on the reference row the highest value among
        the other rows), ``event``, ``outlet``, ``kind`` (this version: ``quote`` or
        ``sentence``), ``passage_kind`` (``quote`` if any version is a quotation),
        ``is_reference`` (the longest version, which the others are aligned to), ``n_words``,
        ``n_aligned``, ``kept_start``/``kept_end``/``kept`` (the stretch of this version aligned
        with the reference), ``trimmed_before``/``trimmed_after`` (reference text this version
        lacks before/after its aligned stretch), ``omitted`` (reference words missing inside the
        stretch, runs joined by " … "), ``added`` (this version's words the reference lacks),
        ``n_outlets``, ``n_docs``, ``outlet_repeat`` (the outlet has several articles in this
        passage), ``sent_id`` (sentence containing ``start``), ``quote_id`` (quotation units),
        ``wire_agency`` (of this article), ``wire_copy`` (see module docstring).

    References
    ----------
    Smith, D. A., Cordell, R., & Mullen, A. (2015). Computational methods for uncovering reprinted
    texts in antebellum newspapers. American Literary History 27(3).
    Clough, P., Gaizauskas, R., Piao, S., & Wilks, Y. (2002). METER: Measuring text reuse. ACL.
    """
    found = _find_passages(articles, sentences, quotes, min_similarity, min_words, shingle_size,
                           min_run, max_shingle_units)
    keys, pieces, batch = [], [], []    # passage sort keys; frames of rows; rows not yet framed
    for key, rows in _passage_rows(found, min_similarity, max_gap_words):
        keys.append(key)
        batch.extend((len(keys) - 1,) + row for row in rows)
        if len(batch) >= _ROWS_PER_FRAME:
            pieces.append(_rows_frame(batch))
            batch = []
    if batch or not pieces:
        pieces.append(_rows_frame(batch))
    del batch
    if not sum(len(p) for p in pieces):
        return _empty()
    # passages numbered by (event, first doc_id, first start); a passage's rows are already in
    # (doc_id, start) order, so a stable sort by passage_id gives (passage_id, doc_id, start)
    rank = _ranks(keys)
    pid = rank[np.concatenate([p.pop("_passage").to_numpy() for p in pieces])]
    perm = np.argsort(pid, kind="stable")
    columns = {"passage_id": pid[perm]}
    for c in SHARED_COLUMNS[1:]:  # column by column: the pieces shrink as the result grows
        columns[c] = pd.concat([p.pop(c) for p in pieces], ignore_index=True).take(
            perm).reset_index(drop=True)
    return _typed(pd.DataFrame(columns))


def compile_alignment() -> int:
    """Run the passage search once on two short articles, so that numba compiles its loops
    (about 12 s) and caches them on disk: ``make venv`` calls it, and no analysis pays for the
    compilation. Returns the number of passages found (1)."""
    text = "The minister said on Monday that the troops would return to their bases soon."
    arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["x", "y"], "event": ["e", "e"],
                         "text": [text, text]})
    sents = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": [0, 0], "start": [0, 0],
                          "end": [len(text), len(text)]})
    return int(shared_passages(arts, sents)["passage_id"].nunique())


def write_shared_passages(path, columns: list[str], articles: pd.DataFrame,
                          sentences: pd.DataFrame, quotes: pd.DataFrame | None = None,
                          min_similarity: float = 0.6, min_words: int = 6, *,
                          shingle_size: int = 4, min_run: int = 2, max_gap_words: int = 12,
                          max_shingle_units: int | None = None) -> int | None:
    """:func:`shared_passages` written straight to a CSV file, never held as a frame.

    The file gets exactly the bytes ``analysis.sinks.render`` writes for the frame sorted by
    ``passage_id, doc_id`` with ``columns`` (any order of ``SHARED_COLUMNS`` with
    ``passage_id`` first), header included. Rows are written as their passage is found, to a
    scratch file next to ``path``, then copied in passage order with their numbers in front:
    the memory needed no longer grows with the table (a million rows, 250 MB as a frame, on a
    10,000-article event).

    Returns the number of passages (0: no file is written), or None when a value holds a
    carriage return (``render`` then quotes every text value): no file is left and the caller
    renders :func:`shared_passages` instead.
    """
    if list(columns[:1]) != ["passage_id"] or sorted(columns) != sorted(SHARED_COLUMNS):
        raise ValueError(f"write_shared_passages: columns must be SHARED_COLUMNS with passage_id "
                         f"first; got {columns}")
    found = _find_passages(articles, sentences, quotes, min_similarity, min_words, shingle_size,
                           min_run, max_shingle_units)
    pos = {c: i for i, c in enumerate(SHARED_COLUMNS[1:])}
    order = [pos[c] for c in columns[1:]]
    ints = [k for k, c in enumerate(columns[1:]) if c in ("sent_id", "quote_id")]
    path = Path(path)
    scratch = path.with_name(path.name + ".unsorted")
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\n")
    keys, offsets, n_rows, lengths = [], array("q"), array("q"), array("q")
    offset = 0
    try:
        with open(scratch, "wb") as fh:
            for key, rows in _passage_rows(found, min_similarity, max_gap_words):
                for row in rows:
                    values = [row[i] for i in order]
                    for k in ints:   # Int64 columns: <NA> is written empty
                        v = values[k]
                        values[k] = "" if v is pd.NA or v is None or v != v else int(v)
                    writer.writerow(values)
                encoded = [line.encode("utf-8") for line in lines.items]
                lines.items.clear()
                data = b"".join(encoded)
                if b"\r" in data:
                    return None
                lengths.extend(map(len, encoded))
                fh.write(data)
                keys.append(key)
                offsets.append(offset)
                n_rows.append(len(rows))
                offset += len(data)
        del found
        if not keys:
            return 0
        rank = _ranks(keys)
        del keys
        first_row = np.concatenate([[0], np.cumsum(np.frombuffer(n_rows, dtype=np.int64))])
        with open(scratch, "rb") as src, open(path, "wb") as out:
            out.write(csv_line(columns).encode("utf-8"))
            buf = bytearray()
            for number, k in enumerate(np.argsort(rank, kind="stable").tolist(), 1):
                src.seek(offsets[k])
                for n in lengths[first_row[k]:first_row[k + 1]]:
                    buf += b"%d," % number
                    buf += src.read(n)
                if len(buf) >= 1 << 20:
                    out.write(buf)
                    buf.clear()
            out.write(buf)
        return len(rank)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        scratch.unlink(missing_ok=True)


class _Lines:
    """A file-like target for :func:`csv.writer` that keeps each written line."""

    def __init__(self):
        self.items: list[str] = []

    def write(self, line: str) -> int:
        self.items.append(line)
        return len(line)


def _ranks(keys: list) -> np.ndarray:
    """Passage numbers (1-based) in the order of their sort keys, by processing order."""
    rank = np.empty(len(keys), dtype=np.int64)
    rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(1, len(keys) + 1)
    return rank


class _Found(NamedTuple):
    """The passages of :func:`_find_passages` and what their rows are made from."""
    passages: list       # (reference, [(member, blocks)]), in processing order; units by
    #                      position in ``units``
    units: _Units
    texts: _Texts        # doc_id -> text
    agency: dict         # doc_id -> wire agency ("" if none)
    sent_starts: dict    # doc_id -> (sentence starts, sent_ids), by start


def _find_passages(articles, sentences, quotes, min_similarity, min_words, shingle_size,
                   min_run, max_shingle_units) -> _Found:
    """Validate the inputs, build the units and cluster them into passages (steps 1-4)."""
    if not 0 < min_similarity <= 1:
        raise ValueError(f"shared_passages: min_similarity must be in (0, 1]; got {min_similarity}")
    if min_words < 1 or shingle_size < 1 or min_run < 1:
        raise ValueError("shared_passages: min_words, shingle_size and min_run must be >= 1; got "
                         f"{min_words}, {shingle_size}, {min_run}")
    _require(articles, "articles", ["doc_id", "outlet", "text"])
    _require(sentences, "sentences", ["doc_id", "sent_id", "start", "end"])
    if quotes is not None and len(quotes):
        _require(quotes, "quotes", ["doc_id", "start", "end"])
    # (no copies: pandas copies on write, and a large event's text is hundreds of megabytes)
    arts = articles[[c for c in ("doc_id", "outlet", "event", "text", "wire_agency")
                     if c in articles.columns]]
    arts["doc_id"] = arts["doc_id"].astype(str)
    arts["event"] = arts["event"].fillna("unknown").astype(str) if "event" in arts else "unknown"
    arts["outlet"] = arts["outlet"].fillna("unknown").astype(str)
    if "wire_agency" not in arts:
        arts["wire_agency"] = ""
    arts["wire_agency"] = arts["wire_agency"].fillna("").astype(str).str.strip()
    texts = _Texts(arts["doc_id"].tolist(), arts["text"].array)
    agency = dict(zip(arts["doc_id"], arts["wire_agency"]))
    sents = sentences[["doc_id", "sent_id", "start", "end"]]
    sents["doc_id"] = sents["doc_id"].astype(str)
    if quotes is not None and len(quotes):
        quotes = quotes[[c for c in ("doc_id", "quote_id", "start", "end", "mark_start", "mark_end")
                         if c in quotes.columns]]
        quotes["doc_id"] = quotes["doc_id"].astype(str)

    units = _build_units(arts, sents, quotes, min_words, texts)
    events = sorted(set(units.doc_event))
    event_code = {e: i for i, e in enumerate(events)}
    unit_event = np.array([event_code[e] for e in units.doc_event], dtype=np.int64)[units.doc] \
        if len(units) else np.zeros(0, np.int64)

    # doc_id -> (starts, sent_ids) as arrays, by start (as Python lists: 60 MB on a large event)
    by_start = sents.sort_values(["doc_id", "start"])
    bounds = by_start.groupby("doc_id", sort=False).indices
    starts_all = by_start["start"].to_numpy(dtype=np.int64)
    ids_all = by_start["sent_id"].to_numpy()
    sent_starts = {d: (starts_all[rows], ids_all[rows]) for d, rows in bounds.items()}
    del by_start, bounds

    passages = []
    doc, doc_outlet = units.doc, units.doc_outlet
    for e in range(len(events)):
        idx = np.flatnonzero(unit_event == e) if len(events) > 1 else np.arange(len(units))
        for ref, members in _cluster_event(units, idx, min_similarity, min_words, shingle_size,
                                           min_run, max_shingle_units=max_shingle_units):
            outlets = {doc_outlet[doc[ref]]} | {doc_outlet[doc[v]] for v, _ in members}
            if len(outlets) < 2:
                continue
            passages.append((ref, members))
    del unit_event
    return _Found(passages, units, texts, agency, sent_starts)


def _passage_rows(found: _Found, min_similarity: float, max_gap_words: int):
    """Per passage, in processing order: (sort key, rows as tuples of ``SHARED_COLUMNS[1:]``
    sorted by doc_id, start). The passages are taken from ``found`` as they go, so each
    passage's units are freed once its rows are made."""
    texts, agency, sent_starts = found.texts, found.agency, found.sent_starts

    def sent_of(doc, pos):
        if doc not in sent_starts:
            return pd.NA
        starts, ids = sent_starts[doc]
        i = int(np.searchsorted(starts, pos, side="right")) - 1
        return int(ids[i]) if i >= 0 else pd.NA

    passages, units = found.passages, found.units
    passages.reverse()
    while passages:
        ref, members = passages.pop()
        # the passage's units as objects, only while its rows are made
        ref, members = units.unit(ref), [(units.unit(v), blocks) for v, blocks in members]
        units_here = [ref] + [v for v, _ in members]
        for u in units_here:  # word offsets of this passage's units only, dropped below
            u.spans = word_spans(texts[u.doc_id], u.start, u.end)
        rtext = texts[ref.doc_id]
        versions = _version_rows(ref, members, texts, max_gap_words)
        rows = []
        all_ref_pos = set()
        for ver in versions:
            doc, vu, spans = ver["doc_id"], ver["units"], ver["spans"]
            text = texts[doc]
            rp, op = ver["ref_pos"], ver["own_pos"]
            rp_set, op_set = set(rp), set(op)
            all_ref_pos.update(rp)
            n_al = len(op)
            start, end = vu[0].start, vu[-1].end
            kept_s, kept_e = spans[op[0]][0], spans[op[-1]][1]
            r0, r1 = rp[0], rp[-1]
            rows.append(dict(
                doc_id=doc, start=start, end=end, text=text[start:end],
                similarity=n_al / min(len(spans), len(ref.spans)),
                kind="quote" if any(u.kind == "quote" for u in vu) else "sentence",
                is_reference=False, n_words=len(spans), n_aligned=n_al,
                kept_start=kept_s, kept_end=kept_e, kept=text[kept_s:kept_e],
                trimmed_before=rtext[ref.spans[0][0]:ref.spans[r0][0]].strip(_EDGE_STRIP) if r0 > 0 else "",
                trimmed_after=rtext[ref.spans[r1][1]:ref.spans[-1][1]].strip(_EDGE_STRIP) if r1 < len(ref.spans) - 1 else "",
                omitted=_join_gaps(rtext, ref.spans, [i for i in range(r0, r1 + 1) if i not in rp_set]),
                added=_join_gaps(text, spans, [i for i in range(len(spans)) if i not in op_set]),
                quote_id=vu[0].quote_id if len(vu) == 1 else pd.NA,
                outlet=vu[0].outlet, event=ref.event,
            ))
        rp = sorted(all_ref_pos)
        rows.append(dict(
            doc_id=ref.doc_id, start=ref.start, end=ref.end, text=rtext[ref.start:ref.end],
            similarity=max(r["similarity"] for r in rows), kind=ref.kind, is_reference=True,
            n_words=len(ref.spans), n_aligned=len(rp),
            kept_start=ref.spans[rp[0]][0], kept_end=ref.spans[rp[-1]][1],
            kept=rtext[ref.spans[rp[0]][0]:ref.spans[rp[-1]][1]],
            trimmed_before="", trimmed_after="", omitted="",
            added=_join_gaps(rtext, ref.spans, [i for i in range(len(ref.spans)) if i not in all_ref_pos]),
            quote_id=ref.quote_id, outlet=ref.outlet, event=ref.event,
        ))
        rows.sort(key=lambda r: (r["doc_id"], r["start"]))
        outlets = [r["outlet"] for r in rows]
        n_outlets = len(set(outlets))
        # wire copy: narrative versions from >= 2 outlets aligning at >= 0.8, long or wire-credited
        credited = any(agency.get(r["doc_id"], "") for r in rows)
        floor = min_similarity if credited else WIRE_MIN_SIMILARITY
        narr = {r["outlet"] for r in rows if r["kind"] == "sentence"
                and r["similarity"] >= floor and r["n_aligned"] >= WIRE_MIN_WORDS}
        wire = len(narr) >= 2
        for r in rows:
            r.update(n_outlets=n_outlets, n_docs=len(rows),
                     outlet_repeat=outlets.count(r["outlet"]) > 1,
                     passage_kind="quote" if any(x["kind"] == "quote" for x in rows) else "sentence",
                     sent_id=sent_of(r["doc_id"], r["start"]),
                     wire_agency=agency.get(r["doc_id"], ""), wire_copy=wire)
        for u in units_here:
            u.spans = None
        first = rows[0]
        yield ((ref.event, first["doc_id"], first["start"]),
               [tuple(r[c] for c in SHARED_COLUMNS[1:]) for r in rows])


#: rows of shared passages turned into a frame at a time (Python rows of a 10,000-article event
#: took 0.8 GB; as frames they take a fraction)
_ROWS_PER_FRAME = 20_000


def _rows_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows (processing-order passage number, then ``SHARED_COLUMNS[1:]``) as a frame."""
    columns = zip(*rows)
    return pd.DataFrame({c: list(next(columns, ())) for c in ["_passage"] + SHARED_COLUMNS[1:]})


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """The shared frame's column types (also for an empty frame)."""
    for c in ("passage_id", "start", "end", "n_words", "n_aligned", "kept_start", "kept_end",
              "n_outlets", "n_docs"):
        out[c] = out[c].astype("int64")
    for c in ("sent_id", "quote_id"):
        out[c] = out[c].astype("Int64")
    out["similarity"] = out["similarity"].astype(float)
    for c in ("is_reference", "outlet_repeat", "wire_copy"):
        out[c] = out[c].astype(bool)
    return out


def _empty() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: pd.Series(dtype="object") for c in SHARED_COLUMNS}))


def shared_summary(shared: pd.DataFrame, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Passage x outlet presence table for display.

    Parameters
    ----------
    shared : DataFrame
        Output of :func:`shared_passages`.
    articles : DataFrame, optional
        ``outlet, event``; when given, every outlet of the passage's event gets a column value
        (``False`` if it does not carry the passage) and outlets of other events get ``<NA>``.

    Returns
    -------
    DataFrame
        One row per passage, sorted by ``passage_id``: ``event, passage_id, passage_kind,
        n_outlets, wire_copy, text`` (the reference version) followed by one boolean column per
        outlet (sorted by name). This wide table is for reading; use ``shared`` itself (long
        form) for analysis.
    """
    _require(shared, "shared", ["passage_id", "doc_id", "outlet", "event", "text", "is_reference"])
    base_cols = ["event", "passage_id", "passage_kind", "n_outlets", "wire_copy", "text"]
    ref = shared[shared["is_reference"]].sort_values("passage_id")
    base = ref[[c for c in base_cols if c in ref.columns]].reset_index(drop=True)
    outlets = sorted(shared["outlet"].unique().tolist())
    ev_outlets = None
    if articles is not None:
        _require(articles, "articles", ["outlet"])
        a = articles.copy()
        a["event"] = a["event"].fillna("unknown").astype(str) if "event" in a else "unknown"
        a["outlet"] = a["outlet"].fillna("unknown").astype(str)
        outlets = sorted(set(outlets) | set(a["outlet"]))
        ev_outlets = a.groupby("event")["outlet"].agg(set).to_dict()
    present = shared.groupby("passage_id")["outlet"].agg(set).to_dict()
    for o in outlets:
        vals = []
        for pid, ev in zip(base["passage_id"], base["event"]):
            if o in present.get(pid, set()):
                vals.append(True)
            elif ev_outlets is None or o in ev_outlets.get(ev, set()):
                vals.append(False)
            else:
                vals.append(pd.NA)
        base[o] = pd.array(vals, dtype="boolean")
    return base
