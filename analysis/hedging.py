"""Hedges, boosters, evidentials and reporting verbs: lexicon matching with context rules.

The cue lists live in ``analysis/lexicons/hedges.yaml`` (hedge, booster, evidential) and
``analysis/lexicons/reporting_verbs.yaml`` (reporting verbs, grouped neutral / distancing /
endorsing). This module matches them in sentences, applies the context rules named in the lexicon
(each documented there and below), and aggregates per article.

A hedge cue follows the CoNLL-2010 shared-task definition (Farkas et al. 2010): a word or phrase
that presents a proposition as uncertain, possible or not known to be true -- epistemic modality,
not ability, obligation, volition or plain future. Boosters are Hyland's (2005) markers of
certainty. Evidentials mark the source of, or the absence of evidence for, a claim.

Matching is done on whole words (:func:`analysis.tokens.word_spans`), case-insensitively, longest
cue first, left to right, without overlaps: each word belongs to at most one match, so
``(doc_id, start)`` is a key. Where a form is in both lexicons ("suggested", "believe",
"estimated", "thought"), the hedge rule decides first; if it rejects the reading, the reporting-verb
reading is tried.

Context rules (names as in ``hedges.yaml``)
-------------------------------------------
modal_may             lower-case "may" only; capitalised "May" is the month or a name ("May 11",
                      "on May 7", "in May"), sentence-initial "May" is never the hedge.
epistemic_could       not "could not"/"couldn't"/"could never", not past ability with perception
                      verbs ("could see"), not purpose clauses ("so they could").
epistemic_would       not future-in-the-past after a past reporting verb ("said the troops would
                      return"), not volition ("would like"), not habitual past ("Before, we
                      would see", "often would").
modal_might           not the noun ("military might", "its might").
appear_epistemic      "appears to/that/as/unlikely", not "appeared at a news conference".
suggest_epistemic     inanimate subject ("the approach suggested that"), else reporting verb.
first_person_doxastic think/believe/suppose/guess/doubt with I/we; else reporting verb.
approximator_number   about/around/some/up to/estimated + number ("about 6.5 million").
epistemic_must        "must have", "must be" + non-participle; deontic "must cease" excluded.
negated_evidence      "any evidence/sign/indication" after a negation ("haven't seen any evidence").
negated_rule_out      "(did) not rule out".
not_as_possible       not "as soon as possible", "if possible", "make it possible".

Reporting verbs are filtered too: forms that are often nouns ("reports of violence",
"independent states", "fears of an invasion") count only in a verb context, and light verbs
("maintain its clout", "add troops", "shows the hypocrisy") only before "that", a quotation or the
end of the clause.

References
----------
Hyland, K. (2005). *Metadiscourse: Exploring Interaction in Writing*. Continuum.
Hyland, K. (1998). *Hedging in Scientific Research Articles*. John Benjamins.
Farkas, R., Vincze, V., Mora, G., Csirik, J., & Szarvas, G. (2010). The CoNLL-2010 shared task:
learning to detect hedges and their scope in natural language text. *Proc. CoNLL-2010*, 1-12.
Szarvas, G., Vincze, V., Farkas, R., Mora, G., & Gurevych, I. (2012). Cross-genre and
cross-domain detection of semantic uncertainty. *Computational Linguistics* 38(2), 335-367.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd

from .errors import LexiconError, problem
from .lexicon import load_lexicon
from .tokens import count_words, word_spans, word_starts

#: Categories of the hedges table, in reporting order.
CATEGORIES = ("hedge", "booster", "evidential",
              "reporting_neutral", "reporting_distancing", "reporting_endorsing")
#: Categories that mark a sentence as uncertain (see :func:`sentence_uncertainty`).
UNCERTAIN_CATEGORIES = ("hedge", "evidential")
#: Voices whose cues express the writer's (or a paraphrased source's) uncertainty.
UNCERTAIN_VOICES = ("own", "attributed")

MATCH_COLUMNS = ["doc_id", "sent_id", "start", "end", "surface", "category", "cue"]

# ---------------------------------------------------------------------------------------------
# word classes used by the context rules
# ---------------------------------------------------------------------------------------------
_APOS = str.maketrans({"\u2019": "'", "\u2018": "'"})
NEGATORS = {"not", "never", "no", "without", "nor", "cannot", "neither"}
DETERMINERS = {"a", "an", "the", "this", "these", "those", "his", "her", "its", "their", "our",
               "my", "your", "whose", "any", "every", "each", "some", "such", "no", "all", "full",
               "military", "economic", "naval", "nuclear", "great", "sheer", "own"}
SUBJECT_PRONOUNS = {"i", "we", "you", "he", "she", "it", "they", "who", "which", "that"}
MODALS_AUX = {"will", "would", "could", "can", "may", "might", "shall", "should", "must", "to",
              "do", "does", "did", "not", "also", "still", "repeatedly", "publicly", "again",
              "have", "has", "had", "they've", "we've", "i've", "often", "never", "always"}
MONTH_PRECEDERS = {"in", "on", "since", "early", "late", "mid", "by", "until", "till", "from",
                   "last", "next", "this", "of", "through", "during", "before", "after", "throughout",
                   "between", "and", "to", "beginning", "end", "start"}
NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
                "eighty", "ninety", "hundred", "hundreds", "thousand", "thousands", "million",
                "millions", "billion", "billions", "dozen", "dozens", "half", "third", "quarter",
                "twice", "double"}
PERCEPTION_VERBS = {"see", "hear", "feel", "smell", "taste", "sense", "remember", "recall", "afford"}
HABITUAL_OPENERS = {"before", "previously", "formerly", "earlier", "then"}
HABITUAL_ADVERBS = {"often", "usually", "always", "sometimes", "regularly", "routinely", "every",
                    "typically"}
VOLITION = {"like", "rather", "prefer", "love", "hate"}
PHYSICAL_PREPS = {"at", "in", "on", "before", "with", "alongside", "onstage", "together", "inside",
                  "outside", "beside", "near", "under", "during", "for", "from", "live", "again",
                  "briefly", "here", "there", "online", "via", "behind", "next", "into"}
FIRST_PERSON = {"i", "we"}
DOXASTIC_SKIP = {"do", "don't", "dont", "did", "didn't", "not", "also", "still", "really",
                 "strongly", "firmly", "personally", "truly", "honestly", "would", "'d", "do",
                 "genuinely", "certainly", "can't", "cannot", "just", "sincerely", "always"}
MUST_SKIP = {"also", "surely", "certainly", "still", "now", "already", "clearly", "obviously"}
IRREGULAR_PARTICIPLES = {"held", "made", "done", "given", "taken", "put", "set", "kept", "paid",
                         "built", "brought", "seen", "shown", "told", "sent", "met", "found", "won",
                         "led", "let", "cut", "hit", "stopped", "met", "sold", "spent", "left",
                         "heard", "known", "thrown", "drawn", "torn", "shut", "struck", "fought"}
IRREGULAR_PAST = {"said", "told", "thought", "wrote", "knew", "felt", "wrote", "saw", "spoke"}
# Past reporting verbs that back-shift a following "would" (future in the past), beyond the
# reporting-verb lexicon.
BACKSHIFT_EXTRA = {"promised", "expected", "hoped", "agreed", "vowed", "pledged", "threatened",
                   "knew", "felt", "decided", "ordered", "signalled", "signaled", "indicated",
                   "predicted", "feared", "believed", "thought", "assured", "guaranteed"}
QUOTE_CHARS = "\"\u201c\u201d\u00ab\u00bb\u2018\u2019'"

# Reporting-verb lemmas whose base / -s forms are often nouns ("reports of", "claims", "states").
NOUN_AMBIGUOUS = {"state", "report", "call", "question", "comment", "voice", "claim", "fear",
                  "demand", "note", "quote", "dispute", "estimate", "show", "reply", "praise",
                  "welcome", "repeat", "warning", "statement", "answer", "respond", "urge",
                  "question", "predict", "promise", "write", "add", "establish"}
# Reporting-verb lemmas with frequent non-communication senses: count only before "that", a
# quotation, punctuation or the end of the sentence.
LIGHT_VERBS = {"maintain", "add", "show", "demonstrate", "establish", "reveal", "repeat",
               "describe", "estimate", "note", "call", "write"}
# Adjectival participles that still mark attribution ("the alleged plot").
KEEP_ADJECTIVAL = {"allege", "purport"}


# ---------------------------------------------------------------------------------------------
# lexicon
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cue:
    """One matchable form: its words, category, lexicon entry and context rule (or None)."""

    words: tuple[str, ...]
    category: str
    entry: str
    rule: str | None
    layer: int  # 0 = hedges.yaml, 1 = reporting_verbs.yaml


def _as_forms(path, entry_name, forms) -> list[str]:
    if isinstance(forms, str):
        forms = [forms]
    if not isinstance(forms, list) or not forms:
        raise LexiconError(problem(path, f"entry '{entry_name}': expected a non-empty list of "
                                         f"forms, found {forms!r}", fix="write forms: [form, ...]"))
    out = []
    for f in forms:
        if not isinstance(f, str) or not f.strip() or not word_spans(f):
            raise LexiconError(problem(path, f"entry '{entry_name}': form {f!r} is not a word or "
                                             "phrase", fix="quote the form as a plain string"))
        out.append(f)
    return out


def _form_words(form: str) -> tuple[str, ...]:
    return tuple(form[s:e].lower().translate(_APOS) for s, e in word_spans(form))


def _compile_hedges(lex: dict) -> list[Cue]:
    path = lex["_path"]
    cats = lex.get("categories")
    if not isinstance(cats, dict) or not {"hedge", "booster", "evidential"} <= set(cats):
        raise LexiconError(problem(path, "field 'categories' must define hedge, booster and "
                                         f"evidential; found {sorted(cats or [])}"))
    rules = lex.get("rules") or {}
    sources = lex.get("sources") or {}
    entries = lex.get("entries")
    if not isinstance(entries, dict):
        raise LexiconError(problem(path, "field 'entries' missing or not a mapping of category -> "
                                         "entries"))
    cues = []
    for category, items in entries.items():
        if category not in cats:
            raise LexiconError(problem(path, f"entries: category '{category}' is not defined under "
                                             f"'categories' (defined: {', '.join(cats)})"))
        if not isinstance(items, dict):
            raise LexiconError(problem(path, f"entries.{category}: expected a mapping of entry "
                                             f"name -> {{forms, source}}, found {type(items).__name__}"))
        for name, spec in items.items():
            where = f"{category}.{name}"
            if not isinstance(spec, dict):
                raise LexiconError(problem(path, f"entry '{where}': expected a mapping with forms "
                                                 f"and source, found {spec!r}"))
            forms = _as_forms(path, where, spec.get("forms"))
            src = spec.get("source")
            src = [src] if isinstance(src, str) else src
            if not src or not isinstance(src, list):
                raise LexiconError(problem(path, f"entry '{where}': no source given",
                                           fix="add source: [key, ...] naming a 'sources' key"))
            unknown = [s for s in src if s not in sources]
            if unknown:
                raise LexiconError(problem(path, f"entry '{where}': source(s) {unknown} not defined "
                                                 f"under 'sources' (defined: {', '.join(sources)})"))
            rule = spec.get("rule")
            if rule is not None and (rule not in rules or rule not in RULES):
                raise LexiconError(problem(path, f"entry '{where}': rule '{rule}' is not "
                                                 f"{'documented under rules' if rule not in rules else 'implemented'}"
                                                 f" (known: {', '.join(sorted(RULES))})"))
            for f in forms:
                cues.append(Cue(_form_words(f), category, name, rule, 0))
    return cues


def _compile_reporting(lex: dict) -> list[Cue]:
    path = lex["_path"]
    cues = []
    for block in ("verbs", "cues"):
        groups = lex.get(block) or {}
        if not isinstance(groups, dict):
            raise LexiconError(problem(path, f"field '{block}' must map a group to lemmas"))
        for group, lemmas in groups.items():
            if group not in ("neutral", "distancing", "endorsing"):
                raise LexiconError(problem(path, f"{block}.{group}: unknown group (expected "
                                                 "neutral, distancing or endorsing)"))
            if not isinstance(lemmas, dict):
                raise LexiconError(problem(path, f"{block}.{group}: expected lemma: [forms]"))
            for lemma, forms in lemmas.items():
                forms = _as_forms(path, f"{block}.{group}.{lemma}", forms)
                for f in forms:
                    cues.append(Cue(_form_words(f), f"reporting_{group}", str(lemma),
                                    "reporting" if block == "verbs" else None, 1))
    return cues


@lru_cache(maxsize=16)
def _compiled(lexicon: str, reporting: str | None) -> dict[str, list[Cue]]:
    cues = _compile_hedges(load_lexicon(lexicon))
    if reporting:
        cues += _compile_reporting(load_lexicon(reporting))
    index: dict[str, list[Cue]] = {}
    for c in cues:
        index.setdefault(c.words[0], []).append(c)
    for lst in index.values():
        # hedges.yaml before reporting verbs, then longest first
        lst.sort(key=lambda c: (c.layer, -len(c.words)))
    return index


def load_hedge_lexicon(lexicon: str = "hedges", reporting: str | None = "reporting_verbs") -> dict:
    """Validate and return the hedge lexicon (as :func:`analysis.lexicon.load_lexicon` does).

    Raises :class:`analysis.errors.LexiconError` naming the file and the entry when an entry has
    no forms, no (or an unknown) source, an undocumented rule or an undefined category.
    """
    _compiled(str(lexicon), reporting)
    return load_lexicon(lexicon)


# ---------------------------------------------------------------------------------------------
# context rules: each gets the sentence context, the index of the first word and the cue length
# ---------------------------------------------------------------------------------------------
class _Ctx:
    __slots__ = ("text", "spans", "low", "raw", "n")

    def __init__(self, text: str):
        self.text = text
        self.spans = word_spans(text)
        self.raw = [text[s:e] for s, e in self.spans]
        self.low = _lowered(text, self.spans, self.raw)
        self.n = len(self.spans)

    def gap_before(self, i: int) -> str:
        """Characters between word i-1 and word i (start of text for i = 0)."""
        if i >= self.n:
            return self.text[self.spans[-1][1]:] if self.n else self.text
        return self.text[(self.spans[i - 1][1] if i else 0):self.spans[i][0]]

    def joined(self, i: int) -> bool:
        """Word i follows word i-1 with only spaces between (no punctuation)."""
        return 0 < i < self.n and not self.gap_before(i).strip()

    def sentence_start(self, i: int) -> int:
        """Index of the first word of the sentence containing word i (for multi-sentence text)."""
        j = i
        while j > 0 and not re.search(r"[.!?]", self.gap_before(j)):
            j -= 1
        return j

    def word(self, i: int) -> str | None:
        return self.low[i] if 0 <= i < self.n else None

    def next_word(self, j: int, skip: set[str] = frozenset()) -> tuple[int, str | None]:
        """First word at or after j, on the same clause (no punctuation), skipping ``skip``."""
        while j < self.n and self.joined(j):
            if self.low[j] not in skip:
                return j, self.low[j]
            j += 1
        return j, None

    def prev_word(self, i: int, skip: set[str] = frozenset()) -> tuple[int, str | None]:
        """Last word before i on the same clause, skipping ``skip``."""
        j = i - 1
        while j >= 0 and self.joined(j + 1):
            if self.low[j] not in skip:
                return j, self.low[j]
            j -= 1
        return j, None


def _lowered(text: str, spans: list[tuple[int, int]], raw: list[str]) -> list[str]:
    """``w.lower().translate(_APOS)`` for each word, cut from the lowered text when lowering
    maps it character by character (no capital dotted I, no capital sigma: final-sigma rule)."""
    if "\u0130" in text or "\u03a3" in text:
        return [w.lower().translate(_APOS) for w in raw]
    low = text.lower().translate(_APOS)
    return [low[s:e] for s, e in spans]


def _is_negation(w: str | None) -> bool:
    return w is not None and (w in NEGATORS or w.endswith("n't"))


def _is_number(w: str | None) -> bool:
    return w is not None and (w[0].isdigit() or w in NUMBER_WORDS)


def _rule_modal_may(c: _Ctx, i: int, k: int) -> bool:
    raw = c.raw[i]
    if raw == "may":
        return True
    if not raw[0].isupper() or i == 0:
        return False  # sentence-initial "May": month, optative or permission question
    prev = c.low[i - 1]
    nxt = c.word(i + 1)
    if prev in MONTH_PRECEDERS or _is_number(nxt) or nxt is None or not c.joined(i + 1):
        return False
    # mid-sentence capitalised "May" is a modal only inside a title-case headline
    long_words = [w for w in c.raw if len(w) > 3 and w[0].isalpha()]
    return len(long_words) >= 3 and sum(w[0].isupper() for w in long_words) >= 0.8 * len(long_words)


def _rule_epistemic_could(c: _Ctx, i: int, k: int) -> bool:
    j, nxt = c.next_word(i + 1, skip={"also", "still", "only", "easily", "even", "then", "now",
                                      "well", "clearly", "just"})
    if _is_negation(c.word(i + 1)) or _is_negation(nxt) or nxt in PERCEPTION_VERBS:
        return False
    before = c.low[max(0, i - 3):i]
    # purpose clause "so (that) they could ..."; "so far ... could" is not one
    if "so" in before and not {"far", "much", "many", "long"} & set(before):
        return False
    return True


def _backshift_forms() -> set[str]:
    forms = set(BACKSHIFT_EXTRA)
    for lst in _compiled("hedges", "reporting_verbs").values():
        for cue in lst:
            if cue.layer == 1 and len(cue.words) == 1:
                w = cue.words[0]
                if w.endswith("ed") or w in IRREGULAR_PAST:
                    forms.add(w)
    return forms


def _rule_epistemic_would(c: _Ctx, i: int, k: int) -> bool:
    nxt = c.word(i + 1)
    if nxt in VOLITION:
        return False
    first = c.sentence_start(i)
    if (c.low[first] in HABITUAL_OPENERS and not c.joined(first + 1)) or \
            HABITUAL_ADVERBS & set(c.low[first:i]):
        return False  # habitual past: "Before, we would see 10 aircraft"
    backshift = _backshift_forms()
    for j in range(i - 1, first - 1, -1):
        w = c.low[j]
        if w == "if":
            return True  # conditional between the reporting verb and "would"
        past_report = w in backshift or (w in _base_reporting() and j > 0
                                         and c.low[j - 1] in {"did", "didn't", "not"})
        if past_report:
            return False
    return True


@lru_cache(maxsize=1)
def _base_reporting() -> frozenset[str]:
    return frozenset(cue.words[0] for lst in _compiled("hedges", "reporting_verbs").values()
                     for cue in lst if cue.layer == 1 and len(cue.words) == 1)


_backshift_forms = lru_cache(maxsize=1)(_backshift_forms)


def _rule_modal_might(c: _Ctx, i: int, k: int) -> bool:
    prev = c.word(i - 1) if c.joined(i) else None
    if prev is not None and (prev in DETERMINERS or prev.endswith("'s") or prev == "of"):
        return False
    nxt = c.word(i + 1)
    if nxt is None or not c.joined(i + 1) or nxt in {"of", "and", "or", "is", "was", "that"}:
        return False
    return True


def _rule_appear(c: _Ctx, i: int, k: int) -> bool:
    nxt = c.word(i + k)
    if nxt is None or not c.joined(i + k):
        return False
    if nxt in {"to", "that", "as", "likely", "unlikely", "increasingly", "certain"}:
        return True
    return nxt not in PHYSICAL_PREPS


def _rule_suggest(c: _Ctx, i: int, k: int) -> bool:
    nxt = c.word(i + k)
    if nxt is not None and c.joined(i + k) and (nxt == "to" or nxt.endswith("ing")):
        return False
    j, prev = c.prev_word(i, skip={"also", "strongly", "has", "have", "had", "previously",
                                   "seemingly", "further", "would", "could", "may", "might"})
    if prev is None:
        return True  # no subject word in the clause (sentence-initial or after punctuation)
    if prev in SUBJECT_PRONOUNS - {"it", "which", "that"}:
        return False
    if c.raw[j][0].isupper() and not prev.endswith("'s"):
        return False  # a named speaker: "Putin suggested that" (reporting)
    return True


def _rule_first_person(c: _Ctx, i: int, k: int) -> bool:
    _, prev = c.prev_word(i, skip=DOXASTIC_SKIP)
    return prev in FIRST_PERSON or prev in {"i'd", "we'd", "i'm"}


def _rule_approximator(c: _Ctx, i: int, k: int) -> bool:
    j = i + k
    if j >= c.n or c.gap_before(j).strip(" $\u00a3\u20ac~"):
        return False
    w = c.low[j]
    if _is_number(w):
        return True
    return w in {"a", "an"} and j + 1 < c.n and c.low[j + 1] in NUMBER_WORDS


def _rule_must(c: _Ctx, i: int, k: int) -> bool:
    j, nxt = c.next_word(i + 1, skip=MUST_SKIP)
    if nxt == "have":
        return True
    if nxt == "be":
        j2, after = c.next_word(j + 1)
        if after is None:
            return False
        return not (after.endswith("ed") or after.endswith("en") or after in IRREGULAR_PARTICIPLES)
    return False


def _rule_negated_window(width: int) -> Callable[[_Ctx, int, int], bool]:
    def rule(c: _Ctx, i: int, k: int) -> bool:
        window = c.low[max(0, i - width):i]
        if any(_is_negation(w) for w in window):
            return True
        return any(a == "yet" and b == "to" for a, b in zip(window, window[1:]))
    return rule


def _rule_possible(c: _Ctx, i: int, k: int) -> bool:
    prev = c.word(i - 1)
    if prev in {"as", "if", "everything", "every", "whenever", "wherever", "where", "when",
                "all", "anything"}:
        return False
    if prev == "it" and c.word(i - 2) in {"make", "makes", "made", "making"}:
        return False
    return True


def _rule_always(c: _Ctx, i: int, k: int) -> bool:
    return True


def _rule_reporting(c: _Ctx, i: int, k: int, lemma: str) -> bool:
    """Verb reading of a reporting-verb form (see module docstring)."""
    w = c.low[i + k - 1] if k > 1 else c.low[i]
    prev = c.word(i - 1) if c.joined(i) else None
    past = w.endswith("ed") or w in IRREGULAR_PAST or w in IRREGULAR_PARTICIPLES
    ing = w.endswith("ing")
    if prev is not None and (prev in DETERMINERS - {"that"} or prev.endswith("'s")) \
            and lemma not in KEEP_ADJECTIVAL:
        return False  # adjective or noun: "the disputed takeover", "its statement", "a report"
    if lemma in NOUN_AMBIGUOUS and i > 0 and c.raw[i][0].isupper():
        return False  # a name: "the United States", "Question Time"
    if not past and not ing:
        # base or -s form: a verb needs a subject, auxiliary or "to" before it
        # ("NATO says", "analysts say", "didn't say"); else a noun ("previous pledges")
        nxt = c.word(i + k) if c.joined(i + k) else None
        if nxt in {"of", "for", "about", "over", "from", "and", "or", "by"}:
            return False
        raw_prev = c.raw[i - 1] if i > 0 and c.joined(i) else None
        if not (prev in SUBJECT_PRONOUNS or prev in MODALS_AUX or (prev or "").endswith("n't")
                or (raw_prev is not None and raw_prev[0].isupper())
                or (prev is not None and nxt is not None and prev.endswith("s")
                    and not prev.endswith(("ss", "us", "is", "'s")))):  # plural-noun subject
            return False
    if lemma in LIGHT_VERBS:
        j = i + k
        if j >= c.n:
            return True
        gap = c.gap_before(j)
        if gap.strip():
            return True  # punctuation or quotation follows: '..., he added.'
        nxt = c.low[j]
        if lemma == "call" and (nxt in {"for", "on", "upon"} or "what" in c.low[max(0, i - 3):i]):
            return True  # "called for", "called on", naming: "what the Kremlin calls a ..."
        if lemma == "describe" and nxt == "as":
            return True
        return nxt in {"that", "how", "what", "why", "whether", "to"} and lemma != "estimate" \
            or (lemma == "estimate" and nxt == "that")
    return True


RULES: dict[str, Callable[[_Ctx, int, int], bool]] = {
    "modal_may": _rule_modal_may,
    "epistemic_could": _rule_epistemic_could,
    "epistemic_would": _rule_epistemic_would,
    "modal_might": _rule_modal_might,
    "appear_epistemic": _rule_appear,
    "suggest_epistemic": _rule_suggest,
    "first_person_doxastic": _rule_first_person,
    "approximator_number": _rule_approximator,
    "epistemic_must": _rule_must,
    "negated_evidence": _rule_negated_window(6),
    "negated_rule_out": _rule_negated_window(3),
    "predicative_clear": _rule_always,
    "not_as_possible": _rule_possible,
}


# ---------------------------------------------------------------------------------------------
# matching
# ---------------------------------------------------------------------------------------------
def _match_text(text: str, index: dict[str, list[Cue]]) -> list[tuple[int, int, Cue]]:
    """Matches in one text as (first word index, n words, cue)."""
    return _match_ctx(_Ctx(text), index)


def _match_ctx(c: _Ctx, index: dict[str, list[Cue]]) -> list[tuple[int, int, Cue]]:
    """:func:`_match_text` on a prepared context (its ``spans`` are the text's word spans)."""
    out = []
    free = 0  # words before this index belong to a match
    for i in [j for j, w in enumerate(c.low) if w in index]:
        if i < free:
            continue
        for cue in index[c.low[i]]:
            k = len(cue.words)
            if i + k > c.n or (k > 1 and c.low[i + 1] != cue.words[1]) or (
                    tuple(c.low[i:i + k]) != cue.words):
                continue
            if any(not c.joined(j) for j in range(i + 1, i + k)):
                continue
            if cue.rule == "reporting":
                ok = _rule_reporting(c, i, k, cue.entry)
            elif cue.rule is not None:
                ok = RULES[cue.rule](c, i, k)
            else:
                ok = True
            if ok:
                out.append((i, k, cue))
                free = i + k
                break
    return out


def match_text(text: str, lexicon: str = "hedges",
               reporting: str | None = "reporting_verbs") -> pd.DataFrame:
    """Cues in a single text: ``start, end, surface, category, cue`` (offsets into ``text``).

    Convenience for exploring and testing; the pipeline uses :func:`match_hedges`.
    """
    index = _compiled(str(lexicon), reporting)
    c_spans = word_spans(text)
    rows = []
    for i, k, cue in _match_text(text, index):
        s, e = c_spans[i][0], c_spans[i + k - 1][1]
        rows.append((s, e, text[s:e], cue.category, cue.entry))
    return pd.DataFrame(rows, columns=["start", "end", "surface", "category", "cue"])


def match_hedges(sentences: pd.DataFrame, lexicon: str = "hedges",
                 reporting: str | None = "reporting_verbs") -> pd.DataFrame:
    """Find hedges, boosters, evidentials and reporting verbs in every sentence.

    Parameters
    ----------
    sentences : DataFrame
        The kit's sentences frame (``doc_id, sent_id, start, text``; ``text`` is
        ``articles.text[start:end]``).
    lexicon : str
        Bundled lexicon name or path of the hedge lexicon (default ``"hedges"``).
    reporting : str or None
        Reporting-verb lexicon (default ``"reporting_verbs"``); ``None`` leaves reporting verbs out.

    Returns
    -------
    DataFrame
        One row per cue, sorted by ``doc_id, start``, columns ``doc_id, sent_id, start, end,
        surface, category, cue``. ``start``/``end`` are offsets into ``articles.text``;
        ``category`` is one of :data:`CATEGORIES`; ``cue`` names the lexicon entry (hedges.yaml)
        or the reporting-verb lemma. No ``voice`` column: add it with
        ``analysis.voice.assign_voice``.
    """
    index = _compiled(str(lexicon), reporting)
    rows = []
    for doc_id, sent_id, s0, text in zip(sentences["doc_id"].tolist(), sentences["sent_id"],
                                         sentences["start"], sentences["text"].tolist()):
        text = str(text)
        c = _Ctx(text)
        spans = c.spans
        for i, k, cue in _match_ctx(c, index):
            s, e = spans[i][0], spans[i + k - 1][1]
            rows.append((doc_id, sent_id, int(s0) + s, int(s0) + e, text[s:e], cue.category,
                         cue.entry))
    out = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    out = out.astype({"sent_id": "int64", "start": "int64", "end": "int64"})
    return out.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------------------------
def _quoted_mask_counts(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """(all words, words outside the quotation spans) of ``text``."""
    if not spans:
        n = count_words(text)
        return n, n
    starts = word_starts(text)
    inside = sum(bisect.bisect_left(starts, e) - bisect.bisect_left(starts, s)
                 for s, e in _merged(spans))  # words starting inside a quotation
    return len(starts), len(starts) - inside


def _merged(spans: list[tuple[int, int]]) -> list[list[int]]:
    """The disjoint ``[start, end]`` intervals, in order, covering the non-empty ``spans``."""
    out: list[list[int]] = []
    for s, e in sorted(sp for sp in spans if sp[0] < sp[1]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def hedge_rates(hedges: pd.DataFrame, sentences: pd.DataFrame, articles: pd.DataFrame,
                quotes: pd.DataFrame | None, quote_kinds: tuple[str, ...] | None = None
                ) -> pd.DataFrame:
    """Per-article counts and rates per 1,000 words of each cue category, overall and own voice.

    Parameters
    ----------
    hedges : DataFrame
        Output of :func:`match_hedges` with a ``voice`` column added
        (``own``/``quoted``/``scare``/``attributed``).
    sentences : DataFrame
        The kit's sentences (used for the share of uncertain sentences).
    articles : DataFrame
        ``doc_id, text``; every article gets a row, also those without cues.
    quotes : DataFrame or None
        The quotes frame (``doc_id, start, end, kind``); own-voice words are the words of the
        article outside these spans. ``None`` means no quotation spans.
    quote_kinds : tuple of str, optional
        Quote kinds that remove words from the own-voice denominator (default: all kinds, i.e.
        speech and scare quotes; cues inside either are not in own voice).

    Returns
    -------
    DataFrame
        One row per article, sorted by ``doc_id``: ``doc_id, n_words, n_own_words``, then for each
        category ``c`` in :data:`CATEGORIES`: ``c_n`` (all voices), ``c_per_1k_words``,
        ``c_n_own`` (voice ``own``), ``c_per_1k_own_words`` (own-voice cues per 1,000 words
        outside quotations), ``c_n_attributed``, ``c_n_quoted`` (voices ``quoted`` and ``scare``);
        and ``n_sentences``, ``n_uncertain_sentences``, ``uncertain_sentence_share``
        (see :func:`sentence_uncertainty`). E.g. ``hedge_per_1k_words``,
        ``hedge_per_1k_own_words``, ``evidential_n_own``.

    Notes
    -----
    The own-voice denominator contains the words of attributed (reported) speech, because the
    voice of reported speech is decided per cue, not per word; ``c_n_attributed`` gives the cues
    set aside from the numerator.
    """
    if "voice" not in hedges.columns:
        raise ValueError("hedge_rates: parameter 'hedges' must have a 'voice' column (add it with "
                         "analysis.voice.assign_voice); got columns " + ", ".join(hedges.columns))
    qspans: dict[str, list[tuple[int, int]]] = {}
    if quotes is not None and len(quotes):
        q = quotes if quote_kinds is None else quotes[quotes["kind"].isin(quote_kinds)]
        for d, s, e in zip(q["doc_id"], q["start"], q["end"]):
            qspans.setdefault(str(d), []).append((int(s), int(e)))
    unc = sentence_uncertainty(hedges, sentences) if len(sentences) else pd.Series(dtype=bool)
    sent_counts = (sentences.assign(_u=unc.to_numpy()).groupby("doc_id")["_u"].agg(["size", "sum"])
                   if len(sentences) else pd.DataFrame(columns=["size", "sum"]))
    # counts per (doc, category, voice) once, instead of filtering the frame per article
    counts = hedges.groupby(["doc_id", "category", "voice"]).size().to_dict() if len(hedges) else {}
    n_sents = {d: (int(n), int(u)) for d, n, u in zip(sent_counts.index, sent_counts["size"],
                                                       sent_counts["sum"])}
    rows = []
    for doc_id, text in zip(articles["doc_id"], articles["text"]):
        n_words, n_own = _quoted_mask_counts(str(text), qspans.get(str(doc_id), []))
        row: dict[str, object] = {"doc_id": doc_id, "n_words": n_words, "n_own_words": n_own}
        for cat in CATEGORIES:
            by_voice = {v: counts.get((doc_id, cat, v), 0)
                        for v in ("own", "attributed", "quoted", "scare")}
            n_all = sum(by_voice.values())
            n_own_c = by_voice["own"]
            row[f"{cat}_n"] = n_all
            row[f"{cat}_per_1k_words"] = 1000 * n_all / n_words if n_words else np.nan
            row[f"{cat}_n_own"] = n_own_c
            row[f"{cat}_per_1k_own_words"] = 1000 * n_own_c / n_own if n_own else np.nan
            row[f"{cat}_n_attributed"] = by_voice["attributed"]
            row[f"{cat}_n_quoted"] = by_voice["quoted"] + by_voice["scare"]
        n_s, n_u = n_sents.get(doc_id, (0, 0))
        row["n_sentences"] = n_s
        row["n_uncertain_sentences"] = n_u
        row["uncertain_sentence_share"] = n_u / n_s if n_s else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)


def sentence_uncertainty(hedges: pd.DataFrame, sentences: pd.DataFrame) -> pd.Series:
    """Flag sentences that contain a hedge or evidential in own or attributed voice.

    Parameters
    ----------
    hedges : DataFrame
        :func:`match_hedges` output with a ``voice`` column.
    sentences : DataFrame
        The kit's sentences (``doc_id, sent_id``).

    Returns
    -------
    Series
        Boolean, named ``uncertain``, aligned with ``sentences`` (same index and order). Cues in
        quotations (``quoted``/``scare``) express the quoted speaker's uncertainty, not the
        text's, and do not count. The sentence-level notion follows the CoNLL-2010 task 1
        (a sentence is uncertain if it contains an uncertainty cue).
    """
    if "voice" not in hedges.columns:
        raise ValueError("sentence_uncertainty: parameter 'hedges' must have a 'voice' column; "
                         "got columns " + ", ".join(hedges.columns))
    sel = hedges[hedges["category"].isin(UNCERTAIN_CATEGORIES)
                 & hedges["voice"].isin(UNCERTAIN_VOICES)]
    keys = set(zip(sel["doc_id"].tolist(), sel["sent_id"].astype("int64")))
    flags = [(d, int(s)) in keys for d, s in zip(sentences["doc_id"].tolist(),
                                                  sentences["sent_id"])]
    return pd.Series(flags, index=sentences.index, name="uncertain", dtype=bool)


def own_word_count(text: str, quote_spans: list[tuple[int, int]]) -> int:
    """Words of ``text`` outside the given ``(start, end)`` quotation spans."""
    return _quoted_mask_counts(text, quote_spans)[1]


__all__ = ["CATEGORIES", "match_hedges", "match_text", "hedge_rates", "sentence_uncertainty",
           "load_hedge_lexicon", "own_word_count"]
