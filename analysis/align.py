"""Compiled word alignment for the shared-passage search (numba).

:func:`claim_batch` runs the leader clustering's step for each unit of a batch
(``shared._cluster_event``), and :func:`verify` checks one reference unit against its
candidates: first the length of the longest common subsequence (exact: the bit-parallel
algorithm, equal to ``rapidfuzz.distance.LCSseq.similarity``), an upper bound on what can
align, then the matching blocks that ``difflib.SequenceMatcher(None, a, b,
autojunk=False).get_matching_blocks()`` finds of at least ``min_run`` words. Those come from
difflib's recursion (the longest common run, the earliest in ``a`` then in ``b`` on a tie, then
the same on each side of it) run over the maximal common runs of ``min_run`` or more only: a
part of the sequences whose longest run is shorter holds no block that long. Everything is
integer arithmetic on word ids, so the passages are those of the Python code this replaced, to
the byte; the tests compare :func:`matching_blocks` with difflib and :func:`lcs_length` with
rapidfuzz. The passage search of a 10,000-article event took 41 s of CPU with these loops in
Python, 16 s compiled.

The functions are compiled on first use and cached on disk (numba's ``cache=True``: in
``__pycache__`` beside this file, or numba's user cache folder when that is read-only);
``shared.compile_alignment`` triggers it (``make venv`` does).
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["claim_batch", "verify", "lcs_length", "matching_blocks"]

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, nogil=True)
def _pattern(a, row_of):
    """Index ``a`` for the LCS and the alignment: sets ``row_of[id]`` to a row number for each
    distinct id of ``a`` (the caller resets it with :func:`_forget`) and returns ``(distinct,
    order, starts, pair_start, pair_word, pair_mask)``: the distinct ids (sorted); the
    positions of ``a`` sorted by id (stable), each row's starting at ``starts[row]``; and per
    row, the 64-bit words of ``a``'s position bit mask that hold one of its positions
    (``pair_word``, ascending, and their bits ``pair_mask``, from ``pair_start[row]``): at most
    one pair per position, so memory stays linear in ``len(a)`` (a dense ids x words table
    of a unit of a million words would take gigabytes)."""
    n = len(a)
    order = np.argsort(a, kind="mergesort")
    distinct = np.empty(n, dtype=a.dtype)
    starts = np.empty(n + 1, dtype=np.int64)
    pair_start = np.empty(n + 1, dtype=np.int64)
    pair_word = np.empty(n, dtype=np.int64)
    pair_mask = np.zeros(n, dtype=np.uint64)
    k, n_pairs = -1, 0
    for p in range(n):
        i = order[p]
        v = a[i]
        if k < 0 or distinct[k] != v:
            k += 1
            distinct[k] = v
            starts[k] = p
            pair_start[k] = n_pairs
            row_of[v] = k
        w = i >> 6
        if n_pairs == pair_start[k] or pair_word[n_pairs - 1] != w:
            pair_word[n_pairs] = w
            n_pairs += 1
        pair_mask[n_pairs - 1] |= _ONE << np.uint64(i & 63)
    starts[k + 1] = n
    pair_start[k + 1] = n_pairs
    return distinct[:k + 1], order, starts[:k + 2], pair_start[:k + 2], pair_word, pair_mask


@njit(cache=True, nogil=True)
def _forget(distinct, row_of):
    for x in distinct:
        row_of[x] = -1


@njit(cache=True, nogil=True)
def _carry(v, k, stop):
    """Carry 1 into word ``k`` of ``v`` and on, through words whose mask is empty (there
    V' = (V + 1) | V), until it is absorbed or word ``stop`` is reached; returns ``(the next
    word, the carry left)``."""
    while k < stop:
        vk = v[k]
        s = vk + _ONE
        v[k] = s | vk
        k += 1
        if s != _ZERO:
            return k, _ZERO
    return k, _ONE


@njit(cache=True, nogil=True)
def _lcs(n, pair_start, pair_word, pair_mask, row_of, b, v):
    """Length of the longest common subsequence of ``a`` (indexed by :func:`_pattern`, ``n``
    ids) and ``b``: the bit-parallel algorithm of Allison & Dix (1986) in Hyyrö's (2004) form,
    V' = (V + (V & M)) | (V & ~M) over as many 64-bit words as ``a`` needs, the addition's
    carry running from word to word. A word whose mask M is empty changes only when a carry
    reaches it (V' = (V + 1) | V), so only the words holding the id, and the carries, are
    visited. ``v``: scratch of that many words."""
    n_words = len(v)
    if n == 0 or len(b) == 0:
        return 0
    if n_words == 1:
        w0 = _ALL
        for j in range(len(b)):
            row = row_of[b[j]]
            if row >= 0:
                u = w0 & pair_mask[pair_start[row]]
                w0 = (w0 + u) | (w0 - u)
        v[0] = w0
    else:
        v[:] = _ALL
        for j in range(len(b)):
            row = row_of[b[j]]
            if row < 0:
                continue
            carry = _ZERO
            k = 0                                   # the next word a carry would enter
            for p in range(pair_start[row], pair_start[row + 1]):
                w = pair_word[p]
                if carry:
                    k, carry = _carry(v, k, w)
                vw = v[w]
                u = vw & pair_mask[p]
                s1 = vw + u
                c1 = _ONE if s1 < vw else _ZERO
                s2 = s1 + carry
                c2 = _ONE if s2 < s1 else _ZERO
                carry = c1 | c2
                v[w] = s2 | (vw - u)
                k = w + 1
            if carry:
                _carry(v, k, n_words)
    zeros = 0
    for w in range(n_words):
        x = ~v[w]
        if w == n_words - 1 and n & 63:
            x &= (_ONE << np.uint64(n & 63)) - _ONE
        while x:
            x &= x - _ONE
            zeros += 1
    return zeros


@njit(cache=True, nogil=True)
def _grow(buf):
    """``buf`` with twice the rows (the first rows copied)."""
    out = np.empty((2 * buf.shape[0] + 1, buf.shape[1]), dtype=buf.dtype)
    out[:buf.shape[0]] = buf
    return out


@njit(cache=True, nogil=True)
def _keep_run(runs, n_runs, first, last, diagonal, min_run):
    """Append the common run ``b[first:last + 1]`` on ``diagonal`` (i - j) to ``runs`` as
    (i, j, size) if it has at least ``min_run`` ids; returns ``(runs, n_runs)``."""
    if last - first + 1 >= min_run:
        if n_runs == runs.shape[0]:
            runs = _grow(runs)
        runs[n_runs, 0] = first + diagonal
        runs[n_runs, 1] = first
        runs[n_runs, 2] = last - first + 1
        n_runs += 1
    return runs, n_runs


@njit(cache=True, nogil=True)
def _blocks(a, order, starts, row_of, b, min_run, diag_first, diag_last, runs, todo, out, pos):
    """Matching blocks of at least ``min_run`` ids (see the module's docstring): the maximal
    common runs, then difflib's recursion over them. Written as rows (i, j, size), ascending i, to
    ``out`` from row ``pos``; returns ``(count, runs, todo, out)`` (the buffers, grown if
    needed).
    ``order``, ``starts``, ``row_of``: as :func:`_pattern` gives them; ``diag_first``,
    ``diag_last``: scratch of ``len(a) + len(b)`` ints; ``runs`` (k x 3), ``todo`` (k x 4):
    scratch."""
    n, m = len(a), len(b)
    diag_first[:n + m] = -1
    diag_last[:n + m] = -1
    n_runs = 0
    for j in range(m):
        row = row_of[b[j]]
        if row < 0:
            continue
        for p in range(starts[row], starts[row + 1]):   # positions of the id in a, ascending
            d = np.int64(order[p]) - j + m       # diagonal, shifted to be >= 0
            first = diag_first[d]
            if first >= 0 and diag_last[d] == j - 1:
                diag_last[d] = j
                continue
            if first >= 0:                       # the run on this diagonal has ended
                runs, n_runs = _keep_run(runs, n_runs, first, diag_last[d], d - m, min_run)
            diag_first[d] = j
            diag_last[d] = j
    for d in range(n + m):                       # the runs still open at the end of b
        if diag_first[d] >= 0:
            runs, n_runs = _keep_run(runs, n_runs, diag_first[d], diag_last[d], d - m, min_run)
    if n_runs == 0:
        return 0, runs, todo, out
    # at most min(n, m) blocks, and one part on the stack per block found plus the first
    while pos + min(n, m) + 1 > out.shape[0]:
        out = _grow(out)
    while min(n, m) + 2 > todo.shape[0]:
        todo = _grow(todo)
    count = 0
    top = 1
    todo[0, 0], todo[0, 1], todo[0, 2], todo[0, 3] = 0, n, 0, m
    while top:
        top -= 1
        alo, ahi, blo, bhi = todo[top, 0], todo[top, 1], todo[top, 2], todo[top, 3]
        size, best_s, best_d = 0, 0, 0
        for r in range(n_runs):
            i, nn = runs[r, 0], runs[r, 2]
            d = runs[r, 1] - i                   # the run's diagonal, clipped to the part
            s = max(i, alo, blo - d)
            mm = min(i + nn, ahi, bhi - d) - s
            if mm >= min_run and (mm > size or (mm == size and (
                    s < best_s or (s == best_s and d < best_d)))):
                size, best_s, best_d = mm, s, d
        if size:
            s, jj = best_s, best_s + best_d
            # insert in order of i (blocks never overlap in a)
            k = pos + count
            while k > pos and out[k - 1, 0] > s:
                out[k, 0], out[k, 1], out[k, 2] = out[k - 1, 0], out[k - 1, 1], out[k - 1, 2]
                k -= 1
            out[k, 0], out[k, 1], out[k, 2] = s, jj, size
            count += 1
            if alo < s and blo < jj:
                todo[top, 0], todo[top, 1], todo[top, 2], todo[top, 3] = alo, s, blo, jj
                top += 1
            if s + size < ahi and jj + size < bhi:
                todo[top, 0], todo[top, 1], todo[top, 2], todo[top, 3] = s + size, ahi, jj + size, bhi
                top += 1
    return count, runs, todo, out


@njit(cache=True, nogil=True)
def verify(flat, offsets, row_of, ref, cands, need, shorter, taken, best, min_words,
           min_similarity, min_run):
    """Which candidate units align with reference unit ``ref`` well enough to join it.

    ``flat``/``offsets``: every unit's word ids and where each starts (``shared._Units``);
    ``row_of``: -1 for every id (int32, ``flat.max() + 1`` of them), left so (scratch);
    per candidate (``cands``, unit positions): ``need``, the LCS below which it cannot qualify,
    ``shorter``, the length of the shorter of the two, and, for a unit already in a passage
    (``taken``), the similarity it has there (``best``): it moves only if it aligns strictly
    better. Returns ``(rows, sims, blocks, ends)``: the candidates (positions in ``cands``) that
    qualify, their similarity (aligned words / ``shorter``), and their matching blocks,
    ``blocks[ends[k]:ends[k + 1]]`` for the k-th."""
    a = flat[offsets[ref]:offsets[ref + 1]]
    n = len(a)
    distinct, order, starts, pair_start, pair_word, pair_mask = _pattern(a, row_of)
    v = np.empty(max((n + 63) // 64, 1), dtype=np.uint64)
    max_len = 0
    for c in cands:
        max_len = max(max_len, offsets[c + 1] - offsets[c])
    diag_first = np.empty(n + max_len + 1, dtype=np.int64)
    diag_last = np.empty(n + max_len + 1, dtype=np.int64)
    runs = np.empty((64, 3), dtype=np.int64)
    todo = np.empty((64, 4), dtype=np.int64)
    out = np.empty((64, 3), dtype=np.int64)
    rows = np.empty(len(cands), dtype=np.int64)
    sims = np.empty(len(cands), dtype=np.float64)
    ends = np.zeros(len(cands) + 1, dtype=np.int64)
    n_rows, pos = 0, 0
    for t in range(len(cands)):
        c = cands[t]
        b = flat[offsets[c]:offsets[c + 1]]
        lcs = _lcs(n, pair_start, pair_word, pair_mask, row_of, b, v)
        if lcs < need[t] or (taken[t] and lcs / shorter[t] <= best[t]):
            continue
        count, runs, todo, out = _blocks(a, order, starts, row_of, b, min_run, diag_first,
                                         diag_last, runs, todo, out, pos)
        n_al = 0
        for r in range(pos, pos + count):
            n_al += out[r, 2]
        sim = n_al / shorter[t]
        if n_al >= min_words and sim >= min_similarity and (not taken[t] or sim > best[t]):
            rows[n_rows] = t
            sims[n_rows] = sim
            pos += count
            n_rows += 1
            ends[n_rows] = pos
    _forget(distinct, row_of)
    return rows[:n_rows], sims[:n_rows], out[:pos], ends[:n_rows + 1]


@njit(cache=True, nogil=True)
def claim_batch(ks, indptr, indices, hits, role, owner, best, docs, n_ids, idx, flat, offsets,
                row_of, min_words, min_similarity, min_run, max_steal, blocks, block_span,
                n_blocks):
    """The leader clustering's steps for a batch of units, in turn (``shared._cluster_event``).

    For each unit ``k`` of ``ks`` not yet placed (``role`` 0; units are positions in ``idx``),
    with its row of the shared-shingle product (``indices[indptr[r]:indptr[r + 1]]``, the units
    sharing a shingle, ascending, and ``hits``, how many): the candidates are the units of
    other articles that are not references; of those already taken by a passage only the
    ``max_steal`` sharing most shingles (stable on ties). :func:`verify` says which join; if
    any does, ``k`` becomes a reference (``role`` 1) and each joins it (``role`` 2,
    ``owner``, ``best`` similarity; its matching blocks appended to ``blocks``, rows
    ``block_span[c, 0]:block_span[c, 1]``). Returns ``(blocks, n_blocks, n_compared)``: the
    buffer (grown if needed), its rows in use and how many pairs were verified."""
    n_compared = 0
    for r in range(len(ks)):
        k = ks[r]
        if role[k]:
            continue
        lo, hi = indptr[r], indptr[r + 1]
        n_taken = 0
        for p in range(lo, hi):
            c = indices[p]
            if role[c] == 2 and docs[c] != docs[k]:
                n_taken += 1
        n_keep = 0
        cands = np.empty(hi - lo, dtype=np.int64)
        if n_taken > max_steal:
            # units already placed are re-examined only if they share many shingles: this
            # keeps the work per reference bounded when a passage has thousands of copies
            t_pos = np.empty(n_taken, dtype=np.int64)
            t_hits = np.empty(n_taken, dtype=np.int64)
            t = 0
            for p in range(lo, hi):
                c = indices[p]
                if role[c] == 2 and docs[c] != docs[k]:
                    t_pos[t] = p
                    t_hits[t] = -hits[p]
                    t += 1
            allowed = np.zeros(hi - lo, dtype=np.bool_)
            for q in np.argsort(t_hits, kind="mergesort")[:max_steal]:
                allowed[t_pos[q] - lo] = True
            for p in range(lo, hi):
                c = indices[p]
                if role[c] != 1 and docs[c] != docs[k] and (role[c] != 2 or allowed[p - lo]):
                    cands[n_keep] = c
                    n_keep += 1
        else:
            for p in range(lo, hi):
                c = indices[p]
                if role[c] != 1 and docs[c] != docs[k]:
                    cands[n_keep] = c
                    n_keep += 1
        if n_keep == 0:
            continue
        cands = cands[:n_keep]
        n_compared += n_keep
        need = np.empty(n_keep, dtype=np.float64)
        shorter = np.empty(n_keep, dtype=np.float64)
        taken = np.empty(n_keep, dtype=np.bool_)
        prev = np.empty(n_keep, dtype=np.float64)
        for t in range(n_keep):
            c = cands[t]
            sh = min(n_ids[k], n_ids[c])
            shorter[t] = sh
            need[t] = max(np.float64(min_words), min_similarity * sh)
            taken[t] = role[c] == 2
            prev[t] = best[c]
        rows, sims, aligned, ends = verify(flat, offsets, row_of, idx[k], idx[cands], need,
                                           shorter, taken, prev, min_words, min_similarity,
                                           min_run)
        if len(rows) == 0:
            continue
        role[k] = 1
        while n_blocks + aligned.shape[0] > blocks.shape[0]:
            blocks = _grow(blocks)
        for q in range(len(rows)):
            # a member moves to a later (shorter) reference only if it aligns strictly better
            c = cands[rows[q]]
            role[c], owner[c], best[c] = 2, k, sims[q]
            block_span[c, 0] = n_blocks + ends[q]
            block_span[c, 1] = n_blocks + ends[q + 1]
        blocks[n_blocks:n_blocks + aligned.shape[0]] = aligned
        n_blocks += aligned.shape[0]
    return blocks, n_blocks, n_compared


def _row_of(a, b) -> np.ndarray:
    return np.full(int(max(a.max(initial=0), b.max(initial=0))) + 1, -1, dtype=np.int32)


def lcs_length(a, b) -> int:
    """Longest common subsequence of two id sequences (for tests and callers outside numba)."""
    a, b = np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)
    row_of = _row_of(a, b)
    _, _, _, pair_start, pair_word, pair_mask = _pattern(a, row_of)
    return int(_lcs(len(a), pair_start, pair_word, pair_mask, row_of, b,
                    np.empty(max((len(a) + 63) // 64, 1), np.uint64)))


def matching_blocks(a, b, min_run: int) -> list[tuple[int, int, int]]:
    """difflib's matching blocks of two id sequences of at least ``min_run`` ids (for tests and
    callers outside numba)."""
    a, b = np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)
    row_of = _row_of(a, b)
    _, order, starts, _, _, _ = _pattern(a, row_of)
    scratch = len(a) + len(b) + 1
    count, _, _, out = _blocks(a, order, starts, row_of, b, min_run, np.empty(scratch, np.int64),
                               np.empty(scratch, np.int64), np.empty((1, 3), np.int64),
                               np.empty((1, 4), np.int64), np.empty((1, 3), np.int64), 0)
    return [tuple(r) for r in out[:count].tolist()]
