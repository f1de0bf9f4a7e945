"""The whole pipeline as one reproducible report: tables, figures, notebooks, HTML, PDF, provenance.

:func:`build_report` runs :func:`analysis.pipeline.run` once and writes into ``out``::

    tables/            every table of the contract as CSV (analysis.pipeline.write_tables)
    figures/           every available figure as PNG + SVG + its tidy data as CSV
    notebooks/         the topic notebooks executed on tables/ (outputs kept, timestamps scrubbed)
    report.html        one self-contained page: figures inline, tables, keyword-in-context lines,
                       methods, limitations, provenance; no external resources
    report.pdf         the same page printed by headless Chromium (when it is installed)
    provenance.json    SHA-256 of every input and lexicon, parameters, versions, git commit, argv

Reproducibility: nothing in the outputs depends on the wall clock unless ``SOURCE_DATE_EPOCH`` is
set (then it is the build date shown in the report and written into the PDF), so two builds of
the same corpus with the same settings give byte-identical files. Jupyter is not needed for the
HTML: the report calls the same ``analysis`` functions the notebooks call.

Safety: all text from the corpus is HTML-escaped (Jinja2 autoescape); the page loads nothing from
the network (no fonts, scripts or images from URLs); article URLs are shown as text.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, is_dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from . import figures as F
from .errors import KitError

__all__ = ["build_report", "select_event", "provenance", "render_html", "execute_notebooks",
           "print_pdf", "find_chromium", "NOTEBOOKS", "SECTIONS", "PACKAGES"]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

#: Notebooks executed for the report (06 is a tutorial on other corpora, not part of a report).
NOTEBOOKS = ["01-corpus-overview.ipynb", "02-terminology-and-voice.ipynb",
             "03-tone-and-certainty.ipynb", "04-sources.ipynb",
             "05-coverage-and-distinctive-language.ipynb"]

#: Report sections: id, heading, figure section key (analysis.figures), notebook.
SECTIONS = [
    ("corpus", "What was compared", "corpus", NOTEBOOKS[0]),
    ("terms", "Terminology and voice", "terms", NOTEBOOKS[1]),
    ("tone", "Tone and certainty", "tone", NOTEBOOKS[2]),
    ("sources", "Sources and shared quotations", "sources", NOTEBOOKS[3]),
    ("coverage", "Coverage and distinctive language", "coverage", NOTEBOOKS[4]),
    ("methods", "Methods", None, None),
    ("limitations", "Limitations", None, None),
    ("provenance", "Provenance and reproducibility", None, None),
]

#: Libraries whose versions the methods paragraph and provenance.json record.
PACKAGES = ["pandas", "numpy", "scipy", "matplotlib", "textstat", "vaderSentiment", "nltk",
            "rapidfuzz", "numba", "pysbd", "PyYAML", "Jinja2", "papermill", "nbclient", "ipykernel",
            "pyarrow", "trafilatura", "dask", "tqdm"]

#: Lexicons a run uses besides those named in Settings.
EXTRA_LEXICONS = ["reporting_verbs"]

_TABLE_NOTE = "not available: table {} is empty"


# ---------------------------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise KitError(f"environment variable SOURCE_DATE_EPOCH must be an integer (seconds since "
                       f"1970-01-01 UTC); got {value!r}") from None


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        from . import __version__
        out["analysis (this kit)"] = __version__
    except ImportError:  # pragma: no cover
        pass
    return out


def _git_commit() -> str | None:
    try:
        res = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = res.stdout.strip()
    return sha if res.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", sha) else None


def _frame(tables, name: str) -> pd.DataFrame:
    try:
        f = tables[name]
    except (KeyError, TypeError):
        return pd.DataFrame()
    return f if isinstance(f, pd.DataFrame) else pd.DataFrame()


def _settings_dict(settings) -> dict:
    if settings is None:
        return {}
    if is_dataclass(settings):
        return asdict(settings)
    return dict(vars(settings))


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------
# event selection
# ---------------------------------------------------------------------------------------------
def select_event(tables, event: str | None):
    """Restrict every table to one event (rows with that ``event``, or whose ``doc_id`` belongs
    to an article of that event). ``event=None`` returns the tables unchanged.

    Raises
    ------
    KitError
        if no article belongs to ``event`` (the message lists the events of the corpus).
    """
    if event is None:
        return tables
    from .pipeline import Tables

    arts = _frame(tables, "articles")
    events = sorted(arts["event"].astype(str).unique()) if "event" in arts.columns else []
    if str(event) not in events:
        raise KitError(f"--event {event!r}: no article of the corpus belongs to this event "
                       f"(events: {', '.join(events) or 'none'})")
    docs = set(arts.loc[arts["event"].astype(str) == str(event), "doc_id"].astype(str))
    frames = {}
    for name, frame in tables.items():
        if not isinstance(frame, pd.DataFrame):
            continue
        if "event" in frame.columns:
            frame = frame[frame["event"].astype(str) == str(event)]
        elif "doc_id" in frame.columns:
            frame = frame[frame["doc_id"].astype(str).isin(docs)]
        frames[name] = frame.reset_index(drop=True)
    return Tables(frames, getattr(tables, "n_records", 0), list(getattr(tables, "warnings", [])))


# ---------------------------------------------------------------------------------------------
# provenance
# ---------------------------------------------------------------------------------------------
def _input_files(corpus: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of the corpus inputs (manifest and the files it names)."""
    if corpus.is_file():
        return {corpus.name: _sha256(corpus)}
    out = {}
    manifest = corpus / "manifest.csv"
    if manifest.exists():
        out["manifest.csv"] = _sha256(manifest)
        with open(manifest, newline="", encoding="utf-8-sig", errors="replace") as fh:
            for row in csv.DictReader(fh):
                name = (row.get("file") or "").strip()
                p = corpus / name
                if name and p.is_file():
                    out[name] = _sha256(p)
    return dict(sorted(out.items()))


