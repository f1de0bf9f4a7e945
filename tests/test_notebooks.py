"""Every notebook runs top to bottom on the example corpus and on the multi-event fixture."""
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_are_committed_clean():
    assert len(NOTEBOOKS) >= 6
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert "parameters" in code[0]["metadata"].get("tags", []), path.name
        src = "".join(code[0]["source"])
        for name in ("corpus", "event", "tables_dir"):
            assert f"\n{name} = " in "\n" + src, (path.name, name)
        for cell in code:
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name
            assert not any(line.lstrip().startswith("def ") for line in
                           "".join(cell["source"]).splitlines()), f"{path.name}: no def in notebooks"


def _run(path: Path, out: Path, corpus: Path) -> dict:
    import papermill as pm

    env_before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env_before] if env_before else []))
    try:
        pm.execute_notebook(str(path), str(out / path.name), kernel_name="python3",
                            parameters={"corpus": str(corpus)}, progress_bar=False,
                            cwd=str(path.parent))
    finally:
        if env_before is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = env_before
    return json.loads((out / path.name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_example_corpus(path, tmp_path, example_path):
    nb = _run(path, tmp_path, example_path)
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if not p.stem.startswith("06")],
                         ids=lambda p: p.stem)
def test_notebook_runs_on_multi_event_fixture(path, tmp_path, multi_event_path):
    if not (multi_event_path / "manifest.csv").exists():
        pytest.skip(f"{multi_event_path} does not exist yet (multi-event fixture)")
    nb = _run(path, tmp_path, multi_event_path)
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []
