"""Score the quotation extractor and speaker attribution against a hand-annotated gold file.

Usage::

    python benchmarks/quotes_eval.py [tests/data/quotes_gold.jsonl] [--verbose]

The gold file has one JSON object per text: ``{"id", "text", "quotes": [{"start", "end",
"text", "speaker"}]}`` listing every *speech* quotation (offsets of the quoted words without the
marks) and its speaker as resolved within the text. Scare quotes are not listed, so a quotation
the extractor calls ``scare`` is simply not predicted.

Scores, in the style of the Gender Gap Tracker evaluation (Asr et al. 2021, PLOS ONE 16(1)):

* span precision / recall / F1, **exact** (same offsets after trimming whitespace and
  trailing punctuation inside the marks) and **lenient** (character overlap of at least half
  of the longer span);
* speaker accuracy: among gold quotations matched (lenient) by a prediction, the share whose
  predicted speaker equals the gold speaker (case-insensitive, ignoring a leading article);
  the end-to-end figure divides by all gold quotations instead.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.quotes import find_quotes  # noqa: E402
from analysis.speakers import attribute_speakers  # noqa: E402

_TRIM = " \t\n,.;:!?\"'\u201c\u201d\u2018\u2019"


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


def _norm_speaker(s: str) -> str:
    s = s.strip().lower()
    for art in ("the ", "a ", "an "):
        if s.startswith(art):
            s = s[len(art):]
    return s


def load_gold(path: str | Path) -> list[dict]:
    """Read the gold JSONL file; each record has ``id``, ``text`` and ``quotes``."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(gold: list[dict], verbose: bool = False) -> dict:
    """Return span P/R/F1 (exact, lenient) and speaker accuracy for the gold records."""
    articles = pd.DataFrame({"doc_id": [g["id"] for g in gold], "text": [g["text"] for g in gold]})
    pred = attribute_speakers(articles, find_quotes(articles))
    pred = pred[(pred["kind"] == "speech") & (pred["depth"] == 0)]
    n_gold = n_pred = tp_exact = tp_len = spk_ok = 0
    for g in gold:
        text = g["text"]
        p = pred[pred["doc_id"] == g["id"]]
        preds = [(_trim(text, s, e), sp) for s, e, sp in zip(p["start"], p["end"], p["speaker"])]
        n_pred += len(preds)
        n_gold += len(g["quotes"])
        used = set()
        for q in g["quotes"]:
            gs, ge = _trim(text, q["start"], q["end"])
            best, best_ov = None, 0
            for k, ((ps, pe), sp) in enumerate(preds):
                ov = min(ge, pe) - max(gs, ps)
                if k not in used and ov > best_ov and ov >= 0.5 * max(ge - gs, pe - ps):
                    best, best_ov = k, ov
            if best is None:
                if verbose:
                    print(f"MISS  {g['id']}: {text[gs:ge][:60]!r}")
                continue
            used.add(best)
            tp_len += 1
            (ps, pe), sp = preds[best]
            tp_exact += (ps, pe) == (gs, ge)
            ok = _norm_speaker(sp) == _norm_speaker(q["speaker"])
            spk_ok += ok
            if verbose and not ok:
                print(f"SPKR  {g['id']}: {text[gs:ge][:40]!r}: got {sp!r}, gold {q['speaker']!r}")
        if verbose:
            for k, ((ps, pe), sp) in enumerate(preds):
                if k not in used:
                    print(f"FALSE {g['id']}: {text[ps:pe][:60]!r}")

    def prf(tp):
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    pe_, re_, fe_ = prf(tp_exact)
    pl, rl, fl = prf(tp_len)
    return {"n_gold": n_gold, "n_pred": n_pred,
            "exact_precision": pe_, "exact_recall": re_, "exact_f1": fe_,
            "lenient_precision": pl, "lenient_recall": rl, "lenient_f1": fl,
            "speaker_accuracy": spk_ok / tp_len if tp_len else 0.0,
            "speaker_accuracy_end_to_end": spk_ok / n_gold if n_gold else 0.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", default=str(ROOT / "tests" / "data" / "quotes_gold.jsonl"))
    ap.add_argument("--verbose", action="store_true", help="list misses and wrong speakers")
    args = ap.parse_args(argv)
    scores = evaluate(load_gold(args.gold), verbose=args.verbose)
    for k, v in scores.items():
        print(f"{k:30} {v:.3f}" if isinstance(v, float) else f"{k:30} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
