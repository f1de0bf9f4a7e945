"""The report: two builds are byte-identical, provenance is complete, corpus text is escaped."""
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from analysis.report import build_report, find_chromium, select_event

EPOCH = "1400457600"


def _build(corpus, out, **kw):
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        return build_report(corpus, out, argv=["python", "-m", "analysis", "report", "CORPUS"],
                            progress=False, **kw)
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, example_path):
    a = tmp_path_factory.mktemp("build_a") / "out"
    b = tmp_path_factory.mktemp("build_b_longer_name") / "out"
    _build(example_path, a)
    _build(example_path, b)
    return a, b


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_report_outputs_exist(two_builds):
    a, _ = two_builds
    for name in ("report.html", "provenance.json", "tables/articles.csv",
                 "figures/article_lengths.png", "figures/article_lengths.svg",
                 "figures/article_lengths.csv", "notebooks/01-corpus-overview.ipynb",
                 "notebooks/05-coverage-and-distinctive-language.ipynb"):
        assert (a / name).is_file(), name
    if find_chromium():
        assert (a / "report.pdf").read_bytes()[:5] == b"%PDF-"


def test_two_builds_are_byte_identical(two_builds):
    a, b = two_builds
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    different = [name for name in fa if fa[name] != fb[name]]
    assert different == []


def test_pdf_dates_come_from_source_date_epoch(two_builds):
    if not find_chromium():
        pytest.skip("chromium not installed: no PDF is built")
    pdf = (two_builds[0] / "report.pdf").read_bytes()
    dates = re.findall(rb"/(?:CreationDate|ModDate)\s*\(([^)]*)\)", pdf)
    assert dates and all(d.startswith(b"D:20140519000000") for d in dates)


def test_executed_notebooks_are_scrubbed(two_builds):
    nb = json.loads((two_builds[0] / "notebooks" / "03-tone-and-certainty.ipynb").read_text())
    pm = nb["metadata"]["papermill"]
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        assert key not in pm
    assert pm["parameters"]["tables_dir"] == "../tables"
    counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1))
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"]
        assert "start_time" not in cell["metadata"].get("papermill", {})
    text = json.dumps(nb)
    assert "Traceback" not in text


def test_provenance(two_builds, example_path):
    prov = json.loads((two_builds[0] / "provenance.json").read_text())
    files = prov["corpus"]["files"]
    assert "manifest.csv" in files and len(files) == 6
    sha = hashlib.sha256((example_path / "manifest.csv").read_bytes()).hexdigest()
    assert files["manifest.csv"] == sha
    assert prov["source_date_epoch"] == int(EPOCH)
    assert prov["argv"][:4] == ["python", "-m", "analysis", "report"]
    assert prov["parameters"]["settings"]["n_boot"] == 2000
    assert prov["packages"]["pandas"] and prov["packages"]["matplotlib"]
    assert "git_commit" in prov
    assert prov["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", prov["git_commit"])
    furniture = prov["lexicons"]["furniture"]
    assert furniture["name"] == "furniture" and furniture["version"]
    assert re.fullmatch(r"[0-9a-f]{64}", furniture["sha256"])
    assert "tables/articles.csv" in prov["outputs"]
    raw = (two_builds[0] / "provenance.json").read_text()
    assert list(json.loads(raw)) == sorted(json.loads(raw))  # sorted keys


def test_html_is_self_contained_and_complete(two_builds):
    html = (two_builds[0] / "report.html").read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert "@import" not in html and "url(http" not in html
    for heading in ("What was compared", "Terminology and voice", "Tone and certainty",
                    "Sources and shared quotations", "Coverage and distinctive language",
                    "Methods", "Limitations", "Provenance and reproducibility"):
        assert f"{heading}</h2>" in html
    assert 'id="fig-article_lengths"' in html and "data:image/svg+xml;base64," in html
    assert "One article per outlet" in html
    assert "furniture lexicon (version" in html


SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        f"Officials said {SCRIPT} was typed into the form.\n\n"
        "\"We see no withdrawal,\" a NATO official said in Kiev on Monday.\n", encoding="utf-8")
    (corpus / "b.txt").write_text(
        "Kyiv said troops remain on alert <img src=x onerror=alert(2)>.\n\n"
        "\"We see no withdrawal,\" the official said.\n", encoding="utf-8")
    (corpus / "manifest.csv").write_text(
        "file,outlet,event,title,published,url\n"
        f"a.txt,Outlet <b>A</b>,ev-2014-06-01,\"Title {SCRIPT}\",2014-06-01,"
        "https://example.org/a\n"
        "b.txt,Outlet B,ev-2014-06-01,Plain,2014-06-01,javascript:alert(3)\n", encoding="utf-8")
    out = root / "out"
    _build(corpus, out, notebooks=False, pdf=False)
    return out


def test_corpus_text_is_escaped(hostile_report):
    html = (hostile_report / "report.html").read_text()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "onerror=alert" not in html.replace("&lt;img src=x onerror=alert", "")
    assert "<b>A</b>" not in html and "Outlet &lt;b&gt;A&lt;/b&gt;" in html
    assert 'href="javascript' not in html and 'href="https://example.org' not in html
    assert html.count("<script>") == 1  # only the report's own image check


def test_unknown_event_is_refused(example_path):
    from analysis.errors import KitError
    from analysis.pipeline import read_tables, run

    tables = run(example_path)
    with pytest.raises(KitError, match="putin-orders-troops-back-2014-05-19"):
        select_event(tables, "no-such-event")
    assert len(select_event(tables, "putin-orders-troops-back-2014-05-19")["articles"]) == 5


def test_repeated_articles_are_shown_in_the_articles_table_and_limitations(tmp_path):
    import warnings

    from analysis import run
    from analysis.report import _limitations, _section_tables

    body = "Rebels left Sloviansk on Monday, officials in Kyiv said. Russia denied it."
    path = tmp_path / "mc.csv"
    path.write_text("stories_id,media_name,text\n"
                    f"1,Reuters,\"{body}\"\n2,TASS,\"Russia said its troops went home.\"\n"
                    f"3,Reuters,\"{body}\"\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = run(path, jobs=1)
    table = next(t for t in _section_tables(tables)["corpus"] if t["caption"] == "Articles")
    doc, same = table["columns"].index("doc id"), table["columns"].index("same text as")
    assert sorted((r[doc], r[same]) for r in table["rows"]) == [("1", ""), ("2", ""), ("3", "1")]
    # short cells without spaces (ids) are kept on one line
    assert table["nowrap"][doc] and table["nowrap"][same]
    notes = [n for n in _limitations(tables, tables.settings, {}, []) if "Loader" in n]
    assert notes == [
        "Loader warning: mc.csv: read column 'media_name' as outlet, 'stories_id' as doc_id (no "
        "column of the kit's name); to read another, map it with --column NAME=TARGET (columns= "
        "in Python)",
        "Loader warning: mc.csv: 1 article(s) repeat the text of an earlier article of the same "
        "outlet and event (articles.csv column duplicate_of names it); they are analysed like the "
        "others: pass --drop-duplicates (drop_duplicates=True) to leave them out"]