def _lexicons(settings) -> dict[str, dict]:
    """Lexicons the run used: name -> {name, version, sha256, path, source, licence}."""
    from .lexicon import load_lexicon

    names = []
    for key in ("terms", "hedges", "actors", "speaker_groups", "furniture"):
        val = getattr(settings, key, None) if settings is not None else None
        if val:
            names.append((key, str(val)))
    names += [(n, n) for n in EXTRA_LEXICONS]
    out = {}
    for role, name in names:
        try:
            lex = load_lexicon(name)
        except Exception as exc:  # a lexicon not written yet, or a bad path: record, go on
            out[role] = {"name": name, "version": None, "sha256": None, "path": None,
                         "error": str(exc).split(" (bundled:")[0]}
            continue
        path = Path(lex["_path"])
        try:
            shown = str(path.resolve().relative_to(ROOT))
        except ValueError:
            shown = str(path)
        out[role] = {"name": str(lex.get("name")), "version": str(lex.get("version")),
                     "sha256": lex["_sha256"], "path": shown,
                     "source": " ".join(str(lex.get("source", "")).split())[:400],
                     "licence": str(lex.get("licence", ""))}
    return out


def provenance(corpus, *, settings=None, parameters: dict | None = None, argv=None,
               outputs: dict | None = None) -> dict:
    """Everything needed to reproduce a build (no wall-clock time unless SOURCE_DATE_EPOCH)."""
    corpus = Path(corpus)
    return _jsonable({
        "corpus": {"path": str(corpus), "kind": "file" if corpus.is_file() else "directory",
                   "files": _input_files(corpus)},
        "lexicons": _lexicons(settings),
        "parameters": {"settings": _settings_dict(settings), **(parameters or {})},
        "packages": _versions(),
        "git_commit": _git_commit(),
        "argv": list(argv) if argv is not None else None,
        "source_date_epoch": _epoch(),
        "outputs": outputs or {},
    })


# ---------------------------------------------------------------------------------------------
# notebooks
# ---------------------------------------------------------------------------------------------
def _scrub_notebook(path: Path) -> None:
    """Remove run-specific metadata so executed notebooks are byte-identical between runs."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path",
                "environment_variables"):
        pm.pop(key, None)
    count = 0
    for cell in nb.cells:
        md = cell.get("metadata", {})
        if "injected-parameters" in md.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        md.pop("execution", None)
        cpm = md.get("papermill", {})
        for key in ("start_time", "end_time", "duration"):
            cpm.pop(key, None)
        if cell.cell_type == "code":
            ran = bool(cell.get("outputs")) or cpm.get("status") == "completed"
            if ran:
                count += 1
            cell.execution_count = count if ran else None
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = cell.execution_count
    nbformat.write(nb, path)


def _execute_one(src: Path, dst: Path, params: dict) -> Path:
    import papermill as pm

    # no cwd= here: papermill would chdir per call, which races between threads; the caller
    # sets the working directory once for all kernels
    pm.execute_notebook(str(src), str(dst), parameters=params, kernel_name="python3",
                        progress_bar=False, log_output=False)
    _scrub_notebook(dst)
    return dst


def execute_notebooks(out_dir, *, tables_dir: str = "../tables", corpus=None, event=None,
                      notebooks=NOTEBOOKS, source=NOTEBOOK_DIR, on_done=None,
                      workers: int | None = None) -> list[Path]:
    """Execute the topic notebooks with papermill into ``out_dir`` and scrub them.

    The kernels run with cwd = ``out_dir``, so the relative ``tables_dir`` parameter written into
    each notebook is the same for every build. Notebooks run on up to ``workers`` kernels at once
    (default: 2, or 1 on a single core); each kernel is independent, so the order does not
    change the outputs.
    """
    from concurrent.futures import ThreadPoolExecutor

    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    source = Path(source).resolve()
    env_before = os.environ.get("PYTHONPATH")
    # the kernel must import this kit even when it is not pip-installed
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env_before] if env_before else []))
    params = {"tables_dir": tables_dir, "event": event}
    if corpus is not None:
        params["corpus"] = str(corpus)
    jobs = [(Path(source) / n, out / n) for n in notebooks if (Path(source) / n).exists()]
    workers = workers or min(2, os.cpu_count() or 1)
    written = []
    cwd_before = os.getcwd()
    os.chdir(out)  # kernels start in out_dir, so tables_dir="../tables" resolves
    try:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(_execute_one, src, dst, params) for src, dst in jobs]
            for fut, (src, _) in zip(futures, jobs):
                written.append(fut.result())
                if on_done:
                    on_done(src.name)
    finally:
        os.chdir(cwd_before)
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
    return written


# ---------------------------------------------------------------------------------------------
# HTML pieces
# ---------------------------------------------------------------------------------------------
_ID_COLS = {"line", "sent_id", "para_id", "passage_id", "quote_id", "start", "end", "record",
            "unit_id", "doc_id", "rank"}


def _fmt(value, col: str = "") -> str:
    """A cell value as text: ids plain, counts with thousands separators, shares with two
    decimals, other numbers with three significant digits."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value)) if col in _ID_COLS else f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if np.isnan(v):
            return ""
        if col in _ID_COLS and v.is_integer():
            return str(int(v))
        if "share" in col or col == "similarity":
            return f"{v:.2f}"
        if v.is_integer() and abs(v) < 1e15 and (col.startswith("n") or col == "count"):
            return f"{int(v):,}"
        if abs(v) < 10:
            return f"{v:.3g}"
        return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(value)


