"""The benchmark's helper scripts: the long-article corpus and the one-corpus measurement."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    # Imported by path: a site-packages distribution also ships a top-level "benchmarks".
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_long_articles_join_consecutive_articles_and_keep_every_text(tmp_path):
    src = tmp_path / "in.jsonl"
    records = [{"doc_id": f"a{i}", "outlet": f"O{i % 2}", "text": f"Text {i} has four words."}
               for i in range(5)]
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    n, words = _script("long_articles").join(str(src), str(tmp_path / "out.jsonl"), 2)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert (n, words) == (3, 25)
    assert [r["doc_id"] for r in out] == ["a0", "a2", "a4"]           # the first one's fields
    assert out[0]["text"] == "Text 0 has four words.\n\nText 1 has four words."
    assert out[2]["text"] == "Text 4 has four words."                  # the odd one out kept


def test_measure_runs_the_kit_and_reports_its_peak_memory(tmp_path, example_path):
    work = tmp_path / "work"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "measure.py"),
                           str(example_path), "--jobs", "1", "--work", str(work),
                           "--", "--coverage-max-articles", "1"],   # options for `tables`
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    notes = (work / "out" / "notes.csv").read_text(encoding="utf-8")
    assert "coverage_max_articles=1" in notes     # the option after -- reached `tables`
    result = json.loads((work / "result.json").read_text())
    assert result["rc"] == 0 and result["n_articles"] == 5
    assert 50 * 2**20 < result["peak_rss_bytes"] < 4 * 2**30
    assert "5 articles, exit code 0" in done.stdout and "RSS sum" in done.stdout
    assert (work / "out" / "shared.csv").exists()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("not the benchmark's")
    refused = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "measure.py"),
                              str(example_path), "--work", str(tmp_path / "other")],
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode == 2 and "new or empty folder" in refused.stderr
    assert (tmp_path / "other" / "keep.txt").exists()
