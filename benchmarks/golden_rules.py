"""Score sentence splitters on pySBD's 48 English "Golden Rules".

Usage::

    .venv/bin/python benchmarks/golden_rules.py

Prints, for ``analysis.segment`` (ours), pySBD (``Segmenter(language="en", clean=False)``) and
NLTK's untrained Punkt (``PunktSentenceTokenizer()`` with no training text), the score N/48
and the names of the failing rules. A rule passes when the splitter's sentences, each stripped
of surrounding whitespace, equal the expected list exactly.

The cases (``tests/data/golden_rules_en.json``) are copied verbatim from pySBD,
``tests/lang/test_english.py`` (MIT licence); their names are the headings of the
pragmatic_segmenter README, "Golden Rules (English)".
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parents[1]
RULES_PATH = ROOT / "tests" / "data" / "golden_rules_en.json"

Splitter = Callable[[str], Iterable[str]]


def load_rules(path: Path = RULES_PATH) -> list[dict]:
    """The golden-rule cases: dicts with ``id, ps_rule, name, text, expected``."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)["rules"]


def passes(split: Splitter, rule: dict) -> bool:
    """Does ``split`` reproduce the expected sentences of one rule (whitespace-stripped)?"""
    got = [s.strip() for s in split(rule["text"])]
    return [s for s in got if s] == rule["expected"]


def score_golden_rules(split: Splitter, rules: list[dict] | None = None) -> tuple[int, list[str]]:
    """Return ``(number of rules passed, names of failing rules)`` for a splitter.

    ``split`` takes a text and returns its sentences as strings.
    """
    rules = load_rules() if rules is None else rules
    failing = [r["name"] for r in rules if not passes(split, r)]
    return len(rules) - len(failing), failing


def ours() -> Splitter:
    sys.path.insert(0, str(ROOT))
    from analysis.segment import sentence_spans

    return lambda text: [text[a:b] for a, b in sentence_spans(text)]


def pysbd_splitter() -> Splitter:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False).segment


def punkt_untrained() -> Splitter:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    return PunktSentenceTokenizer().tokenize


def main() -> None:
    rules = load_rules()
    for label, make in [("ours (analysis.segment)", ours),
                        ("pysbd 0.3.4 (en, clean=False)", pysbd_splitter),
                        ("nltk Punkt, untrained", punkt_untrained)]:
        n, failing = score_golden_rules(make(), rules)
        print(f"{label}: {n}/{len(rules)}")
        for name in failing:
            print(f"    FAIL  {name}")


if __name__ == "__main__":
    main()