def _table(df: pd.DataFrame, columns=None, *, max_rows: int = 40, rename=None, truncate=None,
           caption: str | None = None) -> dict:
    """A frame as a plain structure for the template (cells are strings; Jinja escapes them)."""
    rename = rename or {}
    truncate = truncate or {}
    df = df if columns is None else df[[c for c in columns if c in df.columns]]
    empty = [c for c in df.columns if df[c].isna().all() or (df[c].astype(str).str.strip() == "").all()]
    if len(df) and empty:
        df = df.drop(columns=empty)
    n = len(df)
    shown = df.head(max_rows)
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
               for c in df.columns]
    rows = []
    for rec in shown.itertuples(index=False, name=None):
        cells = []
        for col, v in zip(df.columns, rec):
            s = _fmt(v.item() if hasattr(v, "item") else v, str(col))
            if col in truncate:
                s = F._trunc(s, truncate[col])
            cells.append(s)
        rows.append(cells)
    note = f"Showing {len(shown):,} of {n:,} rows; the full table is in tables/." if n > max_rows \
        else None
    # a column of short cells without spaces (dates, ids) is not broken across lines
    nowrap = [all(len(r[k]) <= 24 and not any(ch.isspace() for ch in r[k]) for r in rows)
              for k in range(len(df.columns))]
    return {"columns": [rename.get(c, str(c).replace("_", " ")) for c in df.columns],
            "numeric": numeric, "nowrap": nowrap, "rows": rows, "note": note, "caption": caption}


def _kwic_blocks(tables, max_concepts: int = 6, per_outlet: int = 2) -> tuple[list, str | None]:
    """Keyword-in-context lines for the contested terms (from the ``terms`` table)."""
    terms = _frame(tables, "terms")
    arts = _frame(tables, "articles")
    if terms.empty or arts.empty or not {"concept", "surface"} <= set(terms.columns):
        return [], _TABLE_NOTE.format("terms")
    from .kwic import kwic

    blocks = []
    tot = terms.groupby("concept").size()
    for concept in sorted(tot.index, key=lambda c: (-tot[c], str(c)))[:max_concepts]:
        forms = sorted({str(s).strip() for s in terms.loc[terms["concept"] == concept, "surface"]
                        if str(s).strip()}, key=str.casefold)
        if not forms:
            continue
        try:
            lines = kwic(arts, forms, window=70)
        except ValueError:
            continue
        if lines.empty:
            continue
        order = F.outlet_order(arts)
        rank = {o: i for i, o in enumerate(order)}
        lines = lines.assign(_o=lines["outlet"].map(rank)).sort_values(
            ["_o", "doc_id", "start"], kind="stable")
        lines = lines.groupby("outlet", sort=False).head(per_outlet)
        rows = [{"outlet": r.outlet, "left": r.left, "match": r.match, "right": r.right,
                 "doc_id": r.doc_id} for r in lines.itertuples(index=False)]
        variants = sorted(terms.loc[terms["concept"] == concept, "variant"].astype(str).unique()) \
            if "variant" in terms.columns else []
        blocks.append({"concept": F._pretty(concept), "forms": forms, "variants": variants,
                       "rows": rows})
    return blocks, None


def _outlet_estimates_table(tables) -> dict | None:
    o = _frame(tables, "outlets")
    if o.empty:
        return None
    metrics = F.metric_columns(o)
    base = [c for c in ("event", "outlet", "n_articles", "n_sentences") if c in o.columns]
    df = o[base].copy()
    for m in metrics:
        df[F._label(m)] = [f"{_fmt(v, m)} [{_fmt(lo, m)}, {_fmt(hi, m)}]" if pd.notna(v) else ""
                           for v, lo, hi in zip(o[m], o[f"{m}_lo"], o[f"{m}_hi"])]
    if df["event"].nunique() <= 1 if "event" in df.columns else False:
        df = df.drop(columns="event")
    return _table(df, max_rows=60, caption="Outlet estimates: value [95% bootstrap interval]")


