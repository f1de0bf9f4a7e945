"""Coverage and omissions: which article of an event reports which piece of information.

An *information unit* is a group of sentences, from one or more articles of the same event, that
report the same fact. The idea is the summarisation-evaluation "summary content unit" of the
Pyramid method (Nenkova & Passonneau 2004) and the "nuggets" of TREC question answering
(Voorhees 2003): a fact counts once however it is worded, and its weight is how many sources
carry it. Pyramid SCUs are marked by hand and can be smaller than a sentence; here units are
whole sentences grouped automatically, so a sentence carrying two facts belongs to the unit of
its main fact and is only marked as also reporting the other (see step 4 and ``Notes``).

Method (per event, never across events):

1. **Anchors.** Each sentence (``analysis.tokens`` words) yields three kinds of anchors:
   *numbers* (digits without thousands separators, "6.5 million" -> 6500000, "15%", dates
   "May 11", durations "24 hours" / "two weeks", spelled cardinals "two".."twenty" and ordinals
   "second".."twentieth"; a number hyphen-joined to a word is a measure of its own, so
   "12-point" does not match "12 people"), *names* (capitalised words whose lower-case form
   never occurs in the event's text, so sentence-initial "Tensions" is a content word and
   "Putin" a name; a capitalised run such as "NATO Secretary General Anders Fogh Rasmussen" is
   keyed by its last name word only, so it matches "Rasmussen" and titles do not outweigh the
   fact; a run whose initials form an all-capitals word of the event, "North Atlantic Treaty
   Organization", becomes that acronym, "NATO"; demonyms are folded into the place, "Russian"
   -> "Russia", and spelling variants of names of six letters or more are merged by fuzzy match,
   "Yanukovich" = "Yanukovych"), and *content words* (lower-case, stop words removed, light
   suffix stripping).
2. **Weights.** anchor weight = kind weight (number 3, name 2, content 1) x IDF within the event,
   ``idf = ln((2 + N) / (1 + df))`` with ``N`` the number of the event's sentences and ``df`` the
   number that contain the anchor ("Putin" is in a third of them and says little about which
   fact a sentence reports, "40,000" is in three); a sentence is the binary vector of its
   anchors' weights.
3. **Clustering.** Single-pass leader clustering as in topic detection and tracking (Allan et
   al. 1998): sentences are visited in ``doc_id, sent_id`` order; each joins the unit whose
   sentences *from other articles* it matches best by cosine with their centroid (sum of
   vectors), if that cosine is at least ``min_score`` and they share at least ``min_shared``
   anchors, and otherwise starts a unit. A unit that already holds a sentence of the same
   article takes a second one only at ``same_article_score``. One refinement pass then takes
   each sentence out and puts it back where it now fits best (a sequential k-means step).
   Comparing with centroids, not with single sentences, keeps chains of pairwise overlaps from
   merging everything. Candidate units are found through an inverted index on each sentence's
   ``top_anchors`` heaviest anchors (blocking) and at most ``max_candidates`` are scored, so the
   work grows linearly with the number of sentences, not with its square.
4. **Presence.** An article includes a unit when one of its sentences is in it, or when one of
   its sentences, although a member of another unit, matches the unit's other-article sentences
   at ``secondary_score`` (a sentence reporting two facts; ``secondary`` rows). A unit formed by
   one article's sentences only is information only that article reports.

Notes
-----
Known limits: paraphrase without shared anchors is missed ("on May 7" vs "two weeks ago";
"toppled" vs "fled"); a fact told in the event's most frequent words (the lead "Putin ordered
troops back") gets little IDF weight and links weakly; a sentence that leans on the previous
one ("They have threatened ...") lacks its subject; leader clustering depends on the visiting
order (fixed, so results are reproducible); numbers are matched by value and a following time
unit, not by what they count.

References
----------
Nenkova, A., & Passonneau, R. (2004). Evaluating content selection in summarization: The
Pyramid method. HLT-NAACL.
Voorhees, E. M. (2003). Overview of the TREC 2003 question answering track. TREC.
Allan, J., Papka, R., & Lavrenko, V. (1998). On-line new event detection and tracking. SIGIR.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache, partial
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
from rapidfuzz import fuzz

from .tokens import word_spans

__all__ = ["coverage", "coverage_matrix", "omissions", "sentence_anchors", "COVERAGE_COLUMNS"]

#: Columns of :func:`coverage`, in order (the first five are the tables contract).
COVERAGE_COLUMNS = [
    "event", "unit_id", "doc_id", "sent_id", "present", "outlet", "sent_ids", "score", "secondary",
    "unit_label", "anchors", "n_articles_present", "n_outlets_present", "only_outlet",
]

KIND_WEIGHTS = {"number": 3.0, "name": 2.0, "count": 2.0, "content": 1.0}

# A general English stop list (function words) plus news-reporting filler that every article
# repeats ("said", "told"); kept here rather than in lexicons/ because it is not a research
# instrument but a tokenisation detail.
STOPWORDS = frozenset("""
a about above across after afterwards again against ago all almost alone along already also
although always am among amongst an and another any anyone anything anyway are around as at be
became because become becomes been before being below beside besides between beyond both but by
can cannot could did do does doing done down during each either else enough even ever every
everyone everything few for former formerly from further had has have having he hence her here
hers herself him himself his how however i if in indeed into is it it's its itself just last
latter least less many may me meanwhile might mine more moreover most mostly much must my myself
neither never nevertheless next no nobody none nor not nothing now of off often on once one only
onto or other others otherwise our ours ourselves out over own per perhaps quite rather really
same several she should since so some somehow someone something sometime sometimes somewhere
still such than that the their theirs them themselves then there thereby therefore these they
this those though through throughout thus to together too toward towards under until up upon us
very via was we well were what whatever when whenever where whereas whether which while who
whoever whole whom whose why will with within without would yet you your yours yourself
yourselves didn't don't doesn't isn't wasn't weren't won't wouldn't haven't hasn't hadn't can't
couldn't shouldn't we've we'd we'll they've they're they'd you're i'm i've he's she's that's
there's what's let's mr mrs ms
said say says saying told tell tells according added adding asked statement
""".split())

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_CARDINALS = ("two three four five six seven eight nine ten eleven twelve thirteen fourteen "
              "fifteen sixteen seventeen eighteen nineteen twenty").split()
_ORDINALS = ("second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
             "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth "
             "twentieth").split()
NUMBER_WORDS = {w: str(i) for i, w in enumerate(_CARDINALS, 2)}  # weighed as names, not digits
NUMBER_WORDS.update({w: f"{i}th" for i, w in enumerate(_ORDINALS, 2)})
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
TIME_UNITS = frozenset({"second", "minut", "hour", "day", "week", "month", "year", "decad"})
# bound prefixes split off at the hyphen ("anti-terrorism", "pro-Russian", "self-declared")
_PREFIXES = frozenset({"anti", "pro", "non", "self", "semi", "multi", "post", "pre", "ex",
                       "co", "de", "re", "un", "vice", "neo", "counter"})
_RUN_JOINERS = frozenset({"of", "the", "for", "de", "von", "van", "al", "bin"})
_APOS = "'\u2019"
_MEASURE_RE = re.compile(r"[\d.,]+(?:-[^\W\d_]+)?")      # "1,000-mile": one token
_DAY_RE = re.compile(r"\d{1,2}")
_VOCAB_WORD_RE = re.compile(r"[^\W\d_][\w'\u2019]*")
_ACRONYM_RE = re.compile(r"\b[A-Z](?:\.?[A-Z])+\b\.?")


@lru_cache(maxsize=1 << 16)
def _stem(w: str) -> str:
    """Light suffix stripping (Harman's S-stemmer plus -ed/-ing and a final -e)."""
    if len(w) > 4 and w.endswith("ies") and not w.endswith(("eies", "aies")):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("es") and not w.endswith(("aes", "ees", "oes")) and w[-3] in "sxz":
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("us", "ss", "is")):
        w = w[:-1]
    for suf in ("ing", "ed"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[:-len(suf)]
            if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


@lru_cache(maxsize=1 << 16)
def _strip_possessive(w: str) -> str:
    for suf in ("'s", "\u2019s"):
        if w.endswith(suf) and len(w) > 2:
            return w[:-2]
    return w.rstrip(_APOS)


def _fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(round(x, 6))


class _Word(NamedTuple):
    """What the anchor rules need to know about one token, whatever its sentence."""
    digit: bool            # contains a digit (a number anchor)
    base: str              # lower case, straight apostrophe, no possessive
    capital: bool          # starts with a capital letter (not a digit)
    nameable: bool         # may be a name (no stop word, month, weekday or number word)
    time_unit: str | None  # stem when the word is a time unit ("hours" -> "hour")
    count: str | None      # spelled number ("two" -> "2", "third" -> "3th")
    drop: bool             # never an anchor nor part of one (stop word, bound prefix, scale,
                           # short word; not a number)
    month: bool
    name: tuple            # the anchor as a name: (key, kind, surface)
    content: tuple         # the anchor as a content word


@lru_cache(maxsize=1 << 15)
def _word(w: str) -> _Word:
    """Sentence-independent forms of token ``w`` (memoised: news text repeats its words)."""
    base = _strip_possessive(w.lower().replace("\u2019", "'"))
    bare = base.replace(".", "")
    time_unit = _stem(w.lower())
    surface = _strip_possessive(w)
    digit = any(ch.isdigit() for ch in w)
    return _Word(
        digit=digit, base=base,
        capital=w[0].isupper() and not w[0].isdigit(),
        nameable=not (base in STOPWORDS or base in MONTHS or base in WEEKDAYS or base in NUMBER_WORDS),
        time_unit=time_unit if time_unit in TIME_UNITS else None,
        count=NUMBER_WORDS.get(base),
        drop=not digit and base not in NUMBER_WORDS and (
            base in _PREFIXES or base in _SCALES or base in STOPWORDS or len(base) < 3),
        month=base in MONTHS,
        name=("@" + bare, "name", surface), content=(_stem(bare), "content", surface))


def _tokens(text: str):
    """Split words at hyphens (``1,000-mile`` -> ``1,000`` + ``mile``); keep offsets."""
    toks = [(s, e, text[s:e]) for s, e in word_spans(text)]
    if "-" not in text:
        return toks
    out = []
    for s, e, w in toks:
        if "-" in w and not _MEASURE_RE.fullmatch(w):
            pos = s
            for part in w.split("-"):
                if part:
                    out.append((pos, pos + len(part), part))
                pos += len(part) + 1
        else:
            out.append((s, e, w))
    return out


def _cap_roles(text: str, toks: list, words: list, run_roles, out: list) -> dict:
    """Roles of the tokens of capitalised runs (adjacent tokens separated by a single space or a
    hyphen): ``head`` (the name word that stands for the run) or ``part`` (dropped). A run that
    spells out an acronym of the event is added to ``out`` as that acronym. ``run_roles`` maps
    the words of a run to (acronym anchor or None, roles by position in the run)."""
    n = len(toks)
    cap_role = {}
    end = 0                                # first token after the last run
    for i in [k for k, wd in enumerate(words) if wd.capital]:
        if i < end:
            continue
        j = i
        run = [i]
        while j + 1 < n:
            gap = text[toks[j][1]:toks[j + 1][0]]
            if gap != " " and gap != "-":
                break
            if words[j + 1].capital:
                run.append(j + 1)
                j += 1
            elif toks[j + 1][2].lower() in _RUN_JOINERS and j + 2 < n and toks[j + 2][2][0].isupper() \
                    and text[toks[j + 1][1]:toks[j + 2][0]] == " ":
                j += 1
            else:
                break
        end = j + 1
        acronym, roles = run_roles(tuple(toks[k][2] for k in run))
        if acronym:
            out.append(acronym)
        for pos, role in roles:
            cap_role[run[pos]] = role
    return cap_role


def _run_roles(run: tuple, lower_vocab: set, caps: set) -> tuple:
    """(acronym anchor or None, ((position, role), ...)) of a capitalised run of words."""
    keep = list(range(len(run)))
    while keep and _strip_possessive(run[keep[0]].lower()) in STOPWORDS:
        keep = keep[1:]          # "The United States": the article is no part of the name
    names = [k for k in keep if _is_name(run[k], lower_vocab)]
    initials = "".join(run[k][0] for k in keep).lower()
    if len(keep) >= 2 and initials in caps:
        # "European Union" is the same anchor as "EU", and only that
        return ("@" + initials, "name", " ".join(run[k] for k in keep)), [(k, "part") for k in keep]
    if names:
        # the last name word stands for the whole run; titles and first names before it
        # ("NATO Secretary General Anders Fogh") are dropped
        return None, [(names[-1], "head")] + [(k, "part") for k in keep if k < names[-1]]
    return None, []


def _memo(f):
    """``f`` memoised in a dict (for one event's runs: names recur in every article)."""
    cache = {}

    def get(key):
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = f(key)
        return hit
    return get


def _raw_anchors(text: str, run_roles):
    """Anchors of one sentence before name canonicalisation: list of (key, kind, surface).
    ``run_roles``: :func:`_run_roles` of the event (see :func:`_cap_roles`)."""
    toks = _tokens(text)
    words = [_word(t[2]) for t in toks]
    out = []
    cap_role = _cap_roles(text, toks, words, run_roles, out)
    n = len(toks)
    skip = set()
    for i, wd in enumerate(words):
        if wd.drop or i in skip:
            continue
        if wd.digit:
            _number_anchor(text, toks, words, i, skip, out)
        elif wd.count:
            key = "#" + wd.count
            if i + 1 < n and words[i + 1].time_unit:
                key += "-" + words[i + 1].time_unit
                skip.add(i + 1)
            out.append((key, "count", toks[i][2]))
        elif wd.month and i + 1 < n and _DAY_RE.fullmatch(toks[i + 1][2]):
            continue  # a date's anchor is made at its number
        else:
            role = cap_role.get(i)
            if role is None:
                out.append(wd.content)
            elif role == "head":
                out.append(wd.name)
            # "part": "Anders Fogh" in "Anders Fogh Rasmussen": the last word stands for the name
    return out


def _number_anchor(text: str, toks: list, words: list, i: int, skip: set, out: list) -> None:
    """Add the anchor of token ``i``, which contains a digit, to ``out`` (and to ``skip`` the
    following token it absorbs: a scale word or a time unit)."""
    s, e, w = toks[i]
    n = len(toks)
    lw = w.lower().replace("\u2019", "'")
    unit = ""
    if "-" in w:
        # "1,000-mile", "24-hour", "12-point": a measure, not a count of something
        w, unit = w.split("-", 1)
        unit = "-" + _stem(unit.lower())
    num = w.replace(",", "")
    try:
        val = float(num)
    except ValueError:
        out.append(("#" + lw, "number", w))
        return
    surface = w
    if i + 1 < n and toks[i + 1][2].lower() in _SCALES:
        val *= _SCALES[toks[i + 1][2].lower()]
        surface = f"{w} {toks[i + 1][2]}"
        skip.add(i + 1)
    key = _fmt_number(val)
    if unit:
        out.append(("#" + key + unit, "number", text[s:e]))
        return
    after = text[e:e + 2].lstrip()
    if after.startswith("%") or (i + 1 < n and toks[i + 1][2].lower() in ("percent", "pct")):
        key += "%"
        surface += "%"
    if i + 1 < n and words[i + 1].time_unit:
        # "24 hours", "two weeks": a duration is its own anchor ("24 servicemen" is not)
        key += "-" + words[i + 1].time_unit
        surface = f"{surface} {toks[i + 1][2]}"
        skip.add(i + 1)
    elif i > 0 and toks[i - 1][2].lower() in MONTHS and toks[i - 1][2][0].isupper() \
            and val.is_integer() and 1 <= val <= 31:
        key = f"{toks[i - 1][2].lower()} {int(val)}"
        surface = f"{toks[i - 1][2]} {w}"
    out.append(("#" + key, "number", surface))


def _is_name(w: str, lower_vocab: set) -> bool:
    wd = _word(w)
    if not wd.nameable:
        return False
    if w.isupper() and len(w) > 1:
        return True
    return wd.base not in lower_vocab


def _canonical_names(keys: Counter) -> dict:
    """Map name keys to a canonical key: demonyms to places, then fuzzy spelling variants."""
    names = {k[1:] for k in keys if k.startswith("@")}
    mapping = {}
    for k in names:
        for stem, adds in ((k[:-3], ("", "e", "a")) if k.endswith("ian") else (None, ()),
                           (k[:-2], ("", "e", "a")) if k.endswith("an") else (None, ()),
                           (k[:-1], ("",)) if k.endswith("n") else (None, ())):
            if stem is None or len(stem) < 3:
                continue
            hit = next((stem + a for a in adds if stem + a in names and stem + a != k), None)
            if hit:
                mapping[k] = hit
                break
    # spelling variants (transliteration): same first letter, >= 6 letters, ratio >= 85
    long_names = sorted((k for k in names if len(k) >= 6 and k not in mapping),
                        key=lambda k: (-keys.get("@" + k, 0), k))
    by_letter = defaultdict(list)
    for k in long_names:
        by_letter[k[0]].append(k)
    for group in by_letter.values():
        canon: list[str] = []
        for k in group:
            hit = next((c for c in canon if abs(len(c) - len(k)) <= 2 and fuzz.ratio(c, k) >= 85), None)
            if hit:
                mapping[k] = hit
            else:
                canon.append(k)
    return {"@" + k: "@" + v for k, v in mapping.items()}


def sentence_anchors(articles: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Anchors of every sentence (the features :func:`coverage` aligns on).

    Returns
    -------
    DataFrame
        One row per (sentence, anchor), sorted by ``event, doc_id, sent_id, anchor``: ``event,
        doc_id, sent_id, anchor`` (normalised key: ``#`` number, ``@`` name, else a stemmed
        content word), ``kind`` (``number``, ``name``, ``content``), ``surface`` (as written),
        ``weight`` (kind weight x IDF within the event).
    """
    feats = _features(_prepare(articles), _prep_sentences(sentences))
    rows = []
    for event, (sent_df, vecs, surfaces, kinds) in feats.items():
        for (doc, sid), vec in zip(zip(sent_df["doc_id"], sent_df["sent_id"]), vecs):
            for a, w in vec.items():
                rows.append((event, doc, int(sid), a, kinds[a], surfaces[a], w))
    out = pd.DataFrame(rows, columns=["event", "doc_id", "sent_id", "anchor", "kind", "surface", "weight"])
    return out.sort_values(["event", "doc_id", "sent_id", "anchor"]).reset_index(drop=True)


def _prepare(articles: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("doc_id", "text") if c not in articles.columns]
    if missing:
        raise ValueError(f"articles: missing column(s) {', '.join(missing)}; found "
                         f"{', '.join(map(str, articles.columns))}")
    a = articles[[c for c in ("doc_id", "text", "event", "outlet") if c in articles.columns]].copy()
    a["doc_id"] = a["doc_id"].astype(str)
    a["event"] = a["event"].fillna("unknown").astype(str) if "event" in a else "unknown"
    a["outlet"] = a["outlet"].fillna("unknown").astype(str) if "outlet" in a else "unknown"
    return a.sort_values(["event", "doc_id"]).reset_index(drop=True)


def _prep_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("doc_id", "sent_id", "text") if c not in sentences.columns]
    if missing:
        raise ValueError(f"sentences: missing column(s) {', '.join(missing)}; found "
                         f"{', '.join(map(str, sentences.columns))}")
    s = sentences[["doc_id", "sent_id", "text"]].copy()
    s["doc_id"] = s["doc_id"].astype(str)
    return s.sort_values(["doc_id", "sent_id"]).reset_index(drop=True)


def _event_vocab(texts) -> tuple[set, set]:
    """The event's lower-case words (without possessive) and its all-capitals words (acronyms)."""
    words, caps = set(), set()
    for t in texts:
        words.update(_VOCAB_WORD_RE.findall(t))
        for w in _ACRONYM_RE.findall(t):
            caps.add(w.replace(".", "").lower())
    lower_vocab = {_strip_possessive(w.replace("\u2019", "'")) for w in words if w[0].islower()}
    return lower_vocab, caps


def _features(arts: pd.DataFrame, sents: pd.DataFrame) -> dict:
    """Per event: (sentences of the event, weight vectors, anchor surfaces, anchor kinds)."""
    out = {}
    rows_of = sents.groupby("doc_id", sort=False).indices     # doc_id -> row positions
    for event, ev in arts.groupby("event", sort=True):
        docs = ev["doc_id"].tolist()
        lower_vocab, caps = _event_vocab(ev["text"].tolist())
        parts = [rows_of[d] for d in docs if d in rows_of]
        sent_df = sents.take(np.concatenate(parts)) if parts else sents.iloc[:0]
        sent_df = sent_df.reset_index(drop=True)
        run_roles = _memo(partial(_run_roles, lower_vocab=lower_vocab, caps=caps))
        raw = [_raw_anchors(t, run_roles) for t in sent_df["text"].tolist()]
        key_count = Counter(k for r in raw for k, _, _ in r)
        canon = _canonical_names(key_count)
        surfaces_count: dict[str, dict] = {}
        kinds = {}
        sets = []
        for r in raw:
            d = {}
            for k, kind, surf in r:
                k = canon.get(k, k)
                d[k] = kind
                kinds[k] = kind
                c = surfaces_count.get(k)
                if c is None:
                    c = surfaces_count[k] = {}
                c[surf] = c.get(surf, 0) + 1
            sets.append(d)
        # IDF over the event's sentences: "Putin" is in a third of them and tells little about
        # which fact a sentence reports; "40,000" is in three and tells a lot.
        df = Counter(k for s in sets for k in s)
        n = len(sets)
        idf = {k: math.log((2 + n) / (1 + c)) for k, c in df.items()}
        vecs = [{k: KIND_WEIGHTS[kind] * idf[k] for k, kind in s.items()} for s in sets]
        # the most frequent surface (the first seen of equally frequent ones)
        surfaces = {k: max(c.items(), key=itemgetter(1))[0] for k, c in surfaces_count.items()}
        out[event] = (sent_df, vecs, surfaces, kinds)
    return out


def _cos_sum(vec: dict, cen: dict, cnorm2: float, vnorm2: float, minus: dict | None = None) -> float:
    """Cosine of ``vec`` with ``cen`` (or ``cen - minus``)."""
    if minus is None:
        dot = sum(w * cen.get(a, 0.0) for a, w in vec.items())
        n2 = cnorm2
    else:
        dot = sum(w * (cen.get(a, 0.0) - minus.get(a, 0.0)) for a, w in vec.items())
        n2 = cnorm2 - 2 * sum(w * cen.get(a, 0.0) for a, w in minus.items()) + \
            sum(w * w for w in minus.values())
    if n2 <= 1e-12 or vnorm2 <= 0:
        return 0.0
    return dot / math.sqrt(n2 * vnorm2)


class _Clusters:
    """Unit centroids (sums of member vectors), kept per article so that a sentence can be
    compared with the *other* articles' part of a unit: the final units, as
    :mod:`analysis.coverage_cluster` builds them, for :func:`_describe_units`."""

    def __init__(self, min_shared: int = 1):
        self.min_shared = min_shared
        self.cen: list[dict] = []
        self.norm2: list[float] = []
        self.parts: list[dict] = []          # cid -> {doc_id: summed vector}

    def new(self, vec, doc, n2):
        """A unit of one sentence (exactly what :meth:`add` to an empty unit gives)."""
        cid = len(self.cen)
        self.cen.append(dict(vec))
        self.norm2.append(float(n2))
        self.parts.append({doc: dict(vec)})
        return cid

    def add(self, cid, vec, doc, n2):
        """Add ``vec`` (squared norm ``n2``) of a sentence of ``doc`` to unit ``cid``."""
        c = self.cen[cid]
        get = c.get
        self.norm2[cid] += 2 * sum(w * get(a, 0.0) for a, w in vec.items()) + n2
        part = self.parts[cid].setdefault(doc, {})
        pget = part.get
        for a, w in vec.items():
            c[a] = get(a, 0.0) + w
            part[a] = pget(a, 0.0) + w

    def score(self, cid, vec, n2, doc, min_other=None):
        """Cosine of ``vec`` with the unit's sentences from other articles (``None`` if there are
        none; 0 if they share fewer than ``min_shared`` anchors) and with the unit's sentences
        from article ``doc`` (``None`` if none; also left out when the first is below
        ``min_other``, as the caller then rejects the unit anyway)."""
        parts = self.parts[cid]
        mine = parts.get(doc)
        other = None
        if mine is None or len(parts) > 1:
            get = self.cen[cid].get
            dot, shared = 0.0, 0
            if mine is None:
                cn2 = self.norm2[cid]
                for a, w in vec.items():
                    c = get(a, 0.0)
                    if c > 1e-9:
                        dot += w * c
                        shared += 1
            else:
                cn2 = self.norm2[cid] + sum(w * (w - 2 * get(a, 0.0)) for a, w in mine.items())
                mget = mine.get
                for a, w in vec.items():
                    c = get(a, 0.0) - mget(a, 0.0)
                    if c > 1e-9:
                        dot += w * c
                        shared += 1
            other = dot / math.sqrt(cn2 * n2) if shared >= self.min_shared and cn2 > 1e-12 else 0.0
        same = None
        if mine is not None and (min_other is None or other is None or other >= min_other):
            p2 = sum(w * w for w in mine.values())
            if p2 > 1e-12:
                same = _cos_sum(vec, mine, p2, n2)
        return other, same


def _heaviest(weights: dict, n: int) -> list:
    """The ``n`` keys of largest weight, heaviest first (equal weights: in key order)."""
    keys = sorted(weights)
    keys.sort(key=weights.__getitem__, reverse=True)    # stable: ties stay in key order
    return keys[:n]


def _cluster(vecs: list[dict], docs: list[str], norms: list[float], min_score: float,
             same_score: float, secondary_score: float, top_anchors: int, max_candidates: int,
             min_shared: int):
    """Leader clustering plus one refinement pass, then secondary presence (steps 3 and 4 of
    the module docstring, compiled: :mod:`analysis.coverage_cluster`); returns (labels,
    secondary, final units). ``norms`` are the squared norms of ``vecs``."""
    from .coverage_cluster import cluster   # numba: imported by the processes that need it
    tops = [_heaviest(v, top_anchors) for v in vecs]
    labels, pairs, _ = cluster(vecs, docs, norms, tops, min_score, same_score, secondary_score,
                            max_candidates, min_shared)
    secondary = defaultdict(list)           # unit -> sentence indices
    for cid, i in pairs:
        secondary[cid].append(i)
    fin = _Clusters(min_shared)             # the final units, for their description
    for i, lab in enumerate(labels):
        if lab == len(fin.cen):
            fin.new(vecs[i], docs[i], norms[i])
        else:
            fin.add(lab, vecs[i], docs[i], norms[i])
    return labels, secondary, fin


def compile_clustering() -> int:
    """Run :func:`coverage` once on two short articles, so that numba compiles the clustering
    (about 10 s) and caches it on disk: ``make venv`` calls it. Returns the number of units (1)."""
    text = "The minister said on Monday that 40,000 troops would return to Rostov soon."
    arts = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["x", "y"], "event": ["e", "e"],
                         "text": [text, text]})
    sents = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": [1, 1], "text": [text, text]})
    return int(coverage(arts, sents)["unit_id"].nunique())


