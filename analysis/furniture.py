"""Page-furniture removal: split a captured article into body paragraphs and removed lines.

A captured web page carries lines that are not part of the article: photo captions and credits,
comment-policy notices, licence footers, lists of related headlines. They would distort every
count (words, sentences, sentiment), so they are removed from ``text`` by transparent rules and
every removed line is recorded with the rule that removed it (``removed.csv``).

Two kinds of rule exist:

* **line rules** are regular expressions in a data file (``analysis/lexicons/furniture.yaml``),
  applied to each line on its own;
* **structural rules** need the whole file (a repeated headline, a caption above the lede, a
  trailing list of related headlines, a duplicated line); they are coded here and documented
  in the same YAML file under ``structural``.

Rules are conservative: a line of more than ``max_words`` words is never removed by a line rule,
and the manifest can force lines in or out (``keep_lines`` / ``drop_lines``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import LexiconError
from .lexicon import load_lexicon
from .tokens import count_words

_TERMINAL = re.compile(r"""[.!?:;]["'\u201d\u2019)\]]*$|["\u201d\u2019]$""")
_TITLE_WORD = re.compile(r"^[A-Z0-9\"'\u201c\u2018(]")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor",
                "of", "on", "or", "over", "per", "the", "to", "up", "vs", "via", "with", "amid"}
_PAST_OR_REPORTING = re.compile(
    r"\b(\w+ed|was|were|had|did|said|says|told|tells|saw|seen|made|went|gone|took|taken|gave|"
    r"given|came|began|fled|held|left|met|ran|sent|won|lost|fought|thought|brought|bought|"
    r"announced|according)\b", re.IGNORECASE)
_DAY_WORDS = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                        r"today|yesterday|tomorrow|tonight)\b", re.IGNORECASE)


@dataclass(frozen=True)
class LineRule:
    """One regular-expression furniture rule from the rules file."""

    id: str
    pattern: re.Pattern
    max_words: int


@dataclass(frozen=True)
class Removal:
    """A removed line: 1-based line number in the source, the rule id and the line's text."""

    line: int
    rule: str
    text: str


@lru_cache(maxsize=16)
def load_rules(name_or_path: str = "furniture") -> tuple[LineRule, ...]:
    """Load and compile the line rules of a furniture rules file.

    Raises
    ------
    LexiconError
        naming the file and rule when a rule lacks an id or pattern or its regex does not compile.
    """
    data = load_lexicon(name_or_path)
    path = data["_path"]
    rules = data.get("rules")
    if not isinstance(rules, list):
        raise LexiconError(f"{path}: expected a list under 'rules'; found {type(rules).__name__}")
    out = []
    for i, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict) or not rule.get("id") or not rule.get("pattern"):
            raise LexiconError(f"{path}, rule {i}: each rule needs an 'id' and a 'pattern'")
        flags = 0 if rule.get("case") else re.IGNORECASE
        try:
            pattern = re.compile(str(rule["pattern"]), flags)
        except re.error as exc:
            raise LexiconError(f"{path}, rule {i} ('{rule['id']}'): pattern does not compile: "
                               f"{exc}; check the regular expression's escaping") from None
        out.append(LineRule(str(rule["id"]), pattern, int(rule.get("max_words", 60))))
    return tuple(out)


def _norm(line: str) -> str:
    return " ".join(line.split()).casefold()


def _has_terminal_punct(line: str) -> bool:
    return bool(_TERMINAL.search(line.rstrip()))


def _looks_like_title(line: str) -> bool:
    """Title case (most words capitalised), no final punctuation, at most 20 words."""
    words = line.split()
    if not words or len(words) > 20 or _has_terminal_punct(line):
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    caps = sum(1 for w in content if _TITLE_WORD.match(w))
    return bool(content) and caps / len(content) >= 0.8


