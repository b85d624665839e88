"""The demo on a catalogue as real provincial lists write it (photos by URL, no shipping weights,
claims in names, contact details in descriptions): every listable product goes live on every
channel, a re-run writes nothing, and the summary and reports count and explain the estimates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.demo import run_demo, summary_lines
from ledger import shop_bindings
from ocop.channels import OFFICIAL_SHOPS
from ocop.store import make_engine, transaction

pytestmark = pytest.mark.slow

PROVINCE = "Đồng Tháp"
PRODUCTS = 24


def test_the_demo_on_a_realistic_catalogue_reaches_full_coverage_with_its_estimates_counted(demo_home):
    settings = demo_home
    said: list[str] = []
    runs = run_demo(settings, province=PROVINCE, products=PRODUCTS, runs=2, faults=False, echo=said.append,
                    realistic=True)

    reconcile = runs[-1].result["reconcile"]
    listable = reconcile["all_channels"]["listable"]
    assert listable > 0 and reconcile["below_target"] is False
    for channel, share in reconcile["channels"].items():
        assert share["live"] == share["listable"] == listable, channel
    assert runs[-1].write_calls == 0
    assert any(path.is_file() for path in (settings.home / "image-cache").rglob("*")), "photos fetched by URL"

    summary = summary_lines(settings, PROVINCE)
    assert "  not live: 0 (every listable product is live on every channel)" in summary
    [estimates] = [line for line in summary if "estimated package data" in line]
    estimated = int(re.search(r"estimated package data: (\d+) listings", estimates)[1])
    assert 0 < estimated < listable * len(OFFICIAL_SHOPS)   # some lists still state a weight
    assert estimated == _live_bindings_pushed_with_an_estimate(settings)
    # the official shops were connected as real ones are, and their short-lived tokens refreshed as the runs went
    [tokens] = [line for line in summary if line.startswith("  token refreshes")]
    refreshes = {key: int(n) for key, n in re.findall(r"(\S+-dong-thap) (\d+) \(connected\)", tokens)}
    assert set(refreshes) == set(OFFICIAL_SHOPS) and all(n >= 1 for n in refreshes.values()), tokens

    producers_dir = Path(runs[-1].result["report"]["producers_dir"])
    producer_pages = "".join(path.read_text(encoding="utf-8") for path in producers_dir.rglob("*.vi.csv"))
    assert "Khối lượng ước tính: hãy xác nhận" in producer_pages
    assert "Đã bỏ thông tin liên hệ" in producer_pages


def _live_bindings_pushed_with_an_estimate(settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            bindings = shop_bindings(session, OFFICIAL_SHOPS)
    finally:
        engine.dispose()
    return sum(1 for binding in bindings if binding.package_estimated and binding.remote_status == "live")
