"""Command line: ``python -m analysis {tables,report,figures} CORPUS --out DIR``."""
from __future__ import annotations

import argparse
import sys
import warnings

from .errors import KitError

CORPUS_HELP = ("corpus: a folder with manifest.csv (one row per article file: file, outlet, "
               "event, title, published, ...) or a single CSV, JSONL or Parquet file with one "
               "article per row and a 'text' column (common export names such as body, content, "
               "media_name, source and publish_date are recognised, with a warning)")


def _format_warning(message, category, filename, lineno, line=None) -> str:
    """The loader's warnings as one plain line (they name the file; the kit's source line
    would only distract); others as Python shows them."""
    from .corpus import CorpusWarning

    if issubclass(category, CorpusWarning):
        return f"warning: {message}\n"
    return _python_format_warning(message, category, filename, lineno, line)


_python_format_warning = warnings.formatwarning


def _column_map(values: list[str]) -> dict[str, str]:
    out = {}
    for item in values or []:
        if "=" not in item:
            raise SystemExit(f"--column expects SOURCE=TARGET (e.g. media_name=outlet); got '{item}'")
        src, dst = item.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


def _add_corpus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("corpus", help=CORPUS_HELP)
    p.add_argument("--out", required=True, help="output folder (created if missing)")
    p.add_argument("--lenient", action="store_true",
                   help="skip records that cannot be loaded (missing file, duplicate doc_id, "
                   "malformed line ...) and list them in skipped.csv instead of stopping")
    p.add_argument("--preset", choices=["mediacloud"],
                   help="column mapping for a known export (mediacloud: media_name->outlet, "
                   "publish_date->published, stories_id/id->doc_id)")
    p.add_argument("--column", action="append", metavar="SOURCE=TARGET", default=[],
                   help="map an input column to a kit column, e.g. --column body=text "
                   "(repeatable; overrides --preset)")
    p.add_argument("--drop-duplicates", action="store_true",
                   help="leave out articles whose text repeats an earlier article's of the same "
                   "outlet and event (listed in skipped.csv); without it they are analysed and "
                   "marked in articles.csv's duplicate_of column, with a warning")
    p.add_argument("--terms", default="terms_ukraine_2014",
                   help="contested-terms lexicon: bundled name or path to a YAML file "
                   "(default: %(default)s)")
    p.add_argument("--actors", default="actors_ukraine_2014",
                   help="actors lexicon for actor sentiment: bundled name or YAML path "
                   "(default: %(default)s)")
    p.add_argument("--speaker-groups", default="speaker_groups",
                   help="speaker role-to-group mapping: bundled name or YAML path "
                   "(default: %(default)s)")
    p.add_argument("--no-furniture", action="store_true",
                   help="keep every line of the article files (no page-furniture removal)")
    p.add_argument("--n-boot", type=int, default=2000,
                   help="bootstrap resamples for confidence intervals (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0,
                   help="random seed of the bootstrap; same seed, same intervals (default: 0)")
    p.add_argument("--coverage-max-articles", type=int, default=300, metavar="N",
                   help="skip the coverage table (information unit x article) for events with "
                   "more than N articles; notes.csv says which (default: %(default)s)")
    p.add_argument("--keyness-max-rows", type=int, default=1_000_000, metavar="N",
                   help="an event whose keyness table (outlets x terms) would pass N rows keeps "
                   "each outlet's own terms only; notes.csv says which (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=None,
                   help="worker processes for the per-article steps (default: all cores)")
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="run the per-article steps locally or on a Dask cluster")
    p.add_argument("--scheduler", default=None,
                   help="Dask scheduler address (tcp://host:8786); default: a LocalCluster")
    p.add_argument("--cache", default=None, metavar="DIR",
                   help="on-disk cache folder for per-article results (default: none; "
                   "re-runs then recompute everything)")
    p.add_argument("--no-progress", action="store_true", help="do not show progress bars")


def _settings(args):
    from .pipeline import Settings

    return Settings(terms=args.terms, actors=args.actors, speaker_groups=args.speaker_groups,
                    furniture=None if args.no_furniture else "furniture",
                    drop_duplicates=args.drop_duplicates, n_boot=args.n_boot,
                    random_state=args.seed, coverage_max_articles=args.coverage_max_articles,
                    keyness_max_rows=args.keyness_max_rows)


def _run_options(args) -> dict:
    return dict(settings=_settings(args), lenient=args.lenient, preset=args.preset,
                columns=_column_map(args.column), progress=not args.no_progress,
                jobs=args.jobs, engine=args.engine, scheduler=args.scheduler, cache=args.cache)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Comparative media analysis kit: how several outlets framed the same event.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_tables = sub.add_parser("tables", help="write every table of the contract as CSV",
                              description="Load CORPUS, run every analysis and write articles.csv, "
                              "removed.csv, skipped.csv, sentences.csv, quotes.csv, terms.csv, "
                              "hedges.csv, outlets.csv, keyness.csv, shared.csv, coverage.csv "
                              "(and a few extra tables) into --out.")
    _add_corpus_options(p_tables)
    p_report = sub.add_parser("report", help="build the HTML/PDF report, tables and figures",
                              description="Execute the notebooks on CORPUS and write a "
                              "self-contained report.html, report.pdf (if chromium is installed), "
                              "the executed notebooks, every table and provenance.json into --out.")
    _add_corpus_options(p_report)
    p_report.add_argument("--figures", default=None, metavar="DIR",
                          help="also write the figures (PNG, SVG and their data as CSV) here")
    p_report.add_argument("--event", default=None, help="event to report on (default: all)")
    p_fig = sub.add_parser("figures", help="draw the comparison figures (PNG + SVG + CSV)")
    _add_corpus_options(p_fig)
    args = parser.parse_args(argv)
    warnings.formatwarning = _format_warning
    try:
        if args.command == "tables":
            from .pipeline import run_to_dir

            for path in run_to_dir(args.corpus, args.out, **_run_options(args)):
                print(path)
        elif args.command == "report":
            from .report import build_report

            build_report(args.corpus, args.out, figures_dir=args.figures, event=args.event,
                         argv=sys.argv if argv is None else ["python", "-m", "analysis"] + argv,
                         **_run_options(args))
        elif args.command == "figures":
            from .figures import build_figures
            from .pipeline import run

            build_figures(run(args.corpus, **_run_options(args)), args.out)
    except KitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        cache = getattr(args, "cache", None)
        print(f"interrupted: the run did not finish, so the files in {args.out} are missing or "
              "incomplete" + (f"; the cache in {cache} is valid: run the same command again to "
                              "resume" if cache else ""), file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