def _looks_like_caption(line: str, next_line: str | None) -> bool:
    """A lead photo caption: one short present-tense sentence above a longer lede."""
    n = count_words(line)
    if not 3 <= n <= 30 or next_line is None:
        return False
    if not line.rstrip().endswith("."):
        return False
    body = line.rstrip()[:-1]
    if re.search(r"[.!?]\s+[A-Z]", body) or re.search(r"[\"\u201c\u201d]", line):
        return False
    if _PAST_OR_REPORTING.search(line) or _DAY_WORDS.search(line):
        return False
    return count_words(next_line) >= max(20, int(1.5 * n))


def _match_line_rule(line: str, rules: tuple[LineRule, ...]) -> str | None:
    n = count_words(line)
    for rule in rules:
        if n <= rule.max_words and rule.pattern.search(line):
            return rule.id
    return None


def split_furniture(raw: str, *, title: str | None = None, rules: str | None = "furniture",
                    keep_lines: frozenset[int] = frozenset(),
                    drop_lines: frozenset[int] = frozenset()) -> tuple[list[tuple[int, str]], list[Removal], str | None]:
    """Separate body paragraphs from page furniture.

    Parameters
    ----------
    raw : str
        The article file's text (newlines normalised to ``\\n``).
    title : str, optional
        The article's title from the manifest; lines equal to it are removed as ``headline``.
    rules : str or None
        Rules file name or path; ``None`` disables all removal (every non-empty line is body).
    keep_lines, drop_lines : frozenset of int
        1-based line numbers the user forces into the body or out of it.

    Returns
    -------
    body : list of (line_number, line_text)
        Body paragraphs in order, each stripped of surrounding white space.
    removed : list of Removal
    title_found : str or None
        A headline detected in the text when no ``title`` was given.
    """
    lines = [(i, ln.strip()) for i, ln in enumerate(raw.split("\n"), start=1)]
    nonempty = [(i, ln) for i, ln in lines if ln]
    if rules is None:
        return nonempty, [], None
    line_rules = load_rules(rules)
    decided: dict[int, str] = {}

    for i, ln in nonempty:
        if i in drop_lines:
            decided[i] = "manifest_drop_lines"

    title_found = None
    if title and title.strip():
        t = _norm(title)
        for i, ln in nonempty:
            if _norm(ln) == t:
                decided.setdefault(i, "headline")
    elif nonempty and _looks_like_title(nonempty[0][1]):
        first = nonempty[0][1]
        repeated = sum(1 for _, ln in nonempty if _norm(ln) == _norm(first)) > 1
        followed = len(nonempty) > 1 and count_words(nonempty[1][1]) >= 8
        if repeated or followed:
            title_found = first
            for i, ln in nonempty:
                if _norm(ln) == _norm(first):
                    decided.setdefault(i, "headline")

    for i, ln in nonempty:
        rule = _match_line_rule(ln, line_rules)
        if rule:
            decided.setdefault(i, rule)

    seen: set[str] = set()
    for i, ln in nonempty:
        key = _norm(ln)
        if key in seen:
            decided.setdefault(i, "duplicate_line")
        seen.add(key)

    remaining = [(i, ln) for i, ln in nonempty if i not in decided]
    if len(remaining) >= 2 and _looks_like_caption(remaining[0][1], remaining[1][1]):
        decided.setdefault(remaining[0][0], "lead_caption")

    remaining = [(i, ln) for i, ln in nonempty if i not in decided]
    tail = []
    for i, ln in reversed(remaining):
        if count_words(ln) <= 20 and not _has_terminal_punct(ln):
            tail.append(i)
        else:
            break
    if len(tail) >= 2 and len(tail) < len(remaining):
        for i in tail:
            decided.setdefault(i, "related_headlines")

    for i in keep_lines:
        decided.pop(i, None)
    body = [(i, ln) for i, ln in nonempty if i not in decided]
    removed = [Removal(i, decided[i], ln) for i, ln in nonempty if i in decided]
    return body, removed, title_found
