"""Contested terminology: which variant of a contested concept each outlet uses, and in whose voice.

A *terms lexicon* (YAML, see ``docs/LEXICON_GUIDE.md``) lists **concepts** (Kyiv's military
operation, the capital's spelling, ...) and for each concept the competing **variants** ("anti-
terrorism operation", "punitive operation", ...), each tied to a **framing** (the party or convention
the wording is associated with) and a cited source or rationale. Matching finds every variant in
the text; :func:`find_terms` adds the sentence and the voice (``own``, ``quoted``, ``scare``,
``attributed``, see :mod:`analysis.voice`); :func:`variant_shares` turns the matches into each
outlet's share of each variant, overall and in its own voice.

Pattern syntax (written by researchers, compiled here)
------------------------------------------------------
* Matching is case-insensitive. A word written entirely in capitals (two or more letters, e.g.
  ``ATO``) matches only in capitals.
* A space matches any run of whitespace, including a line break (``"military operation"`` also
  finds ``"military\\noperation"``).
* A hyphen matches a hyphen or dash (with optional spaces), a space, or nothing:
  ``anti-terrorism`` finds *anti-terrorism*, *anti terrorism* and *antiterrorism*.
* An apostrophe matches ``'`` and ``’``.
* ``{a|b|c}`` matches exactly one alternative; an empty alternative makes it optional:
  ``operation{s}`` (one alternative = optional) is ``operation`` or ``operations``;
  ``anti-terror{|ism|ist}`` is *anti-terror*, *anti-terrorism* or *anti-terrorist*.
  Alternatives may contain spaces and hyphens. There is no automatic inflection: every form a
  researcher wants is written, so a reviewer can read exactly what is matched.
* ``[a|b]`` is an optional word (or words): ``[central] government in Kiev``.
* ``*`` is any one word: ``annexed * Crimea``.
* A pattern matches whole words only: ``Kiev`` does not match inside ``Kievan``, but it does
  match in ``anti-Kiev`` and ``Kiev's`` (a hyphen or apostrophe ends a word).

Matching rules
--------------
* Within one concept, matches never overlap: at each position the longest variant match wins
  ("pro-Russian separatists" beats "separatists"), and the leftmost match is kept when two
  overlap (leftmost-longest, as in POSIX regular expressions). Matches of *different* concepts
  may overlap ("Kiev authorities" is both a ``kyiv_government`` and a ``capital_spelling`` match).
* An exclusion (lexicon-level: all concepts; concept-level: that concept) suppresses any match
  it overlaps ("Chicken Kiev" is not the capital).
* A ``context`` list on a concept (or a variant) keeps a match only when a context pattern occurs
  within ``context_window`` words (default 8) on either side, in the same sentence (a sentence
  break is ``.``, ``!`` or ``?`` followed by space and a capital, or a paragraph break).

Performance: the lexicon is compiled once (cached by file hash) into one candidate regex (word
starts whose first letter some pattern can begin with; one C-level pass over the text) and one
alternation per first letter; individual patterns are tried only where that alternation matches,
to pick the longest per concept.

References
----------
Entman, R. (1993) "Framing: toward clarification of a fractured paradigm", Journal of
Communication 43(4). Ojala, M. & Pantti, M. (2017) "Naturalising the new cold war", Global Media
and Communication 13(1). The lexicon's own sources are listed in its YAML header and per variant.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import LexiconError
from .lexicon import load_lexicon

TERM_COLUMNS = ["doc_id", "sent_id", "start", "end", "surface", "concept", "variant", "framing",
                "voice"]
SHARE_COLUMNS = ["event", "outlet", "concept", "variant", "framing", "n", "share", "n_own",
                 "share_own", "n_unquoted", "share_unquoted"]
DEFAULT_LEXICON = "terms_ukraine_2014"
DEFAULT_CONTEXT_WINDOW = 8

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_HYPHEN = r"(?:\s*[-\u2010\u2011\u2012\u2013\u2014]\s*|\s+)?"
_APOS = "['\u2019\u02bc]"
_SPACE = r"\s+"
_WORD = r"[^\W_][\w'\u2019\-]*"
_LEFT = r"(?<![\w])"
_RIGHT = r"(?![\w])"
# A sentence break inside the context window: end punctuation (+ closing marks), space, then a
# capital or an opening mark; or a paragraph break.
_SENT_BREAK = re.compile(r"[.!?][\"'\u2019\u201d)\]]*\s+(?=[\"'\u2018\u201c(\[]?[A-Z0-9])|\n\s*\n")

_LEXICON_KEYS = {"name", "version", "source", "licence", "description", "framings", "concepts",
                 "exclusions", "notes", "references", "changelog"}
_CONCEPT_KEYS = {"id", "description", "variants", "exclusions", "context", "context_window",
                 "notes"}
_VARIANT_KEYS = {"id", "patterns", "framing", "source", "rationale", "context", "context_window",
                 "notes", "description"}


class PatternError(ValueError):
    """A pattern string does not follow the pattern syntax (message says where and why)."""


# --------------------------------------------------------------------------------------------
# Pattern compiler
# --------------------------------------------------------------------------------------------
def _split_top(s: str, sep: str) -> list[str]:
    """Split ``s`` on ``sep`` outside ``{}`` and ``[]``."""
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        if depth == 0 and (ch == sep if sep != " " else ch.isspace()):
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _check_balanced(p: str) -> None:
    stack = []
    for i, ch in enumerate(p):
        if ch in "{[":
            if stack:
                raise PatternError(f"nested bracket at character {i + 1}; braces and square "
                                   "brackets cannot be nested")
            stack.append(ch)
        elif ch in "}]":
            if not stack or {"{": "}", "[": "]"}[stack[-1]] != ch:
                raise PatternError(f"unbalanced '{ch}' at character {i + 1}")
            stack.pop()
    if stack:
        raise PatternError(f"'{stack[-1]}' is never closed")


def _compile_chars(s: str) -> str:
    """Compile literal text (letters, hyphens, apostrophes, spaces, braces) to regex source."""
    out: list[str] = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "{":
            j = s.index("}", i)
            alts = s[i + 1:j].split("|")
            if len(alts) == 1:
                alts = ["", alts[0]]
            body = "|".join(_compile_chars(a) for a in alts if a != "")
            out.append(f"(?:{body})" + ("?" if "" in alts else ""))
            i = j + 1
            continue
        if ch.isspace():
            while i + 1 < len(s) and s[i + 1].isspace():
                i += 1
            out.append(_SPACE)
        elif ch in "-\u2010\u2011":
            out.append(_HYPHEN)
        elif ch in "'\u2019":
            out.append(_APOS)
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _compile_word(w: str) -> str:
    if w == "*":
        return _WORD
    letters = re.sub(r"\{[^}]*\}", "", w)
    letters = "".join(c for c in letters if c.isalpha())
    src = _compile_chars(w)
    if len(letters) >= 2 and letters.isupper():
        return f"(?-i:{src})"
    return src


def pattern_regex(pattern: str) -> str:
    """Regex source (no flags, case-insensitive intended) for one pattern; see the module docstring.

    Raises
    ------
    PatternError
        on empty patterns, unbalanced or nested brackets, or a pattern that is all optional.
    """
    p = " ".join(str(pattern).split())
    if not p:
        raise PatternError("empty pattern")
    _check_balanced(p)
    for bad in ("(", ")", "\\", "?", "+", "^", "$"):
        if bad in p:
            raise PatternError(f"character '{bad}' is not part of the pattern syntax (patterns are "
                               "not regular expressions); write alternatives as {a|b}")
    tokens = [t for t in _split_top(p, " ") if t]
    parts: list[tuple[bool, str]] = []  # (optional, regex)
    for t in tokens:
        if t.startswith("[") and t.endswith("]"):
            alts = [a.strip() for a in t[1:-1].split("|")]
            if not any(alts):
                raise PatternError(f"empty optional group '{t}'")
            srcs = [" ".join(_compile_word(w) for w in a.split()).replace(" ", _SPACE)
                    for a in alts if a]
            parts.append((True, "(?:" + "|".join(srcs) + ")"))
        elif "[" in t or "]" in t:
            raise PatternError(f"square brackets must enclose whole words: '{t}'")
        else:
            parts.append((False, _compile_word(t)))
    if all(opt for opt, _ in parts):
        raise PatternError("pattern has no required word")
    out = ""
    first_required = next(i for i, (opt, _) in enumerate(parts) if not opt)
    for i, (opt, src) in enumerate(parts):
        if i < first_required:
            out += f"(?:{src}{_SPACE})?"
        elif i == first_required:
            out += src
        elif opt:
            out += f"(?:{_SPACE}{src})?"
        else:
            out += _SPACE + src
    return f"{_LEFT}{out}{_RIGHT}"


def _expand(w: str, limit: int = 512) -> list[str]:
    """All spellings of a word with braces expanded (``operation{s}`` -> operation, operations)."""
    i = w.find("{")
    if i < 0:
        return [w]
    j = w.index("}", i)
    alts = w[i + 1:j].split("|")
    if len(alts) == 1:
        alts = ["", alts[0]]
    out: list[str] = []
    for alt in alts:
        out.extend(_expand(w[:i] + alt + w[j + 1:], limit))
        if len(out) > limit:
            break
    return out


def _word_prefixes(w: str, k: int) -> set[str] | None:
    out: set[str] = set()
    for spelling in _expand(w):
        m = re.match(r"[^\W_]+", spelling)
        if m is None or w.startswith("*"):
            return None
        out.add(m.group()[:k].lower())
    return out


def prefixes(pattern: str, k: int = 3) -> set[str] | None:
    """Lower-case beginnings (up to ``k`` letters, fewer where the first letter run is shorter) a
    match of ``pattern`` can start with; None when it can start with any word (``*``)."""
    out: set[str] = set()
    for t in (t for t in _split_top(" ".join(str(pattern).split()), " ") if t):
        optional = t.startswith("[")
        alts = [a.split()[0] for a in t[1:-1].split("|") if a.strip()] if optional else [t]
        for a in alts:
            f = _word_prefixes(a, k)
            if f is None:
                return None
            out |= f
        if not optional:
            return out
    return out or None


def _prefix_regex(prefs: set[str]) -> str:
    """A trie regex over lower-case prefixes with explicit ``[xX]`` classes (fast to reject)."""
    trie: dict = {}
    for p in prefs:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        if "" in node:
            return ""           # a shorter prefix already suffices
        alts = []
        for ch in sorted(node):
            cls = re.escape(ch) if ch.lower() == ch.upper() else f"[{re.escape(ch)}{re.escape(ch.upper())}]"
            alts.append(cls + emit(node[ch]))
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)


def compile_pattern(pattern: str) -> re.Pattern:
    """Compiled regex for one pattern (case-insensitive, whole words)."""
    return re.compile(pattern_regex(pattern), re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Variant:
    """One wording of a concept."""

    concept: str
    id: str
    framing: str
    patterns: tuple[str, ...]
    source: str
    rationale: str
    regexes: tuple[re.Pattern, ...] = field(repr=False)
    context: re.Pattern | None = field(default=None, repr=False)
    context_window: int = DEFAULT_CONTEXT_WINDOW


@dataclass(frozen=True)
class Concept:
    """A contested concept and its variants (in file order)."""

    id: str
    description: str
    variants: tuple[Variant, ...]
    exclusions: tuple[str, ...]
    exclusion_regex: re.Pattern | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TermLexicon:
    """A validated, compiled terms lexicon (returned by :func:`load_terms`)."""

    name: str
    version: str
    source: str
    licence: str
    description: str
    path: str
    sha256: str
    framings: dict[str, str]
    concepts: tuple[Concept, ...]
    exclusions: tuple[str, ...]
    exclusion_regex: re.Pattern | None = field(default=None, repr=False)
    scan_regex: re.Pattern | None = field(default=None, repr=False)
    dispatch: dict | None = field(default=None, repr=False)

    @property
    def variants(self) -> list[Variant]:
        return [v for c in self.concepts for v in c.variants]

    def table(self) -> pd.DataFrame:
        """One row per (concept, variant, pattern): the lexicon as a reviewable long table."""
        rows = [{"concept": v.concept, "variant": v.id, "framing": v.framing, "pattern": p,
                 "source": v.source, "rationale": v.rationale}
                for v in self.variants for p in v.patterns]
        return pd.DataFrame(rows, columns=["concept", "variant", "framing", "pattern", "source",
                                           "rationale"])


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _alternation(patterns: list[str]) -> re.Pattern | None:
    """One regex for several patterns, guarded by a trie of their first letters (fast rejects)."""
    if not patterns:
        return None
    body = "|".join(f"(?:{pattern_regex(p)})" for p in patterns)
    prefs: set[str] = set()
    for p in patterns:
        f = prefixes(p)
        if f is None:
            return re.compile(body, re.IGNORECASE)
        prefs |= f
    return re.compile(f"(?<![\\w])(?={_prefix_regex(prefs)})(?:{body})", re.IGNORECASE)


def _validate(data: dict) -> TermLexicon:
    path = data["_path"]

    def fail(where: str, msg: str):
        raise LexiconError(f"{path}{', ' + where if where else ''}: {msg}")

    unknown = sorted(k for k in data if not k.startswith("_") and k not in _LEXICON_KEYS)
    if unknown:
        fail("", f"unknown top-level key(s) {', '.join(map(repr, unknown))} (known: "
                 f"{', '.join(sorted(_LEXICON_KEYS))}); typo?")
    framings = data.get("framings")
    if not isinstance(framings, dict) or not framings:
        fail("", "'framings' must be a mapping of framing id -> one-line definition; "
                 f"found {type(framings).__name__}")
    for fid, definition in framings.items():
        if not isinstance(fid, str) or not _ID_RE.match(fid):
            fail(f"framing {fid!r}", "framing ids are lower_snake_case (letters, digits, _)")
        if not _text(definition):
            fail(f"framing '{fid}'", "needs a one-line definition")

    def patterns_of(where: str, value, key: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str) or not isinstance(value, list):
            fail(where, f"'{key}' must be a YAML list of strings; found {type(value).__name__}")
        out = []
        for p in value:
            if not isinstance(p, str) or not p.strip():
                fail(where, f"'{key}' entries must be non-empty strings; found {p!r}")
            try:
                pattern_regex(p)
            except PatternError as exc:
                fail(where, f"{key[:-1] if key.endswith('s') else key} {p!r}: {exc}")
            out.append(" ".join(p.split()))
        return out

    def window_of(where: str, value, default: int) -> int:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            fail(where, f"'context_window' must be a positive whole number of words; found {value!r}")
        return value

    top_excl = patterns_of("exclusions", data.get("exclusions"), "exclusions")
    concepts_raw = data.get("concepts")
    if not isinstance(concepts_raw, list) or not concepts_raw:
        fail("", "'concepts' must be a non-empty YAML list (each item '- id: ...')")
    concepts: list[Concept] = []
    seen_concepts: set[str] = set()
    for ci, c in enumerate(concepts_raw, 1):
        if not isinstance(c, dict):
            fail(f"concept #{ci}", f"must be a mapping with id, description, variants; found "
                                   f"{type(c).__name__}")
        cid = c.get("id")
        cwhere = f"concept '{cid}'" if cid else f"concept #{ci}"
        if not isinstance(cid, str) or not _ID_RE.match(cid):
            fail(cwhere, f"'id' must be lower_snake_case; found {cid!r}")
        if cid in seen_concepts:
            fail(cwhere, "duplicate concept id")
        seen_concepts.add(cid)
        unknown = sorted(k for k in c if k not in _CONCEPT_KEYS)
        if unknown:
            fail(cwhere, f"unknown key(s) {', '.join(map(repr, unknown))} (known: "
                         f"{', '.join(sorted(_CONCEPT_KEYS))}); typo?")
        if not _text(c.get("description")):
            fail(cwhere, "'description' missing or empty; say what the concept refers to")
        c_excl = patterns_of(cwhere, c.get("exclusions"), "exclusions")
        c_ctx = patterns_of(cwhere, c.get("context"), "context")
        c_win = window_of(cwhere, c.get("context_window"), DEFAULT_CONTEXT_WINDOW)
        vraw = c.get("variants")
        if not isinstance(vraw, list) or not vraw:
            fail(cwhere, "'variants' must be a non-empty YAML list (each item '- id: ...')")
        variants: list[Variant] = []
        seen_v: set[str] = set()
        seen_p: dict[str, str] = {}
        for vi, v in enumerate(vraw, 1):
            if not isinstance(v, dict):
                fail(f"{cwhere}, variant #{vi}", f"must be a mapping; found {type(v).__name__}")
            vid = v.get("id")
            vwhere = f"{cwhere}, variant '{vid}'" if vid else f"{cwhere}, variant #{vi}"
            if not isinstance(vid, str) or not _ID_RE.match(vid):
                fail(vwhere, f"'id' must be lower_snake_case; found {vid!r}")
            if vid in seen_v:
                fail(vwhere, "duplicate variant id in this concept")
            seen_v.add(vid)
            unknown = sorted(k for k in v if k not in _VARIANT_KEYS)
            if unknown:
                fail(vwhere, f"unknown key(s) {', '.join(map(repr, unknown))} (known: "
                             f"{', '.join(sorted(_VARIANT_KEYS))}); typo?")
            framing = v.get("framing")
            if framing not in framings:
                fail(vwhere, f"'framing' {framing!r} not declared in framings (declared: "
                             f"{', '.join(framings)})")
            if "patterns" not in v:
                fail(vwhere, "'patterns' missing; list the surface forms")
            pats = patterns_of(vwhere, v.get("patterns"), "patterns")
            if not pats:
                fail(vwhere, "'patterns' is empty; list at least one surface form")
            for p in pats:
                key = p.lower()
                if key in seen_p:
                    fail(vwhere, f"pattern {p!r} also listed under variant '{seen_p[key]}'; a "
                                 "surface form belongs to one variant")
                seen_p[key] = vid
            source, rationale = _text(v.get("source")), _text(v.get("rationale"))
            if not source and not rationale:
                fail(vwhere, "needs a 'source' (who uses the term, where attested) or a "
                             "'rationale' (your judgement, marked as such)")
            ctx = patterns_of(vwhere, v["context"], "context") if "context" in v else c_ctx
            win = window_of(vwhere, v.get("context_window"), c_win)
            variants.append(Variant(concept=cid, id=vid, framing=framing, patterns=tuple(pats),
                                    source=source, rationale=rationale,
                                    regexes=tuple(compile_pattern(p) for p in pats),
                                    context=_alternation(ctx), context_window=win))
        concepts.append(Concept(id=cid, description=_text(c["description"]),
                                variants=tuple(variants), exclusions=tuple(c_excl),
                                exclusion_regex=_alternation(c_excl)))
    dispatch, candidates = _build_dispatch(concepts)
    return TermLexicon(name=str(data["name"]), version=str(data["version"]),
                       source=_text(data["source"]), licence=_text(data["licence"]),
                       description=_text(data["description"]), path=path,
                       sha256=data["_sha256"], framings={k: _text(d) for k, d in framings.items()},
                       concepts=tuple(concepts), exclusions=tuple(top_excl),
                       exclusion_regex=_alternation(top_excl), scan_regex=candidates,
                       dispatch=dispatch)


def _build_dispatch(concepts) -> tuple[dict, re.Pattern]:
    """Index the patterns by the character a match can start with.

    Returns ``({char: (alternation, {concept_index: (alternation, [(variant, regex), ...])})},
    candidate regex)``; key ``""`` holds patterns that can start with any word. The candidate regex is a
    trie of the patterns' first (up to three) letters with explicit case classes, so one C-level
    pass rejects almost every position at its first character; at each candidate only the
    alternation of the patterns sharing its first letter is tried, and only where that matches
    are the individual patterns tried. Matching stays linear in the text with a small constant.
    """
    by_char: dict[str, dict[int, list]] = {}
    all_prefixes: set[str] = set()
    any_start = False
    for ci, c in enumerate(concepts):
        for v in c.variants:
            for p, rx in zip(v.patterns, v.regexes):
                prefs = prefixes(p)
                if prefs is None:
                    any_start = True
                    chars = {""}
                else:
                    all_prefixes |= prefs
                    chars = {q[0] for q in prefs}
                for ch in chars:
                    by_char.setdefault(ch, {}).setdefault(ci, []).append((v, rx, p))
    dispatch = {}
    for ch, per_concept in by_char.items():
        pats = [p for items in per_concept.values() for _, _, p in items]
        entry = {ci: (_alternation([p for _, _, p in items]), [(v, rx) for v, rx, _ in items])
                 for ci, items in per_concept.items()}
        dispatch[ch] = (_alternation(pats), entry)
    if any_start:
        cand = re.compile(r"(?<![\w])(?=[^\W_])")
    else:
        cand = re.compile(rf"(?<![\w])(?={_prefix_regex(all_prefixes)})")
    return dispatch, cand


_CACHE: dict[tuple[str, str], TermLexicon] = {}


def load_terms(name_or_path: str | Path | TermLexicon = DEFAULT_LEXICON) -> TermLexicon:
    """Load and validate a terms lexicon (bundled name such as ``"terms_ukraine_2014"`` or a path).

    Returns
    -------
    TermLexicon
        header fields, ``framings``, ``concepts`` (each with compiled variants) and the compiled
        scan regex; ``.table()`` lists every pattern with its concept, variant, framing and source.

    Raises
    ------
    LexiconError
        naming the file and the entry, e.g. ``terms_x.yaml, concept 'capital_spelling', variant
        'kyiv': 'framing' 'foo' not declared in framings (declared: ...)``.
    """
    if isinstance(name_or_path, TermLexicon):
        return name_or_path
    data = load_lexicon(name_or_path)
    key = (data["_path"], data["_sha256"])
    if key not in _CACHE:
        _CACHE[key] = _validate(data)
    return _CACHE[key]


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------
def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - 400)
    s_lo = lo
    for m in _SENT_BREAK.finditer(text, lo, start):
        s_lo = m.end()
    m = _SENT_BREAK.search(text, end, end + 400)
    s_hi = m.start() + 1 if m else min(len(text), end + 400)
    return s_lo, s_hi


def _context_ok(text: str, start: int, end: int, v: Variant) -> bool:
    s_lo, s_hi = _sentence_bounds(text, start, end)
    before = list(re.finditer(_WORD, text[s_lo:start]))
    after = list(re.finditer(_WORD, text[end:s_hi]))
    w_lo = s_lo + before[-v.context_window].start() if len(before) >= v.context_window else s_lo
    w_hi = end + after[v.context_window - 1].end() if len(after) >= v.context_window else s_hi
    return v.context.search(text[w_lo:w_hi]) is not None


#: How far (characters) before a match an overlapping exclusion may start; exclusions are
#: short phrases ("Chicken Kiev"), so they are searched only near each match.
EXCLUSION_REACH = 200


def _excluded(text: str, regexes: tuple, s: int, e: int) -> bool:
    """Does an exclusion match overlap ``text[s:e]``?"""
    for rx in regexes:
        if rx is None:
            continue
        for m in rx.finditer(text, max(0, s - EXCLUSION_REACH), min(len(text), e + EXCLUSION_REACH)):
            if m.start() < e and s < m.end():
                return True
            if m.start() >= e:
                break
    return False


def match_terms(text: str, lexicon: TermLexicon | str | Path = DEFAULT_LEXICON) -> list[dict]:
    """Find the lexicon's variants in one text.

    Returns
    -------
    list of dict
        One per match, sorted by ``start`` (then concept order): ``start, end, surface, concept,
        variant, framing`` with ``text[start:end] == surface``. Within a concept matches do not
        overlap (leftmost-longest); across concepts they may.
    """
    lex = load_terms(lexicon)
    if not text:
        return []
    dispatch = lex.dispatch
    none = (None, None)
    any_entry = dispatch.get("", none)
    # {concept_index: [(pos, [(variant, regex), ...]), ...]} in text order
    per_concept: dict[int, list] = {}
    for m in lex.scan_regex.finditer(text):
        pos = m.start()
        for alt, entry in (dispatch.get(text[pos].lower(), none), any_entry):
            if alt is None or alt.match(text, pos) is None:
                continue
            for ci, (c_alt, items) in entry.items():
                if c_alt.match(text, pos) is not None:
                    per_concept.setdefault(ci, []).append((pos, items))
    if not per_concept:
        return []
    out: list[dict] = []
    for ci in sorted(per_concept):
        concept = lex.concepts[ci]
        excl = tuple(rx for rx in (lex.exclusion_regex, concept.exclusion_regex) if rx is not None)
        last_end = -1
        for pos, items in per_concept[ci]:
            if pos < last_end:
                continue
            best = None  # (end, variant order, variant); longest wins, then lexicon order
            for v, rx in items:
                m = rx.match(text, pos)
                if m is None or m.end() <= pos:
                    continue
                order = next(i for i, x in enumerate(concept.variants) if x is v)
                if best is not None and (m.end(), -order) <= (best[0], -best[1]):
                    continue
                if excl and _excluded(text, excl, pos, m.end()):
                    continue
                if v.context is not None and not _context_ok(text, pos, m.end(), v):
                    continue
                best = (m.end(), order, v)
            if best is None:
                continue
            end, _, v = best
            out.append({"start": pos, "end": end, "surface": text[pos:end], "concept": concept.id,
                        "variant": v.id, "framing": v.framing, "_order": ci})
            last_end = end
    out.sort(key=lambda d: (d["start"], d.pop("_order")))
    return out


def _sent_ids(spans: pd.DataFrame, sentences: pd.DataFrame) -> pd.Series:
    """sent_id of the sentence containing each span's start (NA when none does)."""
    left = pd.DataFrame({"doc_id": spans["doc_id"].astype(str).to_numpy(),
                         "start": spans["start"].to_numpy(dtype="int64"),
                         "_i": np.arange(len(spans))}).sort_values("start", kind="stable")
    right = pd.DataFrame({"doc_id": sentences["doc_id"].astype(str).to_numpy(),
                          "start": sentences["start"].to_numpy(dtype="int64"),
                          "_send": sentences["end"].to_numpy(dtype="int64"),
                          "sent_id": sentences["sent_id"].to_numpy(dtype="int64")}
                         ).sort_values("start", kind="stable")
    m = pd.merge_asof(left, right, on="start", by="doc_id", direction="backward")
    ok = m["sent_id"].notna() & (m["start"] < m["_send"])
    ids = m["sent_id"].where(ok).astype("Int64")
    out = pd.Series(pd.NA, index=range(len(spans)), dtype="Int64")
    out.iloc[m["_i"].to_numpy()] = ids.to_numpy()
    out.index = spans.index
    return out


