"""Benchmark the kit against a naive single-core loop; measure the cache and peak memory.

Usage::

    .venv/bin/python benchmarks/run.py                      # 10,000 and 50,000 articles
    .venv/bin/python benchmarks/run.py --quick              # 200 articles, smoke test
    .venv/bin/python benchmarks/run.py --n 10000 --n-large 0 --jobs 2 --engine local

Steps (see benchmarks/README.md for what each figure means):

1. make (or reuse) the generated corpora under ``benchmarks/.data/`` (``make_corpus.py``);
2. run ``python -m analysis tables CORPUS --out DIR --cache CACHE --no-progress --jobs J``
   **cold** (empty cache) and then **warm** (same cache) on N articles, sampling the summed RSS
   (and PSS) of the whole process tree every 0.2 s;
3. run the naive baseline (``naive.py``) on the same N articles, one core;
4. run the kit cold on N-large articles for the memory comparison (skipped with
   ``--n-large 0``);
5. print a Markdown table and save the raw figures as JSON (``benchmarks/.data/results-*.json``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
sys.path.insert(0, str(HERE))

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


# --------------------------------------------------------------------------------------------
# memory of a process tree, from /proc (Linux) or psutil

def _children_proc(pid: int) -> list[int]:
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    kids.extend(int(x) for x in fh.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return kids


def _all_ppids() -> dict[int, list[int]]:
    """pid -> children, by scanning /proc/*/stat (when /proc/PID/task/*/children is missing)."""
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
            tree.setdefault(ppid, []).append(int(name))
        except (OSError, ValueError, IndexError):
            pass
    return tree


def tree_pids(root: int) -> list[int]:
    """The root process and all its descendants (workers, Dask nannies and their workers)."""
    have_children_file = os.path.exists(f"/proc/{root}/task/{root}/children")
    tree = None if have_children_file else _all_ppids()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(_children_proc(pid) if tree is None else tree.get(pid, []))
    return out


def _rss_pss(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes; PSS = RSS when smaps_rollup is unavailable."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/statm") as fh:
            rss = int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0, 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
    except OSError:
        pss = rss
    return rss, pss or rss


def _peak_parts(parts: list, run: dict) -> str:
    """``main 512 MB, worker 408 MB, ... (at 138 s)``: each process at the peak."""
    named = [(("worker" if role == "forkserver" and rss > 50 else role), rss)
             for role, rss, _ in parts]
    text = ", ".join(f"{role} {rss:,} MB" for role, rss in named if rss > 50)
    small = sum(rss for _, rss in named if rss <= 50)
    text += f", other processes {small} MB" if small else ""
    return text + f" (at {run['peak_at_seconds']:.0f} s of {run['seconds']:.0f} s)"


def _cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode(
            "utf-8", "replace")
    except OSError:
        return None


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _role(pid: int) -> str:
    """What a process of the kit's tree is (main, worker, forkserver, ...), from its command
    (a worker forked by the forkserver keeps the forkserver's command line)."""
    cmd = _cmdline(pid)
    if cmd is None:
        return "gone"
    if "forkserver" in cmd and "forkserver" in (_cmdline(_parent(pid) or 0) or ""):
        return "worker"
    for marker, role in (("forkserver", "forkserver"), ("resource_tracker", "resource tracker"),
                         ("spawn_main", "worker"), ("analysis tables", "main")):
        if marker in cmd:
            return role
    return cmd[:40]


class TreeMemorySampler(threading.Thread):
    """Samples the summed RSS and PSS of a process tree every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.samples = 0
        self._halt = threading.Event()
        self._use_proc = os.path.isdir("/proc")
        self._t0 = time.monotonic()
        self.peak_at, self.peak_parts = None, []

    def sample(self) -> None:
        if self._use_proc:
            pids = tree_pids(self.pid)
            rss = pss = 0
            for p in pids:
                r, s = _rss_pss(p)
                rss += r
                pss += s
        else:  # pragma: no cover - non-Linux
            import psutil

            try:
                root = psutil.Process(self.pid)
                procs = [root] + root.children(recursive=True)
            except psutil.Error:
                return
            pids, rss = procs, 0
            for p in procs:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            pss = rss
        self.samples += 1
        self.peak_procs = max(self.peak_procs, len(pids))
        self.peak_rss = max(self.peak_rss, rss)
        if pss > self.peak_pss and self._use_proc:  # where the peak is: each process at that time
            self.peak_at = time.monotonic() - self._t0
            self.peak_parts = [(_role(p),) + tuple(round(v / 2**20) for v in _rss_pss(p))
                               for p in pids]
        self.peak_pss = max(self.peak_pss, pss)

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def measure(cmd: list[str], *, log: Path, env: dict | None = None) -> dict:
    """Run ``cmd``; return wall seconds, exit code and peak memory of its process tree."""
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
        sampler = TreeMemorySampler(proc.pid)
        sampler.start()
        rc = proc.wait()
        sampler.stop()
    seconds = time.perf_counter() - t0
    return {"cmd": " ".join(cmd), "rc": rc, "seconds": seconds,
            "peak_rss_bytes": sampler.peak_rss, "peak_pss_bytes": sampler.peak_pss,
            "peak_at_seconds": sampler.peak_at, "peak_parts_rss_pss_mb": sampler.peak_parts,
            "peak_processes": sampler.peak_procs, "samples": sampler.samples, "log": str(log)}


# --------------------------------------------------------------------------------------------

def corpus_for(n: int, seed: int, events: int | None) -> tuple[Path, dict]:
    """The generated corpus of n articles (made once, reused), its stats and kit word count."""
    import make_corpus

    name = f"corpus-{n}-s{seed}" + (f"-e{events}" if events else "")
    path = DATA / f"{name}.jsonl"
    stats_path = path.with_name(path.name + ".stats.json")
    if not (path.exists() and stats_path.exists()):
        print(f"making {n:,}-article corpus -> {path.relative_to(ROOT)}", file=sys.stderr)
        make_corpus.build(n, path, events=events, seed=seed, quiet=False)
    stats = json.loads(stats_path.read_text())
    if "n_words" not in stats:  # the kit's own word count (analysis.tokens.count_words)
        sys.path.insert(0, str(ROOT))
        from analysis.tokens import count_words

        with open(path, encoding="utf-8") as fh:
            stats["n_words"] = sum(count_words(json.loads(line)["text"]) for line in fh)
        stats_path.write_text(json.dumps(stats, indent=2) + "\n")
    return path, stats


def kit_cmd(args, corpus: Path, out: Path, cache: Path) -> list[str]:
    cmd = [sys.executable, "-m", "analysis", "tables", str(corpus), "--out", str(out),
           "--cache", str(cache), "--no-progress", "--engine", args.engine]
    if args.jobs:
        cmd += ["--jobs", str(args.jobs)]
    return cmd


def check_output(out: Path, n: int) -> str:
    """A short sanity note on the tables written (rows of the main per-article tables)."""
    notes = []
    for name in ("articles", "sentences", "quotes", "terms", "hedges"):
        p = out / f"{name}.csv"
        if not p.exists():
            notes.append(f"{name}: missing")
            continue
        import csv

        with open(p, encoding="utf-8", newline="") as fh:
            rows = sum(1 for _ in csv.reader(fh)) - 1
        notes.append(f"{name}: {rows:,}")
    return ", ".join(notes)


def kit_runs(args, n: int, *, warm: bool, tag: str) -> dict:
    corpus, stats = corpus_for(n, args.seed, args.events)
    work = DATA / f"run-{tag}-{n}"
    cache = work / "cache"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dict(os.environ, PYTHONHASHSEED="0")
    res = {"n": n, "corpus": str(corpus), "stats": stats}
    print(f"kit cold, {n:,} articles ...", file=sys.stderr)
    res["cold"] = measure(kit_cmd(args, corpus, work / "out-cold", cache),
                          log=work / "cold.log", env=env)
    res["cold"]["tables"] = check_output(work / "out-cold", n)
    _report_failure(res["cold"])
    if warm:
        print(f"kit warm, {n:,} articles ...", file=sys.stderr)
        res["warm"] = measure(kit_cmd(args, corpus, work / "out-warm", cache),
                              log=work / "warm.log", env=env)
        res["warm"]["tables"] = check_output(work / "out-warm", n)
        _report_failure(res["warm"])
        res["cache_bytes"] = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) \
            if cache.exists() else 0
        edited, n_edited = edited_corpus(corpus, work / "edited.jsonl", share=0.01)
        print(f"kit warm after editing {n_edited:,} articles ...", file=sys.stderr)
        res["edit"] = measure(kit_cmd(args, edited, work / "out-edit", cache),
                              log=work / "edit.log", env=env)
        res["edit"]["n_edited"] = n_edited
        _report_failure(res["edit"])
    if not args.keep:
        for sub in ("out-cold", "out-warm", "out-edit"):
            shutil.rmtree(work / sub, ignore_errors=True)
        if not warm:
            shutil.rmtree(cache, ignore_errors=True)
    return res


def edited_corpus(corpus: Path, out: Path, share: float) -> tuple[Path, int]:
    """A copy of the corpus with every ``1/share``-th article given one more paragraph."""
    step = max(1, round(1 / share))
    n = 0
    with open(corpus, encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as dst:
        for i, line in enumerate(fh):
            if line.strip() and i % step == 0:
                rec = json.loads(line)
                rec["text"] += "\n\nOfficials said on Tuesday that talks would resume next week."
                line = json.dumps(rec, ensure_ascii=False) + "\n"
                n += 1
            dst.write(line)
    return out, n


def _report_failure(r: dict) -> None:
    if r["rc"] != 0:
        tail = Path(r["log"]).read_text(errors="replace").splitlines()[-15:]
        print(f"!! kit exited with {r['rc']} ({r['log']}):\n   " + "\n   ".join(tail),
              file=sys.stderr)


def naive_run(args, n: int) -> dict:
    corpus, _ = corpus_for(n, args.seed, args.events)
    limit = args.naive_limit if args.naive_limit and args.naive_limit < n else None
    print(f"naive loop, {limit or n:,} articles, 1 core ...", file=sys.stderr)
    log = DATA / f"naive-{n}.log"
    cmd = [sys.executable, str(HERE / "naive.py"), str(corpus), "--json"]
    if limit:
        cmd += ["--limit", str(limit)]
    r = measure(cmd, log=log, env=dict(os.environ, PYTHONHASHSEED="0"))
    lines = [ln for ln in Path(log).read_text().splitlines() if ln.startswith("{")]
    if r["rc"] != 0 or not lines:
        _report_failure(r)
        return r
    r.update(json.loads(lines[-1]))
    return r


# --------------------------------------------------------------------------------------------
# report

def _mb(b: float) -> str:
    return f"{b / 2**20:,.0f} MB"


def _rate(n: float, s: float) -> float:
    return n / s if s else float("nan")


def table(res: dict) -> str:
    n = res["small"]["n"]
    words = res["small"]["stats"]["n_words"]
    cold, warm = res["small"]["cold"], res["small"].get("warm")
    naive = res.get("naive", {})
    rows = [("Figure", "Value", "Target", "Met")]

    def ok(flag):
        return "n/a" if flag is None else ("yes" if flag else "**no**")

    c_aps, c_wps = _rate(n, cold["seconds"]), _rate(words, cold["seconds"])
    rows.append((f"Kit cold, {n:,} articles ({res['jobs']} jobs, {res['engine']})",
                 f"{cold['seconds']:.1f} s = {c_aps:,.1f} articles/s, {c_wps:,.0f} words/s",
                 "", "" if cold["rc"] == 0 else f"exit {cold['rc']}"))
    if warm:
        w_aps, w_wps = _rate(n, warm["seconds"]), _rate(words, warm["seconds"])
        speed = cold["seconds"] / warm["seconds"] if warm["seconds"] else float("nan")
        rows.append(("Kit warm (same cache)",
                     f"{warm['seconds']:.1f} s = {w_aps:,.1f} articles/s, {w_wps:,.0f} words/s",
                     "", "" if warm["rc"] == 0 else f"exit {warm['rc']}"))
        rows.append(("Warm / cold speed-up", f"{speed:.1f}x", ">= 10x", ok(speed >= 10)))
    edit = res["small"].get("edit")
    if edit:
        e_speed = cold["seconds"] / edit["seconds"] if edit["seconds"] else float("nan")
        rows.append((f"Kit after editing {edit['n_edited']:,} articles (same cache)",
                     f"{edit['seconds']:.1f} s ({e_speed:.1f}x faster than cold)", "",
                     "" if edit["rc"] == 0 else f"exit {edit['rc']}"))
    if naive.get("articles_per_s"):
        ratio = c_aps / naive["articles_per_s"]
        rows.append((f"Naive loop, 1 core ({naive['n_articles']:,} articles)",
                     f"{naive['seconds']:.1f} s = {naive['articles_per_s']:,.1f} articles/s, "
                     f"{naive['words_per_s']:,.0f} words/s", "", ""))
        rows.append(("Kit (cold) / naive throughput", f"{ratio:.2f}x", ">= 1.5x", ok(ratio >= 1.5)))
    top_name, top = max([("cold", cold)] + ([("warm", warm)] if warm else []),
                        key=lambda kv: kv[1].get("peak_rss_bytes", 0))
    peak_small = top["peak_rss_bytes"]
    pss_small = top["peak_pss_bytes"]  # of the same run, so that the two figures go together
    rows.append((f"Peak memory, {n:,} articles (RSS sum; PSS sum)",
                 f"{_mb(peak_small)}; {_mb(pss_small)} (in the {top_name} run)", "< 2 GB",
                 ok(peak_small < 2 * 2**30)))
    parts = top.get("peak_parts_rss_pss_mb") or []
    if parts:
        rows.append((f"Where the {n:,}-article peak is (RSS)", _peak_parts(parts, top), "", ""))
    large = res.get("large")
    if large:
        nl = large["n"]
        lc = large["cold"]
        rows.append((f"Kit cold, {nl:,} articles",
                     f"{lc['seconds']:.1f} s = {_rate(nl, lc['seconds']):,.1f} articles/s, "
                     f"{_rate(large['stats']['n_words'], lc['seconds']):,.0f} words/s", "",
                     "" if lc["rc"] == 0 else f"exit {lc['rc']}"))
        growth = lc["peak_rss_bytes"] / peak_small if peak_small else float("nan")
        if lc.get("peak_parts_rss_pss_mb"):
            rows.append((f"Where the {nl:,}-article peak is (RSS)",
                         _peak_parts(lc["peak_parts_rss_pss_mb"], lc), "", ""))
        rows.append((f"Peak memory, {nl:,} articles (RSS sum; PSS sum)",
                     f"{_mb(lc['peak_rss_bytes'])}; {_mb(lc['peak_pss_bytes'])} "
                     f"({growth:.2f}x the {n:,}-article peak)",
                     "< 2 GB, flat", ok(lc["peak_rss_bytes"] < 2 * 2**30 and growth <= 1.25)))
    st = res["small"]["stats"]
    rows.append(("Corpus", f"{n:,} articles, {words:,} words, {st['n_events']:,} events, "
                 f"{st['n_outlets']} outlets, {st['unique_sentence_share']:.1%} unique sentences",
                 "", ""))
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["| " + " | ".join(r[i].ljust(w[i]) for i in range(4)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w[i] + 2) for i in range(4)) + "|")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Kit vs naive baseline: throughput, cache, memory.")
    p.add_argument("--n", type=int, default=10_000, help="articles for throughput (default 10000)")
    p.add_argument("--n-large", type=int, default=50_000,
                   help="articles for the memory comparison (0 = skip; default 50000)")
    p.add_argument("--jobs", type=int, default=2, help="kit worker processes (default 2)")
    p.add_argument("--engine", choices=["local", "dask"], default="local")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p.add_argument("--events", type=int, default=None, help="events (default N // 40)")
    p.add_argument("--naive-limit", type=int, default=None,
                   help="time the naive loop on the first N articles only (default: all)")
    p.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 200 articles, no large run")
    p.add_argument("--keep", action="store_true", help="keep the output tables under .data/")
    a = p.parse_args(argv)
    if a.quick:
        a.n, a.n_large = 200, 0
    DATA.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    res = {"started": started, "jobs": a.jobs, "engine": a.engine, "seed": a.seed,
           "machine": {"python": platform.python_version(), "platform": platform.platform(),
                       "cpus": os.cpu_count(),
                       "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None}}
    res["small"] = kit_runs(a, a.n, warm=True, tag="small")
    if not a.no_naive:
        res["naive"] = naive_run(a, a.n)
    if a.n_large:
        res["large"] = kit_runs(a, a.n_large, warm=False, tag="large")
    out = DATA / f"results-{a.n}-{a.n_large}-j{a.jobs}-{a.engine}.json"
    out.write_text(json.dumps(res, indent=2, default=str) + "\n")
    print()
    print(table(res))
    print()
    for key in ("small", "large"):
        if key in res:
            for phase in ("cold", "warm"):
                if phase in res[key]:
                    r = res[key][phase]
                    print(f"{key} {phase}: rc={r['rc']}, peak processes {r['peak_processes']}, "
                          f"{r['samples']} samples; tables: {r['tables']}")
    print(f"raw figures: {out.relative_to(ROOT)}")
    failed = any(res[k][ph]["rc"] != 0 for k in ("small", "large") if k in res
                 for ph in ("cold", "warm") if ph in res[k])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
