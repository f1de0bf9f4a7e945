"""Join consecutive articles of a generated corpus into longer ones (a stress test of memory).

Usage::

    .venv/bin/python benchmarks/make_corpus.py 20000 benchmarks/.data/corpus-20000-s0-e1.jsonl --events 1
    .venv/bin/python benchmarks/long_articles.py benchmarks/.data/corpus-20000-s0-e1.jsonl \\
        benchmarks/.data/long-10000-e1.jsonl
    .venv/bin/python benchmarks/measure.py benchmarks/.data/long-10000-e1.jsonl

The generated articles are 400-1,200 words; news features and long reports run to 1,500 words
and more, and the memory of one large event grows with its words. Article ``2k`` keeps its
fields and gets the text of article ``2k + 1`` as more paragraphs (``--join 2``), so no text is
repeated: 20,000 generated articles give 10,000 of about 1,550 words. Deterministic.
"""
from __future__ import annotations

import argparse
import json


def join(src: str, out: str, k: int = 2) -> tuple[int, int]:
    """Write the joined corpus; return (articles, whitespace-separated words)."""
    n = words = 0
    with open(src, encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as dst:
        batch: list[dict] = []

        def flush():
            nonlocal n, words
            record = dict(batch[0], text="\n\n".join(r["text"] for r in batch))
            dst.write(json.dumps(record) + "\n")
            n += 1
            words += len(record["text"].split())
            batch.clear()

        for line in fh:
            if line.strip():
                batch.append(json.loads(line))
            if len(batch) == k:
                flush()
        if batch:  # the last articles, fewer than k: one shorter article
            flush()
    return n, words


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("src", help="a corpus from make_corpus.py (JSONL)")
    p.add_argument("out", help="output JSONL")
    p.add_argument("--join", type=int, default=2, help="articles joined into one (default 2)")
    args = p.parse_args(argv)
    n, words = join(args.src, args.out, args.join)
    print(f"{n:,} articles, {words:,} words ({words / max(n, 1):,.0f} per article) -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