def find_terms(articles: pd.DataFrame, sentences: pd.DataFrame | None = None,
               quotes: pd.DataFrame | None = None, lexicon: TermLexicon | str | Path = DEFAULT_LEXICON,
               *, reported: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every lexicon match in every article, with its sentence and voice.

    Parameters
    ----------
    articles : DataFrame
        ``doc_id, text`` (from :func:`analysis.corpus.load_corpus`).
    sentences : DataFrame
        ``doc_id, sent_id, start, end`` (from :func:`analysis.segment.sentences`).
    quotes : DataFrame
        quotation spans (from :func:`analysis.quotes.find_quotes`).
    lexicon : TermLexicon, name or path
        default ``terms_ukraine_2014``.
    reported : DataFrame, optional
        reported-speech spans (:func:`analysis.voice.reported_speech`); computed when omitted.

    Returns
    -------
    DataFrame
        One row per match, sorted by ``doc_id, start``: ``doc_id, sent_id, start, end, surface,
        concept, variant, framing, voice`` then ``lexicon, lexicon_version``. ``voice`` is
        ``own``, ``quoted``, ``scare`` or ``attributed`` (see :func:`analysis.voice.assign_voice`).
    """
    from .voice import assign_voice

    lex = load_terms(lexicon)
    missing = [c for c in ("doc_id", "text") if c not in articles.columns]
    if missing:
        raise ValueError(f"find_terms: articles needs column(s) {', '.join(missing)}; found "
                         f"{list(articles.columns)}; pass the frame returned by load_corpus")
    rows = []
    for doc_id, text in zip(articles["doc_id"].astype(str), articles["text"]):
        for m in match_terms(text if isinstance(text, str) else "", lex):
            rows.append({"doc_id": doc_id, **m})
    cols = TERM_COLUMNS + ["lexicon", "lexicon_version"]
    if not rows:
        frame = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("start", "end") else object)
                              for c in cols})
        frame["sent_id"] = frame["sent_id"].astype("Int64")
        frame["doc_id"] = frame["doc_id"].astype(str)
        return frame
    frame = pd.DataFrame(rows)
    frame = frame.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)
    if sentences is not None:
        sents = sentences.assign(doc_id=sentences["doc_id"].astype(str))
        frame["sent_id"] = _sent_ids(frame, sents)
    else:
        frame["sent_id"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    frame["voice"] = assign_voice(frame[["doc_id", "start", "end"]], articles, sentences, quotes,
                                  reported=reported).to_numpy()
    frame["lexicon"] = lex.name
    frame["lexicon_version"] = lex.version
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return frame[cols]


def variant_shares(terms: pd.DataFrame, articles: pd.DataFrame,
                   by: tuple[str, ...] | list[str] = ("event", "outlet", "concept"),
                   lexicon: TermLexicon | str | Path | None = None) -> pd.DataFrame:
    """Count and share of each variant per group, overall and in the outlet's own voice.

    ``share`` = n / (matches of the group); ``share_own`` = n_own / (own-voice matches of the
    group), NaN when the group has none; ``share_unquoted`` does the same for own + attributed
    (the wording the outlet chose: not inside quotation marks). Variants a group never used appear
    with ``n = 0`` (every variant of the lexicon when ``lexicon`` is given, else every variant seen
    in ``terms`` for that concept), so "CNN never wrote Kyiv" is a row, not a gap.

    Returns
    -------
    DataFrame
        Long format, one row per group x variant: ``event, outlet, concept, variant, framing, n,
        share, n_own, share_own, n_unquoted, share_unquoted`` (the ``by`` columns first), sorted by
        the ``by`` columns and the variant's order in the lexicon (else by variant id).
    """
    by = list(by)
    meta_cols = [c for c in by if c not in ("concept", "variant", "framing")]
    missing = [c for c in meta_cols + ["doc_id"] if c not in articles.columns]
    if missing:
        raise ValueError(f"variant_shares: articles needs column(s) {', '.join(missing)}")
    t = terms.assign(doc_id=terms["doc_id"].astype(str))
    a = articles[["doc_id"] + meta_cols].assign(doc_id=articles["doc_id"].astype(str))
    t = t.merge(a, on="doc_id", how="left", validate="many_to_one")
    keys = by + [c for c in ("concept",) if c not in by]
    # The variant inventory per concept.
    if lexicon is not None:
        lex = load_terms(lexicon)
        inv = pd.DataFrame([{"concept": v.concept, "variant": v.id, "framing": v.framing,
                             "_vorder": i} for i, v in enumerate(lex.variants)])
    else:
        inv = (t[["concept", "variant", "framing"]].drop_duplicates()
               .sort_values(["concept", "variant"]).reset_index(drop=True))
        inv["_vorder"] = np.arange(len(inv))
    # Groups: every combination of meta values present in articles x concept in inventory.
    groups = a[meta_cols].drop_duplicates() if meta_cols else pd.DataFrame(index=[0])
    grid = groups.merge(inv, how="cross")
    t = t.assign(_own=(t["voice"] == "own").astype(int),
                 _unq=t["voice"].isin(["own", "attributed"]).astype(int))
    counts = (t.groupby(keys + ["variant"], dropna=False)
              .agg(n=("start", "size"), n_own=("_own", "sum"), n_unquoted=("_unq", "sum"))
              .reset_index())
    out = grid.merge(counts, on=[c for c in keys + ["variant"] if c in grid.columns], how="left")
    for c in ("n", "n_own", "n_unquoted"):
        out[c] = out[c].fillna(0).astype("int64")
    denom_keys = by
    for n_col, s_col in (("n", "share"), ("n_own", "share_own"), ("n_unquoted", "share_unquoted")):
        tot = out.groupby(denom_keys, dropna=False)[n_col].transform("sum")
        out[s_col] = np.where(tot > 0, out[n_col] / tot.where(tot > 0, 1), np.nan)
    out = out.sort_values(by + ["_vorder"] if "concept" in by else by + ["concept", "_vorder"],
                          kind="stable").reset_index(drop=True)
    cols = by + [c for c in ("concept", "variant", "framing") if c not in by] + [
        "n", "share", "n_own", "share_own", "n_unquoted", "share_unquoted"]
    return out[cols]