def _methods(tables, settings, lexicons: dict, versions: dict, n_boot) -> list[str]:
    """The auto-drafted methods section, one paragraph per string."""
    def lex(role: str) -> str:
        d = lexicons.get(role) or {}
        if d.get("version"):
            return f"the {d['name']} lexicon (version {d['version']})"
        return f"the {d.get('name', role)} lexicon (not available in this build)"

    def status(*names: str) -> str:
        empty = [n for n in names if _frame(tables, n).empty]
        return f" [Not run in this build: table {', '.join(empty)} empty.]" if len(empty) == len(
            names) else ""

    def v(pkg: str) -> str:
        return versions.get(pkg) or "not installed"

    arts = _frame(tables, "articles")
    n_art = len(arts)
    n_out = arts["outlet"].nunique() if "outlet" in arts else 0
    n_ev = arts["event"].nunique() if "event" in arts else 0
    removed = len(_frame(tables, "removed"))
    furniture = getattr(settings, "furniture", "furniture")
    paras = [
        f"Corpus: {n_art} article(s) from {n_out} outlet(s) covering {n_ev} event(s) were loaded "
        + (f"and {removed} line(s) of page furniture (captions, credits, comment notices, related "
           f"headlines) were removed with the rules of {lex('furniture')} before any measurement."
           if furniture else "without removing page furniture.")
        + " Words are counted with one tokenizer throughout (analysis.tokens), so every rate "
        "shares the same denominator. Sentences and paragraphs are segmented with the kit's "
        "rule-based segmenter (analysis.segment).",
        "Quotations and sources: Quotation spans are found by pairing quotation marks, including "
        "multi-paragraph quotations left open at paragraph ends (analysis.quotes); each is "
        "classified as speech or scare quote, attributed to a speaker through the reporting-verb "
        f"cue next to it ({lex('reporting_verbs')}), and the speaker assigned to a group with "
        f"{lex('speaker_groups')}. Passages carried by several outlets are found by seed-and-"
        "verify text-reuse detection (word shingles, then the longest common subsequence and "
        "difflib's word alignment, compiled with numba "
        f"{v('numba')}; Smith, Cordell & Mullen 2015)." + status("quotes", "shared"),
        f"Terminology and voice: Contested terms are matched with {lex('terms')}; each match is "
        "assigned a voice: the journalist's own narration, attributed (reported) speech, inside a "
        "quotation, or in scare quotes." + status("terms"),
        f"Tone and certainty: Sentence sentiment is the VADER compound score (Hutto & Gilbert "
        f"2014; vaderSentiment {v('vaderSentiment')}), between -1 and +1; actor sentiment is the "
        f"mean compound score of the sentences mentioning each actor of {lex('actors')}. Hedges, "
        f"boosters and evidentials are matched with {lex('hedges')} (after Hyland 2005) and "
        "reporting verbs are grouped as neutral, distancing or endorsing (after Thompson & Ye "
        "1991), each as a rate per 1,000 words. Readability is measured with Flesch Reading Ease, "
        "Flesch-Kincaid grade, Gunning Fog, SMOG, Coleman-Liau and Dale-Chall (textstat "
        f"{v('textstat')})." + status("hedges", "actor_sentiment"),
        "Statistics: Outlet-level numbers are estimates with 95% percentile bootstrap intervals "
        f"(Efron & Tibshirani 1993; {n_boot} resamples, seed "
        f"{getattr(settings, 'random_state', 0)}): sentences are resampled within the article "
        "when an outlet has one article for the event, whole articles (cluster bootstrap) when it "
        "has several. Distinctive words are weighted log-odds ratios with an informative "
        "Dirichlet prior, each outlet against the other outlets of the event (Monroe, Colaresi & "
        "Quinn 2008), reported as z-scores. Coverage compares which information units of the "
        "event each article reports." + status("outlets", "keyness", "coverage"),
        f"Software: Python {v('python')}, pandas {v('pandas')}, numpy {v('numpy')}, scipy "
        f"{v('scipy')}, matplotlib {v('matplotlib')}, textstat {v('textstat')}, vaderSentiment "
        f"{v('vaderSentiment')}, nltk {v('nltk')}, rapidfuzz {v('rapidfuzz')}, numba {v('numba')}, PyYAML "
        f"{v('PyYAML')}, Jinja2 {v('Jinja2')}, papermill {v('papermill')}; figures use the "
        "Okabe-Ito colour-blind-safe palette. Every table, figure and executed notebook of this "
        "report is in the output folder; provenance.json lists the SHA-256 of every input file "
        "and lexicon.",
    ]
    return [tuple(p.split(": ", 1)) for p in paras]


