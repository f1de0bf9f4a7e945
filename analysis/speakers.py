"""Who is speaking: speaker attribution for quotations and for reported speech without quotes.

Method
------
Rule-based, after the sieve design of the Gender Gap Tracker's quote extractor (Asr et al.
2021) and of Muzny et al. (2017): the most reliable frame is tried first, and each quotation
takes the first frame that fires. For a ``speech`` quotation:

1. **Frame after the closing mark** in the same sentence: ``"...," X said`` (noun phrase, then
   a reporting verb) or ``"...," said X`` (inversion), ``"...," X told Reuters``.
2. **Frame before the opening mark** in the same sentence: the nearest reporting verb or cue
   before the quotation (``X said: "..."``, ``X said that ... "..."``, ``X reiterated that the
   alliance has "..."``, ``according to X``), with its subject: the noun phrase just before the
   verb; after a coordinating ``and``/``but`` or for a participle (``declaring``, ``saying``)
   the subject of the sentence; a colon intro with no verb (``Rasmussen was blunt: "..."``)
   also takes the sentence subject.
3. **Attribution later in the sentence**: a comma-delimited ``, X said.`` or ``, said X.``
   after the quotation (``... "planned spring drills" in the regions, the Kremlin said.``).
4. **Continuation**: a quotation with no frame continues the speaker of the previous quotation
   in its paragraph, or, when it opens its paragraph, of the quotation in the paragraph before
   (news style leaves a second quoted paragraph unattributed); failing that it takes the
   attribution of the next quotation in its paragraph.

The speaker mention is then **resolved within the article**: role words and titles are split
off (``NATO Secretary-General Anders Fogh Rasmussen`` -> ``Anders Fogh Rasmussen``, role context
``NATO Secretary-General``); an appositive (``Jay Carney, the White House spokesman``) adds role
context; a surname (``Rasmussen``) resolves to the full name mentioned earlier; a short
description (``the official``, ``a ministry statement``) resolves to the earlier, fuller mention
with the same head noun (``a senior U.S. administration official``, ``the Russian Foreign
Ministry``); ``he``/``she`` resolve to the most recent person who spoke (a quotation's speaker
or the subject of a reporting verb), ``they`` to the most recent speaker of any kind. Groups come
from the ``speaker_groups`` lexicon (patterns on the role context and name, then known names).

Reporting verbs are the forms of the ``reporting_verbs`` lexicon; a form right after a
determiner or possessive (``Russia's demand``, ``a statement``) is a noun and is skipped.

References
----------
Asr, F. T., Mazraeh, M., Lopes, A., Gautam, V., Gonzales, J., Rao, P., & Taboada, M. (2021).
The Gender Gap Tracker: Using natural language processing to measure gender bias in media.
*PLOS ONE* 16(1), e0245533. Muzny, G., Fang, M., Chang, A., & Jurafsky, D. (2017). A two-stage
sieve approach for quote attribution. *EACL* 2017, 460-470. Pareti, S. (2015). Attribution: a
computational approach (PhD thesis, Edinburgh).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache, wraps

import pandas as pd

from .errors import KitError, LexiconError
from .lexicon import load_lexicon
from .quotes import find_quotes
from .segment import sentence_spans

ATTRIBUTION_COLUMNS = ["speaker_start", "speaker_end", "speaker_mention", "cue_start", "cue_end"]
REPORTED_COLUMNS = ["doc_id", "sent_id", "start", "end", "speaker", "speaker_group", "cue",
                    "cue_start", "cue_end", "speaker_start", "speaker_end", "speaker_mention"]

_TOK_RE = re.compile(r"(?:[A-Z]\.){2,}|[^\W_](?:[\w'\u2019\-\u2010.]*[^\W_])?|[^\w\s]")
_DETS = {"the", "a", "an", "this", "that", "these", "those", "another"}
_POSS = {"his", "her", "its", "their", "our", "my", "your"}
_QUANT = {"one", "some", "several", "many", "two", "three", "another", "other"}
_PRONOUNS = {"he", "she", "they", "it", "we", "i"}
_AUX = {"has", "have", "had", "is", "are", "was", "were", "will", "would", "could", "can", "may",
        "might", "should", "must", "also", "again", "then", "later", "earlier", "previously",
        "already", "repeatedly", "once", "not", "never", "did", "does", "do", "been", "being",
        "just", "still", "too", "both", "all", "himself", "herself", "itself", "themselves"} | {
        f"{w}{apo}t" for w in ("didn", "doesn", "don", "won", "wouldn", "hasn", "haven", "hadn",
                               "isn", "wasn", "weren", "can", "couldn", "shouldn")
        for apo in ("'", "\u2019")}
_TIME = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
         "yesterday", "tonight", "tomorrow", "recently", "hours", "days", "weeks", "morning",
         "evening", "afternoon", "night", "last", "this", "week", "month", "year"}
# Words that end a noun phrase (walking back from a verb or forward from an inverted verb).
_STOP = {"that", "which", "who", "whom", "whose", "and", "but", "or", "nor", "while", "because",
         "if", "when", "as", "after", "before", "in", "on", "at", "from", "to", "with", "by",
         "for", "into", "about", "during", "since", "until", "than", "so", "though", "although",
         "where", "whether", "adding", "referring", "saying", "noting", "not", "there", "here",
         "be", "is", "are", "was", "were", "has", "have", "had", "will", "would", "could", "can",
         "should", "may", "might", "must", "did", "does", "do", "it", "him", "them", "us", "me",
         "what", "how", "why", "over", "under", "against", "without", "between", "among", "per",
         "via", "despite", "upon", "also", "then", "now", "later", "hours", "even", "only"}
_INTRO = {"but", "and", "yet", "so", "however", "meanwhile", "still", "also", "instead",
          "moreover", "separately", "later", "earlier", "then", "now", "indeed", "in", "on", "at",
          "after", "before", "following", "ahead", "asked", "despite", "though", "although",
          "while", "when", "as", "over", "during", "since", "unlike", "like", "with", "without",
          "for", "under", "from", "by", "speaking", "addressing", "writing", "two", "three",
          "last", "this", "if", "once", "until", "amid", "according"}
_ROLE_WORDS = {
    "president", "vice", "prime", "minister", "secretary", "secretary-general", "general",
    "deputy", "foreign", "defence", "defense", "interior", "chancellor", "senator", "sen",
    "rep", "representative", "gov", "governor", "mayor", "mr", "mrs", "ms", "dr", "gen", "lt",
    "col", "capt", "adm", "maj", "sgt", "admiral", "rear", "colonel", "captain", "major",
    "lieutenant", "commander", "chief", "director", "ambassador", "spokesman", "spokeswoman",
    "spokesperson", "press", "envoy", "king", "queen", "prince", "pope", "judge", "justice",
    "sheikh", "ceo", "chairman", "chairwoman", "chair", "head", "leader", "premier", "speaker",
    "attorney", "prosecutor", "officer", "sergeant", "private", "marshal", "professor", "prof",
    "reverend", "rev", "father", "sir", "lord", "lady", "dame", "state", "supreme", "acting",
    "former", "interim", "self-declared", "self-proclaimed", "top", "senior", "region", "mp",
    "analyst", "expert", "official", "sec", "u.s.", "russian", "ukrainian", "american",
    "british", "german", "french", "nato", "eu", "u.n.", "un", "kremlin", "pentagon",
    "kremlin-friendly", "pro-russian", "pro-western", "separatist", "military", "white", "house",
    "coach", "constable", "detective", "inspector", "sheriff", "superintendent", "commissioner",
    "councillor", "councilman", "councilwoman", "alderman", "trustee", "principal", "bishop",
    "archbishop", "cardinal", "rabbi", "imam", "pastor", "corporal", "cpl", "pte", "insp",
    "supt", "det", "const", "assemblyman", "assemblywoman", "congressman", "congresswoman",
    "minister-president", "emir", "sultan", "ayatollah", "patriarch", "chief executive",
}
_NON_PERSON = {
    "war", "house", "union", "nations", "states", "council", "ministry", "service", "department",
    "office", "press", "region", "regions", "republic", "party", "army", "guard", "guards",
    "security", "court", "bank", "street", "square", "sea", "river", "kingdom", "organization",
    "organisation", "agency", "committee", "commission", "parliament", "assembly", "forces",
    "force", "times", "news", "post", "journal", "government", "institute", "university",
    "centre", "center", "group", "fund", "federation", "treaty", "alliance", "administration",
    "cup", "games", "olympics", "church", "airport", "station", "media", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "the", "but", "and", "in", "on", "at", "a", "an", "if", "as", "when", "while", "it", "he",
    "she", "they", "we", "this", "that", "there", "after", "before", "ukraine", "russia",
}
_PERSON_HEADS = {"official", "spokesman", "spokeswoman", "spokesperson", "minister", "analyst",
                 "expert", "president", "diplomat", "source", "leader", "commander", "secretary",
                 "ambassador", "envoy", "prosecutor", "governor", "mayor", "aide", "adviser",
                 "advisor", "officer", "lawmaker", "senator", "chief", "head", "director",
                 "resident", "witness", "man", "woman", "member"}
_INSTITUTION_HEADS = {"ministry", "government", "department", "office", "agency", "statement",
                      "service", "council", "army", "military", "administration", "embassy",
                      "alliance", "committee", "commission", "parliament", "court", "police",
                      "spokesman", "spokeswoman", "official", "officials", "source", "sources"}
_NOUNLIKE = {f for lemma in ("state", "report", "call", "claim", "comment", "question", "note",
                             "show", "quote", "estimate", "demand", "fear", "promise", "pledge",
                             "vow", "remark", "tweet", "praise", "welcome", "voice", "dispute",
                             "repeat", "stress", "caution", "reply", "joke", "quip", "hail")
             for f in (lemma, lemma + "s", lemma + "es")}
# Verbs whose complement is reported content (a clause), used for unquoted attributions; verbs
# taking only an object ("welcomed talks", "called for a halt", "accused X of") are left out.
_CLAUSE_LEMMAS = {"say", "tell", "state", "add", "announce", "report", "declare", "reiterate",
                  "repeat", "explain", "warn", "claim", "insist", "allege", "maintain", "contend",
                  "assert", "deny", "acknowledge", "confirm", "note", "admit", "concede",
                  "reveal", "predict", "argue", "suggest", "estimate", "believe", "think", "fear",
                  "write", "reply", "respond", "recall", "stress", "emphasise", "vow", "promise",
                  "pledge", "caution", "complain", "tweet", "testify", "conclude", "observe",
                  "remark", "point out"}
_OBJECT_FIRST = {"declare", "announce", "report", "reveal", "confirm", "deny", "acknowledge",
                 "admit", "note", "state", "estimate", "predict", "promise", "pledge", "vow",
                 "repeat", "reiterate", "stress", "emphasise", "fear", "suggest", "maintain"}
_PUNCT_END = set(",?!-\u2014\u2013\u2026:;")


# --- lexicons ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _verb_forms() -> frozenset[str]:
    lex = load_lexicon("reporting_verbs")
    forms = set()
    for lemmas in (lex.get("verbs") or {}).values():
        for fs in (lemmas or {}).values():
            forms.update(str(f).lower() for f in fs if " " not in str(f))
    return frozenset(forms)


@lru_cache(maxsize=1)
def _lemma_of() -> dict[str, str]:
    lex = load_lexicon("reporting_verbs")
    out = {}
    for lemmas in (lex.get("verbs") or {}).values():
        for lemma, fs in (lemmas or {}).items():
            for f in fs or []:
                out.setdefault(str(f).lower(), str(lemma))
    return out


@lru_cache(maxsize=16)
def _groups(groups: str) -> dict:
    lex = load_lexicon(groups)
    spec = lex.get("groups")
    order = lex.get("order") or list(spec or {})
    if not isinstance(spec, dict) or not spec:
        raise LexiconError(f"{lex['_path']}, field 'groups': expected a mapping of group name to "
                           "{definition, patterns, names}; found none")
    compiled = []
    for name in order:
        if name not in spec:
            raise LexiconError(f"{lex['_path']}, field 'order': group '{name}' is not defined under "
                               f"'groups' (defined: {', '.join(spec)})")
        entry = spec[name] or {}
        pats = []
        for p in entry.get("patterns") or []:
            try:
                pats.append(re.compile(str(p), re.IGNORECASE))
            except re.error as exc:
                raise LexiconError(f"{lex['_path']}, group '{name}', pattern {p!r}: not a valid "
                                   f"regular expression ({exc})") from None
        names = [str(n) for n in entry.get("names") or []]
        compiled.append((name, pats, names))
    known = {n for _, _, names in compiled for n in names}
    inst = {str(x).lower() for x in lex.get("institutions") or []}
    return {"compiled": compiled, "default": str(lex.get("default") or "other"),
            "known": known, "institutions": inst}


def speaker_group(speaker: str, context: str = "", groups: str = "speaker_groups") -> str:
    """Group of a resolved speaker.

    Parameters
    ----------
    speaker : str
        Resolved speaker (``"Anders Fogh Rasmussen"``, ``"Kremlin"``); empty gives ``""``.
    context : str
        Role words and appositives seen with the speaker (``"NATO Secretary-General"``).
    groups : str
        Bundled lexicon name or path of a YAML file with the ``speaker_groups`` structure.

    Returns
    -------
    str
        The first group (in the lexicon's ``order``) whose pattern matches ``context + speaker``,
        else the group listing a known name that occurs as a whole word in ``speaker``, else the
        lexicon's ``default``.
    """
    if not speaker:
        return ""
    return _group_of(speaker, context, str(groups))


@lru_cache(maxsize=8192)
def _group_of(speaker: str, context: str, groups: str) -> str:
    """:func:`speaker_group` for a non-empty speaker (memoised: a pure function of its inputs)."""
    g = _groups(groups)
    hay = f"{context} {speaker}".strip()
    for name, pats, _ in g["compiled"]:
        if any(p.search(hay) for p in pats) or any(p.search(speaker) for p in pats if
                                                   p.pattern.startswith("^")):
            return name
    words = set(re.findall(r"[\w'\u2019-]+", speaker))
    for name, _, names in g["compiled"]:
        for n in names:
            if (" " in n and n in speaker) or n in words:
                return name
    return g["default"]


# --- per-article analysis ---------------------------------------------------------------------
class _Article:
    """Tokens, sentences, names and attribution events of one article."""

    def __init__(self, text: str, quotes: list[tuple[int, int]], groups: str):
        self.text = text
        self.groups = groups
        masked = list(text)
        for ms, me in quotes:
            masked[ms:me] = " " * (me - ms)
        self.masked = "".join(masked)
        self.quote_marks = quotes
        self.toks = [(m.start(), m.end(), m.group()) for m in _TOK_RE.finditer(self.masked)]
        self.tstarts = [t[0] for t in self.toks]
        forms = _verb_forms()
        # tokens written as a lower-case reporting-verb form: the only candidates of is_verb
        self.verb_toks = [i for i, t in enumerate(self.toks) if t[2] in forms and t[2].islower()]
        self.verb_set = frozenset(self.verb_toks)
        self.sents = sentence_spans(text)
        self.sstarts = [s for s, _ in self.sents]
        self.names = self._find_names()
        self.nstarts = [n[0] for n in self.names]
        self.events: list[tuple[int, dict]] = []  # (position, resolved speaker dict)
        self.memo: dict[tuple, object] = {}  # results of _per_article functions

    def reset(self) -> _Article:
        """Forget the attribution events, to analyse the article again (``memo`` stays valid)."""
        self.events = []
        return self

    # token helpers
    def tok_range(self, lo: int, hi: int) -> tuple[int, int]:
        return bisect.bisect_left(self.tstarts, lo), bisect.bisect_left(self.tstarts, hi)

    def sentence(self, pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.sstarts, pos) - 1
        if k >= 0 and self.sents[k][0] <= pos < self.sents[k][1]:
            return self.sents[k]
        return pos, pos

    def word(self, i: int) -> str:
        return self.toks[i][2] if 0 <= i < len(self.toks) else ""

    def verbs_in(self, a: int, z: int) -> list[int]:
        """Token indices in ``[a, z)`` that may be reporting verbs (see :meth:`is_verb`)."""
        return self.verb_toks[bisect.bisect_left(self.verb_toks, a):
                              bisect.bisect_left(self.verb_toks, z)]

    def is_verb(self, i: int) -> bool:
        if i not in self.verb_set:
            return False
        w = self.toks[i][2].lower()
        prev = self.word(i - 1)
        pl = prev.lower()
        if w in _NOUNLIKE:
            # "the eastern state", "ongoing reports", "previous Russian pledges": a noun unless
            # a name, a pronoun or a plural noun (or an auxiliary/adverb) comes right before
            j = i - 1
            while j >= 0 and (self.word(j).lower() in _AUX or self.word(j).lower().endswith("ly")):
                j -= 1
            p = self.word(j)
            pw = _strip_poss(p)
            if p.lower().endswith(("'s", "\u2019s")):
                return False
            if not (pl in _AUX or p.lower() in _PRONOUNS or p.lower() in ("who", "that") or (
                    _is_cap(p) and not pw.endswith(("ian", "ern", "ese", "ish")))
                    or (p.islower() and p.endswith("s") and not p.endswith("ss"))):
                return False
        if pl in _DETS or pl in _POSS or pl.endswith(("'s", "\u2019s")) or pl in (
                "to", "no", "any", "of"):
            return False  # a noun ("Russia's demand", "a statement") or an infinitive
        return True

    # names registry
    def _find_names(self) -> list[tuple[int, int, str, str]]:
        """Person names (two or more capitalised words) with the role words just before them."""
        out: list[tuple[int, int, str, str]] = []
        run: list[int] = []
        toks = self.toks
        for i, (s, e, w) in enumerate(toks + [(len(self.text), len(self.text), ".")]):
            if not (w[0].isupper() and _is_cap(w)):  # (tokens are never empty)
                if len(run) > 1:
                    self._name_from_run(run, out)
                run = []
                continue
            poss = w.lower().endswith(("'s", "\u2019s"))
            if not poss and (not run or toks[run[-1]][1] + 1 >= s):
                run.append(i)
                continue
            if poss and run:
                run.append(i)
            if len(run) > 1:
                self._name_from_run(run, out)
            run = [] if poss else [i]
        return out

    def _name_from_run(self, run: list[int], out: list) -> None:
        if len(run) < 2:
            return
        words = [_strip_poss(self.toks[i][2]) for i in run]
        k = max((j for j, w in enumerate(words) if w.lower().rstrip(".") in _ROLE_WORDS), default=-1)
        name_idx = run[k + 1:]
        if len(name_idx) < 2:
            return
        nwords = words[k + 1:]
        if any(w.lower() in _NON_PERSON or w.isupper() or w.lower() in
               _groups(self.groups)["institutions"] for w in nwords):
            return
        s, e = self.toks[name_idx[0]][0], self.toks[name_idx[-1]][0] + len(nwords[-1])
        role = " ".join(words[:k + 1])
        lo, _ = self.sentence(s)
        i0 = run[0]
        pre = []
        j = i0 - 1
        while j >= 0 and self.toks[j][0] >= lo and len(pre) < 4:
            w = self.toks[j][2]
            if not w[0].isalpha() or w.lower() in _STOP:
                break
            pre.insert(0, w)
            j -= 1
        out.append((s, e, " ".join(nwords), " ".join(pre + [role]).strip()))

    def full_name(self, surname: str, pos: int) -> tuple[str, str] | None:
        """Most recent earlier full name containing ``surname`` (else the first later one)."""
        best = None
        for s, e, name, role in self.names:
            parts = name.split()
            if surname in parts and len(parts) > 1:
                if s < pos:
                    best = (name, role)
                elif best is None:
                    return name, role
        return best


def _per_article(fn):
    """Memoise ``fn(art, *args)`` in ``art.memo``: for functions whose result depends only on
    the article's text, tokens, sentences and names (not on its events). A dict result is
    returned as a copy, which the caller may extend."""
    @wraps(fn)
    def memoised(art: _Article, *args):
        key = (fn.__name__, *args)
        try:
            r = art.memo[key]
        except KeyError:
            r = art.memo[key] = fn(art, *args)
        return dict(r) if isinstance(r, dict) else r
    return memoised


def _is_cap(w: str) -> bool:
    """Capitalised word: first character upper case, some letter (``"NATO"``, ``"U.S."``)."""
    return bool(w) and w[0].isupper() and (w[0].isalpha() or any(c.isalpha() for c in w))


def _strip_poss(w: str) -> str:
    return w[:-2] if w.lower().endswith(("'s", "\u2019s")) else w


# --- noun phrases ---------------------------------------------------------------------------
def _np_back(art: _Article, i: int, lo: int) -> tuple[int, int]:
    """Token range ``[a, b)`` of the noun phrase ending just before token ``i`` (not before ``lo``)."""
    j = i - 1
    while j >= lo and (art.word(j).lower() in _AUX or (art.word(j).lower().endswith("ly") and
                                                      art.word(j).islower())):
        j -= 1
    if j >= lo + 1 and art.word(j).lower() in _TIME and art.word(j - 1).lower() in (
            "on", "last", "this"):
        j -= 2
    b = j + 1
    a = b
    while j >= lo and b - j <= 10:
        w = art.word(j)
        wl = w.lower()
        if not (w[0].isalnum() or w in ("'",)):
            break
        if wl in ("of", "and", "for", "in") and a < b:
            nxt = art.word(j + 1)
            prev = art.word(j - 1)
            if wl == "and" and not (_is_cap(prev) and (_is_cap(nxt) or nxt.lower() == "the")):
                break
            if wl != "and" and not (_is_cap(nxt) or nxt.lower() == "the") or not prev[:1].isalpha():
                break
            a = j
            j -= 1
            continue
        if wl in _STOP or (w.islower() and wl in _verb_forms()):
            break
        a = j
        j -= 1
    return a, b


def _np_forward(art: _Article, i: int, hi: int) -> tuple[int, int]:
    """Token range of the noun phrase starting at token ``i`` (inverted ``said X``)."""
    j = i
    while j < hi and j - i < 10:
        w = art.word(j)
        wl = w.lower()
        if not w[0].isalnum():
            break
        if j > i and (wl in _STOP - {"of", "and"} or wl in _TIME or wl in _verb_forms()):
            break
        if wl == "and" and not _is_cap(art.word(j + 1)):
            break
        if wl == "of" and not (_is_cap(art.word(j + 1)) or art.word(j + 1).lower() == "the"):
            break
        j += 1
    while j > i and art.word(j - 1).lower() in ("of", "and", "the"):
        j -= 1
    return i, j


def _appositive(art: _Article, b: int, hi: int) -> str:
    """Text of an appositive ``, the White House spokesman`` right after token ``b``."""
    if art.word(b) != ",":
        return ""
    nxt = art.word(b + 1).lower()
    if not (nxt in _DETS or nxt in _ROLE_WORDS or nxt in _PERSON_HEADS or nxt in _POSS):
        return ""
    j = b + 1
    while j < hi and art.word(j) not in (",", ".", ";", ":", "?", "!") and j - b < 14:
        if art.word(j).lower() in ("who", "which", "said", "says", "told"):
            return ""
        j += 1
    return art.masked[art.toks[b + 1][0]:art.toks[j - 1][1]]


def _main_subject(art: _Article, ss: int, limit: int) -> tuple[int, int]:
    """Token range of the grammatical subject of the sentence starting at offset ``ss``."""
    a, z = art.tok_range(ss, limit)
    i = a
    first = art.word(i).lower()
    if first in _INTRO:
        comma = next((k for k in range(i, min(z, i + 30)) if art.word(k) == ","), None)
        if comma is not None and first not in ("but", "and", "yet", "so"):
            i = comma + 1
        elif first in ("but", "and", "yet", "so", "still", "also"):
            i += 1
            if art.word(i) == ",":
                i += 1
            if art.word(i).lower() in _INTRO:
                comma = next((k for k in range(i, min(z, i + 30)) if art.word(k) == ","), None)
                if comma is not None:
                    i = comma + 1
    j = i
    while j < z and j - i < 10:
        w = art.word(j)
        wl = w.lower()
        if not w[0].isalnum():
            break
        if wl in _PRONOUNS and j == i:
            return i, i + 1
        if _is_cap(w) or wl in _DETS or wl in _POSS or wl in _ROLE_WORDS or wl in _PERSON_HEADS \
                or wl in _INSTITUTION_HEADS or wl.rstrip("s") in _PERSON_HEADS or (
                    wl in ("of", "and") and j > i and _is_cap(art.word(j + 1))) or wl in (
                    "defense", "defence", "border", "guards", "human", "rights", "observers",
                    "media", "experts", "analysts", "officials", "military", "administration"):
            j += 1
            continue
        break
    return i, j


# --- resolution -------------------------------------------------------------------------------
@_per_article
def _resolve(art: _Article, a: int, b: int, pos: int, appos: str = "") -> dict | None:
    """Resolve the mention in tokens ``[a, b)`` to a speaker dict (or None if not a mention)."""
    if b <= a:
        return None
    words = [art.word(k) for k in range(a, b)]
    ms, me = art.toks[a][0], art.toks[b - 1][1]
    mention = art.text[ms:me]
    base = {"mention": mention, "mstart": ms, "mend": me}
    lw = [w.lower() for w in words]
    if len(words) == 1 and lw[0] in _PRONOUNS:
        return {**base, "pronoun": lw[0], "speaker": "", "kind": "pronoun", "context": ""}
    k = 0
    while k < len(words) and (lw[k] in _DETS or lw[k] in _POSS or lw[k] in _QUANT):
        k += 1
    words, lw = words[k:], lw[k:]
    if words and lw[-1] in ("statement", "statements"):
        words, lw = words[:-1], lw[:-1]
    if not words:
        return None
    g = _groups(art.groups)
    # trailing personal name
    n = len(words)
    t = n
    while t > 0 and _is_cap(words[t - 1]) and lw[t - 1].rstrip(".") not in _ROLE_WORDS \
            and not lw[t - 1].endswith(("'s", "\u2019s")):
        t -= 1
    name = words[t:]
    if t > 0 and lw[t - 1] in ("of", "for", "at", "in", "the", "and", "on"):
        name, t = [], n  # "Department of Transportation": an organisation, not a person
    role = " ".join(words[:t])
    context = " ".join(x for x in (role, appos) if x)
    inst_words = g["institutions"]
    if name and not any(w.lower() in _NON_PERSON or w.lower() in inst_words or
                        (w.isupper() and len(w) > 1) for w in name):
        if len(name) == 1:
            full = art.full_name(name[0], pos)
            if full:
                return {**base, "speaker": full[0], "kind": "person",
                        "context": " ".join(x for x in (full[1], context) if x)}
        else:
            full = art.full_name(name[-1], pos)
            if full and len(full[0].split()) > len(name) and full[0].endswith(" ".join(name)):
                return {**base, "speaker": full[0], "kind": "person",
                        "context": " ".join(x for x in (full[1], context) if x)}
        return {**base, "speaker": " ".join(name), "kind": "person", "context": context}
    # description or institution
    desc = " ".join(words)
    has_cap = any(_is_cap(w) for w in words)
    head = lw[-1]
    if not has_cap and len(words) <= 2 and (head in _PERSON_HEADS or head in _INSTITUTION_HEADS):
        richer = _richer_mention(art, head, ms, len(words))
        if richer is not None:
            return {**richer, **base}
    plural = head.endswith("s") and head.rstrip("s") in _PERSON_HEADS | {"expert", "analyst",
                                                                         "observer", "guard"}
    kind = "person" if head in _PERSON_HEADS else ("group" if plural or head.endswith("s") and
                                                   not has_cap else "org")
    return {**base, "speaker": desc, "kind": kind, "context": context}


def _richer_mention(art: _Article, head: str, before: int, n_words: int) -> dict | None:
    """An earlier mention with head noun ``head`` and more modifiers (for ``the official``)."""
    pat = re.compile(rf"\b{re.escape(head)}\b", re.IGNORECASE)
    hits = [m for m in pat.finditer(art.masked, 0, before)]
    for m in reversed(hits):
        i = bisect.bisect_left(art.tstarts, m.start())
        nxt = art.word(i + 1)
        if _is_cap(nxt) and i + 1 < len(art.toks) and art.toks[i + 1][0] < before:
            a2, b2 = _np_forward(art, i + 1, len(art.toks))
            r = _resolve(art, a2, b2, m.start())
            if r and r.get("kind") == "person":
                return {k: r[k] for k in ("speaker", "kind", "context")}
        lo, _ = art.sentence(m.start())
        a, b = _np_back(art, i + 1, bisect.bisect_left(art.tstarts, lo))
        words = [art.word(k) for k in range(a, b) if art.word(k).lower() not in _DETS | _POSS]
        if len(words) > n_words:
            r = _resolve(art, a, b, m.start())
            if r and r.get("speaker"):
                return {k: r[k] for k in ("speaker", "kind", "context")}
    return None


def _pronoun(art: _Article, pron: str, pos: int) -> dict | None:
    """Most recent salient speaker before ``pos`` for a pronoun."""
    want_person = pron in ("he", "she", "i")
    for p, sp in reversed(art.events):
        if p >= pos or not sp.get("speaker"):
            continue
        if want_person and sp.get("kind") != "person":
            continue
        return sp
    k = bisect.bisect_left(art.nstarts, pos) - 1
    if want_person and k >= 0:
        s, e, name, role = art.names[k]
        return {"speaker": name, "kind": "person", "context": role}
    return None


def _finish(art: _Article, r: dict | None, pos: int) -> dict | None:
    """Resolve pronouns and attach the group."""
    if r is None:
        return None
    if r.get("kind") == "pronoun":
        target = _pronoun(art, r["pronoun"], pos)
        if target is None:
            return None
        r = {**r, "speaker": target["speaker"], "kind": target["kind"],
             "context": target.get("context", "")}
    r["group"] = speaker_group(r["speaker"], r.get("context", ""), art.groups)
    return r


# --- frames -----------------------------------------------------------------------------------
@_per_article
def _subject_of_verb(art: _Article, v: int, lo_tok: int, ss: int) -> tuple[int, int, str]:
    """Subject tokens of the reporting verb at token ``v``; returns (a, b, appositive)."""
    w = art.word(v).lower()
    j = v - 1
    while j >= lo_tok and art.word(j).lower() in _AUX:
        j -= 1
    prev = art.word(j).lower() if j >= lo_tok else ""
    if w.endswith("ing") or prev in ("and", "but", "or") or j < lo_tok:
        a, b = _main_subject(art, ss, art.toks[v][0])
        return a, b, ""
    if prev == ",":
        # "Jay Carney, the White House spokesman, said"
        k = j - 1
        while k >= lo_tok and art.word(k) != ",":
            k -= 1
        if k >= lo_tok:
            a, b = _np_back(art, k, lo_tok)
            inner = [art.word(x) for x in range(k + 1, j)]
            if b > a and _is_cap(art.word(b - 1)):
                appos = art.masked[art.toks[k + 1][0]:art.toks[j - 1][1]] if j - 1 > k else ""
                return a, b, appos
            if b > a and inner and all(_is_cap(x) for x in inner):
                # "The company's chief executive, Daniel Okafor, told"
                return k + 1, j, art.masked[art.toks[a][0]:art.toks[b - 1][1]]
        return j, j, ""
    if prev == "who":
        k = j - 1
        if art.word(k) == ",":
            a, b = _np_back(art, k, lo_tok)
            return a, b, ""
    a, b = _np_back(art, v, lo_tok)
    return a, b, ""


def _after_frame(art: _Article, me: int, se: int) -> tuple[dict, int] | None:
    """``"...," X said`` / ``"...," said X`` right after the closing mark at ``me``."""
    a, z = art.tok_range(me, se)
    i = a
    while i < z and art.word(i) in (",", "\u2014", "\u2013", "-"):
        i += 1
    if i >= z:
        return None
    if art.word(i).lower() in _verb_forms():
        b0, b1 = _np_forward(art, i + 1, z)
        if art.word(b0).lower() in _DETS | _POSS | _PRONOUNS or _is_cap(art.word(b0)) or b1 > b0:
            if b1 > b0:
                return _mention(art, b0, b1, i, _appositive(art, b1, z)), i
        return None
    if art.word(i).lower() == "according" and art.word(i + 1).lower() == "to":
        b0, b1 = _np_forward(art, i + 2, z)
        return (_mention(art, b0, b1, i, _appositive(art, b1, z), cue_end=i + 1), i) if b1 > b0 \
            else None
    for v in range(i, min(z, i + 14)):
        w = art.word(v)
        if w in (".", ";", "?", "!", ":"):
            return None
        if art.is_verb(v) and w.lower() in _verb_forms():
            parts = [art.word(k) for k in range(i, v)]
            if not parts:
                return None
            if "," in parts:
                c1 = i + parts.index(",")
                c2 = v - 1 if art.word(v - 1) == "," else None
                if c2 is None or c2 == c1:
                    return None
                np_a, np_b = i, c1
                appos = art.masked[art.toks[c1 + 1][0]:art.toks[c2 - 1][1]]
                if any(art.word(k).lower() in _STOP - {"of", "and", "it"}
                       for k in range(np_a, np_b)):
                    return None
                return _mention(art, np_a, np_b, v, appos, appos_range=(c1 + 1, c2)), v
            else:
                np_a, np_b, appos = i, v, ""
                while np_b > np_a and art.word(np_b - 1).lower() in _AUX:
                    np_b -= 1
            if any(art.word(k).lower() in _STOP - {"of", "and", "it"} or (
                    art.word(k).lower() == "and" and not _is_cap(art.word(k - 1)))
                    for k in range(np_a, np_b)):
                return None
            return _mention(art, np_a, np_b, v, appos), v
    return None


def _mention(art, a, b, v, appos="", cue_end=None, appos_range=None) -> dict:
    cue_end = v if cue_end is None else cue_end
    if appos_range is not None:
        c, d = appos_range
        words = [art.word(k) for k in range(c, d)]
        head = [art.word(k) for k in range(a, b)]
        if words and all(_is_cap(w) for w in words) and not (head and _is_cap(head[-1])):
            # "the prosecutor, Angela Brandt, told": the name is the speaker, the rest its role
            return {"a": c, "b": d, "v": v, "v_end": cue_end,
                    "appos": " ".join(head)}
    return {"a": a, "b": b, "v": v, "v_end": cue_end, "appos": appos}


def _before_frame(art: _Article, ms: int, ss: int) -> dict | None:
    """Nearest reporting verb (or colon, or ``according to``) before the opening mark."""
    a, z = art.tok_range(ss, ms)
    if z <= a:
        return None
    for v in range(z - 1, a - 1, -1):
        w = art.word(v).lower()
        if w == "according" and art.word(v + 1).lower() == "to":
            b0, b1 = _np_forward(art, v + 2, z)
            if b1 > b0:
                return _mention(art, b0, b1, v, _appositive(art, b1, z), cue_end=v + 1)
        if art.is_verb(v):
            s0, s1, appos = _subject_of_verb(art, v, a, ss)
            if s1 > s0:
                return _mention(art, s0, s1, v, appos)
            return None
    if art.word(z - 1) == ":":
        s0, s1 = _main_subject(art, ss, ms)
        if s1 > s0:
            return _mention(art, s0, s1, z - 1)
    return None


def _tail_frame(art: _Article, me: int, se: int) -> dict | None:
    """``..., the Kremlin said.`` or ``..., said X.`` later in the sentence."""
    a, z = art.tok_range(me, se)
    commas = [k for k in range(a, z) if art.word(k) == ","]
    for c in commas:
        i = c + 1
        if art.word(i).lower() in _verb_forms():
            b0, b1 = _np_forward(art, i + 1, z)
            if b1 > b0:
                return _mention(art, b0, b1, i, _appositive(art, b1, z))
            continue
        for v in range(i, min(z, i + 12)):
            w = art.word(v)
            if w in (",", ".", ";", "?", "!", ":"):
                break
            if art.is_verb(v):
                np_b = v
                while np_b > i and art.word(np_b - 1).lower() in _AUX:
                    np_b -= 1
                after = art.word(v + 1)
                closes = after in (".", ",", "") or after.lower() in _TIME | {"on", "in", "at",
                                                                               "during", "hours"}
                if np_b > i and closes and not any(
                        art.word(k).lower() in _STOP - {"of", "and"} for k in range(i, np_b)):
                    return _mention(art, i, np_b, v)
                break
    return None


def _speaker_of(art: _Article, m: dict, pos: int) -> dict | None:
    r = _resolve(art, m["a"], m["b"], pos, m.get("appos", ""))
    r = _finish(art, r, pos)
    if r is None or not r.get("speaker"):
        return None
    v, ve = m["v"], m["v_end"]
    r["cue"] = art.text[art.toks[v][0]:art.toks[ve][1]]
    r["cue_start"], r["cue_end"] = art.toks[v][0], art.toks[ve][1]
    return r


def _record_events(art: _Article, lo: int, hi: int) -> None:
    """Add reporting-verb subjects between offsets ``lo`` and ``hi`` to the salience list."""
    for v in art.verbs_in(*art.tok_range(lo, hi)):
        if not art.is_verb(v) or art.word(v).lower().endswith("ing"):
            continue
        ss, _ = art.sentence(art.toks[v][0])
        s_tok = bisect.bisect_left(art.tstarts, ss)
        s0, s1, appos = _subject_of_verb(art, v, s_tok, ss)
        if s1 <= s0 and art.word(v - 1) == ",":
            s0, s1 = _np_forward(art, v + 1, len(art.toks))
            appos = _appositive(art, s1, len(art.toks))
        if s1 > s0:
            r = _finish(art, _resolve(art, s0, s1, art.toks[v][0], appos), art.toks[v][0])
            if r and r.get("speaker"):
                art.events.append((art.toks[v][0], r))


# --- public API -------------------------------------------------------------------------------
# Articles analysed by the last attribute_speakers call (the first _HANDOFF_MAX of them, about
# 0.2 MB each; a pipeline chunk has 200), keyed by _article_key: attributions on the same
# articles (the pipeline calls both on each chunk) takes them instead of analysing each article
# again. The next attributions call takes the whole dict: nothing outlives the following call.
_HANDOFF_MAX = 512
_handoff: dict[tuple, _Article] = {}


def _article_key(text: str, marks: list[tuple[int, int]], groups: str) -> tuple:
    """What an ``_Article`` is built from: text, depth-0 quotation marks (any order), groups."""
    return text, tuple(sorted(marks)), groups


def _attribute_article(art: _Article, qrows: list[dict]) -> list[dict | None]:
    """Speaker dict (or None) of each quotation row of one article, rows sorted by position."""
    text = art.text
    results: list[dict | None] = [None] * len(qrows)
    last_pos = 0
    paras = [m.start() for m in re.finditer(r"\n", text)]
    for idx, q in enumerate(qrows):
        if q["kind"] != "speech" or q["depth"] > 0:
            continue
        ms, me = q["mark_start"], q["mark_end"]
        _record_events(art, last_pos, ms)
        last_pos = max(last_pos, ms)
        ss, _ = art.sentence(ms)
        _, se = art.sentence(max(me - 1, ms))
        inner_end = text[q["start"]:q["end"]].rstrip()
        r = None
        nxt = text[me:me + 3].lstrip(" ")
        nword = re.match(r"[\w']+", nxt + text[me + 3:me + 12].lstrip(" "))
        lower_ok = bool(nword) and nword.group().lower() in _PRONOUNS | _DETS | _POSS
        if (inner_end and inner_end[-1] in _PUNCT_END) or nxt[:1] == "," or lower_ok:
            m = _after_frame(art, me, max(se, me + 1))
            r = _speaker_of(art, m[0], ms) if m else None
        if r is None and ss < ms:
            m = _before_frame(art, ms, ss)
            r = _speaker_of(art, m, ms) if m else None
        if r is None:
            m = _tail_frame(art, me, max(se, me))
            r = _speaker_of(art, m, ms) if m else None
        if r is None:
            r = _continuation(text, qrows, results, idx, paras)
        if r is not None:
            results[idx] = r
            art.events.append((ms, r))
            last_pos = max(last_pos, me)
    _backfill(text, qrows, results, paras)
    _echoes(text, qrows, results)
    return results


def _echoes(text, qrows, results) -> None:
    """A short unattributed quotation whose words occur in an attributed quotation (a headline
    echoing a source, ``Russia's 'significant forces'``) takes that quotation's speaker."""
    for idx, q in enumerate(qrows):
        if results[idx] is not None or q["kind"] != "speech":
            continue
        words = " ".join(re.findall(r"\w+", text[q["start"]:q["end"]].lower()))
        if not words:
            continue
        for j, other in enumerate(qrows):
            if j != idx and results[j] is not None and not results[j].get("echo") and \
                    f" {words} " in " " + " ".join(re.findall(r"\w+", other["text"].lower())) + " ":
                results[idx] = {**results[j], "cue": "", "cue_start": -1, "cue_end": -1,
                                "echo": True}
                break


def _para_of(paras: list[int], pos: int) -> int:
    return bisect.bisect_right(paras, pos)


def _continuation(text, qrows, results, idx, paras) -> dict | None:
    q = qrows[idx]
    p = _para_of(paras, q["mark_start"])
    for j in range(idx - 1, -1, -1):
        prev = qrows[j]
        if prev["depth"] > 0 or prev["kind"] != "speech":
            continue
        pp = _para_of(paras, prev["mark_end"] - 1)
        para_start = paras[p - 1] + 1 if p > 0 else 0
        opens_para = not text[para_start:q["mark_start"]].strip()
        if pp == p or (opens_para and pp == p - 2 and not text[paras[p - 2] + 1 if p >= 2 else 0:
                                                                para_start].strip() == ""
                       ) or (opens_para and pp in (p - 1, p - 2) and _blank_between(
                           text, prev["mark_end"], para_start)):
            if results[j] is not None:
                return {**results[j], "cue": "", "cue_start": -1, "cue_end": -1, "continued": True}
        return None
    return None


def _blank_between(text: str, a: int, b: int) -> bool:
    """True when only the rest of a paragraph and line breaks separate ``a`` and ``b``."""
    gap = text[a:b]
    if "\n" not in gap:
        return False
    tail = gap[:gap.index("\n")]
    return not re.search(r"[\"\u201c\u201d]", tail) and gap[gap.index("\n"):].strip() == ""


def _backfill(text, qrows, results, paras) -> None:
    """An unattributed quotation takes the attribution of the next one in its paragraph."""
    for idx in range(len(qrows) - 2, -1, -1):
        q = qrows[idx]
        if results[idx] is not None or q["kind"] != "speech" or q["depth"] > 0:
            continue
        for j in range(idx + 1, len(qrows)):
            nxt = qrows[j]
            if nxt["depth"] > 0:
                continue
            if _para_of(paras, nxt["mark_start"]) == _para_of(paras, q["mark_end"] - 1) and \
                    results[j] is not None:
                results[idx] = {**results[j], "cue": "", "cue_start": -1, "cue_end": -1}
            break


def attribute_speakers(articles: pd.DataFrame, quotes: pd.DataFrame | None = None, *,
                       groups: str = "speaker_groups") -> pd.DataFrame:
    """Fill in who speaks each ``speech`` quotation.

    Parameters
    ----------
    articles : pandas.DataFrame
        One row per article, columns ``doc_id`` and ``text``.
    quotes : pandas.DataFrame, optional
        The frame returned by ``quotes.find_quotes(articles)``; computed when omitted.
    groups : str
        Speaker-group lexicon: bundled name or path to a YAML file (see
        ``lexicons/speaker_groups.yaml``).

    Returns
    -------
    pandas.DataFrame
        The quotes frame, one row per quotation, with ``speaker`` (full name or institution as
        resolved within the article, ``""`` if unknown or for ``scare`` and nested quotations),
        ``speaker_group``, ``cue`` (the reporting verb or cue as written, ``""`` when the speaker
        is carried over from a neighbouring quotation) filled, plus ``speaker_start``,
        ``speaker_end`` (offsets of the mention used, ``-1`` if none), ``speaker_mention``
        (its surface, e.g. ``"he"``), ``cue_start`` and ``cue_end`` (``-1`` if none). Sorted by
        ``doc_id, quote_id``; RangeIndex.
    """
    if quotes is None:
        quotes = find_quotes(articles)
    missing = [c for c in ("doc_id", "text") if c not in articles.columns]
    if missing:
        raise KitError(f"speakers.attribute_speakers, articles frame: missing column(s) {missing}; "
                       f"found {list(articles.columns)}; pass the frame returned by load_corpus")
    out = quotes.copy()
    for c in ("speaker", "speaker_group", "cue", "speaker_mention"):
        out[c] = ""
    for c in ("speaker_start", "speaker_end", "cue_start", "cue_end"):
        out[c] = -1
    texts = dict(zip(articles["doc_id"].astype(str), articles["text"]))
    out = out.reset_index(drop=True)
    fields = {"speaker": ("speaker", ""), "speaker_group": ("group", ""), "cue": ("cue", ""),
              "speaker_mention": ("mention", ""), "speaker_start": ("mstart", -1),
              "speaker_end": ("mend", -1), "cue_start": ("cue_start", -1),
              "cue_end": ("cue_end", -1)}
    values = {c: out[c].tolist() for c in fields}  # filled in lists, assigned once per column
    records = out.to_dict("records")
    built: dict[tuple, _Article] = {}
    for doc_id, idx in _positions_by(out["doc_id"]).items():
        text = texts.get(doc_id)
        if not isinstance(text, str):
            continue
        idx.sort(key=lambda ix: records[ix]["mark_start"])
        rows = [records[ix] for ix in idx]
        depth0 = [(q["mark_start"], q["mark_end"]) for q in rows if q["depth"] == 0]
        art = _Article(text, depth0, str(groups))
        for ix, r in zip(idx, _attribute_article(art, rows)):
            if r is None:
                continue
            for col, (key, default) in fields.items():
                values[col][ix] = r[key] if key == "speaker" else r.get(key, default)
        if len(built) < _HANDOFF_MAX:
            built[_article_key(text, depth0, str(groups))] = art.reset()
    global _handoff
    _handoff = built
    for col, vals in values.items():
        out[col] = pd.Series(vals, index=out.index, dtype="int64" if fields[col][1] == -1 else object)
    for c in ("speaker", "speaker_group", "cue", "speaker_mention"):
        out[c] = out[c].astype(str)
    return out.sort_values(["doc_id", "quote_id"], kind="stable").reset_index(drop=True)


def attributions(articles: pd.DataFrame, sentences: pd.DataFrame, *,
                 groups: str = "speaker_groups", quotes: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
    """Reported speech without quotation marks ("NATO said it saw no sign of a withdrawal").

    A sentence contributes one row per reporting verb (``reporting_verbs`` lexicon, nouns and
    participles excluded) whose subject resolves to a speaker and whose reported content lies
    mostly outside quotation marks: ``X said (that) CONTENT``, ``X told Y (that) CONTENT``,
    ``CONTENT, X said.`` and ``CONTENT, said X, appositive.``

    Parameters
    ----------
    articles : pandas.DataFrame
        Columns ``doc_id``, ``text``.
    sentences : pandas.DataFrame
        The frame returned by ``segment.sentences(articles)``.
    groups : str
        Speaker-group lexicon name or path.
    quotes : pandas.DataFrame, optional
        Quotes frame; computed with ``find_quotes`` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per attribution: ``doc_id``, ``sent_id``, ``start``, ``end`` (offsets of the
        reported content), ``speaker``, ``speaker_group``, ``cue``, ``cue_start``, ``cue_end``,
        ``speaker_start``, ``speaker_end``, ``speaker_mention``. Sorted by ``doc_id, start``;
        RangeIndex.
    """
    if quotes is None:
        quotes = find_quotes(articles)
    global _handoff
    built, _handoff = _handoff, {}
    texts = dict(zip(articles["doc_id"].astype(str), articles["text"]))
    marks: dict[str, list[tuple[int, int]]] = {}
    for d, a, b, depth in zip(quotes["doc_id"].astype(str), quotes["mark_start"],
                              quotes["mark_end"], quotes["depth"]):
        if depth == 0:
            marks.setdefault(d, []).append((int(a), int(b)))
    sent_ids, starts, ends = (sentences[c].tolist() for c in ("sent_id", "start", "end"))
    rows = []
    for doc_id, idx in sorted(_positions_by(sentences["doc_id"]).items()):
        text = texts.get(doc_id)
        if not isinstance(text, str):
            continue
        depth0 = marks.get(doc_id, [])
        art = built.pop(_article_key(text, depth0, str(groups)), None)
        art = art.reset() if art is not None else _Article(text, depth0, str(groups))
        for i in idx:
            rows.extend((doc_id, int(sent_ids[i]), *row) for row in _sentence_attributions(
                art, int(starts[i]), int(ends[i])))
    frame = pd.DataFrame(rows, columns=REPORTED_COLUMNS)
    ints = ["sent_id", "start", "end", "cue_start", "cue_end", "speaker_start", "speaker_end"]
    frame = frame.astype({c: "int64" for c in ints})
    return frame.sort_values(["doc_id", "start"], kind="stable").reset_index(drop=True)


def _positions_by(doc_ids: pd.Series) -> dict[str, list[int]]:
    """Row positions of each ``doc_id`` (as str), in order of first appearance."""
    out: dict[str, list[int]] = {}
    for i, d in enumerate(doc_ids.astype(str).tolist()):
        out.setdefault(d, []).append(i)
    return out


def _after_quote(art: _Article, s0: int, ss: int) -> bool:
    """True when the subject at token ``s0`` directly follows a closing quotation mark."""
    lo = art.toks[s0 - 1][1] if s0 > 0 else 0
    gap = art.text[max(lo, ss):art.toks[s0][0]]
    return any(c in gap for c in "\"\u201d'\u2019")


def _quoted_fraction(art: _Article, a: int, b: int) -> float:
    if b <= a:
        return 1.0
    seg = art.masked[a:b]
    return 1.0 - len(seg.strip()) / max(1, len(art.text[a:b].strip())) if seg.strip() else 1.0


def _sentence_attributions(art: _Article, ss: int, se: int) -> list[tuple]:
    out = []
    a, z = art.tok_range(ss, se)
    for v in art.verbs_in(a, z):
        if not art.is_verb(v) or art.word(v).lower().endswith("ing"):
            continue
        lemma = _lemma_of().get(art.word(v).lower(), "")
        if lemma not in _CLAUSE_LEMMAS:
            continue
        vs, ve = art.toks[v][0], art.toks[v][1]
        s0, s1, appos = _subject_of_verb(art, v, a, ss)
        inverted = False
        if s1 <= s0 and art.word(v - 1) == ",":
            s0, s1 = _np_forward(art, v + 1, z)
            appos = _appositive(art, s1, z)
            inverted = True
        if s1 <= s0:
            continue
        if art.word(s0 - 1).lower() == "what":
            continue  # "what they say are": a naming frame, not reported content
        if not inverted and _after_quote(art, s0, ss):
            continue  # '"...," X said': the content is the quotation, already in quotes
        adjacent = all(art.word(k).lower() in _AUX | _TIME | {"on"} for k in range(s1, v))
        nxt = art.word(v + 1)
        tail = adjacent and art.word(s0 - 1) == "," and (
            nxt in (".", ",", "") or nxt.lower() in _TIME | {"on", "in", "at", "during"})
        if not (tail or inverted) and lemma in _OBJECT_FIRST:
            k = v + 1
            while art.word(k).lower() in _TIME | {"on", ","}:
                k += 1
            w = art.word(k)
            if not (w.lower() == "that" or w.lower() in _PRONOUNS or (_is_cap(w) and w.lower()
                                                                       not in _DETS)):
                continue
        r = _finish(art, _resolve(art, s0, s1, vs, appos), vs)
        if r is None or not r.get("speaker"):
            continue
        art.events.append((vs, r))
        if inverted or tail:
            c_end = art.toks[min(s0, v) - 1][0]
            c_start = ss
        else:
            k = v + 1
            if art.word(v).lower() in ("told", "tell", "tells", "telling", "asked", "urged",
                                       "warned", "accused"):
                k = _np_forward(art, k, z)[1] if k < z else k
            if art.word(k).lower() in ("at", "in", "on", "during", "after", "before", "to"):
                that = next((x for x in range(k, min(z, k + 15)) if art.word(x).lower() == "that"),
                            None)
                if that is not None:
                    k = that  # "said at a news conference in Brussels that ..."
            while k < z and art.word(k).lower() in _TIME | {"on", "in", "a", "statement", "that",
                                                            ","}:
                k += 1
            if k >= z:
                continue
            c_start = art.toks[k][0]
            c_end = se
            while c_end > c_start and art.text[c_end - 1] in ".!? ":
                c_end -= 1
        while c_end > c_start and art.text[c_end - 1] in ", ":
            c_end -= 1
        if c_end - c_start < 8 or _quoted_fraction(art, c_start, c_end) > 0.5:
            continue
        if sum(1 for _ in re.finditer(r"\w+", art.text[c_start:c_end])) < 3:
            continue
        out.append((c_start, c_end, r["speaker"], r["group"], art.text[vs:ve], vs, ve,
                    r["mstart"], r["mend"], r["mention"]))
    return out
