"""Comparative media analysis kit: how several outlets framed the same event."""
from .corpus import LoadedCorpus, load_corpus, read_corpus
from .errors import CorpusError, KitError, LexiconError

__version__ = "0.1.0"
