"""Turn a generated benchmark corpus into one shaped like a Media Cloud export (offline).

Usage::

    .venv/bin/python benchmarks/mediacloud_like.py benchmarks/.data/corpus-10000-s0.jsonl OUT.jsonl
    .venv/bin/python -m analysis tables OUT.jsonl --preset mediacloud --out DIR --jobs 2

The generated corpus has events and 8 outlets; a topic export from Media Cloud has neither an
event column (so the whole corpus is one event) and hundreds of media. This script keeps each
article's text and title and rewrites the rest: columns ``stories_id, media_name, title,
publish_date, url, text``; no ``event``; 300 outlets drawn with Zipf weights (1/rank: a few large
outlets and a long tail); 10% of the articles replaced by a copy of an earlier article's text
(syndicated wire copy under another outlet); 5% cut to their first paragraph (briefs); 2% made
three articles long (features); 3% with an empty ``publish_date``. Deterministic (seed 7).
"""
from __future__ import annotations

import argparse
import json
import random


def convert(src: str, out: str, n_outlets: int = 300, seed: int = 7) -> int:
    rng = random.Random(seed)
    with open(src, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    outlets = [f"Outlet {i:03d}" for i in range(n_outlets)]
    weights = [1 / (i + 1) for i in range(n_outlets)]
    rows = []
    for i, r in enumerate(records):
        text = r["text"]
        u = rng.random()
        if u < 0.10 and rows:                       # syndicated copy of an earlier story
            text = rows[rng.randrange(len(rows))]["text"]
        elif u < 0.15:                              # brief: the first paragraph
            text = text.split("\n\n")[0]
        elif u < 0.17:                              # feature: three articles joined
            text = "\n\n".join([text] + [records[rng.randrange(len(records))]["text"]
                                         for _ in range(2)])
        outlet = rng.choices(outlets, weights)[0]
        date = r["published"] + " 12:00:00" if rng.random() > 0.03 else ""
        rows.append({"stories_id": 10_000_000 + i, "media_name": outlet,
                     "title": r["title"], "publish_date": date,
                     "url": f"https://example.org/{i}", "text": text})
    with open(out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    return len(rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("src", help="a corpus from make_corpus.py (JSONL)")
    p.add_argument("out", help="output JSONL")
    p.add_argument("--outlets", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    print(f"{convert(args.src, args.out, args.outlets, args.seed):,} articles -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
