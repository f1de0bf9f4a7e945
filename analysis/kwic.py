"""Keyword in context: every occurrence of a word or phrase with its surrounding text.

:func:`kwic` returns one row per match with exact character offsets into ``articles.text``
(``text[start:end] == match``), so a line can always be traced back to its article;
:func:`kwic_side_by_side` pivots the lines so each outlet is a column, for reading how different
outlets use the same term next to each other. Both return plain frames; escaping for HTML is the
report's job.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

__all__ = ["kwic", "kwic_side_by_side", "KWIC_COLUMNS"]

#: Columns of :func:`kwic` with the default ``by="outlet"``.
KWIC_COLUMNS = ["doc_id", "outlet", "event", "start", "end", "left", "match", "right"]

_APOS = "['\u2019]"
_NEWLINE_RUN = re.compile(r"\s*\n\s*")


def _literal(p: str) -> str:
    """Regex for a literal phrase: spaces match any run of spaces/tabs within a paragraph and a
    straight apostrophe matches a curly one (and vice versa), so ``"Kyiv's"`` finds ``Kyiv’s``."""
    parts = re.split(r"(\s+|['\u2019])", p.strip())
    out = []
    for part in parts:
        if not part:
            continue
        if part.isspace():
            out.append(r"[^\S\n]+")
        elif part in ("'", "\u2019"):
            out.append(_APOS)
        else:
            out.append(re.escape(part))
    return "".join(out)


def _compile(pattern, regex: bool, case: bool, words: bool | None) -> re.Pattern:
    pats = [pattern] if isinstance(pattern, (str, re.Pattern)) else list(pattern)
    if not pats:
        raise ValueError("kwic: parameter pattern must be a non-empty string or list of strings; got an empty list")
    if len(pats) == 1 and isinstance(pats[0], re.Pattern):
        if words:
            raise ValueError("kwic: words=True cannot be combined with a compiled pattern; pass the pattern as a string")
        return pats[0]
    bad = [p for p in pats if not isinstance(p, str) or not p.strip()]
    if bad:
        raise ValueError(f"kwic: every pattern must be a non-empty string; got {bad[0]!r}")
    whole = (not regex) if words is None else bool(words)
    # longest alternatives first so "anti-terrorism operation" wins over "anti-terrorism"
    body = [p if regex else _literal(p) for p in sorted(pats, key=len, reverse=True)]
    expr = "|".join(f"(?:{b})" for b in body)
    if whole:
        expr = rf"(?<!\w)(?:{expr})(?!\w)"
    try:
        return re.compile(expr, 0 if case else re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"kwic: pattern {pattern!r} is not a valid regular expression ({exc}); "
                         "pass regex=False to search for it literally") from None


def _left(text: str, start: int, window: int) -> str:
    lo = max(0, start - window)
    s = text[lo:start]
    if lo > 0 and not text[lo - 1].isspace():
        # the window cut a word: drop the partial word (up to the first whitespace)
        m = re.search(r"\s", s)
        s = s[m.end():] if m else ""
    return _NEWLINE_RUN.sub(" ", s).lstrip()


def _right(text: str, end: int, window: int) -> str:
    hi = min(len(text), end + window)
    s = text[end:hi]
    if hi < len(text) and not text[hi].isspace():
        cut = max(s.rfind(" "), s.rfind("\n"), s.rfind("\t"))
        s = s[:cut] if cut >= 0 else ""
    return _NEWLINE_RUN.sub(" ", s).rstrip()


def kwic(articles: pd.DataFrame, pattern, window: int = 60, regex: bool = False, by: str = "outlet",
         case: bool = False, words: bool | None = None) -> pd.DataFrame:
    """Keyword-in-context lines for ``pattern`` in every article.

    Parameters
    ----------
    articles : DataFrame
        One row per article with ``doc_id``, ``text`` and (if present) ``outlet``, ``event`` and
        the ``by`` column.
    pattern : str, list of str or compiled regex
        A word or phrase (``"Kiev"``, ``"punitive operation"``), several alternatives, or regular
        expressions when ``regex=True``. In a literal pattern, spaces match any run of spaces
        within a paragraph and ``'`` matches ``’``.
    window : int, default 60
        Maximum characters of context on each side; the context is trimmed to whole words.
    regex : bool, default False
        Treat ``pattern`` as regular expression(s).
    by : str, default "outlet"
        Grouping column used for sorting (and for :func:`kwic_side_by_side`).
    case : bool, default False
        Case-sensitive matching.
    words : bool, optional
        Match whole words only (no letter or digit directly before or after the match). Default:
        True for literal patterns, False for regular expressions. A hyphen counts as a boundary,
        so ``"terrorism"`` also finds the word in ``"anti-terrorism"``.

    Returns
    -------
    DataFrame
        One row per match, sorted by ``by``, ``doc_id``, ``start``. Columns ``doc_id, outlet,
        event, start, end, left, match, right`` (``by`` added after ``outlet`` if it is another
        column). ``text[start:end] == match``; ``left`` / ``right`` are at most ``window``
        characters of whole words, line breaks shown as single spaces.
    """
    if not isinstance(articles, pd.DataFrame):
        raise TypeError(f"kwic: articles must be a pandas DataFrame; got {type(articles).__name__}")
    for col in ("doc_id", "text"):
        if col not in articles.columns:
            raise ValueError(f"kwic: articles has no column {col!r}; pass the articles frame from load_corpus")
    if by not in articles.columns:
        raise ValueError(f"kwic: articles has no column {by!r} (parameter by); columns: {', '.join(map(str, articles.columns))}")
    if int(window) < 0:
        raise ValueError(f"kwic: parameter window must be >= 0; got {window!r}")
    rx = _compile(pattern, regex, case, words)
    meta = [c for c in ("outlet", by, "event") if c in articles.columns]
    meta = list(dict.fromkeys(meta))
    columns = ["doc_id"] + meta + ["start", "end", "left", "match", "right"]
    rows = []
    for rec in articles[["doc_id", "text"] + meta].itertuples(index=False, name=None):
        doc_id, text, rest = rec[0], rec[1], rec[2:]
        if not isinstance(text, str):
            continue
        for m in rx.finditer(text):
            if m.end() == m.start():
                continue  # empty regex matches are not keywords
            rows.append((str(doc_id), *rest, m.start(), m.end(), _left(text, m.start(), window),
                         m.group(), _right(text, m.end(), window)))
    out = pd.DataFrame(rows, columns=columns)
    out["start"] = out["start"].astype("int64")
    out["end"] = out["end"].astype("int64")
    return out.sort_values([by, "doc_id", "start"], kind="stable").reset_index(drop=True)


def kwic_side_by_side(kwic_frame: pd.DataFrame, by: str = "outlet", mark: Sequence[str] = ("[", "]"),
                      max_lines: int | None = None) -> pd.DataFrame:
    """Pivot KWIC lines so each outlet is a column, for reading them next to each other.

    Parameters
    ----------
    kwic_frame : DataFrame
        Output of :func:`kwic`.
    by : str, default "outlet"
        Column whose values become the columns.
    mark : (str, str), default ("[", "]")
        Put around the match inside each cell.
    max_lines : int, optional
        Keep at most this many lines per outlet (and event).

    Returns
    -------
    DataFrame
        One row per line index (``line``, 1-based, in the order of :func:`kwic`; indexed by
        ``event, line`` when the lines come from several events), one column per outlet in sorted
        order, cells ``left[match]right`` (the context keeps its own spaces) and ``""`` where an outlet has fewer lines.
    """
    if by not in kwic_frame.columns:
        raise ValueError(f"kwic_side_by_side: kwic_frame has no column {by!r}; pass the output of kwic()")
    df = kwic_frame.sort_values([by, "doc_id", "start"], kind="stable")
    multi = "event" in df.columns and df["event"].nunique() > 1
    keys = (["event"] if multi else []) + [by]
    df = df.assign(line=df.groupby(keys, sort=False).cumcount() + 1)
    if max_lines is not None:
        df = df[df["line"] <= int(max_lines)]
    open_, close = mark
    # left/right keep the whitespace next to the match, so no spaces are added here
    cell = (df["left"] + open_ + df["match"] + close + df["right"]).str.strip()
    df = df.assign(cell=cell)
    index = (["event"] if multi else []) + ["line"]
    if df.empty:
        return pd.DataFrame(index=pd.Index([], name="line"))
    wide = df.pivot(index=index, columns=by, values="cell").fillna("")
    wide = wide.reindex(columns=sorted(wide.columns))
    wide.columns.name = by
    return wide
