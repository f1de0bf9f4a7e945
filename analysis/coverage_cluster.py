"""Compiled leader clustering for :func:`analysis.coverage.coverage` (numba).

:func:`cluster` runs the three passes of ``coverage._cluster`` (leader clustering in sentence
order, one refinement pass, secondary presence) on integer ids: each sentence's anchor vector
as three flat arrays (the anchors in the order of the Python dict, their weights), its article
and its ``top_anchors`` heaviest anchors. It keeps what ``coverage._Clusters`` keeps, in the
same order: unit centroids and per-article parts as sums built by the same additions and
subtractions, the parts' anchors in insertion order (sums over them run in that order) and an
inverted index from anchor to units. Every floating-point operation is the one the Python
code makes, in the same order, so the labels are the same to the bit; the tests compare the
two on random events, and the coverage tables of the benchmark corpora were byte-identical.

Keys of the hash tables (numba typed dicts) are pairs packed into one integer: ``owner * A +
anchor`` for centroid values (a unit gets a new owner when it is emptied, which is the Python
code's ``cen[cid] = {}``), ``unit * D + article`` for parts, ``part * A + anchor`` for part
values and ``anchor * U + unit`` for the (anchor, unit) pairs already in the inverted index,
with ``A`` anchors, ``D`` articles and ``U`` units at most. The index itself keeps, per anchor,
a list of nodes of 16 units each (fewer cache misses than one link per unit: the lists of an
event's frequent anchors hold thousands of units).

Compiled on first use and cached on disk like :mod:`analysis.align`;
``coverage.compile_clustering`` compiles it (``make venv`` runs it).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, types
from numba.typed import Dict, List

__all__ = ["cluster"]

_TINY = 1e-9       # a centroid weight above this is an anchor the unit has
_EMPTY = 1e-12     # a squared norm at or below this is an empty vector
_NODE = 16         # units per node of the inverted index's lists


@njit(cache=True)
def _find(d, k):
    """``d.get(k, -1)`` for an int64 dict (numba types that call's result as optional)."""
    if k in d:
        return d[k]
    return -1


@njit(cache=True)
def _state(n_units, n_anchors, n_slots, n_parts, n_nodes):
    """A new, empty set of units (``coverage._Clusters``) as a tuple of containers; the arrays
    are allocated at their bounds but only filled as far as used (``np.empty`` pages take no
    memory until written)."""
    meta = np.zeros(5, dtype=np.int64)        # units, owners, parts, slots, index nodes
    return (meta,
            np.zeros(n_units, dtype=np.float64),              # norm2 per unit
            np.zeros(n_units, dtype=np.int64),                # centroid owner per unit
            Dict.empty(types.int64, types.float64),           # centroid values
            Dict.empty(types.int64, types.int64),             # (unit, article) -> part
            np.zeros(n_units, dtype=np.int64),                # live parts per unit
            Dict.empty(types.int64, types.int64),             # (part, anchor) -> slot
            np.empty(n_slots, dtype=np.int64),                # slot: anchor
            np.empty(n_slots, dtype=np.float64),              # slot: value
            np.empty(n_slots, dtype=np.int64),                # slot: next slot of the part
            np.empty(n_parts, dtype=np.int64),                # part: first slot
            np.empty(n_parts, dtype=np.int64),                # part: last slot
            np.full(n_anchors, -1, dtype=np.int64),           # index: newest node per anchor
            Dict.empty(types.int64, types.int64),             # index: (anchor, unit) seen
            np.empty(n_nodes * _NODE, dtype=np.int32),        # index node: units
            np.empty(n_nodes, dtype=np.int64),                # index node: units held
            np.empty(n_nodes, dtype=np.int64))                # index node: next node


@njit(cache=True)
def _index(st, cid, top_ptr, top_key, i):
    """Add unit ``cid`` to the index entries of sentence ``i``'s top anchors."""
    n_units = len(st[1])
    head, seen, node_units, node_fill, node_next = st[12], st[13], st[14], st[15], st[16]
    for j in range(top_ptr[i], top_ptr[i + 1]):
        a = top_key[j]
        key = a * n_units + cid
        if key not in seen:
            seen[key] = 1
            node = head[a]
            if node < 0 or node_fill[node] == _NODE:
                node = st[0][4]
                st[0][4] += 1
                node_fill[node] = 0
                node_next[node] = head[a]
                head[a] = node
            node_units[node * _NODE + node_fill[node]] = cid
            node_fill[node] += 1


@njit(cache=True)
def _new_part(st, cid, doc, n_docs):
    pid = st[0][2]
    st[0][2] += 1
    st[4][cid * n_docs + doc] = pid
    st[5][cid] += 1
    st[10][pid] = -1
    st[11][pid] = -1
    return pid


@njit(cache=True)
def _part_add(st, pid, a, w, n_anchors):
    """``part[a] = part.get(a, 0.0) + w``, a new anchor going to the end of the part."""
    slot = _find(st[6], pid * n_anchors + a)
    if slot >= 0:
        st[8][slot] = st[8][slot] + w
        return
    slot = st[0][3]
    st[0][3] += 1
    st[6][pid * n_anchors + a] = slot
    st[7][slot] = a
    st[8][slot] = 0.0 + w
    st[9][slot] = -1
    if st[10][pid] < 0:
        st[10][pid] = slot
    else:
        st[9][st[11][pid]] = slot
    st[11][pid] = slot


@njit(cache=True)
def _centroid_dot(cen, base, ptr, key, wt, i):
    """Dot product of sentence ``i``'s vector with a centroid (owner key ``base``), summed in
    the vector's order."""
    s = 0.0
    for j in range(ptr[i], ptr[i + 1]):
        s += wt[j] * cen.get(base + key[j], 0.0)
    return s


@njit(cache=True)
def _new(st, i, ptr, key, wt, doc, n2, top_ptr, top_key, n_anchors, n_docs):
    """A unit of sentence ``i`` alone (``_Clusters.new``); returns its id."""
    meta = st[0]
    cid = meta[0]
    meta[0] += 1
    owner = meta[1]
    meta[1] += 1
    st[2][cid] = owner
    st[1][cid] = n2
    cen = st[3]
    pid = _new_part(st, cid, doc, n_docs)
    for j in range(ptr[i], ptr[i + 1]):
        cen[owner * n_anchors + key[j]] = wt[j]
        _part_add(st, pid, key[j], wt[j], n_anchors)
    _index(st, cid, top_ptr, top_key, i)
    return cid


@njit(cache=True)
def _add(st, cid, i, ptr, key, wt, doc, n2, top_ptr, top_key, n_anchors, n_docs):
    """Add sentence ``i`` to unit ``cid`` (``_Clusters.add``)."""
    cen = st[3]
    base = st[2][cid] * n_anchors
    s = _centroid_dot(cen, base, ptr, key, wt, i)
    st[1][cid] = st[1][cid] + (2.0 * s + n2)
    pid = _find(st[4], cid * n_docs + doc)
    if pid < 0:
        pid = _new_part(st, cid, doc, n_docs)
    for j in range(ptr[i], ptr[i + 1]):
        k = base + key[j]
        cen[k] = cen.get(k, 0.0) + wt[j]
        _part_add(st, pid, key[j], wt[j], n_anchors)
    _index(st, cid, top_ptr, top_key, i)


@njit(cache=True)
def _remove(st, cid, i, ptr, key, wt, doc, n2, n_anchors, n_docs):
    """Take sentence ``i`` out of unit ``cid`` (the tests' ``_ReferenceUnits.remove``)."""
    meta, cen = st[0], st[3]
    base = st[2][cid] * n_anchors
    s = _centroid_dot(cen, base, ptr, key, wt, i)
    st[1][cid] = st[1][cid] + (-2.0 * s + n2)
    for j in range(ptr[i], ptr[i + 1]):
        k = base + key[j]
        cen[k] = cen[k] - wt[j]
    pid = st[4][cid * n_docs + doc]
    for j in range(ptr[i], ptr[i + 1]):
        slot = st[6][pid * n_anchors + key[j]]
        st[8][slot] = st[8][slot] - wt[j]
    slot = st[10][pid]
    while slot >= 0:
        if not abs(st[8][slot]) < _TINY:
            return
        slot = st[9][slot]
    st[4].pop(cid * n_docs + doc)
    st[5][cid] -= 1
    if st[5][cid] == 0:
        st[2][cid] = meta[1]          # an empty centroid
        meta[1] += 1
        st[1][cid] = 0.0


@njit(cache=True)
def _candidates(st, counts, touched, top_ptr, top_key, i, limit):
    """Units sharing one of sentence ``i``'s top anchors; with ``limit`` >= 0 the ``limit``
    sharing most (ties: lowest ids), in id order (the tests' ``_ReferenceUnits.candidates``)."""
    head, node_units, node_fill, node_next = st[12], st[14], st[15], st[16]
    n_touched = 0
    top = 0
    for j in range(top_ptr[i], top_ptr[i + 1]):
        node = head[top_key[j]]
        while node >= 0:
            for k in range(node * _NODE, node * _NODE + node_fill[node]):
                u = node_units[k]
                if counts[u] == 0:
                    touched[n_touched] = u
                    n_touched += 1
                counts[u] += 1
                if counts[u] > top:
                    top = counts[u]
            node = node_next[node]
    if limit < 0 or n_touched <= limit:
        for k in range(n_touched):
            counts[touched[k]] = 0
        return np.sort(touched[:n_touched])
    # above[k]: units with more than k hits; the floor is the highest k with >= limit such
    # units: all units above floor + 1 hits are taken, then the lowest ids with floor + 1
    above = np.zeros(top + 1, dtype=np.int64)
    for k in range(n_touched):
        for h in range(counts[touched[k]]):
            above[h] += 1
    floor = 0
    while floor + 1 < top and above[floor + 1] >= limit:
        floor += 1
    out = np.empty(limit, dtype=np.int64)
    n_out = 0
    for k in range(n_touched):
        if counts[touched[k]] > floor + 1:
            out[n_out] = touched[k]
            n_out += 1
    want = limit - n_out               # the lowest ids with floor + 1 hits, kept sorted
    low = np.empty(want, dtype=np.int64)
    n_low = 0
    for k in range(n_touched):
        u = touched[k]
        if want > 0 and counts[u] == floor + 1 and (n_low < want or u < low[want - 1]):
            pos = n_low if n_low < want else want - 1
            while pos > 0 and low[pos - 1] > u:
                if pos < want:
                    low[pos] = low[pos - 1]
                pos -= 1
            low[pos] = u
            if n_low < want:
                n_low += 1
    for k in range(n_touched):
        counts[touched[k]] = 0
    out[n_out:n_out + n_low] = low[:n_low]
    return np.sort(out[:n_out + n_low])


@njit(cache=True)
def _score(st, cid, i, ptr, key, wt, doc, n2, min_other, min_shared, n_anchors, n_docs):
    """``_Clusters.score``: (has_other, other, has_same, same); ``min_other`` -inf for none."""
    cen, values, nxt = st[3], st[8], st[9]
    base = st[2][cid] * n_anchors
    pid = _find(st[4], cid * n_docs + doc)
    has_other, other = False, 0.0
    if pid < 0 or st[5][cid] > 1:
        has_other = True
        dot, shared = 0.0, 0
        if pid < 0:
            cn2 = st[1][cid]
            for j in range(ptr[i], ptr[i + 1]):
                c = cen.get(base + key[j], 0.0)
                if c > _TINY:
                    dot += wt[j] * c
                    shared += 1
        else:
            s = 0.0
            slot = st[10][pid]
            while slot >= 0:
                w = values[slot]
                s += w * (w - 2.0 * cen.get(base + st[7][slot], 0.0))
                slot = nxt[slot]
            cn2 = st[1][cid] + s
            for j in range(ptr[i], ptr[i + 1]):
                slot = _find(st[6], pid * n_anchors + key[j])
                mine = values[slot] if slot >= 0 else 0.0
                c = cen.get(base + key[j], 0.0) - mine
                if c > _TINY:
                    dot += wt[j] * c
                    shared += 1
        if shared >= min_shared and cn2 > _EMPTY:
            other = dot / math.sqrt(cn2 * n2)
    has_same, same = False, 0.0
    if pid >= 0 and (not has_other or other >= min_other):
        p2 = 0.0
        slot = st[10][pid]
        while slot >= 0:
            p2 += values[slot] * values[slot]
            slot = nxt[slot]
        if p2 > _EMPTY:
            has_same = True
            dot = 0.0
            for j in range(ptr[i], ptr[i + 1]):
                slot = _find(st[6], pid * n_anchors + key[j])
                dot += wt[j] * (values[slot] if slot >= 0 else 0.0)
            same = dot / math.sqrt(p2 * n2) if n2 > 0 else 0.0
    return has_other, other, has_same, same


@njit(cache=True)
def _best_of(st, counts, touched, i, ptr, key, wt, docs, norms, top_ptr, top_key, min_score,
             same_score, max_candidates, min_shared, n_anchors, n_docs, work):
    """The unit sentence ``i`` joins, or -1 (``best_of`` in the tests' ``_reference_cluster``);
    adds the number of units scored to ``work[0]``."""
    best, best_s = -1, 0.0
    cands = _candidates(st, counts, touched, top_ptr, top_key, i, max_candidates)
    work[0] += len(cands)
    for cid in cands:
        has_other, other, has_same, same = _score(st, cid, i, ptr, key, wt, docs[i], norms[i],
                                                  min_score, min_shared, n_anchors, n_docs)
        if not has_other:
            good = has_same and same >= same_score
            s = same if has_same else 0.0
        else:
            good = other >= min_score and (not has_same or same >= same_score)
            s = other
        if good and s > best_s:
            best, best_s = cid, s
    return best


@njit(cache=True)
def _run(ptr, key, wt, docs, norms, top_ptr, top_key, n_anchors, n_docs, min_score,
         same_score, secondary_score, max_candidates, min_shared):
    n = len(docs)
    n_units = 2 * n + 1
    counts = np.zeros(n_units, dtype=np.int64)
    touched = np.empty(n_units, dtype=np.int64)
    nnz, n_tops = len(key), len(top_key)
    st = _state(n_units, n_anchors, 2 * nnz, 2 * n, 2 * n_tops)
    labels = np.empty(n, dtype=np.int64)
    work = np.zeros(1, dtype=np.int64)
    for i in range(n):       # leader clustering in doc_id, sent_id order
        b = _best_of(st, counts, touched, i, ptr, key, wt, docs, norms, top_ptr, top_key,
                     min_score, same_score, max_candidates, min_shared, n_anchors, n_docs, work)
        if b < 0:
            b = _new(st, i, ptr, key, wt, docs[i], norms[i], top_ptr, top_key, n_anchors, n_docs)
        else:
            _add(st, b, i, ptr, key, wt, docs[i], norms[i], top_ptr, top_key, n_anchors, n_docs)
        labels[i] = b
    for i in range(n):       # refinement: each sentence out, and back where it fits best
        _remove(st, labels[i], i, ptr, key, wt, docs[i], norms[i], n_anchors, n_docs)
        b = _best_of(st, counts, touched, i, ptr, key, wt, docs, norms, top_ptr, top_key,
                     min_score, same_score, max_candidates, min_shared, n_anchors, n_docs, work)
        if b < 0 and st[5][labels[i]] > 0:
            labels[i] = _new(st, i, ptr, key, wt, docs[i], norms[i], top_ptr, top_key,
                             n_anchors, n_docs)
        else:
            if b < 0:
                b = labels[i]          # an emptied unit is reused as the singleton
            _add(st, b, i, ptr, key, wt, docs[i], norms[i], top_ptr, top_key, n_anchors, n_docs)
            labels[i] = b
    st = _state(1, 1, 0, 0, 0)      # frees the working units
    fin = _state(n + 1, n_anchors, nnz, n, n_tops)   # final units, by first appearance
    remap = np.full(n_units, -1, dtype=np.int64)
    for i in range(n):
        lab = labels[i]
        if remap[lab] < 0:
            remap[lab] = _new(fin, i, ptr, key, wt, docs[i], norms[i], top_ptr, top_key,
                              n_anchors, n_docs)
        else:
            _add(fin, remap[lab], i, ptr, key, wt, docs[i], norms[i], top_ptr, top_key,
                 n_anchors, n_docs)
        labels[i] = remap[lab]
    sec_unit = List.empty_list(types.int64)
    sec_sent = List.empty_list(types.int64)
    for i in range(n):       # secondary presence: a sentence matching another unit
        for cid in _candidates(fin, counts, touched, top_ptr, top_key, i, max_candidates):
            if cid == labels[i] or (cid * n_docs + docs[i]) in fin[4]:
                continue
            work[0] += 1
            has_other, other, _, _ = _score(fin, cid, i, ptr, key, wt, docs[i], norms[i],
                                            -np.inf, min_shared, n_anchors, n_docs)
            if has_other and other >= secondary_score:
                sec_unit.append(cid)
                sec_sent.append(i)
    return (labels, np.asarray(sec_unit, dtype=np.int64), np.asarray(sec_sent, dtype=np.int64),
            work[0])


def cluster(vecs: list[dict], docs: list, norms: list[float], tops: list[list], min_score: float,
            same_score: float, secondary_score: float, max_candidates: int | None,
            min_shared: int):
    """``(labels, secondary, n_scored)``: the final unit of each sentence (numbered by first
    appearance), the secondary presence ``(unit, sentence)`` pairs in the order they are found,
    and the number of (sentence, unit) scores computed (the work, for tests and benchmarks).

    ``vecs``: anchor -> weight per sentence; ``docs``: article per sentence; ``norms``: squared
    norms of ``vecs``; ``tops``: the anchors used for blocking, per sentence.
    """
    anchor_ids: dict = {}
    ptr = np.zeros(len(vecs) + 1, dtype=np.int64)
    keys, weights = [], []
    for n, vec in enumerate(vecs):
        keys.extend(anchor_ids.setdefault(a, len(anchor_ids)) for a in vec)
        weights.extend(vec.values())
        ptr[n + 1] = len(keys)
    top_ptr = np.zeros(len(vecs) + 1, dtype=np.int64)
    top_keys = []
    for n, top in enumerate(tops):
        top_keys.extend(anchor_ids[a] for a in top)
        top_ptr[n + 1] = len(top_keys)
    doc_ids: dict = {}
    doc_arr = np.fromiter((doc_ids.setdefault(d, len(doc_ids)) for d in docs), np.int64, len(docs))
    labels, sec_unit, sec_sent, n_scored = _run(
        ptr, np.asarray(keys, dtype=np.int64), np.asarray(weights, dtype=np.float64), doc_arr,
        np.asarray(norms, dtype=np.float64), top_ptr, np.asarray(top_keys, dtype=np.int64),
        max(len(anchor_ids), 1), max(len(doc_ids), 1), float(min_score), float(same_score),
        float(secondary_score), -1 if max_candidates is None else int(max_candidates),
        int(min_shared))
    return labels.tolist(), list(zip(sec_unit.tolist(), sec_sent.tolist())), int(n_scored)