def _limitations(tables, settings, lexicons: dict, figure_results) -> list[str]:
    """Limitations drawn from the data of this build."""
    out = []
    arts = _frame(tables, "articles")
    if arts.empty:
        return ["No article was loaded: there is nothing to compare."]
    per = arts.groupby(["event", "outlet"]).size()
    n_events = arts["event"].nunique()
    outlets = sorted(arts["outlet"].astype(str).unique())
    if (per == 1).all():
        out.append("One article per outlet (per event): every interval reflects variation within "
                   "that article only (which sentences it happens to contain), not how the outlet "
                   "covers the story in general; differences between outlets are differences "
                   "between these articles.")
    elif (per == 1).any():
        ones = sorted({o for (e, o), n in per.items() if n == 1})
        out.append(f"Some outlets have a single article for an event ({', '.join(ones)}): their "
                   "intervals reflect within-article variation only, while outlets with several "
                   "articles are resampled by article; with two or three articles the interval is "
                   "too narrow.")
    if n_events == 1:
        out.append("One event: the comparison says how these outlets covered this story, not "
                   "what they do in general.")
    elif n_events < 10:
        out.append(f"{n_events} events: effects pooled over events rest on few events and their "
                   "intervals are coarse.")
    if len(outlets) < 3:
        out.append(f"Only {len(outlets)} outlet(s): 'distinctive' words and shared passages are "
                   "relative to a very small comparison set.")
    sents = _frame(tables, "sentences")
    if not sents.empty and "doc_id" in sents:
        s = sents.merge(arts[["doc_id", "outlet"]].astype(str), on="doc_id", how="left")
        few = s.groupby("outlet").size()
        small = sorted(o for o, n in few.items() if n < 20)
        if small:
            out.append(f"Small samples: fewer than 20 sentences for {', '.join(small)}; sentence "
                       "averages for them are fragile.")
    quotes = _frame(tables, "quotes")
    if not quotes.empty and "doc_id" in quotes:
        q = quotes.merge(arts[["doc_id", "outlet"]].astype(str), on="doc_id", how="left")
        if "kind" in q:
            q = q[q["kind"].astype(str) != "scare"]
        nq = q.groupby("outlet").size().reindex(outlets, fill_value=0)
        small = [f"{o} ({n})" for o, n in nq.items() if n < 5]
        if small:
            out.append(f"Few quotations for {', '.join(small)}: source-mix shares rest on a "
                       "handful of quotes.")
        if "speaker" in q and len(q):
            unknown = (q["speaker"].fillna("").astype(str) == "").mean()
            if unknown > 0.2:
                out.append(f"{unknown:.0%} of quotations have no resolved speaker; they appear "
                           "as 'unknown' in the source mix.")
    actor = _frame(tables, "actor_sentiment")
    if not actor.empty:
        ncol = next((c for c in ("n_sentences", "n") if c in actor), None)
        if ncol:
            thin = int((pd.to_numeric(actor[ncol], errors="coerce") < 3).sum())
            if thin:
                out.append(f"{thin} of {len(actor)} actor-by-outlet averages rest on fewer than 3 "
                           "sentences.")
    terms = _frame(tables, "terms")
    if not terms.empty and "concept" in terms:
        t = terms.merge(arts[["doc_id", "outlet"]].astype(str), on="doc_id", how="left")
        tot = t.groupby("concept").size()
        rare = sorted(str(c) for c, n in tot.items() if n < 5)
        if rare:
            out.append(f"Lexicon coverage: the concept(s) {', '.join(rare)} occur fewer than 5 "
                       "times in the whole corpus; their variant shares are anecdotal.")
        none = sorted(set(outlets) - set(t["outlet"].dropna()))
        if none:
            out.append(f"No contested term of the lexicon occurs in {', '.join(none)}; the "
                       "lexicon may not cover the words these outlets use.")
    lex_terms = lexicons.get("terms", {})
    if lex_terms and not lex_terms.get("version"):
        out.append(f"The contested-terms lexicon '{lex_terms.get('name')}' could not be loaded; "
                   "terminology results are missing.")
    removed = _frame(tables, "removed")
    if getattr(settings, "furniture", "furniture") is None:
        out.append("Page furniture was not removed (--no-furniture): captions, credits and "
                   "comment notices count as article text.")
    elif not removed.empty and "rule" in removed:
        rules = removed.groupby("rule").size()
        out.append(f"{len(removed)} line(s) were removed as page furniture by rule ("
                   + ", ".join(f"{r}: {n}" for r, n in rules.items())
                   + "). The rules are heuristics; check removed.csv for body text removed by "
                   "mistake.")
    notes = _frame(tables, "notes")
    if not notes.empty:
        out.append(f"{len(notes)} cross-article table(s) were not computed for some events ("
                   + ", ".join(f"{t}: {n} event(s)" for t, n in notes.groupby("table").size().items())
                   + "). See notes.csv for why.")
    skipped = _frame(tables, "skipped")
    if not skipped.empty:
        reasons = skipped["reason"].astype(str).str.split(";").str[0].str.slice(0, 90)
        top = reasons.value_counts().head(3)
        out.append(f"{len(skipped)} input record(s) were skipped and are not analysed: "
                   + "; ".join(f"{r} ({n})" for r, n in top.items()) + ". See skipped.csv.")
    if "confidence" in arts:
        low = sorted(arts.loc[arts["confidence"].astype(str).str.lower() == "low",
                              "outlet"].astype(str).unique())
        if low:
            out.append(f"Outlet attribution is marked low-confidence in the manifest for "
                       f"{', '.join(low)}: the text itself does not name the outlet.")
    if "wire_agency" in arts:
        wire = arts[arts["wire_agency"].fillna("").astype(str).str.strip() != ""]
        if len(wire):
            out.append("Wire copy: " + ", ".join(sorted(wire["outlet"].astype(str).unique()))
                       + " carry agency copy; similarities between them may reflect the agency, "
                       "not editorial choices.")
    missing = [r for r in figure_results if not r.available]
    if missing:
        out.append("Not available in this build: " + "; ".join(
            f"{r.spec.title.lower()} ({r.reason})" for r in missing) + ".")
    for w in getattr(tables, "warnings", []) or []:
        out.append(f"Loader warning: {w}")
    out.append("Instruments: VADER was built for social-media text and scores words, not "
               "stances; readability formulas were calibrated on school texts; lexicon matches "
               "count words, not meanings. Read the keyword-in-context lines before interpreting "
               "a number.")
    return out


def _figure_blocks(results) -> dict[str, list[dict]]:
    blocks: dict[str, list[dict]] = {}
    for i, res in enumerate(results, 1):
        item = {"name": res.name, "title": res.spec.title, "caption": res.spec.caption,
                "available": res.available, "reason": res.reason}
        if res.available:
            svg = next((p for p in res.paths if p.suffix == ".svg"), None)
            if svg is not None:
                item["src"] = "data:image/svg+xml;base64," + base64.b64encode(
                    svg.read_bytes()).decode("ascii")
            item["files"] = [f"figures/{p.name}" for p in res.paths]
        blocks.setdefault(res.spec.section, []).append(item)
    n = 0
    for sec in blocks.values():
        for item in sec:
            if item["available"]:
                n += 1
                item["number"] = n
    return blocks


