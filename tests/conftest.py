"""Shared fixtures. The whole test run has outbound network blocked (loopback allowed)."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUARD = ROOT / "tests" / "netguard"
os.environ["KIT_BLOCK_NETWORK"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(GUARD), str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
os.environ["NLTK_DATA"] = str(ROOT / "tests" / "data" / "no_nltk_data")
sys.path.insert(0, str(GUARD))
import sitecustomize  # noqa: E402,F401  (installs the guard in this process too)

EXAMPLE = ROOT / "corpus" / "ukraine-troops-2014-05-19"
MULTI_EVENT = ROOT / "tests" / "data" / "multi_event"


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_corpus():
    from analysis import read_corpus

    return read_corpus(EXAMPLE)


@pytest.fixture(scope="session")
def articles(example_corpus):
    return example_corpus.articles


@pytest.fixture(scope="session")
def multi_event_path() -> Path:
    return MULTI_EVENT
