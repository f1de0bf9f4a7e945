"""Check that the kit's fast VADER scorer equals vaderSentiment on every sentence of a corpus.

Usage::

    .venv/bin/python benchmarks/vader_equivalence.py CORPUS.jsonl [--limit N] [--repeat R]

Segments the corpus with the kit (the "text" step: sentences and quotations), then scores every
sentence, and every own-voice and quoted part the tone step scores, with the stock
``vaderSentiment.SentimentIntensityAnalyzer`` and with
``analysis.vader_fast.FastSentimentIntensityAnalyzer``. Every result dict must be equal field by
field and bit for bit (compared with ``==`` on the dicts and on ``float.hex`` of each value).
Prints the number of texts verified, the mismatches (exit status 1 if any) and microseconds per
sentence for both scorers (CPU time, best of ``--repeat`` runs, one core).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _texts(path: str, limit: int | None) -> tuple[list[str], list[str]]:
    from analysis import pipeline, sentiment
    from analysis.corpus import load_corpus

    arts = load_corpus(path)
    if limit:
        arts = arts.iloc[:limit].reset_index(drop=True)
    res = pipeline._step_text(arts, {}, pipeline.Settings())
    sents, quotes = res["sentences"], res["quotes"]
    texts = [str(t) for t in sents["text"]]
    qby: dict[str, list[tuple[int, int, int, int]]] = {}
    for d, s, e, a, b in zip(quotes["doc_id"], quotes["start"], quotes["end"],
                             quotes["mark_start"], quotes["mark_end"]):
        qby.setdefault(str(d), []).append((int(s), int(e), int(a), int(b)))
    parts = []
    for d, s0, text in zip(sents["doc_id"], sents["start"], texts):
        spans = qby.get(str(d), [])
        if spans:
            own, quoted = sentiment._split_voice(text, int(s0), spans)
            parts += [p for p in (own, quoted) if p]
    return texts, parts


def _same(a: dict, b: dict) -> bool:
    return a == b and list(a) == list(b) and all(
        type(a[k]) is type(b[k]) and float(a[k]).hex() == float(b[k]).hex() for k in a)


def _time(fn, texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        for x in texts:
            fn(x)
        best = min(best, time.process_time() - t)
    return best / max(len(texts), 1) * 1e6


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=None, help="first N articles only")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs (best is reported)")
    args = ap.parse_args(argv)

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from analysis import vader_fast

    print(f"vaderSentiment {vader_fast.installed_version()}, verified release "
          f"{vader_fast.VERIFIED_VERSION}, verified install: {vader_fast.is_verified_install()}")
    stock = SentimentIntensityAnalyzer()
    fast = vader_fast.FastSentimentIntensityAnalyzer()
    sentences, parts = _texts(args.corpus, args.limit)
    bad = 0
    for label, texts in (("sentences", sentences), ("own-voice and quoted texts", parts)):
        n_bad = 0
        for x in texts:
            a, b = stock.polarity_scores(x), fast.polarity_scores(x)
            if not _same(a, b):
                n_bad += 1
                if n_bad <= 10:
                    print(f"MISMATCH {x!r}: stock {a} fast {b}")
        print(f"{label}: {len(texts) - n_bad} of {len(texts)} identical")
        bad += n_bad
    t_stock = _time(stock.polarity_scores, sentences, args.repeat)
    t_fast = _time(fast.polarity_scores, sentences, args.repeat)
    print(f"stock {t_stock:.1f} us/sentence, fast {t_fast:.1f} us/sentence "
          f"({t_stock / t_fast:.2f}x) over {len(sentences)} sentences")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
