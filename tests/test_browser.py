"""Open the report in headless Chromium: every section and figure is there, no image is broken."""
import re
import shutil
import subprocess

import pytest

from analysis.report import SECTIONS, build_report, find_chromium, run_chromium

pytestmark = pytest.mark.skipif(find_chromium() is None,
                                reason="chromium not installed (Debian: apt-get install chromium)")


@pytest.fixture(scope="module")
def report(tmp_path_factory, example_path):
    out = tmp_path_factory.mktemp("browser") / "out"
    html = build_report(example_path, out, progress=False, notebooks=False, pdf=False)
    return html


@pytest.fixture(scope="module")
def dom(report):
    res = run_chromium(["--virtual-time-budget=10000", "--dump-dom", report.as_uri()])
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    return res.stdout.decode("utf-8")


def test_every_section_heading_is_rendered(dom):
    for sid, heading, *_ in SECTIONS:
        assert re.search(rf'<section id="{sid}">\s*<h2>.*?{re.escape(heading)}</h2>', dom), heading


def test_no_image_is_broken(dom, report):
    m = re.search(r'data-images-ok="(\d+)/(\d+)"', dom)
    assert m, "the page's load script did not run"
    ok, total = int(m.group(1)), int(m.group(2))
    n_figures = len(list((report.parent / "figures").glob("*.svg")))
    assert total == n_figures and total >= 1
    assert ok == total


def test_screenshot(report, tmp_path):
    shot = tmp_path / "report.png"
    res = run_chromium(["--window-size=1280,4000", "--virtual-time-budget=10000",
                        f"--screenshot={shot}", report.as_uri()])
    assert res.returncode == 0 and shot.exists() and shot.stat().st_size > 50_000
    shutil.copyfile(shot, report.parent / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