def _section_tables(tables) -> dict[str, list[dict]]:
    """The tables each section shows (small, readable extracts of the CSV tables)."""
    out: dict[str, list[dict]] = {k: [] for k, *_ in SECTIONS}
    arts = _frame(tables, "articles")
    order = F.outlet_order(arts) if not arts.empty else []
    rank = {o: i for i, o in enumerate(order)}

    def by_outlet(df):
        if "outlet" in df.columns and len(df):
            df = df.assign(_o=df["outlet"].map(rank)).sort_values(
                [c for c in ("event", "_o", "doc_id") if c in df.columns] if "event" in df.columns
                else ["_o"], kind="stable").drop(columns="_o")
        return df

    if not arts.empty:
        removed = _frame(tables, "removed")
        a = arts.copy()
        if not removed.empty:
            a["removed_lines"] = a["doc_id"].astype(str).map(
                removed.groupby(removed["doc_id"].astype(str)).size()).fillna(0).astype(int)
        cols = ["outlet", "doc_id", "title", "published", "n_words", "n_sentences",
                "removed_lines", "duplicate_of", "wire_agency", "confidence", "url"]
        if a["event"].nunique() > 1:
            cols.insert(0, "event")
        out["corpus"].append(_table(by_outlet(a), cols, max_rows=100, rename={
            "n_words": "words", "n_sentences": "sentences", "removed_lines": "lines removed",
            "doc_id": "doc id", "wire_agency": "wire agency", "outlet_type": "type",
            "duplicate_of": "same text as"},
            truncate={"title": 70, "url": 60, "wire_agency": 30}, caption="Articles"))
        if not removed.empty:
            r = removed.merge(arts[["doc_id", "outlet"]].astype(str), on="doc_id", how="left")
            out["corpus"].append(_table(by_outlet(r), ["outlet", "doc_id", "line", "rule", "text"],
                                        max_rows=60, truncate={"text": 110},
                                        caption="Lines removed as page furniture"))
    notes = _frame(tables, "notes")
    if not notes.empty:
        out["corpus"].append(_table(notes, ["event", "table", "note"], max_rows=60,
                                    truncate={"note": 200},
                                    caption="Cross-article tables not computed"))
    skipped = _frame(tables, "skipped")
    if not skipped.empty:
        out["corpus"].append(_table(skipped, ["source", "record", "reason"], max_rows=60,
                                    truncate={"reason": 160}, caption="Skipped input records"))
    ts = _frame(tables, "term_shares")
    if not ts.empty:
        ts = ts[pd.to_numeric(ts["n"], errors="coerce").fillna(0) > 0] if "n" in ts else ts
        out["terms"].append(_table(by_outlet(ts), [c for c in (
            "event", "outlet", "concept", "variant", "framing", "n", "share", "n_own", "share_own")
            if c in ts.columns and not (c == "event" and ts["event"].nunique() <= 1)],
            max_rows=80, caption="Variants used, by outlet (all voices and own voice; variants "
            "an outlet never uses are in term_shares.csv)"))
    est = _outlet_estimates_table(tables)
    if est:
        out["tone"].append(est)
    quotes = _frame(tables, "quotes")
    if not quotes.empty and not arts.empty:
        q = quotes.merge(arts[["doc_id", "outlet"]].astype(str), on="doc_id", how="left")
        if "kind" in q:
            q = q[q["kind"].astype(str) != "scare"]
        cols = [c for c in ("outlet", "speaker", "speaker_group", "cue", "text") if c in q]
        out["sources"].append(_table(by_outlet(q), cols, max_rows=60, truncate={"text": 120},
                                     caption="Direct quotations and who said them"))
    shared = _frame(tables, "shared")
    if not shared.empty:
        sh = shared if "outlet" in shared else shared.merge(
            arts[["doc_id", "outlet"]].astype(str), on="doc_id", how="left")
        sh = sh.sort_values(["passage_id", "doc_id"], kind="stable").copy()
        parts = [("trimmed_before", "before"), ("trimmed_after", "after"), ("omitted", "inside")]
        if any(c in sh for c, _ in parts):
            sh["left out"] = [
                "; ".join(f"{label}: \u201c{F._trunc(v, 60)}\u201d" for (c, label), v in
                          zip(parts, vals) if isinstance(v, str) and v.strip()) or "nothing"
                for vals in zip(*[sh[c] if c in sh else [None] * len(sh) for c, _ in parts])]
        cols = [c for c in ("passage_id", "outlet", "similarity", "text", "left out") if c in sh]
        out["sources"].append(_table(sh, cols, max_rows=60, truncate={"text": 160},
                                     rename={"passage_id": "passage"},
                                     caption="Shared passages and what each outlet left out of "
                                     "the longest version"))
    cov = _frame(tables, "coverage")
    if not cov.empty and not arts.empty:
        try:
            cd = F.coverage_data(tables, max_units=10_000)
        except Exception:  # coverage table in an unexpected shape: the figure notes it already
            cd = None
        if cd is not None and len(cd):
            rows = []
            for (ev, outlet), g in cd.groupby(["event", "outlet"], sort=False):
                others = g["n_outlets"] - g["present"].astype(int)
                n_ev = cd[cd["event"] == ev]["outlet"].nunique()
                # a notable omission: most of the other outlets report the unit, this one not
                notable = g[~g["present"] & (others >= max(2, (n_ev - 1) / 2))]
                rows.append({"event": ev, "outlet": outlet, "units reported": int(g["present"].sum()),
                             "units not reported": int((~g["present"]).sum()),
                             "reported by this outlet only": int((g["present"]
                                                                  & (g["n_outlets"] == 1)).sum()),
                             "notable omissions (reported by most other outlets)": "; ".join(
                                 F._trunc(x, 70) for x in notable["unit_label"]) or "none"})
            cov_rows = pd.DataFrame(rows)
            if cov_rows["event"].nunique() <= 1:
                cov_rows = cov_rows.drop(columns="event")
            out["coverage"].append(_table(by_outlet(cov_rows), max_rows=60,
                                          caption="Inclusions and omissions by outlet"))
    key = _frame(tables, "keyness")
    if not key.empty:
        try:
            kd = F.distinctive_words_data(tables, top=8)
            rows = kd.groupby(["event", "outlet"], sort=False)["term"].agg(", ".join).reset_index()
            if rows["event"].nunique() <= 1:
                rows = rows.drop(columns="event")
            out["coverage"].append(_table(rows.rename(columns={"term": "most distinctive words"}),
                                          max_rows=60, caption="Most distinctive words"))
        except Exception:
            pass
    return out


