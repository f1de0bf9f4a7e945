"""A faster VADER scorer whose ``polarity_scores`` is bit-identical to vaderSentiment 3.3.2.

VADER (Hutto & Gilbert 2014) scores a text word by word with a lexicon and rules for negation,
boosters, ALL CAPS, "but", "least", idioms and punctuation. :class:`FastSentimentIntensityAnalyzer`
subclasses vaderSentiment's ``SentimentIntensityAnalyzer`` and overrides ``polarity_scores``:
each token is split and lower-cased once (cached; the stock code re-lowers the whole sentence
for every lexicon word), words outside the lexicon take a short path, texts without a lexicon
word skip the scoring arithmetic, and the emoji scan is skipped when the text has no emoji
character. The rules, their order and every float operation are those of vaderSentiment 3.3.2
(the contrastive "but" rule is the inherited method). Results were verified identical (every
field, every bit) to the stock scorer on the seed corpus, VADER's own examples, generated texts
and a 500-article benchmark corpus (``benchmarks/vader_equivalence.py``).

:func:`make_analyzer` returns the fast scorer only when the installed vaderSentiment is the
verified release (version and source file hash); otherwise the stock scorer.

References
----------
Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for sentiment analysis
of social media text. *Proceedings of ICWSM-14*, 216-225.
"""
from __future__ import annotations

import hashlib
import math
import string
from itertools import compress

from vaderSentiment import vaderSentiment as _vs

#: The vaderSentiment release the fast scorer was verified against, and the SHA-256 of its
#: ``vaderSentiment/vaderSentiment.py``.
VERIFIED_VERSION = "3.3.2"
VERIFIED_SOURCE_SHA256 = "25cd814d23000b41c0e242d99960832c6620b3f1b844469173404500ce63206b"

_PUNCT = string.punctuation
_TOKEN_CACHE_MAX = 200_000


def installed_version() -> str | None:
    """Version of the installed vaderSentiment distribution (``None`` if unknown)."""
    try:
        from importlib.metadata import version
        return version("vaderSentiment")
    except Exception:  # noqa: BLE001 - metadata missing: treat as unverified
        return None