def coverage(articles: pd.DataFrame, sentences: pd.DataFrame, min_score: float = 0.3, *,
             same_article_score: float = 0.45, secondary_score: float = 0.45,
             min_shared: int = 2, top_anchors: int = 8, max_candidates: int = 8,
             label_chars: int = 100) -> pd.DataFrame:
    """Align information units across the articles of each event and record who reports each.

    Parameters
    ----------
    articles : DataFrame
        ``doc_id, text`` (``event``, ``outlet`` used when present).
    sentences : DataFrame
        ``doc_id, sent_id, text`` (``analysis.segment.sentences``).
    min_score : float
        Minimum cosine between a sentence and the unit's sentences from other articles for the
        sentence to join the unit (0-1; higher gives more, smaller units). 0.3 separates, on the
        example event, the sentence pairs a reader aligns from those sharing only a name.
    same_article_score : float
        A unit that already holds a sentence of the same article takes another one only if the
        two match at least this well (an article seldom states a fact twice, but neighbouring
        sentences share names and topic).
    secondary_score : float
        A sentence whose own unit is another one still counts as reporting a unit when it matches
        that unit's other-article sentences at least this well (``secondary`` rows). Set above 1
        to switch off.
    min_shared : int
        Minimum number of anchors a sentence must share with a unit (one shared place name is
        not a shared fact).
    max_candidates : int
        At most this many candidate units (those sharing most of the sentence's
        ``top_anchors``) are scored per sentence, which bounds the work per sentence.
    top_anchors : int
        Number of a sentence's heaviest anchors used for blocking (candidate lookup).
    label_chars : int
        Maximum length of ``unit_label``.

    Returns
    -------
    DataFrame
        One row per (unit, article of the unit's event), sorted by ``event, unit_id, doc_id``:
        ``event``, ``unit_id`` (1-based within the event, in order of first appearance by
        ``doc_id, sent_id``), ``doc_id``, ``sent_id`` (the article's first sentence in the unit,
        ``<NA>`` when absent), ``present``, ``outlet``, ``sent_ids`` (all the article's
        sentences in the unit, ``;``-separated), ``score`` (cosine between the article's best
        sentence and the centroid of the other articles' sentences of the unit; ``NaN`` when
        absent or no other article has the unit), ``secondary`` (present only through a
        sentence whose own unit is another one), ``unit_label`` (the most central sentence,
        shortened), ``anchors`` (anchors shared by two or more of the unit's articles, heaviest
        first; for one-article units its heaviest anchors), ``n_articles_present``,
        ``n_outlets_present``, ``only_outlet`` (the outlet when only one outlet reports the
        unit, else empty).

    References
    ----------
    Nenkova, A., & Passonneau, R. (2004). Evaluating content selection in summarization: The
    Pyramid method. HLT-NAACL.
    Allan, J., Papka, R., & Lavrenko, V. (1998). On-line new event detection and tracking. SIGIR.
    """
    if not 0 < min_score <= 1:
        raise ValueError(f"coverage: min_score must be in (0, 1]; got {min_score}")
    arts = _prepare(articles)
    feats = _features(arts, _prep_sentences(sentences))
    outlet_of = dict(zip(arts["doc_id"].tolist(), arts["outlet"].tolist()))
    docs_of = defaultdict(list)
    for event, doc in zip(arts["event"].tolist(), arts["doc_id"].tolist()):
        docs_of[event].append(doc)
    parts = []
    # events in the order of the sorted articles, so that the rows come out sorted by event,
    # unit_id, doc_id
    for event in docs_of:
        sent_df, vecs, surfaces, _ = feats[event]
        docs = sent_df["doc_id"].tolist()
        norms = [sum(w * w for w in v.values()) for v in vecs]
        labels, secondary, fin = _cluster(vecs, docs, norms, min_score, same_article_score,
                                          secondary_score, top_anchors, max_candidates,
                                          min_shared)
        units = _describe_units(sent_df, vecs, norms, surfaces, labels, secondary, fin,
                                outlet_of, label_chars)
        if units:
            parts.append(_event_columns(event, docs_of[event], outlet_of, units))
    if not parts:
        return _typed(pd.DataFrame([], columns=COVERAGE_COLUMNS)).reset_index(drop=True)
    cols = {c: _concat([p[c] for p in parts]) for c in COVERAGE_COLUMNS}
    cols["sent_id"] = pd.arrays.IntegerArray(cols["sent_id"], ~cols["present"])  # absent: <NA>
    for c, v in cols.items():
        if isinstance(v, pa.Array):  # pandas' text columns: ``str`` (Arrow storage)
            cols[c] = pd.Series(v, dtype=pd.StringDtype("pyarrow", na_value=np.nan), copy=False)
    return _typed(pd.DataFrame(cols))


