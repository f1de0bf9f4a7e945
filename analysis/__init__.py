"""Comparative media analysis kit: how several outlets framed the same event.

The public API, re-exported from one module per concern (see docs/ARCHITECTURE.md).
"""
__version__ = "0.1.0"

from .compare import (Mean, Ratio, bootstrap_ci, count_per_sentence, outlet_estimates,
                      pairwise_differences, pooled_outlet_effects)
from .corpus import LoadedCorpus, load_corpus, read_corpus
from .coverage import coverage, coverage_matrix, omissions
from .errors import CorpusError, KitError, LexiconError
from .hedging import hedge_rates, match_hedges, sentence_uncertainty
from .keyness import keyness
from .kwic import kwic, kwic_side_by_side
from .lexicon import bundled_lexicons, load_lexicon
from .pipeline import Settings, Tables, read_tables, run, run_to_dir, write_tables
from .quotes import find_quotes, quote_share, quote_spans
from .readability import readability
from .segment import paragraph_spans, sentence_spans, sentences
from .sentiment import actor_mentions, actor_sentiment, article_sentiment, sentence_sentiment
from .shared import shared_passages, shared_summary
from .sources import first_speakers, source_mix
from .speakers import attribute_speakers, attributions
from .terms import find_terms, load_terms, match_terms, variant_shares
from .voice import assign_voice, reported_speech
