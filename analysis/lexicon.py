"""Load versioned lexicon files (YAML) bundled in ``analysis/lexicons/`` or given by path.

Every lexicon file is a YAML mapping with the header keys ``name``, ``version``, ``source``,
``licence`` and ``description``; the rest of the structure depends on the lexicon kind and is
validated by the module that uses it. Errors name the file and the entry.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from .errors import LexiconError

HEADER_KEYS = ("name", "version", "source", "licence", "description")


def lexicon_path(name_or_path: str | Path) -> Path:
    """Resolve a bundled lexicon name (``"terms_ukraine_2014"``) or a file path to a path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return p
    bundled = resources.files("analysis") / "lexicons" / f"{name_or_path}.yaml"
    if bundled.is_file():
        return Path(str(bundled))
    available = sorted(f.name[:-5] for f in (resources.files("analysis") / "lexicons").iterdir()
                       if f.name.endswith(".yaml"))
    raise LexiconError(f"lexicon '{name_or_path}' not found: not a .yaml file path and not a bundled "
                       f"lexicon (bundled: {', '.join(available)})")


@lru_cache(maxsize=64)
def _load(path: str) -> dict:
    raw = Path(path).read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path}: not UTF-8 text ({exc}); save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise LexiconError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)}); "
                           "check indentation and quoting") from None
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: expected a YAML mapping with keys {', '.join(HEADER_KEYS)}; "
                           f"found {type(data).__name__}")
    missing = [k for k in HEADER_KEYS if not str(data.get(k) or "").strip()]
    if missing:
        raise LexiconError(f"{path}: header field(s) {', '.join(missing)} missing or empty; every "
                           "lexicon states its name, version, source, licence and description")
    data = dict(data)
    data["_path"] = str(path)
    data["_sha256"] = hashlib.sha256(raw).hexdigest()
    return data


def load_lexicon(name_or_path: str | Path) -> dict:
    """Return the parsed lexicon as a dict (plus ``_path`` and ``_sha256``), header validated.

    Raises
    ------
    LexiconError
        naming the file (and line for YAML syntax errors) when the file is missing or malformed.
    """
    return _load(str(lexicon_path(name_or_path)))


def bundled_lexicons() -> list[str]:
    """Names of the lexicons shipped with the kit."""
    folder = resources.files("analysis") / "lexicons"
    return sorted(f.name[:-5] for f in folder.iterdir() if f.name.endswith(".yaml"))