class _Unit(NamedTuple):
    """One information unit of an event, as reported in the coverage table."""
    label: str
    anchors: str
    n_articles: int
    n_outlets: int
    only_outlet: str
    rows: dict        # doc_id -> (sent_id, sent_ids, score, secondary) of the present articles


def _describe_units(sent_df, vecs, norms, surfaces, labels, secondary, fin, outlet_of,
                    label_chars) -> list[_Unit]:
    """The event's units in order of first appearance (sentences are sorted by doc_id, sent_id)."""
    docs = sent_df["doc_id"].tolist()
    sids = [int(x) for x in sent_df["sent_id"].tolist()]
    texts = sent_df["text"].tolist()
    members = defaultdict(list)
    for i, lab in enumerate(labels):
        members[lab].append(i)
    units = []
    for lab in sorted(members, key=lambda lab: members[lab][0]):
        mem = members[lab]
        cen, cn2 = fin.cen[lab], fin.norm2[lab]
        # label: the member closest to the rest of the unit (leave-one-out centroid), so a
        # long sentence that merely contains every anchor does not win
        central = mem[0] if len(mem) == 1 else max(
            mem, key=lambda i: (_cos_sum(vecs[i], cen, cn2, norms[i], minus=vecs[i]), -i))
        by_doc = defaultdict(list)
        for i in sorted(mem + secondary.get(lab, [])):
            by_doc[docs[i]].append(i)
        if len(by_doc) > 1:
            doc_sets = [set().union(*(vecs[i].keys() for i in idx)) for idx in by_doc.values()]
            cnt = Counter(a for s in doc_sets for a in s)
            shared = [a for a, c in cnt.items() if c >= 2]
            shared.sort(key=lambda a: (-cnt[a], -cen.get(a, 0.0), a))
            anchors = shared[:6]
        else:
            anchors = _heaviest(cen, 4)
        present_outlets = sorted({outlet_of[d] for d in by_doc})
        rows = {}
        for d, idx in by_doc.items():
            score = float("nan")
            if any(x != d for x in fin.parts[lab]):
                # (only the first score is used: math.inf spares the second)
                score = max(fin.score(lab, vecs[i], norms[i], d, math.inf)[0] for i in idx)
            rows[d] = (sids[idx[0]], ";".join(str(sids[i]) for i in idx), score,
                       not any(labels[i] == lab for i in idx))
        units.append(_Unit(_shorten(texts[central], label_chars),
                           "; ".join(surfaces[a] for a in anchors), len(by_doc),
                           len(present_outlets),
                           present_outlets[0] if len(present_outlets) == 1 else "", rows))
    return units


