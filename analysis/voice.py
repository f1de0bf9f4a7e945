"""Voice: is a span the outlet's own wording, a quotation, a scare quote or reported speech?

The question behind voice is *responsibility*: who answers for a word choice. A term in the
outlet's own narration is the outlet's choice; inside quotation marks the words are a source's;
in reported (indirect) speech the proposition is attributed to a source, but the wording is a
paraphrase the outlet chose (Leech & Short 2007, ch. 10; Caldas-Coulthard 1994; in indirect
speech a description may be the reporter's *de re* choice rather than the speaker's words).

Rules of :func:`assign_voice` (first that applies)
--------------------------------------------------
1. **scare**: the span lies inside a quotation of kind ``scare`` (:mod:`analysis.quotes`), or
   inside a short quotation (at most ``LABEL_MAX_WORDS`` = 4 words) of which the span covers more
   than half of the words: the marks *mention a label* ("punitive operation", "terrorists.",
   "places of permanent deployment") and the outlet declines to use it in its own voice, whether
   or not the marks also reproduce a source's words.
2. **quoted**: inside any other quotation. The outermost (depth-0) quotation decides: a scare
   quote nested in a speech quotation is the speaker's, so the outlet is quoting.
3. **attributed**: inside the content of reported speech without quotation marks that is
   *framed* by a reporting verb or cue placed before it (:func:`reported_speech`, construction
   ``frame``): "Putin said *Kiev must cease its operation*", "according to X, *...*",
   "X accused *Y of ...*", "what the Kremlin calls *a ...*", "..., he said, and *...*".
4. **own**: everything else, including a clause followed by a post-posed attribution tag
   (construction ``tag``: "*CONTENT*, said X." / "*CONTENT*, X said." / "*CONTENT*, according
   to X."). Pass ``tag_voice="attributed"`` to count those as attributed instead.

"Inside" means at least half of the span's characters lie within the quotation or content span.

Why a post-posed tag leaves the clause in the outlet's voice. In news writing the tag-final
sentence is the reporter's narration with a source citation appended (Bell 1991, *The Language
of News Media*, ch. 10): the outlet writes the proposition as its own main clause, in its own
words, and the tag does not embed it; a clause governed by a reporting frame that precedes it
("Putin said Kiev must cease ...") is presented from the start as the source's claim. So CNN's
"Anti-terrorism operations that started in April ... have killed 24 Ukrainian servicemen so
far, said Valentyn Nalyvaichenko, head of the Ukrainian Security Service." uses the Kyiv
government's label in CNN's own voice (the source vouches for the casualty figure, not for the
name CNN chose), while the LA Times puts the same label in quotation marks (``scare``). This
follows the classification of the seed files given with the project; it is a judgement, and a
reviewer can reverse it with ``tag_voice``. The tag's source stays recoverable: rows of
:func:`reported_speech` with ``construction == "tag"``. Analysts who want all wording outside
quotation marks pool ``own`` and ``attributed`` (``share_unquoted`` in
:func:`analysis.terms.variant_shares`).

Reported speech without quotation marks (:func:`reported_speech`) is found with surface rules,
not a parser, so it is deliberately conservative: a reporting verb or cue from
``lexicons/reporting_verbs.yaml`` and a plausible source must both be present; negated reporting
("didn't say how many") is not reported content; a zero-``that`` complement must look like a
clause (a subject pronoun, or a finite verb within its first eight words before any comma); verbs
whose object is a topic rather than a proposition (praise, welcome, question, show) are ignored.

References
----------
Leech, G. & Short, M. (2007) *Style in Fiction*, 2nd ed., ch. 10 "Speech and thought
presentation". Caldas-Coulthard, C. R. (1994) "On reporting reporting", in Coulthard (ed.)
*Advances in Written Text Analysis*. Bergler, S. (1992) *Evidential analysis of reported speech*,
PhD thesis, Brandeis. Krestel, R., Bergler, S. & Witte, R. (2008) "Minding the source: automatic
tagging of reported speech in newspaper articles", LREC.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice

import numpy as np
import pandas as pd

from .lexicon import load_lexicon
from .tokens import WORD_RE, count_words

VOICES = ("own", "quoted", "scare", "attributed")
LABEL_MAX_WORDS = 4
REPORTED_COLUMNS = ["doc_id", "sent_id", "start", "end", "cue", "cue_start", "cue_end",
                    "source_start", "source_end", "source_text", "construction"]

# Verbs (lemmas of reporting_verbs.yaml) whose complement is the reported proposition. Verbs that
# take a topic or evaluation as object (praise, welcome, question, describe, show ...) are left
# out: "He praised last week's opening of talks" does not report a proposition. urge / ask /
# accuse / call / describe / voice have their own constructions below.
CLAUSAL_LEMMAS = {
    "say", "tell", "state", "add", "announce", "report", "declare", "reiterate", "repeat",
    "explain", "warn", "predict", "argue", "suggest", "estimate", "believe", "think", "fear",
    "claim", "insist", "allege", "maintain", "contend", "assert", "deny", "acknowledge", "confirm",
    "note", "admit", "concede", "point out", "reveal", "write", "propose", "demand",
}
# Nouns that introduce a content clause with "that": "Russia's demand that Kiev end ...".
CONTENT_NOUNS = ("statement", "statements", "claim", "claims", "assertion", "assertions", "demand",
                 "demands", "announcement", "promise", "promises", "pledge", "pledges", "warning",
                 "warnings", "allegation", "allegations", "insistence", "accusation", "accusations",
                 "assurance", "assurances", "suggestion")
# Heads that make a word sequence a plausible source without a capital ("officials said").
SOURCE_HEADS = {
    "he", "she", "they", "it", "we", "i", "you", "who", "which", "official", "officials",
    "spokesman", "spokeswoman", "spokesperson", "ministry", "minister", "government",
    "governments", "analyst", "analysts", "expert", "experts", "source", "sources", "guards",
    "observers", "media", "leader", "leaders", "diplomat", "diplomats", "statement", "report",
    "residents", "police", "military", "army", "authorities", "witnesses", "critics",
    "protesters", "separatists", "rebels", "commander", "commanders", "agency", "office",
    "countries", "allies", "administration", "president", "someone", "people", "others",
}
_AUX = {"has", "have", "had", "was", "were", "is", "are", "will", "would", "could", "should",
        "may", "might", "must", "can", "also", "both", "then", "later", "earlier", "again",
        "repeatedly", "already", "previously", "once", "publicly", "specifically", "quickly",
        "reportedly", "further", "been", "all", "themselves", "himself", "herself"}
_NEG = {"not", "never", "n't", "didn't", "doesn't", "don't", "won't", "wouldn't", "couldn't",
        "cannot", "hasn't", "haven't", "hadn't", "refused", "declined", "failed", "nor"}
_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "its", "his", "her", "their",
                "our", "my", "your", "no", "any", "some", "every", "each", "another", "such"}
# Capitalized words that do not make a word sequence a named source.
_CAP_STOP = {"the", "a", "an", "this", "that", "these", "those", "but", "and", "in", "on", "at",
             "its", "his", "her", "their", "such", "some", "many", "most", "no", "all", "both",
             "however", "two", "three", "after", "before", "while", "when", "if", "as", "for",
             "with", "from", "by", "of", "to", "it", "there", "then", "so", "yet", "also"}
_LEAD_CONJ = {"but", "and", "yet", "so", "or", "while", "whereas", "although", "though",
              "because", "since", "as", "after", "before", "when", "if", "that", "which", "who",
              "where", "however", "also", "then"}
_SUBJ_PRON = {"he", "she", "they", "it", "we", "i", "you", "there", "this", "that", "these",
              "those"}
_FINITE = re.compile(
    r"\b(?:is|are|was|were|am|be|been|has|have|had|will|would|could|should|must|can|cannot|may|"
    r"might|shall|did|does|do|don't|didn't|won't|wasn't|weren't|isn't|aren't|hasn't|haven't|"
    r"hadn't|saw|made|took|gave|went|came|got|knew|found|left|kept|held|began|felt|sought|"
    r"remains|wants|needs|seeks|plans|intends|means|[a-z]{3,}ed)\b", re.IGNORECASE)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# Adverbials that may sit between a reporting verb and its content or the end of the sentence.
_ADVERBIAL = re.compile(
    rf"(?:\s*,?\s*(?:on\s+{_WEEKDAY}|{_WEEKDAY}|today|yesterday|earlier|later|again|also|"
    rf"(?:\w+\s+)?\w+\s+ago|"
    rf"(?:on|in|at)\s+(?:a|the)\s+(?:news\s+conference|statement|interview|briefing)"
    rf"(?:\s+posted\s+(?:on\s+)?\w+)?|"
    rf"hours\s+later|last\s+week|this\s+week|"
    rf"(?:on|at)\s+\w+|publicly|repeatedly|specifically|once\s+more))+", re.IGNORECASE)
# Where reported content stops: a contrasting clause that returns to the narrator.
_CLAUSE_END = re.compile(r",\s+(?:but|while|whereas|although|though)\b|;")
_DASH = re.compile(r"\s(?:[\u2014\u2013]|-{1,2})\s|\u2014")
# Verbs that invert with their subject after the content ("..., said X").
_INVERTING = {"say", "add", "write", "state", "declare", "announce", "explain", "insist", "claim",
              "warn", "note", "report", "reply", "respond", "continue", "ask", "argue", "tell"}
_WHAT_X_CALLS = re.compile(
    r"\b(?:what|which)\s+((?:[\w'\u2019.-]+\s+){0,6}?)(calls?|called|terms?|termed|labels?|"
    r"labell?ed|describes?\s+as|described\s+as|says?\s+(?:is|are|was|were)|said\s+"
    r"(?:is|are|was|were))\s+", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording\s+to\s+", re.IGNORECASE)
_DELIM = re.compile(r"[,;:()\u2014\u2013]|\s-{1,2}\s")  # clause delimiters before a source
_CONTENT_NOUN = re.compile(rf"\b({'|'.join(CONTENT_NOUNS)})\b((?:\s+[\w'\u2019.-]+){{0,8}}?)"
                           r"\s+that\s+", re.IGNORECASE)


@lru_cache(maxsize=4)
def _cues(lexicon: str = "reporting_verbs") -> dict[str, str]:
    """form (lower case) -> lemma, for the reporting verbs and cues of the lexicon."""
    lex = load_lexicon(lexicon)
    forms: dict[str, str] = {}
    for section in ("verbs", "cues"):
        for group in (lex.get(section) or {}).values():
            for lemma, fs in (group or {}).items():
                for f in fs or []:
                    forms[" ".join(str(f).lower().split())] = str(lemma)
    return forms


class _CueFinder:
    """Find cue forms by scanning words and looking them up (one pass, no big alternation)."""

    _TOKEN = re.compile(r"[A-Za-z]+(?:['\u2019-][A-Za-z]+)*")

    def __init__(self, forms: dict[str, str]):
        self.single = {f for f in forms if " " not in f}
        self.multi: dict[str, list[tuple[str, ...]]] = {}
        for f in forms:
            parts = tuple(f.split())
            if len(parts) > 1:
                self.multi.setdefault(parts[0], []).append(parts[1:])
        self.first = frozenset(self.single) | frozenset(self.multi)  # words that can start a cue

    def finditer(self, text: str, lo: int, hi: int):
        """Yield ``(start, end, form_as_written)``; a multiword form wins over its first word."""
        found = list(self._TOKEN.finditer(text, lo, hi))
        low = [m[0].lower() for m in found]  # spans are read only for the candidates
        for i in [j for j, w in enumerate(low) if w in self.first]:
            w = low[i]
            a, b = found[i].span()
            hit = None
            for rest in self.multi.get(w, ()):
                k = len(rest)
                if (low[i + 1:i + 1 + k] == list(rest)
                        and not text[b:found[i + 1].start()].strip()):
                    hit = (a, found[i + k].end())
                    break
            if hit is None and w in self.single:
                hit = (a, b)
            if hit is not None:
                yield hit[0], hit[1], text[hit[0]:hit[1]]


@lru_cache(maxsize=4)
def _cue_finder(lexicon: str = "reporting_verbs") -> _CueFinder:
    return _CueFinder(_cues(lexicon))


def _has_words(text: str, n: int) -> bool:
    """``count_words(text) >= n``, counting no further than ``n``."""
    return sum(1 for _ in islice(WORD_RE.finditer(text), n)) >= n


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text, start, end)]


_NOT_SOURCE_END = frozenset({"to", "as", "of", "and", "or", "the", "a", "an"} | _NEG)


def _plausible_source(words: list[tuple[int, int, str]]) -> bool:
    if not words or len(words) > 12:
        return False
    toks = [w for _, _, w in words]
    low = [t.lower() for t in toks]
    if low[-1] in _NOT_SOURCE_END:
        return False
    if any(t[:1].isupper() and lo not in _CAP_STOP for t, lo in zip(toks, low)):
        return True
    return low[-1] in SOURCE_HEADS


def _source_before(text: str, s_lo: int, cue_start: int) -> tuple[int, int] | None:
    """The subject of a pre-posed reporting verb: words from the clause start to the verb."""
    delims = [s_lo] + [s_lo + m.end() for m in _DELIM.finditer(text[s_lo:cue_start])]
    words = _words(text, delims[-1], cue_start)
    # "Kiev, for its part, fears ...": skip a short parenthetical between commas
    if not words and len(delims) >= 3 and len(_words(text, delims[-2], delims[-1])) <= 4:
        words = _words(text, delims[-3], delims[-2] - 1)
    if words and words[-1][2].lower() in _NEG:
        return None
    if words and (words[-1][2].lower() in _DETERMINERS or words[-1][2].lower() == "to"):
        return None  # noun use ("a report", "the statement") or infinitive ("to say")
    while words and words[-1][2].lower() in _AUX:
        words.pop()
    if words and words[-1][2].lower() in _NEG:
        return None
    # coordinated predicate ("Putin issued an order ... and said"): the subject opens the clause
    if words and words[-1][2].lower() in {"and", "but"}:
        lead = []
        for w in words:
            low = w[2].lower()
            if low in _LEAD_CONJ and not lead:
                continue
            if w[2][:1].isupper() or (not lead and low == "the"):
                lead.append(w)
            elif lead and len(lead) < 6 and low not in _AUX | _NEG and not _FINITE.fullmatch(w[2]):
                lead.append(w)
            else:
                break
        words = lead
    while words and words[0][2].lower() in _LEAD_CONJ:
        words = words[1:]
    # a relative clause opener inside the segment ("the conflict, which UN observers said")
    for i in range(len(words) - 1, -1, -1):
        if words[i][2].lower() in {"which", "who", "that", "whom", "what"} and i < len(words) - 1:
            words = words[i + 1:]
            break
    if not _plausible_source(words):
        return None
    return words[0][0], words[-1][1]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip whitespace and leading/trailing punctuation from a content span."""
    while start < end and (text[start].isspace() or text[start] in ",:;"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:!?"):
        end -= 1
    return start, end


def _clause_end(text: str, start: int, s_hi: int) -> int:
    """End of reported content: a contrasting clause, or a dash that is not one of a pair."""
    m = _CLAUSE_END.search(text, start, s_hi)
    end = m.start() if m else s_hi
    pos = start
    while True:
        d = _DASH.search(text, pos, end)
        if d is None:
            break
        d2 = _DASH.search(text, d.end(), end)
        if d2 is None:          # a single dash: an afterthought in the narrator's voice
            end = d.start()
            break
        pos = d2.end()          # a paired dash: a parenthesis inside the content
    return _trim(text, start, end)[1]


def _is_clause(text: str, start: int, end: int) -> bool:
    """Does a zero-``that`` complement look like a clause (subject + finite verb)?

    True when it opens with a subject pronoun, or a finite verb form occurs within its first
    eight words before any comma (dash parentheses removed): "Russia welcomed talks", "ties with
    the EU and NATO needed". "independence from Ukraine, and separatists ... have" is not.
    """
    seg = text[start:end]
    seg = re.sub(r"\s(?:[\u2014\u2013]|-{1,2})\s.*?\s(?:[\u2014\u2013]|-{1,2})\s", " ", seg)
    seg = seg.split(",")[0]
    words = WORD_RE.findall(seg)
    if len(words) < 2:
        return False
    if words[0].lower() in _SUBJ_PRON:
        return True
    return _FINITE.search(" ".join(words[1:8])) is not None


def _skip_after_verb(text: str, pos: int, s_hi: int, lemma: str) -> tuple[int, bool]:
    """Position where the content starts after the verb; second value: 'that' was seen."""
    m = _ADVERBIAL.match(text, pos, s_hi)
    if m and m.end() > pos:
        pos = m.end()
    if lemma in {"tell", "warn", "assure", "inform", "remind"}:
        # indirect object before the content: "told reporters (that)", "told the Guardian that"
        m = re.match(r"\s*(?:[\w'\u2019.-]+\s+){0,5}?that\b", text[pos:s_hi])
        if m:
            return pos + m.end(), True
        m = re.match(r"\s*(?:(?:a|an|the)\s+)?(?:[A-Z][\w.'-]*|reporters|journalists|"
                     r"(?:news\s+)?conference|lawmakers|parliament)(?:\s+[A-Z][\w.'-]*)*",
                     text[pos:s_hi])
        if m:
            pos += m.end()
        m = _ADVERBIAL.match(text, pos, s_hi)
        if m and m.end() > pos:
            pos = m.end()
    # "said at a news conference in Brussels that ...": a short adverbial before "that"
    m = re.match(r"\s*,?\s*(?:(?:at|in|on|during|after|before|to|with|from|last|this|over)\s+"
                 r"(?:[\w'\u2019.-]+\s+){0,6}?)?that\b", text[pos:s_hi], re.IGNORECASE)
    if m and not re.search(r"[,;:\"\u201c]", m.group()[:-4].strip(", ")):
        return pos + m.end(), True
    return pos, False


def _sentence_rows(text: str, s_lo: int, s_hi: int, forms: dict[str, str],
                   cue_rx: _CueFinder) -> list[dict]:
    rows: list[dict] = []

    def add(c_lo, c_hi, cue_m, src):
        c_lo, c_hi = _trim(text, c_lo, c_hi)
        if c_hi - c_lo < 3 or not _has_words(text[c_lo:c_hi], 2):
            return
        rows.append({"start": c_lo, "end": c_hi, "cue": " ".join(cue_m[2].split()).lower(),
                     "cue_start": cue_m[0], "cue_end": cue_m[1],
                     "source_start": src[0] if src else -1, "source_end": src[1] if src else -1,
                     "source_text": text[src[0]:src[1]] if src else ""})

    sent_text = text[s_lo:s_hi]
    # Pre-checks: each pattern below needs "wh", "accord" or "that". Under re.IGNORECASE these
    # letters match exactly the characters that str.lower() maps to them (unlike i, s, k, which
    # also match dotless i, long s, the Kelvin sign), so a sentence whose lower-case form lacks
    # the word cannot match the pattern.
    low = sent_text.lower()
    # "what X calls / called Y", "which X describe as Y", "what they say are Y"
    for m in _WHAT_X_CALLS.finditer(sent_text) if "wh" in low else ():
        src_lo = s_lo + m.start(1)
        src_words = _words(text, src_lo, s_lo + m.end(1))
        if not _plausible_source(src_words):
            continue
        cue = (s_lo + m.start(2), s_lo + m.end(2), m.group(2))
        c_lo = s_lo + m.end()
        add(c_lo, _clause_end(text, c_lo, s_hi), cue, (src_words[0][0], src_words[-1][1]))
    # "according to X, CONTENT" / "CONTENT, according to X"
    for m in _ACCORDING.finditer(sent_text) if "accord" in low else ():
        a_lo = s_lo + m.end()
        comma = text.find(",", a_lo, s_hi)
        cue = (s_lo + m.start(), s_lo + m.end() - 1, "according to")
        before = text[s_lo:s_lo + m.start()].strip()
        if before and before[-1] == ",":   # CONTENT, according to X.
            src_end = _trim(text, a_lo, comma if comma != -1 else s_hi)[1]
            add(s_lo, s_lo + m.start(), cue, (a_lo, src_end))
        elif comma != -1:                   # According to X, CONTENT.
            add(comma + 1, _clause_end(text, comma + 1, s_hi), cue, (a_lo, comma))
    # content nouns: "Russia's demand that Kiev end ...", "a statement by X that ..."
    for m in _CONTENT_NOUN.finditer(sent_text) if "that" in low else ():
        by = re.search(r"\bby\s+(.+?)(?:\s+(?:(?:\w+\s+)?\w+\s+ago|on\s+\w+|last\s+\w+))?$",
                       m.group(2).strip())
        if by:
            src_lo = s_lo + m.start(2) + m.group(2).index(by.group(1))
            src = (src_lo, src_lo + len(by.group(1)))
        else:
            prev = _words(text, max(s_lo, s_lo + m.start() - 60), s_lo + m.start())
            poss = [w for w in prev[-3:] if w[2].endswith(("'s", "\u2019s"))]
            src = (poss[-1][0], poss[-1][1] - 2) if poss else None
        if src is None:
            continue
        cue = (s_lo + m.start(1), s_lo + m.end(1), m.group(1))
        c_lo = s_lo + m.end()
        add(c_lo, _clause_end(text, c_lo, s_hi), cue, src)
    used = {r["cue_start"] for r in rows}
    # reporting verbs
    for c_start, c_end, written in cue_rx.finditer(text, s_lo, s_hi):
        if c_start in used:
            continue
        if written[:1].isupper() and text[s_lo:c_start].strip(" \"'\u201c\u2018"):
            continue  # a capitalized form inside the sentence is a name ("United States")
        form = " ".join(written.lower().split())
        lemma = forms.get(form, form)
        cue = (c_start, c_end, written)
        after = c_end
        if lemma in ("according to", "statement", "quoted as"):
            continue
        if lemma == "accuse":
            src = _source_before(text, s_lo, c_start)
            if src and re.match(r"\s+[^,.;]{1,80}?\bof\b", text[after:s_hi]):
                add(after, _clause_end(text, after, s_hi), cue, src)
            continue
        if lemma in ("urge", "ask", "call", "voice", "describe"):
            src = _source_before(text, s_lo, c_start)
            tail = text[after:s_hi]
            ok = None
            if lemma in ("urge", "ask") and re.match(r"\s+(?:[\w'\u2019.-]+\s+){1,5}?to\s+\w", tail):
                ok = after
            elif lemma == "ask" and re.match(r"\s+(?:whether|if)\b", tail):
                ok = after
            elif lemma == "call":
                mm = re.match(r"\s+(?:also\s+)?for\s+|\s+on\s+(?:[\w'\u2019.-]+\s+){1,5}?to\s+", tail)
                ok = after + mm.end() if mm and tail.lstrip().startswith("for") else (
                    after if mm else None)
            elif lemma == "voice":
                mm = re.match(r"\s+(?:\w+\s+)?(?:concern|fears?|hope|doubts?|worry|worries)\s+"
                              r"(?:that\s+)?", tail)
                ok = after + mm.end() if mm else None
            elif lemma == "describe":
                mm = re.match(r"\s+(?:[\w'\u2019.-]+\s+){1,6}?as\s+", tail)
                ok = after + mm.end() if mm else None
            if src and ok is not None:
                add(ok, _clause_end(text, ok, s_hi), cue, src)
            continue
        if lemma not in CLAUSAL_LEMMAS:
            continue
        # participle after a comma: "NATO urged ..., saying it has seen no signs"
        if form.endswith("ing") and re.search(r",\s*$", text[s_lo:c_start]):
            lead = re.match(r"\s*((?:The\s+)?(?:[A-Z][\w.'\u2019-]*\s*)+)", text[s_lo:c_start])
            c_lo, that = _skip_after_verb(text, after, s_hi, lemma)
            if lead and (that or _is_clause(text, c_lo, _clause_end(text, c_lo, s_hi))):
                src = _trim(text, s_lo + lead.start(1), s_lo + lead.end(1))
                add(c_lo, _clause_end(text, c_lo, s_hi), cue, src)
            continue
        src = _source_before(text, s_lo, c_start)
        if src is not None:
            c_lo, that = _skip_after_verb(text, after, s_hi, lemma)
            rest = text[c_lo:s_hi]
            if re.match(r"\s*[\w\"'\u201c\u2018]", rest) and not re.match(r"\s*[,.;:!?]", rest):
                c_hi = _clause_end(text, c_lo, s_hi)
                if that or _is_clause(text, c_lo, c_hi):
                    add(c_lo, c_hi, cue, src)
                continue
            # post-posed or parenthetical: "CONTENT, the Kremlin said." / ", he said, and ..."
            head = text[s_lo:src[0]]
            if not head.rstrip().endswith(","):
                continue
            add(s_lo, s_lo + len(head.rstrip()) - 1, cue, src)
            tail = re.match(r"\s*,\s*(?:and|but)\s+", text[c_lo:s_hi])
            if tail:
                add(c_lo + tail.end(), _clause_end(text, c_lo + tail.end(), s_hi), cue, src)
            continue
        # inverted: "CONTENT, said Valentyn Nalyvaichenko, head of the SBU."
        before = text[s_lo:c_start]
        src_lo, src_hi = _trim(text, after, s_hi)
        if (lemma in _INVERTING and re.search(r",\s*[\"'\u201d\u2019]?\s*$", before)
                and re.match(r"\s+(?:the\s+|a\s+)?[A-Z\u00c0-\u024f]", text[after:s_hi])
                and not _FINITE.search(text[src_lo:src_hi].split(",")[0])):
            add(s_lo, c_start, cue, (src_lo, src_hi))
    return rows


def reported_speech(articles: pd.DataFrame, sentences: pd.DataFrame,
                    lexicon: str = "reporting_verbs") -> pd.DataFrame:
    """Reported (indirect) speech without quotation marks, sentence by sentence.

    Constructions found (the cue from ``lexicons/reporting_verbs.yaml`` and a source are both
    required): pre-posed "SOURCE said (that) CONTENT"; post-posed "CONTENT, SOURCE said" and
    inverted "CONTENT, said SOURCE"; parenthetical "CONTENT, he said, and CONTENT"; a participle
    "SUBJECT ..., saying CONTENT"; "according to SOURCE, CONTENT" / "CONTENT, according to SOURCE";
    "SOURCE accused CONTENT" (Y of ...); "SOURCE urged/asked CONTENT" (X to ...); "SOURCE called
    for CONTENT"; "SOURCE voiced concern (that) CONTENT"; "what SOURCE calls CONTENT", "which
    SOURCE describe as CONTENT", "what SOURCE say are CONTENT"; and content nouns "SOURCE's
    demand / claim / statement (by SOURCE) that CONTENT". Content ends at the end of the sentence
    or at a contrasting clause (", but", ", while", ";", an unpaired dash).

    Returns
    -------
    DataFrame
        One row per reported-content span, sorted by ``doc_id, start, end, cue_start``: ``doc_id,
        sent_id, start, end`` (the content, offsets into ``articles.text``), ``cue`` (the cue as
        written, lower case), ``cue_start, cue_end``, ``source_start, source_end, source_text``, ``construction``
        (``tag`` when the content precedes the cue and source: "CONTENT, said X"; otherwise
        ``frame``). Spans may overlap (a report inside a report).
    """
    forms = _cues(lexicon)
    cue_rx = _cue_finder(lexicon)
    texts = dict(zip(articles["doc_id"].astype(str), articles["text"]))
    rows = []
    for doc_id, sent_id, s_lo, s_hi in zip(sentences["doc_id"].astype(str).tolist(),
                                           sentences["sent_id"], sentences["start"],
                                           sentences["end"]):
        text = texts.get(doc_id)
        if not isinstance(text, str):
            continue
        for r in _sentence_rows(text, int(s_lo), int(s_hi), forms, cue_rx):
            rows.append({"doc_id": doc_id, "sent_id": int(sent_id), **r})
    frame = pd.DataFrame(rows, columns=REPORTED_COLUMNS[:-1])
    # "tag": the content precedes both the cue and the source (a post-posed attribution tag)
    frame["construction"] = np.where(
        (frame["end"] <= frame["cue_start"]) & (frame["end"] <= frame["source_start"]), "tag", "frame")
    ints = ["sent_id", "start", "end", "cue_start", "cue_end", "source_start", "source_end"]
    frame = frame.astype({c: "int64" for c in ints})
    frame = frame.astype({"doc_id": str, "cue": str, "source_text": str})
    if frame.empty:
        return frame
    frame = frame.drop_duplicates(["doc_id", "start", "end", "cue_start"])
    return frame.sort_values(["doc_id", "start", "end", "cue_start"], kind="stable").reset_index(
        drop=True)


def _containing(spans: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Pairs (span row ``_i``, region row) where at least half of the span lies in the region."""
    pairs = spans.merge(regions, on="doc_id", suffixes=("", "_r"))
    if pairs.empty:
        return pairs
    ov = (np.minimum(pairs["end"], pairs["end_r"]) - np.maximum(pairs["start"], pairs["start_r"]))
    length = np.maximum(pairs["end"] - pairs["start"], 1)
    return pairs[ov * 2 >= length]


def assign_voice(spans: pd.DataFrame, articles: pd.DataFrame, sentences: pd.DataFrame | None,
                 quotes: pd.DataFrame | None, *, reported: pd.DataFrame | None = None,
                 tag_voice: str = "own") -> pd.Series:
    """Voice of each span: ``own``, ``quoted``, ``scare`` or ``attributed`` (rules: module docstring).

    Parameters
    ----------
    spans : DataFrame
        ``doc_id, start, end`` (offsets into ``articles.text``).
    articles, sentences, quotes : DataFrame
        as returned by ``load_corpus``, ``segment.sentences`` and ``quotes.find_quotes``;
        ``quotes`` needs ``doc_id, start, end, kind`` (``depth`` is used when present).
        ``sentences`` may be None only when ``reported`` is given.
    reported : DataFrame, optional
        output of :func:`reported_speech`; computed from ``articles`` and ``sentences`` if omitted.
    tag_voice : {"own", "attributed"}
        voice of a clause followed by a post-posed attribution tag ("CONTENT, said X").

    Returns
    -------
    Series
        ``voice`` (str), aligned with ``spans.index``.
    """
    if len(spans) == 0:
        return pd.Series([], index=spans.index, name="voice", dtype=object).astype(str)
    if reported is None:
        if sentences is None:
            raise ValueError("assign_voice: pass sentences (or a reported_speech frame) so "
                             "reported speech can be found")
        reported = reported_speech(articles, sentences)
    sp = pd.DataFrame({"doc_id": spans["doc_id"].astype(str).to_numpy(),
                       "start": spans["start"].to_numpy(dtype="int64"),
                       "end": spans["end"].to_numpy(dtype="int64"),
                       "_i": np.arange(len(spans))})
    voice = np.full(len(sp), "own", dtype=object)
    if tag_voice not in ("own", "attributed"):
        raise ValueError(f"assign_voice: tag_voice must be 'own' or 'attributed'; got {tag_voice!r}")
    if reported is not None and len(reported) and tag_voice == "own" and "construction" in reported:
        reported = reported[reported["construction"] != "tag"]
    if reported is not None and len(reported):
        rep = pd.DataFrame({"doc_id": reported["doc_id"].astype(str),
                            "start_r": reported["start"].astype("int64"),
                            "end_r": reported["end"].astype("int64")})
        voice[_containing(sp, rep)["_i"].unique()] = "attributed"
    if quotes is not None and len(quotes):
        texts = dict(zip(articles["doc_id"].astype(str), articles["text"]))
        q = pd.DataFrame({"doc_id": quotes["doc_id"].astype(str),
                          "start_r": quotes["start"].astype("int64"),
                          "end_r": quotes["end"].astype("int64"),
                          "kind": quotes["kind"].astype(str),
                          "depth": (quotes["depth"] if "depth" in quotes.columns else 0)})
        pairs = _containing(sp, q)
        if len(pairs):
            # the outermost quotation containing the span decides
            pairs = pairs.sort_values(["_i", "depth", "start_r"]).drop_duplicates("_i")
            q_words_of: dict[tuple, int] = {}  # a long quotation holds many spans
            for i, d, s, e, qs, qe, kind in zip(pairs["_i"], pairs["doc_id"], pairs["start"],
                                                 pairs["end"], pairs["start_r"], pairs["end_r"],
                                                 pairs["kind"]):
                if kind == "scare":
                    voice[i] = "scare"
                    continue
                text = texts.get(d, "")
                q_words = q_words_of.get((d, qs, qe))
                if q_words is None:
                    q_words = q_words_of[d, qs, qe] = count_words(text[qs:qe])
                label = q_words <= LABEL_MAX_WORDS and (
                    count_words(text[max(s, qs):min(e, qe)]) * 2 > q_words)
                voice[i] = "scare" if label else "quoted"
    return pd.Series(voice, index=spans.index, name="voice").astype(str)
