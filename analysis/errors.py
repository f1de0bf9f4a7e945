"""Error types and message builders shared by the kit.

Every message names the place (file, line or field), what was expected, what was found and the
likely fix, e.g. ``corpus/manifest.csv, line 4: file 'x.txt' not found; check the name``.
"""
from __future__ import annotations

import os


class KitError(Exception):
    """Base class for errors the kit raises on bad input."""


class CorpusError(KitError, ValueError):
    """A corpus (manifest or article file) cannot be loaded as given."""


class LexiconError(KitError, ValueError):
    """A lexicon file is malformed."""


def where(path: os.PathLike | str, line: int | None = None, field: str | None = None) -> str:
    """Format a location: ``path``, ``path, line N`` or ``path, line N, field 'x'``."""
    out = str(path)
    if line is not None:
        out += f", line {line}"
    if field is not None:
        out += f", field '{field}'"
    return out


def problem(path, message: str, *, line: int | None = None, field: str | None = None,
            fix: str | None = None) -> str:
    """Build a message ``<where>: <message>[; <fix>]``."""
    text = f"{where(path, line, field)}: {message}"
    if fix:
        text += f"; {fix}"
    return text


def require_columns(frame, columns, name: str, func: str, fix: str | None = None) -> None:
    """Raise if ``frame`` is not a DataFrame holding ``columns``, naming the function and argument.

    ``keyness: articles has no column 'event' (columns: doc_id, text); pass by=/within= ...``
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{func}: {name} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = (f"{func}: {name} has no column {missing[0]!r} (columns: "
               f"{', '.join(map(str, frame.columns))})")
        raise ValueError(msg + (f"; {fix}" if fix else ""))