def _event_columns(event, ev_docs: list, outlet_of: dict, units: list[_Unit]) -> dict:
    """Columns of the event's rows: one per (unit, article of the event), by unit then article."""
    n_docs, n = len(ev_docs), len(units) * len(ev_docs)
    at = defaultdict(list)                 # doc_id -> positions among the event's articles
    for k, d in enumerate(ev_docs):
        at[d].append(k)
    sent_id = np.zeros(n, dtype=np.int64)
    present = np.zeros(n, dtype=bool)
    score = np.full(n, np.nan)
    secondary = np.zeros(n, dtype=bool)
    sent_ids = [""] * n
    for u, unit in enumerate(units):
        for d, (sid, ids, sc, sec) in unit.rows.items():
            for k in at[d]:
                r = u * n_docs + k
                sent_id[r], present[r], sent_ids[r] = sid, True, ids
                score[r], secondary[r] = sc, sec

    unit_of_row = np.repeat(np.arange(len(units)), n_docs)
    doc_of_row = np.tile(np.arange(n_docs), len(units))

    def per_unit(values):                 # a unit's value on each of its rows
        return _strings(list(values), unit_of_row)

    def per_unit_int(values):
        return np.repeat(np.fromiter(values, np.int64, len(units)), n_docs)

    return {
        "event": _strings([event], np.zeros(n, dtype=np.int64)),
        "unit_id": per_unit_int(range(1, len(units) + 1)),
        "doc_id": _strings(ev_docs, doc_of_row),
        "sent_id": sent_id,
        "present": present,
        "outlet": _strings([outlet_of[d] for d in ev_docs], doc_of_row),
        "sent_ids": pa.array(sent_ids, pa.large_string()),
        "score": score,
        "secondary": secondary,
        "unit_label": per_unit(u.label for u in units),
        "anchors": per_unit(u.anchors for u in units),
        "n_articles_present": per_unit_int(u.n_articles for u in units),
        "n_outlets_present": per_unit_int(u.n_outlets for u in units),
        "only_outlet": per_unit(u.only_outlet for u in units),
    }