def render_html(context: dict) -> str:
    """Render the report template (Jinja2, autoescape on) with ``context``."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)),
                      autoescape=select_autoescape(["html", "j2"], default=True),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    return env.get_template("report.html.j2").render(css=css, **context)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------
def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                 "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-default-apps", "--disable-extensions", "--mute-audio",
                  "--hide-scrollbars", "--font-render-hinting=none"]


def run_chromium(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    """Run headless Chromium with the kit's flags and a fresh profile directory."""
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found on PATH")
    with tempfile.TemporaryDirectory(prefix="kit-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=profile)


def _pdf_date(epoch: int | None) -> str:
    ts = datetime.fromtimestamp(epoch or 0, tz=timezone.utc)
    return ts.strftime("D:%Y%m%d%H%M%S+00'00'")


def _fix_pdf(path: Path, epoch: int | None) -> None:
    """Make the PDF reproducible: dates -> SOURCE_DATE_EPOCH (same byte length, so xref offsets
    stay valid); a per-run /ID, if any, -> a hash of the rest of the file."""
    data = path.read_bytes()
    stamp = _pdf_date(epoch).encode()

    def repl(m: re.Match) -> bytes:
        old = m.group(2)
        new = stamp[: len(old)].ljust(len(old), b" ") if len(stamp) >= len(old) else \
            stamp + b" " * (len(old) - len(stamp))
        return m.group(1) + new + m.group(3)

    data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()([^)]*)(\))", repl, data)
    # tagged-PDF structure elements carry Chromium's DOM node ids, which vary between runs:
    # renumber them in order of first appearance, keeping each id's width (and the offsets)
    seen: dict[bytes, bytes] = {}

    def node(m: re.Match) -> bytes:
        digits = m.group(2)
        if digits not in seen:
            seen[digits] = str(len(seen) + 1).zfill(len(digits)).encode()[-len(digits):]
        return m.group(1) + seen[digits] + m.group(3)

    data = re.sub(rb"(\(node)(\d+)(\))", node, data)  # /ID (nodeN) and /Headers [(nodeN)]
    ids = list(re.finditer(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]", data))
    if ids:
        blank = data
        for m in ids:
            blank = blank[:m.start(1)] + b"0" * len(m.group(1)) + blank[m.end(1):m.start(2)] + \
                b"0" * len(m.group(2)) + blank[m.end(2):]
        digest = hashlib.sha256(blank).hexdigest().encode()
        for m in reversed(ids):
            a = (digest * 4)[: len(m.group(1))]
            b = (digest * 4)[: len(m.group(2))]
            data = data[:m.start(1)] + a + data[m.end(1):m.start(2)] + b + data[m.end(2):]
    path.write_bytes(data)


def print_pdf(html_path, pdf_path, epoch: int | None = None) -> str | None:
    """Print the HTML page to PDF with headless Chromium; return None, or why there is no PDF."""
    if find_chromium() is None:
        return ("no PDF: chromium is not installed (Debian: apt-get install chromium); "
                "report.html is complete without it")
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    pdf_path.unlink(missing_ok=True)
    try:
        res = run_chromium(["--no-pdf-header-footer", "--print-to-pdf-no-header",
                            "--virtual-time-budget=10000", "--run-all-compositor-stages-before-draw",
                            f"--print-to-pdf={pdf_path}", html_path.as_uri()])
    except (OSError, subprocess.SubprocessError) as exc:
        return f"no PDF: chromium failed to run ({exc})"
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        return f"no PDF: chromium exited with {res.returncode} ({' | '.join(err)})"
    _fix_pdf(pdf_path, epoch)
    return None


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------
def build_report(corpus, out, *, figures_dir=None, event=None, argv=None, settings=None,
                 lenient: bool = False, preset: str | None = None, columns=None,
                 progress: bool = True, jobs=None, engine: str = "local", scheduler=None,
                 cache=None, notebooks: bool = True, pdf: bool = True) -> Path:
    """Build the full report for ``corpus`` into ``out`` and return the path of report.html.

    Parameters
    ----------
    corpus : str or Path
        Corpus directory with ``manifest.csv`` or a CSV/JSONL/Parquet file.
    out : str or Path
        Output folder (created; files of an earlier build are overwritten).
    figures_dir : str or Path, optional
        Also write the figures (PNG, SVG, CSV) here, e.g. the repository's ``figures/``.
    event : str, optional
        Report on this event only (default: every event of the corpus).
    argv : list of str, optional
        The command line, recorded in provenance.json.
    settings, lenient, preset, columns, jobs, engine, scheduler, cache
        Passed to :func:`analysis.pipeline.run`.
    progress : bool
        Show a progress bar over the build steps on stderr.
    notebooks, pdf : bool
        Execute the notebooks / print the PDF (both default True).

    Returns
    -------
    Path
        ``out/report.html``.
    """
    from tqdm.auto import tqdm

    from .pipeline import Settings, run, write_tables

    settings = settings or Settings()
    out = Path(out).resolve()  # notebooks run in another cwd; relative paths would break
    out.mkdir(parents=True, exist_ok=True)
    corpus_path = Path(corpus)
    nb_sources = [n for n in NOTEBOOKS if (NOTEBOOK_DIR / n).exists()] if notebooks else []
    steps = ["analyse corpus", "write tables", "draw figures"] + \
        [f"notebook {n[:2]}" for n in nb_sources] + ["provenance", "report.html"] + \
        (["report.pdf"] if pdf else [])
    bar = tqdm(total=len(steps), desc="report", unit="step", disable=not progress,
               file=sys.stderr, leave=True)

    def step(name: str):
        bar.set_postfix_str(name, refresh=True)

    try:
        step(steps[0])
        tables = run(corpus, settings=settings, lenient=lenient, preset=preset, columns=columns,
                     progress=False, jobs=jobs, engine=engine, scheduler=scheduler, cache=cache)
        tables = select_event(tables, event)
        bar.update()

        step(steps[1])
        tables_dir = out / "tables"
        table_paths = write_tables(tables, tables_dir)
        bar.update()

        step(steps[2])
        fig_dir = out / "figures"
        results: list = []
        fig_paths = F.build_figures(tables, fig_dir, event=event, results=results)
        if figures_dir is not None:
            F.build_figures(tables, figures_dir, event=event)
        bar.update()

        nb_paths = []
        if nb_sources:
            step("notebooks")

            def done(name: str) -> None:
                bar.set_postfix_str(f"notebook {name[:2]} done", refresh=False)
                bar.update()

            nb_paths = execute_notebooks(out / "notebooks", tables_dir="../tables",
                                         corpus=corpus_path.resolve(), event=event,
                                         notebooks=nb_sources, on_done=done)

        step("provenance")
        params = {"event": event, "lenient": lenient, "preset": preset, "columns": columns,
                  "jobs": jobs, "engine": engine, "scheduler": scheduler,
                  "cache": None if cache is None else str(cache)}
        outputs = {str(p.relative_to(out)): _sha256(p) for p in
                   sorted(table_paths + fig_paths + nb_paths)}
        prov = provenance(corpus_path, settings=settings, parameters=params,
                          argv=argv if argv is not None else sys.argv, outputs=outputs)
        (out / "provenance.json").write_text(
            json.dumps(prov, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
            encoding="utf-8")
        bar.update()

        step("report.html")
        html_path = out / "report.html"
        context = _context(tables, corpus_path, settings, prov, results, nb_paths, out, event)
        html_path.write_text(render_html(context), encoding="utf-8")
        bar.update()

        if pdf:
            step("report.pdf")
            # Chromium turns relative links into file:// URIs with the output path in the PDF;
            # the print version shows those links as text, so the PDF does not depend on `out`
            with tempfile.TemporaryDirectory(prefix="kit-print-") as tmp:
                printable = Path(tmp) / "report.html"
                printable.write_text(render_html({**context, "print": True}), encoding="utf-8")
                why = print_pdf(printable, out / "report.pdf", prov["source_date_epoch"])
            bar.update()
            if why:
                bar.write(why, file=sys.stderr)
    finally:
        bar.close()
    return html_path


def _event_title(slug: str) -> str:
    """'putin-orders-troops-back-2014-05-19' -> 'Putin orders troops back (2014-05-19)'."""
    m = re.fullmatch(r"(.*?)[-_ ]?(\d{4}-\d{2}-\d{2})", str(slug))
    name, date = (m.group(1), m.group(2)) if m and m.group(1) else (str(slug), None)
    name = re.sub(r"[-_]+", " ", name).strip()
    name = name[:1].upper() + name[1:]
    return f"{name} ({date})" if date else name


def _context(tables, corpus: Path, settings, prov: dict, results, nb_paths, out: Path,
             event) -> dict:
    arts = _frame(tables, "articles")
    outlets = F.outlet_order(arts) if not arts.empty else []
    events = sorted(arts["event"].astype(str).unique()) if "event" in arts else []
    epoch = prov.get("source_date_epoch")
    date = datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%d %B %Y").lstrip("0") \
        if epoch is not None else None
    versions = prov["packages"]
    lexicons = prov["lexicons"]
    kwic_blocks, kwic_note = _kwic_blocks(tables)
    figs = _figure_blocks(results)
    nb_rel = {p.name: str(p.relative_to(out)) for p in nb_paths}
    sections = []
    for sid, heading, fig_key, nb in SECTIONS:
        sections.append({"id": sid, "heading": heading, "figures": figs.get(fig_key, []),
                         "notebook": nb_rel.get(nb) if nb else None})
    corpus_name = corpus.name if corpus.name else str(corpus)
    title_event = _event_title(event or events[0]) if (event or len(events) == 1) else \
        f"{len(events)} events"
    counts = {name: len(_frame(tables, name)) for name in
              ("articles", "sentences", "quotes", "terms", "hedges", "shared", "coverage",
               "removed", "skipped")}
    input_files = prov["corpus"]["files"]
    return {
        "title": f"How {len(outlets)} outlets covered: {title_event}" if len(events) == 1 or event
        else f"How {len(outlets)} outlets covered {title_event}",
        "corpus_name": corpus_name,
        "date": date,
        "outlets": outlets,
        "colors": F.outlet_colors(outlets),
        "events": events,
        "counts": counts,
        "sections": sections,
        "section_tables": _section_tables(tables),
        "kwic": kwic_blocks,
        "kwic_note": kwic_note,
        "methods": _methods(tables, settings, lexicons, versions,
                            getattr(settings, "n_boot", "?")),
        "limitations": _limitations(tables, settings, lexicons, results),
        "lexicons": [{"role": k, **v} for k, v in sorted(lexicons.items())],
        "versions": sorted((k, v or "not installed") for k, v in versions.items()),
        "input_files": sorted(input_files.items()),
        "git_commit": prov.get("git_commit"),
        "argv": " ".join(prov.get("argv") or []),
        "epoch": epoch,
        "n_unavailable": sum(1 for r in results if not r.available),
        "escape": html.escape,
    }