def is_verified_install() -> bool:
    """True when the installed vaderSentiment is the release the fast scorer reproduces."""
    if installed_version() != VERIFIED_VERSION:
        return False
    try:
        with open(_vs.__file__, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest() == VERIFIED_SOURCE_SHA256
    except OSError:
        return False


class FastSentimentIntensityAnalyzer(_vs.SentimentIntensityAnalyzer):
    """``SentimentIntensityAnalyzer`` with a faster, bit-identical ``polarity_scores``.

    The lexicon and vaderSentiment's booster and special-case tables are read at call time like
    the stock code; the negation words, the first words of the multi-word special cases and
    boosters, and the single-character emojis are taken at construction. Non-``str`` input goes
    to the stock method.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the stock emoji loop tests one character at a time, so only 1-character keys matter
        self._emoji_chars = frozenset(k for k in self.emojis if len(k) == 1)
        self._negate = frozenset(_vs.NEGATE)
        # first words of the multi-word special cases and booster n-grams (see _lexicon_valence)
        self._ngram_first = frozenset(k.split(" ")[0] for k in
                                      (*_vs.SPECIAL_CASES, *_vs.BOOSTER_DICT) if " " in k)
        self._tokens: dict[str, tuple[str, str]] = {}   # token -> (word, lower-cased word)

    # -- text preparation ---------------------------------------------------------------------
    def _replace_emojis(self, text: str) -> str:
        # verbatim from SentimentIntensityAnalyzer.polarity_scores (3.3.2)
        text_no_emoji = ""
        prev_space = True
        for chr in text:
            if chr in self.emojis:
                description = self.emojis[chr]
                if not prev_space:
                    text_no_emoji += ' '
                text_no_emoji += description
                prev_space = False
            else:
                text_no_emoji += chr
                prev_space = chr == ' '
        return text_no_emoji

    def _token(self, token: str) -> tuple[str, str]:
        """(SentiText word, its lower case) of a white-space token: ``_strip_punc_if_word``."""
        stripped = token.strip(_PUNCT)
        word = token if len(stripped) <= 2 else stripped
        if len(self._tokens) >= _TOKEN_CACHE_MAX:
            self._tokens.clear()
        out = self._tokens[token] = (word, word.lower())
        return out

    # -- scoring -------------------------------------------------------------------------------
    def polarity_scores(self, text):
        """VADER ``{"neg", "neu", "pos", "compound"}`` of ``text``, as the stock method."""
        if type(text) is not str:
            return super().polarity_scores(text)
        if not text.isascii() and not self._emoji_chars.isdisjoint(text):
            text = self._replace_emojis(text)
        text = text.strip()

        # SentiText: white-space tokens with surrounding punctuation stripped
        tokens = text.split()
        if not tokens:
            return dict(_EMPTY)
        pairs = list(map(self._tokens.get, tokens))
        if None in pairs:
            pairs = [p or self._token(t) for p, t in zip(pairs, tokens)]
        words, low = zip(*pairs)
        n = len(words)

        # per word: 0 unless a lexicon word that is not a booster nor the "kind" of "kind of"
        lexicon = self.lexicon
        hits = list(compress(range(n), map(lexicon.__contains__, low)))
        if not hits:
            # every score is 0: see _score_valence
            return dict(_ALL_NEUTRAL)
        is_cap_diff = 0 < n - sum(map(str.isupper, words)) < n  # allcap_differential
        boosters = _vs.BOOSTER_DICT
        sentiments = [0] * n
        scored = []
        for i in hits:
            lw = low[i]
            if lw in boosters or (i < n - 1 and lw == "kind" and low[i + 1] == "of"):
                continue
            sentiments[i] = v = self._lexicon_valence(words, low, i, is_cap_diff)
            scored.append(v)
        if "but" in low:
            sentiments = self._but_check(words, sentiments)
            nonzero = [s for s in sentiments if s]
        else:
            nonzero = [s for s in scored if s]
        return _score_valence(sentiments, nonzero, text)

    def _lexicon_valence(self, words, low, i, is_cap_diff):
        """``sentiment_valence`` of lexicon word ``i`` (3.3.2 rules, on lower-cased ``low``)."""
        lexicon = self.lexicon
        N_SCALAR = _vs.N_SCALAR
        C_INCR = _vs.C_INCR
        item = words[i]
        item_lowercase = low[i]
        valence = lexicon[item_lowercase]
        if item_lowercase == "no" and i != len(words) - 1 and low[i + 1] in lexicon:
            valence = 0.0
        if (i > 0 and low[i - 1] == "no") \
           or (i > 1 and low[i - 2] == "no") \
           or (i > 2 and low[i - 3] == "no" and low[i - 1] in ["or", "nor"]):
            valence = lexicon[item_lowercase] * N_SCALAR
        if item.isupper() and is_cap_diff:
            if valence > 0:
                valence += C_INCR
            else:
                valence -= C_INCR
        # the three preceding words (start_i = 0, 1, 2 of the stock loop): scalar_inc_dec (0.0
        # unless a booster), _negation_check, and at start_i = 2 _special_idioms_check
        negate = self._negate
        boosters = _vs.BOOSTER_DICT
        if i > 0 and low[i - 1] not in lexicon:
            w = low[i - 1]
            s = _vs.scalar_inc_dec(words[i - 1], valence, is_cap_diff) if w in boosters else 0.0
            valence = valence + s
            w = w.lower()  # negated() lower-cases again
            if w in negate or "n't" in w:
                valence = valence * N_SCALAR
        if i > 1 and low[i - 2] not in lexicon:
            w = low[i - 2]
            s = _vs.scalar_inc_dec(words[i - 2], valence, is_cap_diff) if w in boosters else 0.0
            if s != 0:
                s = s * 0.95
            valence = valence + s
            if w == "never" and (low[i - 1] == "so" or low[i - 1] == "this"):
                valence = valence * 1.25
            elif w == "without" and low[i - 1] == "doubt":
                valence = valence
            else:
                w = w.lower()
                if w in negate or "n't" in w:
                    valence = valence * N_SCALAR
        if i > 2 and low[i - 3] not in lexicon:
            w = low[i - 3]
            s = _vs.scalar_inc_dec(words[i - 3], valence, is_cap_diff) if w in boosters else 0.0
            if s != 0:
                s = s * 0.9
            valence = valence + s
            if w == "never" and (low[i - 2] == "so" or low[i - 2] == "this") or \
                    (low[i - 1] == "so" or low[i - 1] == "this"):
                valence = valence * 1.25
            elif w == "without" and (low[i - 2] == "doubt" or low[i - 1] == "doubt"):
                valence = valence
            else:
                w = w.lower()
                if w in negate or "n't" in w:
                    valence = valence * N_SCALAR
            # an n-gram of the idiom check can only match if it starts with the first word of a
            # multi-word key (tokens hold no space); otherwise the check returns valence
            first = self._ngram_first
            if low[i - 3] in first or low[i - 2] in first or low[i - 1] in first or low[i] in first:
                valence = _special_idioms_check(valence, low, i)
        # _least_check
        if i > 1 and low[i - 1] not in lexicon and low[i - 1] == "least":
            if low[i - 2] != "at" and low[i - 2] != "very":
                valence = valence * N_SCALAR
        elif i > 0 and low[i - 1] not in lexicon and low[i - 1] == "least":
            valence = valence * N_SCALAR
        return valence


def _special_idioms_check(valence, low, i):
    # SentimentIntensityAnalyzer._special_idioms_check (3.3.2) on the lower-cased words
    special = _vs.SPECIAL_CASES
    onezero = "{0} {1}".format(low[i - 1], low[i])
    twoonezero = "{0} {1} {2}".format(low[i - 2], low[i - 1], low[i])
    twoone = "{0} {1}".format(low[i - 2], low[i - 1])
    threetwoone = "{0} {1} {2}".format(low[i - 3], low[i - 2], low[i - 1])
    threetwo = "{0} {1}".format(low[i - 3], low[i - 2])
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in special:
            valence = special[seq]
            break
    if len(low) - 1 > i:
        zeroone = "{0} {1}".format(low[i], low[i + 1])
        if zeroone in special:
            valence = special[zeroone]
    if len(low) - 1 > i + 1:
        zeroonetwo = "{0} {1} {2}".format(low[i], low[i + 1], low[i + 2])
        if zeroonetwo in special:
            valence = special[zeroonetwo]
    boosters = _vs.BOOSTER_DICT
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in boosters:
            valence = valence + boosters[n_gram]
    return valence


# score_valence when every score is 0 (sum_s = 0.0, compound = normalize(0.0) = 0.0,
# pos_sum = neg_sum = 0.0, neu_count = total = number of words), and of no words at all
_ALL_NEUTRAL = {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
_EMPTY = {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}


def _score_valence(sentiments, nonzero, text):
    # SentimentIntensityAnalyzer.score_valence (3.3.2) with _punctuation_emphasis inlined and
    # _sift_sentiment_scores summing the non-zero scores ``nonzero`` (in order) only: zeros add
    # nothing there, they are the neutral count
    if sentiments and not nonzero:
        return dict(_ALL_NEUTRAL)
    if sentiments:
        sum_s = float(sum(sentiments))
        ep_count = text.count("!")
        if ep_count > 4:
            ep_count = 4
        ep_amplifier = ep_count * 0.292
        qm_count = text.count("?")
        qm_amplifier = 0
        if qm_count > 1:
            if qm_count <= 3:
                qm_amplifier = qm_count * 0.18
            else:
                qm_amplifier = 0.96
        punct_emph_amplifier = ep_amplifier + qm_amplifier
        if sum_s > 0:
            sum_s += punct_emph_amplifier
        elif sum_s < 0:
            sum_s -= punct_emph_amplifier

        compound = _vs.normalize(sum_s)
        pos_sum = 0.0
        neg_sum = 0.0
        neu_count = len(sentiments) - len(nonzero)
        for sentiment_score in nonzero:
            if sentiment_score > 0:
                pos_sum += (float(sentiment_score) + 1)
            if sentiment_score < 0:
                neg_sum += (float(sentiment_score) - 1)

        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct_emph_amplifier
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct_emph_amplifier

        total = pos_sum + math.fabs(neg_sum) + neu_count
        pos = math.fabs(pos_sum / total)
        neg = math.fabs(neg_sum / total)
        neu = math.fabs(neu_count / total)
    else:
        compound = 0.0
        pos = 0.0
        neg = 0.0
        neu = 0.0
    return {"neg": round(neg, 3), "neu": round(neu, 3), "pos": round(pos, 3),
            "compound": round(compound, 4)}


def make_analyzer():
    """The fast scorer if the installed vaderSentiment is the verified release, else stock."""
    if is_verified_install():
        return FastSentimentIntensityAnalyzer()
    return _vs.SentimentIntensityAnalyzer()


__all__ = ["FastSentimentIntensityAnalyzer", "make_analyzer", "is_verified_install",
           "installed_version", "VERIFIED_VERSION"]
