"""Time one cold ``tables`` run of any corpus and measure the peak memory of its process tree.

Usage::

    .venv/bin/python benchmarks/measure.py CORPUS [--jobs 2] [-- EXTRA TABLES OPTIONS]
    .venv/bin/python benchmarks/measure.py benchmarks/.data/mediacloud-10000.jsonl -- --preset mediacloud

Runs ``python -m analysis tables CORPUS --out OUT --cache CACHE --no-progress --jobs J`` with an
empty cache (both under ``--work``, default ``benchmarks/.data/measure/``, emptied first) and
prints seconds, articles/s (the rows of the ``articles.csv`` written), the peak of the summed RSS
and PSS of the kit's processes and where that peak was, as ``run.py`` measures them; the raw
figures go to ``result.json`` there. Exit code 1 if the run fails.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pandas as pd  # noqa: E402
import run  # noqa: E402  (the benchmark's sampler and helpers)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--work", type=Path, default=run.DATA / "measure",
                   help="folder for the tables, cache, log and result (emptied first)")
    argv = sys.argv[1:] if argv is None else list(argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p.epilog = "more options for `tables` go after --, e.g. -- --preset mediacloud"
    args = p.parse_args(argv)
    args.extra = extra
    work = args.work.resolve()
    if work.exists() and any(work.iterdir()) and not (work / "result.json").exists():
        p.error(f"--work {work} holds files of something else; name a new or empty folder "
                "(it is emptied before each run)")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cmd = [sys.executable, "-m", "analysis", "tables", str(args.corpus.resolve()), "--out",
           str(work / "out"), "--cache", str(work / "cache"), "--no-progress", "--jobs",
           str(args.jobs), *args.extra]
    result = run.measure(cmd, log=work / "log.txt")
    articles = work / "out" / "articles.csv"
    n = len(pd.read_csv(articles, usecols=["doc_id"])) if articles.exists() else 0
    result["n_articles"] = n
    (work / "result.json").write_text(json.dumps(result, indent=1) + "\n")
    mb = 2 ** 20
    print(f"{args.corpus}: {n:,} articles, exit code {result['rc']}")
    print(f"cold: {result['seconds']:.1f} s = {n / result['seconds']:.1f} articles/s "
          f"(articles in articles.csv)")
    print(f"peak memory, process tree: RSS sum {result['peak_rss_bytes'] / mb:,.0f} MB, "
          f"PSS sum {result['peak_pss_bytes'] / mb:,.0f} MB")
    if result["peak_parts_rss_pss_mb"]:
        print("where the peak is (RSS): " + run._peak_parts(result["peak_parts_rss_pss_mb"], result))
    return 0 if result["rc"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