def _strings(values: list[str], positions: np.ndarray) -> pa.Array:
    """``[values[i] for i in positions]`` as an Arrow string array, without a Python string per
    row (a unit's label repeats on each article's row: 700,000 rows per 1,000 articles)."""
    return pa.array(values, pa.large_string()).take(pa.array(positions))


def _concat(pieces: list):
    """Join one column's pieces (Arrow or numpy arrays) of several events."""
    if len(pieces) == 1:
        return pieces[0]
    if isinstance(pieces[0], pa.Array):
        return pa.concat_arrays(pieces)
    return np.concatenate(pieces)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """The coverage frame's column types."""
    out["unit_id"] = out["unit_id"].astype("int64")
    out["sent_id"] = out["sent_id"].astype("Int64")
    out["present"] = out["present"].astype(bool)
    out["secondary"] = out["secondary"].astype(bool)
    out["score"] = out["score"].astype(float)
    for c in ("n_articles_present", "n_outlets_present"):
        out[c] = out[c].astype("int64")
    return out


def _shorten(text: str, n: int) -> str:
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0]
    return cut + " \u2026"


def coverage_matrix(coverage: pd.DataFrame, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Unit x outlet presence table for display.

    Returns
    -------
    DataFrame
        One row per unit, sorted by ``event, unit_id``: ``event, unit_id, unit_label,
        n_articles_present`` and one boolean column per outlet (sorted by name): does any
        article of that outlet include the unit (``<NA>`` for outlets without articles in the
        unit's event). ``articles`` is accepted for the outlet list when ``coverage`` lacks an
        ``outlet`` column.
    """
    cov = _with_outlet(coverage, articles)
    base = (cov.groupby(["event", "unit_id"], sort=True)
            .agg(unit_label=("unit_label", "first"), n_articles_present=("n_articles_present", "first"))
            .reset_index())
    pres = cov.groupby(["event", "unit_id", "outlet"])["present"].any().unstack("outlet")
    pres = pres.reindex(columns=sorted(pres.columns))
    pres = pres.astype("boolean").reset_index()
    out = base.merge(pres, on=["event", "unit_id"], how="left")
    return out.sort_values(["event", "unit_id"]).reset_index(drop=True)


def _with_outlet(coverage: pd.DataFrame, articles: pd.DataFrame | None) -> pd.DataFrame:
    cov = coverage.copy()
    if "outlet" not in cov.columns:
        if articles is None:
            raise ValueError("coverage has no 'outlet' column; pass articles (doc_id, outlet)")
        cov["doc_id"] = cov["doc_id"].astype(str)
        a = articles[["doc_id", "outlet"]].copy()
        a["doc_id"] = a["doc_id"].astype(str)
        cov = cov.merge(a, on="doc_id", how="left")
    return cov


def omissions(coverage: pd.DataFrame, articles: pd.DataFrame | None = None,
              min_share: float = 0.5) -> pd.DataFrame:
    """Units most outlets report but one leaves out, and units only one outlet reports.

    Parameters
    ----------
    coverage : DataFrame
        Output of :func:`coverage`.
    articles : DataFrame, optional
        ``doc_id, outlet`` when ``coverage`` lacks ``outlet``.
    min_share : float
        A unit is "reported by most outlets" when more than this share of the event's outlets
        include it.

    Returns
    -------
    DataFrame
        One row per (unit, outlet) finding, sorted by ``event, finding, unit_id, outlet``:
        ``event, unit_id, outlet, finding`` (``omitted``: the outlet lacks a unit that more than
        ``min_share`` of the event's outlets report; ``exclusive``: the outlet is the only one
        to report the unit), ``n_outlets_present``, ``n_outlets_event``, ``unit_label``,
        ``anchors``. Events with a single outlet give no rows.
    """
    cov = _with_outlet(coverage, articles)
    rows = []
    for event, ev in cov.groupby("event", sort=True):
        outlets = sorted(ev["outlet"].unique())
        n_ev = len(outlets)
        if n_ev < 2:
            continue
        for uid, u in ev.groupby("unit_id", sort=True):
            pres = u.groupby("outlet")["present"].any()
            have = sorted(pres[pres].index)
            first = u[u["present"].astype(bool)].iloc[0] if u["present"].any() else u.iloc[0]
            label = first["unit_label"]
            anchors = first["anchors"] if "anchors" in u else ""
            if len(have) == 1:
                rows.append((event, uid, have[0], "exclusive", 1, n_ev, label, anchors))
            elif len(have) > min_share * n_ev and len(have) < n_ev:
                for o in outlets:
                    if o not in have:
                        rows.append((event, uid, o, "omitted", len(have), n_ev, label, anchors))
    out = pd.DataFrame(rows, columns=["event", "unit_id", "outlet", "finding", "n_outlets_present",
                                      "n_outlets_event", "unit_label", "anchors"])
    return out.sort_values(["event", "finding", "unit_id", "outlet"]).reset_index(drop=True)
