"""Both reports open in headless Chromium and the screenshot script saves what it shows.

Without Debian's chromium the browser test skips locally, and fails under CI=true. With
OCOP_SCREENSHOTS_DIR set (.ci/run sets it, outside the checkout), the screenshots are kept there.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from reports.build import write_reports

CHROMIUM = Path("/usr/bin/chromium")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshot_reports.py"
REFUSED = 2


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the screenshot test must run)")
        pytest.skip(message)
    return CHROMIUM


@pytest.mark.slow
def test_screenshot_script_shoots_the_province_and_a_producer_report(chromium, result, history, tmp_path):
    write_reports(result, history, tmp_path / "reports")
    shots = Path(os.environ.get("OCOP_SCREENSHOTS_DIR") or tmp_path / "shots")
    run = subprocess.run([sys.executable, str(SCRIPT), str(shots), "--reports", str(tmp_path / "reports"),
                          "--chromium", str(chromium)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    pngs = sorted(shots.glob("*.png"))
    assert [p.name.split(".")[0].split("-")[0] for p in pngs] == ["cong", "province"]
    for png in pngs:
        with Image.open(png) as image:
            assert image.width == 1280 and 600 < image.height < 6000
            # Not a blank page: a rendered report has plenty of distinct colours.
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ()) > 50


def test_screenshots_are_refused_inside_the_repository(tmp_path):
    inside = SCRIPT.parents[1] / "screenshots-here"
    run = subprocess.run([sys.executable, str(SCRIPT), str(inside), "--reports", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == REFUSED
    refusal = f"screenshot_reports: {inside} is inside the repository {SCRIPT.parents[1]}; choose a folder outside it"
    assert refusal in run.stderr.splitlines()
    assert not inside.exists()
